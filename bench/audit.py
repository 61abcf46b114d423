"""Benchmarks 1 and 2: `rfp audit` throughput against the peer tools, and its cold start."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.measure import CommandFailed, Run, drop_caches, run_once
from bench.report import Section, not_measured, table, verdict
from bench.stats import (
    Counts,
    diffstat_counts,
    disagreements,
    fmt,
    fmt_summary,
    lsdiff_counts,
    numstat_counts,
    rates,
    rfp_counts,
    summarize,
    triple_counts,
)
from bench.workload import Input, say

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Goals of issue 9, as a ratio of the tool's median MB/s to diffstat's.
GOALS = {"rfp audit --stat": 2.0, "rfp audit": 0.25}
# Peak memory counts as flat when the full input needs at most this much more than its prefix.
FLAT = 1.5
COLD_GOAL = 0.5
# Tools faster than this per run get two extra runs: they cost little and steady the median.
QUICK = 5.0


@dataclass(frozen=True, slots=True)
class Tool:
    """One program that reads the diff, and how to read its counts back."""

    name: str
    argv: Callable[[Path], list[str]]
    counts: Callable[[bytes], Counts]
    ok: tuple[int, ...] = (0,)


def _rfp() -> str:
    return str(Path(sys.executable).with_name("rfp"))


TOOLS = (
    Tool("diffstat", lambda d: ["diffstat", str(d)], diffstat_counts),
    Tool("lsdiff", lambda d: ["lsdiff", str(d)], lsdiff_counts),
    Tool(
        "git apply --numstat",
        lambda d: ["git", "apply", "--numstat", "--stat", str(d)],
        numstat_counts,
    ),
    Tool(
        "unidiff alone",
        lambda d: [sys.executable, str(HERE / "unidiff_count.py"), str(d)],
        triple_counts,
    ),
    Tool("rfp audit --stat", lambda d: [_rfp(), "audit", "--stat", str(d)], rfp_counts, (0, 1)),
    Tool("rfp audit", lambda d: [_rfp(), "audit", "--fail-on", "never", str(d)], rfp_counts),
)


def _measure(tool: Tool, diff: Path, out: Path) -> Run | str:
    """One run of `tool` on `diff`, or why it failed."""
    # git apply must not find a repository around it: it would then read the index.
    with tempfile.TemporaryDirectory(prefix="rfp-bench-") as outside:
        try:
            return run_once(tool.argv(diff), out, cwd=Path(outside), ok=tool.ok)
        except (CommandFailed, OSError) as exc:
            return str(exc)


def _rounds(diff: Path, work: Path, runs: int) -> dict[str, list[Run] | str]:
    """Every tool once per round, so a change in the machine's load hits all tools alike.

    Tools quicker than QUICK get two extra rounds: they cost little and steady the median.
    """
    results: dict[str, list[Run] | str] = {tool.name: [] for tool in TOOLS}
    for round_ in range(runs + 2):
        say(f"audit throughput: round {round_ + 1} of {runs + 2}")
        for tool in TOOLS:
            done = results[tool.name]
            if isinstance(done, str) or (round_ >= runs and done[0].wall > QUICK):
                continue
            got = _measure(tool, diff, work / "out" / f"{tool.name}.txt")
            results[tool.name] = got if isinstance(got, str) else [*done, got]
    return results


def _shown(argv: list[str]) -> str:
    """`argv` as typed: programs of the venv or of bench/ by their short names."""
    shown = []
    for arg in argv:
        path = Path(arg)
        if path.is_relative_to(HERE):
            shown.append(str(path.relative_to(ROOT)))
        else:
            shown.append(path.name if arg.startswith("/") else arg)
    return " ".join(shown)


def _counts(counts: Counts) -> str:
    shown = [
        "-" if n is None else f"{n:,}" for n in (counts.files, counts.insertions, counts.deletions)
    ]
    return " / ".join(shown)


def throughput(inp: Input, work: Path, runs: int) -> Section:
    """Benchmark 1: MB/s of every tool on the big diff, its ratio to diffstat, memory, counts."""
    size = inp.diff.stat().st_size
    megabytes = size / 1e6
    truth = Counts(inp.files, inp.insertions, inp.deletions)
    results = _rounds(inp.diff, work, runs)
    base = results["diffstat"]
    base_rate = rates(megabytes, [r.wall for r in base]).median if isinstance(base, list) else None
    rows, problems = [], []
    for tool in TOOLS:
        got = results[tool.name]
        if isinstance(got, str):
            rows.append([tool.name, not_measured(tool.name, got), "", "", "", "", ""])
            continue
        speed = rates(megabytes, [r.wall for r in got])
        ratio = speed.median / base_rate if base_rate else float("nan")
        goal = GOALS.get(tool.name)
        rows.append(
            [
                tool.name,
                fmt_summary(summarize([r.wall for r in got])),
                fmt_summary(speed),
                f"{fmt(ratio)}x",
                fmt(max(r.maxrss_kib for r in got) / 1024),
                f"{len(got)}",
                _counts(tool.counts(got[0].stdout)),
                f">= {goal}x diffstat: {verdict(ratio, goal)}" if goal else "",
            ]
        )
        problems += disagreements(tool.name, tool.counts(got[0].stdout), truth)
    for line in problems:
        say(f"disagreement: {line}")
    lines = [
        f"Input: {inp.description}: {megabytes:.1f} MB ({size:,} bytes), {inp.commits} commits, "
        f"{inp.files:,} file changes, +{inp.insertions:,}/-{inp.deletions:,} (git numstat). "
        "MB = 10^6 bytes; "
        f"{runs} rounds running each tool once in turn, two more rounds for the tools taking "
        f"under {QUICK:g} s; figures are min / median / max; peak RSS is the largest of the runs.",
        "",
        *table(
            [
                "tool",
                "wall s",
                "MB/s",
                "ratio to diffstat (median)",
                "peak RSS MiB",
                "runs",
                "files / + / -",
                "goal",
            ],
            rows,
        ),
        "",
        "Commands (FILE the diff; git apply runs outside any repository): "
        + "; ".join(f"`{_shown(tool.argv(Path('FILE')))}`" for tool in TOOLS)
        + ".",
        "",
        f"Totals compared with `git log --numstat` of the same commits ({_counts(truth)}; "
        "lsdiff gives file names only):",
        "",
        *(f"- {line}" for line in problems),
    ]
    if not problems:
        lines.append("- every tool agrees with git's numstat")
    lines += ["", *_startup(work, results), "", *_flatness(inp, work, results)]
    return Section("1. Audit throughput", tuple(lines))


# The smallest diff rfp reads: what it costs is start-up, not throughput.
TINY = b"""\
--- a/mm/fremap.c
+++ b/mm/fremap.c
@@ -1 +1 @@
-a
+b
"""


def _startup(work: Path, results: dict[str, list[Run] | str]) -> list[str]:
    """The fixed cost in rfp's wall time on the big diff: the same mode on a one-line diff."""
    tiny = work / "tiny.diff"
    tiny.write_bytes(TINY)
    lines = []
    for tool in TOOLS:
        big = results[tool.name]
        if not tool.name.startswith("rfp") or isinstance(big, str):
            continue
        runs = [_measure(tool, tiny, work / "out" / f"{tool.name}-tiny.txt") for _ in range(5)]
        done = [r for r in runs if not isinstance(r, str)]
        if not done:
            continue
        cost = summarize([r.wall for r in done])
        share = cost.median / summarize([r.wall for r in big]).median
        lines.append(
            f"- `{tool.name}` on a one-line diff (start-up: interpreter, imports, rules): "
            f"{fmt_summary(cost)} s, {share:.0%} of its median wall on the big diff"
        )
    return ["Fixed cost inside the rfp figures above (5 runs each):", "", *lines]


