"""Benchmark 3: `rfp verify` proof time per arch and the exhaustive check's encodings per second."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.audit import _rfp
from bench.measure import CommandFailed, Run, run_many
from bench.report import Section, not_measured, table, verdict
from bench.stats import fmt, fmt_summary, summarize
from bench.workload import say

RATE_GOAL = 600e6
# The largest enumerable encoding of the series' own arch: 2^28 offsets times its kept prots.
EXHAUSTIVE = ("i386", "solver")
_ENCODINGS = re.compile(r"(\d+) encodings")


def _reports(run: Run) -> list[dict[str, Any]]:
    data = json.loads(run.stdout)
    reports = data["reports"] if isinstance(data, dict) else data
    return list(reports)


def proofs(work: Path, runs: int) -> list[str]:
    """z3 proof seconds per arch (all its layouts, C compile left out), min/median/max of runs."""
    argv = [_rfp(), "verify", "--all", "--no-c", "--format", "json"]
    say(f"verify proofs x{runs}")
    try:
        done = run_many(argv, work / "out" / "verify.json", runs, ok=(0, 1))
        per_run = [_reports(r) for r in done]
    except (CommandFailed, OSError, ValueError, KeyError) as exc:
        return [not_measured("rfp verify", str(exc))]
    seconds: dict[str, list[float]] = defaultdict(list)
    layouts: dict[str, set[str]] = defaultdict(set)
    for reports in per_run:
        totals: dict[str, float] = defaultdict(float)
        for report in reports:
            totals[report["arch"]] += float(report["seconds"])
            layouts[report["arch"]].add(str(report["source"]))
        for arch, total in totals.items():
            seconds[arch].append(total)
    rows = [
        [arch, ", ".join(sorted(layouts[arch])), fmt_summary(summarize(seconds[arch]))]
        for arch in sorted(seconds)
    ]
    walls = summarize([r.wall for r in done])
    return [
        f"`rfp verify --all --no-c` ({runs} runs): every check z3 proves, per arch summed over its "
        f"layouts (seconds as the report gives them); whole command wall "
        f"{fmt_summary(walls)} s.",
        "",
        *table(["arch", "layouts", "proof s (min / median / max)"], rows),
    ]


def exhaustive(work: Path, runs: int) -> list[str]:
    """Encodings per second of `rfp verify --exhaustive` on one arch."""
    arch, layout = EXHAUSTIVE
    argv = [
        _rfp(),
        "verify",
        arch,
        "--layout",
        layout,
        "--exhaustive",
        "--no-c",
        "--format",
        "json",
    ]
    say(f"verify exhaustive {arch} {layout} x{runs}")
    try:
        done = run_many(argv, work / "out" / "exhaustive.json", runs, ok=(0, 1))
        reports = [_reports(r)[0] for r in done]
        counts = [_ENCODINGS.search(r["checks"]["exhaustive"]["detail"]) for r in reports]
        if None in counts or any(r["rate"] is None for r in reports):
            raise ValueError("the report gives no encoding count or rate")
    except (CommandFailed, OSError, ValueError, KeyError, IndexError) as exc:
        return [not_measured("rfp verify --exhaustive", str(exc))]
    encodings = int(counts[0].group(1)) if counts[0] else 0
    rate = summarize([float(r["rate"]) for r in reports])
    whole = summarize([encodings / r.wall for r in done])
    return [
        f"`rfp verify {arch} --layout {layout} --exhaustive --no-c` ({runs} runs, "
        f"{encodings:,} encodings each, outcome {reports[0]['checks']['exhaustive']['outcome']}):",
        "",
        *table(
            ["rate", "encodings/s (min / median / max)", "ratio to goal (median)", "goal"],
            [
                [
                    "enumeration (as the report times it)",
                    fmt_summary(rate),
                    f"{fmt(rate.median / RATE_GOAL)}x",
                    f">= 600 million/s: {verdict(rate.median, RATE_GOAL)}",
                ],
                [
                    "whole command (process start, proofs, enumeration)",
                    fmt_summary(whole),
                    f"{fmt(whole.median / RATE_GOAL)}x",
                    "(for reference)",
                ],
            ],
        ),
    ]


def section(work: Path, runs: int) -> Section:
    """Benchmark 3 as a RESULTS.md section."""
    return Section("3. Verify", (*proofs(work, runs), "", *exhaustive(work, runs)))
