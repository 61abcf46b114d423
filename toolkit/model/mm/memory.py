"""Model of mm/memory.c: page tables, faults, zapping, truncation and fork's page copy."""

from __future__ import annotations

import errno
from array import array
from collections.abc import Iterator
from dataclasses import replace

from toolkit.model.include.asm.pgtable import PTRS_PER_PTE
from toolkit.model.include.linux.fs import inode
from toolkit.model.include.linux.mm import (
    VM_EXEC,
    VM_FAULT,
    VM_NONLINEAR,
    VM_NONUNIFORM,
    VM_READ,
    VM_SHARED,
    VM_WRITE,
    linear_page_index,
    vm_area_struct,
    zap_details,
)
from toolkit.model.include.linux.mman import PROT_NONE, PROT_WRITE
from toolkit.model.include.linux.pagemap import save_nonlinear_pte
from toolkit.model.include.linux.sched import mm_struct
from toolkit.model.mm import page_alloc
from toolkit.model.mm.swapfile import read_swap_page, swap_duplicate, swap_free

VM_RWX = VM_READ | VM_WRITE | VM_EXEC


# -- page tables -------------------------------------------------------------


def pte_alloc_map(mm: mm_struct, address: int) -> tuple[array[int], int]:
    """Model of pte_alloc_map() in include/linux/mm.h.

    The table and index of `address`'s PTE (the table made).
    """
    pt = mm.kernel.pgtable
    key = address >> pt.PMD_SHIFT
    table = mm.pgd.get(key)
    if table is None:
        table = mm.pgd[key] = array(pt.pte_typecode, (pt.PTE_NONE,)) * PTRS_PER_PTE
    return table, (address >> pt.PAGE_SHIFT) & (PTRS_PER_PTE - 1)


def pte_read(mm: mm_struct, address: int) -> int:
    """The PTE word mapping `address`, pte_none where no table exists (no allocation)."""
    pt = mm.kernel.pgtable
    table = mm.pgd.get(address >> pt.PMD_SHIFT)
    if table is None:
        return pt.PTE_NONE
    return table[(address >> pt.PAGE_SHIFT) & (PTRS_PER_PTE - 1)]


def pte_range(mm: mm_struct, start: int, end: int) -> Iterator[tuple[int, array[int], int]]:
    """Each address in [start, end) whose page table exists, with its table and index.

    MODEL: the pgd_offset/pmd_offset/pte_offset_map walk the kernel writes out in every caller;
    addresses in a missing table are skipped a whole table at a time, as pmd_none() would.
    """
    pt = mm.kernel.pgtable
    addr = start
    while addr < end:
        table = mm.pgd.get(addr >> pt.PMD_SHIFT)
        if table is None:
            addr = ((addr >> pt.PMD_SHIFT) + 1) << pt.PMD_SHIFT
            continue
        yield addr, table, (addr >> pt.PAGE_SHIFT) & (PTRS_PER_PTE - 1)
        addr += pt.PAGE_SIZE


def page_remove_rmap(mm: mm_struct, pfn: int) -> None:
    """Model of page_remove_rmap() in mm/rmap.c.

    Drop one mapping of the page at `pfn`.
    """
    mem = mm.kernel.mem
    if page_alloc.page_mapping(mem, pfn) is None:
        page_alloc.page_remove_anon(mem, pfn)
    mm.rss -= 1


# -- faults ------------------------------------------------------------------


def check_perms(vma: vm_area_struct, access: int, pte: int) -> bool:
    """Model of check_perms() in mm/memory.c (patch 08).

    Whether the protection in force allows `access`.
    """
    pt = vma.vm_mm.kernel.pgtable
    kind = pt.pte_kind(pte)
    if kind == "present":
        rights = pt.pte_prot(pte)
    elif kind == "file" and pt.keeps_prot:
        rights = pt.pte_to_pgprot(pte)
    else:
        rights = vma.vm_flags & VM_RWX
    return access & ~rights == 0


def handle_mm_fault(mm: mm_struct, vma: vm_area_struct, address: int, access: int) -> VM_FAULT:
    """Model of __handle_mm_fault() in mm/memory.c.

    `access` is VM_READ, VM_WRITE or VM_EXEC.
    """
    table, index = pte_alloc_map(mm, address)
    return handle_pte_fault(mm, vma, address, access, table, index)


