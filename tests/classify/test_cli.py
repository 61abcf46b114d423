"""`rfp audit` on the command line: formats, exit codes and bad input."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from toolkit.cli import main

DATA = Path(__file__).resolve().parent / "data"


def test_clean_series_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    """A series without errors exits 0 and prints the table."""
    assert main(["audit", str(DATA / "good")]) == 0
    assert "02  refuse rights beyond the VMA's" in capsys.readouterr().out


def test_error_finding_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    """An error finding makes the exit status 1 by default."""
    assert main(["audit", str(DATA / "use-before-define")]) == 1
    assert "error: use-before-define" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("fail_on", "status"), [("info", 1), ("warning", 0), ("error", 0), ("never", 0)]
)
def test_fail_on_threshold(fail_on: str, status: int, capsys: pytest.CaptureFixture[str]) -> None:
    """--fail-on compares the worst finding (here an info) with the threshold."""
    assert main(["audit", str(DATA / "good"), "--fail-on", fail_on]) == status


def test_never_ignores_errors(capsys: pytest.CaptureFixture[str]) -> None:
    """--fail-on never exits 0 even with an error finding."""
    assert main(["audit", str(DATA / "inconsistent"), "--fail-on", "never"]) == 0


def test_json_format(capsys: pytest.CaptureFixture[str]) -> None:
    """--format json prints one rfp-audit/1 object."""
    assert main(["audit", str(DATA / "good"), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "rfp-audit/1"
    assert [p["number"] for p in data["patches"]] == [1, 2]


def test_stat(capsys: pytest.CaptureFixture[str]) -> None:
    """--stat prints files and +/- per patch with a total line."""
    assert main(["audit", "--stat", str(DATA / "good")]) == 0
    out = capsys.readouterr().out
    assert "   mm/fremap.c | +5 -0" in out
    assert out.rstrip().endswith("2 patches, 4 file changes, 11 insertions(+), 3 deletions(-)")


def test_bad_rules_file_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A rules file with an unknown class is one `rfp: error: path:line:` line and exit 2."""
    rules = tmp_path / "rules.toml"
    rules.write_text('classes = ["a"]\n\n[[rule]]\nid = "r1"\nclass = "b"\npaths = ["*"]\n')
    assert main(["audit", str(DATA / "good"), "--rules", str(rules)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"rfp: error: {rules}:4: rule r1: class 'b' not in classes"]


def test_bad_patch_is_one_error_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A truncated hunk is reported by the reader as one error line naming file and line."""
    bad = tmp_path / "bad.diff"
    bad.write_text("--- a/x.c\n+++ b/x.c\n@@ -1,1 +1,5 @@\n a\n+b\n")
    assert main(["audit", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"rfp: error: {bad}:")


def test_missing_manifest(capsys: pytest.CaptureFixture[str]) -> None:
    """A --manifest that does not exist is one error line."""
    assert main(["audit", str(DATA / "good"), "--manifest", "/nonexistent.toml"]) == 2
    assert capsys.readouterr().err.strip() == (
        "rfp: error: /nonexistent.toml: no such file or directory"
    )


def test_custom_rules_replace_the_bundled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --rules, only that file's rules classify; unmatched hunks are `other`."""
    rules = tmp_path / "rules.toml"
    rules.write_text(
        'classes = ["header"]\n\n[[rule]]\nid = "h"\nclass = "header"\npaths = ["*.h"]\n'
    )
    assert main(["audit", str(DATA / "good"), "--rules", str(rules), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [p["classes"] for p in data["patches"]] == [["header"], ["other"]]


def test_manifest_drift_fixture(capsys: pytest.CaptureFixture[str]) -> None:
    """A manifest the series drifted from gives one warning per kind of drift."""
    manifest = DATA / "manifest-drift.toml"
    args = ["audit", str(DATA / "good"), "--manifest", str(manifest), "--format", "json"]
    assert main([*args, "--fail-on", "warning"]) == 1
    found = json.loads(capsys.readouterr().out)["findings"]
    drift = sorted((f["code"], f["patch"]) for f in found if f["code"].startswith("manifest"))
    assert drift == [
        ("manifest-classes", 2),
        ("manifest-files", 1),
        ("manifest-missing", None),
        ("manifest-reordered", 2),
    ]
    assert main(args) == 0, "drift is a warning: the default --fail-on error passes"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        check=True,
        capture_output=True,
    )


def test_git_range(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--git REPO --range A..B audits the commits of a range, in text and in --stat mode."""
    mm_h = tmp_path / "include" / "linux" / "mm.h"
    mm_h.parent.mkdir(parents=True)
    mm_h.write_text("#define VM_NONLINEAR\t0x00800000\n")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "base")
    mm_h.write_text("#define VM_NONLINEAR\t0x00800000\n#define VM_NONUNIFORM\t0x01000000\n")
    _git(tmp_path, "commit", "-q", "-am", "mm: add VM_NONUNIFORM")
    args = ["audit", "--git", str(tmp_path), "--range", "HEAD~1..HEAD", "--format", "json"]
    assert main(args) == 0
    (patch,) = json.loads(capsys.readouterr().out)["patches"]
    assert (patch["subject"], patch["classes"]) == ("mm: add VM_NONUNIFORM", ["vma-flags"])
    assert main([*args, "--stat"]) == 0
    (counted,) = json.loads(capsys.readouterr().out)["patches"]
    assert counted["files"] == [{"path": "include/linux/mm.h", "insertions": 1, "deletions": 0}]


def test_git_needs_a_range(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--git without --range is one error line and exit 2."""
    assert main(["audit", "--git", str(tmp_path)]) == 2
    assert "--git REPO and --range A..B go together" in capsys.readouterr().err


def test_parse_all_reads_every_hunk_with_tree_sitter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A struct field no rule concerns is a parsed definition only with --parse-all."""
    (tmp_path / "field.patch").write_text(
        "Subject: [PATCH] demo: add a field\n\n---\n--- a/fs/demo.c\n+++ b/fs/demo.c\n"
        "@@ -1,3 +1,4 @@\n struct demo {\n \tint old_field;\n+\tint new_field;\n };\n"
    )
    assert main(["audit", "-v", str(tmp_path)]) == 0
    quick = capsys.readouterr().out
    assert main(["audit", "-v", "--parse-all", str(tmp_path)]) == 0
    parsed = capsys.readouterr().out
    assert "defines new_field" in parsed
    assert "defines new_field" not in quick
    assert "01  demo: add a field  other" in quick and "01  demo: add a field  other" in parsed
