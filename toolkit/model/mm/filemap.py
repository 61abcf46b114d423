"""Model of mm/filemap.c: the page cache, filemap_nopage() and filemap_populate()."""

from __future__ import annotations

import errno

from toolkit.model.include.linux.fs import inode
from toolkit.model.include.linux.mm import (
    VM_SHARED,
    linear_page_index,
    vm_area_struct,
    zap_details,
)
from toolkit.model.include.linux.mman import PROT_NONE
from toolkit.model.mm import page_alloc


def i_size_pages(ino: inode, page_shift: int) -> int:
    """The file's size in pages, the last one partial (the `size` of filemap_nopage())."""
    return (ino.i_size + (1 << page_shift) - 1) >> page_shift


def find_get_page(ino: inode, pgoff: int) -> bool:
    """Model of find_get_page() in mm/filemap.c.

    Whether page `pgoff` is in the page cache.
    """
    tree = ino.i_mapping.page_tree
    return pgoff < len(tree) and tree[pgoff] != 0


def page_cache_read(ino: inode, pgoff: int) -> None:
    """Model of page_cache_read() in mm/filemap.c.

    Read page `pgoff` into the page cache.
    """
    mapping = ino.i_mapping
    tree = mapping.page_tree
    if pgoff >= len(tree):
        tree.extend(bytes(max(pgoff + 1 - len(tree), len(tree))))
    if not tree[pgoff]:
        tree[pgoff] = 1
        mapping.nrpages += 1


def filemap_getpage(vma: vm_area_struct, pgoff: int, nonblock: bool) -> int:
    """Model of filemap_getpage() in mm/filemap.c.

    The page's frame, -1 if absent and `nonblock`, or -ENOMEM.
    """
    ino = vma.vm_file
    assert ino is not None, "BUG_ON: populate on a VMA without a file"
    if not find_get_page(ino, pgoff):
        if nonblock:
            return -1
        page_cache_read(ino, pgoff)
    pfn = page_alloc.file_page_pfn(vma.vm_mm.kernel.mem, ino, pgoff)
    return pfn if pfn >= 0 else -errno.ENOMEM


def filemap_nopage(vma: vm_area_struct, address: int) -> tuple[int, bool]:
    """Model of filemap_nopage() in mm/filemap.c.

    (frame or -EFAULT for SIGBUS or -ENOMEM, major fault).
    """
    ino = vma.vm_file
    assert ino is not None, "BUG_ON: nopage on a VMA without a file"
    kernel = vma.vm_mm.kernel
    pgoff = linear_page_index(vma, address)
    if pgoff >= i_size_pages(ino, kernel.pgtable.PAGE_SHIFT):
        return -errno.EFAULT, False
    major = not find_get_page(ino, pgoff)
    if major:
        page_cache_read(ino, pgoff)
    pfn = page_alloc.file_page_pfn(kernel.mem, ino, pgoff)
    return (pfn if pfn >= 0 else -errno.ENOMEM), major


def filemap_populate(
    vma: vm_area_struct, addr: int, length: int, prot: int, pgoff: int, nonblock: bool
) -> int:
    """Model of filemap_populate() in mm/filemap.c.

    MODEL: also stands for shmem_populate(): tmpfs files behave as page-cache files here.

    Install the pages (or file PTEs) of a remapped range.
    """
    from toolkit.model.mm.fremap import install_file_pte, install_page
    from toolkit.model.mm.memory import zap_page_range

    ino = vma.vm_file
    assert ino is not None, "BUG_ON: populate on a VMA without a file"
    mm = vma.vm_mm
    kernel = mm.kernel
    pt = kernel.pgtable
    pages = length >> pt.PAGE_SHIFT
    if pgoff + pages > i_size_pages(ino, pt.PAGE_SHIFT):
        return -errno.EINVAL
    # Patch 14: a PROT_NONE remap of a shared VMA needs no page, only a zap; patch 15 makes
    # the zap leave PROT_NONE file PTEs where the VMA's default would allow access.
    if kernel.P[14] and prot == PROT_NONE and vma.vm_flags & VM_SHARED:
        details = None
        if kernel.P[15] and vma.vm_page_prot != PROT_NONE:
            base = pgoff - ((addr - vma.vm_start) >> pt.PAGE_SHIFT)
            details = zap_details(prot_none_ptes=True, prot_none_pgoff=base)
        zap_page_range(vma, addr, length, details)
        return 0
    page_size = pt.PAGE_SIZE
    while pages:
        pfn = filemap_getpage(vma, pgoff, nonblock)
        if pfn < -1:
            return pfn
        if pfn >= 0:
            err = install_page(mm, vma, addr, pfn, prot)
        else:
            err = install_file_pte(mm, vma, addr, pgoff, prot)
        if err:
            return err
        addr += page_size
        pgoff += 1
        pages -= 1
    return 0