def handle_pte_fault(
    mm: mm_struct, vma: vm_area_struct, address: int, access: int, table: array[int], index: int
) -> VM_FAULT:
    """Model of handle_pte_fault() in mm/memory.c."""
    kernel = mm.kernel
    pt = kernel.pgtable
    entry = table[index]
    write_access = bool(access & VM_WRITE)
    # Patch 08: a non-uniform VMA's rights live in its PTEs, so generic code checks them.
    if kernel.P[8] and vma.vm_flags & VM_NONUNIFORM and not check_perms(vma, access, entry):
        return VM_FAULT.SIGSEGV
    kind = pt.pte_kind(entry)
    if kind == "none":
        return do_no_page(mm, vma, address, write_access, table, index)
    if kind == "file":
        return do_file_page(mm, vma, address, write_access, table, index)
    if kind == "swap":
        return do_swap_page(mm, vma, address, table, index, entry, write_access)
    if write_access and not pt.pte_prot(entry) & PROT_WRITE:
        return do_wp_page(mm, vma, address, table, index, entry)
    # MODEL: accessed and dirty bits are not kept, so there is nothing to update here.
    return VM_FAULT.MINOR


def do_no_page(
    mm: mm_struct,
    vma: vm_area_struct,
    address: int,
    write_access: bool,
    table: array[int],
    index: int,
) -> VM_FAULT:
    """Model of do_no_page() in mm/memory.c.

    With filemap_nopage() as the nopage method.
    """
    from toolkit.model.mm.filemap import filemap_nopage

    kernel = mm.kernel
    pt = kernel.pgtable
    pfn, major = filemap_nopage(vma, address)
    if pfn < 0:
        return VM_FAULT.SIGBUS if pfn == -errno.EFAULT else VM_FAULT.OOM
    prot = vma.vm_page_prot
    if write_access and not vma.vm_flags & VM_SHARED:
        new = page_alloc.alloc_page(kernel.mem, page_alloc.page_value(kernel.mem, pfn))
        if new < 0:
            return VM_FAULT.OOM
        vma.anon_vma = True
        pfn = new
    # maybe_mkwrite(); patch 09 keeps it from granting write on non-uniform VMAs, where
    # vm_page_prot already says everything.
    if (
        write_access
        and vma.vm_flags & VM_WRITE
        and not (kernel.P[9] and vma.vm_flags & VM_NONUNIFORM)
    ):
        prot = pt.normalize(prot | PROT_WRITE)
    table[index] = pt.mk_pte(pfn, prot)
    mm.rss += 1
    return VM_FAULT.MAJOR if major else VM_FAULT.MINOR


def do_file_page(
    mm: mm_struct,
    vma: vm_area_struct,
    address: int,
    write_access: bool,
    table: array[int],
    index: int,
) -> VM_FAULT:
    """Model of do_file_page() in mm/memory.c.

    Bring back the page a file PTE names.
    """
    from toolkit.model.mm.filemap import filemap_populate

    kernel = mm.kernel
    pt = kernel.pgtable
    entry = table[index]
    if write_access and not vma.vm_flags & VM_SHARED:
        table[index] = pt.PTE_NONE
        return do_no_page(mm, vma, address, write_access, table, index)
    pgoff = pt.pte_to_pgoff(entry)
    prot = vma.vm_page_prot
    # Patch 02: a non-uniform VMA's file PTE carries the page's own protection.
    if kernel.P[2] and pt.keeps_prot and vma.vm_flags & VM_NONUNIFORM:
        prot = pt.pte_to_pgprot(entry)
    err = filemap_populate(vma, address & pt.PAGE_MASK, pt.PAGE_SIZE, prot, pgoff, False)
    if err == -errno.ENOMEM:
        return VM_FAULT.OOM
    if err:
        return VM_FAULT.SIGBUS
    return VM_FAULT.MAJOR


def do_swap_page(
    mm: mm_struct,
    vma: vm_area_struct,
    address: int,
    table: array[int],
    index: int,
    orig_pte: int,
    write_access: bool,
) -> VM_FAULT:
    """Model of do_swap_page() in mm/memory.c."""
    kernel = mm.kernel
    pt = kernel.pgtable
    _, offset = pt.pte_to_swp_entry(orig_pte)
    if offset not in kernel.swap.slots:
        raise AssertionError(
            f"BUG_ON: {pt.arch.name}: PTE {orig_pte:#x} reads as a swap entry for slot {offset}, "
            "which was never written (a file PTE the arch takes for a swap entry?)"
        )
    value = read_swap_page(kernel.swap, offset)
    pfn = page_alloc.alloc_page(kernel.mem, value)
    if pfn < 0:
        return VM_FAULT.OOM
    # MODEL: no swap cache; each PTE naming the slot gets its own copy of the page.
    swap_free(kernel.swap, offset)
    vma.anon_vma = True
    prot = vma.vm_page_prot
    if write_access and vma.vm_flags & VM_WRITE:
        prot = pt.normalize(prot | PROT_WRITE)
    table[index] = pt.mk_pte(pfn, prot)
    mm.rss += 1
    return VM_FAULT.MAJOR


