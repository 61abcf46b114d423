"""Properties over random layouts: correct ones are proven, a swapped decoder pair is caught."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.verify.strategies import scattered_layouts
from toolkit.arch import FileLayout, Move, load_arch
from toolkit.verify.records import Check, Outcome
from toolkit.verify.smt import prove

I386 = load_arch("i386")


@settings(max_examples=20, deadline=None)
@given(scattered_layouts(I386))
def test_scattered_layouts_are_proven(layout: FileLayout) -> None:
    """Any one-bit-per-move layout on free bits round-trips and stays a non-present file PTE."""
    results = {r.check: r.outcome for r in prove(I386, layout)}
    for check in (Check.PGOFF, Check.PGPROT, Check.FILE, Check.PRESENT):
        assert results[check] is Outcome.PROVEN, check


@settings(max_examples=20, deadline=None)
@given(scattered_layouts(I386), st.data())
def test_swapped_decoder_bits_give_a_real_counterexample(
    layout: FileLayout, data: st.DataObject
) -> None:
    """Decoding two offset bits from each other's places fails pgoff on an input that shows it."""
    first, second = data.draw(
        st.lists(st.integers(0, layout.max_bits - 1), min_size=2, max_size=2, unique=True)
    )
    decode = list(layout.decode)
    decode[first], decode[second] = (
        Move(decode[second].src, 1, first),
        Move(decode[first].src, 1, second),
    )
    broken = replace(layout, decode=tuple(decode))
    result = {r.check: r for r in prove(I386, broken)}[Check.PGOFF]
    assert result.outcome is Outcome.FAILED
    example = result.counterexample
    assert example is not None
    assert example.pte == broken.pgoff_prot_to_pte(example.offset, example.pgprot)
    assert broken.pte_to_pgoff(example.pte) != example.offset
    assert (example.offset >> first & 1) != (example.offset >> second & 1)
