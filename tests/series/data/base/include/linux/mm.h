#ifndef _LINUX_MM_H
#define _LINUX_MM_H

/*
 * Core memory-management declarations (excerpt).
 * Synthetic pre-patch file of the rfp-toolkit test tree: only the parts
 * that the remap_file_pages series touches are kept.
 */

#include <linux/sched.h>
#include <linux/errno.h>

#ifdef __KERNEL__

#include <linux/config.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mmzone.h>
#include <linux/rbtree.h>
#include <linux/prio_tree.h>
#include <linux/fs.h>

struct mempolicy;
struct anon_vma;

extern unsigned long num_physpages;
extern void * high_memory;
extern unsigned long vmalloc_earlyreserve;
extern int page_cluster;

#include <asm/page.h>
#include <asm/pgtable.h>
#include <asm/processor.h>
#include <asm/atomic.h>

/*
 * One vm_area_struct describes one contiguous range of a process address
 * space with uniform flags; the mm keeps them in a list and an rbtree.
 */
struct vm_area_struct {
	struct mm_struct * vm_mm;	/* owning address space */
	unsigned long vm_start;		/* first address */
	unsigned long vm_end;		/* first address past the end */
	struct vm_area_struct *vm_next;

	pgprot_t vm_page_prot;		/* PTE protection of its pages */
	unsigned long vm_flags;		/* VM_* below */

	struct rb_node vm_rb;
	struct list_head anon_vma_node;
	struct anon_vma *anon_vma;

	struct vm_operations_struct * vm_ops;
	unsigned long vm_pgoff;		/* file page at vm_start */
	struct file * vm_file;		/* mapped file, NULL if anonymous */
	void * vm_private_data;
};

/*
 * vm_flags.
 */
#define VM_READ		0x00000001	/* rights in effect now */
#define VM_WRITE	0x00000002
#define VM_EXEC		0x00000004
#define VM_SHARED	0x00000008

#define VM_MAYREAD	0x00000010	/* rights mprotect may grant */
#define VM_MAYWRITE	0x00000020
#define VM_MAYEXEC	0x00000040
#define VM_MAYSHARE	0x00000080

#define VM_GROWSDOWN	0x00000100	/* stack-like, grows to lower addresses */
#define VM_GROWSUP	0x00000200
#define VM_SHM		0x00000400	/* SysV shared memory */
#define VM_DENYWRITE	0x00000800	/* writers of the file get ETXTBSY */

#define VM_EXECUTABLE	0x00001000
#define VM_LOCKED	0x00002000
#define VM_IO		0x00004000	/* device memory */

#define VM_SEQ_READ	0x00008000	/* madvise: sequential reads */
#define VM_RAND_READ	0x00010000	/* madvise: random reads, no readahead */

#define VM_DONTCOPY	0x00020000	/* not inherited by fork */
#define VM_DONTEXPAND	0x00040000	/* mremap may not grow it */
#define VM_RESERVED	0x00080000	/* never swapped out */
#define VM_ACCOUNT	0x00100000	/* counted in committed memory */
#define VM_HUGETLB	0x00400000	/* backed by huge pages */
#define VM_NONLINEAR	0x00800000	/* remap_file_pages moved pages in it */

#ifndef VM_STACK_DEFAULT_FLAGS
#define VM_STACK_DEFAULT_FLAGS VM_DATA_DEFAULT_FLAGS
#endif

/*
 * The operations a VMA's owner provides: fault in a page (nopage), and
 * prefault a range with given offset and protection (populate).
 */
struct vm_operations_struct {
	void (*open)(struct vm_area_struct * area);
	void (*close)(struct vm_area_struct * area);
	struct page * (*nopage)(struct vm_area_struct * area, unsigned long address, int *type);
	int (*populate)(struct vm_area_struct * area, unsigned long address, unsigned long len, pgprot_t prot, unsigned long pgoff, int nonblock);
};

/*
 * What zap_pte_range must look at besides the range: only truncation,
 * nonlinear vmas and MADV_DONTNEED pass one.
 */
struct zap_details {
	struct vm_area_struct *nonlinear_vma;	/* keep file PTEs of this vma */
	struct address_space *check_mapping;	/* zap pages of this file only */
	pgoff_t	first_index;			/* file range to zap: first page */
	pgoff_t last_index;			/* and last page */
	spinlock_t *i_mmap_lock;		/* dropped now and then when set */
	unsigned long break_addr;		/* where unmap_vmas stopped */
	unsigned long truncate_count;		/* for restarting a truncate */
};

unsigned long zap_page_range(struct vm_area_struct *vma, unsigned long address,
		unsigned long size, struct zap_details *);
unsigned long unmap_vmas(struct mmu_gather **tlb, struct mm_struct *mm,
		struct vm_area_struct *start_vma, unsigned long start_addr,
		unsigned long end_addr, unsigned long *nr_accounted,
		struct zap_details *);
void free_pgd_range(struct mmu_gather **tlb, unsigned long addr,
		unsigned long end, unsigned long floor, unsigned long ceiling);
