/*
 *   linux/mm/fremap.c
 *
 * Nonlinear file mappings: remap_file_pages() and the helpers that fill
 * page tables for it.
 *
 * Synthetic pre-patch file of the rfp-toolkit test tree (2.6.13-like).
 */

#include <linux/mm.h>
#include <linux/swap.h>
#include <linux/file.h>
#include <linux/mman.h>
#include <linux/pagemap.h>
#include <linux/swapops.h>
#include <linux/rmap.h>
#include <linux/module.h>
#include <linux/syscalls.h>

#include <asm/mmu_context.h>
#include <asm/cacheflush.h>
#include <asm/tlbflush.h>

static inline void zap_pte(struct mm_struct *mm, struct vm_area_struct *vma,
			unsigned long addr, pte_t *ptep)
{
	pte_t pte = *ptep;

	if (pte_none(pte))
		return;
	if (pte_present(pte)) {
		unsigned long pfn = pte_pfn(pte);

		flush_cache_page(vma, addr, pfn);
		pte = ptep_clear_flush(vma, addr, ptep);
		if (pfn_valid(pfn)) {
			struct page *page = pfn_to_page(pfn);
			if (!PageReserved(page)) {
				if (pte_dirty(pte))
					set_page_dirty(page);
				page_remove_rmap(page);
				page_cache_release(page);
				dec_mm_counter(mm, rss);
			}
		}
	} else {
		if (!pte_file(pte))
			free_swap_and_cache(pte_to_swp_entry(pte));
		pte_clear(mm, addr, ptep);
	}
}

/*
 * Map page at addr with protection prot, dropping whatever the PTE held
 * before.  Called by the populate methods.
 */
int install_page(struct mm_struct *mm, struct vm_area_struct *vma,
		unsigned long addr, struct page *page, pgprot_t prot)
{
	struct inode *inode;
	pgoff_t size;
	int err = -ENOMEM;
	pte_t *pte;
	pmd_t *pmd;
	pud_t *pud;
	pgd_t *pgd;
	pte_t pte_val;

	pgd = pgd_offset(mm, addr);
	spin_lock(&mm->page_table_lock);

	pud = pud_alloc(mm, pgd, addr);
	if (!pud)
		goto err_unlock;

	pmd = pmd_alloc(mm, pud, addr);
	if (!pmd)
		goto err_unlock;

	pte = pte_alloc_map(mm, pmd, addr);
	if (!pte)
		goto err_unlock;

	/* A truncate may have raced with the lookup: report it. */
	err = -EINVAL;
	inode = vma->vm_file->f_mapping->host;
	size = (i_size_read(inode) + PAGE_CACHE_SIZE - 1) >> PAGE_CACHE_SHIFT;
	if (!page->mapping || page->index >= size)
		goto err_unlock;

	zap_pte(mm, vma, addr, pte);

	inc_mm_counter(mm,rss);
	flush_icache_page(vma, page);
	set_pte_at(mm, addr, pte, mk_pte(page, prot));
	page_add_file_rmap(page);
	pte_val = *pte;
	pte_unmap(pte);
	update_mmu_cache(vma, addr, pte_val);

	err = 0;
err_unlock:
	spin_unlock(&mm->page_table_lock);
	return err;
}
EXPORT_SYMBOL(install_page);


/*
 * Leave a not-present file PTE at addr that remembers pgoff, dropping
 * whatever the PTE held before.  The page is read in at fault time.
 */
int install_file_pte(struct mm_struct *mm, struct vm_area_struct *vma,
		unsigned long addr, unsigned long pgoff, pgprot_t prot)
{
	int err = -ENOMEM;
	pte_t *pte;
	pmd_t *pmd;
	pud_t *pud;
	pgd_t *pgd;
	pte_t pte_val;

	pgd = pgd_offset(mm, addr);
	spin_lock(&mm->page_table_lock);

	pud = pud_alloc(mm, pgd, addr);
	if (!pud)
		goto err_unlock;

	pmd = pmd_alloc(mm, pud, addr);
	if (!pmd)
		goto err_unlock;

	pte = pte_alloc_map(mm, pmd, addr);
	if (!pte)
		goto err_unlock;

	zap_pte(mm, vma, addr, pte);

	set_pte_at(mm, addr, pte, pgoff_to_pte(pgoff));
	pte_val = *pte;
	pte_unmap(pte);
	update_mmu_cache(vma, addr, pte_val);
	spin_unlock(&mm->page_table_lock);
	return 0;

err_unlock:
	spin_unlock(&mm->page_table_lock);
	return err;
}


