"""Mailboxes and git logs: cover letters, ordering, quoting, MIME parts and streaming."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from toolkit.errors import PatchError
from toolkit.series import (
    ChangeKind,
    SourceKind,
    iter_patches,
    read_series,
    render,
    to_mbox,
)

from .conftest import DATA

MBOX = DATA / "format-patch.mbox"
MIME = DATA / "mime.mbox"
LOG = DATA / "git-log.txt"


def test_cover_letter_kept_apart() -> None:
    """The `0/N` message is the cover letter, not a patch."""
    series = read_series(MBOX)
    assert series.kind is SourceKind.MBOX
    assert series.cover is not None
    assert series.cover.subject.counter == 0
    assert series.cover.subject.text == "toy: two small changes"
    assert series.cover.message_id == "<toy-cover@rfp-toolkit.invalid>"
    assert series.cover.files == ()


def test_patches_ordered_by_counter() -> None:
    """Patches stored as 2/2 then 1/2 come out as 1, 2, numbered from 1."""
    series = read_series(MBOX)
    assert [p.subject.counter for p in series.patches] == [1, 2]
    assert [p.number for p in series.patches] == [1, 2]
    assert series.patches[0].line > series.patches[1].line


def test_from_quoting_and_unquoted_from_lines() -> None:
    """`>From ` is unquoted in the description; a bare `From the` line does not split a mail."""
    first = read_series(MBOX).patches[0]
    assert first.description.splitlines() == [
        "From the point of view of a reader, the old name said nothing.",
        "From here on the value has a name that says what it holds.",
    ]
    assert [f.path for f in first.files] == ["mm/toy.c"]


def test_rename_in_format_patch() -> None:
    """A hunkless git rename in a mail becomes a RENAMED file with both paths."""
    second = read_series(MBOX).patches[1]
    renamed = second.files[1]
    assert (renamed.kind, renamed.old_path, renamed.path) == (
        ChangeKind.RENAMED,
        "mm/toy.c",
        "mm/toy2.c",
    )
    assert second.description == "Café au lait for everyone."


def test_line_numbers_are_mbox_lines() -> None:
    """Hunk headers carry their line in the mbox file itself."""
    lines = MBOX.read_text().splitlines()
    for patch in read_series(MBOX).patches:
        for diff in patch.files:
            for hunk in diff.hunks:
                assert lines[hunk.patch_line - 1] == hunk.header


def test_mbox_round_trip_bytes() -> None:
    """A git format-patch mbox renders back to the same bytes."""
    assert render(read_series(MBOX)) == MBOX.read_bytes()


def test_replies_are_skipped_with_a_warning(tmp_path: Path) -> None:
    """A list-archive reply without a diff is left out and reported."""
    archive = tmp_path / "archive.mbox"
    archive.write_bytes(MBOX.read_bytes() + (DATA / "reply.eml").read_bytes())
    series = read_series(archive)
    assert len(series.patches) == 2
    assert any("Re: [PATCH 1/2]" in w for w in series.warnings)


def test_reply_to_the_cover_is_not_the_cover(tmp_path: Path) -> None:
    """A `Re: [PATCH 0/2]` reply in an archive leaves the real cover letter in place."""
    reply = (DATA / "reply.eml").read_bytes().replace(b"[PATCH 1/2]", b"[PATCH 0/2]")
    archive = tmp_path / "archive.mbox"
    archive.write_bytes(reply + MBOX.read_bytes())
    series = read_series(archive)
    assert series.cover is not None
    assert series.cover.subject.raw == "[PATCH 0/2] toy: two small changes"
    assert [p.subject.counter for p in series.patches] == [1, 2]


def test_mime_multipart_qp_and_base64_attachment() -> None:
    """A quoted-printable description and a base64 text attachment are decoded and read."""
    series = read_series(MIME)
    first = series.patches[0]
    assert first.description.startswith("A description with an accent: café.")
    lines = first.files[0].hunks[0].lines
    assert [ln.text for ln in lines if ln.kind.value == "+"] == ["int toy_value; /* café */"]


def test_mime_quoted_printable_inline_and_encoded_words() -> None:
    """A soft line break of quoted-printable is joined; RFC 2047 subject and author decode."""
    second = read_series(MIME).patches[1]
    assert second.subject.text == "toy: add a flag (café)"
    assert second.author == "Gérard Example <gerard@example.invalid>"
    added = [ln.text for ln in second.files[0].hunks[0].lines if ln.kind.value == "+"]
    assert added == [
        "#define TOY_FLAG 0x01 /* a long comment line that quoted-printable has to wrap "
        "because it is far too long */"
    ]


def test_mime_export_reads_back_equal(tmp_path: Path) -> None:
    """A MIME series exported as a plain mbox reads back to the same patches."""
    series = read_series(MIME)
    out = tmp_path / "plain.mbox"
    out.write_bytes(to_mbox(series))
    again = read_series(out)
    assert [p.subject for p in again.patches] == [p.subject for p in series.patches]
    assert [p.files for p in again.patches] != []
    for a, b in zip(again.patches, series.patches, strict=True):
        assert [(f.path, f.kind) for f in a.files] == [(f.path, f.kind) for f in b.files]
        assert [[ln.text for h in f.hunks for ln in h.lines] for f in a.files] == [
            [ln.text for h in f.hunks for ln in h.lines] for f in b.files
        ]


def _mail(body_headers: str, body: str) -> bytes:
    """A one-message mbox with extra headers `body_headers` and body `body`."""
    return (
        "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n"
        "From: X <x@example.invalid>\nSubject: [PATCH 1/1] t\n"
        f"{body_headers}\n{body}"
    ).encode()


def test_bad_base64_part(tmp_path: Path) -> None:
    """A base64 part that does not decode is a PatchError at the message's line."""
    path = tmp_path / "bad.mbox"
    good = _mail("", "x\n")
    bad = _mail(
        "Content-Type: text/plain\nContent-Transfer-Encoding: base64\n",
        "LS0tIGEv!!bW0=\n=\n",
    )
    path.write_bytes(good + b"\n" + bad)
    with pytest.raises(PatchError) as info:
        read_series(path)
    assert str(info.value).startswith(f"{path}:7: ")
    assert "undecodable" in info.value.message


