"""Scenarios for the reference model: the TOML format, running, comparing and bisecting."""

from toolkit.scenario.format import Op, OpKind, Scenario, load_scenario
from toolkit.scenario.run import OpResult, ScenarioResult, run_scenario

__all__ = [
    "Op",
    "OpKind",
    "OpResult",
    "Scenario",
    "ScenarioResult",
    "load_scenario",
    "run_scenario",
]
