"""`rfp verify` through toolkit.cli.main: tables, JSON keys and exit statuses."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from toolkit.cli import main
from toolkit.paths import PATCHES
from toolkit.verify.records import CHECKS, Check, Outcome, Report, Result, Source
from toolkit.verify.run import exit_status

REPORT_KEYS = {
    "arch",
    "source",
    "where",
    "generated",
    "pte_bits",
    "legacy_max_bits",
    "max_bits",
    "ok",
    "failed",
    "finding",
    "seconds",
    "rate",
    "checks",
}


def test_json_keys(capsys: pytest.CaptureFixture[str]) -> None:
    """--format json: one report per layout of the arch, each with the documented keys."""
    status = main(["verify", "i386", "--no-c", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"reports", "skipped", "generated_failures", "findings"}
    assert [r["source"] for r in data["reports"]] == ["legacy", "2005", "solver"]
    for report in data["reports"]:
        assert set(report) == REPORT_KEYS
        assert set(report["checks"]) == {c.value for c in CHECKS}
        for check in report["checks"].values():
            assert set(check) == {"outcome", "detail", "counterexample"}
    present = data["reports"][1]["checks"]["present"]
    assert present["outcome"] == "failed"
    assert set(present["counterexample"]) == {"offset", "pgprot", "prot_names", "pte", "got"}
    assert data["generated_failures"] == 0 and status == 0


def test_table_and_strict(capsys: pytest.CaptureFixture[str]) -> None:
    """The table names each layout; a 2005 defect is a finding: exit 0, or 1 with --strict."""
    assert main(["verify", "i386", "--no-c"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:4] == ["arch", "layout", "PTE", "max"]
    assert "i386  2005" in out and "29 -> 28" in out
    assert "i386 2005 present: offset 0x0" in out
    assert main(["verify", "i386", "--no-c", "--strict"]) == 1


def test_solver_only_all_arches_exit_zero(capsys: pytest.CaptureFixture[str]) -> None:
    """--all --layout solver: every generated encoding passes, so the exit status is 0."""
    assert main(["verify", "--all", "--layout", "solver", "--no-c"]) == 0
    out = capsys.readouterr().out
    assert "generated encodings failing: 0 of" in out


def test_2005_port_losing_nx_is_a_finding(capsys: pytest.CaptureFixture[str]) -> None:
    """--layout 2005 on x86_64: keeps fails with NX lost, a finding (exit 0, 1 with --strict)."""
    assert main(["verify", "x86_64", "--layout", "2005", "--no-c"]) == 0
    out = capsys.readouterr().out
    (line,) = [x for x in out.splitlines() if x.startswith("  x86_64 2005 keeps: ")]
    assert "(NX)" in line and line.endswith("lost NX")
    assert main(["verify", "x86_64", "--layout", "2005", "--no-c", "--strict"]) == 1
    assert main(["verify", "x86_64", "--layout", "solver", "--no-c", "--strict"]) == 0


def test_unknown_arch_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """An arch archs/ lacks: exit 2 and one error line naming it."""
    assert main(["verify", "no-such-arch"]) == 2
    assert "no-such-arch" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")
def test_series_on_bundled_patches(capsys: pytest.CaptureFixture[str]) -> None:
    """--series patches/: the i386 port's present check fails; a finding, so --strict exits 1."""
    if not (PATCHES / "series").exists():
        pytest.skip("no bundled series")
    assert main(["verify", "--series", str(PATCHES)]) == 0
    out = capsys.readouterr().out
    assert "include/asm-i386/pgtable-2level.h present:" in out
    assert main(["verify", "--series", str(PATCHES), "--strict"]) == 1


def test_generated_failure_exits_one() -> None:
    """A failing solver layout exits 1 even without --strict; a swap finding about the arch not."""
    failed = Result(Check.PGOFF, Outcome.FAILED)
    swap = Result(Check.SWAP, Outcome.FAILED)
    solver = Report("x", Source.SOLVER, 32, 29, 28, (failed,), 0.0)
    arch_fact = Report("x", Source.SOLVER, 32, 29, 28, (swap,), 0.0)
    legacy = Report("x", Source.LEGACY, 32, 29, 29, (failed,), 0.0)
    assert exit_status((solver,), strict=False) == 1
    assert exit_status((arch_fact, legacy), strict=False) == 0
    assert exit_status((arch_fact,), strict=True) == 1


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")
def test_headers_tree_without_file_pte_macros(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--headers on a tree whose headers define no file-PTE macro: exit 2 and say so."""
    header = tmp_path / "include/asm-i386/pgtable-2level.h"
    header.parent.mkdir(parents=True)
    header.write_text("#define SOMETHING_ELSE 1\n")
    assert main(["verify", "--headers", str(tmp_path)]) == 2
    assert "no file-PTE macros" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")
def test_headers_tree_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--headers --format json: one `headers` report for the arch whose header has the macros."""
    header = tmp_path / "include/asm-um/pgtable-2level.h"
    header.parent.mkdir(parents=True)
    # um's legacy layout as archs/um.toml describes it: offset from bit 4, FILE (bit 3) set.
    header.write_text(
        "#define PTE_FILE_MAX_BITS 28\n"
        "#define pte_to_pgoff(pte) (pte_val(pte) >> 4)\n"
        "#define pgoff_to_pte(off) ((pte_t) { ((off) << 4) + _PAGE_FILE })\n"
    )
    assert main(["verify", "um", "--headers", str(tmp_path), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    (report,) = data["reports"]
    assert report["source"] == "headers" and report["max_bits"] == 28
    assert report["checks"]["pgprot"]["outcome"] == "n/a"
    assert report["checks"]["pgoff"]["outcome"] == "proven"
