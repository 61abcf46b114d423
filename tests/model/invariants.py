"""Checks that must hold in a model kernel after every step."""

from __future__ import annotations

from collections import Counter

from toolkit.model.include.asm.pgtable import PTRS_PER_PTE
from toolkit.model.mm import page_alloc
from toolkit.model.system import System


def check_invariants(system: System) -> None:
    """VMAs sorted and disjoint, every PTE decodes and lies in a VMA, counters agree."""
    kernel = system.kernel
    pt = kernel.pgtable
    mem = kernel.mem
    anon_users: Counter[int] = Counter()
    swap_users: Counter[int] = Counter()
    for pid, mm in kernel.mms.items():
        assert mm.map_count == len(mm.mmap), f"pid {pid}: map_count out of step"
        for vma in mm.mmap:
            assert vma.vm_start < vma.vm_end, f"pid {pid}: empty VMA"
            assert vma.vm_start % pt.PAGE_SIZE == 0 and vma.vm_end % pt.PAGE_SIZE == 0
        for prev, nxt in zip(mm.mmap, mm.mmap[1:], strict=False):
            assert prev.vm_end <= nxt.vm_start, f"pid {pid}: VMAs overlap or are unsorted"
        present = 0
        for key, table in mm.pgd.items():
            for index in range(PTRS_PER_PTE):
                pte = table[index]
                if pte == pt.PTE_NONE:
                    continue
                addr = ((key << (pt.PMD_SHIFT - pt.PAGE_SHIFT)) + index) << pt.PAGE_SHIFT
                assert any(v.vm_start <= addr < v.vm_end for v in mm.mmap), (
                    f"pid {pid}: PTE {pte:#x} at {addr:#x} outside every VMA"
                )
                kind = pt.pte_kind(pte)
                if kind == "present":
                    present += 1
                    pfn = pt.pte_pfn(pte)
                    if page_alloc.page_mapping(mem, pfn) is None:
                        assert pfn in mem.anon_value, f"PTE {pte:#x} maps a freed page"
                        anon_users[pfn] += 1
                elif kind == "file":
                    assert pt.pte_to_pgoff(pte) < 1 << pt.PTE_FILE_MAX_BITS
                    if pt.keeps_prot:
                        pt.pte_to_pgprot(pte)
                else:
                    offset = pt.pte_to_swp_entry(pte)[1]
                    assert offset in kernel.swap.slots, f"PTE {pte:#x}: no such swap slot"
                    swap_users[offset] += 1
        assert present == mm.rss, f"pid {pid}: rss {mm.rss}, present PTEs {present}"
    assert dict(anon_users) == mem.anon_mapcount, "anonymous map counts out of step"
    assert {o: s[1] for o, s in kernel.swap.slots.items()} == dict(swap_users)
    for ino in kernel.files.values():
        assert ino.i_mapping.nrpages == sum(ino.i_mapping.page_tree)
