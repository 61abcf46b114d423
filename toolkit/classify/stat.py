"""The diffstat of a series by byte-level scanning: no Python object per diff line.

Patches are found in a quilt directory, a directory of patches, an mbox or a `git log -p`
file, memory-mapped so a large input streams; a file's +/- lines are counted with `bytes.count`
over its hunks and checked against the counts in their `@@` headers.
"""

from __future__ import annotations

import mmap
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from toolkit.classify.records import FileStat
from toolkit.errors import MissingInputError, PatchError

# @@ -52,9 +52,13 @@ int install_page(struct mm_struct *mm,
_HUNK = re.compile(rb"^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@", re.MULTILINE)
# --- a/mm/fremap.c
# +++ b/mm/fremap.c
_TARGET = re.compile(rb"^--- ([^\t\n]*)[^\n]*\n\+\+\+ ([^\t\n]+)", re.MULTILINE)
# From 1234abcd... Mon Sep 17 00:00:00 2001   (mbox)   /   commit 1234abcd...   (git log)
_MESSAGE = re.compile(rb"^(?:From \S+ [^\n]*\d{4}|commit [0-9a-f]{40})[^\n]*$", re.MULTILINE)
# Subject: [patch 02/18] remap_file_pages protection support: ...
_SUBJECT = re.compile(rb"^Subject: ?([^\n]*(?:\n[ \t][^\n]*)*)", re.MULTILINE)
# `[PATCH 02/18] ` and `Re: ` in front of a subject's text.
_BRACKETS = re.compile(r"^(?:re:\s*)?(?:\[[^\]]*\]\s*)*", re.IGNORECASE)
# The first indented line of a `git log` message.
_LOG_TITLE = re.compile(rb"^\n {4}([^\n]+)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class RawPatch:
    """One patch's bytes and where they came from, before any parsing."""

    number: int
    subject: str
    quilt_name: str | None
    source: str
    data: bytes  # this patch's bytes only, so memory stays flat over a long input
    offset: int = 0  # where the patch starts in its input file


def _strip(path: bytes) -> str:
    """The path without its first component (`a/`, `linux-2.6.git~name/`), as patch -p1 does."""
    text = path.decode("utf-8", "surrogateescape").strip()
    return text.split("/", 1)[1] if "/" in text else text


def _walk_hunk(data: bytes | mmap.mmap, at: int, old: int, new: int) -> tuple[int, int, int]:
    """Count one hunk line by line from offset `at`: (insertions, deletions, lines missing)."""
    plus = minus = 0
    while old > 0 or new > 0:
        end = data.find(b"\n", at)
        end = len(data) if end < 0 else end
        marker = data[at : at + 1]
        if marker == b"+":
            plus, new = plus + 1, new - 1
        elif marker == b"-":
            minus, old = minus + 1, old - 1
        elif marker in (b" ", b"\n", b""):
            if at >= len(data):
                break
            old, new = old - 1, new - 1
        elif marker != b"\\":
            break
        at = end + 1
    return plus, minus, max(old, 0) + max(new, 0)


def _line_starts(data: bytes | mmap.mmap, prefix: bytes, start: int, end: int) -> Iterator[int]:
    """Offsets of the lines in start..end that begin with `prefix`, found by bytes.find."""
    if data[start : start + len(prefix)] == prefix:
        yield start
    needle = b"\n" + prefix
    at = data.find(needle, start, end)
    while at >= 0:
        yield at + 1
        at = data.find(needle, at + 1, end)


def _targets(data: bytes | mmap.mmap, start: int, end: int) -> Iterator[tuple[int, int, str]]:
    """Each file header: (offset of its `--- ` line, end of its `+++ ` line, the path)."""
    for at in _line_starts(data, b"+++ ", start, end):
        before = data.rfind(b"\n", start, max(at - 1, start)) + 1
        found = _TARGET.match(data, max(before, start), end)
        if found is not None and found.end(2) > at:
            # A removed file's name is on its `---` line: the `+++` one is /dev/null.
            name = found.group(1) if found.group(2).strip() == b"/dev/null" else found.group(2)
            yield found.start(), found.end(), _strip(name)


def _hunks(data: bytes | mmap.mmap, start: int, end: int) -> Iterator[re.Match[bytes]]:
    """The `@@` headers between start and end."""
    for at in _line_starts(data, b"@@ -", start, end):
        found = _HUNK.match(data, at, end)
        if found is not None:
            yield found


def stat_span(
    data: bytes | mmap.mmap, start: int, end: int, source: str, first_line: int = 1
) -> tuple[FileStat, ...]:
    """The +/- lines of each file of the diff between byte offsets start and end."""
    targets = list(_targets(data, start, end))
    stats: dict[str, list[int]] = {}
    for index, (_, header_end, path) in enumerate(targets):
        limit = targets[index + 1][0] if index + 1 < len(targets) else end
        counts = stats.setdefault(path, [0, 0])
        hunks = list(_hunks(data, header_end, limit))
        if not hunks:
            continue
        # One count over the file's hunks; only when it disagrees with the headers is each
        # hunk counted on its own (something after a hunk, a signature, starts with +/-).
        olds = [int(h.group(1)) if h.group(1) is not None else 1 for h in hunks]
        news = [int(h.group(2)) if h.group(2) is not None else 1 for h in hunks]
        span = data[hunks[0].start() - 1 : limit]
        plus, minus = span.count(b"\n+"), span.count(b"\n-")
        if plus - minus == sum(news) - sum(olds) and plus <= sum(news) and minus <= sum(olds):
            counts[0] += plus
            counts[1] += minus
            continue
        for number, hunk in enumerate(hunks):
            old = int(hunk.group(1)) if hunk.group(1) is not None else 1
            new = int(hunk.group(2)) if hunk.group(2) is not None else 1
            body = data.find(b"\n", hunk.end(), limit)
            body = limit if body < 0 else body
            stop = hunks[number + 1].start() if number + 1 < len(hunks) else limit
            span = data[body:stop]
            plus, minus = span.count(b"\n+"), span.count(b"\n-")
            if plus - minus != new - old or plus > new or minus > old:
                # Something after the hunk (a mail signature, a trailer) starts with +/-.
                plus, minus, missing = _walk_hunk(data, body + 1, old, new)
                if missing:
                    plus = new + 1  # reported below: the hunk ends before its counts are met
            if plus > new or minus > old:
                line = first_line + data[start : hunk.start()].count(b"\n")
                raise PatchError("hunk counts do not match its lines", source, line)
            counts[0] += plus
            counts[1] += minus
    return tuple(FileStat(path, plus, minus) for path, (plus, minus) in stats.items())


def _subject(data: bytes | mmap.mmap, start: int, end: int) -> str:
    """The mail's Subject:, or a git log message's first line, without bracketed prefixes."""
    # The headers end at the first blank line, so the search for a Subject: stops there.
    blank = data.find(b"\n\n", start, end)
    found = next(
        (
            m
            for at in _line_starts(data, b"Subject:", start, end if blank < 0 else blank + 1)
            if (m := _SUBJECT.match(data, at, end))
        ),
        None,
    )
    if found is None and blank >= 0:
        found = _LOG_TITLE.match(data, blank + 1, end)
    if found is None:
        return ""
    subject = " ".join(found.group(1).decode("utf-8", "replace").split())
    return _BRACKETS.sub("", subject)


def _quilt_names(series: Path) -> list[str]:
    names = []
    for line in series.read_text(encoding="utf-8", errors="replace").splitlines():
        words = line.split("#", 1)[0].split()
        if words:
            names.append(words[0])
    return names


@contextmanager
def _mapped(path: Path) -> Iterator[bytes | mmap.mmap]:
    with path.open("rb") as handle:
        if path.stat().st_size == 0:
            yield b""
            return
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            yield data


def iter_raw(path: str | Path) -> Iterator[RawPatch]:
    """The patches of a quilt directory, a directory of patches, an mbox, a git log or a diff."""
    root = Path(path)
    if root.is_dir():
        series = root / "series"
        files: list[tuple[Path, str | None]]
        if series.is_file():
            files = [(root / name, name.removesuffix(".patch")) for name in _quilt_names(series)]
        else:
            found = sorted([*root.glob("*.patch"), *root.glob("*.diff")])
            files = [(p, None) for p in found]
        for number, (named, quilt) in enumerate(files, 1):
            # A quilt series may name its patches with or without the .patch suffix.
            file = named if named.is_file() else named.with_name(named.name + ".patch")
            if not file.is_file():
                raise MissingInputError("the series names a missing patch", file)
            content = file.read_bytes()
            yield RawPatch(number, _subject(content, 0, len(content)), quilt, str(file), content)
        return
    if not root.is_file():
        raise MissingInputError("no such file or directory", root)
    with _mapped(root) as data:
        starts = sorted(
            at
            for prefix in (b"From ", b"commit ")
            for at in _line_starts(data, prefix, 0, len(data))
            if _MESSAGE.match(data, at)
        )
        starts = [0, *(at for at in starts if at > 0)]
        number = 0
        for index, start in enumerate(starts):
            end = starts[index + 1] if index + 1 < len(starts) else len(data)
            if data.find(b"\n+++ ", start, end) < 0:
                continue  # a cover letter or a commit without a diff
            number += 1
            yield RawPatch(
                number, _subject(data, start, end), None, str(root), data[start:end], start
            )


def stat_raw(patch: RawPatch) -> tuple[FileStat, ...]:
    """The diffstat of one raw patch."""
    try:
        return stat_span(patch.data, 0, len(patch.data), patch.source)
    except PatchError as exc:
        if not patch.offset or exc.line is None:
            raise
        # Counted only now: lines before the patch matter only for an error's location.
        with Path(patch.source).open("rb") as handle:
            before = handle.read(patch.offset).count(b"\n")
        raise PatchError(exc.message, patch.source, exc.line + before) from None
