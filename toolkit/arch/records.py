"""The records of one architecture's PTE facts and of its file-PTE encodings.

Encoders and decoders are compiled once from the declared moves into (shift, mask) tuples, so a
call is a short loop over integers: the model calls them millions of times.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from toolkit.errors import ArchDataError, MissingInputError

PROT_NONE, PROT_READ, PROT_WRITE, PROT_EXEC = 0, 1, 2, 4
LAYOUTS = ("legacy", "2005", "solver")
# The keys of the shared protection map in archs/*.toml, indexed by PROT_* bits.
PROT_KEYS = ("none", "r", "w", "rw", "x", "rx", "wx", "rwx")


class Combine(Enum):
    """How the kernel joins the fields of a file PTE: `|` or `+`."""

    OR = "or"
    ADD = "add"


@dataclass(frozen=True, slots=True)
class Bit:
    """One named PTE bit as the kernel spells it, without the `_PAGE_` prefix."""

    name: str
    bit: int
    meaning: str
    shares: str | None = None  # the hardware bit whose slot this software bit reuses


@dataclass(frozen=True, slots=True)
class Clause:
    """One clause of a predicate: any of `mask` set (`equals` None), or `pte & mask == equals`."""

    mask: int
    equals: int | None
    names: tuple[str, ...] = ()  # the bit names of an `any` clause

    def holds(self, pte: int) -> bool:
        """Whether `pte` satisfies this clause."""
        if self.equals is None:
            return pte & self.mask != 0
        return pte & self.mask == self.equals


@dataclass(frozen=True, slots=True)
class Field:
    """A bit field of the PTE: `width` bits from bit `start`."""

    start: int
    width: int

    @property
    def mask(self) -> int:
        """The field's bits in place."""
        return ((1 << self.width) - 1) << self.start


@dataclass(frozen=True, slots=True)
class Move:
    """`width` bits taken from bit `src` of one word and placed at bit `dst` of another."""

    src: int
    width: int
    dst: int

    @property
    def src_mask(self) -> int:
        """The moved bits where they are read."""
        return ((1 << self.width) - 1) << self.src

    @property
    def dst_mask(self) -> int:
        """The moved bits where they are written."""
        return ((1 << self.width) - 1) << self.dst


@dataclass(frozen=True, slots=True)
class ProtMove:
    """A kept pgprot bit `name`, read at pgprot bit `src` and stored at PTE bit `dst`.

    `read` is the PTE bit pte_to_pgprot() takes it back from, where a hand port's decoder
    looks elsewhere than its encoder writes (sparc64's 2005 port); None means `dst`.
    """

    name: str
    src: int
    dst: int
    read: int | None = None

    @property
    def read_at(self) -> int:
        """The PTE bit pte_to_pgprot() reads this bit back from."""
        return self.dst if self.read is None else self.read


@dataclass(frozen=True, slots=True)
class SwapEntry:
    """A swap PTE: the moves of the swap type and offset into the PTE, plus constant bits.

    Moves go from a bit of the type (or offset) to a PTE bit; `__swp_type`/`__swp_offset` are
    taken as their inverse. Fields split around flag bits are several moves (sh64, parisc).
    """

    type: tuple[Move, ...]
    offset: tuple[Move, ...]
    set_mask: int = 0  # bits every swap PTE carries (s390's _PAGE_INVALID_SWAP)
    set_names: tuple[str, ...] = ()

    @property
    def type_bits(self) -> int:
        """How many bits of the swap type the PTE holds."""
        return sum(m.width for m in self.type)

    @property
    def offset_bits(self) -> int:
        """How many bits of the swap offset the PTE holds."""
        return sum(m.width for m in self.offset)

    def entry_to_pte(self, type_: int, offset: int) -> int:
        """The swap PTE of swap `type_` and `offset` (each cut to the bits the PTE holds)."""
        return self.set_mask | _scatter(type_, self.type) | _scatter(offset, self.offset)

    def pte_to_entry(self, pte: int) -> tuple[int, int]:
        """The swap type and offset a swap PTE holds."""
        return _gather(pte, self.type), _gather(pte, self.offset)


def _scatter(value: int, moves: tuple[Move, ...]) -> int:
    """The bits of `value` placed as `moves` say (source bit -> PTE bit)."""
    out = 0
    for move in moves:
        out |= (value >> move.src & (1 << move.width) - 1) << move.dst
    return out


def _gather(pte: int, moves: tuple[Move, ...]) -> int:
    """The value `_scatter` placed by `moves`, read back from `pte`."""
    out = 0
    for move in moves:
        out |= (pte >> move.dst & (1 << move.width) - 1) << move.src
    return out


