"""Quilt directories: the series file, its options and comments, and the patch files."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.errors import MissingInputError, SeriesError, UnsafePathError
from toolkit.series import ChangeKind, SourceKind, read_series, render, render_patch

from .conftest import DATA, QUILT

NAMES = ["toy-add-flag", "toy-check-args", "toy-new-file"]


def test_quilt_lists_patches_in_series_order() -> None:
    """The series file's order, names and numbers are kept; comments and blanks are skipped."""
    series = read_series(QUILT)
    assert series.kind is SourceKind.QUILT
    assert [p.quilt_name for p in series.patches] == NAMES
    assert [p.number for p in series.patches] == [1, 2, 3]


def test_quilt_mail_headers_and_in_body_from() -> None:
    """A patch with mail headers gives subject, author, in-body From, date and Message-Id."""
    first = read_series(QUILT).patches[0]
    assert first.subject.text == "toy: add a flag for uneven pages"
    assert (first.subject.counter, first.subject.expected) == (1, 3)
    assert first.author.startswith("rfp-toolkit tests")
    assert first.body_from == ("Example Author <author@example.invalid>",)
    assert first.date == "Fri, 26 Aug 2005 20:23:29 +0200"
    assert first.message_id == "<toy-1@rfp-toolkit.invalid>"
    assert first.description.startswith("This test patch adds a flag")
    assert "Signed-off-by" in first.description
    assert first.diffstat is not None and "1 file changed" in first.diffstat


def test_quilt_strips_the_linux_tree_prefix_and_tilde_name() -> None:
    """`linux-2.6.git/x~name` and `linux-2.6.git-paolo/x` both become `x`, a modification."""
    diff = read_series(QUILT).patches[0].files[0]
    assert diff.path == "include/toy.h"
    assert diff.old_path is None
    assert diff.kind is ChangeKind.MODIFIED
    assert (diff.insertions, diff.deletions) == (2, 1)


def test_quilt_desc_block_and_index_lines() -> None:
    """DESC/EDESC gives the subject; `Index:`/`===` headers and two hunks with sections parse."""
    patch = read_series(QUILT).patches[1]
    assert patch.subject.text == "toy: check arguments early"
    assert patch.description == "Turn the nested checks of toy_remap() into early returns."
    diff = patch.files[0]
    assert diff.path == "mm/toy.c"
    assert diff.header[0] == "Index: linux-2.6.git/mm/toy.c"
    assert [h.section for h in diff.hunks] == [
        "int toy_remap(unsigned long start, unsig",
        "static int toy_helper(void)",
    ]
    assert [(h.source_start, h.target_start) for h in diff.hunks] == [(10, 10), (30, 31)]


def test_quilt_strip_level_and_dev_null() -> None:
    """`-p0` from the series file applies; /dev/null makes an added file; `\\` is kept."""
    patch = read_series(QUILT).patches[2]
    assert patch.strip == 0
    diff = patch.files[0]
    assert (diff.path, diff.kind) == ("mm/toy-new.c", ChangeKind.ADDED)
    kinds = [line.kind.value for line in diff.hunks[0].lines]
    assert kinds == ["+", "+", "\\"]


def test_quilt_line_numbers_point_into_the_files() -> None:
    """Hunk and line numbers are lines of the patch file itself."""
    patch = read_series(QUILT).patches[1]
    lines = (QUILT / "toy-check-args.patch").read_text().splitlines()
    for hunk in patch.files[0].hunks:
        assert lines[hunk.patch_line - 1].startswith("@@ ")
        for line in hunk.lines:
            assert lines[line.patch_line - 1] == line.kind.value + line.text


def test_quilt_round_trip_bytes() -> None:
    """Each patch renders back to the bytes of its file."""
    series = read_series(QUILT)
    for name, patch in zip(NAMES, series.patches, strict=True):
        assert render_patch(patch) == (QUILT / f"{name}.patch").read_bytes()
    joined = b"".join((QUILT / f"{n}.patch").read_bytes() for n in NAMES)
    assert render(series) == (QUILT / "00-cover.txt").read_bytes() + joined


def test_quilt_cover_letter() -> None:
    """`00-cover.txt` beside the series file is the cover letter, not a patch."""
    series = read_series(QUILT)
    assert series.cover is not None
    assert series.cover.subject.counter == 0
    assert series.cover.subject.text == "toy: three small changes for the reader tests"
    assert series.cover.description.startswith("A cover letter kept beside")


def _copy(tmp_path: Path) -> Path:
    """A copy of the quilt test directory to spoil."""
    target = tmp_path / "q"
    target.mkdir()
    for f in QUILT.iterdir():
        (target / f.name).write_bytes(f.read_bytes())
    return target


def test_missing_series_file(tmp_path: Path) -> None:
    """A directory without `series` and without patches is refused, naming the series path."""
    (tmp_path / "README").write_text("not a patch\n")
    with pytest.raises(MissingInputError) as info:
        read_series(tmp_path)
    assert info.value.path == str(tmp_path / "series")
    assert "series" in str(info.value)


