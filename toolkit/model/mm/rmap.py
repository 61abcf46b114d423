"""Model of mm/rmap.c: unmapping a page from every PTE that maps it, for reclaim."""

from __future__ import annotations

from array import array

from toolkit.model.globals import Kernel
from toolkit.model.include.linux.mm import (
    VM_NONLINEAR,
    VM_SHARED,
    linear_page_index,
    vm_area_struct,
)
from toolkit.model.include.linux.pagemap import save_nonlinear_pte, save_nonuniform_pte
from toolkit.model.mm import page_alloc
from toolkit.model.mm.memory import pte_range
from toolkit.model.mm.swapfile import get_swap_page, swap_duplicate


def try_to_unmap_one(
    vma: vm_area_struct, address: int, table: array[int], index: int, slots: dict[int, int]
) -> None:
    """Model of try_to_unmap_one() in mm/rmap.c.

    Unmap one PTE of a linear VMA; anonymous pages go to swap. `slots` remembers the swap slot
    each anonymous page got, for its other PTEs.
    """
    mm = vma.vm_mm
    kernel = mm.kernel
    pt = kernel.pgtable
    mem = kernel.mem
    pte = table[index]
    pfn = pt.pte_pfn(pte)
    if page_alloc.page_mapping(mem, pfn) is None:
        offset = slots.get(pfn)
        if offset is None:
            offset = slots[pfn] = get_swap_page(kernel.swap, mem.anon_value[pfn])
        else:
            swap_duplicate(kernel.swap, offset)
        table[index] = pt.swp_entry_to_pte(0, offset)
        page_alloc.page_remove_anon(mem, pfn)
        mm.rss -= 1
        return
    prot = pt.pte_prot(pte)
    replacement = pt.PTE_NONE
    # Patch 17: a linear non-uniform VMA keeps the page's own protection in a file PTE.
    if kernel.P[17] and save_nonuniform_pte(prot, vma):
        replacement = pt.pgoff_prot_to_pte(page_alloc.page_index(mem, pfn), prot)
    table[index] = replacement
    mm.rss -= 1


def try_to_unmap_cluster(vma: vm_area_struct, address: int, table: array[int], index: int) -> None:
    """Model of try_to_unmap_cluster() in mm/rmap.c.

    Unmap one PTE of a nonlinear VMA, saving its offset. MODEL: the kernel walks the VMA a
    cluster at a time from a swap cursor, unmapping whatever it meets; here each PTE mapping the
    page being reclaimed is found and unmapped, the rest stays mapped.
    """
    mm = vma.vm_mm
    kernel = mm.kernel
    pt = kernel.pgtable
    mem = kernel.mem
    pte = table[index]
    pfn = pt.pte_pfn(pte)
    idx = page_alloc.page_index(mem, pfn)
    prot = pt.pte_prot(pte)
    if kernel.P[2]:
        save = save_nonlinear_pte(prot, idx, vma, address)
    else:
        save = idx != linear_page_index(vma, address)
    table[index] = pt.pgoff_prot_to_pte(idx, prot) if save else pt.PTE_NONE
    mm.rss -= 1


def _unmap_pte(
    vma: vm_area_struct, address: int, table: array[int], index: int, slots: dict[int, int]
) -> None:
    """Unmap one present PTE the way rmap reaches it: by cluster in a nonlinear VMA."""
    pt = vma.vm_mm.kernel.pgtable
    anon = page_alloc.page_mapping(vma.vm_mm.kernel.mem, pt.pte_pfn(table[index])) is None
    if vma.vm_flags & VM_NONLINEAR and not anon:
        try_to_unmap_cluster(vma, address, table, index)
    else:
        try_to_unmap_one(vma, address, table, index, slots)


def _walk_present(vma: vm_area_struct, pfn: int | None) -> list[tuple[int, array[int], int]]:
    """The present PTEs of `vma` (those mapping `pfn` only, unless None)."""
    mm = vma.vm_mm
    pt = mm.kernel.pgtable
    found = []
    for addr, table, index in pte_range(mm, vma.vm_start, vma.vm_end):
        pte = table[index]
        if (
            pte != pt.PTE_NONE
            and pt.pte_kind(pte) == "present"
            and (pfn is None or pt.pte_pfn(pte) == pfn)
            and page_alloc.check_page(mm.kernel.mem, pt.pte_pfn(pte)) >= 0
        ):
            found.append((addr, table, index))
    return found


def try_to_unmap(kernel: Kernel, page: int) -> None:
    """Model of try_to_unmap() in mm/rmap.c.

    Unmap page frame `page` from every PTE mapping it.
    """
    mem = kernel.mem
    mapping = page_alloc.page_mapping(mem, page)
    slots: dict[int, int] = {}
    if mapping is None:
        # MODEL: no anon_vma chains; every private VMA that has COW pages is searched.
        vmas = [
            vma
            for mm in kernel.mms.values()
            for vma in mm.mmap
            if vma.anon_vma and not vma.vm_flags & VM_SHARED
        ]
        for vma in vmas:
            for addr, table, index in _walk_present(vma, page):
                try_to_unmap_one(vma, addr, table, index, slots)
        return
    index_in_file = page_alloc.page_index(mem, page)
    shift = kernel.pgtable.PAGE_SHIFT
    for vma in list(mapping.i_mapping.i_mmap):
        pages = (vma.vm_end - vma.vm_start) >> shift
        if not vma.vm_pgoff <= index_in_file < vma.vm_pgoff + pages:
            continue
        addr = vma.vm_start + ((index_in_file - vma.vm_pgoff) << shift)
        for at, table, index in _walk_present(_one_page(vma, addr), page):
            try_to_unmap_one(vma, at, table, index, slots)
    for vma in list(mapping.i_mapping.i_mmap_nonlinear):
        for addr, table, index in _walk_present(vma, page):
            try_to_unmap_cluster(vma, addr, table, index)


def _one_page(vma: vm_area_struct, addr: int) -> vm_area_struct:
    """A view of `vma` covering the single page at `addr` (for the walk only)."""
    return vm_area_struct(
        vm_mm=vma.vm_mm,
        vm_start=addr,
        vm_end=addr + vma.vm_mm.kernel.pgtable.PAGE_SIZE,
        vm_pgoff=0,
        vm_flags=vma.vm_flags,
        vm_page_prot=vma.vm_page_prot,
        vm_file=vma.vm_file,
    )


def unmap_all(kernel: Kernel) -> None:
    """Unmap every present page of every process, as reclaim under full pressure would.

    MODEL: one pass over every page table instead of the LRU lists; the result is the same.
    """
    slots: dict[int, int] = {}
    for mm in kernel.mms.values():
        for vma in mm.mmap:
            for addr, table, index in _walk_present(vma, None):
                _unmap_pte(vma, addr, table, index, slots)