int copy_page_range(struct mm_struct *dst, struct mm_struct *src,
			struct vm_area_struct *vma);
int zeromap_page_range(struct vm_area_struct *vma, unsigned long from,
			unsigned long size, pgprot_t prot);
void unmap_mapping_range(struct address_space *mapping,
		loff_t const holebegin, loff_t const holelen, int even_cows);

static inline void unmap_shared_mapping_range(struct address_space *mapping,
		loff_t const holebegin, loff_t const holelen)
{
	unmap_mapping_range(mapping, holebegin, holelen, 0);
}

extern int vmtruncate(struct inode * inode, loff_t offset);
extern pud_t *FASTCALL(__pud_alloc(struct mm_struct *mm, pgd_t *pgd, unsigned long address));
extern pmd_t *FASTCALL(__pmd_alloc(struct mm_struct *mm, pud_t *pud, unsigned long address));
extern pte_t *FASTCALL(pte_alloc_kernel(struct mm_struct *mm, pmd_t *pmd, unsigned long address));
extern pte_t *FASTCALL(pte_alloc_map(struct mm_struct *mm, pmd_t *pmd, unsigned long address));
extern int install_page(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr, struct page *page, pgprot_t prot);
extern int install_file_pte(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr, unsigned long pgoff, pgprot_t prot);
extern int __handle_mm_fault(struct mm_struct *mm,struct vm_area_struct *vma, unsigned long address, int write_access);

static inline int handle_mm_fault(struct mm_struct *mm,
			struct vm_area_struct *vma, unsigned long address,
			int write_access)
{
	return __handle_mm_fault(mm, vma, address, write_access) &
				(~VM_FAULT_WRITE);
}

extern int make_pages_present(unsigned long addr, unsigned long end);
extern int access_process_vm(struct task_struct *tsk, unsigned long addr, void *buf, int len, int write);
void install_arg_page(struct vm_area_struct *, struct page *, unsigned long);

int get_user_pages(struct task_struct *tsk, struct mm_struct *mm, unsigned long start,
		int len, int write, int force, struct page **pages, struct vm_area_struct **vmas);

int __set_page_dirty_buffers(struct page *page);
int __set_page_dirty_nobuffers(struct page *page);
int redirty_page_for_writepage(struct writeback_control *wbc,
				struct page *page);
int FASTCALL(set_page_dirty(struct page *page));
int set_page_dirty_lock(struct page *page);
int clear_page_dirty_for_io(struct page *page);

/*
 * Outcomes of handle_mm_fault, switched on by every arch fault handler.
 */
#define VM_FAULT_OOM	(-1)
#define VM_FAULT_SIGBUS	0
#define VM_FAULT_MINOR	1
#define VM_FAULT_MAJOR	2

/* Set by do_wp_page after a COW break; get_user_pages looks for it. */
#define VM_FAULT_WRITE	0x10

#define offset_in_page(p)	((unsigned long)(p) & ~PAGE_MASK)

extern void show_free_areas(void);

#ifdef CONFIG_SHMEM
struct page *shmem_nopage(struct vm_area_struct *vma,
			unsigned long address, int *type);
int shmem_set_policy(struct vm_area_struct *vma, struct mempolicy *new);
int shmem_lock(struct file *file, int lock, struct user_struct *user);
#else
#define shmem_nopage filemap_nopage
#endif
struct file *shmem_file_setup(char *name, loff_t size, unsigned long flags);

/* mmap.c */
extern void vma_adjust(struct vm_area_struct *vma, unsigned long start,
	unsigned long end, pgoff_t pgoff, struct vm_area_struct *insert);
extern int insert_vm_struct(struct mm_struct *, struct vm_area_struct *);
extern void exit_mmap(struct mm_struct *);

extern unsigned long do_mmap_pgoff(struct file *file, unsigned long addr,
	unsigned long len, unsigned long prot,
	unsigned long flag, unsigned long pgoff);

extern int do_munmap(struct mm_struct *, unsigned long, size_t);

extern unsigned long do_brk(unsigned long, unsigned long);

/* filemap.c */
extern unsigned long page_unuse(struct page *);
extern void truncate_inode_pages(struct address_space *, loff_t);

/* the page-cache vm_operations */
extern struct page *filemap_nopage(struct vm_area_struct *, unsigned long, int *);
extern int filemap_populate(struct vm_area_struct *, unsigned long,
		unsigned long, pgprot_t, unsigned long, int);

/* The first vma that ends above addr, or NULL. */
extern struct vm_area_struct * find_vma(struct mm_struct * mm, unsigned long addr);

extern struct vm_area_struct *find_extend_vma(struct mm_struct *, unsigned long addr);
struct page *follow_page(struct mm_struct *, unsigned long address,
			int write);
int remap_pfn_range(struct vm_area_struct *, unsigned long,
		unsigned long, unsigned long, pgprot_t);

#endif /* __KERNEL__ */
#endif /* _LINUX_MM_H */
