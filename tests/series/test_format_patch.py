"""Real git output: format-patch directories, in-body From: lines, merges and colour in logs."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.errors import PatchError, SeriesError
from toolkit.series import ChangeKind, SourceKind, iter_patches, read_series, render

from .conftest import DATA

FORMAT_PATCH = DATA / "format-patch-dir"


def test_format_patch_directory_reads_cover_and_patches() -> None:
    """Each one-mail mbox file of the directory is a mail; the 0000 file is the cover letter."""
    series = read_series(FORMAT_PATCH)
    assert series.kind is SourceKind.DIRECTORY
    assert series.cover is not None and series.cover.subject.counter == 0
    assert [p.subject.text for p in series.patches] == [
        "toy: accept zero",
        "toy: rename, make the script executable, change the blob",
    ]
    assert {p.author for p in series.patches} == {"Ann Example <a@example.invalid>"}
    assert series.warnings == ()


def test_format_patch_directory_file_kinds() -> None:
    """A binary change, a pure rename and a mode change are told apart."""
    second = read_series(FORMAT_PATCH).patches[1]
    kinds = {f.path: (f.kind, f.old_path, f.old_mode, f.new_mode) for f in second.files}
    assert kinds == {
        "mm/toy2.c": (ChangeKind.RENAMED, "mm/toy.c", None, None),
        "scripts/toy.sh": (ChangeKind.MODE, None, "100644", "100755"),
        "toy.bin": (ChangeKind.BINARY, None, None, None),
    }


def test_format_patch_directory_lines_and_bytes() -> None:
    """Line numbers point into each file past its envelope; rendering gives the files back."""
    series = read_series(FORMAT_PATCH)
    first = series.patches[0]
    lines = (FORMAT_PATCH / "0001-toy-accept-zero.patch").read_text().splitlines()
    assert lines[first.files[0].patch_line - 1] == "diff --git a/mm/toy.c b/mm/toy.c"
    hunk = first.files[0].hunks[0]
    assert lines[hunk.patch_line - 1] == hunk.header
    files = sorted(FORMAT_PATCH.iterdir())
    assert render(series) == b"".join(f.read_bytes() for f in files)


def test_format_patch_directory_streams_without_cover() -> None:
    """iter_patches over the directory skips the cover letter and numbers from 1."""
    assert [p.number for p in iter_patches(FORMAT_PATCH)] == [1, 2]


def test_in_body_from_only_at_the_top() -> None:
    """A From: line further down the description is text, not an author (as git am reads it)."""
    first = read_series(FORMAT_PATCH).patches[0]
    assert first.body_from == ()
    assert "From: Bo Sample <b@example.invalid>" in first.description


def test_diffless_mail_that_is_no_cover_is_refused(tmp_path: Path) -> None:
    """In a directory only a `0/N` mail may come without a diff."""
    cover = (FORMAT_PATCH / "0000-cover-letter.patch").read_text()
    (tmp_path / "0001-x.patch").write_text(cover.replace("[PATCH 0/2]", "[PATCH 1/2]"))
    with pytest.raises(PatchError) as info:
        read_series(tmp_path)
    assert str(info.value) == f"{tmp_path / '0001-x.patch'}:1: no diff found in the patch"


def test_two_mails_in_one_quilt_patch_file(tmp_path: Path) -> None:
    """A quilt patch file holding two mails is refused at the second envelope line."""
    mail = (FORMAT_PATCH / "0001-toy-accept-zero.patch").read_text()
    (tmp_path / "two.patch").write_text(mail + "\n" + mail)
    (tmp_path / "series").write_text("two.patch\n")
    first = len(mail.splitlines()) + 2
    with pytest.raises(SeriesError) as info:
        read_series(tmp_path)
    assert str(info.value) == f"{tmp_path / 'two.patch'}:{first}: 2 mails in one patch file"


def test_git_log_merge_with_combined_diff_is_skipped() -> None:
    """`git log -p --cc` over a conflicted merge: the merge is skipped with a warning, no cover."""
    path = DATA / "merge-cc-log.txt"
    series = read_series(path)
    assert series.kind is SourceKind.GIT_LOG
    assert series.cover is None
    assert [p.subject.text for p in series.patches] == ["toy: say one", "toy: say two"]
    assert series.warnings == (
        f"{path}:1: message without a diff skipped: Merge branch 'one' into two",
    )


def test_coloured_git_log_names_the_cause(tmp_path: Path) -> None:
    """A log saved with colour escapes is refused with a hint to write it without them."""
    path = tmp_path / "colour.txt"
    plain = (DATA / "merge-cc-log.txt").read_text().split("\n\n", 1)[0]
    path.write_text(f"\x1b[33m{plain}\x1b[m\n")
    with pytest.raises(PatchError) as info:
        read_series(path)
    assert str(info.value).startswith(f"{path}:1: no diff found in the patch (it holds ")
    assert "--no-color" in info.value.message


def test_git_quoted_paths_are_unquoted() -> None:
    """Paths git writes C-quoted (non-ASCII, a `"`) or with a space and tab read as file names."""
    path = DATA / "quoted-names.mbox"
    series = read_series(path)
    first, second = ([(f.path, f.old_path, f.kind) for f in p.files] for p in series.patches)
    assert first == [
        ("mm/caf\u00e9.c", None, ChangeKind.ADDED),
        ("mm/my toy.c", None, ChangeKind.ADDED),
    ]
    assert second == [
        ('mm/"q".c', "mm/caf\u00e9.c", ChangeKind.RENAMED),
        ("mm/my toy.c", None, ChangeKind.MODIFIED),
    ]
    assert render(series) == path.read_bytes()
