"""Model of mm/truncate.c: dropping a file's pages past a new size."""

from __future__ import annotations

from toolkit.model.include.linux.fs import inode


def truncate_inode_pages(mapping: inode, lstart: int, page_shift: int) -> None:
    """Model of truncate_inode_pages() in mm/truncate.c.

    Forget the cached pages and data from `lstart` on.
    """
    start = (lstart + (1 << page_shift) - 1) >> page_shift
    space = mapping.i_mapping
    tree = space.page_tree
    if start < len(tree):
        space.nrpages -= sum(tree[start:])
        del tree[start:]
    for index in [i for i in mapping.i_data if i >= start]:
        del mapping.i_data[index]
    mapping.i_fill = min(mapping.i_fill, start)
