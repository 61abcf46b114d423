"""The numpy enumeration: small synthetic layouts, every offset and kept prot combination."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from tests.verify.layouts import dropped_bit, i386_layout, prot_on_offset, unshifted_add
from toolkit.arch import Arch, FileLayout, Move, load_arch
from toolkit.verify.exhaustive import enumerate_layout
from toolkit.verify.records import Check, Outcome
from toolkit.verify.semantics import predicates
from toolkit.verify.smt import prove


def test_correct_layout_passes_every_encoding() -> None:
    """An 18-bit layout keeping RW: all 2^18 offsets times both RW values pass."""
    arch = load_arch("i386")
    result, rate = enumerate_layout(arch, i386_layout(arch=arch, bits=18), workers=1)
    assert result.outcome is Outcome.PASSED
    assert result.detail == f"{(1 << 18) * 2} encodings"
    assert rate is not None and rate > 0


def test_pool_of_workers_gives_the_same_answer() -> None:
    """One or two processes over a 20-bit dropped-bit layout report the same lowest failure."""
    arch = load_arch("i386")
    layout = replace(dropped_bit(arch), max_bits=20, encode=(Move(0, 20, 8),))
    alone, _ = enumerate_layout(arch, layout, workers=1)
    pooled, _ = enumerate_layout(arch, layout, workers=2, task=1 << 17)  # 8 tasks
    assert alone.counterexample is not None
    assert alone.counterexample.offset == 1 << 15  # the lowest offset with the dropped bit
    assert pooled.outcome is Outcome.FAILED
    assert pooled.counterexample == alone.counterexample


def test_broken_layouts_fail_like_the_proof_says() -> None:
    """For each hand-broken layout, enumeration fails on a check z3 also refutes."""
    arch = load_arch("i386")
    for layout in (dropped_bit(arch), unshifted_add(arch), prot_on_offset(arch)):
        result, _ = enumerate_layout(arch, layout, workers=1)
        assert result.outcome is Outcome.FAILED
        example = result.counterexample
        assert example is not None
        assert example.pte == layout.pgoff_prot_to_pte(example.offset, example.pgprot)
        failing = result.detail.split(" fail;")[0].split(", ")
        proven = {r.check.value: r.outcome for r in prove(arch, layout)}
        assert all(proven[name] is Outcome.FAILED for name in failing)


def test_prot_none_present_found_by_enumeration() -> None:
    """On a 16-bit layout keeping PROTNONE at bit 7, the enumeration finds pte_present()."""
    from toolkit.arch import ProtMove

    arch = load_arch("i386")
    layout = i386_layout(arch=arch, prot=(ProtMove("RW", 1, 1), ProtMove("PROTNONE", 7, 7)))
    result, _ = enumerate_layout(arch, layout, workers=1)
    assert result.outcome is Outcome.FAILED
    assert result.detail.startswith(Check.PRESENT.value)
    assert result.counterexample is not None
    assert arch.pte_present(result.counterexample.pte)


def test_wide_layouts_are_skipped() -> None:
    """More than 32 offset bits are not enumerated: the result says why."""
    arch = load_arch("x86_64")
    result, rate = enumerate_layout(arch, arch.layout("legacy"))
    assert result.outcome is Outcome.SKIPPED and rate is None
    assert "46" in result.detail


def brute_force(arch: Arch, layout: FileLayout) -> set[str]:
    """The checks some input breaks, by a plain Python loop over every offset and kept prot."""
    rules = predicates(arch, layout)
    prots = [p.src for p in layout.prot]
    failing: set[str] = set()
    for combo in range(1 << len(prots)):
        pgprot = sum(1 << src for i, src in enumerate(prots) if combo >> i & 1)
        for pgoff in range(1 << layout.max_bits):
            pte = layout.pgoff_prot_to_pte(pgoff, pgprot)
            if layout.pte_to_pgoff(pte) != pgoff:
                failing.add("pgoff")
            if layout.pte_to_pgprot(pte) != pgprot:
                failing.add("pgprot")
            holds = {n: any(c.holds(pte) for c in getattr(rules, n)) for n in ("file", "none")}
            if not holds["file"] or holds["none"]:
                failing.add("file")
            if any(c.holds(pte) for c in rules.present):
                failing.add("present")
    return failing


@pytest.mark.parametrize(
    "build",
    [
        lambda a: i386_layout(arch=a, bits=12),
        lambda a: replace(dropped_bit(a), max_bits=16),
        unshifted_add,
        prot_on_offset,
        lambda a: replace(a.layout("2005"), max_bits=12),
        lambda a: replace(a.layout("legacy"), max_bits=12),
    ],
    ids=["correct", "dropped-bit", "unshifted-add", "prot-on-offset", "2005", "legacy"],
)
def test_enumeration_agrees_with_a_python_loop(build: Callable[[Arch], FileLayout]) -> None:
    """Small i386 layouts: the failing checks and a real counterexample, as a plain loop finds."""
    arch = load_arch("i386")
    layout = build(arch)
    result, _ = enumerate_layout(arch, layout, workers=1, task=1 << 10)
    expected = brute_force(arch, layout)
    if not expected:
        assert result.outcome is Outcome.PASSED
        return
    assert result.outcome is Outcome.FAILED
    listed = set(result.detail.split(" fail;")[0].split(", "))
    assert listed == expected
    example = result.counterexample
    assert example is not None
    assert example.pte == layout.pgoff_prot_to_pte(example.offset, example.pgprot)


def test_64_bit_ptes() -> None:
    """On x86_64's 64-bit PTEs: 18 offset bits from bit 40 pass; a short decoder fails."""
    arch = load_arch("x86_64")
    good = replace(
        arch.layout("solver"),
        max_bits=18,
        encode=(Move(0, 18, 40),),
        decode=(Move(40, 18, 0),),
    )
    result, _ = enumerate_layout(arch, good, workers=1)
    assert result.outcome is Outcome.PASSED
    short = replace(good, decode=(Move(40, 17, 0),))
    result, _ = enumerate_layout(arch, short, workers=1)
    assert result.outcome is Outcome.FAILED
    assert result.counterexample is not None
    assert result.counterexample.offset >> 17 & 1


