"""Model of mm/mincore.c: which pages of a range are in the page cache."""

from __future__ import annotations

import errno

from toolkit.model.include.linux.mm import linear_page_index
from toolkit.model.include.linux.sched import mm_struct
from toolkit.model.mm.filemap import find_get_page
from toolkit.model.mm.mmap import find_vma


def sys_mincore(mm: mm_struct, start: int, length: int) -> list[int] | int:
    """Model of sys_mincore() in mm/mincore.c.

    One 0/1 per page, or -errno.
    """
    pt = mm.kernel.pgtable
    if start & ~pt.PAGE_MASK:
        return -errno.EINVAL
    pages = (length + pt.PAGE_SIZE - 1) >> pt.PAGE_SHIFT
    vec: list[int] = []
    addr = start
    for _ in range(pages):
        vma = find_vma(mm, addr)
        if vma is None or addr < vma.vm_start:
            return -errno.ENOMEM
        # MODEL: as in 2.6.13, the page looked up is the linear one, even in a nonlinear VMA.
        present = vma.vm_file is not None and find_get_page(
            vma.vm_file, linear_page_index(vma, addr)
        )
        vec.append(1 if present else 0)
        addr += pt.PAGE_SIZE
    return vec
