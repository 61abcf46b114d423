"""The diff part of one patch, cut into files and hunks: the only module that imports unidiff.

A first pass over the lines finds where the diff starts and ends, where each file's diff starts
and where each hunk ends, checking hunk counts with exact line numbers. Each file's lines are then
parsed by unidiff and converted to our records.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from unidiff.errors import UnidiffParseError
from unidiff.patch import Hunk as UnidiffHunk
from unidiff.patch import PatchedFile, PatchSet

from toolkit.errors import PatchError, UnsafePathError
from toolkit.series.records import ChangeKind, FileDiff, Hunk, Line, LineKind

# The grammar, one regex per line form.
# diff --git a/mm/fremap.c b/mm/fremap.c
_GIT_DIFF = re.compile(r"^diff --git ")
# diff -puN mm/fremap.c~rfp-cleanup-sc-check mm/fremap.c
# diff -r e6e960b0328c -r 3a38a9860844 mm/fremap.c   (hg export: revisions, then one path)
_PLAIN_DIFF = re.compile(r"^diff (?:-\S+ )*\S+ \S+$|^diff(?: -r [0-9a-f]+){1,2} \S+$")
# Index: linux-2.6.git/mm/fremap.c
_INDEX = re.compile(r"^Index: \S+$")
# --- linux-2.6.git/mm/fremap.c~rfp-cleanup-sc-check	2005-08-26 20:23:30.000000000 +0200
_SOURCE = re.compile(r"^--- ")
# +++ linux-2.6.git-paolo/mm/fremap.c	2005-08-26 20:23:30.000000000 +0200
_TARGET = re.compile(r"^\+\+\+ ")
# @@ -52,9 +52,13 @@ int install_page(struct mm_struct *mm,
_HUNK = re.compile(r"^@@ -(\d+)(,(\d+))? \+(\d+)(,(\d+))? @@(?: (.*))?$")
# Binary files a/logo.png and b/logo.png differ
_BINARY = re.compile(r"^Binary files? .* differ$")
# GIT binary patch
_GIT_BINARY = "GIT binary patch"
# rename from mm/old.c   /   copy to mm/new.c
_RENAME = re.compile(r"^(rename|copy) (from|to) (.+)$")
# old mode 100644   /   new file mode 100755   /   deleted file mode 100644
_MODE = re.compile(r"^(old mode|new mode|new file mode|deleted file mode) (\d+)$")
# --    (the signature separator after a mailed diff; some mailers drop its trailing space)
_SIGNATURE = ("-- ", "--")
# "b/caf\303\251.c"   (git's C-style quoting of a path with a quote, backslash or non-ASCII byte)
_C_QUOTED = re.compile(r"\\([0-7]{3}|.)|[^\\]+", re.DOTALL)
_C_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
# Property changes on: trunk/mm/fremap.c   (svn diff: property lines follow, `+*`, `## -0,0 +1 ##`)
_SVN_PROPERTIES = re.compile(r"^Property changes on: ")
# Lines that give a hunkless git diff its meaning (renames, mode changes, empty files).
_GIT_EXTENDED = re.compile(
    r"^(rename|copy) (from|to) |^(old|new) mode |^(new|deleted) file mode "
    r"|^similarity index |^index "
)


@dataclass(frozen=True, slots=True)
class DiffPart:
    """Where the diff sits in a patch's lines, and the files it changes."""

    start: int  # index of the first diff line (len(lines) when there is no diff)
    end: int  # index after the last diff line; lines from here on are the trailer
    files: tuple[FileDiff, ...]


@dataclass(slots=True)
class _Segment:
    """One file's lines while scanning: the header start, its hunks and how far it reaches."""

    start: int
    starter: str  # "git", "diff", "index", "pair", "binary"
    pair: int | None = None  # index of the `---` line
    hunks: list[tuple[int, int]] = field(default_factory=list)  # (header index, end index)
    end: int | None = None
    binary: bool = False
    properties: bool = False  # inside an svn `Property changes on:` block, which is no hunk


class _Where:
    """Turns an index into the patch's lines into a file and line for error messages."""

    def __init__(self, path: str, first_line: int) -> None:
        self.path = path
        self.first_line = first_line

    def error(self, message: str, index: int) -> PatchError:
        """A PatchError at line `index` of the patch."""
        return PatchError(message, self.path, self.first_line + index)

    def unsafe(self, message: str, index: int) -> UnsafePathError:
        """An UnsafePathError at line `index` of the patch."""
        return UnsafePathError(message, self.path, self.first_line + index)


