"""Series records written back out: patch bytes, mbox, a text table and JSON."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

from toolkit.atomic import write_atomic
from toolkit.series.records import ChangeKind, FileDiff, Hunk, Patch, Series, SourceKind

# >From , >>From ...   (mboxrd quoting: one more `>` on every line that would read as a From line)
_FROM_LINE = re.compile(r"^(>*From )", re.MULTILINE)
# the envelope line git format-patch writes, used when a patch came from elsewhere
_ENVELOPE = "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001"


def render_hunk(hunk: Hunk) -> str:
    """A hunk as diff writes it: header and lines, each ending in a newline."""
    out = [f"{hunk.header}\n"]
    out.extend(f"{line.kind.value}{line.text}\n" for line in hunk.lines)
    return "".join(out)


def render_file(diff: FileDiff) -> str:
    """One file's diff: its header lines, then its hunks."""
    return "".join(f"{h}\n" for h in diff.header) + "".join(render_hunk(h) for h in diff.hunks)


def render_text(patch: Patch) -> str:
    """A patch as text with `\\n` line endings and no mbox envelope."""
    text = patch.preamble + "".join(render_file(f) for f in patch.files) + patch.trailer
    if not patch.final_newline and text.endswith("\n"):
        text = text[:-1]
    return text


def render_patch(patch: Patch) -> bytes:
    """A patch as the bytes of the file or message it was read from."""
    text = render_text(patch)
    if patch.newline != "\n":
        text = text.replace("\n", patch.newline)
    return text.encode(patch.encoding)


def _in_order(series: Series) -> list[Patch]:
    """The cover letter (if any) and the patches, in source-file order."""
    patches = [*([series.cover] if series.cover else []), *series.patches]
    in_file_order = series.kind in (SourceKind.MBOX, SourceKind.GIT_LOG)
    return sorted(patches, key=lambda p: p.line) if in_file_order else patches


def render(series: Series) -> bytes:
    """A series as the bytes it was read from: an mbox, a log, or the patch files concatenated."""
    if series.kind in (SourceKind.MBOX, SourceKind.GIT):
        return b"".join(_mbox_message(p, keep_envelope=True) for p in _in_order(series))
    return b"".join(_with_envelope(p) for p in _in_order(series))


def _with_envelope(patch: Patch) -> bytes:
    """A patch's bytes after its envelope line (a git log `commit` line), if it has one."""
    envelope = b""
    if patch.envelope is not None:
        envelope = (patch.envelope + patch.newline).encode(patch.encoding)
    return envelope + render_patch(patch)


def _mbox_message(patch: Patch, *, keep_envelope: bool, total: int = 0) -> bytes:
    """One mbox message: envelope line, then the mail with `From ` lines quoted."""
    text = render_text(patch)
    envelope = patch.envelope if keep_envelope and patch.envelope else _ENVELOPE
    if not keep_envelope:
        text = _exportable(patch, text, total)
    # Text read from a mailbox is already in mbox form; anything else is quoted mboxrd-style.
    mbox_form = patch.envelope is not None and patch.envelope.startswith("From ")
    body = text if mbox_form else _FROM_LINE.sub(r">\1", text)
    if not body.endswith("\n"):
        body += "\n"
    if not keep_envelope and not body.endswith("\n\n"):
        # the next envelope is only recognised after a blank line
        body += "\n"
    out = f"{envelope}\n{body}"
    if patch.newline != "\n":
        out = out.replace("\n", patch.newline)
    return out.encode(patch.encoding)


def _exportable(patch: Patch, text: str, total: int) -> str:
    """`text` with the mail headers `git am` needs, added where the patch has none."""
    if patch.strip != 1:
        # git am strips one component: give the paths an `a/` `b/` prefix
        files = [dataclasses.replace(f, header=_p1_header(f)) for f in patch.files]
        text = render_text(dataclasses.replace(patch, files=tuple(files)))
    if patch.envelope is not None and patch.envelope.startswith("commit "):
        # A git log entry's Author:/Date: block and indented message are no mail: the mail is
        # built from the records, message then `---` then the diff, as git format-patch does.
        message = f"{patch.description}\n---\n\n" if patch.description else "---\n\n"
        diff = "".join(render_file(f) for f in patch.files) + patch.trailer
        text = _mail_headers(patch, total) + message + diff
    elif not _has_headers(patch):
        text = _mail_headers(patch, total) + text
    head = text.split("\n\n", 1)[0].lower()
    if not text.isascii() and "content-type:" not in head:
        charset = "UTF-8" if patch.encoding == "utf-8" else patch.encoding
        mime = f"MIME-Version: 1.0\nContent-Type: text/plain; charset={charset}\n"
        text = mime + "Content-Transfer-Encoding: 8bit\n" + text
    return text


