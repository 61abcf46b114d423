"""Model of mm/mmap.c: the VMA list, mmap, munmap and the vm.max_map_count limit."""

from __future__ import annotations

import errno
from bisect import bisect_left, bisect_right
from operator import attrgetter

from toolkit.model.include.asm.pgtable import TASK_SIZE
from toolkit.model.include.linux.fs import inode
from toolkit.model.include.linux.mm import (
    VM_ACCOUNT,
    VM_MAYEXEC,
    VM_MAYREAD,
    VM_MAYSHARE,
    VM_MAYWRITE,
    VM_NONLINEAR,
    VM_NONUNIFORM,
    VM_SHARED,
    VM_WRITE,
    calc_vm_prot_bits,
    vm_area_struct,
)
from toolkit.model.include.linux.mman import (
    MAP_FIXED,
    MAP_NONBLOCK,
    MAP_POPULATE,
    MAP_PRIVATE,
    MAP_SHARED,
    MAP_TYPE,
    PROT_EXEC,
    PROT_WRITE,
)
from toolkit.model.include.linux.sched import mm_struct

TASK_UNMAPPED_BASE = 0x40000000
_END = attrgetter("vm_end")
_START = attrgetter("vm_start")


def find_vma(mm: mm_struct, addr: int) -> vm_area_struct | None:
    """Model of find_vma() in mm/mmap.c.

    The first VMA ending above `addr`.
    """
    vmas = mm.mmap
    i = bisect_right(vmas, addr, key=_END)
    return vmas[i] if i < len(vmas) else None


def vm_page_prot_of(mm: mm_struct, vm_flags: int) -> int:
    """Model of protection_map[vm_flags & 0xf]: private mappings never map a page writable."""
    prot = vm_flags & 0x7
    if not vm_flags & VM_SHARED:
        prot &= ~PROT_WRITE
    return mm.kernel.pgtable.normalize(prot)


def _file_list(vma: vm_area_struct) -> dict[vm_area_struct, None]:
    ino = vma.vm_file
    assert ino is not None
    space = ino.i_mapping
    return space.i_mmap_nonlinear if vma.vm_flags & VM_NONLINEAR else space.i_mmap


def vma_link(mm: mm_struct, vma: vm_area_struct) -> None:
    """Model of vma_link() in mm/mmap.c.

    Put `vma` in the mm's list and its file's i_mmap.
    """
    mm.mmap.insert(bisect_left(mm.mmap, vma.vm_start, key=_START), vma)
    mm.map_count += 1
    if vma.vm_file is not None:
        _file_list(vma)[vma] = None


def vma_unlink(mm: mm_struct, vma: vm_area_struct) -> None:
    """Take `vma` out of the mm's list and its file's i_mmap (detach_vmas_to_be_unmapped)."""
    i = bisect_left(mm.mmap, vma.vm_start, key=_START)
    assert mm.mmap[i] is vma, "BUG_ON: VMA list out of order"
    del mm.mmap[i]
    mm.map_count -= 1
    if vma.vm_file is not None:
        del _file_list(vma)[vma]


def vma_set_nonlinear(vma: vm_area_struct) -> None:
    """Set VM_NONLINEAR and move the VMA from i_mmap to i_mmap_nonlinear (mm/fremap.c)."""
    if vma.vm_file is not None:
        del _file_list(vma)[vma]
    vma.vm_flags |= VM_NONLINEAR
    if vma.vm_file is not None:
        _file_list(vma)[vma] = None


def split_vma(mm: mm_struct, vma: vm_area_struct, addr: int, new_below: bool) -> int:
    """Model of split_vma() in mm/mmap.c.

    Cut `vma` at `addr`; -ENOMEM at vm.max_map_count.
    """
    if mm.map_count >= mm.kernel.sysctl_max_map_count:
        return -errno.ENOMEM
    shift = mm.kernel.pgtable.PAGE_SHIFT
    vma_unlink(mm, vma)
    new = vm_area_struct(
        vm_mm=mm,
        vm_start=vma.vm_start,
        vm_end=vma.vm_end,
        vm_pgoff=vma.vm_pgoff,
        vm_flags=vma.vm_flags,
        vm_page_prot=vma.vm_page_prot,
        vm_file=vma.vm_file,
        anon_vma=vma.anon_vma,
    )
    if new_below:
        new.vm_end = addr
        vma.vm_start = addr
        vma.vm_pgoff += (addr - new.vm_start) >> shift
    else:
        new.vm_start = addr
        new.vm_pgoff += (addr - vma.vm_start) >> shift
        vma.vm_end = addr
    vma_link(mm, vma)
    vma_link(mm, new)
    return 0


