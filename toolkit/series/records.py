"""The records a series reader produces: series, patches, files, hunks and lines.

Library objects (unidiff, GitPython, email) are converted to these at the reader's boundary.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class LineKind(Enum):
    """The kind of one line of a hunk."""

    CONTEXT = " "
    ADDED = "+"
    REMOVED = "-"
    NO_NEWLINE = "\\"


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a hunk, without its kind marker or line ending."""

    kind: LineKind
    text: str
    source_line: int | None  # line number in the old file (context and removed lines)
    target_line: int | None  # line number in the new file (context and added lines)
    patch_line: int  # line number in the patch file or message it was read from


@dataclass(frozen=True, slots=True)
class Hunk:
    """One `@@ -a,b +c,d @@ section` hunk."""

    source_start: int
    source_length: int
    target_start: int
    target_length: int
    section: str  # the text after the second `@@`: the enclosing function, if diff -p found one
    lines: tuple[Line, ...]
    patch_line: int  # line of the `@@` header in the patch file
    # diff and git leave out a count of 1 (`@@ -5 +5,2 @@`); kept so rendering gives the same bytes
    source_count_given: bool = True
    target_count_given: bool = True
    # `@@ -1 +1 @@ ` with a space and no section: kept for the same reason
    bare_space: bool = False

    @property
    def header(self) -> str:
        """The hunk header as it stands in the patch."""
        old = f"-{self.source_start}" + (
            f",{self.source_length}" if self.source_count_given else ""
        )
        new = f"+{self.target_start}" + (
            f",{self.target_length}" if self.target_count_given else ""
        )
        tail = f" {self.section}" if self.section or self.bare_space else ""
        return f"@@ {old} {new} @@{tail}"


class ChangeKind(Enum):
    """What a file diff does to its file."""

    MODIFIED = "modified"
    ADDED = "added"
    REMOVED = "removed"
    RENAMED = "renamed"
    BINARY = "binary"
    MODE = "mode"


@dataclass(frozen=True, slots=True)
class FileDiff:
    """The changes a patch makes to one file, paths already stripped of their -p1 prefix."""

    path: str  # the file's path after the patch (before it, for a removal)
    old_path: str | None  # the path before, where it differs (renames)
    kind: ChangeKind
    hunks: tuple[Hunk, ...]
    insertions: int
    deletions: int
    patch_line: int  # line of the diff header in the patch file
    header: tuple[str, ...] = ()  # the raw lines before the first hunk (Index:, diff, ---, +++)
    old_mode: str | None = None
    new_mode: str | None = None


@dataclass(frozen=True, slots=True)
class Subject:
    """A subject line parsed b4-style: `[RFC PATCH v3 02/18] prefix: text`."""

    raw: str
    text: str  # the subject with the bracketed prefixes removed
    prefixes: tuple[str, ...] = ()  # e.g. ("RFC", "PATCH")
    revision: int = 1
    counter: int | None = None
    expected: int | None = None


@dataclass(frozen=True, slots=True)
class Patch:
    """One patch of a series: its mail headers, description and diff."""

    source: str  # the file (or file and message) it was read from
    subject: Subject
    author: str  # the mail's From: (or the commit author)
    body_from: tuple[str, ...]  # in-body From: lines (original authors)
    date: str | None
    message_id: str | None
    description: str
    diffstat: str | None  # the diffstat block as written in the patch, if any
    files: tuple[FileDiff, ...]
    quilt_name: str | None = None  # name in a quilt `series` file, without .patch
    number: int | None = None  # position in the series, from 1
    # What rendering needs to give back the bytes read: the raw text around the diff
    # (mail headers, description, diffstat; a signature after it), the line ending and encoding.
    preamble: str = ""
    trailer: str = ""
    newline: str = "\n"
    final_newline: bool = True
    encoding: str = "utf-8"
    envelope: str | None = None  # the mbox `From ` line or git log `commit` line, if any
    line: int = 1  # line of the source file where this patch starts
    strip: int = 1  # the -p level its paths were stripped with
    warnings: tuple[str, ...] = ()

    @property
    def insertions(self) -> int:
        """Lines added over all files."""
        return sum(f.insertions for f in self.files)

    @property
    def deletions(self) -> int:
        """Lines removed over all files."""
        return sum(f.deletions for f in self.files)


class SourceKind(Enum):
    """The form a series was read from."""

    QUILT = "quilt"
    MBOX = "mbox"
    DIFF = "diff"
    DIRECTORY = "directory"
    GIT_LOG = "git-log"
    GIT = "git"


@dataclass(frozen=True, slots=True)
class Series:
    """An ordered patch series and its cover letter."""

    source: str
    patches: tuple[Patch, ...]
    cover: Patch | None = None
    warnings: tuple[str, ...] = ()
    kind: SourceKind = SourceKind.DIFF