def first_failures(arch: Arch, layout: FileLayout) -> dict[str, tuple[int, int]]:
    """Per failing check, its lowest offset and the first kept prot failing there, by a loop."""
    rules = predicates(arch, layout)
    prots = [p.src for p in layout.prot]
    pgprots = [
        sum(1 << src for i, src in enumerate(prots) if combo >> i & 1)
        for combo in range(1 << len(prots))
    ]
    found: dict[str, tuple[int, int]] = {}
    for pgoff in range(1 << layout.max_bits):
        for pgprot in pgprots:
            pte = layout.pgoff_prot_to_pte(pgoff, pgprot)
            file = any(c.holds(pte) for c in rules.file)
            bad = {
                "pgoff": layout.pte_to_pgoff(pte) != pgoff,
                "pgprot": layout.pte_to_pgprot(pte) != pgprot,
                "file": not file or any(c.holds(pte) for c in rules.none),
                "present": any(c.holds(pte) for c in rules.present),
            }
            for check, failed in bad.items():
                if failed and check not in found:
                    found[check] = (pgoff, pgprot)
    return found


def wide_layouts(arch: Arch) -> dict[str, FileLayout]:
    """12-bit layouts on a 64-bit PTE: offsets in two words across PTE bit 32, or above it."""
    from toolkit.arch import ProtMove

    rw = (ProtMove("RW", 1, 1),)
    across = (Move(0, 3, 3), Move(3, 9, 28))  # PTE bits 3..5 and 28..36
    return {
        "across": i386_layout(arch=arch, bits=12, encode=across),
        "above": i386_layout(arch=arch, bits=12, encode=(Move(0, 12, 40),)),
        "dropped-high-bit": i386_layout(
            arch=arch, bits=12, encode=across, decode=(Move(3, 3, 0), Move(28, 8, 3))
        ),
        "decoded-above-32": i386_layout(
            arch=arch,
            bits=12,
            encode=across,
            decode=(Move(3, 3, 0), Move(28, 4, 3), Move(32, 5, 32)),
        ),
        "prot-on-high-offset-bit": i386_layout(
            arch=arch, bits=12, encode=across, prot=(*rw, ProtMove("USER", 2, 35))
        ),
        "prot-above": i386_layout(
            arch=arch, bits=12, encode=(Move(0, 12, 40),), prot=(*rw, ProtMove("USER", 2, 41))
        ),
    }


