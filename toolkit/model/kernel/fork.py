"""Model of kernel/fork.c: duplicating an address space."""

from __future__ import annotations

from toolkit.model.include.linux.mm import vm_area_struct
from toolkit.model.include.linux.sched import mm_struct
from toolkit.model.mm.memory import copy_page_range
from toolkit.model.mm.mmap import vma_link


def dup_mmap(mm: mm_struct, oldmm: mm_struct) -> int:
    """Model of dup_mmap() in kernel/fork.c.

    Copy every VMA, and the PTEs copy_page_range() says to copy.
    """
    for mpnt in oldmm.mmap:
        tmp = vm_area_struct(
            vm_mm=mm,
            vm_start=mpnt.vm_start,
            vm_end=mpnt.vm_end,
            vm_pgoff=mpnt.vm_pgoff,
            vm_flags=mpnt.vm_flags,
            vm_page_prot=mpnt.vm_page_prot,
            vm_file=mpnt.vm_file,
            anon_vma=mpnt.anon_vma,
        )
        vma_link(mm, tmp)
        err = copy_page_range(mm, oldmm, mpnt)
        if err:
            return err
    return 0


def copy_mm(oldmm: mm_struct) -> mm_struct:
    """Model of copy_mm() in kernel/fork.c.

    The child's mm_struct.
    """
    mm = mm_struct(kernel=oldmm.kernel)
    dup_mmap(mm, oldmm)
    return mm
