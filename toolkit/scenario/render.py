"""Reports of scenario runs and bisections: text for people, JSON for programs."""

from __future__ import annotations

import json
from collections.abc import Sequence

from toolkit.model.options import PATCH_NAMES
from toolkit.scenario.bisect import BisectResult
from toolkit.scenario.run import Outcome, ScenarioResult

_VERDICTS = {
    Outcome.PASSED: "PASS",
    Outcome.DIFFERS: "DIFF",
    Outcome.NOT_PORTABLE: "SKIP",
    Outcome.FAILED: "FAIL",
}


def _mark(ok: bool | None, differs: bool) -> str:
    if ok is False:
        return "diff" if differs else "FAIL"
    return {True: "ok", None: "-"}[ok]


def _counts(results: Sequence[ScenarioResult]) -> dict[Outcome, int]:
    counts = dict.fromkeys(Outcome, 0)
    for result in results:
        counts[result.outcome] += 1
    return counts


def summary(results: Sequence[ScenarioResult]) -> str:
    """The closing line: runs passed and failed, and those set apart with their reason."""
    counts = _counts(results)
    parts = [f"{counts[Outcome.PASSED]} passed"]
    if counts[Outcome.DIFFERS]:
        parts.append(f"{counts[Outcome.DIFFERS]} differ by a declared arch limit")
    if counts[Outcome.NOT_PORTABLE]:
        parts.append(f"{counts[Outcome.NOT_PORTABLE]} not portable")
    parts.append(f"{counts[Outcome.FAILED]} failed")
    return f"{len(results)} runs: " + ", ".join(parts)


def render_text(results: Sequence[ScenarioResult]) -> str:
    """Each run's ops with what they gave and what was expected, then a summary line."""
    lines: list[str] = []
    for result in results:
        outcome = result.outcome
        head = f"{_VERDICTS[outcome]} {result.path} [{result.arch}, patches {result.patches}]"
        if outcome is Outcome.NOT_PORTABLE:
            lines.append(f"{head}: not portable: {result.not_portable}")
            continue
        lines.append(head)
        differs = outcome is Outcome.DIFFERS
        if result.ops:
            width = max(len(op.summary) for op in result.ops)
            for op in result.ops:
                line = "" if op.line is None else str(op.line)
                expected = "" if op.expected is None else f"expected {op.expected}"
                lines.append(
                    f"  {line:>4}  {op.summary:<{width}}  {_mark(op.ok, differs):<4}  {op.got}"
                    + (f"  ({expected})" if op.ok is False else "")
                )
        if result.error:
            lines.append(f"  error: {result.error}")
        if differs:
            lines.extend(f"  declared arch limit {limit}" for limit in result.limits)
    lines.append(summary(results))
    return "\n".join(lines)


def render_json(results: Sequence[ScenarioResult]) -> str:
    """The runs as one JSON document."""
    runs = [
        {
            "path": r.path,
            "title": r.title,
            "arch": r.arch,
            "patches": r.patches,
            "emulated": r.emulated,
            "passed": r.passed,
            "outcome": r.outcome.value,
            "error": r.error,
            "not_portable": r.not_portable,
            "limits": list(r.limits),
            "ops": [
                {
                    "index": op.index,
                    "line": op.line,
                    "op": op.summary,
                    "got": op.got,
                    "expected": op.expected,
                    "ok": op.ok,
                }
                for op in r.ops
            ],
        }
        for r in results
    ]
    counts = _counts(results)
    document = {
        "runs": runs,
        "passed": counts[Outcome.PASSED],
        "differ": counts[Outcome.DIFFERS],
        "not_portable": counts[Outcome.NOT_PORTABLE],
        "failed": counts[Outcome.FAILED],
    }
    return json.dumps(document, indent=2)


def render_runs(results: Sequence[ScenarioResult], fmt: str = "text") -> str:
    """The report of `results` in format text or json."""
    return render_json(results) if fmt == "json" else render_text(results)


def render_bisect(result: BisectResult) -> str:
    """Each prefix of the series with its verdict, and the patch that makes the scenario pass."""
    lines = [f"bisect {result.path} [{result.arch}, series {result.series}]"]
    for step in result.steps:
        label = "no patch" if step.patch is None else f"+{step.patch:02d} {PATCH_NAMES[step.patch]}"
        verdict = "PASS" if step.passed else "FAIL"
        detail = f"  ({step.detail})" if step.detail and not step.passed else ""
        lines.append(f"  {label:<50} {verdict}{detail}")
    if result.first_pass is None:
        if result.steps and result.steps[0].passed:
            lines.append("passes without any patch of the series")
        else:
            lines.append("no prefix of the series makes it pass")
    else:
        n = result.first_pass
        lines.append(f"first patch that makes it pass: {n:02d} {PATCH_NAMES[n]}")
    for n in result.regressions:
        lines.append(f"fails again once {n:02d} {PATCH_NAMES[n]} is applied")
    return "\n".join(lines)
