"""The diffstat of a series by byte-level scanning: no Python object per diff line.

Patches are found in a quilt directory, a directory of patches, an mbox or a `git log -p`
file, read in blocks so a large input streams; a file's +/- lines are counted with `bytes.count`
over its hunks and, except in git's own log, checked against the counts in their `@@` headers.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.classify.records import FileStat
from toolkit.errors import MissingInputError, PatchError

# @@ -52,9 +52,13 @@ int install_page(struct mm_struct *mm,
_HUNK = re.compile(rb"^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@", re.MULTILINE)
# --- a/mm/fremap.c
# +++ b/mm/fremap.c
_TARGET = re.compile(rb"^--- ([^\t\n]*)[^\n]*\n\+\+\+ ([^\t\n]+)", re.MULTILINE)
# Subject: [patch 02/18] remap_file_pages protection support: ...
_SUBJECT = re.compile(rb"^Subject: ?([^\n]*(?:\n[ \t][^\n]*)*)", re.MULTILINE)
# `[PATCH 02/18] ` and `Re: ` in front of a subject's text.
_BRACKETS = re.compile(r"^(?:re:\s*)?(?:\[[^\]]*\]\s*)*", re.IGNORECASE)
# Each line the block scan looks for, after its newline: a `+++ ` line, a hunk header, or a
# message's first line.
#   +++ b/mm/fremap.c   /   @@ -52,9 +52,13 @@   /   commit 1234abcd...   /   From 1234abcd...
_HEADS = re.compile(
    rb"\n(?:\+\+\+ |@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@"
    rb"|commit [0-9a-f]{40}(?=[\n ])|From \S+ [^\n]*\d{4}[^\n]*(?=\n))"
)
_AT, _PLUS = ord("@"), ord("+")
# A message's first line, for the whole-file split of iter_raw.
_MESSAGE = re.compile(rb"^(?:From \S+ [^\n]*\d{4}|commit [0-9a-f]{40})[^\n]*$", re.MULTILINE)
# How a `git log -p` entry or a bare `git diff` starts: git wrote every hunk, so its files are
# counted as they stream past instead of each hunk being checked.
_GIT_WRITTEN = (b"commit ", b"diff --git ")
_LONGEST_MARK = max(map(len, _GIT_WRITTEN))
# Bytes read at a time from a single input file.
_BLOCK = 512 << 10
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


def _walk_hunk(data: bytes, at: int, old: int, new: int) -> tuple[int, int, int]:
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


def _line_starts(data: bytes, prefix: bytes, start: int, end: int) -> Iterator[int]:
    """Offsets of the lines in start..end that begin with `prefix`, found by bytes.find."""
    if data[start : start + len(prefix)] == prefix:
        yield start
    needle = b"\n" + prefix
    at = data.find(needle, start, end)
    while at >= 0:
        yield at + 1
        at = data.find(needle, at + 1, end)


def _targets(data: bytes, start: int, end: int) -> Iterator[tuple[int, int, str]]:
    """Each file header: (offset of its `--- ` line, end of its `+++ ` line, the path)."""
    for at in _line_starts(data, b"+++ ", start, end):
        before = data.rfind(b"\n", start, max(at - 1, start)) + 1
        found = _TARGET.match(data, max(before, start), end)
        if found is not None and found.end(2) > at:
            # A removed file's name is on its `---` line: the `+++` one is /dev/null.
            name = found.group(1) if found.group(2).strip() == b"/dev/null" else found.group(2)
            yield found.start(), found.end(), _strip(name)


def _hunks(data: bytes, start: int, end: int) -> Iterator[re.Match[bytes]]:
    """The `@@` headers between start and end."""
    for at in _line_starts(data, b"@@ -", start, end):
        found = _HUNK.match(data, at, end)
        if found is not None:
            yield found


def stat_span(
    data: bytes, start: int, end: int, source: str, first_line: int = 1
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


def _subject(data: bytes, start: int, end: int) -> str:
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


def _quilt_patches(root: Path) -> Iterator[RawPatch]:
    """The patches of a quilt directory (in `series` order) or of a directory of patches."""
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


@dataclass(frozen=True, slots=True)
class PatchStat:
    """One patch's diffstat and where it came from."""

    number: int
    subject: str
    quilt_name: str | None
    source: str
    files: tuple[FileStat, ...]


