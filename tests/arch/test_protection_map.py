"""Every arch's shared protection map against its predicates: each pgprot makes a present PTE."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.arch import PROT_NONE, PROT_READ, PROT_WRITE, arch_names, load_arch
from toolkit.arch.records import Arch
from toolkit.scenario.format import parse_scenario
from toolkit.scenario.limits import ArchLimit, arch_limits
from toolkit.scenario.run import Outcome, run_scenario

PROTS = range(8)
ASKED = PROT_READ | PROT_WRITE  # exec aside: several arches cannot refuse it (frv, i386)
# s390's 2005 port also changed PAGE_NONE (0x401 to 0x402), which archs/ cannot say: the
# arch's map is the 2.6.13 one, so under the port's predicates its PAGE_NONE is a file PTE.
PORT_CHANGED_PAGE_NONE = {"s390", "s390x"}


def _pfns(arch: Arch) -> tuple[int, ...]:
    """Frame numbers to build PTEs with: 0, 1, and every frame bit that no flag bit shares."""
    flags = {b.bit for b in arch.bits} | set(arch.reserved)
    top = max(arch.pte_bits, arch.pfn_shift)
    free = [pos - arch.pfn_shift for pos in range(arch.pfn_shift, top) if pos not in flags]
    highest = 0
    for shift in free:
        highest |= 1 << shift
    return (0, 1, highest)


def _limits(arch: Arch) -> set[ArchLimit]:
    """The limits the arch file declares."""
    return {limit for limit, _ in arch_limits(arch)}


@pytest.mark.parametrize("name", arch_names())
def test_every_prot_makes_a_present_pte(name: str) -> None:
    """mk_pte() of each of the eight shared pgprots is pte_present() and not pte_none()."""
    arch = load_arch(name)
    allowed_absent = {PROT_NONE} if ArchLimit.PROT_NONE_NOT_PRESENT in _limits(arch) else set()
    for prot in PROTS:
        for pfn in _pfns(arch):
            pte = arch.mk_pte(pfn, prot)
            # pte_file() is only asked of a PTE that is not present (handle_pte_fault tests
            # pte_present() first): on arm, ppc or cris a present PTE may well carry the file
            # bit (YOUNG, USER, ACCESSED), so presence is what keeps it from the file path.
            assert not arch.pte_none(pte), (name, prot, hex(pte))
            if prot in allowed_absent:
                assert not arch.pte_present(pte) and not arch.pte_file(pte), (name, hex(pte))
            else:
                assert arch.pte_present(pte), (name, prot, hex(pte))
                assert not arch.is_swap(pte), (name, prot, hex(pte))


@pytest.mark.parametrize("name", arch_names())
def test_pgprot_grants_the_rights_asked(name: str) -> None:
    """Each shared pgprot grants at least the read and write rights its PROT_* value asks."""
    arch = load_arch(name)
    for prot in PROTS:
        granted = arch.pgprot_allows(arch.pgprot(prot))
        assert granted & prot & ASKED == prot & ASKED, (name, prot, granted)


def test_prot_none_not_present_is_declared_where_the_kernel_had_it() -> None:
    """frv and sparc-srmmu, whose 2.6.13 PAGE_NONE fails pte_present(), say why in [limits]."""
    declared = {n for n in arch_names() if ArchLimit.PROT_NONE_NOT_PRESENT in _limits(load_arch(n))}
    assert declared == {"frv", "sparc-srmmu"}


def test_frv_page_none_is_accessed_alone() -> None:
    """frv's PROT_NONE PTE is the frame plus _PAGE_ACCESSED (0x100) only, as its header has it."""
    arch = load_arch("frv")
    # frv 2.6.13: PAGE_NONE = _PAGE_PROTNONE (0) | _PAGE_ACCESSED (xAMPRx_RESERVED8); 16 KB pages.
    assert arch.mk_pte(3, PROT_NONE) == (3 << 14) | 0x100


def test_sparc_srmmu_page_none_has_an_invalid_entry_type() -> None:
    """sparc-srmmu's PROT_NONE PTE is CACHE|PRIV|REF (0xbc) with the ET field 0 (invalid)."""
    arch = load_arch("sparc-srmmu")
    # pgtsrmmu.h: SRMMU_CACHE 0x80, SRMMU_PRIV 0x1c, SRMMU_REF 0x20; the frame sits at bit 8.
    assert arch.mk_pte(3, PROT_NONE) == (3 << 8) | 0xBC
    assert arch.mk_pte(3, PROT_NONE) & 0x3 == 0


def _port_cases() -> list[object]:
    """Each arch with a layout that redefines its predicates, by layout kind."""
    cases: list[object] = []
    gap = pytest.mark.xfail(
        strict=True,
        reason="the port's own PAGE_NONE is not in archs/: the 2.6.13 one is a file PTE",
    )
    for name in arch_names():
        arch = load_arch(name)
        for kind in arch.layout_kinds():
            layout = arch.layout(kind)
            own = (layout.present_clauses, layout.file_clauses, layout.none_clauses)
            if own != (arch.present, arch.file, arch.none):
                marks = [gap] if name in PORT_CHANGED_PAGE_NONE else []
                cases.append(pytest.param(name, kind, marks=marks, id=f"{name}-{kind}"))
    return cases


@pytest.mark.parametrize(("name", "kind"), _port_cases())
def test_port_predicates_keep_every_prot_present(name: str, kind: str) -> None:
    """Under a hand port's own pte_present()/pte_none(), each shared pgprot stays present."""
    arch = load_arch(name)
    layout = arch.layout(kind)
    for prot in PROTS:
        pte = arch.mk_pte(1, prot)
        assert layout.pte_present(pte) and not layout.pte_none(pte), (name, kind, prot)


# Read a page, mprotect it PROT_NONE and back to readable, read it again: change_protection()
# only rewrites present PTEs, so the round trip needs PAGE_NONE to be pte_present().
ROUND_TRIP = """
title = "PROT_NONE and back"
description = "a page mprotect()ed PROT_NONE and back to readable is read again"

[setup]
files = [{ name = "f", pages = 4, fill = "index" }]

[[op]]
do = "mmap"
name = "win"
file = "f"
pages = 4
prot = "rw"
flags = "shared"
expect = "ok"

[[op]]
do = "read"
at = "win"
page = 1
expect = 1

[[op]]
do = "mprotect"
at = "win"
page = 0
pages = 4
prot = "none"
expect = 0

[[op]]
do = "mprotect"
at = "win"
page = 0
pages = 4
prot = "r"
expect = 0

[[op]]
do = "read"
at = "win"
page = 1
expect = 1
"""


@pytest.mark.parametrize("name", arch_names())
def test_prot_none_round_trip_in_the_model(name: str, tmp_path: Path) -> None:
    """The model gives a page its rights back after PROT_NONE, except under the declared limit."""
    scenario = parse_scenario(ROUND_TRIP, tmp_path / "round-trip.toml")
    result = run_scenario(scenario, name, patches=frozenset())
    if ArchLimit.PROT_NONE_NOT_PRESENT in _limits(load_arch(name)):
        assert result.outcome is not Outcome.PASSED, name
    else:
        assert result.outcome is Outcome.PASSED, (name, result)
