"""Model of struct mm_struct from include/linux/sched.h."""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from toolkit.model.include.linux.mm import vm_area_struct

if TYPE_CHECKING:
    from toolkit.model.globals import Kernel


@dataclass(eq=False)
class mm_struct:
    """Model of struct mm_struct: the VMAs and page tables of one process."""

    # MODEL: the kernel's global state (arch macros, patch switches, memory, swap), which C
    # reaches as globals, hangs off every mm so several model kernels can run side by side.
    kernel: Kernel
    # MODEL: the VMA list sorted by vm_start stands for both the list and the rbtree.
    mmap: list[vm_area_struct] = field(default_factory=list)
    map_count: int = 0
    # MODEL: one level of page tables, PTRS_PER_PTE words each, keyed by address >> PMD_SHIFT;
    # the words are the arch's real PTEs.
    pgd: dict[int, array[int]] = field(default_factory=dict)
    rss: int = 0
