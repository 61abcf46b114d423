"""Model of do_page_fault() in arch/i386/mm/fault.c, used for every arch."""

from __future__ import annotations

from toolkit.model.include.linux.mm import (
    VM_EXEC,
    VM_FAULT,
    VM_NONUNIFORM,
    VM_READ,
    VM_WRITE,
)
from toolkit.model.include.linux.sched import mm_struct
from toolkit.model.mm.memory import handle_mm_fault
from toolkit.model.mm.mmap import find_vma

# The hardware's error code: the PTE was present, the access was a write, an instruction fetch.
PF_PROT = 0x1
PF_WRITE = 0x2
PF_INSTR = 0x10


def do_page_fault(mm: mm_struct, address: int, error_code: int) -> VM_FAULT:
    """Model of do_page_fault() in arch/i386/mm/fault.c.

    Find the VMA, check it, let the generic code handle the rest. MODEL: no stack growth, no
    kernel-mode faults; SIGSEGV stands for bad_area.
    """
    vma = find_vma(mm, address)
    if vma is None or vma.vm_start > address:
        return VM_FAULT.SIGSEGV
    if error_code & PF_WRITE:
        access = VM_WRITE
    elif error_code & PF_INSTR:
        access = VM_EXEC
    else:
        access = VM_READ
    # Patch 08: a non-uniform VMA's flags say nothing of a given page; the generic code checks.
    if not (mm.kernel.P[8] and vma.vm_flags & VM_NONUNIFORM):
        if access == VM_WRITE:
            if not vma.vm_flags & VM_WRITE:
                return VM_FAULT.SIGSEGV
        elif error_code & PF_PROT:
            # A read or fetch the MMU refused on a present page: nothing to fix.
            return VM_FAULT.SIGSEGV
        elif not vma.vm_flags & access:
            # MODEL: read and exec are checked apart, not i386's "read implies exec".
            return VM_FAULT.SIGSEGV
    return handle_mm_fault(mm, vma, address, access)