def parse_diff(
    lines: Sequence[str],
    *,
    path: str,
    first_line: int = 1,
    strip: int = 1,
) -> DiffPart:
    """Find and parse the diff in `lines` (one patch, line endings removed)."""
    where = _Where(path, first_line)
    segments = _scan(lines, where)
    if not segments:
        return DiffPart(len(lines), len(lines), ())
    end = _trailer_start(lines, segments)
    files = tuple(
        _convert(lines, seg, seg_end, where, strip)
        for seg, seg_end in zip(segments, [s.start for s in segments[1:]] + [end], strict=True)
    )
    return DiffPart(segments[0].start, end, files)


# -- first pass: file and hunk boundaries -----------------------------------


def _starts_file(lines: Sequence[str], i: int, cur: _Segment | None) -> str | None:
    """The kind of file header line `lines[i]` is, if it starts a new file's diff."""
    line = lines[i]
    # GNU diff -r writes a binary file's diff as the one `Binary files ... differ` line
    fresh = cur is None or bool(cur.hunks) or cur.pair is not None or cur.starter == "binary"
    if cur is None and (_PLAIN_DIFF.match(line) or _INDEX.match(line)):
        # In a description, a line may start with "diff" or "Index:" without being a header.
        near = lines[i + 1 : i + 5]
        if not any(_SOURCE.match(n) or _GIT_EXTENDED.match(n) or _BINARY.match(n) for n in near):
            return None
    if _GIT_DIFF.match(line):
        return "git"
    if _INDEX.match(line):
        return "index"
    if _PLAIN_DIFF.match(line):
        # quilt writes `Index:` then `diff -puN` for the same file
        return "diff" if fresh or (cur is not None and cur.starter == "git") else None
    if _SOURCE.match(line) and i + 1 < len(lines) and _TARGET.match(lines[i + 1]):
        return "pair" if fresh else None
    if _BINARY.match(line) and (cur is None or cur.hunks):
        return "binary"
    return None


def _scan(lines: Sequence[str], where: _Where) -> list[_Segment]:
    """Cut the lines into per-file segments, checking each hunk against its counts."""
    segments: list[_Segment] = []
    cur: _Segment | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        kind = _starts_file(lines, i, cur)
        if kind is not None:
            # Text between two files' diffs travels with the second file's header.
            start = cur.end if cur is not None and cur.end is not None else i
            cur = _Segment(start=start, starter=kind)
            segments.append(cur)
            if kind == "pair":
                cur.pair = i
                i += 1
            cur.binary = kind == "binary"
            if cur.binary:
                # the `Binary files ... differ` line is the whole diff of its file
                cur.end = i + 1
            i += 1
            continue
        if cur is None:
            i += 1
            continue
        if _SOURCE.match(line) and i + 1 < len(lines) and _TARGET.match(lines[i + 1]):
            cur.pair = i
            i += 2
            continue
        hunk = _HUNK.match(line)
        if hunk:
            if cur.hunks and cur.end != i:
                raise where.error("text between two hunks of one file", cur.end or i)
            end = _hunk_end(lines, i, hunk, where)
            cur.hunks.append((i, end))
            cur.end = end
            i = end
            continue
        if line.startswith("@@"):
            raise where.error(f"malformed hunk header {line!r}", i)
        if cur.hunks:
            if _SVN_PROPERTIES.match(line):
                # an svn property block, no hunk: it travels with the next file like other text
                cur.properties = True
            elif line[:1] in ("+", "-", " ") and line not in _SIGNATURE and not cur.properties:
                first = cur.hunks[-1][0]
                raise where.error(
                    f"hunk counts do not match: the hunk at line {where.first_line + first} "
                    "has more lines than its header says",
                    i,
                )
        elif line == _GIT_BINARY or _BINARY.match(line):
            cur.binary = True
        i += 1
    return segments


