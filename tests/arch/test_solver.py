"""The layout solver: correct by each arch's own predicates, deterministic, explained."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest

from toolkit.arch import Arch, Combine, FileLayout, ProtMove, arch_names, load_arch
from toolkit.arch.records import PROT_KEYS
from toolkit.arch.solver import lost_keep, own_problems, problems, solve
from toolkit.errors import MissingInputError, ToolkitError
from toolkit.paths import ARCHS


def offsets(layout: FileLayout) -> list[int]:
    """0, 1, every single offset bit, all ones, and random offsets (fixed seed)."""
    top = (1 << layout.max_bits) - 1
    rng = random.Random(layout.max_bits)
    return [
        0,
        1,
        top,
        *(1 << b for b in range(layout.max_bits)),
        *(rng.randrange(top) for _ in range(50)),
    ]


def file_pte_ok(arch: Arch, layout: FileLayout, pgoff: int, prot: int) -> bool:
    """Whether the file PTE of (pgoff, prot) is a file PTE, not present, and decodes back."""
    pgprot = arch.pgprot(prot)
    pte = layout.pgoff_prot_to_pte(pgoff, pgprot)
    return (
        layout.pte_file(pte)
        and not layout.pte_present(pte)
        and not layout.pte_none(pte)
        and layout.pte_to_pgoff(pte) == pgoff
        and layout.pte_to_pgprot(pte) == pgprot & layout.prot_mask
        and pte >> arch.pte_bits == 0
    )


def solved(name: str) -> FileLayout:
    """The solver layout of `name`; for an arch without one, check that none can exist."""
    arch = load_arch(name)
    if arch.unsolved:
        # The smallest PTE that satisfies pte_file(): each clause's required bits alone.
        minimal = [c.equals if c.equals is not None else c.mask & -c.mask for c in arch.file]
        assert all(arch.pte_present(pte) or arch.pte_none(pte) for pte in minimal), arch.unsolved
        with pytest.raises(MissingInputError, match="no solver layout"):
            arch.layout("solver")
        pytest.skip(f"{name}: its predicates admit no file PTE: {arch.unsolved}")
    return arch.layout("solver")


@pytest.mark.parametrize("name", arch_names())
def test_solved_layout_is_a_file_pte_for_every_prot(name: str) -> None:
    """Every solved file PTE, PROT_NONE included, is pte_file() and not pte_present()."""
    arch = load_arch(name)
    layout = solved(name)
    for prot in range(8):
        for pgoff in offsets(layout):
            assert file_pte_ok(arch, layout, pgoff, prot), (name, prot, hex(pgoff))


@pytest.mark.parametrize("name", arch_names())
def test_solver_keeps_the_prot_bits_and_explains_each_bit(name: str) -> None:
    """The solver keeps every bit of prot.keep, fits BITS_PER_LONG and explains each PTE bit."""
    arch = load_arch(name)
    layout = solved(name)
    assert layout.prot_mask == arch.mask(*arch.keep)
    assert 0 < layout.max_bits <= arch.long_bits
    assert len(layout.explanation) == arch.pte_bits
    assert sum("pgoff bit" in line for line in layout.explanation) == layout.max_bits
    assert solve(arch) == layout


def hand_ported() -> list[str]:
    """The arches with a 2005 layout (a file that fails to load is reported by the tests above)."""
    found = []
    for name in arch_names():
        try:
            if "2005" in load_arch(name).layout_kinds():
                found.append(name)
        except ToolkitError:
            continue
    return found


def own_predicates(arch: Arch, layout: FileLayout) -> bool:
    """Whether `layout` is judged by the arch's 2.6.13 predicates (it redefines none of them)."""
    return (layout.file_clauses, layout.present_clauses, layout.none_clauses) == (
        arch.file,
        arch.present,
        arch.none,
    )


@pytest.mark.parametrize("name", hand_ported())
def test_solver_matches_correct_hand_ports(name: str) -> None:
    """Where the solver keeps fewer offset bits than a 2005 hand port, that port is not correct."""
    # Correct means by the predicates AND keeping every bit of prot.keep: a port that drops
    # EXEC (ppc-6xx) frees a bit the solver must spend. A port that redefines the predicates
    # (s390 retypes its invalid PTEs) plays by other rules than the solver, which takes the
    # arch's as given: it is not compared.
    arch = load_arch(name)
    hand = arch.layout("2005")
    if solved(name).max_bits < hand.max_bits and own_predicates(arch, hand):
        wrong = any(
            not file_pte_ok(arch, hand, off, prot) for prot in range(8) for off in offsets(hand)
        )
        assert wrong or lost_keep(arch, hand), name
        assert problems(arch, hand)


def test_i386_solution() -> None:
    """i386: PROTNONE moves off bit 7 (pte_present tests it), costing one bit against 2005."""
    i386 = load_arch("i386")
    solved = i386.layout("solver")
    moved = {p.name: p.dst for p in solved.prot}
    assert moved == {"RW": 1, "PROTNONE": 2}
    assert solved.max_bits == 27
    assert i386.layout("2005").max_bits - solved.max_bits == 1
    # The 2005 port leaves PROTNONE at bit 7, so a PROT_NONE file PTE reads as present.
    hand = i386.layout("2005")
    assert i386.pte_present(hand.pgoff_prot_to_pte(0, i386.pgprot(0)))
    assert not i386.pte_present(solved.pgoff_prot_to_pte(0, i386.pgprot(0)))
    assert "moved from bit 7 (pte_present() tests it)" in solved.explanation[2]


