"""Quilt directories: the `series` file and the patch files it names."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import MissingInputError, SeriesError, ToolkitError, UnsafePathError
from toolkit.series.patchtext import read_file

# The cover letter kept beside a quilt series (quilt itself has none; patches/ keeps one here).
COVER = "00-cover.txt"
# rfp-arch-uml.patch -p1   # a comment
_OPTION_P = re.compile(r"^-p(\d+)$")


@dataclass(frozen=True, slots=True)
class Entry:
    """One patch named by a quilt `series` file."""

    name: str  # the quilt name, without .patch
    file: Path
    strip: int


def entries(directory: Path) -> Iterator[Entry]:
    """The patches a quilt directory's `series` file names, checked to exist inside it."""
    series = directory / "series"
    if not series.is_file():
        raise MissingInputError("quilt directory without a series file", series)
    root = directory.resolve()
    text = read_file(series).decode("utf-8", errors="replace")
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, *options = line.split()
        strip = _strip_level(options, series, number)
        if name.startswith("/") or ".." in name.split("/"):
            raise UnsafePathError(f"patch name {name!r} escapes the directory", series, number)
        candidates = [directory / name]
        if not name.endswith((".patch", ".diff")):
            candidates.append(directory / f"{name}.patch")
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            raise _not_a_file(name, candidates, series, number)
        if not found.resolve().is_relative_to(root):
            raise UnsafePathError(f"patch {name!r} leads out of the directory", series, number)
        quilt_name = name.removesuffix(".patch").removesuffix(".diff")
        yield Entry(quilt_name, found, strip)


def _strip_level(options: list[str], series: Path, line: int) -> int:
    """The -p level the options of a series line give (1 without one); -R is allowed."""
    strip = 1
    words = iter(options)
    for word in words:
        match = _OPTION_P.match(word)
        if match:
            strip = int(match.group(1))
        elif word == "-p" and (value := next(words, "")).isdigit():
            strip = int(value)
        elif word != "-R":
            raise SeriesError(f"unknown quilt option {word!r}", series, line)
    return strip


def _not_a_file(name: str, candidates: list[Path], series: Path, line: int) -> ToolkitError:
    """The error for a series entry none of whose `candidates` is a readable file."""
    for candidate in candidates:
        if candidate.is_dir():
            return SeriesError(f"series names {name!r}, which is a directory", series, line)
        if candidate.is_symlink():
            # exists() is False for both, and the OS tells them apart only by errno
            why = "a symbolic link that leads nowhere (dangling, or a loop)"
            return MissingInputError(f"series names {name!r}, {why}", series, line)
    return MissingInputError(f"series names {name!r}, which does not exist", series, line)
