"""Model of mm/madvise.c: madvise(); DONTNEED zaps pages, the read-ahead hints split VMAs."""

from __future__ import annotations

import errno

from toolkit.model.include.linux.mm import (
    VM_LOCKED,
    VM_NONLINEAR,
    VM_NONUNIFORM,
    VM_RAND_READ,
    VM_READHINTMASK,
    VM_SEQ_READ,
    vm_area_struct,
    zap_details,
)
from toolkit.model.include.linux.mman import (
    MADV_DONTNEED,
    MADV_NORMAL,
    MADV_RANDOM,
    MADV_SEQUENTIAL,
    MADV_WILLNEED,
)
from toolkit.model.include.linux.sched import mm_struct
from toolkit.model.mm.memory import zap_page_range
from toolkit.model.mm.mmap import find_vma, split_vma, vma_merge


def madvise_behavior(vma: vm_area_struct, start: int, end: int, behavior: int) -> int:
    """Model of madvise_behavior() in mm/madvise.c.

    Give [start, end) the read-ahead hint, splitting and merging VMAs as mprotect does.
    """
    mm = vma.vm_mm
    new_flags = vma.vm_flags & ~VM_READHINTMASK
    if behavior == MADV_SEQUENTIAL:
        new_flags |= VM_SEQ_READ
    elif behavior == MADV_RANDOM:
        new_flags |= VM_RAND_READ
    # 2.6.13 leaves a range that already has the hint alone: no split.
    if new_flags == vma.vm_flags:
        return 0
    # MODEL: split first and merge after, where 2.6.13 tries vma_merge() first; the VMAs that
    # remain are the same, as in mprotect_fixup().
    err = 0
    if start != vma.vm_start:
        err = split_vma(mm, vma, start, True)
    if not err and end != vma.vm_end:
        err = split_vma(mm, vma, end, False)
    if err:
        # A VMA that cannot be split is a resource running short, not a bad request.
        return -errno.EAGAIN if err == -errno.ENOMEM else err
    vma.vm_flags = new_flags
    vma_merge(mm, vma)
    return 0


def madvise_dontneed(vma: vm_area_struct, start: int, end: int) -> int:
    """Model of madvise_dontneed() in mm/madvise.c.

    Drop the pages, keeping what a nonlinear VMA must keep.
    """
    if vma.vm_flags & VM_LOCKED:
        return -errno.EINVAL
    keep = VM_NONLINEAR
    # Patch 18: a non-uniform VMA's protections survive like a nonlinear VMA's offsets.
    if vma.vm_mm.kernel.P[18]:
        keep |= VM_NONUNIFORM
    details = zap_details(nonlinear_vma=vma) if vma.vm_flags & keep else None
    zap_page_range(vma, start, end - start, details)
    return 0


def sys_madvise(mm: mm_struct, start: int, len_in: int, behavior: int) -> int:
    """Model of sys_madvise() in mm/madvise.c.

    MODEL: current->mm is passed as `mm`.
    """
    pt = mm.kernel.pgtable
    if behavior not in (MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED):
        return -errno.EINVAL
    if start & ~pt.PAGE_MASK:
        return -errno.EINVAL
    length = (len_in + pt.PAGE_SIZE - 1) & pt.PAGE_MASK
    end = start + length
    if end < start:
        return -errno.EINVAL
    if end == start:
        return 0
    unmapped_error = 0
    vma = find_vma(mm, start)
    while True:
        if vma is None:
            return -errno.ENOMEM
        if start < vma.vm_start:
            unmapped_error = -errno.ENOMEM
            start = vma.vm_start
            if start >= end:
                return unmapped_error
        tmp = min(vma.vm_end, end)
        # madvise_vma(): MADV_WILLNEED only starts read-ahead, which the model has no use for.
        if behavior == MADV_DONTNEED:
            err = madvise_dontneed(vma, start, tmp)
        elif behavior in (MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL):
            err = madvise_behavior(vma, start, tmp, behavior)
        else:
            err = 0
        if err:
            return err
        start = tmp
        if start >= end:
            return unmapped_error
        vma = find_vma(mm, start)