def test_unknown_charset_part(tmp_path: Path) -> None:
    """A part in a charset Python does not know is a PatchError naming file and line."""
    path = tmp_path / "charset.mbox"
    payload = base64.b64encode(b"--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n").decode()
    path.write_bytes(
        _mail(
            "Content-Type: text/plain; charset=x-no-such\nContent-Transfer-Encoding: base64\n",
            payload + "\n",
        )
    )
    with pytest.raises(PatchError) as info:
        read_series(path)
    assert str(info.value).startswith(f"{path}:1: ")
    assert "undecodable mail part" in info.value.message


def test_unknown_charset_of_a_plain_mail(tmp_path: Path) -> None:
    """A plain mail in an unknown charset is refused at its first line in the mbox."""
    path = tmp_path / "plain-charset.mbox"
    good = _mail("", "x\n")
    path.write_bytes(good + b"\n" + _mail("Content-Type: text/plain; charset=x-nope\n", "x\n"))
    with pytest.raises(PatchError) as info:
        read_series(path)
    assert str(info.value).startswith(f"{path}:8: unknown charset")


def test_latin1_mail_warns_at_its_mbox_line(tmp_path: Path) -> None:
    """A mail that claims UTF-8 but is latin-1 is read, with a warning at the mbox line."""
    path = tmp_path / "latin1.mbox"
    body = "desc caf\u00e9\n---\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n".encode("latin-1")
    path.write_bytes(
        _mail("Content-Type: text/plain; charset=utf-8\n", "").rstrip(b"\n") + b"\n\n" + body
    )
    series = read_series(path)
    assert series.patches[0].description == "desc café"
    assert series.warnings == (f"{path}:6: not valid utf-8; read as latin-1",)


def test_bad_hunk_in_mail_names_mbox_line(tmp_path: Path) -> None:
    """A hunk error in a plain mail is reported at its line in the mbox."""
    path = tmp_path / "hunk.mbox"
    path.write_bytes(_mail("", "desc\n---\n--- a/x\n+++ b/x\n@@ -1,2 +1 @@\n-a\n+b\n"))
    with pytest.raises(PatchError) as info:
        read_series(path)
    assert str(info.value).startswith(f"{path}:11: ")


def test_iter_patches_streams_in_file_order() -> None:
    """iter_patches yields patches one at a time, in file order, without the cover."""
    stream = iter_patches(MBOX)
    first = next(stream)
    assert first.subject.counter == 2
    assert [p.subject.counter for p in stream] == [1]


def test_git_log_reads_oldest_first() -> None:
    """A `git log -p` file is split at `commit` lines and read oldest first."""
    series = read_series(LOG)
    assert series.kind is SourceKind.GIT_LOG
    assert [p.subject.text for p in series.patches] == [
        "toy: rename the toy variable",
        "toy: add a flag and move the file",
    ]
    assert series.patches[0].author == "Example Author <author@example.invalid>"
    assert render(series) == LOG.read_bytes()


def test_single_encoded_mail_file(tmp_path: Path) -> None:
    """A mail saved on its own with MIME parts is decoded like an mbox message."""
    first = MIME.read_bytes().split(b"\n", 1)[1]
    first = first[: first.index(b"\nFrom 0000")]
    path = tmp_path / "one.eml"
    path.write_bytes(first)
    series = read_series(path)
    assert series.kind is SourceKind.DIFF
    patch = series.patches[0]
    assert patch.subject.counter == 1
    assert [ln.text for ln in patch.files[0].hunks[0].lines][1:3] == [
        "int toy;",
        "int toy_value; /* café */",
    ]


def test_single_mail_with_bad_base64(tmp_path: Path) -> None:
    """A mail file whose base64 part does not decode is refused at line 1 of that file."""
    path = tmp_path / "bad.eml"
    path.write_bytes(
        b"From: X <x@example.invalid>\nSubject: [PATCH] t\nContent-Transfer-Encoding: base64\n"
        b"\nLS0t!!\n=\n"
    )
    with pytest.raises(PatchError) as info:
        read_series(path)
    assert str(info.value).startswith(f"{path}:1: undecodable")


@pytest.mark.parametrize(
    "envelope", ["From nobody Mon Sep 17 00:00:00 2001", "commit 0123456789abcdef0123"]
)
def test_envelope_with_nothing_after_it(tmp_path: Path, envelope: str) -> None:
    """A last mbox `From ` or git log `commit` line with nothing after it is named at its line."""
    path = tmp_path / "cut.mbox"
    kept = MBOX.read_text() if envelope.startswith("From ") else LOG.read_text()
    path.write_text(f"{kept}\n{envelope}\n")
    line = len(kept.splitlines()) + 2
    with pytest.raises(PatchError) as info:
        read_series(path)
    assert str(info.value) == f"{path}:{line}: nothing after this envelope line"