def _compile(moves: tuple[Move, ...]) -> tuple[tuple[int, int, int], ...]:
    """`moves` as (src, mask, dst) tuples, the form the encoders loop over."""
    return tuple((m.src, (1 << m.width) - 1, m.dst) for m in moves)


@dataclass(frozen=True, slots=True)
class FileLayout:
    """One file-PTE encoding of an arch: where the offset and the kept protection bits go."""

    arch: str
    kind: str
    max_bits: int  # PTE_FILE_MAX_BITS
    keeps_prot: bool  # False for legacy
    prot_mask: int  # pgprot bits kept (0 for legacy)
    pte_bits: int = 32
    encode: tuple[Move, ...] = ()  # pgoff bit -> PTE bit
    decode: tuple[Move, ...] = ()  # PTE bit -> pgoff bit
    set_mask: int = 0  # constant bits pgoff_prot_to_pte sets (the file bit)
    set_names: tuple[str, ...] = ()
    combine: Combine = Combine.OR
    prot: tuple[ProtMove, ...] = ()
    note: str = ""
    explanation: tuple[str, ...] = ()  # one line per PTE bit (solver layouts)
    # pte_file()/pte_present() under this layout: the arch's, or a hand port's redefinition
    file_clauses: tuple[Clause, ...] = ()
    present_clauses: tuple[Clause, ...] = ()
    # pte_none() under this layout (s390's 2005 port redefines it); empty: see pte_none()
    none_clauses: tuple[Clause, ...] = ()
    # The C word the encoder computes in, where narrower than the PTE (mips32-64bitphys builds
    # pte_low alone): its carries stop there. 0 means the whole PTE.
    word_bits: int = 0
    _enc: tuple[tuple[int, int, int], ...] = field(init=False, repr=False, compare=False)
    _dec: tuple[tuple[int, int, int], ...] = field(init=False, repr=False, compare=False)
    _penc: tuple[tuple[int, int], ...] = field(init=False, repr=False, compare=False)
    _pdec: tuple[tuple[int, int], ...] = field(init=False, repr=False, compare=False)
    _top: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_enc", _compile(self.encode))
        object.__setattr__(self, "_dec", _compile(self.decode))
        object.__setattr__(self, "_penc", tuple((p.src, p.dst) for p in self.prot))
        object.__setattr__(self, "_pdec", tuple((p.src, p.read_at) for p in self.prot))
        object.__setattr__(self, "_top", (1 << (self.word_bits or self.pte_bits)) - 1)

    def pgoff_prot_to_pte(self, pgoff: int, pgprot: int = 0) -> int:
        """The file PTE holding page offset `pgoff` and the kept bits of arch `pgprot`."""
        pte = self.set_mask
        if self.combine is Combine.ADD:
            # The kernel sums offset fields and kept pgprot bits alike (ia64 adds AR_RW onto
            # offset bits); a carry out of the top bit of the C word is lost.
            for src, mask, dst in self._enc:
                pte += (pgoff >> src & mask) << dst
            for src, dst in self._penc:
                pte += (pgprot >> src & 1) << dst
            return pte & self._top
        for src, mask, dst in self._enc:
            pte |= (pgoff >> src & mask) << dst
        for src, dst in self._penc:
            pte |= (pgprot >> src & 1) << dst
        return pte & self._top

    def pte_to_pgoff(self, pte: int) -> int:
        """The page offset a file PTE holds, read as the layout's decoder reads it."""
        pgoff = 0
        if self.combine is Combine.ADD:
            for src, mask, dst in self._dec:
                pgoff += (pte >> src & mask) << dst
        else:
            for src, mask, dst in self._dec:
                pgoff |= (pte >> src & mask) << dst
        return pgoff

    def pte_file(self, pte: int) -> bool:
        """Whether pte_file() holds, as this layout defines it."""
        return any(c.holds(pte) for c in self.file_clauses)

    def pte_present(self, pte: int) -> bool:
        """Whether pte_present() holds, as this layout defines it."""
        return any(c.holds(pte) for c in self.present_clauses)

    def pte_none(self, pte: int) -> bool:
        """Whether pte_none() holds, as this layout defines it (False without clauses)."""
        return any(c.holds(pte) for c in self.none_clauses)

    def pte_to_pgprot(self, pte: int) -> int:
        """The kept arch pgprot bits a file PTE holds, back at their pgprot positions."""
        pgprot = 0
        for src, read in self._pdec:
            pgprot |= (pte >> read & 1) << src
        return pgprot