def _can_merge(prev: vm_area_struct, nxt: vm_area_struct, shift: int) -> bool:
    if prev.vm_end != nxt.vm_start or prev.vm_file is not nxt.vm_file:
        return False
    if prev.vm_flags != nxt.vm_flags or prev.vm_page_prot != nxt.vm_page_prot:
        return False
    # MODEL: VMAs with COW pages, nonlinear or non-uniform ones are never merged.
    if prev.anon_vma or nxt.anon_vma or prev.vm_flags & (VM_NONLINEAR | VM_NONUNIFORM):
        return False
    return prev.vm_pgoff + ((prev.vm_end - prev.vm_start) >> shift) == nxt.vm_pgoff


def vma_merge(mm: mm_struct, vma: vm_area_struct) -> vm_area_struct:
    """Model of vma_merge() in mm/mmap.c.

    Join `vma` with compatible neighbours; the VMA that remains.
    """
    shift = mm.kernel.pgtable.PAGE_SHIFT
    i = bisect_left(mm.mmap, vma.vm_start, key=_START)
    if i + 1 < len(mm.mmap) and _can_merge(vma, mm.mmap[i + 1], shift):
        nxt = mm.mmap[i + 1]
        vma_unlink(mm, nxt)
        vma.vm_end = nxt.vm_end
    if i > 0 and _can_merge(mm.mmap[i - 1], vma, shift):
        prev = mm.mmap[i - 1]
        vma_unlink(mm, vma)
        prev.vm_end = vma.vm_end
        return prev
    return vma


def get_unmapped_area(mm: mm_struct, addr: int, length: int, flags: int) -> int:
    """Model of get_unmapped_area() in mm/mmap.c.

    MODEL: bottom-up first fit from TASK_UNMAPPED_BASE, the legacy layout, on every arch.
    """
    pt = mm.kernel.pgtable
    if length > TASK_SIZE:
        return -errno.ENOMEM
    if flags & MAP_FIXED:
        if addr & ~pt.PAGE_MASK:
            return -errno.EINVAL
        if addr > TASK_SIZE - length:
            return -errno.ENOMEM
        return addr
    if addr:
        addr = (addr + pt.PAGE_SIZE - 1) & pt.PAGE_MASK
        vma = find_vma(mm, addr)
        if TASK_SIZE - length >= addr and (vma is None or addr + length <= vma.vm_start):
            return addr
    addr = TASK_UNMAPPED_BASE
    i = bisect_right(mm.mmap, addr, key=_END)
    for vma in mm.mmap[i:]:
        if addr + length <= vma.vm_start:
            break
        addr = max(addr, vma.vm_end)
    if addr + length > TASK_SIZE:
        return -errno.ENOMEM
    return addr