def do_wp_page(
    mm: mm_struct,
    vma: vm_area_struct,
    address: int,
    table: array[int],
    index: int,
    orig_pte: int,
) -> VM_FAULT:
    """Model of do_wp_page() in mm/memory.c.

    Break COW, or reuse a page only we map.
    """
    kernel = mm.kernel
    pt = kernel.pgtable
    mem = kernel.mem
    pfn = pt.pte_pfn(orig_pte)
    prot = pt.normalize(pt.pte_prot(orig_pte) | vma.vm_page_prot | PROT_WRITE)
    anon = page_alloc.page_mapping(mem, pfn) is None
    # MODEL: a shared mapping's page is made writable in place (no COW of page-cache pages).
    if vma.vm_flags & VM_SHARED or (anon and mem.anon_mapcount[pfn] == 1):
        table[index] = pt.mk_pte(pfn, prot)
        return VM_FAULT.MINOR
    new = page_alloc.alloc_page(mem, page_alloc.page_value(mem, pfn))
    if new < 0:
        return VM_FAULT.OOM
    if anon:
        page_alloc.page_remove_anon(mem, pfn)
    vma.anon_vma = True
    table[index] = pt.mk_pte(new, prot)
    return VM_FAULT.MINOR


# -- zapping -----------------------------------------------------------------


def zap_pte_range(vma: vm_area_struct, address: int, end: int, details: zap_details | None) -> None:
    """Model of zap_pte_range() in mm/memory.c."""
    mm = vma.vm_mm
    kernel = mm.kernel
    pt = kernel.pgtable
    page_size = pt.PAGE_SIZE
    # Which VMA's non-linear or non-uniform PTEs must be saved as file PTEs.
    save_vma = None
    if details is not None:
        save_vma = details.nonlinear_vma
        # Patch 18: truncation and MADV_DONTNEED keep a non-uniform VMA's protections too.
        if save_vma is None and kernel.P[18] and vma.vm_flags & VM_NONUNIFORM:
            save_vma = vma
    fill_prot_none = details is not None and details.prot_none_ptes
    addr = address
    while addr < end:
        if fill_prot_none:
            table, index = pte_alloc_map(mm, addr)
        else:
            found = mm.pgd.get(addr >> pt.PMD_SHIFT)
            if found is None:
                addr = ((addr >> pt.PMD_SHIFT) + 1) << pt.PMD_SHIFT
                continue
            table, index = found, (addr >> pt.PAGE_SHIFT) & (PTRS_PER_PTE - 1)
        pte = table[index]
        if pte != pt.PTE_NONE or fill_prot_none:
            _zap_one(vma, addr, table, index, pte, details, save_vma)
        addr += page_size


def _zap_one(
    vma: vm_area_struct,
    addr: int,
    table: array[int],
    index: int,
    pte: int,
    details: zap_details | None,
    save_vma: vm_area_struct | None,
) -> None:
    """The body of zap_pte_range()'s loop for one PTE."""
    mm = vma.vm_mm
    kernel = mm.kernel
    pt = kernel.pgtable
    mem = kernel.mem
    kind = pt.pte_kind(pte)
    replacement = pt.PTE_NONE
    if details is not None and details.prot_none_ptes:
        # Patch 15: leave a PROT_NONE file PTE for the remapped offset.
        pgoff = details.prot_none_pgoff + ((addr - vma.vm_start) >> pt.PAGE_SHIFT)
        replacement = pt.pgoff_prot_to_pte(pgoff, PROT_NONE)
    if kind == "present":
        pfn = pt.pte_pfn(pte)
        mapping = page_alloc.page_mapping(mem, pfn)
        if details is not None and not details.prot_none_ptes:
            if details.check_mapping is not None and mapping is not details.check_mapping:
                return
            if mapping is not None:
                idx = page_alloc.page_index(mem, pfn)
                if idx < details.first_index or idx > details.last_index:
                    return
        if save_vma is not None and mapping is not None and replacement == pt.PTE_NONE:
            idx = page_alloc.page_index(mem, pfn)
            prot = pt.pte_prot(pte)
            if kernel.P[2]:
                save = save_nonlinear_pte(prot, idx, save_vma, addr)
            else:
                save = bool(vma.vm_flags & VM_NONLINEAR) and idx != linear_page_index(vma, addr)
            if save:
                replacement = pt.pgoff_prot_to_pte(idx, prot)
        page_remove_rmap(mm, pfn)
        table[index] = replacement
        return
    # Truncation and MADV_DONTNEED leave file PTEs (and COW swap entries) alone.
    if details is not None and not details.prot_none_ptes:
        return
    if kind == "swap":
        swap_free(kernel.swap, pt.pte_to_swp_entry(pte)[1])
    table[index] = replacement


