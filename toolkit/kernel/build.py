"""Build the C runner on demand with the system cc into a cache directory keyed by its source."""

from __future__ import annotations

import platform
import shutil
from pathlib import Path

from toolkit.cbuild import binary_path, cache_dir, compile_to
from toolkit.errors import ExternalToolError

__all__ = ["CFLAGS", "SOURCE", "cache_dir", "runner_path", "scratch_dir", "unavailable"]

SOURCE = Path(__file__).resolve().parent / "runner.c"
CFLAGS = ("-O2", "-Wall", "-Wextra", "-Werror")


def unavailable() -> str | None:
    """Why the runner cannot run on this machine, or None when it can."""
    if platform.system() != "Linux":
        return f"the kernel runner needs Linux, this is {platform.system() or 'unknown'}"
    if shutil.which("cc") is None:
        return "no C compiler: `cc` is not on PATH"
    return None


def runner_path() -> Path:
    """The compiled runner, built first if this source has not been built yet."""
    target = binary_path(SOURCE, "runner", CFLAGS)
    if target.exists():
        return target
    why = unavailable()
    if why is not None:
        raise ExternalToolError(why, SOURCE)
    return compile_to(SOURCE, target, CFLAGS)


def scratch_dir() -> Path:
    """A disk-backed directory for the runner's files (tmpfs has no swap here)."""
    candidates = [cache_dir() / "scratch", Path("/var/tmp")]
    for place in candidates:
        try:
            place.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if not _on_tmpfs(place):
            return place
    raise ExternalToolError(
        "no disk-backed directory for the runner's files (all are tmpfs)", candidates[0]
    )


def _on_tmpfs(path: Path) -> bool:
    """Whether `path` lies on tmpfs or ramfs, by the longest matching /proc/mounts entry."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return False
    real = str(path.resolve())
    best, kind = "", ""
    for line in mounts:
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1]
        inside = real == point or real.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fields[2]
    return kind in ("tmpfs", "ramfs")
