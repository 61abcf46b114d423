"""Arch limits: declared in archs/ and scenarios, true to the data, and needed where declared."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.arch import arch_names, load_arch
from toolkit.errors import ArchDataError, ScenarioError
from toolkit.paths import ARCHS
from toolkit.scenario.files import suite_files
from toolkit.scenario.format import load_scenario, parse_scenario
from toolkit.scenario.limits import ArchLimit, arch_limits, detect_limits
from toolkit.scenario.run import Outcome, run_scenario


@pytest.mark.parametrize("arch", arch_names())
def test_declared_limits_are_what_the_data_shows(arch: str) -> None:
    """An arch file declares exactly the limits its own bits and maps give it."""
    a = load_arch(arch)
    assert {limit for limit, _ in arch_limits(a)} == detect_limits(a)


def test_some_arches_have_limits() -> None:
    """The check above is not vacuous: the suite meets both kinds of limit."""
    found = set()
    for arch in arch_names():
        found |= detect_limits(load_arch(arch))
    assert found == set(ArchLimit)


def _limited_runs() -> list[tuple[Path, str]]:
    pairs = []
    for path in suite_files():
        declared = {limit for limit, _ in load_scenario(path).limits}
        for arch in arch_names():
            if declared & detect_limits(load_arch(arch)):
                pairs.append((path, arch))
    return pairs


@pytest.mark.parametrize(("path", "arch"), _limited_runs())
def test_declared_limit_is_needed(path: Path, arch: str) -> None:
    """A scenario declares a limit only where an arch with it really misses an expectation."""
    scenario = load_scenario(path)
    runs = [run_scenario(scenario, arch), run_scenario(scenario, arch, emulate=True)]
    assert {r.outcome for r in runs} <= {Outcome.PASSED, Outcome.DIFFERS}
    assert any(r.outcome is Outcome.DIFFERS and r.failures and r.limits for r in runs)


def test_limit_without_arch_declaration_is_a_failure() -> None:
    """A scenario's declaration alone sets nothing apart: the arch must declare it too."""
    path = next(p for p in suite_files() if p.stem == "test2-nonuniform-default")
    scenario = load_scenario(path)
    assert scenario.limits
    result = run_scenario(scenario, "i386", patches=frozenset())
    assert not result.limits and result.outcome is Outcome.FAILED


def test_unknown_scenario_limit_is_located(tmp_path: Path) -> None:
    """An unknown limit name in a scenario is a ScenarioError at its line."""
    text = '[limits]\nno_such = "x"\n\n[[op]]\ndo = "fork"\n'
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, tmp_path / "s.toml")
    assert info.value.line == 2 and "no_such" in info.value.message


def test_limit_without_reason_is_refused(tmp_path: Path) -> None:
    """A limit must say why."""
    text = '[limits]\nprot_none = ""\n\n[[op]]\ndo = "fork"\n'
    with pytest.raises(ScenarioError, match="needs a reason"):
        parse_scenario(text, tmp_path / "s.toml")


def test_unknown_arch_limit_is_located(tmp_path: Path) -> None:
    """An unknown limit in an arch file is an ArchDataError at its line."""
    text = (ARCHS / "i386.toml").read_text() + '\n[limits]\nfast = "yes"\n'
    (tmp_path / "i386.toml").write_text(text)
    with pytest.raises(ArchDataError) as info:
        arch_limits(load_arch("i386", tmp_path))
    assert info.value.line == text.count("\n") and "fast" in info.value.message
