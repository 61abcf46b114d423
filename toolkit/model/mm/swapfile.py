"""Model of mm/swapfile.c: one swap device holding anonymous pages' values."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(eq=False)
class swap_info_struct:
    """Model of struct swap_info_struct: slot offset -> [value, users]."""

    # MODEL: a single swap device (type 0), no swap cache: a page leaves swap when read back.
    slots: dict[int, list[int]] = field(default_factory=dict)
    next_offset: int = 1


def get_swap_page(si: swap_info_struct, value: int) -> int:
    """Model of get_swap_page() in mm/swapfile.c.

    Plus the write-out: a slot holding `value` for one user.
    """
    offset = si.next_offset
    si.next_offset += 1
    si.slots[offset] = [value, 1]
    return offset


def swap_duplicate(si: swap_info_struct, offset: int) -> None:
    """Model of swap_duplicate() in mm/swapfile.c.

    One more PTE refers to the slot (fork).
    """
    si.slots[offset][1] += 1


def swap_free(si: swap_info_struct, offset: int) -> None:
    """Model of swap_free() in mm/swapfile.c.

    One PTE less refers to the slot.
    """
    slot = si.slots[offset]
    slot[1] -= 1
    if slot[1] == 0:
        del si.slots[offset]


def read_swap_page(si: swap_info_struct, offset: int) -> int:
    """The value written to a slot; a missing slot is a BUG_ON in the model."""
    return si.slots[offset][0]
