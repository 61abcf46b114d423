"""Model of mm/fremap.c: remap_file_pages() and the PTE installers it uses."""

from __future__ import annotations

import errno
from array import array

from toolkit.model.include.linux.mm import (
    VM_NONLINEAR,
    VM_NONUNIFORM,
    VM_SHARED,
    calc_vm_prot_bits,
    linear_page_index,
    vm_area_struct,
)
from toolkit.model.include.linux.mman import (
    MAP_NOINHERIT,
    MAP_NONBLOCK,
    PROT_EXEC,
    PROT_READ,
    PROT_WRITE,
)
from toolkit.model.include.linux.sched import mm_struct
from toolkit.model.mm.filemap import filemap_populate, i_size_pages
from toolkit.model.mm.memory import page_remove_rmap, pte_alloc_map
from toolkit.model.mm.mmap import find_vma, vma_set_nonlinear
from toolkit.model.mm.page_alloc import page_index
from toolkit.model.mm.swapfile import swap_free

VM_RWX = 0x7


def zap_pte(mm: mm_struct, vma: vm_area_struct, addr: int, table: array[int], index: int) -> None:
    """Model of zap_pte() in mm/fremap.c.

    Drop whatever the PTE held before a remap.
    """
    pt = mm.kernel.pgtable
    pte = table[index]
    if pte == pt.PTE_NONE:
        return
    kind = pt.pte_kind(pte)
    if kind == "present":
        page_remove_rmap(mm, pt.pte_pfn(pte))
    elif kind == "swap":
        swap_free(mm.kernel.swap, pt.pte_to_swp_entry(pte)[1])
    table[index] = pt.PTE_NONE


def _private_refuses(mm: mm_struct, vma: vm_area_struct, pte: int) -> bool:
    """Patch 16: a private VMA's present or swapped PTE may hold a COW copy: never overwrite."""
    if not mm.kernel.P[16] or vma.vm_flags & VM_SHARED:
        return False
    return mm.kernel.pgtable.pte_kind(pte) in ("present", "swap")


def install_page(mm: mm_struct, vma: vm_area_struct, addr: int, page: int, prot: int) -> int:
    """Model of install_page() in mm/fremap.c.

    Map page-cache page `page` with `prot`.
    """
    kernel = mm.kernel
    pt = kernel.pgtable
    table, index = pte_alloc_map(mm, addr)
    # The page may have been truncated since it was looked up.
    ino = vma.vm_file
    assert ino is not None, "BUG_ON: install_page on a VMA without a file"
    if page_index(kernel.mem, page) >= i_size_pages(ino, pt.PAGE_SHIFT):
        return -errno.EINVAL
    if _private_refuses(mm, vma, table[index]):
        return -errno.EEXIST
    zap_pte(mm, vma, addr, table, index)
    table[index] = pt.mk_pte(page, prot)
    mm.rss += 1
    return 0


def install_file_pte(mm: mm_struct, vma: vm_area_struct, addr: int, pgoff: int, prot: int) -> int:
    """Model of install_file_pte() in mm/fremap.c.

    Remember offset and protection in the PTE.
    """
    kernel = mm.kernel
    pt = kernel.pgtable
    table, index = pte_alloc_map(mm, addr)
    pte = table[index]
    if _private_refuses(mm, vma, pte):
        return -errno.EEXIST
    uniform_linear = not vma.vm_flags & (VM_NONLINEAR | VM_NONUNIFORM)
    # Patch 13: a uniform linear VMA refaults the right page anyway, so no file PTE; a shared
    # one keeps what it has, a private one loses it.
    if kernel.P[13] and uniform_linear:
        if not vma.vm_flags & VM_SHARED:
            zap_pte(mm, vma, addr, table, index)
        return 0
    # Patch 12, its first version: only an empty PTE stays empty.
    if kernel.P[12] and uniform_linear and pte == pt.PTE_NONE:
        return 0
    zap_pte(mm, vma, addr, table, index)
    if not kernel.P[2]:
        prot = vma.vm_page_prot
    table[index] = pt.pgoff_prot_to_pte(pgoff, prot)
    return 0


def sys_remap_file_pages(
    mm: mm_struct, start: int, size: int, __prot: int, pgoff: int, flags: int
) -> int:
    """Model of sys_remap_file_pages() in mm/fremap.c.

    MODEL: current->mm is passed as `mm`.
    """
    kernel = mm.kernel
    pt = kernel.pgtable
    P = kernel.P
    # MODEL: the arguments arrive as C unsigned longs.
    ulong = (1 << pt.BITS_PER_LONG) - 1
    start, size, __prot, pgoff = start & ulong, size & ulong, __prot & ulong, pgoff & ulong
    noinherit = bool(P[5] and flags & MAP_NOINHERIT)
    if __prot and not noinherit:
        return -errno.EINVAL
    if noinherit:
        # Patch 07: only arches that can keep a protection in a file PTE accept the new mode.
        if P[7] and not kernel.arch_supports_vm_nonuniform:
            return -errno.EINVAL
        if __prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC):
            return -errno.EINVAL

    start &= pt.PAGE_MASK
    size &= pt.PAGE_MASK
    end = start + size
    if end <= start or end > ulong:
        return -errno.EINVAL
    # Can the PTE hold the offset?  Patch 05 says so with its own error code.
    if pt.PTE_FILE_MAX_BITS < pt.BITS_PER_LONG and (
        pgoff + (size >> pt.PAGE_SHIFT) >= 1 << pt.PTE_FILE_MAX_BITS
    ):
        return -errno.EOVERFLOW if P[5] else -errno.EINVAL

    vma = find_vma(mm, start)
    if vma is None or vma.vm_file is None or start < vma.vm_start or end > vma.vm_end:
        return -errno.EINVAL
    if noinherit:
        # Patch 05: no right beyond what the mapping may ever be given (VM_MAY*).
        if calc_vm_prot_bits(__prot) & ~(vma.vm_flags >> 4) & VM_RWX:
            return -errno.EPERM
        pgprot = pt.normalize(__prot)
    else:
        pgprot = vma.vm_page_prot
    linear = pgoff == linear_page_index(vma, start)
    uniform = pgprot == vma.vm_page_prot
    # Patch 06: private VMAs, for MAP_POPULATE, take only what mmap itself would do.
    if not vma.vm_flags & VM_SHARED and not (P[6] and linear and uniform):
        return -errno.EINVAL
    # Must set VM_NONLINEAR (and VM_NONUNIFORM) before any page is populated.
    if not linear and not vma.vm_flags & VM_NONLINEAR:
        vma_set_nonlinear(vma)
    if not uniform and not vma.vm_flags & VM_NONUNIFORM:
        vma.vm_flags |= VM_NONUNIFORM
        # Patch 11: non-uniform implies nonlinear, so the nonlinear paths keep protections.
        if P[11] and not vma.vm_flags & VM_NONLINEAR:
            vma_set_nonlinear(vma)
    return filemap_populate(vma, start, size, pgprot, pgoff, bool(flags & MAP_NONBLOCK))
