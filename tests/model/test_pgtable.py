"""The model's PTE words are the arch's: made and read through toolkit.arch."""

from __future__ import annotations

import random

import pytest

from toolkit.arch import PROT_KEYS, arch_names, load_arch
from toolkit.model.include.asm.pgtable import Pgtable
from toolkit.model.include.linux.mman import PROT_NONE, PROT_READ, PROT_WRITE
from toolkit.model.system import System

ARCHES = ["i386", "x86_64", "um", "ppc64", "ia64"]


def _solved_arches() -> list[str]:
    return [name for name in arch_names() if not load_arch(name).unsolved]


@pytest.mark.parametrize("arch", _solved_arches())
def test_file_pte_round_trip(arch: str) -> None:
    """A file PTE gives back its offset and every right the page had, exec included."""
    a = load_arch(arch)
    pt = Pgtable(a, a.layout("solver"))
    for prot in range(8):
        for pgoff in (0, 1, 12345 % (1 << pt.PTE_FILE_MAX_BITS), (1 << pt.PTE_FILE_MAX_BITS) - 1):
            pte = pt.pgoff_prot_to_pte(pgoff, prot)
            assert pt.pte_kind(pte) == "file"
            assert pt.pte_to_pgoff(pte) == pgoff
            # prot.keep must hold whatever the MMU tells apart, or a page swapped out
            # read-only comes back executable (x86_64's NX, ppc64's EXEC, ia64's AR field).
            assert pt.pte_to_pgprot(pte) == pt.normalize(prot), PROT_KEYS[prot]


@pytest.mark.parametrize("arch", ARCHES)
def test_present_pte_keeps_frame_and_rights(arch: str) -> None:
    """mk_pte() and pte_pfn()/pte_prot() agree for every frame the model can hand out."""
    a = load_arch(arch)
    pt = Pgtable(a, a.layout("solver"))
    for pfn in (1, 1024, pt.max_pfn):
        for prot in (PROT_READ, PROT_READ | PROT_WRITE):
            pte = pt.mk_pte(pfn, pt.normalize(prot))
            assert pt.pte_kind(pte) == "present"
            assert pt.pte_pfn(pte) == pfn
            assert pt.pte_prot(pte) == pt.normalize(prot)


def test_stored_words_are_the_arch_encoding() -> None:
    """After a remap the page table holds exactly the arch's file PTE for offset and prot."""
    system = System()
    system.create_file("f", 64)
    page = system.PAGE_SIZE
    win = system.mmap(0, 4 * page, PROT_READ | PROT_WRITE, 1, "f", 0)
    assert system.remap_file_pages(win, page, PROT_READ, 40, 0x30000) == 0  # NOINHERIT|NONBLOCK
    mm = system.kernel.mms[0]
    pt = system.kernel.pgtable
    table = mm.pgd[win >> pt.PMD_SHIFT]
    word = table[(win >> pt.PAGE_SHIFT) & 1023]
    arch = load_arch("i386")
    assert word == arch.layout("solver").pgoff_prot_to_pte(40, arch.pgprot(PROT_READ))


def test_page_tables_are_compact() -> None:
    """Page tables are arrays of machine words, one per page, not objects."""
    system = System()
    system.create_file("f", 4096)
    page = system.PAGE_SIZE
    win = system.mmap(0, 4096 * page, PROT_NONE, 1, "f", 0)
    for i in range(0, 4096, 2):
        assert system.remap_file_pages(win + i * page, page, PROT_READ, i, 0x30000) == 0
    tables = system.kernel.mms[0].pgd.values()
    assert len(tables) == 4
    assert all(t.itemsize * len(t) == 4 * 1024 for t in tables)


@pytest.mark.parametrize("arch", [*ARCHES, "s390", "xtensa", "sparc64"])
def test_compiled_predicates_agree_with_the_arch(arch: str) -> None:
    """The model's one-mask pte_present/pte_file/pte_none say what toolkit.arch says."""
    a = load_arch(arch)
    layout = a.layout("solver")
    pt = Pgtable(a, layout)
    present = layout.pte_present if layout.present_clauses else a.pte_present
    file = layout.pte_file if layout.file_clauses else a.pte_file
    rng = random.Random(arch)
    for _ in range(3000):
        pte = rng.getrandbits(a.pte_bits)
        assert pt.pte_present(pte) == present(pte)
        assert pt.pte_file(pte) == file(pte)
        assert pt.pte_none(pte) == a.pte_none(pte)
    assert pt.pte_kind(pt.PTE_NONE) == "none"
