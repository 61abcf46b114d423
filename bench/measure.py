"""Run a command under bench/rusage.c and take its wall time and peak memory (wait4 rusage)."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
LAUNCHER_SOURCE = HERE / "rusage.c"


@dataclass(frozen=True, slots=True)
class Run:
    """One run of a command: wall seconds, its peak resident set, exit status, stdout."""

    wall: float
    maxrss_kib: int
    status: int
    stdout: bytes


class CommandFailed(RuntimeError):
    """A measured command exited with an unexpected status."""


def launcher(work: Path = HERE / "work") -> Path:
    """The rusage launcher compiled into `work`, rebuilt when its source is newer."""
    binary = work / "rusage"
    if binary.is_file() and binary.stat().st_mtime >= LAUNCHER_SOURCE.stat().st_mtime:
        return binary
    work.mkdir(parents=True, exist_ok=True)
    built = subprocess.run(
        ["cc", "-O2", "-Wall", "-o", str(binary), str(LAUNCHER_SOURCE)],
        stderr=subprocess.PIPE,
        text=True,
    )
    if built.returncode != 0:
        raise CommandFailed(f"cc {LAUNCHER_SOURCE.name}: {built.stderr.strip()}")
    return binary


def run_once(
    argv: Sequence[str],
    out: Path,
    *,
    cwd: Path | None = None,
    ok: Sequence[int] = (0,),
) -> Run:
    """Run `argv` once with stdout to `out` (stderr next to it) and return its figures."""
    out.parent.mkdir(parents=True, exist_ok=True)
    errors = out.with_suffix(".stderr")
    fd, result = tempfile.mkstemp(prefix="rusage-", dir=out.parent)
    os.close(fd)
    try:
        with out.open("wb") as sink, errors.open("wb") as err:
            subprocess.run(
                [str(launcher()), result, *argv],
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=err,
                cwd=cwd,
            )
        figures = Path(result).read_text().split()
    finally:
        Path(result).unlink(missing_ok=True)
    if len(figures) != 3:
        raise CommandFailed(f"{Path(argv[0]).name}: no figures from the launcher")
    wall, maxrss, status = float(figures[0]), int(figures[1]), int(figures[2])
    if status not in ok:
        said = errors.read_text(errors="replace").strip().splitlines()
        last = said[-1] if said else "no message"
        raise CommandFailed(f"{Path(argv[0]).name} exited {status}: {last}")
    # ru_maxrss is in KiB on Linux.
    return Run(wall, maxrss, status, out.read_bytes())


def run_many(
    argv: Sequence[str], out: Path, runs: int, *, cwd: Path | None = None, ok: Sequence[int] = (0,)
) -> list[Run]:
    """`runs` runs of `argv`, one after the other."""
    return [run_once(argv, out, cwd=cwd, ok=ok) for _ in range(runs)]


def drop_caches() -> bool:
    """Empty the page cache (root only), so the next start reads from disk; False if not allowed."""
    try:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as knob:
            knob.write("3\n")
    except OSError:
        return False
    return True
