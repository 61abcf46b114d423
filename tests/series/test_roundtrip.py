"""Round trips over every sample file and the bundled series: bytes, mbox export, streaming."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from toolkit import vcs
from toolkit.cli import main
from toolkit.paths import PATCHES
from toolkit.series import (
    FileDiff,
    LineKind,
    Patch,
    iter_patches,
    read_series,
    render,
    render_patch,
    to_mbox,
)

from .conftest import DATA, QUILT

BASE = DATA / "base"  # the pre-series tree the bundled patches apply to

SAMPLES = [
    DATA / "git-features.diff",
    DATA / "format-patch.mbox",
    DATA / "git-log.txt",
    DATA / "crlf.patch",
    DATA / "latin1.patch",
    *sorted(QUILT.glob("*.patch")),
]


def _content(patch: Patch) -> tuple[object, ...]:
    """Subject, authors, description and every file and hunk of a patch."""
    return (
        patch.subject.text,
        patch.body_from,
        patch.description,
        tuple((f.path, f.old_path, f.kind, _hunks(f)) for f in patch.files),
    )


def _hunks(diff: FileDiff) -> tuple[object, ...]:
    """A file's hunks without their positions in the patch file, which an export moves."""
    return tuple(
        (
            h.header,
            h.section,
            tuple((ln.kind, ln.text, ln.source_line, ln.target_line) for ln in h.lines),
        )
        for h in diff.hunks
    )


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
def test_sample_bytes_round_trip(sample: Path) -> None:
    """render(read_series(x)) == x for each well-formed sample file."""
    assert render(read_series(sample)) == sample.read_bytes()


def test_bundled_patches_round_trip() -> None:
    """Every patch of the bundled series renders back to the bytes of its file."""
    series = read_series(PATCHES)
    assert series.patches, "the bundled series lists no patches"
    for patch in series.patches:
        assert render_patch(patch) == (PATCHES / f"{patch.quilt_name}.patch").read_bytes()


def test_bundled_series_through_mbox(tmp_path: Path) -> None:
    """The bundled series exported as an mbox reads back to the same patches."""
    series = read_series(PATCHES)
    out = tmp_path / "bundled.mbox"
    out.write_bytes(to_mbox(series))
    again = read_series(out)
    assert [_content(p) for p in again.patches] == [_content(p) for p in series.patches]
    assert [p.subject.counter for p in again.patches] == [p.subject.counter for p in series.patches]


def test_rendered_hunks_follow_the_records(tmp_path: Path) -> None:
    """Rendering is built from the records: a changed line text shows up in the bytes."""
    import dataclasses

    patch = read_series(QUILT).patches[0]
    diff = patch.files[0]
    hunk = diff.hunks[0]
    line = dataclasses.replace(hunk.lines[0], text="#ifndef CHANGED_H")
    changed = dataclasses.replace(
        patch,
        files=(
            dataclasses.replace(
                diff, hunks=(dataclasses.replace(hunk, lines=(line, *hunk.lines[1:])),)
            ),
        ),
    )
    assert b"\n #ifndef CHANGED_H\n" in render_patch(changed)
    assert render_patch(changed) != render_patch(patch)


def test_iter_patches_is_lazy(tmp_path: Path) -> None:
    """iter_patches hands out the first patch before it reaches a broken later one."""
    good = (DATA / "format-patch.mbox").read_bytes()
    broken = (
        b"\nFrom 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n"
        b"Subject: [PATCH 3/3] broken\n\n--- a/x\n+++ b/x\n@@ -1,9 +1,9 @@\n a\n"
    )
    path = tmp_path / "lazy.mbox"
    path.write_bytes(good + broken)
    stream = iter_patches(path)
    assert next(stream).subject.counter == 2
    assert next(stream).subject.counter == 1
    with pytest.raises(ValueError, match="truncated hunk"):
        next(stream)


def _changes(patch: Patch) -> tuple[object, ...]:
    """Subject, authors, description and the net lines removed and added per file.

    git writes its own diff of the same change: other context, other hunk boundaries, and a
    line removed and added again may become context. What a patch changes stays the same.
    """
    files = []
    for f in patch.files:
        removed = Counter(ln.text for h in f.hunks for ln in h.lines if ln.kind is LineKind.REMOVED)
        added = Counter(ln.text for h in f.hunks for ln in h.lines if ln.kind is LineKind.ADDED)
        files.append((f.path, f.kind, removed - added, added - removed))
    return (patch.subject.text, patch.body_from, patch.description, files)


def test_bundled_series_as_a_git_branch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`rfp series patches/ --export-mbox`, git am on the base tree, then --git reads it back."""
    out = tmp_path / "out.mbox"
    assert main(["series", str(PATCHES), "--export-mbox", str(out)]) == 0
    capsys.readouterr()
    exported = read_series(out)
    bundled = read_series(PATCHES)
    assert [_content(p) for p in exported.patches] == [_content(p) for p in bundled.patches]
    repo = tmp_path / "linux"
    vcs.init_repo(repo)
    files = {str(f.relative_to(BASE)): f.read_bytes() for f in BASE.rglob("*") if f.is_file()}
    base = vcs.commit_files(repo, files, "base tree")
    without_cover = tmp_path / "patches.mbox"
    without_cover.write_bytes(to_mbox(exported, cover=False))
    vcs.am(repo, without_cover)
    branch = read_series(repo, git_range=f"{base}..HEAD")
    assert [_changes(p) for p in branch.patches] == [_changes(p) for p in bundled.patches]


def test_git_log_export_is_a_clean_mail(tmp_path: Path) -> None:
    """A `git log -p` series exports as mails whose message is the commit's, not its log lines."""
    series = read_series(DATA / "git-log.txt")
    out = tmp_path / "log.mbox"
    out.write_bytes(to_mbox(series, cover=False))
    again = read_series(out)
    assert [_content(p) for p in again.patches] == [_content(p) for p in series.patches]
    assert not any("Author:" in p.description for p in again.patches)
