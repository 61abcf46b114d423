"""The C runner is built on demand with cc, into the cache directory, keyed by its source."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.kernel.needs import needs_kernel
from toolkit.errors import ExternalToolError
from toolkit.kernel import build


def test_cache_dir_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """$XDG_CACHE_HOME/rfp-toolkit when set, ~/.cache/rfp-toolkit otherwise."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert build.cache_dir() == tmp_path / "rfp-toolkit"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert build.cache_dir() == tmp_path / "home" / ".cache" / "rfp-toolkit"


def test_unavailable_names_the_missing_compiler(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without cc on PATH the reason says so, and no build is tried."""
    monkeypatch.setattr(build.platform, "system", lambda: "Linux")
    monkeypatch.setattr(build.shutil, "which", lambda name: None)
    assert build.unavailable() == "no C compiler: `cc` is not on PATH"
    monkeypatch.setattr(build.platform, "system", lambda: "Darwin")
    assert "needs Linux" in (build.unavailable() or "")


@needs_kernel
def test_build_once_per_source(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The first call compiles into the cache; the next one reuses the same binary."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = build.runner_path()
    assert first.parent == tmp_path / "rfp-toolkit" and first.name.startswith("runner-")
    stamp = first.stat().st_mtime_ns
    assert build.runner_path() == first and first.stat().st_mtime_ns == stamp
    assert [p.name for p in first.parent.iterdir()] == [first.name]


@needs_kernel
def test_compile_error_is_an_external_tool_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A source cc rejects raises ExternalToolError naming cc's first message; no binary stays."""
    broken = tmp_path / "runner.c"
    broken.write_text("int main(void) { return missing; }\n")
    monkeypatch.setattr(build, "SOURCE", broken)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with pytest.raises(ExternalToolError, match="cc failed"):
        build.runner_path()
    assert not list((tmp_path / "cache" / "rfp-toolkit").iterdir())


@needs_kernel
def test_runner_rejects_bad_input_with_exit_2() -> None:
    """An unknown operation or a missing argument: a message with the line on stderr, exit 2."""
    binary = str(build.runner_path())
    scratch = str(build.scratch_dir())
    for text, message in (
        ("bogus\n", "line 1: unknown operation 'bogus'"),
        ("file f 2 index rw\nmmap m f\n", "line 2: missing pages"),
        ("read nowhere 0\n", "line 1: no mapping named 'nowhere'"),
    ):
        done = subprocess.run([binary, scratch], input=text, capture_output=True, text=True)
        assert done.returncode == 2
        assert message in done.stderr


@needs_kernel
def test_runner_refuses_tmpfs() -> None:
    """A tmpfs directory is refused: its pages cannot be swapped out here."""
    shm = Path("/dev/shm")
    if not shm.is_dir() or not build._on_tmpfs(shm):
        pytest.skip("no tmpfs at /dev/shm")
    done = subprocess.run(
        [str(build.runner_path()), str(shm)], input="", capture_output=True, text=True
    )
    assert done.returncode == 2 and "not disk-backed" in done.stderr
