"""Hypothesis strategies: random file-PTE layouts on i386's bits, correct by construction."""

from __future__ import annotations

from hypothesis import strategies as st

from toolkit.arch import Arch, Combine, FileLayout, Move, ProtMove

# PRESENT (0) and PROTNONE (7) are tested by pte_present(), FILE (6) is set, RW (1) is kept.
I386_FREE = tuple(b for b in range(32) if b not in (0, 1, 6, 7))


@st.composite
def scattered_layouts(draw: st.DrawFn, arch: Arch) -> FileLayout:
    """An or-layout putting 8..24 offset bits, one by one, on shuffled free i386 positions."""
    count = draw(st.integers(min_value=8, max_value=len(I386_FREE)))
    places = draw(st.permutations(I386_FREE))[:count]
    encode = tuple(Move(i, 1, place) for i, place in enumerate(places))
    return FileLayout(
        arch=arch.name,
        kind="solver",
        max_bits=count,
        keeps_prot=True,
        prot_mask=arch.mask("RW"),
        pte_bits=arch.pte_bits,
        encode=encode,
        decode=tuple(Move(m.dst, 1, m.src) for m in encode),
        set_mask=arch.mask("FILE"),
        set_names=("FILE",),
        combine=Combine.OR,
        prot=(ProtMove("RW", 1, 1),),
    )