def iter_stats(path: str | Path, block: int = _BLOCK, fast: bool = True) -> Iterator[PatchStat]:
    """The diffstat of each patch of a quilt directory, directory, mbox, git log or diff.

    With `fast`, a git log or diff is read by the C scanner when cc can build it; the same
    stats as the Python scan, which reads every other input and reports any error.
    """
    root = Path(path)
    if root.is_dir():
        for raw in _quilt_patches(root):
            yield PatchStat(raw.number, raw.subject, raw.quilt_name, raw.source, stat_raw(raw))
        return
    if not root.is_file():
        raise MissingInputError("no such file or directory", root)
    found = fast_stats(root) if fast else None
    yield from _scan(root, block) if found is None else found


def fast_stats(root: Path) -> list[PatchStat] | None:
    """The stats of a git log or diff by the C scanner; None when the Python scan must read it."""
    from toolkit.classify.fastscan import records

    found = records(root)
    if found is None or not found.numbers:
        # Nothing found may still be a mail's error to report: the Python scan says.
        return None
    numbers, names = found.numbers, found.names
    paths = [text.strip() for text in names]
    paths = [text.split("/", 1)[1] if "/" in text else text for text in paths]
    stats: list[PatchStat] = []
    at = named = 0
    # Subjects are read with pread: a mapping would bring whole pages around each into memory.
    with root.open("rb", buffering=0) as handle:
        fd = handle.fileno()
        while at < len(numbers):
            start, subject_end, end, count = numbers[at : at + 4]
            at += 4
            names_here = paths[named : named + count]
            span = numbers[at : at + 3 * count]
            at, named = at + 3 * count, named + count
            pluses, olds, news = span[0::3], span[1::3], span[2::3]
            if len(set(names_here)) < count:
                # One path under several headers: summed first, as the Python scan does.
                files: dict[str, list[int]] = {}
                for path, plus, old, new in zip(names_here, pluses, olds, news, strict=True):
                    counts = files.setdefault(path, [0, 0, 0])
                    counts[0] += plus
                    counts[1] += old
                    counts[2] += new
                names_here = list(files)
                pluses, olds, news = (tuple(c[i] for c in files.values()) for i in range(3))
            # Every hunk line is context, added or removed: so old - removed = new - added.
            minuses = [old - new + plus for plus, old, new in zip(pluses, olds, news, strict=True)]
            if any(p > n for p, n in zip(pluses, news, strict=True)) or any(
                not 0 <= m <= o for m, o in zip(minuses, olds, strict=True)
            ):
                return None  # the Python scan reports where
            files_stat = tuple(map(FileStat, names_here, pluses, minuses))
            # As in the Python scan: the lines before the first file header, if there is one.
            length = subject_end - start if subject_end >= 0 else end - start
            head = os.pread(fd, length, start)
            subject = _subject(head, 0, len(head))
            stats.append(PatchStat(len(stats) + 1, subject, None, str(root), files_stat))
    return stats


@dataclass(slots=True)
class _Open:
    """The message being read by `_scan`; offsets point into the current block."""

    start: int  # the newline before its first line
    offset: int  # where its first line is in the file
    log: bool  # a `git log` entry: its files are counted as they stream past
    headed: bool = False  # a `+++ ` line was seen
    subject: str | None = None
    files: dict[str, list[int]] = field(default_factory=dict)  # path: +, old and new lines
    path: str = ""
    body: int = -1  # where the current file's lines not yet counted start
    heads: list[int] = field(default_factory=list)  # newlines before `+++ ` lines, mails only

    def count(self, data: bytes, end: int) -> None:
        """Add the current file's added lines up to `end`: in a log, the lines starting with +."""
        if self.body >= 0 and end > self.body:
            self.files[self.path][0] += data.count(b"\n+", self.body, end)
            self.body = end

    def head(self, data: bytes, at: int) -> None:
        """A `+++ ` line after the newline at `at`: in a log, the next file starts there."""
        self.headed = True
        if not self.log:
            self.heads.append(at)
            return
        found = _TARGET.match(data, data.rfind(b"\n", 0, at) + 1)
        if found is None or found.end(2) <= at:
            return  # an added `++ x` line, not a file header
        if self.subject is None:
            self.subject = _subject(data, self.start + 1, found.start())
        self.count(data, found.start())
        # A removed file's name is on its `---` line: the `+++` one is /dev/null.
        name = found.group(1) if found.group(2).strip() == b"/dev/null" else found.group(2)
        self.path = _strip(name)
        self.files.setdefault(self.path, [0, 0, 0])
        self.body = found.end()

    def shift(self, keep: int) -> None:
        """The block now starts at what was `keep`."""
        self.start -= keep
        self.body = self.body - keep if self.body >= 0 else -1
        self.heads = [at - keep for at in self.heads]


