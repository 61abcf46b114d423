"""Compile one of our own C sources with the system cc, once, into a cache directory keyed by it."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from toolkit.errors import ExternalToolError


def cache_dir() -> Path:
    """$XDG_CACHE_HOME/rfp-toolkit, or ~/.cache/rfp-toolkit."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rfp-toolkit"


def binary_path(source: Path, stem: str, cflags: tuple[str, ...]) -> Path:
    """Where the binary of this exact source and these flags lives (it may not be built yet)."""
    key = hashlib.sha256(source.read_bytes() + " ".join(cflags).encode()).hexdigest()[:16]
    return cache_dir() / f"{stem}-{key}"


def compile_to(source: Path, target: Path, cflags: tuple[str, ...]) -> Path:
    """Build `source` into `target` with cc; ExternalToolError with cc's first line on failure."""
    # Imported here: a cached binary's users (`rfp audit --stat`) skip the module's cost.
    import subprocess

    target.parent.mkdir(parents=True, exist_ok=True)
    # Built under a private name and renamed, so a concurrent build never runs half a binary.
    tmp = target.with_name(f".{target.name}.{os.getpid()}")
    done = subprocess.run(
        ["cc", *cflags, "-o", str(tmp), str(source)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        tmp.unlink(missing_ok=True)
        first = (done.stderr.strip().splitlines() or ["no message"])[0]
        raise ExternalToolError(f"cc failed: {first}", source)
    os.replace(tmp, target)
    return target
