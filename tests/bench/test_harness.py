"""The benchmark harness reads each tool's counts and summarizes runs correctly (no timing here)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from bench.measure import CommandFailed, run_once
from bench.report import Section, not_measured, render, table, verdict
from bench.stats import (
    Counts,
    diffstat_counts,
    disagreements,
    fmt_summary,
    lsdiff_counts,
    numstat_counts,
    rates,
    rfp_counts,
    summarize,
    triple_counts,
)
from bench.workload import _write_prefix, numstat_totals, subsystem

# A two-commit `git log -p` written by hand: 3 files, +3/-2.
LOG = b"""\
commit 1111111111111111111111111111111111111111
Author: A U Thor <a@example.org>
Date:   Fri Aug 26 20:23:29 2005 +0000

    mm: first

diff --git a/mm/fremap.c b/mm/fremap.c
index 0000001..0000002 100644
--- a/mm/fremap.c
+++ b/mm/fremap.c
@@ -1,3 +1,4 @@
 a
-b
+B
+c
 d
diff --git a/mm/new.c b/mm/new.c
new file mode 100644
index 0000000..0000003
--- /dev/null
+++ b/mm/new.c
@@ -0,0 +1 @@
+x

commit 2222222222222222222222222222222222222222
Author: A U Thor <a@example.org>
Date:   Fri Aug 26 20:23:29 2005 +0000

    mm: second

diff --git a/mm/old.c b/mm/old.c
deleted file mode 100644
index 0000004..0000000
--- a/mm/old.c
+++ /dev/null
@@ -1 +0,0 @@
-y
"""


def test_summary_takes_min_median_max() -> None:
    """min/median/max come from the values whatever their order; an even count averages."""
    got = summarize([3.0, 1.0, 4.0, 2.0])
    assert (got.low, got.median, got.high, got.runs) == (1.0, 2.5, 4.0, 4)


def test_summary_refuses_no_runs() -> None:
    """An empty run list is an error, not a zero figure."""
    with pytest.raises(ValueError):
        summarize([])


def test_rates_invert_the_order() -> None:
    """The slowest run is the lowest rate."""
    got = rates(100.0, [2.0, 4.0, 5.0])
    assert (got.low, got.median, got.high) == (20.0, 25.0, 50.0)
    assert fmt_summary(got) == "20 / 25 / 50"


def test_diffstat_summary_line() -> None:
    """diffstat's last line, also when it leaves out a zero clause."""
    both = b" a | 2 +-\n 2 files changed, 4 insertions(+), 2 deletions(-)\n"
    assert diffstat_counts(both) == Counts(2, 4, 2)
    only_plus = b" 1 file changed, 1 insertion(+)\n"
    assert diffstat_counts(only_plus) == Counts(1, 1, 0)
    assert diffstat_counts(b"nothing\n") == Counts(None, None, None)


def test_numstat_skips_stat_lines_and_binaries() -> None:
    """`git apply --numstat --stat` output: tab lines count, binaries add no lines."""
    out = b"2\t1\tmm/fremap.c\n1\t0\tmm/new.c\n-\t-\tlogo.png\n mm/fremap.c | 3 ++-\n"
    assert numstat_counts(out) == Counts(3, 3, 1)


def test_lsdiff_counts_files_only() -> None:
    """lsdiff names files; it says nothing of lines."""
    assert lsdiff_counts(b"mm/a.c\nmm/b.c\n\n") == Counts(2, None, None)


def test_triple_and_rfp_formats() -> None:
    """The unidiff script's triple and both rfp audit summaries read back."""
    assert triple_counts(b"3 4 2\n") == Counts(3, 4, 2)
    stat = b"01 x\n2 patches, 3 file changes, 4 insertions(+), 2 deletions(-)\n"
    assert rfp_counts(stat) == Counts(3, 4, 2)
    full = b"series log.diff: 2 patches, +4/-2\nrules r.toml\n"
    assert rfp_counts(full) == Counts(None, 4, 2)


