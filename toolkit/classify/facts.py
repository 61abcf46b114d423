"""From a hunk to its facts: the old and new side parsed, their definitions diffed."""

from __future__ import annotations

import re
from collections import defaultdict

from toolkit.classify.csyntax import C_KEYWORDS, Fragment, Kind, Name, scan
from toolkit.classify.records import HunkFacts
from toolkit.series.records import Hunk, Line, LineKind

_C_SUFFIXES = (".c", ".h", ".S")
_WORD = re.compile(r"[A-Za-z_]\w*")
_DEFINING = (Kind.DEFINE, Kind.FUNCTION, Kind.FIELD)
# include/asm-i386/pgtable.h, arch/um/kernel/trap_kern.c; asm-generic is no arch.
_ARCH_PATH = re.compile(r"^(?:include/asm-([\w-]+)/|arch/([\w-]+)/)")
# A hunk section `static int install_file_pte(struct mm_struct *mm,` names its function.
_SECTION_FUNCTION = re.compile(r"([A-Za-z_]\w*)\s*\(")


def arch_of(path: str) -> str | None:
    """The architecture a path belongs to, `i386` for include/asm-i386/..., else None."""
    match = _ARCH_PATH.match(path)
    if match is None:
        return None
    arch = match.group(1) or match.group(2)
    return None if arch == "generic" else arch


def section_function(section: str) -> str | None:
    """The function a hunk section names, if it names one."""
    match = _SECTION_FUNCTION.search(section)
    return match.group(1) if match else None


def _side(lines: tuple[Line, ...], changed: LineKind) -> tuple[list[Line], list[bool]]:
    side = [line for line in lines if line.kind in (LineKind.CONTEXT, changed)]
    return side, [line.kind is changed for line in side]


def _parse(path: str, side: list[Line]) -> Fragment:
    if path.endswith(_C_SUFFIXES):
        return scan([line.text for line in side])
    # Text files (Documentation/) have no syntax to parse, but their words still name things.
    return Fragment(
        tuple(
            Name(row, Kind.IDENT, word)
            for row, line in enumerate(side)
            for word in dict.fromkeys(_WORD.findall(line.text))
        ),
        (),
    )


def hunk_facts(path: str, hunk: Hunk) -> HunkFacts:
    """Parse both sides of `hunk` of file `path` and diff what they define."""
    old, old_changed = _side(hunk.lines, LineKind.REMOVED)
    new, new_changed = _side(hunk.lines, LineKind.ADDED)
    old_tree, new_tree = _parse(path, old), _parse(path, new)

    rows: dict[str, list[int]] = defaultdict(list)
    defined_old: set[str] = set()
    defined_new: set[str] = set()
    changed_old: set[str] = set()
    changed_new: set[str] = set()
    uses: dict[str, None] = {}
    old_uses: dict[str, None] = {}
    calls: dict[str, None] = {}
    returns: dict[str, None] = {}
    context: dict[str, None] = {}
    old_rows: dict[str, dict[int, None]] = defaultdict(dict)
    for tree, side, changed, defined, changed_defs, used in (
        (old_tree, old, old_changed, defined_old, changed_old, old_uses),
        (new_tree, new, new_changed, defined_new, changed_new, uses),
    ):
        for name in tree.names:
            if name.kind is Kind.PARAM:
                continue
            if name.kind in _DEFINING:
                defined.add(name.name)
            if tree is old_tree:
                old_rows[name.name][side[name.row].patch_line] = None
            if not changed[name.row]:
                if name.kind is Kind.IDENT:
                    context[name.name] = None
                continue
            rows[name.name].append(side[name.row].patch_line)
            if name.kind in _DEFINING:
                changed_defs.add(name.name)
            elif name.kind is Kind.CALL:
                calls[name.name] = None
            elif name.kind is Kind.RETURN_CODE:
                returns[name.name] = None
            else:
                used[name.name] = None

    functions: dict[str, None] = {}
    named = section_function(hunk.section)
    if named:
        functions[named] = None
    for tree, changed in ((old_tree, old_changed), (new_tree, new_changed)):
        for body in tree.bodies:
            if any(changed[body.first : body.last + 1]):
                functions[body.name] = None

    # A definition on a changed line is new or redefined unless the new side lacks it.
    defines = changed_new | (changed_old & defined_new)
    signatures = tuple(dict.fromkeys(text for row, text in new_tree.signatures if new_changed[row]))
    removes = changed_old - defined_new
    return HunkFacts(
        file=path,
        header=hunk.header,
        patch_line=hunk.patch_line,
        arch=arch_of(path),
        functions=tuple(functions),
        defines=tuple(sorted(defines)),
        signatures=signatures,
        removes=tuple(sorted(removes)),
        introduces=tuple(sorted(changed_new - defined_old)),
        uses=tuple(uses),
        old_uses=tuple(old_uses),
        calls=tuple(calls),
        returns=tuple(returns),
        context_uses=tuple(context),
        old_rows=tuple((name, tuple(lines)) for name, lines in old_rows.items()),
        rows=tuple((name, tuple(dict.fromkeys(lines))) for name, lines in rows.items()),
    )


