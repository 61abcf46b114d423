"""How a layout reads, as every checker must see it: its predicates, encoder word, kept bits.

A hand port may redefine pte_file()/pte_present()/pte_none(), compute in a word narrower than
the PTE, or read a kept bit back from elsewhere than it wrote it; the proof and the enumeration
take all of that from here so they judge the same thing the Python encoder computes. Swap
entries are the arch's own (Arch.swap_entry()), the same for every layout.
"""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.arch import Arch, Clause, FileLayout


@dataclass(frozen=True, slots=True)
class Predicates:
    """pte_file(), pte_present() and pte_none() as a layout defines them."""

    file: tuple[Clause, ...]
    present: tuple[Clause, ...]
    none: tuple[Clause, ...]


def predicates(arch: Arch, layout: FileLayout) -> Predicates:
    """The layout's own predicates where it redefines them, else the arch's."""
    return Predicates(
        file=layout.file_clauses or arch.file,
        present=layout.present_clauses or arch.present,
        none=layout.none_clauses or arch.none,
    )


def word_bits(arch: Arch, layout: FileLayout) -> int:
    """The width of the C word the encoder computes in (carries beyond it are lost)."""
    return layout.word_bits or arch.pte_bits


def prot_moves(layout: FileLayout) -> tuple[tuple[int, int, int], ...]:
    """(pgprot bit, PTE bit written, PTE bit pte_to_pgprot() reads) per kept bit."""
    return tuple((p.src, p.dst, p.read_at) for p in layout.prot)