def zap_page_range(
    vma: vm_area_struct, address: int, size: int, details: zap_details | None
) -> None:
    """Model of zap_page_range() in mm/memory.c."""
    zap_pte_range(vma, address, address + size, details)


def unmap_mapping_range(mapping: inode, holebegin: int, holelen: int, even_cows: bool) -> None:
    """Model of unmap_mapping_range() in mm/memory.c.

    Unmap a file range from every VMA.
    """
    pt_shift = _page_shift(mapping)
    if pt_shift is None:
        return
    first = holebegin >> pt_shift
    count = (holelen + (1 << pt_shift) - 1) >> pt_shift
    last = first + count - 1 if count else (1 << 64) - 1
    details = zap_details(
        check_mapping=None if even_cows else mapping, first_index=first, last_index=last
    )
    for vma in list(mapping.i_mapping.i_mmap):
        vba = vma.vm_pgoff
        vea = vba + ((vma.vm_end - vma.vm_start) >> pt_shift) - 1
        if vea < first or vba > last:
            continue
        zba = max(first, vba)
        zea = min(last, vea)
        start = vma.vm_start + ((zba - vba) << pt_shift)
        zap_page_range(vma, start, (zea - zba + 1) << pt_shift, details)
    for vma in list(mapping.i_mapping.i_mmap_nonlinear):
        zap_page_range(
            vma, vma.vm_start, vma.vm_end - vma.vm_start, replace(details, nonlinear_vma=vma)
        )


def _page_shift(mapping: inode) -> int | None:
    """The PAGE_SHIFT of the kernel whose VMAs map `mapping` (None when none does)."""
    for vma in (*mapping.i_mapping.i_mmap, *mapping.i_mapping.i_mmap_nonlinear):
        return vma.vm_mm.kernel.pgtable.PAGE_SHIFT
    return None


def vmtruncate(mapping: inode, offset: int, page_shift: int) -> int:
    """Model of vmtruncate() in mm/memory.c.

    Set the size, unmap and drop what lies past it.
    """
    from toolkit.model.mm.truncate import truncate_inode_pages

    if offset < 0:
        return -errno.EINVAL
    if offset < mapping.i_size:
        mapping.i_size = offset
        unmap_mapping_range(mapping, offset + (1 << page_shift) - 1, 0, True)
        truncate_inode_pages(mapping, offset, page_shift)
        return 0
    mapping.i_size = offset
    return 0


# -- fork --------------------------------------------------------------------


def copy_page_range(dst_mm: mm_struct, src_mm: mm_struct, vma: vm_area_struct) -> int:
    """Model of copy_page_range() in mm/memory.c.

    Copy a VMA's PTEs into the child.
    """
    kernel = src_mm.kernel
    pt = kernel.pgtable
    mem = kernel.mem
    # 2.6.13 copies every PTE. The lazy fork of 2.6.14 skips linear VMAs without anon_vma and
    # would let a child refault a linear non-uniform VMA (17+18, no 11) with its default
    # protection: the stateful tests find that at once if the skip is put back here.
    shared = bool(vma.vm_flags & VM_SHARED)
    for addr, table, index in pte_range(src_mm, vma.vm_start, vma.vm_end):
        pte = table[index]
        if pte != pt.PTE_NONE:
            kind = pt.pte_kind(pte)
            if kind == "swap":
                swap_duplicate(kernel.swap, pt.pte_to_swp_entry(pte)[1])
            elif kind == "present":
                pfn = pt.pte_pfn(pte)
                if page_alloc.page_mapping(mem, pfn) is None:
                    page_alloc.page_dup_anon(mem, pfn)
                prot = pt.pte_prot(pte)
                if not shared and prot & PROT_WRITE:
                    # Both sides lose write so the next write breaks COW.
                    pte = pt.mk_pte(pfn, pt.normalize(prot & ~PROT_WRITE))
                    table[index] = pte
                dst_mm.rss += 1
            dst_table, dst_index = pte_alloc_map(dst_mm, addr)
            dst_table[dst_index] = pte
    return 0
