"""Single diff files: git extended headers, line endings, encodings and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.errors import MissingInputError, PatchError, ToolkitError, UnsafePathError
from toolkit.series import ChangeKind, LineKind, SourceKind, read_series, render

from .conftest import DATA

GOOD = """--- a/mm/toy.c
+++ b/mm/toy.c
@@ -1,3 +1,3 @@ int toy(void)
 a
-b
+c
 d
"""


def _write(tmp_path: Path, text: str, name: str = "x.patch") -> Path:
    """`text` written to a patch file under `tmp_path`."""
    path = tmp_path / name
    path.write_text(text)
    return path


def test_git_extended_headers() -> None:
    """Renames, mode changes, binary patches, additions and removals get their kinds."""
    series = read_series(DATA / "git-features.diff")
    assert series.kind is SourceKind.DIFF
    files = series.patches[0].files
    got = [(f.path, f.old_path, f.kind) for f in files]
    assert got == [
        ("mm/toy.c", None, ChangeKind.MODIFIED),
        ("mm/renamed.c", "mm/old.c", ChangeKind.RENAMED),
        ("tools/run.sh", None, ChangeKind.MODE),
        ("img/logo.bin", None, ChangeKind.BINARY),
        ("mm/gone.c", None, ChangeKind.REMOVED),
    ]
    assert (files[2].old_mode, files[2].new_mode) == ("100644", "100755")
    assert files[3].hunks == ()
    assert "GIT binary patch" in files[3].header
    gone = files[4].hunks[0]
    assert (gone.source_length, gone.source_count_given) == (1, False)
    # the header is given back as written, without the count diff left out
    lines = (DATA / "git-features.diff").read_text().splitlines()
    assert lines[gone.patch_line - 1] == gone.header
    assert gone.header.startswith("@@ -1 ")


@pytest.mark.parametrize(
    "name", ["git-features.diff", "crlf.patch", "latin1.patch", "trailing-space.diff"]
)
def test_round_trip_bytes(name: str) -> None:
    """render(read_series(x)) gives back the bytes of x."""
    path = DATA / name
    assert render(read_series(path)) == path.read_bytes()


def test_crlf_lines_lose_their_carriage_return() -> None:
    """A CRLF patch reads like its LF twin, and remembers its line ending."""
    crlf = read_series(DATA / "crlf.patch").patches[0]
    assert crlf.newline == "\r\n"
    texts = [ln.text for ln in crlf.files[0].hunks[0].lines]
    assert texts == ["/* café */", "/* café au lait */", "toy;"[0:0] + "int toy;"]


def test_latin1_is_read_with_a_warning() -> None:
    """Text that is not UTF-8 is read as latin-1, and the series says so with file and line."""
    series = read_series(DATA / "latin1.patch")
    assert series.patches[0].encoding == "latin-1"
    assert series.patches[0].files[0].hunks[0].lines[0].text == "/* café */"
    assert len(series.warnings) == 1
    assert series.warnings[0].startswith(f"{DATA / 'latin1.patch'}:1: ")


def test_line_kinds_and_numbers(tmp_path: Path) -> None:
    """Each hunk line carries its kind and its old/new line numbers."""
    hunk = read_series(_write(tmp_path, GOOD)).patches[0].files[0].hunks[0]
    got = [(ln.kind, ln.source_line, ln.target_line, ln.patch_line) for ln in hunk.lines]
    assert got == [
        (LineKind.CONTEXT, 1, 1, 4),
        (LineKind.REMOVED, 2, None, 5),
        (LineKind.ADDED, None, 2, 6),
        (LineKind.CONTEXT, 3, 3, 7),
    ]


NEXT = "--- a/y\n+++ b/y\n@@ -1 +1 @@\n-x\n+y\n"
BAD = [
    # (name, text, line the error must name, words in the message)
    ("truncated", GOOD[: GOOD.index("+c")], 5, "truncated hunk"),
    ("short", GOOD.replace("-1,3 +1,3", "-1,4 +1,4") + NEXT, 8, "counts"),
    ("short at end", GOOD.replace("-1,3 +1,3", "-1,4 +1,4"), 7, "truncated hunk"),
    ("long", GOOD.replace("-1,3 +1,3", "-1,2 +1,2"), 7, "counts"),
    ("extra added", GOOD.replace("+c\n", "+c\n+e\n"), 8, "counts"),
    ("no hunks", "--- a/mm/toy.c\n+++ b/mm/toy.c\n", 1, "no hunks"),
    ("no hunks git", "x\ndiff --git a/m b/m\n--- a/m\n+++ b/m\n", 3, "no hunks"),
    ("bad header", GOOD.replace("@@ -1,3 +1,3 @@", "@@ -1,x +1,3 @@"), 3, "malformed hunk"),
    ("between hunks", GOOD + "junk\n@@ -9 +9 @@\n-x\n+y\n", 8, "between two hunks"),
]


@pytest.mark.parametrize(("name", "text", "line", "words"), BAD, ids=[b[0] for b in BAD])
def test_bad_diffs_name_file_and_line(
    tmp_path: Path, name: str, text: str, line: int, words: str
) -> None:
    """Each malformed diff raises a PatchError printing `path:line: message`."""
    path = _write(tmp_path, text)
    with pytest.raises(PatchError) as info:
        read_series(path)
    assert str(info.value).startswith(f"{path}:{line}: "), str(info.value)
    assert words in info.value.message


@pytest.mark.parametrize("signature", ["-- \n", "--\n"])
def test_signature_after_the_diff(tmp_path: Path, signature: str) -> None:
    """A mail signature after the last hunk is trailer text, with or without its space."""
    text = GOOD + signature + "2.39.5\n"
    patch = read_series(_write(tmp_path, text)).patches[0]
    assert patch.trailer == signature + "2.39.5\n"
    assert len(patch.files[0].hunks[0].lines) == 4


def test_empty_file(tmp_path: Path) -> None:
    """An empty patch file is a PatchError at its first line."""
    path = _write(tmp_path, "")
    with pytest.raises(PatchError) as info:
        read_series(path)
    assert str(info.value) == f"{path}:1: empty file"


def test_text_without_diff(tmp_path: Path) -> None:
    """A file that holds no diff at all is refused."""
    path = _write(tmp_path, "just words\nDiff this.\n")
    with pytest.raises(PatchError) as info:
        read_series(path)
    assert str(info.value).startswith(f"{path}:1: ")


def test_missing_path(tmp_path: Path) -> None:
    """A path that does not exist is a MissingInputError naming it."""
    with pytest.raises(MissingInputError) as info:
        read_series(tmp_path / "nope.patch")
    assert "nope.patch" in str(info.value)


UNSAFE = [
    ("--- /etc/passwd\n+++ /etc/passwd\n@@ -1 +1 @@\n-a\n+b\n", 1),
    ("x\n--- a/../../etc/x\n+++ b/../../etc/x\n@@ -1 +1 @@\n-a\n+b\n", 2),
    ("diff --git a/m b/m\nsimilarity index 90%\nrename from m\nrename to ../m\n", 1),
]


@pytest.mark.parametrize(("text", "line"), UNSAFE)
def test_paths_escaping_the_tree(tmp_path: Path, text: str, line: int) -> None:
    """Absolute paths and `..` in a diff raise UnsafePathError with file and line."""
    path = _write(tmp_path, text)
    with pytest.raises(UnsafePathError) as info:
        read_series(path)
    assert str(info.value).startswith(f"{path}:{line}: ")
    assert isinstance(info.value, ToolkitError)


@pytest.mark.parametrize(
    ("credit", "authors"),
    [
        ("Original patch by Ann Example; our text.", ("Ann Example",)),
        ("Original patch by Ann Example and Bo Sample; ours.", ("Ann Example", "Bo Sample")),
        ("Original patch by A One, B Two and C Three.", ("A One", "B Two", "C Three")),
    ],
)
def test_credit_line_names_original_authors(
    tmp_path: Path, credit: str, authors: tuple[str, ...]
) -> None:
    """Without an in-body From:, an `Original patch by` line gives the original authors."""
    patch = read_series(_write(tmp_path, f"Subject: x\n\n{credit}\n\n{GOOD}")).patches[0]
    assert patch.body_from == authors
    assert credit in patch.description


def test_in_body_from_with_two_authors(tmp_path: Path) -> None:
    """Two addresses on one in-body From: line are two authors."""
    who = "From: Ann Example <a@example.invalid>, Bo 'B' Sample <b@example.invalid>"
    patch = read_series(_write(tmp_path, f"Subject: x\n\n{who}\n\n{GOOD}")).patches[0]
    assert patch.body_from == (
        "Ann Example <a@example.invalid>",
        "Bo 'B' Sample <b@example.invalid>",
    )


def test_in_body_from_wins_over_credit_line(tmp_path: Path) -> None:
    """In-body From: lines are the authors when present, as b4 reads them."""
    text = f"Subject: x\n\nFrom: Ann <a@example.invalid>\n\nOriginal patch by Bo.\n\n{GOOD}"
    patch = read_series(_write(tmp_path, text)).patches[0]
    assert patch.body_from == ("Ann <a@example.invalid>",)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("a/mm/toy.c", "b/mm/toy.c"),
        ("linux-2.6.git~rfp-arch-uml/mm/toy.c", "linux-2.6.git-paolo/mm/toy.c"),
        ("linux-2.6.git/mm/toy.c~rfp-arch-uml", "linux-2.6.git/mm/toy.c"),
    ],
)
def test_p1_prefix_forms(tmp_path: Path, old: str, new: str) -> None:
    """`a/` `b/`, quilt's `tree~name/` and `file~name` forms all strip to the same path."""
    text = GOOD.replace("--- a/mm/toy.c", f"--- {old}").replace("+++ b/mm/toy.c", f"+++ {new}")
    diff = read_series(_write(tmp_path, text)).patches[0].files[0]
    assert (diff.path, diff.old_path, diff.kind) == ("mm/toy.c", None, ChangeKind.MODIFIED)


