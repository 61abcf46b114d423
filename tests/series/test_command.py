"""`rfp series`: the listing, JSON, mbox export and one-line errors."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

import pytest

from toolkit import vcs
from toolkit.cli import main
from toolkit.paths import PATCHES
from toolkit.series import read_series

from .conftest import DATA, QUILT

Capture = pytest.CaptureFixture[str]


def test_text_table(capsys: Capture) -> None:
    """The table has a header, one row per patch with number, subject, author, files and +/-."""
    assert main(["series", str(QUILT)]) == 0
    cover, *out = capsys.readouterr().out.splitlines()
    assert cover == "cover: toy: three small changes for the reader tests"
    assert out[0].split() == ["#", "subject", "author", "files", "+/-"]
    series = read_series(QUILT)
    for line, patch in zip(out[1:], series.patches, strict=False):
        assert line.startswith(f"{patch.number:02d}  {patch.subject.text}")
        assert line.endswith(f"{len(patch.files)}  +{patch.insertions}/-{patch.deletions}")
    assert "Example Author" in out[1]
    assert out[len(series.patches) + 1] == "3 patches, +9/-4"


def test_default_path_is_the_bundled_series(
    monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    """Without a path, `rfp series` reads toolkit.paths.PATCHES."""
    monkeypatch.setattr("toolkit.cli.PATCHES", QUILT)
    assert main(["series"]) == 0
    assert "toy: check arguments early" in capsys.readouterr().out


def test_json(capsys: Capture) -> None:
    """--format json gives the cover, patches, files and hunk lines."""
    assert main(["series", str(DATA / "format-patch.mbox"), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "mbox"
    assert data["cover"]["counter"] == 0
    assert [p["counter"] for p in data["patches"]] == [1, 2]
    renamed = data["patches"][1]["files"][1]
    assert (renamed["kind"], renamed["old_path"], renamed["path"]) == (
        "renamed",
        "mm/toy.c",
        "mm/toy2.c",
    )
    hunk = data["patches"][0]["files"][0]["hunks"][0]
    lines = (DATA / "format-patch.mbox").read_text().splitlines()
    assert lines[hunk["line"] - 1] == hunk["header"]


def test_export_mbox(tmp_path: Path, capsys: Capture) -> None:
    """--export-mbox writes an mbox that reads back to the same subjects and files."""
    out = tmp_path / "out" / "series.mbox"
    assert main(["series", str(QUILT), "--export-mbox", str(out)]) == 0
    capsys.readouterr()
    again, first = read_series(out), read_series(QUILT)
    assert [p.subject.text for p in again.patches] == [p.subject.text for p in first.patches]
    assert [[f.path for f in p.files] for p in again.patches] == [
        [f.path for f in p.files] for p in first.patches
    ]


def test_bad_input_is_one_line_and_no_output_file(tmp_path: Path, capsys: Capture) -> None:
    """A bad patch prints `rfp: error: path:line: message`, exits 2 and writes no mbox."""
    bad = tmp_path / "bad.patch"
    bad.write_text("--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n")
    out = tmp_path / "out.mbox"
    assert main(["series", str(bad), "--export-mbox", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith(f"rfp: error: {bad}:4: truncated hunk")
    assert not out.exists()


def test_git_range(tmp_path: Path, capsys: Capture) -> None:
    """--git REPO --range A..B lists the commits of the range."""
    repo = tmp_path / "repo"
    vcs.init_repo(repo)
    base = vcs.commit_files(repo, {"a.c": b"int a;\n"}, "base")
    vcs.commit_files(repo, {"a.c": b"int b;\n"}, "a: rename a to b")
    assert main(["series", "--git", str(repo), "--range", f"{base}..HEAD"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith("01  a: rename a to b")


def test_git_without_range(tmp_path: Path, capsys: Capture) -> None:
    """--git without --range is a usage error on one line."""
    assert main(["series", "--git", str(tmp_path)]) == 2
    assert "--range" in capsys.readouterr().err


def test_bundled_series_matches_its_manifest(capsys: Capture) -> None:
    """`rfp series` lists the bundled patches with the manifest's subjects, authors and counts."""
    manifest = tomllib.loads((PATCHES / "series.toml").read_text())["patch"]
    assert main(["series", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)["patches"]
    assert len(listed) == len(manifest) == 18
    for patch, fact in zip(listed, manifest, strict=True):
        assert (patch["number"], patch["quilt_name"]) == (fact["number"], fact["quilt_name"])
        assert patch["subject"] == fact["subject"]
        assert patch["body_from"] == fact["authors"]
        assert sorted(f["path"] for f in patch["files"]) == sorted(fact["files"])
        assert (patch["insertions"], patch["deletions"]) == (
            fact["insertions"],
            fact["deletions"],
        )


def _broken(tmp_path: Path, kind: str) -> tuple[Path, str]:
    """A broken input of `kind` and the `path:line: message` start its error must have."""
    path = tmp_path / f"{kind}.patch"
    if kind == "empty":
        path.write_bytes(b"")
        return path, f"{path}:1: empty file"
    if kind == "garbage":
        path.write_bytes(bytes(range(256)) * 8)
        return path, f"{path}:1: no diff found"
    if kind == "cut-mail":
        path.write_bytes(b"From x Mon Sep 17 00:00:00 2001\n")
        return path, f"{path}:1: nothing after this envelope line"
    if kind == "no-series":
        path = tmp_path / "quilt"
        path.mkdir()
        (path / "README").write_text("no patches here\n")
        return path, f"{path / 'series'}: quilt directory without a series file"
    if kind == "fifo":
        os.mkfifo(path)
        return path, f"{path}: not a regular file or directory"
    path.symlink_to(path)
    return path, f"{path}: cannot resolve symbolic link"


@pytest.mark.parametrize("kind", ["empty", "garbage", "cut-mail", "no-series", "fifo", "loop"])
def test_broken_inputs_give_one_line(tmp_path: Path, capsys: Capture, kind: str) -> None:
    """Empty, binary, cut, series-less, FIFO and self-linked inputs: one error line, exit 2."""
    path, start = _broken(tmp_path, kind)
    assert main(["series", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"rfp: error: {start}")
    assert captured.err.count("\n") == 1


def test_export_to_an_impossible_place(tmp_path: Path, capsys: Capture) -> None:
    """An mbox path under a regular file is one error line naming it, not a traceback."""
    blocker = tmp_path / "file"
    blocker.write_text("x\n")
    assert main(["series", str(QUILT), "--export-mbox", str(blocker / "out.mbox")]) == 2
    err = capsys.readouterr().err
    # mkdir of the parent fails: a file of that name is there
    assert err == f"rfp: error: {blocker / 'out.mbox'}: cannot write: File exists ({blocker})\n"


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux /proc")
def test_file_the_os_will_not_read(capsys: Capture) -> None:
    """A regular file whose read fails (EIO from /proc/self/mem) is one error line, exit 2."""
    assert main(["series", "/proc/self/mem"]) == 2
    err = capsys.readouterr().err
    assert err == "rfp: error: /proc/self/mem: cannot read: Input/output error\n"