def test_problems_of_the_i386_hand_port() -> None:
    """problems() names the one defect of the i386 2005 port: PROT_NONE file PTEs are present."""
    i386 = load_arch("i386")
    assert problems(i386, i386.layout("2005")) == ("pgoff 0x0 prot none -> 0xc0 is pte_present()",)
    assert problems(i386, i386.layout("legacy")) == ()


@pytest.mark.parametrize("name", arch_names())
def test_solver_layouts_have_no_problems(name: str) -> None:
    """problems() finds nothing wrong with any solved layout."""
    assert problems(load_arch(name), solved(name)) == ()


def test_problems_sees_a_decoder_that_drops_a_bit(tmp_path: Path) -> None:
    """A decoder that skips one offset bit is reported as reading back the wrong offset."""
    text = (ARCHS / "i386.toml").read_text()
    old = "decode = [{ from = 2, width = 4, to = 0 }, { from = 8, width = 24, to = 4 }]"
    assert old in text
    new = "decode = [{ from = 2, width = 3, to = 0 }, { from = 8, width = 24, to = 4 }]"
    (tmp_path / "i386.toml").write_text(text.replace(old, new))
    i386 = load_arch("i386", tmp_path)
    found = problems(i386, i386.layout("2005"))
    # All ones comes first: offset bit 3 is lost, the rest comes back.
    assert "pgoff 0xfffffff prot none -> 0xfffffffc is read back as pgoff 0xffffff7" in found


# What each 2005 hand port drops of prot.keep (SERIES.md and the archs/ comments): ppc keeps
# USER and RW only, x86 RW and PROTNONE only, ia64 one of its three access-rights bits, sparc64
# READ and WRITE (read back from the wrong place) but not EXEC.
LOSES = {
    "x86_64": {"NX"},
    "i386-pae": {"NX"},
    "ppc64": {"EXEC"},
    "ppc-6xx": {"EXEC"},
    "ia64": {"AR_RX", "AR_R_RW"},
    "sparc64": {"EXEC"},
}


@pytest.mark.parametrize("name", sorted(LOSES))
def test_hand_ports_losing_prot_keep_bits_are_reported(name: str) -> None:
    """problems() names the prot.keep bits a 2005 port loses, with a PTE that really loses them."""
    arch = load_arch(name)
    hand = arch.layout("2005")
    (line,) = lost_keep(arch, hand)
    assert line in problems(arch, hand)
    words = line.split()
    assert words[0] == "pgoff" and words[-2] == "loses", line
    named = set(words[-1].split("|"))
    assert LOSES[name] <= named <= set(arch.keep)
    # The example is real: its PTE decodes without the bits named.
    pte = int(words[words.index("->") + 1], 16)
    assert pte == hand.pgoff_prot_to_pte(int(words[1], 16), pgprot_of(arch, words))
    assert hand.pte_to_pgprot(pte) & arch.mask(*named) == 0


def pgprot_of(arch: Arch, words: list[str]) -> int:
    """The pgprot a problem line names, as `prot KEY` or as `pgprot 0x...`."""
    if words[2] == "prot":
        return arch.pgprot(PROT_KEYS.index(words[3]))
    assert words[2] == "pgprot"
    return int(words[3], 16)


@pytest.mark.parametrize("name", ["i386", "um", "s390", "s390x"])
def test_hand_ports_keeping_prot_keep_are_not_reported_for_it(name: str) -> None:
    """A 2005 port that keeps every bit of prot.keep gets no `loses` line, whatever else it does."""
    arch = load_arch(name)
    hand = arch.layout("2005")
    assert {p.name for p in hand.prot} == set(arch.keep)
    assert lost_keep(arch, hand) == ()
    assert problems(arch, hand) == own_problems(arch, hand)
    assert not any(" loses " in line for line in problems(arch, hand))


@pytest.mark.parametrize("name", arch_names())
def test_solver_and_legacy_layouts_lose_no_prot_keep_bit(name: str) -> None:
    """No solver layout loses a prot.keep bit; a legacy layout keeps none by design, unjudged."""
    arch = load_arch(name)
    assert lost_keep(arch, arch.layout("legacy")) == ()
    assert lost_keep(arch, solved(name)) == ()


def test_lost_keep_tries_combinations_the_kernel_never_builds() -> None:
    """A bit lost only in a combination no PROT value builds is still reported, as a pgprot."""
    i386 = load_arch("i386")
    hand = i386.layout("2005")
    # RW and PROTNONE added onto one PTE bit: each alone comes back, both together carry away.
    both = replace(
        hand,
        combine=Combine.ADD,
        prot=(ProtMove("RW", 1, 1), ProtMove("PROTNONE", 7, 1, 1)),
    )
    real = {i386.pgprot(prot) & i386.mask(*i386.keep) for prot in range(8)}
    assert i386.mask("RW", "PROTNONE") not in real
    (line,) = lost_keep(i386, both)
    words = line.split()
    assert words[2] == "pgprot" and int(words[3], 16) == i386.mask("RW", "PROTNONE")
