"""`rfp model run` and `rfp model bisect` through toolkit.cli.main()."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolkit.cli import main
from toolkit.scenario.files import SUITE


def test_run_suite_text(capsys: pytest.CaptureFixture[str]) -> None:
    """With no file the bundled suite runs and every run passes."""
    assert main(["model", "run"]) == 0
    out = capsys.readouterr().out
    assert "runs: " in out and " 0 failed" in out
    assert "PASS" in out and "test3-protnone-not-in-core.toml [i386, patches 1-16]" in out


def test_run_json_and_emulate(capsys: pytest.CaptureFixture[str]) -> None:
    """JSON output carries every op with what it gave and expected."""
    path = str(SUITE / "test2-nonuniform-default.toml")
    assert main(["model", "run", path, "--emulate", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (run,) = doc["runs"]
    assert run["emulated"] and run["passed"]
    assert run["ops"][-1]["got"] == "2"


def test_run_failing_patch_set_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    """A run with a failing scenario exits 1 and says which op failed."""
    path = str(SUITE / "test3-protnone-not-in-core.toml")
    assert main(["model", "run", path, "--patches", "1-7"]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "LIVELOCK" in out and "(expected SIGSEGV)" in out


def test_bisect_names_patch_08(capsys: pytest.CaptureFixture[str]) -> None:
    """`rfp model bisect` on scenario (3) names patch 08."""
    assert main(["model", "bisect", str(SUITE / "test3-protnone-not-in-core.toml")]) == 0
    out = capsys.readouterr().out
    assert "first patch that makes it pass: 08 rfp-add-vm_fault_sigsegv" in out


def test_bad_scenario_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A bad scenario file is one error line with file and line, exit 2, no report."""
    bad = tmp_path / "bad.toml"
    bad.write_text('[[op]]\ndo = "read"\n')
    assert main(["model", "run", str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == f"rfp: error: {bad}:1: read: needs 'at', the name of a mapping"


def test_bad_patch_spec_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown patch number is a usage error."""
    assert main(["model", "run", "--patches", "1-30"]) == 2
    assert "outside 1-18" in capsys.readouterr().err


def test_unknown_mapping_exits_2_at_the_op_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An op naming a mapping that was never made fails at run time, at its line."""
    bad = tmp_path / "late.toml"
    bad.write_text(
        '[setup]\nfiles = [{ name = "f", pages = 2 }]\n\n[[op]]\ndo = "read"\nat = "w"\n'
    )
    assert main(["model", "run", str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{bad}:4: read: no mapping named 'w'" in captured.err


def test_run_a_directory_on_two_arches(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A directory stands for its scenario files; each runs once per arch asked for."""
    for name in ("test2-nonuniform-default.toml", "test4-offset-and-prot.toml"):
        (tmp_path / name).write_text((SUITE / name).read_text())
    assert main(["model", "run", str(tmp_path), "--arch", "x86_64"]) == 0
    out = capsys.readouterr().out
    assert out.count("PASS ") == 2 and "[x86_64, patches 1-16]" in out


def test_run_with_the_2005_hand_port(capsys: pytest.CaptureFixture[str]) -> None:
    """--layout 2005 models patch 01 as ported by hand, where the arch had a port."""
    path = str(SUITE / "test4-offset-and-prot.toml")
    assert main(["model", "run", path, "--layout", "2005"]) == 0
    out = capsys.readouterr().out
    assert "PASS" in out and "[i386, patches 1-16, 01 as ported in 2005]" in out
    assert main(["model", "run", "--layout", "2005", "--arch", "alpha"]) == 2
    assert "no '2005' file-PTE layout" in capsys.readouterr().err


def test_not_portable_arch_is_reported_apart(capsys: pytest.CaptureFixture[str]) -> None:
    """An arch without a solver layout is 'not portable: <the solver's reason>', exit 0."""
    from toolkit.arch import load_arch

    path = str(SUITE / "test2-nonuniform-default.toml")
    assert main(["model", "run", path, "--arch", "sh64"]) == 0
    out = capsys.readouterr().out
    assert f"not portable: {load_arch('sh64').unsolved}" in out
    assert out.rstrip().endswith("1 runs: 0 passed, 1 not portable, 0 failed")


def test_declared_difference_is_reported_apart(capsys: pytest.CaptureFixture[str]) -> None:
    """A run that misses expectations by a limit both files declare is DIFF, not FAIL."""
    path = str(SUITE / "test2-nonuniform-default.toml")
    assert main(["model", "run", path, "--arch", "m68k-sun3", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (run,) = doc["runs"]
    assert run["outcome"] == "differs" and not run["passed"]
    assert run["limits"][0].startswith("prot_none: ")
    assert (doc["differ"], doc["failed"]) == (1, 0)
    assert main(["model", "run", path, "--arch", "m68k-sun3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("DIFF ") and "  declared arch limit prot_none: " in out
    assert "(expected SIGSEGV)" in out and " FAIL " not in out
    assert "1 differ by a declared arch limit, 0 failed" in out
