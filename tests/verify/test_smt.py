"""z3 proofs: every solver layout is proven, and broken layouts give real counterexamples."""

from __future__ import annotations

import pytest

from tests.verify.layouts import (
    dropped_bit,
    dropped_nx,
    i386_layout,
    prot_on_offset,
    unshifted_add,
)
from toolkit.arch import Arch, FileLayout, arch_names, load_arch
from toolkit.arch.solver import lost_keep, problems
from toolkit.verify.records import Check, Outcome, Result
from toolkit.verify.smt import encode_value, prove

LAYOUT_CHECKS = (Check.PGOFF, Check.PGPROT, Check.KEEPS, Check.FILE, Check.PRESENT)


def by_check(results: tuple[Result, ...]) -> dict[Check, Result]:
    """The results keyed by their check."""
    return {r.check: r for r in results}


def encodes(arch: Arch, layout: FileLayout, result: Result) -> int:
    """The PTE the Python encoder gives for the counterexample (it must be the one shown)."""
    example = result.counterexample
    assert example is not None
    pte = layout.pgoff_prot_to_pte(example.offset, example.pgprot)
    assert pte == example.pte
    assert example.offset < 1 << layout.max_bits
    assert example.pgprot & ~layout.prot_mask == 0
    return pte


@pytest.mark.parametrize("name", [n for n in arch_names() if not load_arch(n).unsolved])
def test_every_solver_layout_is_proven(name: str) -> None:
    """pgoff, pgprot, keeps, file and present are proven for each arch's solver layout."""
    arch = load_arch(name)
    results = by_check(prove(arch, arch.layout("solver")))
    for check in LAYOUT_CHECKS:
        expected = Outcome.PROVEN
        if check in (Check.PGPROT, Check.KEEPS) and not arch.layout("solver").keeps_prot:
            expected = Outcome.NOT_APPLICABLE
        assert results[check].outcome is expected, (check, results[check])


def test_correct_hand_layout_is_proven() -> None:
    """A plain shift-and-mask layout with RW kept in place proves every check but keeps."""
    arch = load_arch("i386")
    results = by_check(prove(arch, i386_layout(arch=arch)))
    assert all(results[c].outcome is Outcome.PROVEN for c in LAYOUT_CHECKS if c is not Check.KEEPS)
    # PROTNONE is in i386's prot.keep and this layout leaves it out.
    assert results[Check.KEEPS].outcome is Outcome.FAILED


def test_dropped_bit_counterexample_has_the_lost_bit() -> None:
    """A decoder one bit short fails pgoff on an offset with that bit, decoded without it."""
    arch = load_arch("i386")
    layout = dropped_bit(arch)
    result = by_check(prove(arch, layout))[Check.PGOFF]
    assert result.outcome is Outcome.FAILED
    pte = encodes(arch, layout, result)
    assert result.counterexample is not None
    offset = result.counterexample.offset
    assert offset >> 15 & 1
    assert layout.pte_to_pgoff(pte) == offset & 0x7FFF
    assert f"{offset & 0x7FFF:#x}" in result.counterexample.got


def test_unshifted_add_fails_the_round_trip() -> None:
    """An added field left unshifted overlaps the others: pgoff fails with a real counterexample."""
    arch = load_arch("i386")
    layout = unshifted_add(arch)
    result = by_check(prove(arch, layout))[Check.PGOFF]
    assert result.outcome is Outcome.FAILED
    pte = encodes(arch, layout, result)
    assert result.counterexample is not None
    assert layout.pte_to_pgoff(pte) != result.counterexample.offset


def test_prot_bit_on_the_offset_field_fails_both_ways() -> None:
    """RW stored on an offset bit corrupts the offset when set and the prot when the offset is."""
    arch = load_arch("i386")
    layout = prot_on_offset(arch)
    results = by_check(prove(arch, layout))
    pgoff, pgprot = results[Check.PGOFF], results[Check.PGPROT]
    assert pgoff.outcome is Outcome.FAILED and pgprot.outcome is Outcome.FAILED
    pte = encodes(arch, layout, pgoff)
    assert pgoff.counterexample is not None
    assert layout.pte_to_pgoff(pte) != pgoff.counterexample.offset
    assert pgoff.counterexample.pgprot & arch.mask("RW")
    pte = encodes(arch, layout, pgprot)
    assert pgprot.counterexample is not None
    assert layout.pte_to_pgprot(pte) != pgprot.counterexample.pgprot


def test_i386_2005_prot_none_file_pte_looks_present() -> None:
    """The 2005 i386 port keeps PROTNONE at bit 7, which pte_present() tests: a counterexample."""
    arch = load_arch("i386")
    layout = arch.layout("2005")
    result = by_check(prove(arch, layout))[Check.PRESENT]
    assert result.outcome is Outcome.FAILED
    pte = encodes(arch, layout, result)
    assert arch.pte_present(pte)
    assert result.counterexample is not None
    assert result.counterexample.pgprot & arch.mask("PROTNONE")
    assert "PROTNONE" in result.counterexample.got


def test_legacy_layout_has_no_pgprot_check() -> None:
    """A legacy layout keeps no protection: pgprot and keeps are n/a, the others still run."""
    arch = load_arch("i386")
    results = by_check(prove(arch, arch.layout("legacy")))
    assert results[Check.PGPROT].outcome is Outcome.NOT_APPLICABLE
    assert results[Check.KEEPS].outcome is Outcome.NOT_APPLICABLE
    assert results[Check.PGOFF].outcome is Outcome.PROVEN


