"""The scenario file format: a TOML file of setup and operations, each with its expected result.

title = "short name"
description = "what it checks"
[setup]
files = [{ name = "f", pages = 1024, fill = "index", mode = "rw", noexec = false }]
max_map_count = 65530            # optional
arch_opt_in = true               # optional: __ARCH_SUPPORTS_VM_NONUNIFORM
[[op]]
do = "mmap"                      # see OpKind for the operations
name = "win"                     # the mapping's name, for later `at`
file = "f"
pages = 16
prot = "rw"                      # none r w rw x rx wx rwx, or an integer
flags = "shared|populate"        # shared private fixed populate nonblock noinherit, or int
expect = "ok"                    # value, "-EINVAL", "SIGSEGV", [list] ...
expect_emulated = "..."          # optional: what the emulation model gives instead
expect_fits = "..."              # optional: when the arch's file PTE can hold the offset
[limits]                         # optional: arch limits (toolkit/scenario/limits.py) the
prot_none = "why"                # expectations run into, each with why
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from toolkit.errors import MissingInputError, ScenarioError
from toolkit.model.include.linux import mman
from toolkit.scenario.limits import ArchLimit, parse_limits
from toolkit.tomlfile import parse_toml

PROTS = {"none": 0, "r": 1, "w": 2, "rw": 3, "x": 4, "rx": 5, "wx": 6, "rwx": 7}
FLAGS = {
    "shared": mman.MAP_SHARED,
    "private": mman.MAP_PRIVATE,
    "fixed": mman.MAP_FIXED,
    "populate": mman.MAP_POPULATE,
    "nonblock": mman.MAP_NONBLOCK,
    "noinherit": mman.MAP_NOINHERIT,
}
ADVICE = {
    "normal": mman.MADV_NORMAL,
    "random": mman.MADV_RANDOM,
    "sequential": mman.MADV_SEQUENTIAL,
    "willneed": mman.MADV_WILLNEED,
    "dontneed": mman.MADV_DONTNEED,
}
# "(at line 3, column 5)" closes every tomllib error message.
# `[[op]]` opens an operation's table; its line is where errors about the op point.
_OP_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*op[ \t]*\]\]", re.MULTILINE)


class OpKind(Enum):
    """The operations a scenario can do."""

    MMAP = "mmap"
    MUNMAP = "munmap"
    MPROTECT = "mprotect"
    REMAP = "remap"
    MADVISE = "madvise"
    MINCORE = "mincore"
    READ = "read"
    WRITE = "write"
    EXEC = "exec"
    WRITE_FILE = "write_file"
    READ_FILE = "read_file"
    FTRUNCATE = "ftruncate"
    SWAP_OUT = "swap_out"
    FORK = "fork"
    EXIT = "exit"
    VMA_COUNT = "vma_count"


# The keys each operation takes besides do, pid, expect, expect_emulated, expect_fits, note.
_KEYS: dict[OpKind, frozenset[str]] = {
    OpKind.MMAP: frozenset({"name", "file", "pages", "prot", "flags", "pgoff", "at", "page"}),
    OpKind.MUNMAP: frozenset({"at", "page", "pages"}),
    OpKind.MPROTECT: frozenset({"at", "page", "pages", "prot"}),
    OpKind.REMAP: frozenset({"at", "page", "pages", "prot", "pgoff", "flags", "each", "prots"}),
    OpKind.MADVISE: frozenset({"at", "page", "pages", "advice"}),
    OpKind.MINCORE: frozenset({"at", "page", "pages"}),
    OpKind.READ: frozenset({"at", "page", "pages"}),
    OpKind.WRITE: frozenset({"at", "page", "pages", "value", "values"}),
    OpKind.EXEC: frozenset({"at", "page"}),
    OpKind.WRITE_FILE: frozenset({"file", "page", "pages", "value", "values", "fill"}),
    OpKind.READ_FILE: frozenset({"file", "page", "pages"}),
    OpKind.FTRUNCATE: frozenset({"file", "pages"}),
    OpKind.SWAP_OUT: frozenset({"at", "page", "pages"}),
    OpKind.FORK: frozenset(),
    OpKind.EXIT: frozenset(),
    OpKind.VMA_COUNT: frozenset(),
}
_COMMON = frozenset({"do", "pid", "expect", "expect_emulated", "expect_fits", "note"})


@dataclass(frozen=True, slots=True)
class FileSpec:
    """A file the scenario creates before its first operation."""

    name: str
    pages: int
    fill_index: bool  # page i holds i (the test program's file), else zeros
    writable: bool  # opened O_RDWR, else O_RDONLY
    noexec: bool  # on a noexec mount


@dataclass(frozen=True, slots=True)
class Op:
    """One operation of a scenario, located at its `[[op]]` line."""

    kind: OpKind
    line: int | None
    pid: int = 0
    name: str = ""
    file: str = ""
    at: str = ""
    page: int = 0
    pages: int = 1
    prot: int = 0
    flags: int = 0
    pgoff: int | None = None
    advice: int = mman.MADV_DONTNEED
    values: tuple[int, ...] = ()
    each: bool = False  # remap: one call per page
    prots: tuple[int, ...] = ()  # remap with each: protections taken in turn
    fill_index: bool = False  # write_file: page i gets the value i
    expect: str | None = None  # canonical text, as render_result() writes results
    expect_emulated: str | None = None
    expect_fits: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Scenario:
    """A parsed scenario file."""

    path: Path
    title: str
    description: str
    files: tuple[FileSpec, ...]
    max_map_count: int | None
    arch_opt_in: bool | None
    ops: tuple[Op, ...]
    # The arch limits whose arches may not give the expected results, each with why.
    limits: tuple[tuple[ArchLimit, str], ...] = ()

    @property
    def stem(self) -> str:
        """The file name without .toml: how reports name the scenario."""
        return self.path.stem


def render_value(value: object) -> str:
    """The canonical text of a result or an expectation: 0, -EINVAL, SIGSEGV, [1, 0]."""
    if isinstance(value, list | tuple):
        return "[" + ", ".join(render_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"E[A-Z0-9]+", text):
            return f"-{text}"
        return text
    return str(value)


def load_scenario(path: str | Path) -> Scenario:
    """Read and check one scenario file; ScenarioError with file and line when it is bad."""
    where = Path(path)
    try:
        text = where.read_text()
    except FileNotFoundError:
        raise MissingInputError("no such scenario file", where) from None
    except OSError as exc:
        raise ScenarioError(f"cannot read: {exc.strerror}", where) from None
    return parse_scenario(text, where)


def parse_scenario(text: str, path: Path) -> Scenario:
    """Parse the text of a scenario file read from `path`."""
    data = parse_toml(text, path, ScenarioError)
    op_lines = [text.count("\n", 0, m.start()) + 1 for m in _OP_HEADER.finditer(text)]
    known = {"title", "description", "setup", "op", "limits"}
    extra = sorted(set(data) - known)
    if extra:
        raise ScenarioError(f"unknown top-level key {extra[0]!r}", path, _line_of(text, extra[0]))
    setup = data.get("setup", {})
    if not isinstance(setup, dict):
        raise ScenarioError("[setup] must be a table", path, _line_of(text, "setup"))
    files = tuple(_file(spec, path, text) for spec in setup.get("files", []))
    unknown = sorted(set(setup) - {"files", "max_map_count", "arch_opt_in"})
    if unknown:
        raise ScenarioError(f"unknown [setup] key {unknown[0]!r}", path, _line_of(text, unknown[0]))
    raw_ops = data.get("op", [])
    if not isinstance(raw_ops, list) or not raw_ops:
        raise ScenarioError("a scenario needs at least one [[op]]", path)
    ops = []
    for i, raw in enumerate(raw_ops):
        line = op_lines[i] if len(op_lines) == len(raw_ops) else None
        ops.append(_op(raw, path, line))
    names = {f.name for f in files}
    for op in ops:
        if op.file and op.file not in names:
            raise ScenarioError(f"no file named {op.file!r} in [setup]", path, op.line)
    max_map_count = setup.get("max_map_count")
    opt_in = setup.get("arch_opt_in")
    if max_map_count is not None and not isinstance(max_map_count, int):
        raise ScenarioError(
            "max_map_count must be an integer", path, _line_of(text, "max_map_count")
        )
    if opt_in is not None and not isinstance(opt_in, bool):
        raise ScenarioError(
            "arch_opt_in must be true or false", path, _line_of(text, "arch_opt_in")
        )
    return Scenario(
        path=path,
        title=str(data.get("title", path.stem)),
        description=str(data.get("description", "")).strip(),
        files=files,
        max_map_count=max_map_count,
        arch_opt_in=opt_in,
        ops=tuple(ops),
        limits=parse_limits(data.get("limits", {}), path, text, ScenarioError),
    )


def _line_of(text: str, key: str) -> int | None:
    """The first line where `key` is assigned, for errors tomllib cannot place."""
    found = re.search(
        rf"^[ \t]*{re.escape(key)}[ \t]*=|\b{re.escape(key)}[ \t]*=", text, re.MULTILINE
    )
    return text.count("\n", 0, found.start()) + 1 if found else None


def _file(spec: object, path: Path, text: str) -> FileSpec:
    line = _line_of(text, "files")
    if not isinstance(spec, dict):
        raise ScenarioError("each file must be a table", path, line)
    unknown = sorted(set(spec) - {"name", "pages", "fill", "mode", "noexec"})
    if unknown:
        raise ScenarioError(f"unknown file key {unknown[0]!r}", path, line)
    name = spec.get("name")
    pages = spec.get("pages")
    if not isinstance(name, str) or not isinstance(pages, int) or pages < 0:
        raise ScenarioError("a file needs a name and a number of pages", path, line)
    fill = spec.get("fill", "index")
    mode = spec.get("mode", "rw")
    if fill not in ("index", "zero") or mode not in ("rw", "r"):
        raise ScenarioError('fill is "index" or "zero", mode is "rw" or "r"', path, line)
    return FileSpec(name, pages, fill == "index", mode == "rw", bool(spec.get("noexec", False)))


def _op(raw: object, path: Path, line: int | None) -> Op:
    if not isinstance(raw, dict):
        raise ScenarioError("an op must be a table", path, line)
    try:
        kind = OpKind(raw.get("do"))
    except ValueError:
        kinds = ", ".join(k.value for k in OpKind)
        raise ScenarioError(f"op 'do' must be one of: {kinds}", path, line) from None
    unknown = sorted(set(raw) - _COMMON - _KEYS[kind])
    if unknown:
        raise ScenarioError(f"{kind.value}: unknown key {unknown[0]!r}", path, line)
    get = _Getter(raw, path, line, kind)
    values: tuple[int, ...] = ()
    if "values" in raw:
        values = tuple(get.integers("values"))
    elif "value" in raw:
        values = (get.integer("value", 0),)
    fill = raw.get("fill")
    if fill not in (None, "index"):
        raise ScenarioError(f'{kind.value}: fill can only be "index"', path, line)
    if kind in (OpKind.WRITE, OpKind.WRITE_FILE) and not values and fill is None:
        raise ScenarioError(f"{kind.value}: needs value or values", path, line)
    needs_at = kind in (
        OpKind.MUNMAP,
        OpKind.MPROTECT,
        OpKind.REMAP,
        OpKind.MADVISE,
        OpKind.MINCORE,
        OpKind.READ,
        OpKind.WRITE,
        OpKind.EXEC,
    )
    if needs_at and "at" not in raw:
        raise ScenarioError(f"{kind.value}: needs 'at', the name of a mapping", path, line)
    if kind is OpKind.MMAP and ("name" not in raw or "file" not in raw):
        raise ScenarioError("mmap: needs 'name' and 'file'", path, line)
    if kind in (OpKind.WRITE_FILE, OpKind.READ_FILE, OpKind.FTRUNCATE) and "file" not in raw:
        raise ScenarioError(f"{kind.value}: needs 'file'", path, line)
    return Op(
        kind=kind,
        line=line,
        pid=get.integer("pid", 0),
        name=get.text("name"),
        file=get.text("file"),
        at=get.text("at"),
        page=get.integer("page", 0),
        pages=get.integer("pages", len(values) if len(values) > 1 else 1),
        prot=get.prot(),
        flags=get.flags(),
        pgoff=get.integer("pgoff", 0) if "pgoff" in raw else None,
        advice=get.advice(),
        values=values,
        each=bool(raw.get("each", False)),
        prots=tuple(get.prot(p) for p in raw.get("prots", [])),
        fill_index=fill == "index",
        expect=get.expect("expect"),
        expect_emulated=get.expect("expect_emulated"),
        expect_fits=get.expect("expect_fits"),
        note=get.text("note"),
    )


class _Getter:
    """Typed reads of one op's keys, each failing with the op's line."""

    def __init__(self, raw: Mapping[str, Any], path: Path, line: int | None, kind: OpKind):
        self.raw, self.path, self.line, self.kind = raw, path, line, kind

    def _fail(self, message: str) -> ScenarioError:
        return ScenarioError(f"{self.kind.value}: {message}", self.path, self.line)

    def integer(self, key: str, default: int) -> int:
        value = self.raw.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self._fail(f"{key} must be an integer")
        return value

    def integers(self, key: str) -> list[int]:
        value = self.raw.get(key)
        if not isinstance(value, list) or not all(isinstance(v, int) for v in value):
            raise self._fail(f"{key} must be a list of integers")
        return value

    def text(self, key: str) -> str:
        value = self.raw.get(key, "")
        if not isinstance(value, str):
            raise self._fail(f"{key} must be a string")
        return value

    def prot(self, given: object = None) -> int:
        value = self.raw.get("prot", 0) if given is None else given
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value in PROTS:
            return PROTS[value]
        raise self._fail(f"prot must be one of {', '.join(PROTS)} or an integer")

    def flags(self) -> int:
        value = self.raw.get("flags", 0)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        names = value.split("|") if isinstance(value, str) else value
        if not isinstance(names, list):
            raise self._fail("flags must be names joined by '|', a list of names, or an integer")
        flags = 0
        for name in names:
            if not isinstance(name, str) or name.strip() not in FLAGS:
                raise self._fail(f"unknown flag {name!r}; known: {', '.join(FLAGS)}")
            flags |= FLAGS[name.strip()]
        return flags

    def advice(self) -> int:
        value = self.raw.get("advice", "dontneed")
        if value not in ADVICE:
            raise self._fail(f"advice must be one of {', '.join(ADVICE)}")
        return ADVICE[value]

    def expect(self, key: str) -> str | None:
        if key not in self.raw:
            return None
        value = self.raw[key]
        if isinstance(value, dict):
            raise self._fail(f"{key} must be a value, a string or a list")
        return render_value(value)
