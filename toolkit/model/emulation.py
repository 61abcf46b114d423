"""The emulation model: the same API on an unpatched kernel, per-page protections as VMAs.

What an unpatched kernel offers, and what UML does without the series: a page that needs its own
protection gets its own VMA, made by mmap(MAP_FIXED|MAP_SHARED) over it, until
vm.max_map_count says -ENOMEM. remap_file_pages() itself behaves as Linux has emulated it since
4.0: prot must be 0 and the mapping shared, else -EINVAL, and the range is mmap()ed again.

Where the two models differ by design (the property tests skip or expect these):
- VMA counts: one VMA per run of equally protected pages here, one VMA there;
- mprotect() over pages that were given their own protection: here it overrides them (they are
  plain VMAs), there a non-uniform VMA only changes its default (patch 03);
- -ENOMEM at vm.max_map_count here, where the patched kernel needs no new VMA;
- -EOVERFLOW: this side never stores an offset in a PTE, so no offset is too big;
- mincore() of a remapped page: here the VMA is linear, so the page looked up is the one mapped.
"""

from __future__ import annotations

import errno
from dataclasses import replace

from toolkit.model.include.linux.mm import VM_SHARED
from toolkit.model.include.linux.mman import (
    MAP_FIXED,
    MAP_NOINHERIT,
    MAP_NONBLOCK,
    MAP_POPULATE,
    MAP_SHARED,
)
from toolkit.model.mm.mmap import do_mmap_pgoff, find_vma
from toolkit.model.options import Options
from toolkit.model.system import System


class EmulatedSystem(System):
    """The process-level API of an unpatched kernel (no patch of the series applied)."""

    emulated = True

    def _kernel_options(self, options: Options) -> Options:
        return replace(options, patches=frozenset())

    def remap_file_pages(
        self, start: int, size: int, prot: int, pgoff: int, flags: int, pid: int = 0
    ) -> int:
        """remap_file_pages(2) as emulated by mmap(); MAP_NOINHERIT requests are UML's mmap()."""
        mm = self._mm(pid)
        pt = self.kernel.pgtable
        ulong = (1 << pt.BITS_PER_LONG) - 1
        start, size, pgoff = start & ulong, size & ulong, pgoff & ulong
        if flags & MAP_NOINHERIT:
            # MODEL: no unpatched kernel knows MAP_NOINHERIT; such a request stands for what
            # UML does instead: map the file page again, alone, with its own protection.
            vma = find_vma(mm, start)
            if vma is None or vma.vm_file is None or start < vma.vm_start:
                return -errno.EINVAL
            if not vma.vm_flags & VM_SHARED:
                return -errno.EINVAL
            if prot & ~0x7:
                return -errno.EINVAL
            got = do_mmap_pgoff(mm, vma.vm_file, start, size, prot, MAP_SHARED | MAP_FIXED, pgoff)
            return got if got < 0 else 0
        if prot:
            return -errno.EINVAL
        start &= pt.PAGE_MASK
        size &= pt.PAGE_MASK
        if start + size <= start or start + size > ulong:
            return -errno.EINVAL
        if pgoff + (size >> pt.PAGE_SHIFT) > ulong:
            return -errno.EINVAL
        vma = find_vma(mm, start)
        if vma is None or vma.vm_file is None or not vma.vm_flags & VM_SHARED:
            return -errno.EINVAL
        if start < vma.vm_start:
            return -errno.EINVAL
        # The range may span VMAs made by earlier calls, if they all map the same file alike.
        end = vma.vm_end
        while start + size > end:
            nxt = find_vma(mm, end)
            if (
                nxt is None
                or nxt.vm_start != end
                or nxt.vm_file is not vma.vm_file
                or nxt.vm_flags != vma.vm_flags
            ):
                return -errno.EINVAL
            end = nxt.vm_end
        got = do_mmap_pgoff(
            mm,
            vma.vm_file,
            start,
            size,
            vma.vm_flags & 0x7,
            MAP_SHARED | MAP_FIXED | MAP_POPULATE | (flags & MAP_NONBLOCK),
            pgoff,
        )
        return got if got < 0 else 0