def _p1_header(diff: FileDiff) -> tuple[str, ...]:
    """The file header with its `---`/`+++` paths rewritten for -p1."""
    old = "/dev/null" if diff.kind is ChangeKind.ADDED else f"a/{diff.old_path or diff.path}"
    new = "/dev/null" if diff.kind is ChangeKind.REMOVED else f"b/{diff.path}"
    return tuple(
        f"--- {old}" if h.startswith("--- ") else f"+++ {new}" if h.startswith("+++ ") else h
        for h in diff.header
    )


def _has_headers(patch: Patch) -> bool:
    """Whether the patch text starts with a mail header block git am can read."""
    head = patch.preamble.split("\n\n", 1)[0]
    return any(line.startswith(("Subject:", "From:")) for line in head.split("\n"))


def _mail_headers(patch: Patch, total: int) -> str:
    """Mail headers for a patch read without them (a bare diff or quilt file)."""
    author = patch.author or (patch.body_from[0] if patch.body_from else "unknown <unknown>")
    date = patch.date or "Thu, 1 Jan 1970 00:00:00 +0000"
    count = f" {patch.number:02d}/{total:02d}" if patch.number and total else ""
    return f"From: {author}\nDate: {date}\nSubject: [PATCH{count}] {patch.subject.text}\n\n"


def to_mbox(series: Series, *, cover: bool = True) -> bytes:
    """The series as one mboxrd mailbox, cover letter first; without it, `git am` takes it whole."""
    patches = [*([series.cover] if series.cover and cover else []), *series.patches]
    total = len(series.patches)
    return b"".join(_mbox_message(p, keep_envelope=False, total=total) for p in patches)


def write_mbox(series: Series, path: str | Path) -> None:
    """Write `to_mbox(series)` to `path` whole, or raise a ToolkitError naming the path."""
    write_atomic(path, to_mbox(series))


# -- listings --------------------------------------------------------------


def _author(patch: Patch) -> str:
    """The in-body (original) authors if there are any, else the sender; names only."""
    names = [who.split("<", 1)[0].strip().strip('"') or who for who in patch.body_from]
    return ", ".join(names) or patch.author.split("<", 1)[0].strip().strip('"') or patch.author


def table(series: Series) -> str:
    """A text table of the series: number, subject, author, files, +/-."""
    rows = [("#", "subject", "author", "files", "+/-")]
    for patch in series.patches:
        rows.append(
            (
                f"{patch.number or 0:02d}",
                patch.subject.text,
                _author(patch),
                str(len(patch.files)),
                f"+{patch.insertions}/-{patch.deletions}",
            )
        )
    widths = [max(len(r[k]) for r in rows) for k in range(5)]
    lines = [
        "  ".join(
            (cell.rjust(widths[k]) if k in (3, 4) else cell.ljust(widths[k]))
            for k, cell in enumerate(row)
        ).rstrip()
        for row in rows
    ]
    cover = f"cover: {series.cover.subject.text}\n" if series.cover else ""
    total_ins = sum(p.insertions for p in series.patches)
    total_del = sum(p.deletions for p in series.patches)
    summary = f"{len(series.patches)} patches, +{total_ins}/-{total_del}"
    warnings = "".join(f"warning: {w}\n" for w in series.warnings)
    return cover + "\n".join(lines) + f"\n{summary}\n" + warnings


def _patch_json(patch: Patch) -> dict[str, Any]:
    """One patch as a JSON-ready dict."""
    return {
        "number": patch.number,
        "subject": patch.subject.text,
        "raw_subject": patch.subject.raw,
        "prefixes": list(patch.subject.prefixes),
        "revision": patch.subject.revision,
        "counter": patch.subject.counter,
        "expected": patch.subject.expected,
        "author": patch.author,
        "body_from": list(patch.body_from),
        "date": patch.date,
        "message_id": patch.message_id,
        "quilt_name": patch.quilt_name,
        "source": patch.source,
        "insertions": patch.insertions,
        "deletions": patch.deletions,
        "files": [
            {
                "path": f.path,
                "old_path": f.old_path,
                "kind": f.kind.value,
                "insertions": f.insertions,
                "deletions": f.deletions,
                "hunks": [
                    {"header": h.header, "line": h.patch_line, "section": h.section}
                    for h in f.hunks
                ],
            }
            for f in patch.files
        ],
    }


def to_json(series: Series) -> str:
    """The series as JSON: cover, patches with their files and hunks, warnings."""
    data = {
        "source": series.source,
        "kind": series.kind.value,
        "cover": None if series.cover is None else _patch_json(series.cover),
        "patches": [_patch_json(p) for p in series.patches],
        "warnings": list(series.warnings),
    }
    return json.dumps(data, indent=2) + "\n"
