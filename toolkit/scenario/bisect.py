"""Bisecting the series: which patch makes a scenario pass."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from toolkit.model.options import format_patches, parse_patches
from toolkit.scenario.format import load_scenario
from toolkit.scenario.run import run_scenario


@dataclass(frozen=True, slots=True)
class BisectStep:
    """The scenario's verdict with the patches of the series up to `patch` applied."""

    patch: int | None  # None: no patch at all
    passed: bool
    detail: str  # the first failing op, or the model's error


@dataclass(frozen=True, slots=True)
class BisectResult:
    """The verdict of every prefix of the series, and what changes it."""

    path: str
    arch: str
    series: str
    steps: tuple[BisectStep, ...]
    first_pass: int | None  # the patch whose switch makes the scenario pass
    regressions: tuple[int, ...]  # patches after which it fails again


def bisect_file(path: str | Path, arch: str = "i386", patches: str = "all") -> BisectResult:
    """Run the scenario with each prefix of the series `patches` switched on, in series order.

    Every prefix is run (there are at most 19), so the report also shows a patch that breaks
    what an earlier one fixed.
    """
    scenario = load_scenario(path)
    order = sorted(parse_patches(patches))
    steps: list[BisectStep] = []
    for count in range(len(order) + 1):
        result = run_scenario(scenario, arch, frozenset(order[:count]))
        detail = result.error or ""
        if result.failures:
            first = result.failures[0]
            detail = f"line {first.line}: {first.summary} gave {first.got}, not {first.expected}"
        steps.append(BisectStep(order[count - 1] if count else None, result.passed, detail))
    first_pass = None
    regressions = []
    for before, after in pairwise(steps):
        assert after.patch is not None
        if after.passed and not before.passed and first_pass is None:
            first_pass = after.patch
        elif before.passed and not after.passed:
            regressions.append(after.patch)
    return BisectResult(
        path=str(path),
        arch=arch,
        series=format_patches(frozenset(order)),
        steps=tuple(steps),
        first_pass=first_pass,
        regressions=tuple(regressions),
    )
