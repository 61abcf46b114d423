"""The reports of `rfp verify` as a text table or as JSON."""

from __future__ import annotations

import json
from typing import Any

from toolkit.verify.records import CHECKS, Check, Outcome, Report, Result

_CELL = {
    Outcome.PROVEN: "proven",
    Outcome.PASSED: "passed",
    Outcome.FAILED: "FAIL",
    Outcome.NO_COMPILE: "NO-COMPILE",
    Outcome.NOT_APPLICABLE: "n/a",
    Outcome.SKIPPED: "-",
}


def _bits(report: Report) -> str:
    """The max bits cell: legacy -> this layout's PTE_FILE_MAX_BITS."""

    def show(value: int | None) -> str:
        """A bit count, or ? when unknown."""
        return "?" if value is None else str(value)

    if report.source.value == "legacy":
        return show(report.max_bits)
    return f"{show(report.legacy_max_bits)} -> {show(report.max_bits)}"


def _cell(result: Result | None) -> str:
    """A check's outcome as a table cell."""
    return "" if result is None else _CELL[result.outcome]


def _detail(report: Report, check: Check) -> str:
    """The detail text of `check` in `report`, if it ran."""
    result = report.result(check)
    return "" if result is None else result.detail


def _table(rows: list[list[str]]) -> list[str]:
    """Rows as left-aligned columns."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    return [line.rstrip() for line in lines]


def _label(report: Report) -> str:
    """Arch and layout (or header) of a report, for the lines under the table."""
    return f"{report.arch} {report.where or report.source.value}"


def format_table(reports: tuple[Report, ...], skipped: tuple[str, ...] = ()) -> str:
    """One row per encoding, then every counterexample and compiler error, then a summary."""
    checks = [c for c in CHECKS if any(r.result(c) is not None for r in reports)]
    rows = [["arch", "layout", "PTE", "max bits", *(c.value for c in checks), "time"]]
    for r in reports:
        rows.append(
            [
                r.arch,
                r.where or r.source.value,
                str(r.pte_bits),
                _bits(r),
                *(_cell(r.result(c)) for c in checks),
                f"{r.seconds:.2f}s",
            ]
        )
    lines = _table(rows)
    problems = [
        f"  {_label(r)} {x.check.value}: "
        + (x.counterexample.describe() if x.counterexample is not None else x.detail)
        for r in reports
        for x in r.results
        if not x.outcome.ok
    ]
    if problems:
        lines += ["", "counterexamples and compiler errors:", *problems]
    rates = [
        f"  {_label(r)}: {_detail(r, Check.EXHAUSTIVE)}, {r.rate:.3g} encodings/s"
        for r in reports
        if r.rate is not None
    ]
    if rates:
        lines += ["", "exhaustive:", *rates]
    if skipped:
        lines += ["", "not checked:", *(f"  {line}" for line in skipped)]
    generated = sum(r.source.generated for r in reports)
    failed = sum(r.failed for r in reports)
    findings = sum(r.finding for r in reports)
    lines += [
        "",
        f"{len(reports)} encodings checked; generated encodings failing: {failed} of "
        f"{generated}; with findings (legacy, 2005, third-party, arch swap entries): {findings}",
    ]
    return "\n".join(lines)


def _result(result: Result) -> dict[str, Any]:
    """One result as JSON-ready data."""
    example = result.counterexample
    return {
        "outcome": result.outcome.value,
        "detail": result.detail,
        "counterexample": None
        if example is None
        else {
            "offset": example.offset,
            "pgprot": example.pgprot,
            "prot_names": example.prot_names,
            "pte": example.pte,
            "got": example.got,
        },
    }


def report_dict(report: Report) -> dict[str, Any]:
    """One report as JSON-ready data."""
    return {
        "arch": report.arch,
        "source": report.source.value,
        "where": report.where,
        "generated": report.source.generated,
        "pte_bits": report.pte_bits,
        "legacy_max_bits": report.legacy_max_bits,
        "max_bits": report.max_bits,
        "ok": report.ok,
        "failed": report.failed,
        "finding": report.finding,
        "seconds": round(report.seconds, 4),
        "rate": report.rate,
        "checks": {r.check.value: _result(r) for r in report.results},
    }


def format_json(reports: tuple[Report, ...], skipped: tuple[str, ...] = ()) -> str:
    """Every report, the arches left out and the counts, as indented JSON."""
    return json.dumps(
        {
            "reports": [report_dict(r) for r in reports],
            "skipped": list(skipped),
            "generated_failures": sum(r.failed for r in reports),
            "findings": sum(r.finding for r in reports),
        },
        indent=2,
    )