/**
 * sys_remap_file_pages - point pages of a shared file mapping elsewhere
 * @start: first address of the range, inside one existing vma
 * @size: length of the range in bytes
 * @__prot: must be 0 for now: the vma protection applies
 * @pgoff: file page that start shall show
 * @flags: MAP_NONBLOCK to skip pages that would need I/O
 *
 * Only page tables change: no vma is created or split, which is the
 * point of the call for programs that map one file in many pieces.
 * The offsets survive swap-out in file PTEs.
 */
asmlinkage long sys_remap_file_pages(unsigned long start, unsigned long size,
	unsigned long __prot, unsigned long pgoff, unsigned long flags)
{
	struct mm_struct *mm = current->mm;
	struct address_space *mapping;
	unsigned long end = start + size;
	struct vm_area_struct *vma;
	int err = -EINVAL;
	int has_write_lock = 0;

	if (__prot)
		return err;
	/* Whole pages only. */
	start = start & PAGE_MASK;
	size = size & PAGE_MASK;

	/* An empty range, or one that wraps around, is refused. */
	if (start + size <= start)
		return err;

	/* The last offset must still fit in a file PTE of this arch. */
#if PTE_FILE_MAX_BITS < BITS_PER_LONG
	if (pgoff + (size >> PAGE_SHIFT) >= (1UL << PTE_FILE_MAX_BITS))
		return err;
#endif

	/* Read lock first: only setting VM_NONLINEAR needs it for write. */
	down_read(&mm->mmap_sem);
 retry:
	vma = find_vma(mm, start);

	/*
	 * The range must lie inside one shared vma that can populate.
	 * Swap-out uses vm_private_data of nonlinear vmas as its scan
	 * cursor, so a vma that already uses it for something else is
	 * only accepted if it is nonlinear or reserved already.
	 */
	if (!vma || !(vma->vm_flags & VM_SHARED) ||
	    (vma->vm_private_data &&
	     !(vma->vm_flags & (VM_NONLINEAR|VM_RESERVED))) ||
	    !vma->vm_ops || !vma->vm_ops->populate ||
	    end <= start || start < vma->vm_start || end > vma->vm_end)
		goto out_unlock;

	/* Flag the vma before the first out-of-place PTE exists. */
	if (pgoff != linear_page_index(vma, start) &&
	    !(vma->vm_flags & VM_NONLINEAR)) {
		if (!has_write_lock) {
			up_read(&mm->mmap_sem);
			down_write(&mm->mmap_sem);
			has_write_lock = 1;
			goto retry;
		}
		mapping = vma->vm_file->f_mapping;
		spin_lock(&mapping->i_mmap_lock);
		flush_dcache_mmap_lock(mapping);
		vma->vm_flags |= VM_NONLINEAR;
		vma_prio_tree_remove(vma, &mapping->i_mmap);
		vma_nonlinear_insert(vma, &mapping->i_mmap_nonlinear);
		flush_dcache_mmap_unlock(mapping);
		spin_unlock(&mapping->i_mmap_lock);
	}

	err = vma->vm_ops->populate(vma, start, size, vma->vm_page_prot,
				    pgoff, flags & MAP_NONBLOCK);

	/*
	 * VM_NONLINEAR stays set even if the range became linear again:
	 * nothing tells whether other pages of the vma are still out of
	 * place, and finding out would mean a walk of its page tables.
	 */
out_unlock:
	if (likely(!has_write_lock))
		up_read(&mm->mmap_sem);
	else
		up_write(&mm->mmap_sem);

	return err;
}

