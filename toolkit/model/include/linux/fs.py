"""Model of struct inode and struct address_space from include/linux/fs.h."""

from __future__ import annotations

from dataclasses import dataclass, field

from toolkit.model.include.linux.mm import vm_area_struct


@dataclass(eq=False)
class address_space:
    """Model of struct address_space: the page cache of one file and the VMAs mapping it."""

    # MODEL: one byte per page offset says whether the page is in the page cache.
    page_tree: bytearray = field(default_factory=bytearray)
    nrpages: int = 0
    # MODEL: insertion-ordered dicts used as sets stand for the prio tree and the list.
    i_mmap: dict[vm_area_struct, None] = field(default_factory=dict)  # linear VMAs
    i_mmap_nonlinear: dict[vm_area_struct, None] = field(default_factory=dict)


@dataclass(eq=False)
class inode:
    """Model of struct inode of a regular file, with the file's contents."""

    i_ino: int
    name: str
    i_size: int  # bytes
    i_mapping: address_space = field(default_factory=address_space)
    # MODEL: a page of the file holds one int; pages never written hold their own index when
    # below i_fill (the test program's file) and zero otherwise, so a 4 GiB file costs nothing.
    i_data: dict[int, int] = field(default_factory=dict)
    i_fill: int = 0
    # MODEL: O_RDWR or O_RDONLY, which is all mmap looks at (f_mode of the open file).
    f_mode_write: bool = True
    # MODEL: the MNT_NOEXEC of the file's mount.
    noexec: bool = False
    # MODEL: page frames of the file's pages, in runs of PFN_CHUNK (see mm/page_alloc.py).
    i_pfn_chunks: dict[int, int] = field(default_factory=dict)


def file_page_value(ino: inode, index: int) -> int:
    """The int held by page `index` of the file."""
    value = ino.i_data.get(index)
    if value is not None:
        return value
    return index if index < ino.i_fill else 0
