"""The errors the toolkit raises for bad input or a failing outside tool.

Every error carries the file and line it is about and prints as `path:line: message`.
Each class also subclasses the matching builtin, so callers may catch either.
"""

from __future__ import annotations

from pathlib import Path


class ToolkitError(Exception):
    """Bad input or a failing outside tool, located at a file and line when known."""

    def __init__(
        self, message: str, path: str | Path | None = None, line: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = None if path is None else str(path)
        self.line = line

    def __str__(self) -> str:
        where = self.path or ""
        if self.path is not None and self.line is not None:
            where = f"{self.path}:{self.line}"
        return f"{where}: {self.message}" if where else self.message


class InputError(ToolkitError, ValueError):
    """Input that is present but malformed."""


class PatchError(InputError):
    """A diff or a mail that cannot be read as a patch."""


class SeriesError(InputError):
    """A series (quilt directory, mbox, git range) that is inconsistent as a whole."""


class ArchDataError(InputError):
    """An archs/*.toml file whose facts are inconsistent."""


class ScenarioError(InputError):
    """A model scenario file that cannot be run."""


class MissingInputError(ToolkitError, FileNotFoundError):
    """A file, directory, arch or revision that does not exist."""


class UnsafePathError(ToolkitError, PermissionError):
    """A path in the input that escapes the tree it belongs to."""


class OutputError(ToolkitError, OSError):
    """An output file or directory that cannot be written."""


class ExternalToolError(ToolkitError, RuntimeError):
    """An outside program (gcc, git) failed on our behalf."""
