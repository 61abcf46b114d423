"""The layout solver: the patched file-PTE layout computed from an arch's facts alone.

Rules, in order:
1. constant bits: what the first clause of pte_file() needs (its bit, or its `equals` value);
2. forbidden: every bit pte_present() or pte_file() tests, every bit pte_none() tests beyond
   its all-zero check (parisc's FLUSH), and the reserved bits, so that neither offset nor
   protection can change what the predicates say about a file PTE;
3. each kept protection bit at its own position when that position is free and not tested by
   pte_present(), else on the lowest free position;
4. where the constant bits alone read as pte_none(), the lowest free bit that the all-zero
   check looks at becomes a constant 1 as well;
5. offset bits on the remaining free positions, low to high, at most BITS_PER_LONG of them.
The same inputs always give the same layout, and each PTE bit gets one line of explanation.
"""

from __future__ import annotations

from toolkit.arch.records import PROT_KEYS, Arch, Combine, FileLayout, Move, ProtMove
from toolkit.errors import ArchDataError


class UnsolvableError(ArchDataError):
    """The arch's own predicates admit no file PTE that is not present (or not none)."""


def solve(arch: Arch) -> FileLayout:
    """The solver's file-PTE layout of `arch`, checked against the arch's own predicates."""
    positions = {b.name: b.bit for b in arch.bits}
    first = arch.file[0]
    if first.equals is None:
        const_name = first.names[0]
        const = 1 << positions[const_name]
        file_tested = const
        const_names: tuple[str, ...] = (const_name,)
    else:
        const, file_tested = first.equals, first.mask
        const_names = tuple(b.name for b in arch.bits if const >> b.bit & 1 and b.shares is None)
    present_tested = 0
    for clause in arch.present:
        present_tested |= clause.mask
    none_tested = _none_tested(arch, const)
    reserved = sum(1 << b for b in arch.reserved)
    why: dict[int, str] = {}
    blocked: dict[int, str] = {}
    for bit in range(arch.pte_bits):
        names = "/".join(arch.bit_names(bit)) or "-"
        if const >> bit & 1:
            why[bit] = f"{names}: constant 1, pte_file() needs it"
            continue
        if file_tested >> bit & 1:
            blocked[bit] = "pte_file() tests it"
        elif present_tested >> bit & 1:
            blocked[bit] = "pte_present() tests it"
        elif none_tested >> bit & 1:
            blocked[bit] = "pte_none() tests it"
        elif reserved >> bit & 1:
            blocked[bit] = "reserved"
        else:
            continue
        why[bit] = f"{names}: constant 0, {blocked[bit]}"
    free = [bit for bit in range(arch.pte_bits) if bit not in why]

    prot: list[ProtMove] = []
    for name in arch.keep:
        native = positions[name]
        if native in free:
            dst = native
            why[dst] = f"{name}: kept protection bit, at its own position"
        else:
            if not free:
                raise ArchDataError(
                    f"solver: no free bit left for kept protection bit {name}", arch.path
                )
            dst = free[0]
            reason = blocked.get(native, "its position is taken")
            why[dst] = f"{name}: kept protection bit, moved from bit {native} ({reason})"
        free.remove(dst)
        prot.append(ProtMove(name, native, dst))

    markers = [bit for bit in free if not arch.pte_none(const | 1 << bit)]
    if markers and arch.pte_none(const):
        # pte_file() alone needs no set bit here, but an all-zero entry reads as pte_none();
        # the marker must be a bit the all-zero check looks at (ppc's ignores HASHPTE).
        marker = markers[0]
        free.remove(marker)
        const |= 1 << marker
        const_names = (*const_names, *arch.bit_names(marker))
        names = "/".join(arch.bit_names(marker)) or "-"
        why[marker] = f"{names}: constant 1, keeps pgoff 0 apart from pte_none()"

    capped = free[arch.long_bits :]
    offset_bits = free[: arch.long_bits]
    for i, bit in enumerate(offset_bits):
        why[bit] = f"pgoff bit {i}"
    for bit in capped:
        why[bit] = f"unused: offsets are unsigned long, BITS_PER_LONG is {arch.long_bits}"
    encode = _runs(offset_bits)
    layout = FileLayout(
        arch=arch.name,
        kind="solver",
        max_bits=len(offset_bits),
        keeps_prot=bool(prot),
        prot_mask=sum(1 << p.src for p in prot),
        pte_bits=arch.pte_bits,
        encode=encode,
        decode=tuple(Move(m.dst, m.width, m.src) for m in encode),
        set_mask=const,
        set_names=const_names,
        combine=Combine.OR,
        prot=tuple(prot),
        note="computed by the layout solver",
        file_clauses=arch.file,
        present_clauses=arch.present,
        none_clauses=arch.none,
        explanation=tuple(f"bit {bit:2d} {why[bit]}" for bit in range(arch.pte_bits)),
    )
    _check(arch, layout)
    return layout


def _none_tested(arch: Arch, const: int) -> int:
    """The bits a file PTE must keep clear because pte_none() tests them beyond `== 0`.

    An `any` clause (parisc: FLUSH set means none) holds as soon as one of its bits is set; a
    `(pte & mask) == equals` clause with equals not 0 matters unless the constant bits already
    contradict it (s390's 0x400 empty type never matches a file PTE's 0x601).
    """
    tested = 0
    for clause in arch.none:
        if clause.equals is None:
            tested |= clause.mask
        elif clause.equals and not const & clause.mask & ~clause.equals:
            tested |= clause.mask & ~const
    return tested


