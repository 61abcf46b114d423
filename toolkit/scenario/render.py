"""Reports of scenario runs and bisections: text for people, JSON for programs."""

from __future__ import annotations

import json
from collections.abc import Sequence

from toolkit.model.options import PATCH_NAMES
from toolkit.scenario.bisect import BisectResult
from toolkit.scenario.run import ScenarioResult


def _mark(ok: bool | None) -> str:
    return {True: "ok", False: "FAIL", None: "-"}[ok]


def render_text(results: Sequence[ScenarioResult]) -> str:
    """Each run's ops with what they gave and what was expected, then a summary line."""
    lines: list[str] = []
    for result in results:
        verdict = "PASS" if result.passed else "FAIL"
        lines.append(f"{verdict} {result.path} [{result.arch}, patches {result.patches}]")
        if result.ops:
            width = max(len(op.summary) for op in result.ops)
            for op in result.ops:
                line = "" if op.line is None else str(op.line)
                expected = "" if op.expected is None else f"expected {op.expected}"
                lines.append(
                    f"  {line:>4}  {op.summary:<{width}}  {_mark(op.ok):<4}  {op.got}"
                    + (f"  ({expected})" if op.ok is False else "")
                )
        if result.error:
            lines.append(f"  error: {result.error}")
    passed = sum(1 for r in results if r.passed)
    lines.append(f"{len(results)} runs: {passed} passed, {len(results) - passed} failed")
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
            "error": r.error,
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
    passed = sum(1 for r in results if r.passed)
    document = {"runs": runs, "passed": passed, "failed": len(results) - passed}
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
