"""Model of mm/vmscan.c: reclaim of one page or of all memory."""

from __future__ import annotations

from toolkit.model.globals import Kernel
from toolkit.model.mm import page_alloc
from toolkit.model.mm.rmap import try_to_unmap, unmap_all


def remove_from_page_cache(kernel: Kernel, page: int) -> None:
    """Model of remove_from_page_cache() in mm/filemap.c.

    The file page is no longer in core.
    """
    mapping = page_alloc.page_mapping(kernel.mem, page)
    if mapping is None:
        return
    index = page_alloc.page_index(kernel.mem, page)
    tree = mapping.i_mapping.page_tree
    if index < len(tree) and tree[index]:
        tree[index] = 0
        mapping.i_mapping.nrpages -= 1


def shrink_page(kernel: Kernel, page: int) -> None:
    """Reclaim one page: unmap it everywhere, then drop it from the page cache or to swap."""
    try_to_unmap(kernel, page)
    # MODEL: every page is clean (writes reach the file at once), so it goes straight away.
    remove_from_page_cache(kernel, page)


def shrink_all_memory(kernel: Kernel) -> None:
    """Model of shrink_all_memory() in mm/vmscan.c.

    Every mapped page unmapped, every cached page dropped.
    """
    unmap_all(kernel)
    for ino in kernel.files.values():
        ino.i_mapping.page_tree = bytearray()
        ino.i_mapping.nrpages = 0