# A line defining a name without a parser: `#define NAME`, or a top-level function head
# `static int name(` that does not end as a declaration does.
_DEFINE_LINE = re.compile(r"\s*#\s*define\s+([A-Za-z_]\w*)")
_FUNCTION_HEAD = re.compile(r"[A-Za-z_][\w \t*]*?\b([A-Za-z_]\w*)\s*\((?![^;]*;\s*$)")
_CALL = re.compile(r"([A-Za-z_]\w*)\s*\(")
# The sides quick_facts gathers, in the order it unpacks them.
_SIDES = (LineKind.ADDED, LineKind.REMOVED, LineKind.CONTEXT)
_RETURN = re.compile(r"-\s*(E[A-Z0-9]+)\b")


def quick_facts(path: str, hunk: Hunk, series_lines: frozenset[int] = frozenset()) -> HunkFacts:
    """Facts of a hunk that no rule or check needs parsed: its words, found by regexes.

    Words are found once per hunk: a name's row is its definition's line, else the hunk's
    first changed (or old-side) line. Only where the old side meets `series_lines` (text the
    series added: the lifecycle check tells it from older text by line) are old-side words
    given their own first line, gathered bottom-up one dict call per line.
    """
    exact = bool(series_lines) and any(line.patch_line in series_lines for line in hunk.lines)
    sides: dict[LineKind, list[str]] = {kind: [] for kind in _SIDES}
    heads: dict[LineKind, dict[str, int]] = {kind: {} for kind in _SIDES}
    bodies: dict[str, None] = {}  # function heads on changed lines
    old_first: dict[str, int] = {}
    first = first_old = hunk.patch_line
    is_c = path.endswith(_C_SUFFIXES)
    for line in reversed(hunk.lines):
        kind, text = line.kind, line.text
        if kind is LineKind.NO_NEWLINE:
            continue
        sides[kind].append(text)
        if kind is LineKind.ADDED:
            first = line.patch_line
        else:
            first_old = line.patch_line
            if exact:
                old_first.update(dict.fromkeys(_WORD.findall(text), line.patch_line))
            if kind is LineKind.REMOVED:
                first = line.patch_line
        if is_c and ("(" in text or "define" in text):
            macro = _DEFINE_LINE.match(text)
            head = None if macro or text[:1].isspace() else _FUNCTION_HEAD.match(text)
            found = macro or head
            if found:
                heads[kind][found.group(1)] = line.patch_line  # bottom-up: the first one stays
            if head and kind is not LineKind.CONTEXT:
                bodies[head.group(1)] = None
    added, removed, kept = ("\n".join(reversed(sides[kind])) for kind in _SIDES)
    changed = f"{added}\n{removed}"
    calls = dict.fromkeys(c for c in _CALL.findall(changed) if c not in C_KEYWORDS) if is_c else {}
    new_defs, old_defs, context_defs = (set(heads[kind]) for kind in _SIDES)
    defined_old, defined_new = context_defs | old_defs, context_defs | new_defs
    skip = C_KEYWORDS | calls.keys() | old_defs | new_defs

    # One regex pass per side; the facts below are filters of these.
    new_words, old_words, kept_words = (
        dict.fromkeys(_WORD.findall(text)) for text in (added, removed, kept)
    )
    rows = {w: (first,) for w in (*new_words, *old_words) if w not in C_KEYWORDS}
    if not exact:
        old_first = {w: first_old for w in (*kept_words, *old_words) if w not in C_KEYWORDS}
    rows.update((name, (at,)) for kind in _SIDES[:2] for name, at in heads[kind].items())
    functions: dict[str, None] = {}
    named = section_function(hunk.section)
    if named:
        functions[named] = None
    functions.update(dict.fromkeys(reversed(bodies)))
    return HunkFacts(
        file=path,
        header=hunk.header,
        patch_line=hunk.patch_line,
        arch=arch_of(path),
        functions=tuple(functions),
        defines=tuple(sorted(new_defs | (old_defs & defined_new))),
        signatures=(),
        removes=tuple(sorted(old_defs - defined_new)),
        introduces=tuple(sorted(new_defs - defined_old)),
        uses=tuple(w for w in new_words if w not in skip),
        old_uses=tuple(w for w in old_words if w not in skip),
        calls=tuple(calls),
        returns=tuple(dict.fromkeys(_RETURN.findall(changed))),
        context_uses=tuple(w for w in kept_words if w not in C_KEYWORDS and w not in context_defs),
        old_rows=tuple((n, (at,)) for n, at in old_first.items() if n not in C_KEYWORDS),
        rows=tuple(rows.items()),
    )
