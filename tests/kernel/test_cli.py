"""`rfp model diff-kernel` through toolkit.cli.main()."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.kernel.needs import needs_kernel
from tests.kernel.test_diff import POPULATE_COW
from toolkit.cli import main


@needs_kernel
def test_random_campaign_summary(capsys: pytest.CaptureFixture[str]) -> None:
    """--random N --seed S compares N scenarios and exits 0 when all agree."""
    assert main(["model", "diff-kernel", "--random", "25", "--seed", "4"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1].startswith("compared 25 scenarios (")
    assert out[-1].endswith("25 agree, 0 diverge, 0 skipped")


@needs_kernel
def test_divergence_exits_1_and_writes_the_reproducer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A diverging file: exit 1, the op named, the shrunk scenario written where --repro says."""
    source = tmp_path / "populate.toml"
    source.write_text(POPULATE_COW)
    out = tmp_path / "small.toml"
    assert main(["model", "diff-kernel", str(source), "--repro", str(out)]) == 1
    text = capsys.readouterr().out
    assert "populate: DIVERGES at op 6 (line 33) read p+1: emulation model 77, kernel 1" in text
    assert f"shrunk reproducer: 3 ops, written to {out}" in text
    assert out.exists()


@needs_kernel
def test_uml_pattern_table(capsys: pytest.CaptureFixture[str]) -> None:
    """--uml PAGES prints each side's VMA count; below the limit nobody stops."""
    assert main(["model", "diff-kernel", "--uml", "64"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = {line.split("  ")[0].strip(): line.split() for line in lines[3:]}
    assert rows["patched model"][2:4] == ["1", "64"]
    assert rows["emulation model"][2:4] == ["64", "64"]
    assert rows["kernel"][1:3] == ["64", "64"]


def test_bad_random_count_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """A campaign of no scenarios is a usage error."""
    assert main(["model", "diff-kernel", "--uml", "0"]) == 2
    assert "at least one page" in capsys.readouterr().err


def test_without_a_kernel_runner_exits_2_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Where the runner cannot run, the comparison says why and exits 2, printing no report."""
    from toolkit.kernel import command

    monkeypatch.setattr(command, "unavailable", lambda: "the kernel runner needs Linux, this is X")
    assert main(["model", "diff-kernel", "--random", "3"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().endswith("runner.c: the kernel runner needs Linux, this is X")


def test_uml_without_a_kernel_runner_still_runs_the_models(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--uml without a runner: both models run with the default limit, the kernel row says why."""
    from toolkit.kernel import uml

    monkeypatch.setattr(uml, "unavailable", lambda: "no C compiler: `cc` is not on PATH")
    assert main(["model", "diff-kernel", "--uml", "8"]) == 0
    out = capsys.readouterr().out
    assert "vm.max_map_count 65530 (the default; no kernel runner)" in out
    assert "not run: no C compiler" in out
    assert "emulation model         8         8  -" in out
