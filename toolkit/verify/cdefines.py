"""The #defines of a header or of a hunk's new side, with the #if branches they sit in.

Lines are joined at backslash continuations and comments blanked before a directive is read;
tree-sitter (through toolkit.classify.csyntax) then names what each macro body refers to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from toolkit.classify.csyntax import Kind, scan

# `#  define NAME(a, b) body`, `#define NAME body`, `#define NAME`
_DEFINE = re.compile(r"#\s*define\s+([A-Za-z_]\w*)(\([^)]*\))?\s*(.*)$", re.DOTALL)
# `#if X`, `#ifdef X`, `#ifndef X`
_OPEN = re.compile(r"#\s*if(n?def)?\b")
# `#elif X`, `#else`
_BRANCH = re.compile(r"#\s*(elif\b|else\b)")
_CLOSE = re.compile(r"#\s*endif\b")
_BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)

# The file-PTE macros a port defines (pgoff_to_pte before the series, pgoff_prot_to_pte after).
FILE_PTE_MACROS = (
    "PTE_FILE_MAX_BITS",
    "pte_to_pgoff",
    "pgoff_prot_to_pte",
    "pgoff_to_pte",
    "pte_to_pgprot",
    "pte_file",
)


@dataclass(frozen=True, slots=True)
class Define:
    """One #define: its name, parameters, body, where it stands, and the #if branches around it."""

    name: str
    params: str  # "(off, prot)" or "" for an object-like macro
    body: str
    path: str
    line: int
    branches: tuple[tuple[str, ...], ...]  # per open #if: its opening line and later #elif/#else

    @property
    def text(self) -> str:
        """The #define on one line."""
        return f"#define {self.name}{self.params} {self.body}".rstrip()


def _logical_lines(lines: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
    """Lines joined at backslash-newline and stripped of comments, each with its first number."""
    joined: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for number, text in lines:
        pending = (number, text) if pending is None else (pending[0], f"{pending[1]}\n{text}")
        if not pending[1].endswith("\\"):
            joined.append(pending)
            pending = None
        else:
            pending = (pending[0], pending[1][:-1])
    if pending is not None:
        joined.append(pending)
    # A comment may span logical lines: blank it over the whole text, keeping the numbering.
    text = "\x00".join(t for _, t in joined)
    text = _BLOCK_COMMENT.sub(lambda m: " " * m.group(0).count("\n") + " ", text)
    unclosed = text.find("/*")
    if unclosed >= 0:
        text = text[:unclosed]  # a hunk may end inside a comment
    parts = text.split("\x00")
    parts += [""] * (len(joined) - len(parts))
    return [(n, re.sub(r"//.*", "", p)) for (n, _), p in zip(joined, parts, strict=True)]


def parse_defines(lines: Iterable[tuple[int, str]], path: str) -> tuple[Define, ...]:
    """Every #define in `lines` (number, text), with its enclosing #if branches.

    A hunk may start inside an #if or end before its #endif: an #endif with nothing open is
    ignored, and branches left open simply stay open.
    """
    stack: list[list[str]] = []
    found: list[Define] = []
    for number, text in _logical_lines(lines):
        line = text.strip()
        if not line.startswith("#"):
            continue
        if _CLOSE.match(line):
            if stack:
                stack.pop()
        elif _BRANCH.match(line):
            if stack:
                stack[-1].append(" ".join(line.split()))
        elif _OPEN.match(line):
            stack.append([" ".join(line.split())])
        else:
            match = _DEFINE.match(line)
            if match:
                name, params, body = match.groups()
                body = " ".join(body.split())
                found.append(
                    Define(name, params or "", body, path, number, tuple(map(tuple, stack)))
                )
    return tuple(found)


def references(define: Define) -> tuple[str, ...]:
    """The identifiers the body of `define` uses, its own parameters left out."""
    fragment = scan([define.text])
    params = {n.name for n in fragment.names if n.kind is Kind.PARAM}
    used = [
        n.name
        for n in fragment.names
        if n.kind in (Kind.IDENT, Kind.CALL) and n.name != define.name and n.name not in params
    ]
    return tuple(dict.fromkeys(used))


def closure(
    defines: tuple[Define, ...], roots: tuple[str, ...], provided: frozenset[str]
) -> tuple[Define, ...]:
    """The defines of `roots` and, transitively, of the names they use that `provided` lacks.

    Kept in their original order, so a later definition still overrides an earlier one.
    """
    by_name: dict[str, list[Define]] = {}
    for define in defines:
        by_name.setdefault(define.name, []).append(define)
    wanted: set[str] = set()
    todo = [name for name in roots if name in by_name]
    while todo:
        name = todo.pop()
        if name in wanted or name in provided:
            continue
        wanted.add(name)
        for define in by_name[name]:
            todo.extend(n for n in references(define) if n in by_name and n not in wanted)
    return tuple(d for d in defines if d.name in wanted)


def emit(defines: tuple[Define, ...]) -> str:
    """The defines as C, each wrapped in the #if branches it stood in."""
    out: list[str] = []
    for define in defines:
        out.append(f"/* {define.path}:{define.line} */")
        for branch in define.branches:
            out.extend(branch)
        out.append(define.text)
        out.extend("#endif" for _ in define.branches)
    return "\n".join(out) + "\n"
