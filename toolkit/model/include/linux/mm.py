"""Model of include/linux/mm.h: VMA flags, struct vm_area_struct, fault codes, zap details."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from toolkit.model.include.linux.fs import inode
    from toolkit.model.include.linux.sched import mm_struct

VM_READ = 0x00000001
VM_WRITE = 0x00000002
VM_EXEC = 0x00000004
VM_SHARED = 0x00000008
VM_MAYREAD = 0x00000010
VM_MAYWRITE = 0x00000020
VM_MAYEXEC = 0x00000040
VM_MAYSHARE = 0x00000080
VM_LOCKED = 0x00002000
# Read-ahead hints that madvise() sets; they only steer I/O, but split and merge VMAs.
VM_SEQ_READ = 0x00008000
VM_RAND_READ = 0x00010000
VM_READHINTMASK = VM_SEQ_READ | VM_RAND_READ
VM_RESERVED = 0x00080000
# Commit charged for a private writable mapping; a VMA with it never merges with one without.
VM_ACCOUNT = 0x00100000
VM_NONLINEAR = 0x00800000
# Added by patch 02: the VMA's pages may carry their own protections.
VM_NONUNIFORM = 0x01000000


class VM_FAULT(IntEnum):
    """The handle_mm_fault() outcomes, numbered as patch 08 renumbers them."""

    OOM = 0x00
    SIGBUS = 0x01
    MINOR = 0x02
    MAJOR = 0x03
    SIGSEGV = 0x04


@dataclass(eq=False)
class vm_area_struct:
    """Model of struct vm_area_struct."""

    vm_mm: mm_struct
    vm_start: int
    vm_end: int
    vm_pgoff: int
    vm_flags: int
    # MODEL: pgprot_t holds the PROT_* rights the hardware grants (Pgtable.normalize), and the
    # arch bits appear only inside the PTEs; private VMAs drop PROT_WRITE as __Pxxx do.
    vm_page_prot: int
    vm_file: inode | None
    # MODEL: whether the VMA has an anon_vma, i.e. has had COW pages; the chain is not kept.
    anon_vma: bool = False


@dataclass(frozen=True, slots=True)
class zap_details:
    """Model of struct zap_details: what zap_pte_range() must keep or skip."""

    nonlinear_vma: vm_area_struct | None = None
    check_mapping: inode | None = None
    first_index: int = 0
    last_index: int = (1 << 64) - 1
    # Patch 15: zap leaves PROT_NONE file PTEs instead of clearing the range.
    prot_none_ptes: bool = False
    prot_none_pgoff: int = 0


def vma_pages(vma: vm_area_struct) -> int:
    """Model of vma_pages() in include/linux/mm.h."""
    return (vma.vm_end - vma.vm_start) >> vma.vm_mm.kernel.pgtable.PAGE_SHIFT


def linear_page_index(vma: vm_area_struct, address: int) -> int:
    """Model of linear_page_index() in include/linux/pagemap.h."""
    return ((address - vma.vm_start) >> vma.vm_mm.kernel.pgtable.PAGE_SHIFT) + vma.vm_pgoff


def calc_vm_prot_bits(prot: int) -> int:
    """Model of calc_vm_prot_bits() in include/linux/mman.h.

    PROT_* to VM_READ/WRITE/EXEC.
    """
    # PROT_READ/WRITE/EXEC and VM_READ/WRITE/EXEC share their values.
    return prot & (VM_READ | VM_WRITE | VM_EXEC)
