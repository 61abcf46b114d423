"""Model of mm/mprotect.c: mprotect() and change_protection()."""

from __future__ import annotations

import errno

from toolkit.model.include.linux.mm import (
    VM_ACCOUNT,
    VM_NONUNIFORM,
    VM_SHARED,
    VM_WRITE,
    calc_vm_prot_bits,
    vm_area_struct,
)
from toolkit.model.include.linux.mman import PROT_EXEC, PROT_READ, PROT_WRITE
from toolkit.model.include.linux.sched import mm_struct
from toolkit.model.mm.memory import pte_range
from toolkit.model.mm.mmap import find_vma, split_vma, vm_page_prot_of, vma_merge

VM_RWX = 0x7


def change_protection(vma: vm_area_struct, addr: int, end: int, newprot: int) -> None:
    """Model of change_protection() in mm/mprotect.c.

    Give every present PTE of the range `newprot`.
    """
    # Patch 03: a non-uniform VMA's pages keep their own protections; only the default moves.
    if vma.vm_mm.kernel.P[3] and vma.vm_flags & VM_NONUNIFORM:
        return
    mm = vma.vm_mm
    pt = mm.kernel.pgtable
    for _, table, index in pte_range(mm, addr, end):
        pte = table[index]
        if pte != pt.PTE_NONE and pt.pte_kind(pte) == "present":
            table[index] = pt.mk_pte(pt.pte_pfn(pte), newprot)


def mprotect_fixup(mm: mm_struct, vma: vm_area_struct, start: int, end: int, newflags: int) -> int:
    """Model of mprotect_fixup() in mm/mprotect.c.

    Split off [start, end) and give it `newflags`.
    """
    if newflags == vma.vm_flags:
        return 0
    # A private mapping made writable is charged from now on, and stays charged (VM_ACCOUNT)
    # when made read-only again: 2.6.13 cannot give the commit back. MODEL: it never fails.
    if newflags & VM_WRITE and not vma.vm_flags & (VM_ACCOUNT | VM_WRITE | VM_SHARED):
        newflags |= VM_ACCOUNT
    if start != vma.vm_start:
        err = split_vma(mm, vma, start, True)
        if err:
            return err
    if end != vma.vm_end:
        err = split_vma(mm, vma, end, False)
        if err:
            return err
    vma.vm_flags = newflags
    vma.vm_page_prot = vm_page_prot_of(mm, newflags)
    change_protection(vma, start, end, vma.vm_page_prot)
    vma_merge(mm, vma)
    return 0


def sys_mprotect(mm: mm_struct, start: int, length: int, prot: int) -> int:
    """Model of sys_mprotect() in mm/mprotect.c.

    MODEL: current->mm is passed as `mm`.
    """
    pt = mm.kernel.pgtable
    if start & ~pt.PAGE_MASK:
        return -errno.EINVAL
    if not length:
        return 0
    length = (length + pt.PAGE_SIZE - 1) & pt.PAGE_MASK
    end = start + length
    if end <= start:
        return -errno.ENOMEM
    if prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC):
        return -errno.EINVAL
    vm_flags = calc_vm_prot_bits(prot)
    vma = find_vma(mm, start)
    if vma is None or vma.vm_start > start:
        return -errno.ENOMEM
    nstart = start
    while True:
        newflags = vm_flags | (vma.vm_flags & ~VM_RWX)
        # Nothing beyond VM_MAY*: the MAY bits sit four places above the rights.
        if (newflags & ~(newflags >> 4)) & 0xF:
            return -errno.EACCES
        tmp = min(vma.vm_end, end)
        err = mprotect_fixup(mm, vma, nstart, tmp, newflags)
        if err:
            return err
        nstart = tmp
        if nstart >= end:
            return 0
        # The VMA just changed may have merged with the next one, which then starts before.
        vma = find_vma(mm, nstart)
        if vma is None or vma.vm_start > nstart:
            return -errno.ENOMEM
