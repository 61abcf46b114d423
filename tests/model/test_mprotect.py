"""VM_ACCOUNT: mmap() and mprotect() mark a private writable VMA, and merging respects it."""

from __future__ import annotations

import pytest

from toolkit.model.emulation import EmulatedSystem
from toolkit.model.include.linux.mm import VM_ACCOUNT
from toolkit.model.include.linux.mman import (
    MAP_PRIVATE,
    MAP_SHARED,
    PROT_NONE,
    PROT_READ,
    PROT_WRITE,
)
from toolkit.model.mm.mmap import find_vma
from toolkit.model.system import System

RW = PROT_READ | PROT_WRITE
BOTH = pytest.mark.parametrize("cls", [System, EmulatedSystem])


def _accounted(system: System, addr: int) -> bool:
    vma = find_vma(system.kernel.mms[0], addr)
    assert vma is not None and vma.vm_start <= addr
    return bool(vma.vm_flags & VM_ACCOUNT)


@BOTH
def test_mmap_accounts_private_writable_only(cls: type[System]) -> None:
    """Only a private mapping with PROT_WRITE starts out accounted; shared ones never are."""
    system = cls()
    system.create_file("f", 16)
    page = system.PAGE_SIZE
    cases = [(MAP_PRIVATE, RW, True), (MAP_PRIVATE, PROT_READ, False), (MAP_SHARED, RW, False)]
    for flags, prot, accounted in cases:
        addr = system.mmap(0, 2 * page, prot, flags, "f", 0)
        assert _accounted(system, addr) is accounted, (flags, prot)


@BOTH
def test_account_outlives_write_right_and_blocks_merge(cls: type[System]) -> None:
    """The diff-kernel repro: page 1 made rw then both made r stays a VMA of its own."""
    system = cls()
    system.create_file("f", 8)
    page = system.PAGE_SIZE
    p = system.mmap(0, 2 * page, PROT_NONE, MAP_PRIVATE, "f", 0)
    assert system.mprotect(p + page, page, RW) == 0
    assert system.mprotect(p, 2 * page, PROT_READ) == 0
    assert (_accounted(system, p), _accounted(system, p + page)) == (False, True)
    assert system.vma_count() == 2
    # Once page 0 has been writable too, the flags are equal again and the VMAs join.
    assert system.mprotect(p, page, RW) == 0
    assert system.mprotect(p, 2 * page, PROT_READ) == 0
    assert system.vma_count() == 1
    assert [system.read(p + i * page) for i in range(2)] == [0, 1]


def test_shared_mapping_made_writable_is_not_accounted() -> None:
    """mprotect() charges only private mappings: a shared one merges back after rw and r."""
    system = System()
    system.create_file("f", 8)
    page = system.PAGE_SIZE
    win = system.mmap(0, 2 * page, PROT_READ, MAP_SHARED, "f", 0)
    assert system.mprotect(win + page, page, RW) == 0
    assert system.vma_count() == 2
    assert system.mprotect(win, 2 * page, PROT_READ) == 0
    assert system.vma_count() == 1
    assert not _accounted(system, win)