def test_swap_entry_reading_as_file_is_found() -> None:
    """An arch whose swap type field covers the file bit yields a swap counterexample."""
    from dataclasses import replace

    from toolkit.arch import Field

    i386 = load_arch("i386")
    # Drop the exact swap moves (where the arch has them) so the widened field is used.
    arch = replace(i386, swap_type=Field(5, 5), swap=None)
    result = by_check(prove(arch, arch.layout("solver")))[Check.SWAP]
    assert result.outcome is Outcome.FAILED
    assert result.counterexample is not None
    assert arch.pte_file(result.counterexample.pte)
    assert not arch.pte_none(result.counterexample.pte)


@pytest.mark.parametrize("name", arch_names())
def test_z3_encoder_is_the_python_encoder(name: str) -> None:
    """On 0, all ones, each single bit and random offsets, every prot: z3 and Python agree."""
    import random

    arch = load_arch(name)
    rng = random.Random(2005)
    for kind in arch.layout_kinds():
        layout = arch.layout(kind)
        top = (1 << layout.max_bits) - 1
        offsets = [0, top, *(1 << b for b in range(layout.max_bits))]
        offsets += [rng.randrange(top + 1) for _ in range(16)]
        for prot in range(8):
            pgprot = arch.pgprot(prot)
            for pgoff in offsets:
                expected = layout.pgoff_prot_to_pte(pgoff, pgprot)
                assert encode_value(arch, layout, pgoff, pgprot) == expected, (kind, pgoff, prot)


def lost_bits(arch: Arch, layout: FileLayout, result: Result) -> int:
    """The prot.keep bits of the counterexample's pgprot that pte_to_pgprot() does not give back."""
    example = result.counterexample
    assert example is not None
    assert example.offset < 1 << layout.max_bits
    keep = arch.mask(*arch.keep)
    assert example.pgprot & ~keep == 0
    pte = layout.pgoff_prot_to_pte(example.offset, example.pgprot)
    assert pte == example.pte
    return (layout.pte_to_pgprot(pte) ^ example.pgprot) & keep


def test_layout_dropping_nx_fails_keeps_with_nx_lost() -> None:
    """A layout that keeps RW and PROTNONE but not NX round-trips its own bits and loses NX."""
    arch = load_arch("x86_64")
    layout = dropped_nx(arch)
    results = by_check(prove(arch, layout))
    assert results[Check.PGPROT].outcome is Outcome.PROVEN
    keeps = results[Check.KEEPS]
    assert keeps.outcome is Outcome.FAILED
    assert lost_bits(arch, layout, keeps) == arch.mask("NX")
    assert keeps.counterexample is not None
    assert "lost NX" in keeps.counterexample.got
    assert keeps.counterexample.prot_names.split("|").count("NX") == 1


def test_keeps_counterexample_is_a_protection_the_kernel_builds() -> None:
    """Where a real protection loses a bit, the counterexample is one (x86_64 2005: read-only)."""
    arch = load_arch("x86_64")
    example = by_check(prove(arch, arch.layout("2005")))[Check.KEEPS].counterexample
    assert example is not None
    keep = arch.mask(*arch.keep)
    assert example.pgprot in {arch.pgprot(prot) & keep for prot in range(8)}


@pytest.mark.parametrize("name", [n for n in arch_names() if "2005" in load_arch(n).layout_kinds()])
def test_2005_port_fails_keeps_exactly_when_it_loses_a_bit(name: str) -> None:
    """A 2005 port fails keeps iff some prot.keep combination comes back changed (brute force)."""
    arch = load_arch(name)
    layout = arch.layout("2005")
    result = by_check(prove(arch, layout))[Check.KEEPS]
    keep = arch.mask(*arch.keep)
    bits = [1 << b for b in range(arch.pte_bits) if keep >> b & 1]
    combos = [sum(b for i, b in enumerate(bits) if n >> i & 1) for n in range(1 << len(bits))]
    top = (1 << layout.max_bits) - 1
    broken = any(
        (layout.pte_to_pgprot(layout.pgoff_prot_to_pte(offset, prot)) ^ prot) & keep
        for prot in combos
        for offset in (0, 1, top)
    )
    assert (result.outcome is Outcome.FAILED) is broken, result
    if broken:
        assert lost_bits(arch, layout, result)


def test_x86_64_2005_port_is_reported_losing_nx() -> None:
    """x86_64's hand port keeps RW and PROTNONE only: keeps fails, the lost bit is NX."""
    arch = load_arch("x86_64")
    layout = arch.layout("2005")
    result = by_check(prove(arch, layout))[Check.KEEPS]
    assert result.outcome is Outcome.FAILED
    assert lost_bits(arch, layout, result) == arch.mask("NX")


@pytest.mark.parametrize(
    ("name", "kind"),
    [(n, k) for n in arch_names() for k in load_arch(n).layout_kinds() if k != "legacy"],
)
def test_problems_report_a_lost_keep_bit_exactly_when_keeps_fails(name: str, kind: str) -> None:
    """rfp port's problems() and verify's keeps agree on which layouts lose a prot.keep bit."""
    arch = load_arch(name)
    layout = arch.layout(kind)
    result = by_check(prove(arch, layout))[Check.KEEPS]
    (lost,) = lost_keep(arch, layout) or ("",)
    assert (result.outcome is Outcome.FAILED) is bool(lost), (result, lost)
    assert (lost in problems(arch, layout)) is bool(lost)
