"""madvise(): the read-ahead hints split and merge VMAs as 2.6.13's madvise_behavior() does."""

from __future__ import annotations

import errno

import pytest

from toolkit.model.emulation import EmulatedSystem
from toolkit.model.include.linux.mm import VM_RAND_READ, VM_READHINTMASK, VM_SEQ_READ
from toolkit.model.include.linux.mman import (
    MADV_DONTNEED,
    MADV_NORMAL,
    MADV_RANDOM,
    MADV_SEQUENTIAL,
    MADV_WILLNEED,
    MAP_SHARED,
    PROT_EXEC,
    PROT_READ,
)
from toolkit.model.mm.mmap import find_vma
from toolkit.model.options import Options
from toolkit.model.system import System

RX = PROT_READ | PROT_EXEC
BOTH = pytest.mark.parametrize("cls", [System, EmulatedSystem])


def _setup(cls: type[System], max_map_count: int | None = None) -> tuple[System, int, int]:
    options = Options() if max_map_count is None else Options(max_map_count=max_map_count)
    system = cls(options)
    system.create_file("f", 8)
    page = system.PAGE_SIZE
    return system, system.mmap(0, 4 * page, RX, MAP_SHARED, "f", 0), page


def _hint(system: System, addr: int) -> int:
    vma = find_vma(system.kernel.mms[0], addr)
    assert vma is not None and vma.vm_start <= addr
    return vma.vm_flags & VM_READHINTMASK


@BOTH
def test_random_splits_and_remap_across_is_einval(cls: type[System]) -> None:
    """The diff-kernel repro: MADV_RANDOM on pages 0-1 makes two VMAs; a remap of 1-3 fails."""
    system, m, page = _setup(cls)
    assert system.madvise(m, 2 * page, MADV_RANDOM) == 0
    assert system.vma_count() == 2
    assert (_hint(system, m), _hint(system, m + 2 * page)) == (VM_RAND_READ, 0)
    assert system.remap_file_pages(m + page, 3 * page, 0, 5, 0) == -errno.EINVAL


@BOTH
def test_hints_replace_each_other_and_normal_merges(cls: type[System]) -> None:
    """SEQUENTIAL replaces RANDOM; NORMAL clears both and the parts merge into one VMA."""
    system, m, page = _setup(cls)
    assert system.madvise(m + page, page, MADV_RANDOM) == 0
    assert system.vma_count() == 3
    assert system.madvise(m + page, page, MADV_SEQUENTIAL) == 0
    assert _hint(system, m + page) == VM_SEQ_READ
    assert system.vma_count() == 3
    assert system.madvise(m, 4 * page, MADV_NORMAL) == 0
    assert system.vma_count() == 1
    assert system.remap_file_pages(m + page, 3 * page, 0, 5, 0) == 0
    assert [system.read(m + i * page) for i in range(4)] == [0, 5, 6, 7]


@BOTH
def test_advice_that_changes_no_flag_splits_nothing(cls: type[System]) -> None:
    """NORMAL on an unhinted VMA, the same hint twice, WILLNEED and DONTNEED keep one VMA."""
    system, m, page = _setup(cls)
    for advice in (MADV_NORMAL, MADV_WILLNEED, MADV_DONTNEED):
        assert system.madvise(m + page, page, advice) == 0
        assert system.vma_count() == 1
    assert system.madvise(m, 4 * page, MADV_RANDOM) == 0
    assert system.madvise(m + page, page, MADV_RANDOM) == 0
    assert system.vma_count() == 1


def test_split_refused_at_max_map_count_is_eagain() -> None:
    """A hint that needs a VMA past vm.max_map_count gives -EAGAIN and leaves the VMA whole."""
    system, m, page = _setup(System, max_map_count=1)
    assert system.madvise(m + page, page, MADV_RANDOM) == -errno.EAGAIN
    assert system.vma_count() == 1
    assert _hint(system, m) == 0


@BOTH
def test_hint_over_a_hole_is_enomem_but_applied(cls: type[System]) -> None:
    """Unmapped pages in the range give -ENOMEM, after the mapped ones got the hint."""
    system, m, page = _setup(cls)
    assert system.munmap(m + page, page) == 0
    assert system.madvise(m, 4 * page, MADV_SEQUENTIAL) == -errno.ENOMEM
    assert (_hint(system, m), _hint(system, m + 2 * page)) == (VM_SEQ_READ, VM_SEQ_READ)