def _close(message: _Open, data: bytes, end: int, source: str) -> tuple[str, tuple[FileStat, ...]]:
    """A message's subject and diffstat, once its last line (before `end`) is read."""
    if message.log:
        message.count(data, end)
        stats = []
        for path, (plus, old, new) in message.files.items():
            # Every hunk line is context, added or removed: so old - removed = new - added.
            minus = old - new + plus
            if plus > new or not 0 <= minus <= old:
                # Reported at the entry's first line: the file's own lines are gone by now.
                exc = PatchError(f"{path}: hunk counts do not match its lines", source, 1)
                raise _in_file(exc, Path(source), message.offset)
            stats.append(FileStat(path, plus, minus))
        # A log entry's subject comes from the lines before its first file header, whatever
        # follows: the streamed scan has dropped those later lines by now.
        if message.subject is None:
            return _subject(data, message.start + 1, end), tuple(stats)
        return message.subject, tuple(stats)
    try:
        files = stat_span(data, message.start + 1, end, source)
    except PatchError as exc:
        raise _in_file(exc, Path(source), message.offset) from None
    return _subject(data, message.start + 1, end), files


def _scan(root: Path, size: int) -> Iterator[PatchStat]:
    """The patches of one file read `size` bytes at a time, with one regex pass over each.

    A log entry's files are counted as the blocks pass, so memory holds about two blocks
    however long the log; a mail or a plain diff is kept whole and its hunks checked.
    """
    source, number = str(root), 0
    with root.open("rb", buffering=0) as handle:
        # Positions are those of the newline before a line; one in front serves the first.
        data, base, at = b"\n", -1, 0
        message: _Open | None = None
        while True:
            block = handle.read(size)
            data = data + block if block else data
            if message is None:
                # The first line's start tells a log from a mail: wait until it has been read.
                if block and len(data) <= _LONGEST_MARK and b"\n" not in data[1:]:
                    continue
                message = _Open(0, 0, data.startswith(_GIT_WRITTEN, 1))
            # Only whole lines are scanned; a cut one waits for the next block.
            stop = data.rfind(b"\n") + 1 if block else len(data)
            for found in _HEADS.finditer(data, at, stop):
                where = found.start()
                # The byte after the newline tells the kind: most matches are hunk headers.
                first = data[where + 1]
                if first == _AT:
                    if message.body >= 0 and message.log:
                        old, new = found.group(1, 2)
                        counts = message.files[message.path]
                        counts[1] += 1 if old is None else int(old)
                        counts[2] += 1 if new is None else int(new)
                elif first == _PLUS:
                    message.head(data, where)
                elif where:
                    if message.headed:
                        number += 1
                        subject, files = _close(message, data, where + 1, source)
                        yield PatchStat(number, subject, None, source, files)
                    log = data.startswith(_GIT_WRITTEN, where + 1)
                    message = _Open(where, base + where + 1, log)
            at = max(stop - 1, at)
            if not block:
                if message.headed:
                    subject, files = _close(message, data, len(data), source)
                    yield PatchStat(number + 1, subject, None, source, files)
                return
            keep = message.start
            if message.log and message.subject is not None:
                # Counted and dropped up to the last whole line, which may be a `---` header.
                keep = max(data.rfind(b"\n", 0, at), message.start)
                message.count(data, keep)
            data, base, at = data[keep:], base + keep, at - keep
            message.shift(keep)


def _in_file(exc: PatchError, path: Path, offset: int) -> PatchError:
    """`exc` with its line counted from the top of the file, not of its message."""
    if not offset or exc.line is None:
        return exc
    # Counted only now: lines before the patch matter only for an error's location.
    with path.open("rb") as handle:
        before = handle.read(offset).count(b"\n")
    return PatchError(exc.message, str(path), exc.line + before)


def iter_raw(path: str | Path) -> Iterator[RawPatch]:
    """Each patch's bytes: the simple per-message view (a file is read whole), for small inputs.

    `iter_stats` is what streams a large file; the tests check one against the other.
    """
    root = Path(path)
    if root.is_dir():
        yield from _quilt_patches(root)
        return
    if not root.is_file():
        raise MissingInputError("no such file or directory", root)
    data = root.read_bytes()
    starts = [0, *(m.start() for m in _MESSAGE.finditer(data) if m.start())]
    number = 0
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(data)
        if data.find(b"\n+++ ", start, end) < 0:
            continue  # a cover letter or a commit without a diff
        number += 1
        yield RawPatch(number, _subject(data, start, end), None, str(root), data[start:end], start)


def stat_raw(patch: RawPatch) -> tuple[FileStat, ...]:
    """The diffstat of one raw patch."""
    try:
        return stat_span(patch.data, 0, len(patch.data), patch.source)
    except PatchError as exc:
        raise _in_file(exc, Path(patch.source), patch.offset) from None