def _hunk_end(lines: Sequence[str], i: int, hunk: re.Match[str], where: _Where) -> int:
    """Index after the hunk whose header is `lines[i]`, or a PatchError if counts don't match."""
    old = 1 if hunk.group(3) is None else int(hunk.group(3))
    new = 1 if hunk.group(6) is None else int(hunk.group(6))
    j = i + 1
    while old > 0 or new > 0:
        if j >= len(lines):
            raise where.error(
                f"truncated hunk: the file ends {old} old / {new} new lines short of "
                f"the counts in the header at line {where.first_line + i}",
                j - 1,
            )
        mark = lines[j][:1]
        if (
            _SOURCE.match(lines[j])
            and _TARGET.match(_at(lines, j + 1))
            and _at(lines, j + 2)[:3] == "@@ "
        ):
            # A removed `-- x` and an added `++ y` line followed by a hunk header: really the
            # next file's header, reached because the counts promised more lines than there are.
            raise where.error(
                f"hunk counts do not match: {old} old / {new} new lines still expected by the "
                f"header at line {where.first_line + i}, but the next file starts here",
                j,
            )
        if mark == " " or lines[j] == "":
            # an empty line is a context line whose space a mailer ate
            old -= 1
            new -= 1
        elif mark == "-":
            old -= 1
        elif mark == "+":
            new -= 1
        elif mark != "\\":
            raise where.error(
                f"hunk counts do not match: {old} old / {new} new lines still expected "
                f"by the header at line {where.first_line + i}, found {lines[j][:40]!r}",
                j,
            )
        if old < 0 or new < 0:
            raise where.error(
                f"hunk counts do not match: more {'old' if old < 0 else 'new'} lines than "
                f"the header at line {where.first_line + i} says",
                j,
            )
        j += 1
    while j < len(lines) and lines[j].startswith("\\"):
        j += 1
    return j


def _at(lines: Sequence[str], j: int) -> str:
    """Line `j`, or "" past the end."""
    return lines[j] if j < len(lines) else ""


def _trailer_start(lines: Sequence[str], segments: list[_Segment]) -> int:
    """Index of the first line after the diff (a signature, quilt's `_`, blank lines)."""
    last = segments[-1]
    if last.hunks:
        assert last.end is not None
        return last.end
    for j in range(last.start, len(lines)):
        if lines[j] in _SIGNATURE:
            return j
    return len(lines)


# -- second pass: unidiff, then our records ----------------------------------


def _convert(
    lines: Sequence[str],
    seg: _Segment,
    end: int,
    where: _Where,
    strip: int,
) -> FileDiff:
    """Parse one file's lines with unidiff and convert the result to a FileDiff."""
    first_hunk = seg.hunks[0][0] if seg.hunks else end
    header = tuple(lines[seg.start : first_hunk])
    extended = any(_GIT_EXTENDED.match(h) for h in header)
    # svn writes ---/+++ for a change of properties alone (svn:executable), with no hunk; a
    # block before the ---/+++ pair is the previous file's
    after_pair = lines[seg.pair + 2 : end] if seg.pair is not None else ()
    properties = any(_SVN_PROPERTIES.match(h) for h in after_pair)
    hunkless_ok = seg.binary or properties or (seg.pair is None and extended)
    if not seg.hunks and not hunkless_ok:
        at = seg.pair if seg.pair is not None else seg.start
        raise where.error("diff header with no hunks", at)
    try:
        parsed = PatchSet("".join(f"{line}\n" for line in lines[seg.start : end]))
    except UnidiffParseError as exc:
        raise where.error(f"unreadable diff: {exc}", seg.start) from None
    if len(parsed) != 1 or len(parsed[0]) != len(seg.hunks):
        raise where.error("unreadable diff: cannot tell where this file's diff ends", seg.start)
    pfile = parsed[0]
    hunks = tuple(_hunk(pfile[k], seg.hunks[k], lines, where) for k in range(len(seg.hunks)))
    old_path, new_path = _paths(pfile, header, seg, where, strip)
    modes = {m.group(1): m.group(2) for m in map(_MODE.match, header) if m}
    renamed = any(h.startswith(("rename from ", "copy from ")) for h in header)
    if seg.binary or pfile.is_binary_file:
        kind = ChangeKind.BINARY
    elif old_path is None:
        kind = ChangeKind.ADDED
    elif new_path is None:
        kind = ChangeKind.REMOVED
    elif renamed or old_path != new_path:
        kind = ChangeKind.RENAMED
    elif not hunks and ("old mode" in modes or "new mode" in modes or properties):
        kind = ChangeKind.MODE
    elif not extended and hunks and all(h.source_start == h.source_length == 0 for h in hunks):
        # diff -N (and -ruN between trees) writes a new file as an empty old one, not /dev/null
        kind = ChangeKind.ADDED
    elif not extended and hunks and all(h.target_start == h.target_length == 0 for h in hunks):
        kind = ChangeKind.REMOVED
    else:
        kind = ChangeKind.MODIFIED
    path = new_path or old_path
    if path is None:
        raise where.error("diff with neither an old nor a new file", seg.start)
    return FileDiff(
        path=path,
        old_path=old_path if kind is ChangeKind.RENAMED else None,
        kind=kind,
        hunks=hunks,
        insertions=sum(1 for h in hunks for ln in h.lines if ln.kind is LineKind.ADDED),
        deletions=sum(1 for h in hunks for ln in h.lines if ln.kind is LineKind.REMOVED),
        patch_line=where.first_line + seg.start,
        header=header,
        old_mode=modes.get("old mode") or modes.get("deleted file mode"),
        new_mode=modes.get("new mode") or modes.get("new file mode"),
    )