def do_mmap_pgoff(
    mm: mm_struct, file: inode, addr: int, length: int, prot: int, flags: int, pgoff: int
) -> int:
    """Model of do_mmap_pgoff() in mm/mmap.c.

    The address, or -errno. MODEL: current->mm is passed as `mm`.
    """
    kernel = mm.kernel
    pt = kernel.pgtable
    if not length:
        return -errno.EINVAL
    length = (length + pt.PAGE_SIZE - 1) & pt.PAGE_MASK
    if not length or length > TASK_SIZE:
        return -errno.ENOMEM
    if pgoff + (length >> pt.PAGE_SHIFT) >= 1 << pt.BITS_PER_LONG:
        return -errno.EOVERFLOW
    if mm.map_count > kernel.sysctl_max_map_count:
        return -errno.ENOMEM
    addr = get_unmapped_area(mm, addr, length, flags)
    if addr < 0:
        return addr
    vm_flags = calc_vm_prot_bits(prot) | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC
    # MODEL: file->f_vfsmnt's MNT_NOEXEC stands as the file's own flag.
    if file.noexec:
        if prot & PROT_EXEC:
            return -errno.EPERM
        vm_flags &= ~VM_MAYEXEC
    kind = flags & MAP_TYPE
    if kind == MAP_SHARED:
        if prot & PROT_WRITE and not file.f_mode_write:
            return -errno.EACCES
        vm_flags |= VM_SHARED | VM_MAYSHARE
        if not file.f_mode_write:
            vm_flags &= ~(VM_MAYWRITE | VM_SHARED)
    elif kind != MAP_PRIVATE:
        return -errno.EINVAL
    # A private writable mapping is charged to the commit, and its VMA carries VM_ACCOUNT from
    # then on (a shared one only borrows the flag for shmem and loses it once mapped), so it
    # merges with no unaccounted neighbour. MODEL: no MAP_NORESERVE, and the charge never fails.
    if not vm_flags & VM_SHARED and vm_flags & VM_WRITE:
        vm_flags |= VM_ACCOUNT
    return mmap_region(mm, file, addr, length, flags, vm_flags, pgoff)


def mmap_region(
    mm: mm_struct,
    file: inode,
    addr: int,
    length: int,
    flags: int,
    vm_flags: int,
    pgoff: int,
) -> int:
    """Model of the second half of do_mmap_pgoff(): replace what was there, link, populate."""
    vma = find_vma(mm, addr)
    if vma is not None and vma.vm_start < addr + length:
        err = do_munmap(mm, addr, length)
        if err:
            return err
    new = vm_area_struct(
        vm_mm=mm,
        vm_start=addr,
        vm_end=addr + length,
        vm_pgoff=pgoff,
        vm_flags=vm_flags,
        vm_page_prot=vm_page_prot_of(mm, vm_flags),
        vm_file=file,
    )
    vma_link(mm, new)
    vma_merge(mm, new)
    if flags & MAP_POPULATE:
        from toolkit.model.mm.fremap import sys_remap_file_pages

        # As 2.6.13 does, and patch 06 makes work for private mappings too; errors are ignored.
        sys_remap_file_pages(mm, addr, length, 0, pgoff, flags & MAP_NONBLOCK)
    return addr


def do_munmap(mm: mm_struct, start: int, length: int) -> int:
    """Model of do_munmap() in mm/mmap.c.

    Split at the edges, zap, unlink.
    """
    from toolkit.model.mm.memory import zap_page_range

    pt = mm.kernel.pgtable
    if start & ~pt.PAGE_MASK or start > TASK_SIZE or length > TASK_SIZE - start:
        return -errno.EINVAL
    length = (length + pt.PAGE_SIZE - 1) & pt.PAGE_MASK
    if not length:
        return -errno.EINVAL
    end = start + length
    vma = find_vma(mm, start)
    if vma is None or vma.vm_start >= end:
        return 0
    if start > vma.vm_start:
        err = split_vma(mm, vma, start, False)
        if err:
            return err
    last = find_vma(mm, end)
    if last is not None and end > last.vm_start:
        err = split_vma(mm, last, end, True)
        if err:
            return err
    i = bisect_left(mm.mmap, start, key=_START)
    doomed = []
    while i < len(mm.mmap) and mm.mmap[i].vm_end <= end:
        doomed.append(mm.mmap[i])
        i += 1
    for vma in doomed:
        # A real unmap: no details, so file PTEs go too (patch 18's must_unmap).
        zap_page_range(vma, vma.vm_start, vma.vm_end - vma.vm_start, None)
        vma_unlink(mm, vma)
    return 0


def exit_mmap(mm: mm_struct) -> None:
    """Model of exit_mmap() in mm/mmap.c.

    Unmap everything the process has.
    """
    from toolkit.model.mm.memory import zap_page_range

    for vma in list(mm.mmap):
        zap_page_range(vma, vma.vm_start, vma.vm_end - vma.vm_start, None)
        vma_unlink(mm, vma)
    mm.pgd.clear()
