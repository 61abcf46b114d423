"""One patch's text (mail headers, description, diffstat, diff) read into a Patch record."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import Message
from email.parser import HeaderParser
from email.policy import compat32
from pathlib import Path

from toolkit.errors import MissingInputError, PatchError
from toolkit.series.diffparse import parse_diff
from toolkit.series.records import Patch
from toolkit.series.subject import parse_subject

# Subject: [patch 05/18] remap_file_pages protection support: enhance syscall interface
_HEADER = re.compile(r"^[A-Za-z][A-Za-z0-9-]*:([ \t]|$)")
# the headers that make a block of `Name: value` lines a mail header rather than prose
_MAIL_HEADERS = frozenset(
    {"subject", "from", "date", "message-id", "author", "to", "cc", "description"}
)
#  mm/fremap.c |   24 +++++++++++++++---------
_DIFFSTAT_ROW = re.compile(r"^ \S.* +\| +(\d+ ?[-+]*|Bin .*)$")
#  1 file changed, 15 insertions(+), 9 deletions(-)
_DIFFSTAT_SUM = re.compile(r"^ \d+ files? changed")
# From: Paolo 'Blaisorblade' Giarrusso <blaisorblade@yahoo.it>   (in the body: the author)
_BODY_FROM = re.compile(r"^From: *(.+)$")
# From: Ingo Molnar <mingo@elte.hu>, Paolo 'Blaisorblade' Giarrusso <blaisorblade@yahoo.it>
# (several authors on one in-body From: line are split after each address)
_NEXT_ADDRESS = re.compile(r"(?<=>)\s*,\s*")
# >From , >>From ...   (mboxrd quoting, undone by removing one `>`)
_QUOTED = re.compile(r"^>(>*From )")
# Original patch by Ingo Molnar and Paolo 'Blaisorblade' Giarrusso; this text is ...
# (how the bundled re-creation credits the original authors, having no in-body From:)
_CREDIT = re.compile(r"^Original patch by (.+?)(?:;|\.$|$)")
_AND = re.compile(r",\s*(?:and\s+)?|\s+and\s+")
# # HG changeset patch   (the first line of `hg export`, `# User`/`# Date` lines after it)
_HG_EXPORT = "# HG changeset patch"
# commit 1f0e2a...   (git log -p)
_COMMIT = re.compile(r"^commit [0-9a-f]{7,40}\b")


@dataclass(frozen=True, slots=True)
class Text:
    """A patch's decoded text and how to turn it back into the same bytes."""

    text: str
    encoding: str
    warning: str | None = None


def decode(raw: bytes, path: str, charset: str | None = None, first_line: int = 1) -> Text:
    """Decode `raw` as `charset` (UTF-8 by default), falling back to latin-1 with a warning."""
    name = charset or "utf-8"
    try:
        return Text(raw.decode(name), name)
    except LookupError:
        raise PatchError(f"unknown charset {charset!r}", path, first_line) from None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + first_line
        warning = f"{path}:{line}: not valid {name}; read as latin-1"
        return Text(raw.decode("latin-1"), "latin-1", warning)


def read_file(path: Path, size: int = -1) -> bytes:
    """The first `size` bytes of `path` (all by default), or a ToolkitError naming it."""
    try:
        with path.open("rb") as stream:
            return stream.read(size)
    except OSError as exc:
        raise unreadable(path, exc) from None


def unreadable(path: Path, exc: OSError) -> MissingInputError:
    """The error for a file the OS would not let us read (no permission, an I/O error)."""
    return MissingInputError(f"cannot read: {exc.strerror or exc}", path)


def split_lines(text: str) -> tuple[list[str], str, bool]:
    """The lines of `text` without endings, its line ending and whether it ends with one."""
    newline = "\r\n" if "\r\n" in text and text.count("\r\n") == text.count("\n") else "\n"
    if newline == "\r\n":
        text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    final_newline = lines[-1] == ""
    if final_newline:
        lines.pop()
    return lines, newline, final_newline


def read_patch(
    text: Text,
    *,
    path: str,
    source: str | None = None,
    first_line: int = 1,
    strip: int = 1,
    quilt_name: str | None = None,
    envelope: str | None = None,
    require_diff: bool = True,
    mbox_quoted: bool = False,
) -> Patch:
    """Read one patch (a quilt file, a mail, a git log entry) into a Patch."""
    lines, newline, final_newline = split_lines(text.text)
    if not lines:
        raise PatchError("empty patch", path, first_line)
    diff = parse_diff(lines, path=path, first_line=first_line, strip=strip)
    if require_diff and not diff.files:
        raise PatchError("no diff found in the patch", path, first_line)
    pre = lines[: diff.start]
    hg = bool(pre) and pre[0] == _HG_EXPORT
    headers, body = _hg_headers(pre) if hg else _split_headers(pre)
    get = _Get(headers)
    git_log = envelope is not None and bool(_COMMIT.match(envelope))
    if git_log:
        body = [b[4:] if b.startswith("    ") else b for b in body]
    desc_subject, body = _desc_block(body)
    top, diffstat = _split_diffstat(body)
    lead = _in_body_from(top)
    body_from = tuple(
        who.strip()
        for m in map(_BODY_FROM.match, top[:lead])
        if m
        for who in _NEXT_ADDRESS.split(m.group(1))
        if who.strip()
    )
    if not body_from:
        body_from = _credited(top)
    description = top[lead:]
    if mbox_quoted:
        description = [_QUOTED.sub(r"\1", d) for d in description]
    # DEP-3 calls the subject Description: its first line, the rest being the long text
    subject_raw = get("subject") or get("description", first_line=True) or desc_subject
    if not subject_raw and (git_log or hg):
        subject_raw, description = _first_paragraph(description)
    if not subject_raw:
        subject_raw = next(
            (d.strip() for d in description if d.strip()), quilt_name or path.rsplit("/", 1)[-1]
        )
    warnings = (text.warning,) if text.warning else ()
    return Patch(
        source=source or path,
        subject=parse_subject(subject_raw),
        author=get("from") or get("author") or "",
        body_from=body_from,
        date=get("date") or None,
        message_id=get("message-id") or None,
        description="\n".join(description).strip("\n"),
        diffstat="\n".join(diffstat) if diffstat else None,
        files=diff.files,
        quilt_name=quilt_name,
        preamble="".join(f"{p}\n" for p in pre),
        trailer="".join(f"{t}\n" for t in lines[diff.end :]),
        newline=newline,
        final_newline=final_newline,
        encoding=text.encoding,
        envelope=envelope,
        line=first_line,
        strip=strip,
        warnings=warnings,
    )


