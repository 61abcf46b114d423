"""Round trips over every sample file and the bundled series: bytes, mbox export, streaming."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.paths import PATCHES
from toolkit.series import (
    FileDiff,
    Patch,
    iter_patches,
    read_series,
    render,
    render_patch,
    to_mbox,
)

from .conftest import DATA, QUILT

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
