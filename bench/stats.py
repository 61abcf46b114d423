"""Summaries of repeated runs and the line counts each tool prints, read back into numbers."""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Summary:
    """The min, median and max of one figure over several runs."""

    low: float
    median: float
    high: float
    runs: int


def summarize(values: Sequence[float]) -> Summary:
    """The min/median/max of `values` (at least one)."""
    if not values:
        raise ValueError("no runs to summarize")
    return Summary(min(values), statistics.median(values), max(values), len(values))


def scaled(summary: Summary, factor: float) -> Summary:
    """`summary` with every figure multiplied by `factor` (a negative factor swaps min and max)."""
    ends = sorted((summary.low * factor, summary.high * factor))
    return Summary(ends[0], summary.median * factor, ends[1], summary.runs)


def rates(amount: float, seconds: Sequence[float]) -> Summary:
    """`amount` per second over each run's wall time."""
    return summarize([amount / s for s in seconds])


def fmt(value: float, digits: int = 3) -> str:
    """`value` with `digits` significant digits, thousands separated when large."""
    if value != value:  # NaN: a figure that could not be computed
        return "n/a"
    if abs(value) >= 10 ** (digits - 1):
        return f"{value:,.0f}"
    return f"{value:.{digits}g}"


def fmt_summary(summary: Summary, digits: int = 3) -> str:
    """`min / median / max` of a summary."""
    return " / ".join(fmt(v, digits) for v in (summary.low, summary.median, summary.high))


@dataclass(frozen=True, slots=True)
class Counts:
    """What a tool says a diff changes; None where the tool does not report it."""

    files: int | None
    insertions: int | None
    deletions: int | None


# " 5368 files changed, 107243 insertions(+), 84015 deletions(-)"; diffstat leaves out a
# clause whose count is zero.
_DIFFSTAT = re.compile(
    rb"(\d+) files? changed(?:, (\d+) insertions?\(\+\))?(?:, (\d+) deletions?\(-\))?"
)
# rfp audit --stat ends with "1 patches, 5302 file changes, 107243 insertions(+), ...".
_RFP_STAT = re.compile(rb"(\d+) file changes?, (\d+) insertions?\(\+\), (\d+) deletions?\(-\)")
# rfp audit (classifying) starts with "series PATH: N patches, +107243/-84015".
_RFP_SERIES = re.compile(rb"^series .*: (\d+) patches?, \+(\d+)/-(\d+)$", re.MULTILINE)


def diffstat_counts(output: bytes) -> Counts:
    """Counts from `diffstat -s` output."""
    found = _DIFFSTAT.search(output)
    if found is None:
        return Counts(None, None, None)
    files, plus, minus = found.groups()
    return Counts(int(files), int(plus or 0), int(minus or 0))


def numstat_counts(output: bytes) -> Counts:
    """Counts from `git apply --numstat` (or `git diff --numstat`) output."""
    files = plus = minus = 0
    for line in output.splitlines():
        cells = line.split(b"\t")
        if len(cells) != 3:
            continue
        files += 1
        # Binary files show "-" for both counts.
        if cells[0] != b"-":
            plus += int(cells[0])
            minus += int(cells[1])
    return Counts(files, plus, minus)


def lsdiff_counts(output: bytes) -> Counts:
    """Counts from `lsdiff`: one file per line, no line counts."""
    return Counts(sum(1 for line in output.splitlines() if line.strip()), None, None)


def triple_counts(output: bytes) -> Counts:
    """Counts from the bench's own unidiff script: `files insertions deletions`."""
    cells = output.split()
    if len(cells) != 3:
        return Counts(None, None, None)
    return Counts(int(cells[0]), int(cells[1]), int(cells[2]))


def rfp_counts(output: bytes) -> Counts:
    """Counts from `rfp audit` text output, in stat mode or classifying."""
    found = _RFP_STAT.search(output)
    if found is not None:
        return Counts(*(int(g) for g in found.groups()))
    header = _RFP_SERIES.search(output)
    if header is not None:
        return Counts(None, int(header.group(2)), int(header.group(3)))
    return Counts(None, None, None)


def disagreements(name: str, got: Counts, truth: Counts) -> list[str]:
    """One line per count where `got` differs from `truth`; counts a tool lacks are skipped."""
    lines = []
    for what in ("files", "insertions", "deletions"):
        mine, real = getattr(got, what), getattr(truth, what)
        if mine is not None and real is not None and mine != real:
            lines.append(
                f"{name}: {what} {mine:,} where git numstat says {real:,} ({mine - real:+,})"
            )
    return lines
