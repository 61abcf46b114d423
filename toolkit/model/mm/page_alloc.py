"""Model of the page allocator (mm/page_alloc.c) and of struct page's mapping/index fields.

MODEL: page frames come in runs of PFN_CHUNK. A file's pages own the runs covering their
offsets, so a page-cache page's frame number is computed, never stored per page; anonymous
pages (COW copies, swapped-in pages) take frames from anonymous runs and keep their int value
and map count in dicts. Frame 0 is never handed out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from toolkit.model.include.linux.fs import file_page_value, inode

PFN_CHUNK_SHIFT = 10
PFN_CHUNK = 1 << PFN_CHUNK_SHIFT


@dataclass(eq=False)
class mem_map_t:
    """Model of mem_map: who owns each run of page frames, and the anonymous pages."""

    max_pfn: int
    # Per run: the file owning it and the file page index of its first frame, or None (anon).
    chunk_inode: list[inode | None] = field(default_factory=lambda: [None])
    chunk_first: list[int] = field(default_factory=lambda: [0])
    anon_value: dict[int, int] = field(default_factory=dict)
    anon_mapcount: dict[int, int] = field(default_factory=dict)
    anon_free: list[int] = field(default_factory=list)


def _new_chunk(mem: mem_map_t, owner: inode | None, first: int) -> int:
    """The first frame of a fresh run, or -1 when the arch's frame numbers are used up."""
    chunk = len(mem.chunk_inode)
    if ((chunk + 1) << PFN_CHUNK_SHIFT) - 1 > mem.max_pfn:
        return -1
    mem.chunk_inode.append(owner)
    mem.chunk_first.append(first)
    return chunk << PFN_CHUNK_SHIFT


def file_page_pfn(mem: mem_map_t, ino: inode, index: int) -> int:
    """The frame of page-cache page `index` of `ino` (-1 when out of frames)."""
    chunk = index >> PFN_CHUNK_SHIFT
    base = ino.i_pfn_chunks.get(chunk)
    if base is None:
        base = _new_chunk(mem, ino, chunk << PFN_CHUNK_SHIFT)
        if base < 0:
            return -1
        ino.i_pfn_chunks[chunk] = base
    return base + (index & (PFN_CHUNK - 1))


def page_mapping(mem: mem_map_t, pfn: int) -> inode | None:
    """Model of page_mapping() in include/linux/mm.h.

    The file of a page-cache page, None for an anonymous page.
    """
    return mem.chunk_inode[pfn >> PFN_CHUNK_SHIFT]


def page_index(mem: mem_map_t, pfn: int) -> int:
    """Model of page->index of a page-cache page."""
    return mem.chunk_first[pfn >> PFN_CHUNK_SHIFT] + (pfn & (PFN_CHUNK - 1))


def _bad_page(pfn: int) -> AssertionError:
    return AssertionError(
        f"BUG_ON: page frame {pfn} is not in use (a file or swap PTE read as a present one?)"
    )


def page_value(mem: mem_map_t, pfn: int) -> int:
    """The int a page holds: the file's data for a page-cache page."""
    ino = mem.chunk_inode[pfn >> PFN_CHUNK_SHIFT]
    if ino is None:
        if pfn not in mem.anon_value:
            raise _bad_page(pfn)
        return mem.anon_value[pfn]
    return file_page_value(ino, page_index(mem, pfn))


def set_page_value(mem: mem_map_t, pfn: int, value: int) -> None:
    """Store `value` in a page; a page-cache page writes through to the file's data."""
    ino = mem.chunk_inode[pfn >> PFN_CHUNK_SHIFT]
    if ino is None:
        mem.anon_value[pfn] = value
    else:
        # MODEL: page-cache pages are never dirty apart from the file: writeback is instant.
        ino.i_data[page_index(mem, pfn)] = value


def alloc_page(mem: mem_map_t, value: int) -> int:
    """Model of alloc_page() in include/linux/gfp.h.

    For an anonymous page holding `value` (-1 when out of frames).
    """
    if not mem.anon_free:
        base = _new_chunk(mem, None, 0)
        if base < 0:
            return -1
        mem.anon_free.extend(range(base + PFN_CHUNK - 1, base - 1, -1))
    pfn = mem.anon_free.pop()
    mem.anon_value[pfn] = value
    mem.anon_mapcount[pfn] = 1
    return pfn


def page_dup_anon(mem: mem_map_t, pfn: int) -> None:
    """One more PTE maps anonymous page `pfn` (fork)."""
    if pfn not in mem.anon_mapcount:
        raise _bad_page(pfn)
    mem.anon_mapcount[pfn] += 1


def check_page(mem: mem_map_t, pfn: int) -> int:
    """`pfn` itself, once sure it is a page in use; a BUG_ON otherwise (pfn_valid())."""
    if pfn >> PFN_CHUNK_SHIFT >= len(mem.chunk_inode):
        raise _bad_page(pfn)
    if mem.chunk_inode[pfn >> PFN_CHUNK_SHIFT] is None and pfn not in mem.anon_mapcount:
        raise _bad_page(pfn)
    return pfn


def page_remove_anon(mem: mem_map_t, pfn: int) -> None:
    """One PTE less maps anonymous page `pfn`; the last one frees it."""
    if pfn not in mem.anon_mapcount:
        raise _bad_page(pfn)
    count = mem.anon_mapcount[pfn] - 1
    if count:
        mem.anon_mapcount[pfn] = count
        return
    del mem.anon_mapcount[pfn]
    del mem.anon_value[pfn]
    mem.anon_free.append(pfn)