def test_disagreements_name_each_count() -> None:
    """A differing count is printed with its sign; a count the tool lacks is not compared."""
    truth = Counts(3, 4, 2)
    assert disagreements("t", Counts(3, 4, 2), truth) == []
    assert disagreements("t", Counts(None, 4, 2), truth) == []
    lines = disagreements("t", Counts(2, 5, 2), truth)
    assert lines == [
        "t: files 2 where git numstat says 3 (-1)",
        "t: insertions 5 where git numstat says 4 (+1)",
    ]


def test_numstat_totals_of_a_log() -> None:
    """`git log --numstat --format=%H` output: commits, files and both line totals."""
    text = "1111\n\n2\t1\tmm/fremap.c\n1\t0\tmm/new.c\n2222\n\n0\t1\tmm/old.c\n-\t-\tb.png\n"
    assert numstat_totals(text) == (2, 4, 3, 2)


def test_subsystem_groups_by_two_directories() -> None:
    """A file under two directories joins them; one directly in a top directory joins that."""
    assert subsystem("fs/ext4/inode.c") == "fs/ext4"
    assert subsystem("fs/ext4/tests/a.c") == "fs/ext4"
    assert subsystem("fs/namei.c") == "fs"


def test_prefix_cuts_at_a_commit(tmp_path: Path) -> None:
    """The small input keeps whole commits: it stops where the next commit starts."""
    log = tmp_path / "log.diff"
    log.write_bytes(LOG)
    small = tmp_path / "small.diff"
    _write_prefix(log, small, 10)
    kept = small.read_bytes()
    assert kept.count(b"\ncommit ") == 0 and kept.startswith(b"commit 1111")
    assert b"mm/new.c" in kept and b"mm/old.c" not in kept


def test_peers_agree_with_the_hand_count(tmp_path: Path) -> None:
    """Each parser reads its real tool's output on a hand-written log as 3 files, +3/-2."""
    log = tmp_path / "log.diff"
    log.write_bytes(LOG)
    script = Path(__file__).resolve().parents[2] / "bench" / "unidiff_count.py"
    got = run_once([sys.executable, str(script), str(log)], tmp_path / "out.txt")
    assert triple_counts(got.stdout) == Counts(3, 3, 2)
    assert got.maxrss_kib > 0 and got.status == 0
    peers = (
        (["diffstat", str(log)], diffstat_counts, Counts(3, 3, 2)),
        (["lsdiff", str(log)], lsdiff_counts, Counts(3, None, None)),
        (["git", "apply", "--numstat", "--stat", str(log)], numstat_counts, Counts(3, 3, 2)),
    )
    for argv, parse, want in peers:
        if shutil.which(argv[0]) is None:
            continue  # make bench installs the peers; the test only checks those present
        out = run_once(argv, tmp_path / f"{argv[0]}.txt", cwd=tmp_path)
        assert parse(out.stdout) == want, argv[0]


def test_peak_memory_is_the_childs_own(tmp_path: Path) -> None:
    """A small child of a big process reports its own peak, not the parent's (kept over exec)."""
    ballast = bytearray(256 << 20)
    ballast[:: 1 << 12] = b"\1" * len(range(0, len(ballast), 1 << 12))
    got = run_once(["true"], tmp_path / "true.txt")
    assert got.maxrss_kib < 64 << 10, got.maxrss_kib
    assert ballast[0] == 1


def test_failed_command_says_why(tmp_path: Path) -> None:
    """A failing child raises with its last stderr line, so RESULTS.md can say why."""
    with pytest.raises(CommandFailed, match="boom"):
        run_once([sys.executable, "-c", "import sys; sys.exit('boom')"], tmp_path / "o.txt")


def test_report_renders_sections_and_gaps() -> None:
    """RESULTS.md has the machine, each section, and a missing part's reason."""
    from datetime import UTC, datetime

    rows = table(["a", "b"], [["1", not_measured("model", "no module")]])
    text = render([Section("4. Model", tuple(rows))], datetime.now(UTC), ["- extra"])
    assert "## Machine" in text and f"{os.cpu_count()} logical cores" in text
    assert "## 4. Model" in text and "| a | b |" in text
    assert "not measured: model not available (no module)" in text
    assert verdict(2.0, 1.0) == "met" and verdict(2.0, 1.0, at_least=False) != "met"