@pytest.mark.parametrize(
    "name",
    [
        "across",
        "above",
        "dropped-high-bit",
        "decoded-above-32",
        "prot-on-high-offset-bit",
        "prot-above",
    ],
)
def test_uint32_words_agree_with_uint64_and_a_loop(name: str) -> None:
    """64-bit PTEs judged in uint32 words: same failures and counterexample as uint64 and a loop."""
    from toolkit.verify import exhaustive

    arch = load_arch("i386-pae")
    layout = wide_layouts(arch)[name]
    words = exhaustive._spec(arch, layout)
    native = exhaustive._spec(arch, layout, split=False)
    assert words.bits == 32 and native.bits == 64
    assert len(words.enc_ops) == (1 if name.endswith("above") else 2)
    total = 1 << layout.max_bits
    assert exhaustive._run_range(words, 0, total) == exhaustive._run_range(native, 0, total)
    result, _ = enumerate_layout(arch, layout, workers=1)
    expected = first_failures(arch, layout)
    if not expected:
        assert result.outcome is Outcome.PASSED
        return
    assert set(result.detail.split(" fail;")[0].split(", ")) == set(expected)
    first = next(c.value for c in Check if c.value in expected)
    example = result.counterexample
    assert example is not None
    assert (example.offset, example.pgprot) == expected[first]


def test_counterexample_is_the_lowest_failing_offset_whatever_the_chunk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Chunks of 2^6 or the default and tasks of 2^8: the lowest offset, first prot there."""
    from toolkit.arch import ProtMove
    from toolkit.verify import exhaustive

    arch = load_arch("i386")
    # pgoff fails without a kept bit from offset 0x800 (bit 11 is not decoded), and with USER
    # from offset 0 (written at PTE bit 9, where offset bit 1 goes)
    layout = i386_layout(
        arch=arch,
        bits=12,
        decode=(Move(8, 11, 0),),
        prot=(ProtMove("RW", 1, 1), ProtMove("USER", 2, 9)),
    )
    expected = first_failures(arch, layout)
    assert expected["pgoff"] == (0, 4)
    default, _ = enumerate_layout(arch, layout, workers=1)
    monkeypatch.setattr(exhaustive, "CHUNK", 1 << 6)
    small, _ = enumerate_layout(arch, layout, workers=2, task=1 << 8)
    assert default == small
    example = default.counterexample
    assert example is not None
    first = next(c.value for c in Check if c.value in expected)
    assert (example.offset, example.pgprot) == expected[first]


def test_pool_is_forked_once() -> None:
    """Two pooled enumerations run on the same worker processes."""
    from toolkit.verify import exhaustive

    arch = load_arch("i386")
    layout = i386_layout(arch=arch, bits=18)
    enumerate_layout(arch, layout, workers=2, task=1 << 16)
    pool = exhaustive._POOLS[2]
    result, _ = enumerate_layout(arch, layout, workers=2, task=1 << 16)
    assert exhaustive._POOLS[2] is pool
    assert result.outcome is Outcome.PASSED


@pytest.mark.parametrize(
    ("mask", "lowest"),
    [(0x140, None), (0x340, 2)],
    ids=["holds-by-either-clause", "fails-once-offset-bit-1-is-set"],
)
def test_predicate_the_reductions_cannot_settle(mask: int, lowest: int | None) -> None:
    """pte_file() as two clauses on an offset bit: every chunk is walked element by element."""
    from toolkit.arch import Clause

    arch = load_arch("i386")
    # FILE (0x40) with PTE bit 8 (offset bit 0) either clear or set: the OR and AND of a chunk
    # match neither clause alone, so only the elements tell whether one of them always holds
    clauses = (Clause(mask, 0x40), Clause(mask, 0x140))
    layout = replace(i386_layout(arch=arch, bits=12), file_clauses=clauses)
    result, _ = enumerate_layout(arch, layout, workers=1)
    expected = first_failures(arch, layout)
    if lowest is None:
        assert not expected and result.outcome is Outcome.PASSED
        return
    assert result.detail.startswith("file fail;")
    assert result.counterexample is not None
    assert (result.counterexample.offset, result.counterexample.pgprot) == expected["file"]
    assert expected["file"][0] == lowest
