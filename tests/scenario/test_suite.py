"""The shipped suite passes on the model, per arch, patched and emulated."""

from __future__ import annotations

import pytest

from toolkit.arch import arch_names, load_arch
from toolkit.scenario.files import run_files
from toolkit.scenario.run import Outcome


@pytest.mark.parametrize("arch", arch_names())
def test_suite_passes(arch: str) -> None:
    """Every scenario gives its expected results, or differs only by a limit both declare."""
    results = run_files([], [arch])
    failed = [(r.path, r.error, r.failures[:1]) for r in results if r.failed]
    assert not failed
    for result in results:
        if result.outcome is Outcome.DIFFERS:
            assert result.limits and not result.error


def test_arch_without_solver_layout_is_not_portable() -> None:
    """An arch the solver finds no file PTE for is reported not portable, with its reason."""
    unsolved = [name for name in arch_names() if load_arch(name).unsolved]
    assert unsolved
    for arch in unsolved:
        results = run_files([], [arch])
        assert {r.outcome for r in results} == {Outcome.NOT_PORTABLE}
        assert all(r.not_portable == load_arch(arch).unsolved for r in results)
        # Without patch 01 the legacy layout serves, so the unpatched kernel still runs.
        unpatched = run_files([], [arch], patches="none")
        assert all(r.outcome is not Outcome.NOT_PORTABLE for r in unpatched)


def test_suite_passes_emulated() -> None:
    """The emulation model meets every scenario's emulated expectations."""
    results = run_files([], ["i386"], emulate=True)
    assert results and all(r.passed for r in results)


def test_suite_emulated_on_every_arch_has_no_failure() -> None:
    """Emulated, every arch passes or differs only by a limit both files declare."""
    results = run_files([], None, emulate=True)
    assert not [(r.arch, r.path) for r in results if r.failed]


def test_alternative_series_passes() -> None:
    """The series with 17+18 in place of 11 passes the suite too."""
    results = run_files([], ["i386"], patches="all,-11,+17,+18")
    assert all(r.passed for r in results)


def test_unpatched_kernel_fails_the_series_scenarios() -> None:
    """Without the series the scenarios about it fail: they test something."""
    results = run_files([], ["i386"], patches="none")
    failing = {r.path.rsplit("/", 1)[-1] for r in results if not r.passed}
    assert {"test2-nonuniform-default.toml", "test3-protnone-not-in-core.toml"} <= failing
