"""What each PTE bit of a file-PTE layout holds: the common ground of the C comment and the SVG."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from toolkit.arch import Arch, FileLayout


class Role(Enum):
    """The kind of content of one PTE bit in a file PTE."""

    OFFSET = "offset"
    PROT = "prot"
    CONSTANT = "constant"  # set by the encoder: the file bit
    TESTED = "tested"  # kept 0: a predicate tests it
    RESERVED = "reserved"
    UNUSED = "unused"


@dataclass(frozen=True, slots=True)
class BitRole:
    """One PTE bit of a layout: its role, a short label and a one-line explanation."""

    bit: int
    role: Role
    label: str
    detail: str


def bit_roles(arch: Arch, layout: FileLayout) -> tuple[BitRole, ...]:
    """The role of every PTE bit of `layout`, bit 0 first."""
    tested = 0
    named: set[str] = set()  # the names an `any` clause tests, preferred as labels
    for clause in (*arch.present, *arch.file):
        tested |= clause.mask
        named.update(clause.names)
    reserved = set(arch.reserved)
    offset_at: dict[int, int] = {}
    for move in layout.encode:
        for i in range(move.width):
            offset_at.setdefault(move.dst + i, move.src + i)
    prot_at = {p.dst: p for p in layout.prot}
    roles: list[BitRole] = []
    for bit in range(arch.pte_bits):
        names = "/".join(arch.bit_names(bit))
        if bit in prot_at:
            p = prot_at[bit]
            where = "" if p.src == bit else f", moved from bit {p.src}"
            roles.append(BitRole(bit, Role.PROT, p.name, f"kept protection bit {p.name}{where}"))
        elif layout.set_mask >> bit & 1:
            label = next((n for n in layout.set_names if arch.mask(n) >> bit & 1), names or "1")
            roles.append(BitRole(bit, Role.CONSTANT, label, f"{label}: constant 1"))
        elif bit in offset_at:
            n = offset_at[bit]
            roles.append(BitRole(bit, Role.OFFSET, str(n), f"pgoff bit {n}"))
        elif bit in reserved:
            roles.append(BitRole(bit, Role.RESERVED, "res", f"{names or 'reserved'}: reserved, 0"))
        elif tested >> bit & 1:
            label = next((n for n in arch.bit_names(bit) if n in named), names or "0")
            roles.append(BitRole(bit, Role.TESTED, label, f"{names}: 0, tested by a predicate"))
        else:
            roles.append(BitRole(bit, Role.UNUSED, "", f"{names or 'unused'}: unused, 0"))
    if layout.explanation:
        roles = [
            BitRole(r.bit, r.role, r.label, line.split(maxsplit=2)[2])
            for r, line in zip(roles, layout.explanation, strict=True)
        ]
    return tuple(roles)