def _split_headers(pre: Sequence[str]) -> tuple[Message | None, list[str]]:
    """The mail header block at the top of `pre` (if any) and the body lines after it."""
    if not pre or not _HEADER.match(pre[0]):
        return None, list(pre)
    end = 0
    names: set[str] = set()
    # A DEP-3 header (Debian's debian/patches) may end at a `---` line instead of a blank one.
    while end < len(pre) and pre[end] not in ("", "---"):
        line = pre[end]
        if _HEADER.match(line):
            names.add(line.split(":", 1)[0].lower())
        elif not line[:1].isspace():
            return None, list(pre)
        end += 1
    if not names & _MAIL_HEADERS:
        return None, list(pre)
    block = "".join(f"{h}\n" for h in pre[:end])
    headers = HeaderParser(policy=compat32).parsestr(block + "\n")
    return headers, list(pre[end + 1 :] if end < len(pre) and pre[end] == "" else pre[end:])


def _hg_headers(pre: Sequence[str]) -> tuple[Message, list[str]]:
    """The `#` block of an `hg export` patch as mail headers, and the message after it."""
    fields: dict[str, str] = {}
    name = ""
    end = 1
    while end < len(pre) and pre[end].startswith("#"):
        text = pre[end][1:]
        if text.startswith("  ") and name == "Date":
            # hg writes the date as seconds and zone, then again for people on the next line
            fields["Date"] = text.strip()
        else:
            name, _, value = text.strip().partition(" ")
            fields[name] = value.strip()
        end += 1
    headers = Message()
    for ours, theirs in (("From", "User"), ("Date", "Date")):
        if theirs in fields:
            headers[ours] = fields[theirs]
    return headers, list(pre[end:])


class _Get:
    """Header values decoded from RFC 2047 and unfolded; "" when absent or unreadable."""

    def __init__(self, headers: Message | None) -> None:
        self.headers = headers

    def __call__(self, name: str, *, first_line: bool = False) -> str:
        """The value of header `name`, or only its first (unfolded) line."""
        if self.headers is None:
            return ""
        value = self.headers.get(name)
        if value is None:
            return ""
        raw = str(value).split("\n", 1)[0] if first_line else str(value)
        try:
            text = str(make_header(decode_header(raw)))
        except (HeaderParseError, UnicodeError, LookupError, ValueError):
            text = raw
        return " ".join(text.split())


def _in_body_from(lines: list[str]) -> int:
    """How many lines at the top of the body are in-body From: lines (and blanks among them)."""
    # As git am reads them: only at the top, so a From: quoted further down stays description.
    lead = 0
    for i, line in enumerate(lines):
        if _BODY_FROM.match(line):
            lead = i + 1
        elif line:
            break
    return lead


def _credited(lines: list[str]) -> tuple[str, ...]:
    """The authors named by an `Original patch by A and B;` line, if there is one."""
    for line in lines:
        match = _CREDIT.match(line)
        if match:
            return tuple(name.strip() for name in _AND.split(match.group(1)) if name.strip())
    return ()


def _desc_block(body: list[str]) -> tuple[str, list[str]]:
    """The subject of a `DESC`/`EDESC` block (akpm's patch-scripts) and the body after it."""
    lead = 0
    while lead < len(body) and body[lead] == "":
        lead += 1
    if lead < len(body) and body[lead] == "DESC" and "EDESC" in body[lead:]:
        close = body.index("EDESC", lead)
        return " ".join(body[lead + 1 : close]).strip(), body[close + 1 :]
    return "", body


def _split_diffstat(body: list[str]) -> tuple[list[str], list[str]]:
    """The description lines (up to `---` or the diffstat) and the diffstat block."""
    for i, line in enumerate(body):
        if _DIFFSTAT_ROW.match(line):
            j = i
            while j < len(body) and _DIFFSTAT_ROW.match(body[j]):
                j += 1
            if j < len(body) and _DIFFSTAT_SUM.match(body[j]):
                return _before_separator(body[:i]), body[i : j + 1]
    return _before_separator(body), []


def _before_separator(lines: list[str]) -> list[str]:
    """`lines` up to git format-patch's `---` line, which ends the commit message."""
    return lines[: lines.index("---")] if "---" in lines else lines


def _first_paragraph(lines: list[str]) -> tuple[str, list[str]]:
    """A git commit message's subject (its first paragraph) and the rest."""
    text = [line.strip() for line in lines]
    while text and not text[0]:
        text.pop(0)
    end = text.index("") if "" in text else len(text)
    return " ".join(text[:end]), lines[len(lines) - len(text) + end :]
