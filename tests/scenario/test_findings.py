"""Behaviours of the series the model found, pinned as scenarios the series fails."""

from __future__ import annotations

from pathlib import Path

from toolkit.scenario.bisect import bisect_file
from toolkit.scenario.format import load_scenario
from toolkit.scenario.run import run_scenario

FINDINGS = Path(__file__).resolve().parent / "findings"


def test_patch_14_loses_the_offset_of_a_prot_none_remap() -> None:
    """The series reads the linear page; the emulation and the kernel before 14 do not."""
    scenario = load_scenario(FINDINGS / "p14-prot-none-offset.toml")
    patched = run_scenario(scenario)
    assert [(op.got, op.expected) for op in patched.failures] == [("0", "1")]
    assert run_scenario(scenario, emulate=True).passed
    found = bisect_file(FINDINGS / "p14-prot-none-offset.toml", patches="1-18")
    assert found.steps[0].passed and found.regressions == (14,)
    assert not any(step.passed for step in found.steps[14:])