def test_series_names_missing_file(tmp_path: Path) -> None:
    """A series line naming a file that is not there is reported at that line."""
    quilt = _copy(tmp_path)
    (quilt / "series").write_text("toy-add-flag.patch\n# c\nno-such.patch\n")
    with pytest.raises(MissingInputError) as info:
        read_series(quilt)
    assert str(info.value).startswith(f"{quilt / 'series'}:3: ")
    assert "no-such.patch" in str(info.value)


@pytest.mark.parametrize("name", ["../escape.patch", "/etc/passwd", "a/../../b.patch"])
def test_series_name_escaping_the_tree(tmp_path: Path, name: str) -> None:
    """A series entry that is absolute or climbs with `..` is refused, never opened."""
    quilt = _copy(tmp_path)
    (tmp_path / "escape.patch").write_bytes((QUILT / "toy-add-flag.patch").read_bytes())
    (quilt / "series").write_text(f"toy-add-flag.patch\n{name}\n")
    with pytest.raises(UnsafePathError) as info:
        read_series(quilt)
    assert str(info.value).startswith(f"{quilt / 'series'}:2: ")


def test_series_unknown_option(tmp_path: Path) -> None:
    """An option quilt does not know is reported with its line."""
    quilt = _copy(tmp_path)
    (quilt / "series").write_text("toy-add-flag.patch --fuzz=3\n")
    with pytest.raises(SeriesError) as info:
        read_series(quilt)
    assert str(info.value).startswith(f"{quilt / 'series'}:1: ")


def test_directory_of_patches_without_series(tmp_path: Path) -> None:
    """A plain directory of *.patch files is read in natural name order."""
    for n, name in enumerate(NAMES[:2]):
        data = (QUILT / f"{name}.patch").read_bytes()
        (tmp_path / f"{10 - 8 * n}-{name}.patch").write_bytes(data)
    series = read_series(tmp_path)
    assert series.kind is SourceKind.DIRECTORY
    assert [p.files[0].path for p in series.patches] == ["mm/toy.c", "include/toy.h"]


def test_symlink_out_of_the_directory_is_refused(tmp_path: Path) -> None:
    """A series entry that is a symlink leading outside the directory is never followed."""
    quilt = _copy(tmp_path)
    outside = tmp_path / "outside.patch"
    outside.write_bytes((QUILT / "toy-add-flag.patch").read_bytes())
    (quilt / "link.patch").symlink_to(outside)
    (quilt / "series").write_text("link.patch\n")
    with pytest.raises(UnsafePathError) as info:
        read_series(quilt)
    assert str(info.value).startswith(f"{quilt / 'series'}:1: ")


@pytest.mark.parametrize("option", ["-p0", "-p 0"])
def test_series_strip_option_forms(tmp_path: Path, option: str) -> None:
    """Both `-p0` and `-p 0` set the strip level of a series entry."""
    quilt = _copy(tmp_path)
    (quilt / "series").write_text(f"toy-new-file.patch {option}\n")
    patch = read_series(quilt).patches[0]
    assert (patch.strip, patch.files[0].path) == (0, "mm/toy-new.c")


def test_series_naming_a_directory(tmp_path: Path) -> None:
    """A series entry that is a directory (or a link to one) is named as such at its line."""
    quilt = _copy(tmp_path)
    (quilt / "sub.patch").mkdir()
    (quilt / "series").write_text("toy-add-flag.patch\nsub.patch\n")
    with pytest.raises(SeriesError) as info:
        read_series(quilt)
    assert (
        str(info.value) == f"{quilt / 'series'}:2: series names 'sub.patch', which is a directory"
    )


def test_series_naming_a_symlink_loop(tmp_path: Path) -> None:
    """A series entry that is a symlink loop is reported at its line, never followed forever."""
    quilt = _copy(tmp_path)
    (quilt / "a.patch").symlink_to("b.patch")
    (quilt / "b.patch").symlink_to("a.patch")
    (quilt / "series").write_text("a.patch\n")
    with pytest.raises(MissingInputError) as info:
        read_series(quilt)
    assert str(info.value).startswith(f"{quilt / 'series'}:1: series names 'a.patch', ")
    assert "loop" in info.value.message


def test_debian_series_with_dep3_and_git_headers() -> None:
    """A debian/patches series: a DEP-3 header ended by `---`, and a git format-patch file."""
    path = DATA / "dep3-quilt"
    series = read_series(path)
    got = [(p.quilt_name, p.subject.text, p.author, p.files[0].path) for p in series.patches]
    assert got == [
        ("fix-toy", "Accept zero in the toy check", "Ann Example <a@example.invalid>", "mm/toy.c"),
        ("from-git", "toy: say one", "Bo Sample <b@example.invalid>", "scripts/toy.sh"),
    ]
    joined = b"".join((path / f"{name}.patch").read_bytes() for name in ("fix-toy", "from-git"))
    assert render(series) == joined