@dataclass(frozen=True, slots=True)
class Arch:
    """The PTE facts of one MMU variant, as read from archs/<name>.toml."""

    name: str
    title: str
    pte_bits: int
    page_shift: int
    pfn_shift: int
    bits: tuple[Bit, ...]
    path: Path
    long_bits: int = 32  # BITS_PER_LONG: page offsets are unsigned long
    headers: tuple[str, ...] = ()
    reserved: tuple[int, ...] = ()
    present: tuple[Clause, ...] = ()
    file: tuple[Clause, ...] = ()
    none: tuple[Clause, ...] = ()
    prot_map: tuple[int, ...] = (0,) * 8  # pgprot bits indexed by PROT_* value
    keep: tuple[str, ...] = ()
    # The widest piece of each swap field (the whole field where it is not split); `swap` is
    # the exact entry where archs/ gives split fields or constant bits, else None.
    swap_type: Field = Field(0, 0)
    swap_offset: Field = Field(0, 0)
    swap: SwapEntry | None = None
    layouts: tuple[FileLayout, ...] = ()
    unsolved: str = ""  # why the solver found no layout, when it found none

    def mask(self, *names: str) -> int:
        """The OR of the named bits."""
        positions = {b.name: b.bit for b in self.bits}
        value = 0
        for name in names:
            if name not in positions:
                raise ArchDataError(f"no bit named {name!r} in {self.name}", self.path)
            value |= 1 << positions[name]
        return value

    def pte_present(self, pte: int) -> bool:
        """Whether the arch's pte_present() holds."""
        return any(c.holds(pte) for c in self.present)

    def pte_file(self, pte: int) -> bool:
        """Whether the arch's pte_file() holds."""
        return any(c.holds(pte) for c in self.file)

    def pte_none(self, pte: int) -> bool:
        """Whether the arch's pte_none() holds."""
        return any(c.holds(pte) for c in self.none)

    def is_swap(self, pte: int) -> bool:
        """Whether `pte` is a swap entry: not none, not present, not a file PTE."""
        return not (self.pte_none(pte) or self.pte_present(pte) or self.pte_file(pte))

    def mk_pte(self, pfn: int, prot: int) -> int:
        """The present PTE of page frame `pfn` in a shared mapping with PROT_* `prot`."""
        return (pfn << self.pfn_shift) | self.pgprot(prot)

    def pte_pfn(self, pte: int) -> int:
        """The page frame number of a present PTE."""
        return (pte & ((1 << self.pte_bits) - 1)) >> self.pfn_shift

    def pgprot(self, prot: int) -> int:
        """The arch pgprot bits of the shared protection map for PROT_* `prot`."""
        return self.prot_map[prot & 7]

    def pgprot_allows(self, pgprot: int) -> int:
        """The PROT_* rights `pgprot` grants: those of every map entry it matches.

        Only the bits that tell map entries apart are compared, so ACCESSED or DIRTY do not
        matter, and an inverted bit (arm26's READONLY) counts as much as a set one.
        """
        significant = 0
        for value in self.prot_map:
            significant |= value ^ self.prot_map[0]
        allowed = 0
        for prot in range(1, 8):
            if (self.prot_map[prot] ^ pgprot) & significant == 0:
                allowed |= prot
        return allowed

    def swap_entry(self) -> SwapEntry:
        """The exact swap entry layout, whichever form archs/ wrote it in."""
        if self.swap is not None:
            return self.swap
        t, o = self.swap_type, self.swap_offset
        return SwapEntry(
            (Move(0, t.width, t.start),) if t.width else (),
            (Move(0, o.width, o.start),) if o.width else (),
        )

    def swp_entry_to_pte(self, type_: int, offset: int) -> int:
        """The swap PTE of swap `type_` and `offset` (each cut to its field)."""
        if self.swap is not None:
            return self.swap.entry_to_pte(type_, offset)
        t, o = self.swap_type, self.swap_offset
        return (type_ << t.start & t.mask) | (offset << o.start & o.mask)

    def pte_to_swp_entry(self, pte: int) -> tuple[int, int]:
        """The swap type and offset a swap PTE holds."""
        if self.swap is not None:
            return self.swap.pte_to_entry(pte)
        t, o = self.swap_type, self.swap_offset
        return (pte & t.mask) >> t.start, (pte & o.mask) >> o.start

    def layout(self, kind: str = "solver") -> FileLayout:
        """The file-PTE layout of `kind` (legacy, 2005 or solver)."""
        for layout in self.layouts:
            if layout.kind == kind:
                return layout
        if kind == "solver" and self.unsolved:
            raise MissingInputError(f"{self.name} has no solver layout: {self.unsolved}", self.path)
        raise MissingInputError(f"{self.name} has no {kind!r} file-PTE layout", self.path)

    def layout_kinds(self) -> tuple[str, ...]:
        """The kinds of layout this arch has, in LAYOUTS order."""
        have = {layout.kind for layout in self.layouts}
        return tuple(kind for kind in LAYOUTS if kind in have)

    def bit_names(self, position: int) -> tuple[str, ...]:
        """The names declared at PTE bit `position`."""
        return tuple(b.name for b in self.bits if b.bit == position)