def test_prose_lines_that_look_like_headers(tmp_path: Path) -> None:
    """`diff ...` and `Index: ...` lines in a description do not start a file diff."""
    text = "Subject: x\n\ndiff of the two layouts below.\nIndex: of pages, as before.\n\n" + GOOD
    patch = read_series(_write(tmp_path, text)).patches[0]
    assert [f.path for f in patch.files] == ["mm/toy.c"]
    assert patch.description == "diff of the two layouts below.\nIndex: of pages, as before."
    assert patch.files[0].header == ("--- a/mm/toy.c", "+++ b/mm/toy.c")


def test_gnu_diff_between_trees_with_new_files() -> None:
    """`diff -ruN a b`: a leading binary line, and new/removed files as empty old/new sides."""
    path = DATA / "gnu-ruN.diff"
    series = read_series(path)
    got = [(f.path, f.kind, f.insertions, f.deletions) for f in series.patches[0].files]
    assert got == [
        ("mm/blob.bin", ChangeKind.BINARY, 0, 0),
        ("mm/fresh.c", ChangeKind.ADDED, 1, 0),
        ("mm/gone.c", ChangeKind.REMOVED, 0, 1),
        ("mm/only-old.txt", ChangeKind.REMOVED, 0, 1),
        ("mm/toy.c", ChangeKind.MODIFIED, 1, 1),
    ]
    assert render(series) == path.read_bytes()


