"""Hand-written file-PTE layouts for the tests: correct ones and ones broken on purpose."""

from __future__ import annotations

from toolkit.arch import Arch, Combine, FileLayout, Move, ProtMove


def i386_layout(
    *,
    bits: int = 16,
    encode: tuple[Move, ...] | None = None,
    decode: tuple[Move, ...] | None = None,
    prot: tuple[ProtMove, ...] = (ProtMove("RW", 1, 1),),
    combine: Combine = Combine.OR,
    arch: Arch,
) -> FileLayout:
    """A layout on i386's bits: offset from PTE bit 8, FILE set, RW kept in place by default."""
    encode = encode if encode is not None else (Move(0, bits, 8),)
    decode = decode if decode is not None else tuple(Move(m.dst, m.width, m.src) for m in encode)
    return FileLayout(
        arch=arch.name,
        kind="solver",
        max_bits=bits,
        keeps_prot=bool(prot),
        prot_mask=sum(1 << p.src for p in prot),
        pte_bits=arch.pte_bits,
        encode=encode,
        decode=decode,
        set_mask=arch.mask("FILE"),
        set_names=("FILE",),
        combine=combine,
        prot=prot,
    )


def dropped_bit(arch: Arch) -> FileLayout:
    """The decoder reads one offset bit fewer than the encoder writes (bit 15 is lost)."""
    return i386_layout(arch=arch, decode=(Move(8, 15, 0),))


def unshifted_add(arch: Arch) -> FileLayout:
    """Fields added, the high one without its shift: it lands on the low field and the flags."""
    return i386_layout(
        arch=arch,
        encode=(Move(0, 4, 2), Move(4, 12, 0)),
        decode=(Move(2, 4, 0), Move(8, 12, 4)),
        combine=Combine.ADD,
    )


def prot_on_offset(arch: Arch) -> FileLayout:
    """The kept RW bit stored at PTE bit 9, where offset bit 1 also goes."""
    return i386_layout(arch=arch, prot=(ProtMove("RW", 1, 9),))


def dropped_nx(arch: Arch) -> FileLayout:
    """x86_64's solver layout with its NX move left out: self-consistent, but NX is lost."""
    from dataclasses import replace

    solved = arch.layout("solver")
    prot = tuple(p for p in solved.prot if p.name != "NX")
    return replace(solved, prot=prot, prot_mask=sum(1 << p.src for p in prot))
