"""Hand-written hunks and patches as series records, for tests that need no patch file."""

from __future__ import annotations

from toolkit.series.records import ChangeKind, FileDiff, Hunk, Line, LineKind, Patch, Subject


def hunk(body: str, start: int = 10, section: str = "", patch_line: int = 5) -> Hunk:
    """A hunk from diff body lines (` `, `+`, `-` markers), numbered from line `start`."""
    lines: list[Line] = []
    old, new = start, start
    for offset, raw in enumerate(body.splitlines(), 1):
        kind, text = LineKind(raw[:1] or " "), raw[1:]
        at = patch_line + offset
        if kind is LineKind.CONTEXT:
            lines.append(Line(kind, text, old, new, at))
            old, new = old + 1, new + 1
        elif kind is LineKind.REMOVED:
            lines.append(Line(kind, text, old, None, at))
            old += 1
        else:
            lines.append(Line(kind, text, None, new, at))
            new += 1
    return Hunk(start, old - start, start, new - start, section, tuple(lines), patch_line)


def file_diff(path: str, *hunks: Hunk, kind: ChangeKind = ChangeKind.MODIFIED) -> FileDiff:
    """A file's diff made of `hunks`, its counts taken from their lines."""
    lines = [line for h in hunks for line in h.lines]
    return FileDiff(
        path=path,
        old_path=None,
        kind=kind,
        hunks=hunks,
        insertions=sum(line.kind is LineKind.ADDED for line in lines),
        deletions=sum(line.kind is LineKind.REMOVED for line in lines),
        patch_line=1,
    )


def patch(subject: str, *files: FileDiff, description: str = "", number: int = 1) -> Patch:
    """A patch with `subject` changing `files`."""
    return Patch(
        source=f"test-{number}.patch",
        subject=Subject(raw=subject, text=subject),
        author="Test <test@example.org>",
        body_from=(),
        date=None,
        message_id=None,
        description=description,
        diffstat=None,
        files=files,
        quilt_name=f"test-{number}",
        number=number,
    )