def test_gnu_diff_between_trees_with_only_in_lines() -> None:
    """`diff -ru a b`: `Only in` lines between diffs are kept as text, not taken for files."""
    path = DATA / "gnu-ru.diff"
    series = read_series(path)
    files = series.patches[0].files
    assert [(f.path, f.kind) for f in files] == [
        ("mm/blob.bin", ChangeKind.BINARY),
        ("mm/toy.c", ChangeKind.MODIFIED),
    ]
    assert "Only in a/mm: gone.c" in files[1].header
    assert render(series) == path.read_bytes()


def test_hg_export() -> None:
    """`hg export`: `# User`/`# Date` give author and date, the first paragraph the subject."""
    path = DATA / "hg-export.patch"
    series = read_series(path)
    patch = series.patches[0]
    assert (patch.subject.text, patch.author, patch.date, patch.description) == (
        "toy: say one",
        "Ann Example <a@example.invalid>",
        "Fri Aug 26 20:23:29 2005 +0200",
        "A longer text.",
    )
    assert [(f.path, f.kind, f.header[0]) for f in patch.files] == [
        (
            "scripts/toy.sh",
            ChangeKind.MODIFIED,
            "diff -r e6e960b0328c -r 3a38a9860844 scripts/toy.sh",
        )
    ]
    assert render(series) == path.read_bytes()


def test_svn_diff_with_property_changes() -> None:
    """`svn diff`: a property block after a hunk is no hunk line; properties alone are MODE."""
    path = DATA / "svn-properties.diff"
    series = read_series(path)
    got = [(f.path, f.kind, f.insertions, f.deletions) for f in series.patches[0].files]
    assert got == [
        ("mm/run.sh", ChangeKind.MODE, 0, 0),
        ("mm/toy.c", ChangeKind.MODIFIED, 1, 1),
        ("README", ChangeKind.MODIFIED, 1, 1),
    ]
    assert render(series) == path.read_bytes()
