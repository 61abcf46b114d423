"""Arch PTE facts loaded from archs/*.toml, and the file-PTE encodings derived from them.

Shared by the model and the tooling, so it imports neither.
"""

from toolkit.arch.loader import arch_names, load_arch
from toolkit.arch.records import (
    LAYOUTS,
    PROT_EXEC,
    PROT_KEYS,
    PROT_NONE,
    PROT_READ,
    PROT_WRITE,
    Arch,
    Bit,
    Clause,
    Combine,
    Field,
    FileLayout,
    Move,
    ProtMove,
    SwapEntry,
)

__all__ = [
    "LAYOUTS",
    "PROT_EXEC",
    "PROT_KEYS",
    "PROT_NONE",
    "PROT_READ",
    "PROT_WRITE",
    "Arch",
    "Bit",
    "Clause",
    "Combine",
    "Field",
    "FileLayout",
    "Move",
    "ProtMove",
    "SwapEntry",
    "arch_names",
    "load_arch",
]
