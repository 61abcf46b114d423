"""Run a command as a child and take its wall time and peak memory from the kernel (wait4)."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Run:
    """One run of a command: wall seconds, the child's peak resident set, exit status, stdout."""

    wall: float
    maxrss_kib: int
    status: int
    stdout: bytes


class CommandFailed(RuntimeError):
    """A measured command exited with an unexpected status."""


def run_once(
    argv: Sequence[str],
    out: Path,
    *,
    stdin: Path | None = None,
    cwd: Path | None = None,
    ok: Sequence[int] = (0,),
) -> Run:
    """Run `argv` once with stdout to `out`; its own rusage comes from wait4, not our children's."""
    out.parent.mkdir(parents=True, exist_ok=True)
    errors = out.with_suffix(".stderr")
    with out.open("wb") as sink, errors.open("wb") as err:
        source = stdin.open("rb") if stdin is not None else subprocess.DEVNULL
        try:
            start = time.perf_counter()
            child = subprocess.Popen(argv, stdin=source, stdout=sink, stderr=err, cwd=cwd)
            _, raw, usage = os.wait4(child.pid, 0)
            wall = time.perf_counter() - start
            # Popen must not wait on the pid again: wait4 has already reaped it.
            child.returncode = os.waitstatus_to_exitcode(raw)
        finally:
            if stdin is not None and not isinstance(source, int):
                source.close()
    status = child.returncode
    if status not in ok:
        said = errors.read_text(errors="replace").strip().splitlines()
        last = said[-1] if said else "no message"
        raise CommandFailed(f"{Path(argv[0]).name} exited {status}: {last}")
    # ru_maxrss is in KiB on Linux.
    return Run(wall, usage.ru_maxrss, status, out.read_bytes())


def run_many(argv: Sequence[str], out: Path, runs: int, **kw: object) -> list[Run]:
    """`runs` runs of `argv`, one after the other."""
    return [run_once(argv, out, **kw) for _ in range(runs)]  # type: ignore[arg-type]


def drop_caches() -> bool:
    """Empty the page cache (root only), so the next start reads from disk; False if not allowed."""
    try:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as knob:
            knob.write("3\n")
    except OSError:
        return False
    return True
