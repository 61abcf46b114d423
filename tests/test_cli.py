"""The command line's shared behaviour: help, version, errors and exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from toolkit.cli import main

SUBCOMMANDS = ("audit", "series", "port", "encode", "decode", "verify", "model")


def test_help_lists_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    """`rfp --help` names each subcommand."""
    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    for name in SUBCOMMANDS:
        assert name in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    """`rfp --version` prints the package version."""
    from toolkit import __version__

    with pytest.raises(SystemExit):
        main(["--version"])
    assert __version__ in capsys.readouterr().out


def test_missing_input_is_one_error_line(capsys: pytest.CaptureFixture[str]) -> None:
    """A missing input path gives one `rfp: error:` line naming it and exit status 2."""
    assert main(["audit", "/nonexistent"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["rfp: error: /nonexistent: no such file or directory"]


def test_debug_shows_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    """`--debug` adds the traceback before the error line."""
    assert main(["--debug", "audit", "/nonexistent"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err
    assert err.strip().endswith("rfp: error: /nonexistent: no such file or directory")


def test_module_entry_point() -> None:
    """`python -m toolkit` runs the same command line."""
    done = subprocess.run(
        [sys.executable, "-m", "toolkit", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert done.stdout.startswith("rfp-toolkit ")


def test_symlink_loop_is_named_as_such(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A symbolic link loop given as input is one error line saying the link cannot be resolved."""
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    assert main(["series", str(loop)]) == 2
    assert capsys.readouterr().err == f"rfp: error: {loop}: cannot resolve symbolic link\n"
