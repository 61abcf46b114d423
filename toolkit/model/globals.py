"""The state C keeps in globals (arch macros, patch switches, memory, swap), one per kernel."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from toolkit.arch import Arch, load_arch
from toolkit.model.include.asm.pgtable import Pgtable
from toolkit.model.include.linux.fs import inode
from toolkit.model.include.linux.sched import mm_struct
from toolkit.model.mm.page_alloc import mem_map_t
from toolkit.model.mm.swapfile import swap_info_struct
from toolkit.model.options import Options


@dataclass(eq=False)
class Kernel:
    """One booted model kernel."""

    options: Options
    arch: Arch
    pgtable: Pgtable
    # P[n] is True when patch n of the series is applied (P[0] is unused).
    P: tuple[bool, ...]
    sysctl_max_map_count: int
    arch_supports_vm_nonuniform: bool
    mem: mem_map_t
    swap: swap_info_struct = field(default_factory=swap_info_struct)
    files: dict[str, inode] = field(default_factory=dict)
    mms: dict[int, mm_struct] = field(default_factory=dict)
    next_pid: int = 1


def boot(options: Options, archs_dir: Path | None = None) -> Kernel:
    """A model kernel built as `options` says, with no process and no file."""
    arch = load_arch(options.arch, archs_dir)
    # Patch 01 is the arch half of the series: without it file PTEs hold the offset only.
    layout = arch.layout(options.layout if 1 in options.patches else "legacy")
    pgtable = Pgtable(arch, layout)
    return Kernel(
        options=options,
        arch=arch,
        pgtable=pgtable,
        P=tuple(n in options.patches for n in range(19)),
        sysctl_max_map_count=options.max_map_count,
        arch_supports_vm_nonuniform=options.arch_opt_in,
        mem=mem_map_t(max_pfn=pgtable.max_pfn),
    )
