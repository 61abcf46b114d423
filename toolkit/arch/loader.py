"""Read archs/<name>.toml strictly: every key known, every bit name declared, no field collisions.

A mistake in the data raises ArchDataError naming the file, the key and (where it can be found)
the line, so a bad fact never turns into a wrong encoding downstream.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from toolkit.arch.records import (
    PROT_KEYS,
    Arch,
    Bit,
    Clause,
    Combine,
    Field,
    FileLayout,
    Move,
    ProtMove,
    SwapEntry,
)
from toolkit.errors import ArchDataError, MissingInputError
from toolkit.paths import ARCHS
from toolkit.tomlfile import parse_toml

TOP_REQUIRED = ("name", "title", "headers", "pte_bits", "page_shift", "pfn_shift")
TOP_TABLES = ("bits", "predicates", "prot", "swap", "layout")
# `limits` is read by the scenario runner (toolkit/scenario/limits.py), not by the arch engine.
TOP_OPTIONAL = ("long_bits", "limits")
LAYOUT_REQUIRED = ("max_bits", "encode", "set", "decode")
LAYOUT_OPTIONAL = ("combine", "prot", "note", "pte_file", "pte_present", "pte_none", "word_bits")
PREDICATES = ("pte_present", "pte_file", "pte_none")
# A TOML table header, `[layout.2005]`, or a `key =` line.
_HEADER = re.compile(r"^\s*\[([^\]]+)\]\s*(#.*)?$")
_KEY = re.compile(r"^\s*\"?([A-Za-z0-9_.-]+?)\"?\s*=")


def arch_names(archs_dir: Path | None = None) -> tuple[str, ...]:
    """The sorted stems of archs/*.toml."""
    folder = ARCHS if archs_dir is None else archs_dir
    return tuple(sorted(p.stem for p in folder.glob("*.toml")))


def load_arch(name: str, archs_dir: Path | None = None) -> Arch:
    """The arch `name` from archs/<name>.toml, with its solved layout (cached)."""
    folder = (ARCHS if archs_dir is None else archs_dir).resolve()
    return _load_cached(name, folder)


@functools.cache
def _load_cached(name: str, folder: Path) -> Arch:
    """`load_arch` for an absolute folder, parsed and solved once per process."""
    # Imported here: the solver builds on the records this module produces.
    from toolkit.arch.solver import UnsolvableError, solve

    path = folder / f"{name}.toml"
    if "/" in name or not path.is_file():
        known = ", ".join(arch_names(folder)) or "none"
        raise MissingInputError(f"no arch named {name!r} (known: {known})", path)
    raw = path.read_bytes()
    try:
        text = raw.decode()
    except UnicodeDecodeError as exc:
        # TOML is UTF-8 by definition; a hand edit in another encoding stops here, located
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ArchDataError("not valid UTF-8 (TOML must be)", path, line) from None
    arch = parse_arch(text, path)
    try:
        solved = solve(arch)
    except UnsolvableError as exc:
        # The facts are consistent but admit no correct file PTE (sh64: FILE is PRESENT's bit);
        # the arch still loads, and asking for its solver layout says why there is none.
        return replace(arch, unsolved=exc.message)
    return replace(arch, layouts=(*arch.layouts, solved))


class _Reader:
    """Typed access to the TOML tree, raising ArchDataError at the offending key."""

    def __init__(self, text: str, path: Path) -> None:
        self.lines = text.splitlines()
        self.path = path
        self.positions: dict[str, int] = {}  # bit name -> position, once [bits] is read

    def fail(self, key: str, message: str) -> ArchDataError:
        """The error for `key` (dotted, list items as [i]), located in the file."""
        return ArchDataError(f"{key}: {message}", self.path, self.line_of(key))

    def line_of(self, key: str) -> int | None:
        """The line defining `key`, found by its table header and its own name."""
        parts = re.sub(r"\[\d+\]", "", key).split(".")
        for split in range(len(parts) - 1, -1, -1):
            table, rest = ".".join(parts[:split]), parts[split:]
            line = self._find(table, rest[0])
            if line is not None:
                return line
        return None

    def _find(self, table: str, name: str) -> int | None:
        """The line of key `name` in `[table]`, or of the header `[table.name]`."""
        current = ""
        for number, text in enumerate(self.lines, 1):
            header = _HEADER.match(text)
            if header:
                current = header.group(1).strip().replace('"', "")
                if current == f"{table}.{name}".lstrip("."):
                    return number
                continue
            key = _KEY.match(text)
            if current == table and key and key.group(1) == name:
                return number
        return None

    def table(
        self, data: Any, key: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        """`data` as a table with exactly the `required` keys and some of `optional`."""
        if not isinstance(data, dict):
            raise self.fail(key, "expected a table")
        for name in data:
            if name not in required and name not in optional:
                raise self.fail(f"{key}.{name}".lstrip("."), "unknown key")
        for name in required:
            if name not in data:
                raise self.fail(key or name, f"missing key {name!r}")
        return data

    def integer(
        self, data: Mapping[str, Any], name: str, key: str, low: int = 0, high: int = 1 << 64
    ) -> int:
        """An integer value in [low, high]."""
        value = data[name]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise self.fail(f"{key}.{name}".lstrip("."), f"expected an integer in {low}..{high}")
        return value

    def string(self, data: Mapping[str, Any], name: str, key: str) -> str:
        """A string value."""
        value = data[name]
        if not isinstance(value, str):
            raise self.fail(f"{key}.{name}".lstrip("."), "expected a string")
        return value

    def names_mask(self, values: Any, key: str) -> int:
        """The OR of the bits a list of declared bit names names."""
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise self.fail(key, "expected a list of bit names")
        mask = 0
        for value in values:
            if value not in self.positions:
                raise self.fail(key, f"unknown bit name {value!r}")
            mask |= 1 << self.positions[value]
        return mask

    def items(self, data: Mapping[str, Any], name: str, key: str) -> list[Any]:
        """A list value."""
        value = data[name]
        if not isinstance(value, list):
            raise self.fail(f"{key}.{name}".lstrip("."), "expected a list")
        return value


def parse_arch(text: str, path: Path) -> Arch:
    """The Arch described by TOML `text` read from `path`, without the solved layout."""
    r = _Reader(text, path)
    data = parse_toml(text, path, ArchDataError)
    r.table(data, "", TOP_REQUIRED + TOP_TABLES, TOP_OPTIONAL)
    name = r.string(data, "name", "")
    if name != path.stem:
        raise r.fail("name", f"{name!r} is not the file's stem {path.stem!r}")
    pte_bits = r.integer(data, "pte_bits", "", 8, 128)
    long_bits = r.integer(data, "long_bits", "", 8, 128) if "long_bits" in data else pte_bits
    headers = r.items(data, "headers", "")
    if not all(isinstance(h, str) for h in headers):
        raise r.fail("headers", "expected a list of strings")
    bits, reserved = _bits(r, data["bits"], pte_bits)
    r.positions = {b.name: b.bit for b in bits}
    predicates = r.table(data["predicates"], "predicates", PREDICATES)
    clauses = {p: _clauses(r, predicates[p], f"predicates.{p}", pte_bits) for p in PREDICATES}
    prot = r.table(data["prot"], "prot", ("keep", "map"))
    keep_values = r.items(prot, "keep", "prot")
    r.names_mask(keep_values, "prot.keep")
    pmap = r.table(prot["map"], "prot.map", PROT_KEYS)
    prot_map = tuple(r.names_mask(pmap[k], f"prot.map.{k}") for k in PROT_KEYS)
    swap = _swap(r, data["swap"], pte_bits, long_bits)
    layouts_data = r.table(data["layout"], "layout", ("legacy",), ("2005",))
    arch = Arch(
        name=name,
        title=r.string(data, "title", ""),
        pte_bits=pte_bits,
        page_shift=r.integer(data, "page_shift", "", 0, pte_bits),
        pfn_shift=r.integer(data, "pfn_shift", "", 0, pte_bits),
        bits=bits,
        path=path,
        long_bits=long_bits,
        headers=tuple(headers),
        reserved=reserved,
        present=clauses["pte_present"],
        file=clauses["pte_file"],
        none=clauses["pte_none"],
        prot_map=prot_map,
        keep=tuple(keep_values),
        swap_type=_widest(swap.type),
        swap_offset=_widest(swap.offset),
        # The single-field form is all in swap_type/swap_offset, which callers may replace().
        swap=swap if _split(swap) else None,
    )
    layouts = tuple(
        _layout(r, arch, kind, layouts_data[kind])
        for kind in ("legacy", "2005")
        if kind in layouts_data
    )
    return replace(arch, layouts=layouts)


def _bits(r: _Reader, data: Any, pte_bits: int) -> tuple[tuple[Bit, ...], tuple[int, ...]]:
    """The [bits] table: the named bits, checked for sharing, and the reserved positions."""
    if not isinstance(data, dict):
        raise r.fail("bits", "expected a table")
    bits: list[Bit] = []
    reserved: tuple[int, ...] = ()
    for name, spec in data.items():
        key = f"bits.{name}"
        if name == "reserved":
            if not isinstance(spec, list) or not all(
                isinstance(v, int) and 0 <= v < pte_bits for v in spec
            ):
                raise r.fail(key, f"expected a list of bit positions below {pte_bits}")
            reserved = tuple(sorted(set(spec)))
            continue
        r.table(spec, key, ("bit", "meaning"), ("shares",))
        shares = r.string(spec, "shares", key) if "shares" in spec else None
        bits.append(
            Bit(
                name,
                r.integer(spec, "bit", key, 0, pte_bits - 1),
                r.string(spec, "meaning", key),
                shares,
            )
        )
    by_name = {b.name: b for b in bits}
    for b in bits:
        if b.shares is not None:
            other = by_name.get(b.shares)
            if other is None:
                raise r.fail(f"bits.{b.name}.shares", f"unknown bit name {b.shares!r}")
            if other.bit != b.bit:
                raise r.fail(f"bits.{b.name}.shares", f"{b.shares} is bit {other.bit}, not {b.bit}")
    for b in bits:
        same = [o for o in bits if o.bit == b.bit and o is not b]
        for o in same:
            if b.shares != o.name and o.shares != b.name and b.shares is None:
                raise r.fail(f"bits.{b.name}", f"bit {b.bit} is also {o.name}: say which it shares")
    return tuple(bits), reserved


def _clauses(r: _Reader, data: Any, key: str, pte_bits: int) -> tuple[Clause, ...]:
    """A predicate: a non-empty list of `{ any = [...] }` or `{ mask, equals }` clauses."""
    if not isinstance(data, list) or not data:
        raise r.fail(key, "expected a non-empty list of clauses")
    clauses: list[Clause] = []
    for i, spec in enumerate(data):
        item = f"{key}[{i}]"
        if not isinstance(spec, dict):
            raise r.fail(item, "expected a table")
        if "any" in spec:
            r.table(spec, item, ("any",))
            clauses.append(Clause(r.names_mask(spec["any"], item), None, tuple(spec["any"])))
        else:
            r.table(spec, item, ("mask", "equals"))
            top = (1 << pte_bits) - 1
            mask, equals = (
                r.integer(spec, "mask", item, 1, top),
                r.integer(spec, "equals", item, 0, top),
            )
            if equals & ~mask:
                raise r.fail(item, f"equals {equals:#x} has bits outside mask {mask:#x}")
            clauses.append(Clause(mask, equals))
    return tuple(clauses)


def _field(r: _Reader, data: Any, key: str, pte_bits: int) -> Field:
    """A `{ from, width }` field that fits the PTE."""
    r.table(data, key, ("from", "width"))
    start = r.integer(data, "from", key, 0, pte_bits - 1)
    width = r.integer(data, "width", key, 1, pte_bits)
    if start + width > pte_bits:
        raise r.fail(key, f"bits {start}..{start + width - 1} run past the {pte_bits}-bit PTE")
    return Field(start, width)


def _swap(
    r: _Reader,
    data: Any,
    pte_bits: int,
    long_bits: int,
) -> SwapEntry:
    """The [swap] table: each field one `{ from, width }` PTE field, or a list of moves."""
    r.table(data, "swap", ("type", "offset"), ("set",))
    fields: dict[str, tuple[Move, ...]] = {}
    for name in ("type", "offset"):
        key = f"swap.{name}"
        if isinstance(data[name], dict):
            # The single-field form names where the field starts in the PTE.
            single = _field(r, data[name], key, pte_bits)
            fields[name] = (Move(0, single.width, single.start),)
        else:
            fields[name] = _moves(r, data[name], key, pte_bits, long_bits, "PTE")
    set_names = data.get("set", [])
    set_mask = r.names_mask(set_names, "swap.set") if "set" in data else 0
    taken = set_mask
    for name in ("type", "offset"):
        covered = 0
        for i, move in enumerate(fields[name]):
            item = f"swap.{name}[{i}]" if isinstance(data[name], list) else f"swap.{name}"
            if move.dst_mask & taken:
                raise r.fail(
                    item, f"bits {_span(move.dst_mask & taken)} overlap another swap field"
                )
            if move.src_mask & covered:
                raise r.fail(item, f"{name} bits {_span(move.src_mask & covered)} placed twice")
            taken |= move.dst_mask
            covered |= move.src_mask
    return SwapEntry(fields["type"], fields["offset"], set_mask, tuple(set_names))


def _split(swap: SwapEntry) -> bool:
    """Whether the swap entry has a split field or constant bits (more than two Fields say)."""
    return (
        bool(swap.set_mask)
        or len(swap.type) > 1
        or len(swap.offset) > 1
        or any(m.src for m in (*swap.type, *swap.offset))
    )


def _widest(moves: tuple[Move, ...]) -> Field:
    """The widest piece of a swap field, as the single Field older callers read."""
    if not moves:
        return Field(0, 0)
    move = max(moves, key=lambda m: m.width)
    return Field(move.dst, move.width)


def _moves(
    r: _Reader, data: Any, key: str, dst_bits: int, src_bits: int, dst_name: str
) -> tuple[Move, ...]:
    """A list of `{ from, width, to }` moves, each inside its source and destination word."""
    if not isinstance(data, list):
        raise r.fail(key, "expected a list of moves")
    moves: list[Move] = []
    for i, spec in enumerate(data):
        item = f"{key}[{i}]"
        r.table(spec, item, ("from", "width", "to"))
        move = Move(
            r.integer(spec, "from", item, 0, src_bits - 1),
            r.integer(spec, "width", item, 1, max(src_bits, dst_bits)),
            r.integer(spec, "to", item, 0, dst_bits - 1),
        )
        if move.src + move.width > src_bits:
            raise r.fail(
                item, f"width {move.width} from bit {move.src} runs past the {src_bits}-bit source"
            )
        if move.dst + move.width > dst_bits:
            raise r.fail(
                item,
                f"width {move.width} at bit {move.dst} runs past the {dst_bits}-bit {dst_name}",
            )
        moves.append(move)
    return tuple(moves)


def _layout(r: _Reader, arch: Arch, kind: str, data: Any) -> FileLayout:
    """One [layout.KIND] table, its encode fields, set bits and kept bits checked for overlaps."""
    key = f"layout.{kind}"
    r.table(data, key, LAYOUT_REQUIRED, LAYOUT_OPTIONAL)
    max_bits = r.integer(data, "max_bits", key, 1, arch.long_bits)
    word_bits = r.integer(data, "word_bits", key, 8, arch.pte_bits) if "word_bits" in data else 0
    # The encoder's word: nothing it writes lies above it.
    word = word_bits or arch.pte_bits
    encode = _moves(
        r,
        data["encode"],
        f"{key}.encode",
        word,
        arch.long_bits,
        "encoder word" if word_bits else "PTE",
    )
    decode = _moves(r, data["decode"], f"{key}.decode", arch.long_bits, arch.pte_bits, "offset")
    set_names = data["set"]
    set_mask = r.names_mask(set_names, f"{key}.set")
    combine_name = r.string(data, "combine", key) if "combine" in data else "or"
    if combine_name not in {c.value for c in Combine}:
        raise r.fail(f"{key}.combine", f"expected 'or' or 'add', not {combine_name!r}")
    prot_specs: tuple[tuple[ProtMove, bool], ...] = ()
    if "prot" in data:
        if kind == "legacy":
            raise r.fail(f"{key}.prot", "the legacy encoding keeps no protection bits")
        prot_specs = _prot_moves(r, arch, data["prot"], f"{key}.prot")
    prot = tuple(pmove for pmove, _ in prot_specs)
    reserved = sum(1 << b for b in arch.reserved)
    # Under "or" every PTE bit the encoder writes belongs to one field only; "add" describes a
    # kernel formula that sums overlapping fields, carries included, so overlaps are its point.
    adds = combine_name == "add"
    taken = set_mask
    for i, move in enumerate(encode):
        item = f"{key}.encode[{i}]"
        if move.dst_mask & set_mask and not adds:
            raise r.fail(
                item,
                f"bits {_span(move.dst_mask & set_mask)} collide with set bits (combine is 'or')",
            )
        if move.dst_mask & taken & ~set_mask and not adds:
            raise r.fail(item, f"bits {_span(move.dst_mask & taken)} overlap another encode field")
        if move.dst_mask & reserved:
            raise r.fail(item, f"bits {_span(move.dst_mask & reserved)} are reserved")
        taken |= move.dst_mask
    kept = 0
    for i, (pmove, overlap) in enumerate(prot_specs):
        item = f"{key}.prot[{i}]"
        # A kept bit written onto an offset field is a defect, but some hand ports did it
        # (sparc64 ORs, ia64 adds): `overlap = true` says the data means it.
        if taken >> pmove.dst & 1 and not overlap:
            raise r.fail(
                item,
                f"bit {pmove.dst} overlaps an encode field or a set bit "
                "(say overlap = true if the kernel really does this)",
            )
        if overlap and not taken >> pmove.dst & 1:
            raise r.fail(item, f"overlap = true, but bit {pmove.dst} overlaps nothing")
        if set_mask >> pmove.dst & 1 and not adds:
            raise r.fail(item, f"bit {pmove.dst} is a set bit (combine is 'or')")
        if kept >> pmove.dst & 1:
            raise r.fail(item, f"bit {pmove.dst} already holds another kept bit")
        if reserved >> pmove.dst & 1:
            raise r.fail(item, f"bit {pmove.dst} is reserved")
        if pmove.dst >= word:
            raise r.fail(item, f"bit {pmove.dst} is above the {word}-bit encoder word")
        kept |= 1 << pmove.dst
    taken |= kept
    if set_mask & reserved:
        raise r.fail(f"{key}.set", f"bits {_span(set_mask & reserved)} are reserved")
    if set_mask >> word:
        raise r.fail(f"{key}.set", f"bits {_span(set_mask >> word << word)} are above the word")
    note = r.string(data, "note", key) if "note" in data else ""
    # A hand port may redefine the predicates (ppc moves _PAGE_FILE); legacy is the arch's own.
    predicates = {"pte_file": arch.file, "pte_present": arch.present, "pte_none": arch.none}
    for name in predicates:
        if name in data:
            if kind == "legacy":
                raise r.fail(f"{key}.{name}", "the legacy encoding uses the arch's predicates")
            predicates[name] = _clauses(r, data[name], f"{key}.{name}", arch.pte_bits)
    prot_mask = sum(1 << p.src for p in prot)
    return FileLayout(
        arch=arch.name,
        kind=kind,
        max_bits=max_bits,
        keeps_prot=bool(prot),
        prot_mask=prot_mask,
        pte_bits=arch.pte_bits,
        encode=encode,
        decode=decode,
        set_mask=set_mask,
        set_names=tuple(set_names),
        combine=Combine(combine_name),
        prot=prot,
        note=note,
        file_clauses=predicates["pte_file"],
        present_clauses=predicates["pte_present"],
        none_clauses=predicates["pte_none"],
        word_bits=word_bits,
    )


def _prot_moves(r: _Reader, arch: Arch, data: Any, key: str) -> tuple[tuple[ProtMove, bool], ...]:
    """The kept-bit moves `{ bit, to [, from] [, overlap] }`, each with its overlap flag."""
    if not isinstance(data, list):
        raise r.fail(key, "expected a list of protection moves")
    moves: list[tuple[ProtMove, bool]] = []
    for i, spec in enumerate(data):
        item = f"{key}[{i}]"
        r.table(spec, item, ("bit", "to"), ("from", "overlap"))
        name = r.string(spec, "bit", item)
        if name not in r.positions:
            raise r.fail(item, f"unknown bit name {name!r}")
        if name not in arch.keep:
            raise r.fail(item, f"{name} is not in prot.keep")
        overlap = spec.get("overlap", False)
        if not isinstance(overlap, bool):
            raise r.fail(f"{item}.overlap", "expected true or false")
        to = r.integer(spec, "to", item, 0, arch.pte_bits - 1)
        # `from` only where pte_to_pgprot() reads elsewhere than the encoder writes.
        read = r.integer(spec, "from", item, 0, arch.pte_bits - 1) if "from" in spec else None
        moves.append((ProtMove(name, r.positions[name], to, None if read == to else read), overlap))
    return tuple(moves)


def _span(mask: int) -> str:
    """Bit positions of `mask` as `1,2,5..8`."""
    bits = [i for i in range(mask.bit_length()) if mask >> i & 1]
    runs: list[str] = []
    start = prev = -2
    for b in [*bits, -1]:
        if b != prev + 1:
            if start >= 0:
                runs.append(str(start) if start == prev else f"{start}..{prev}")
            start = b
        prev = b
    return ",".join(runs)