def _runs(bits: list[int]) -> tuple[Move, ...]:
    """Moves placing offset bits 0.. on the PTE positions `bits`, one per contiguous run."""
    moves: list[Move] = []
    for i, bit in enumerate(bits):
        last = moves[-1] if moves else None
        if last is not None and last.dst + last.width == bit:
            moves[-1] = Move(last.src, last.width + 1, last.dst)
        else:
            moves.append(Move(i, 1, bit))
    return tuple(moves)


def problems(arch: Arch, layout: FileLayout) -> tuple[str, ...]:
    """What is wrong with `layout`: by its own predicates and kept bits, then by prot.keep."""
    return (*own_problems(arch, layout), *lost_keep(arch, layout))


def _offsets(layout: FileLayout) -> tuple[int, ...]:
    """The offsets every check tries: 0, 1, all ones and each single bit."""
    top = (1 << layout.max_bits) - 1
    return (0, 1, top, *(1 << b for b in range(layout.max_bits)))


def own_problems(arch: Arch, layout: FileLayout) -> tuple[str, ...]:
    """What is wrong with `layout` by its own predicates and kept bits: one line per kind.

    Checked on offsets 0, 1, each single bit and all ones, under every PROT_* value: each file
    PTE must be pte_file(), not pte_present(), not pte_none(), and give back its offset and
    the protection bits the layout chose to keep.
    """
    found: dict[str, str] = {}
    # A layout built without predicates (by hand, in a test) is judged by the arch's.
    file = layout.file_clauses or arch.file
    present = layout.present_clauses or arch.present
    none = layout.none_clauses or arch.none
    for prot in range(8):
        pgprot = arch.pgprot(prot)
        for pgoff in _offsets(layout):
            pte = layout.pgoff_prot_to_pte(pgoff, pgprot)
            checks = (
                ("not pte_file()", not any(c.holds(pte) for c in file)),
                ("pte_present()", any(c.holds(pte) for c in present)),
                ("pte_none()", any(c.holds(pte) for c in none)),
                (
                    f"read back as pgoff {layout.pte_to_pgoff(pte):#x}",
                    layout.pte_to_pgoff(pte) != pgoff,
                ),
                (
                    f"restored as pgprot {layout.pte_to_pgprot(pte):#x}",
                    layout.pte_to_pgprot(pte) != pgprot & layout.prot_mask,
                ),
            )
            for what, bad in checks:
                kind = what.split(" as ")[0]
                if bad and kind not in found:
                    found[kind] = f"pgoff {pgoff:#x} prot {PROT_KEYS[prot]} -> {pte:#x} is {what}"
    return tuple(found.values())


def lost_keep(arch: Arch, layout: FileLayout) -> tuple[str, ...]:
    """The bits of prot.keep that `layout`'s pte_to_pgprot() does not give back: one line or none.

    The losing half of rfp verify's `keeps` check, on the offsets own_problems() tries: the
    kernel's own protections first (the example shown is the one losing most), then every
    combination of prot.keep. A kept bit that comes back where it was not set is
    own_problems()'s "restored as" line. A legacy layout keeps no protection by design and is
    not judged here.
    """
    if not layout.keeps_prot or not arch.keep:
        return ()
    keep = arch.mask(*arch.keep)
    real = [(f"prot {PROT_KEYS[prot]}", arch.pgprot(prot)) for prot in range(8)]
    every = [(f"pgprot {c:#x}", c) for c in _submasks(keep)]
    for tried in (real, every):
        worst = ""
        most = 0
        for label, pgprot in tried:
            for pgoff in _offsets(layout):
                pte = layout.pgoff_prot_to_pte(pgoff, pgprot)
                lost = pgprot & keep & ~layout.pte_to_pgprot(pte)
                if lost.bit_count() > most:
                    most = lost.bit_count()
                    worst = f"pgoff {pgoff:#x} {label} -> {pte:#x} loses {_keep_names(arch, lost)}"
        if worst:
            return (worst,)
    return ()


def _submasks(mask: int) -> tuple[int, ...]:
    """Every combination of the bits of `mask`, from all of them down to none."""
    found = []
    sub = mask
    while sub:
        found.append(sub)
        sub = (sub - 1) & mask
    return (*found, 0)


def _keep_names(arch: Arch, bits: int) -> str:
    """The prot.keep bits set in `bits`, by name, joined with `|`."""
    names = []
    for bit in range(arch.pte_bits):
        if bits >> bit & 1:
            names += [n for n in arch.bit_names(bit) if n in arch.keep][:1]
    return "|".join(names)


def _check(arch: Arch, layout: FileLayout) -> None:
    """Raise unless every file PTE of the layout is pte_file() and not present or none."""
    top = (1 << layout.max_bits) - 1
    for prot in range(8):
        for pgoff in (0, top):
            pte = layout.pgoff_prot_to_pte(pgoff, arch.pgprot(prot))
            wrong = [
                what
                for what, bad in (
                    ("not pte_file()", not arch.pte_file(pte)),
                    ("pte_present()", arch.pte_present(pte)),
                    ("pte_none()", arch.pte_none(pte)),
                )
                if bad
            ]
            if wrong:
                raise UnsolvableError(
                    f"no correct file PTE exists: the bits pte_file() needs make "
                    f"{pte:#x} (pgoff {pgoff:#x}, prot {PROT_KEYS[prot]}) {' and '.join(wrong)}",
                    arch.path,
                )
