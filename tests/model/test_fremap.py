"""remap_file_pages() of the patched model: return codes and what the pages then do."""

from __future__ import annotations

import errno

import pytest

from toolkit.model.emulation import EmulatedSystem
from toolkit.model.include.linux.mm import VM_NONLINEAR, VM_NONUNIFORM
from toolkit.model.include.linux.mman import (
    MAP_NOINHERIT,
    MAP_NONBLOCK,
    MAP_PRIVATE,
    MAP_SHARED,
    PROT_EXEC,
    PROT_NONE,
    PROT_READ,
    PROT_WRITE,
)
from toolkit.model.mm.mmap import find_vma
from toolkit.model.options import Options, parse_patches
from toolkit.model.system import Signal, System

RW = PROT_READ | PROT_WRITE


def _system(patches: str = "all", **kw: object) -> tuple[System, int, int]:
    system = System(Options(patches=parse_patches(patches), **kw))  # type: ignore[arg-type]
    system.create_file("f", 64)
    page = system.PAGE_SIZE
    return system, system.mmap(0, 16 * page, RW, MAP_SHARED, "f", 0), page


def test_prot_without_noinherit_is_einval() -> None:
    """prot != 0 without MAP_NOINHERIT is refused."""
    system, win, page = _system()
    assert system.remap_file_pages(win, page, PROT_READ, 0, 0) == -errno.EINVAL


def test_rights_beyond_vm_may_are_eperm() -> None:
    """A right the VMA may never have (no VM_MAYEXEC on a noexec file) is EPERM."""
    system = System()
    system.create_file("f", 8, noexec=True)
    page = system.PAGE_SIZE
    win = system.mmap(0, 4 * page, RW, MAP_SHARED, "f", 0)
    assert system.remap_file_pages(win, page, PROT_EXEC, 0, MAP_NOINHERIT) == -errno.EPERM


def test_no_opt_in_refuses_the_new_mode() -> None:
    """Without __ARCH_SUPPORTS_VM_NONUNIFORM patch 07 makes MAP_NOINHERIT EINVAL."""
    system, win, page = _system(arch_opt_in=False)
    assert system.remap_file_pages(win, page, PROT_NONE, 0, MAP_NOINHERIT) == -errno.EINVAL
    system, win, page = _system("1-6", arch_opt_in=False)
    assert system.remap_file_pages(win, page, PROT_NONE, 0, MAP_NOINHERIT) == 0


@pytest.mark.parametrize(("patches", "code"), [("all", -errno.EOVERFLOW), ("1-4", -errno.EINVAL)])
def test_unrepresentable_offset(patches: str, code: int) -> None:
    """An offset past PTE_FILE_MAX_BITS is EOVERFLOW with patch 05, EINVAL before."""
    system, win, page = _system(patches)
    big = 1 << system.kernel.pgtable.PTE_FILE_MAX_BITS
    assert system.remap_file_pages(win, page, 0, big - 1, 0) == code


def test_protection_marks_the_vma_nonuniform_and_nonlinear() -> None:
    """A protection other than the default makes the VMA non-uniform (and nonlinear with 11)."""
    system, win, page = _system()
    assert system.remap_file_pages(win, page, PROT_READ, 0, MAP_NOINHERIT) == 0
    vma = find_vma(system.kernel.mms[0], win)
    assert vma is not None and vma.vm_flags & VM_NONUNIFORM and vma.vm_flags & VM_NONLINEAR
    assert system.vma_count() == 1
    system, win, page = _system("all,-11,+17,+18")
    assert system.remap_file_pages(win, page, PROT_READ, 0, MAP_NOINHERIT) == 0
    vma = find_vma(system.kernel.mms[0], win)
    assert vma is not None and vma.vm_flags & VM_NONUNIFORM and not vma.vm_flags & VM_NONLINEAR


def test_protection_survives_swap_out_in_a_file_pte() -> None:
    """After swap-out a PROT_NONE page still refuses access and a read-only one writes."""
    system, win, page = _system()
    assert system.remap_file_pages(win, page, PROT_NONE, 5, MAP_NOINHERIT) == 0
    assert system.remap_file_pages(win + page, page, PROT_READ, 6, MAP_NOINHERIT) == 0
    system.swap_out()
    assert system.read(win) is Signal.SIGSEGV
    assert system.read(win + page) == 6
    assert system.write(win + page, 1) is Signal.SIGSEGV
    assert system.read(win + 2 * page) == 2


def test_mprotect_changes_only_the_default_of_a_nonuniform_vma() -> None:
    """Patch 03: remapped pages keep their protection across mprotect of the VMA."""
    system, win, page = _system()
    assert system.remap_file_pages(win, page, PROT_READ, 0, MAP_NOINHERIT) == 0
    assert system.mprotect(win, 16 * page, PROT_READ) == 0
    assert system.write(win + 3 * page, 9) is Signal.SIGSEGV
    assert system.mprotect(win, 16 * page, RW) == 0
    assert system.write(win, 9) is Signal.SIGSEGV


def test_private_cow_page_is_not_overwritten() -> None:
    """Patch 16: EEXIST rather than dropping a private COW page, present or swapped."""
    system = System()
    system.create_file("f", 8)
    page = system.PAGE_SIZE
    priv = system.mmap(0, 4 * page, RW, MAP_PRIVATE, "f", 0)
    assert system.write(priv, 77) == 0
    assert system.remap_file_pages(priv, page, 0, 0, 0) == -errno.EEXIST
    system.swap_out()
    assert system.remap_file_pages(priv, page, 0, 0, 0) == -errno.EEXIST
    assert system.read(priv) == 77
    assert system.pread("f", 0) == 0


def test_nonblock_does_not_read_the_page() -> None:
    """MAP_NONBLOCK leaves a page that is not in core out of core."""
    system, win, page = _system()
    system.swap_out()
    assert system.remap_file_pages(win, page, PROT_READ, 9, MAP_NOINHERIT | MAP_NONBLOCK) == 0
    assert system.mincore(win + 9 * page, page) == [0]
    assert system.read(win) == 9


def test_emulation_splits_vmas_and_hits_max_map_count() -> None:
    """The emulation needs a VMA per differently protected page and stops at the limit."""
    system = EmulatedSystem(Options(max_map_count=10))
    system.create_file("f", 64)
    page = system.PAGE_SIZE
    win = system.mmap(0, 32 * page, RW, MAP_SHARED, "f", 0)
    codes = [
        system.remap_file_pages(win + i * page, page, PROT_READ, i, MAP_NOINHERIT)
        for i in range(0, 32, 2)
    ]
    assert 0 in codes and codes[-1] == -errno.ENOMEM
    assert system.vma_count() <= 11
    assert system.remap_file_pages(win, page, PROT_READ, 0, 0) == -errno.EINVAL
