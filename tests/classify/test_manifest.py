"""Manifest drift: patches matched by quilt name or subject, then files, counts and classes."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.classify.manifest import drift, load_manifest, normal_subject
from toolkit.classify.records import FileStat, PatchReport, Severity
from toolkit.errors import InputError

MANIFEST = """
[[patch]]
number = 1
subject = "[patch 1/3] demo: first"
quilt_name = "first"
classes = ["vma-flags"]
files = [{ path = "mm/a.c", insertions = 3, deletions = 1 }]

[[patch]]
number = 2
subject = "demo: second"
quilt_name = "second"
classes = ["populate"]
files = [{ path = "mm/b.c", insertions = 1, deletions = 0 }]

[[patch]]
number = 3
subject = "demo: third"
quilt_name = "third"
classes = ["tlb"]
files = ["mm/c.c"]
"""


def _report(
    number: int, subject: str, quilt: str | None, path: str, plus: int, classes: tuple[str, ...]
) -> PatchReport:
    return PatchReport(number, subject, quilt, "x", (FileStat(path, plus, 0),), classes, ())


def _codes(found: list[object]) -> list[tuple[str, int | None]]:
    return [(f.code, f.patch) for f in found]  # type: ignore[attr-defined]


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    """The three-patch manifest above, written to a file."""
    path = tmp_path / "series.toml"
    path.write_text(MANIFEST)
    return path


def test_matching_series_has_no_drift(manifest: Path) -> None:
    """A series equal to the manifest (subject matched without its prefix) gives nothing."""
    patches = (
        PatchReport(1, "demo: first", None, "x", (FileStat("mm/a.c", 3, 1),), ("vma-flags",), ()),
        _report(2, "demo: second", "second", "mm/b.c", 1, ("populate",)),
        _report(3, "demo: third", "third", "mm/c.c", 7, ("tlb",)),
    )
    assert drift(patches, load_manifest(manifest), classified=True) == []


def test_every_kind_of_drift(manifest: Path) -> None:
    """Missing, extra and reordered patches, other files, counts and classes are each reported."""
    patches = (
        _report(1, "demo: third", "third", "mm/c.c", 1, ("tlb",)),
        PatchReport(2, "demo: first", "first", "x", (FileStat("mm/a.c", 2, 1),), ("tlb",), ()),
        _report(3, "demo: fourth", "fourth", "mm/d.c", 1, ()),
    )
    found = drift(patches, load_manifest(manifest), classified=True)
    assert sorted(_codes(found), key=str) == sorted(
        [
            ("manifest-missing", None),
            ("manifest-reordered", 2),
            ("manifest-counts", 2),
            ("manifest-classes", 2),
            ("manifest-extra", 3),
        ],
        key=str,
    )
    severities = {f.code: f.severity for f in found}
    assert severities["manifest-counts"] is Severity.INFO
    assert severities["manifest-classes"] is Severity.WARNING


def test_files_drift_and_stat_mode(manifest: Path) -> None:
    """Other files are drift; classes are not compared when nothing was classified."""
    patches = (
        _report(1, "demo: first", "first", "mm/z.c", 3, ()),
        _report(2, "demo: second", "second", "mm/b.c", 1, ()),
        _report(3, "demo: third", "third", "mm/c.c", 1, ()),
    )
    found = drift(patches, load_manifest(manifest), classified=False)
    assert _codes(found) == [("manifest-files", 1)]
    assert "extra mm/z.c" in found[0].message and "missing mm/a.c" in found[0].message


def test_bad_manifest_names_file_and_line(tmp_path: Path) -> None:
    """A manifest that is not TOML is an InputError with the file and line."""
    path = tmp_path / "series.toml"
    path.write_text("[[patch]]\nnumber = 1\nsubject = \n")
    with pytest.raises(InputError) as caught:
        load_manifest(path)
    assert caught.value.path == str(path)
    assert caught.value.line == 3


def test_normal_subject() -> None:
    """Subjects compare without brackets, case or repeated spaces."""
    assert normal_subject("[PATCH 02/18]  Remap_File_Pages:  x") == "remap_file_pages: x"


def test_patch_totals_and_plain_file_lists(tmp_path: Path) -> None:
    """A manifest giving files as names and counts per patch compares the patch's totals."""
    path = tmp_path / "series.toml"
    path.write_text(
        '[[patch]]\nnumber = 1\nsubject = "demo: one"\nquilt_name = "one"\n'
        'files = ["mm/a.c"]\ninsertions = 4\ndeletions = 0\nclasses = []\n'
    )
    same = (_report(1, "demo: one", "one", "mm/a.c", 4, ()),)
    assert drift(same, load_manifest(path), classified=True) == []
    other = (_report(1, "demo: one", "one", "mm/a.c", 5, ()),)
    found = drift(other, load_manifest(path), classified=True)
    assert [(f.code, f.message) for f in found] == [("manifest-counts", "+5/-0, manifest +4/-0")]
