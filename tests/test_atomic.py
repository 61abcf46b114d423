"""Output files are written whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.atomic import write_atomic
from toolkit.errors import OutputError


def test_write_creates_parents_and_content(tmp_path: Path) -> None:
    """A write makes missing directories and leaves exactly the data."""
    target = tmp_path / "a" / "b" / "out.txt"
    write_atomic(target, "hello\n")
    assert target.read_text() == "hello\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.txt"]


def test_unwritable_parent_is_an_output_error(tmp_path: Path) -> None:
    """A file in place of a directory: an OutputError naming the output, nothing written."""
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    with pytest.raises(OutputError) as caught:
        write_atomic(blocker / "out.txt", b"data")
    assert str(caught.value).startswith(f"{blocker / 'out.txt'}: cannot write: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker"]


def test_failed_replace_leaves_old_file_and_no_temporary(tmp_path: Path) -> None:
    """When the rename fails (the target is a directory), nothing is left half written."""
    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(OutputError):
        write_atomic(target, "new")
    assert target.is_dir()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
