"""Mailboxes and `git log -p` output: split into messages one at a time, then read as patches."""

from __future__ import annotations

import dataclasses
import email
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from email.errors import (
    InvalidBase64CharactersDefect,
    InvalidBase64LengthDefect,
    InvalidBase64PaddingDefect,
)
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser
from email.policy import default

from toolkit.errors import PatchError
from toolkit.series.patchtext import Text, decode, read_patch
from toolkit.series.records import Patch

# From 3b1c5e0d9a... Mon Sep 17 00:00:00 2001   (an mbox envelope line)
MBOX_START = re.compile(rb"^From \S+ .*\d{1,2}:\d\d")
# commit 3b1c5e0d9a7f...   (a git log entry)
LOG_START = re.compile(rb"^commit [0-9a-f]{7,40}\b")
# diff --cc mm/memory.c   /   diff --combined mm/memory.c   (a merge's diff in git log --cc)
_COMBINED = re.compile(rb"^diff --(?:cc|combined) ", re.MULTILINE)
_BAD_BASE64 = (InvalidBase64CharactersDefect, InvalidBase64LengthDefect, InvalidBase64PaddingDefect)
_PLAIN_ENCODINGS = ("", "7bit", "8bit", "binary")
# Content-Type: multipart/mixed   /   Content-Transfer-Encoding: base64
_ENCODED = re.compile(
    rb"^content-type:\s*multipart/|^content-transfer-encoding:\s*(base64|quoted-printable)",
    re.MULTILINE,
)


@dataclass(frozen=True, slots=True)
class RawMessage:
    """One message of a mailbox (or entry of a git log) as it stands in the file."""

    envelope: str | None  # the `From ` or `commit` line; None for a mail saved on its own
    data: bytes  # everything after that line, up to the next message
    line: int  # line of the envelope in the file (0 for a mail saved on its own)


def split_messages(lines: Iterable[bytes], start: re.Pattern[bytes]) -> Iterator[RawMessage]:
    """Cut a stream of lines into messages at `start` lines that follow a blank line."""
    envelope: bytes | None = None
    body: list[bytes] = []
    first = 0
    blank = True
    for number, line in enumerate(lines, 1):
        if blank and start.match(line):
            if envelope is not None:
                yield _raw(envelope, body, first)
            envelope, body, first = line, [], number
        elif envelope is not None:
            body.append(line)
        blank = line in (b"\n", b"\r\n")
    if envelope is not None:
        yield _raw(envelope, body, first)


def _raw(envelope: bytes, body: list[bytes], line: int) -> RawMessage:
    """A RawMessage from its envelope line and body lines."""
    return RawMessage(envelope.rstrip(b"\r\n").decode("latin-1"), b"".join(body), line)


def read_message(raw: RawMessage, path: str) -> Patch:
    """Read one mail (or git log entry) into a Patch; its files are empty for a cover letter."""
    if raw.envelope is not None and not raw.data.strip():
        raise PatchError("nothing after this envelope line", path, raw.line)
    log = raw.envelope is not None and bool(LOG_START.match(raw.envelope.encode("latin-1")))
    charset: str | None = None
    if not log:
        # Headers alone tell a plain mail from a MIME one; only the latter needs its body parsed.
        head = BytesHeaderParser(policy=default).parsebytes(raw.data)
        cte = str(head.get("Content-Transfer-Encoding", "")).strip().lower()
        if head.get_content_maintype() == "multipart" or cte not in _PLAIN_ENCODINGS:
            return _read_encoded(raw, path)
        charset = head.get_content_charset()
    data = raw.data
    combined = _COMBINED.search(data) if log else None
    if combined is not None:
        # A merge's combined diff has two old sides, so it is no patch of a series: the commit
        # is read without it, and read_series skips it as a commit without a diff.
        data = data[: combined.start()]
    # The text stays in mbox form (`>From ` quoted) so it renders back to the same bytes;
    # only the description read from it is unquoted.
    text = decode(data, path, None if charset == "us-ascii" else charset, raw.line + 1)
    return read_patch(
        text,
        path=path,
        source=f"{path}:{raw.line}",
        first_line=raw.line + 1,
        envelope=raw.envelope,
        require_diff=False,
        mbox_quoted=raw.envelope is not None and not log,
    )


def _read_encoded(raw: RawMessage, path: str) -> Patch:
    """A MIME or transfer-encoded mail, read from its decoded text parts."""
    # Such a mail cannot keep its bytes; its decoded text parts are read as one plain message,
    # and errors point at the message with the line inside the decoded text.
    at = raw.line or 1
    text = _decoded(email.message_from_bytes(raw.data, policy=default), path, at)
    try:
        patch = read_patch(
            text,
            path=path,
            source=f"{path}:{at}",
            envelope=raw.envelope,
            require_diff=False,
            mbox_quoted=raw.envelope is not None,
        )
    except PatchError as exc:
        raise PatchError(
            f"{exc.message} (line {exc.line} of the decoded message)", path, at
        ) from None
    return dataclasses.replace(patch, line=raw.line + 1)


def is_encoded_mail(head: bytes) -> bool:
    """Whether `head` (a file's start) is a mail header block declaring MIME parts or encoding."""
    block = head.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].lower()
    return bool(_ENCODED.search(block)) and block[:1].isalpha()


def _decoded(message: EmailMessage | Message, path: str, line: int) -> Text:
    """The message's headers and decoded text parts as one plain mail."""
    headers = "".join(
        f"{name}: {' '.join(str(message[name]).split())}\n"
        for name in ("From", "Date", "Subject", "Message-Id")
        if message[name] is not None
    )
    parts: list[str] = []
    warnings: list[str] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        if part.get_content_maintype() != "text":
            warnings.append(f"{path}:{line}: skipped a {part.get_content_type()} part")
            continue
        payload = part.get_payload(decode=True)
        if any(isinstance(d, _BAD_BASE64) for d in part.defects) or not isinstance(payload, bytes):
            raise PatchError("undecodable mail part (bad base64)", path, line)
        try:
            text = decode(payload, path, part.get_content_charset())
        except PatchError as exc:
            raise PatchError(f"undecodable mail part: {exc.message}", path, line) from None
        if text.warning:
            warnings.append(f"{path}:{line}: a mail part is not valid text; read as latin-1")
        body = text.text.replace("\r\n", "\n")
        parts.append(body if body.endswith("\n") else body + "\n")
    warning = "; ".join(warnings) or None
    return Text(headers + "\n" + "".join(parts), "utf-8", warning)