def _flatness(inp: Input, work: Path, results: dict[str, list[Run] | str]) -> list[str]:
    """Peak memory of rfp on the whole diff against an 8 MB prefix of it."""
    small_mb, big_mb = inp.small.stat().st_size / 1e6, inp.diff.stat().st_size / 1e6
    rows = []
    for tool in TOOLS:
        if not tool.name.startswith("rfp"):
            continue
        big = results[tool.name]
        if isinstance(big, str):
            rows.append([tool.name, not_measured(tool.name, big), "", "", ""])
            continue
        say(f"audit memory on the prefix: {tool.name}")
        small = _measure(tool, inp.small, work / "out" / f"{tool.name}-small.txt")
        if isinstance(small, str):
            rows.append([tool.name, not_measured(tool.name, small), "", "", ""])
            continue
        low, high = small.maxrss_kib / 1024, max(r.maxrss_kib for r in big) / 1024
        rows.append(
            [
                tool.name,
                fmt(low),
                fmt(high),
                f"{fmt(high / low)}x",
                f"<= {FLAT}x (flat): {verdict(high / low, FLAT, at_least=False)}",
            ]
        )
    return [
        f"Peak memory, flat when the {big_mb:.0f} MB input needs at most {FLAT}x what its first "
        f"{small_mb:.1f} MB (whole commits) need. Peak RSS is the kernel's ru_maxrss of the "
        "process and the children it waited for, file pages it maps included:",
        "",
        *table(
            [
                "tool",
                f"peak RSS MiB, {small_mb:.1f} MB",
                f"peak RSS MiB, {big_mb:.0f} MB",
                "ratio",
                "goal",
            ],
            rows,
        ),
    ]


def cold_start(work: Path, runs: int) -> Section:
    """Benchmark 2: wall time of `rfp audit` on the bundled series, a new process each run."""
    argv = [_rfp(), "audit", str(ROOT / "patches")]
    out = work / "out" / "cold.txt"
    say(f"cold start x{runs}")
    try:
        warm = [run_once(argv, out, ok=(0, 1)) for _ in range(runs)]
    except (CommandFailed, OSError) as exc:
        return Section("2. Cold start", (not_measured("rfp audit", str(exc)),))
    dropped = []
    for _ in range(runs):
        if not drop_caches():
            break
        dropped.append(run_once(argv, out, ok=(0, 1)))
    walls = summarize([r.wall for r in warm])
    rows = [
        [
            "new process, files cached",
            fmt_summary(walls),
            f"< {COLD_GOAL} s: {verdict(walls.median, COLD_GOAL, at_least=False)}",
        ],
    ]
    if dropped:
        cold = summarize([r.wall for r in dropped])
        rows.append(["new process, page cache dropped first", fmt_summary(cold), "(for reference)"])
    else:
        rows.append(["page cache dropped first", not_measured("drop_caches", "not root"), ""])
    return Section(
        "2. Cold start",
        (
            f"`rfp audit patches/` ({runs} runs each, wall seconds min / median / max; "
            "the goal is judged on the median of the first row):",
            "",
            *table(["start", "wall s", "goal"], rows),
        ),
    )
