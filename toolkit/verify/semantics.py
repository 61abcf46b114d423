"""How a layout reads, as every checker must see it: its predicates, encoder word, swap entries.

A hand port may redefine pte_file()/pte_present()/pte_none(), compute in a word narrower than
the PTE, or read a kept bit back from elsewhere than it wrote it; the proof and the enumeration
take all of that from here so they judge the same thing the Python encoder computes.
"""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.arch import Arch, Clause, FileLayout, Move


@dataclass(frozen=True, slots=True)
class Predicates:
    """pte_file(), pte_present() and pte_none() as a layout defines them."""

    file: tuple[Clause, ...]
    present: tuple[Clause, ...]
    none: tuple[Clause, ...]


@dataclass(frozen=True, slots=True)
class Swap:
    """Where swp_entry_to_pte() puts the type and offset bits, and the bits it always sets."""

    type: tuple[Move, ...]
    offset: tuple[Move, ...]
    set_mask: int

    @property
    def type_bits(self) -> int:
        """Bits of the swap type the PTE holds."""
        return sum(m.width for m in self.type)

    @property
    def offset_bits(self) -> int:
        """Bits of the swap offset the PTE holds."""
        return sum(m.width for m in self.offset)


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


def swap(arch: Arch) -> Swap:
    """The arch's swap entry layout, exact where archs/ gives its moves."""
    exact = arch.swap
    if exact is not None:
        return Swap(tuple(exact.type), tuple(exact.offset), exact.set_mask)
    kind, where = arch.swap_type, arch.swap_offset
    type_ = (Move(0, kind.width, kind.start),) if kind.width else ()
    offset = (Move(0, where.width, where.start),) if where.width else ()
    return Swap(type_, offset, 0)
