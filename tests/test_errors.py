"""The error hierarchy: locations in messages and builtin bases."""

from __future__ import annotations

from toolkit.errors import MissingInputError, PatchError, ToolkitError


def test_error_prints_path_and_line() -> None:
    """An error with a path and line prints as `path:line: message`."""
    assert str(PatchError("truncated hunk", "a.patch", 12)) == "a.patch:12: truncated hunk"


def test_error_without_line_prints_path() -> None:
    """An error with only a path prints as `path: message`."""
    assert str(ToolkitError("empty", "x")) == "x: empty"


def test_errors_subclass_builtins() -> None:
    """Each error is also the builtin a caller would expect."""
    assert isinstance(PatchError("m"), ValueError)
    assert isinstance(MissingInputError("m"), FileNotFoundError)