_KINDS = {
    "+": LineKind.ADDED,
    "-": LineKind.REMOVED,
    " ": LineKind.CONTEXT,
    "\\": LineKind.NO_NEWLINE,
}


def _hunk(uhunk: UnidiffHunk, span: tuple[int, int], lines: Sequence[str], where: _Where) -> Hunk:
    """Convert one unidiff hunk, numbering its lines from our own scan."""
    start, end = span
    match = _HUNK.match(lines[start])
    assert match is not None  # the scan only records hunk headers
    records: list[Line] = []
    # Texts come from our own lines (unidiff rewrites `\ No newline` markers and drops their
    # line numbers); kinds and old/new line numbers come from unidiff.
    for offset, uline in enumerate(uhunk):
        raw = lines[start + 1 + offset]
        records.append(
            Line(
                kind=_KINDS[uline.line_type or " "],
                text=raw[1:],
                source_line=uline.source_line_no,
                target_line=uline.target_line_no,
                patch_line=where.first_line + start + 1 + offset,
            )
        )
    if len(records) != end - start - 1:
        raise where.error("unreadable hunk: line count differs from the scan", start)
    return Hunk(
        source_start=int(match.group(1)),
        source_length=1 if match.group(3) is None else int(match.group(3)),
        target_start=int(match.group(4)),
        target_length=1 if match.group(6) is None else int(match.group(6)),
        section=match.group(7) or "",
        lines=tuple(records),
        patch_line=where.first_line + start,
        source_count_given=match.group(2) is not None,
        target_count_given=match.group(5) is not None,
        bare_space=match.group(7) == "",
    )


def _paths(
    pfile: PatchedFile,
    header: tuple[str, ...],
    seg: _Segment,
    where: _Where,
    strip: int,
) -> tuple[str | None, str | None]:
    """The old and new path of a file diff, stripped of `strip` leading components."""
    at = seg.pair if seg.pair is not None else seg.start
    renames = {m.group(2): m.group(3) for m in map(_RENAME.match, header) if m}
    source: str = pfile.source_file
    target: str = pfile.target_file
    old = None if source == "/dev/null" else _strip(source, strip, where, at)
    new = None if target == "/dev/null" else _strip(target, strip, where, at)
    if "from" in renames:
        old = _check(_unquote(renames["from"]), where, at)
    if "to" in renames:
        new = _check(_unquote(renames["to"]), where, at)
    # quilt's `diff -puN` names the old file `path~patchname`
    if old is not None and new is not None and old != new:
        suffix = old[len(new) :]
        if old.startswith(new + "~") and "/" not in suffix:
            old = new
    return old, new


def _strip(name: str, strip: int, where: _Where, at: int) -> str:
    """`name` without its first `strip` components, refused if it escapes the tree."""
    name = _unquote(name)
    if name.startswith("/"):
        raise where.unsafe(f"absolute path {name!r} in the diff", at)
    parts = name.split("/")
    if len(parts) <= strip:
        raise where.error(f"path {name!r} has no component left after -p{strip}", at)
    return _check("/".join(parts[strip:]), where, at, shown=name)


def _unquote(name: str) -> str:
    """`name` with git's C-style quoting undone; octal escapes are the bytes of UTF-8 text."""
    if len(name) < 2 or name[0] != '"' or name[-1] != '"':
        return name
    raw = bytearray()
    for match in _C_QUOTED.finditer(name[1:-1]):
        escape = match.group(1)
        if escape is None:
            raw += match.group(0).encode()
        elif escape.isdigit():
            raw.append(int(escape, 8) & 0xFF)
        else:
            raw += _C_ESCAPES.get(escape, escape).encode()
    return raw.decode(errors="replace")


def _check(path: str, where: _Where, at: int, shown: str | None = None) -> str:
    """`path` itself, or an UnsafePathError if it is absolute or climbs out with `..`."""
    if path.startswith("/") or ".." in path.split("/"):
        raise where.unsafe(f"path {shown or path!r} escapes the tree", at)
    return path
