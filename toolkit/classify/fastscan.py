"""Build and run fastscan.c, the C scan of a `git log -p` or `git diff` for `rfp audit --stat`."""

from __future__ import annotations

import os
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path

from toolkit.cbuild import binary_path, compile_to
from toolkit.errors import ExternalToolError

SOURCE = Path(__file__).resolve().parent / "fastscan.c"
CFLAGS = ("-O2", "-Wall", "-Wextra", "-Werror")
# How many native int64 numbers follow: see the comment at the top of fastscan.c.
COUNT = struct.Struct("=q")
# fastscan's exit status when the input is not one it counts exactly (a mail, a plain diff).
NOT_MINE = 3


def scanner() -> Path | None:
    """The compiled scanner, built on first use; None when there is no cc or the build fails."""
    try:
        target = binary_path(SOURCE, "fastscan", CFLAGS)
        if target.exists():
            return target
        if shutil.which("cc") is None:
            return None
        return compile_to(SOURCE, target, CFLAGS)
    except (ExternalToolError, OSError):
        return None


@dataclass(frozen=True, slots=True)
class Scan:
    """fastscan's output: per message its offsets and per file header its counts; the names."""

    numbers: tuple[int, ...]  # first line, subject end, end, files; then +, old, new per file
    names: tuple[str, ...]  # one per file header, as written, decoded with surrogateescape


def _run(program: Path, path: Path) -> bytes | None:
    """The program's stdout, or None when it cannot start or exits non-zero."""
    # posix_spawn and a pipe: the subprocess module alone costs `rfp audit --stat` 2 ms.
    reader, writer = os.pipe()
    try:
        pid = os.posix_spawn(
            program,
            [str(program), str(path)],
            os.environ,
            file_actions=[(os.POSIX_SPAWN_DUP2, writer, 1), (os.POSIX_SPAWN_CLOSE, reader)],
        )
    except OSError:
        os.close(reader)
        return None
    finally:
        os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        out = pipe.read()
    _, status = os.waitpid(pid, 0)
    return out if os.waitstatus_to_exitcode(status) == 0 else None


def records(path: Path) -> Scan | None:
    """What fastscan found in the file at `path`, or None when the Python scan must read it."""
    program = scanner()
    if program is None:
        return None
    out = _run(program, path)
    if out is None or len(out) < COUNT.size:
        return None
    (count,) = COUNT.unpack_from(out)
    end = COUNT.size * (count + 1)
    if len(out) < end:
        return None
    numbers = tuple(memoryview(out)[COUNT.size : end].cast("q"))
    # Names hold no newline (fastscan ends each at one), and UTF-8 resynchronises at each.
    names = out[end:].decode("utf-8", "surrogateescape").split("\n")[:-1]
    return Scan(numbers, tuple(names))
