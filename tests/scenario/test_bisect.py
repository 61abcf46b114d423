"""Bisecting the series over a scenario."""

from __future__ import annotations

from toolkit.scenario.bisect import bisect_file
from toolkit.scenario.files import SUITE


def test_scenario_3_is_made_to_pass_by_patch_08() -> None:
    """The test program's check (3) passes from patch 08 on, and 14 alone breaks it again."""
    found = bisect_file(SUITE / "test3-protnone-not-in-core.toml")
    assert found.first_pass == 8
    assert found.regressions == (14,)
    assert [s.patch for s in found.steps] == [None, *range(1, 17)]


def test_scenario_1_needs_patch_16() -> None:
    """The private COW check is fixed by patch 16 (EEXIST)."""
    assert bisect_file(SUITE / "test1-private-cow.toml").first_pass == 16


def test_uml_pattern_alternative_series() -> None:
    """UML's pattern needs 11 in the series, and 17 in its alternative."""
    assert bisect_file(SUITE / "uml-pattern.toml").first_pass == 11
    alternative = bisect_file(SUITE / "uml-pattern.toml", patches="all,-11,+17,+18")
    assert alternative.first_pass == 17


def test_scenario_passing_without_the_series_names_no_patch() -> None:
    """A scenario an unpatched kernel already passes has no first patch."""
    found = bisect_file(SUITE / "test5-reverse-window.toml", patches="1-3")
    assert found.first_pass is None and found.steps[0].passed


def test_truncation_needs_11_or_its_alternative_18() -> None:
    """A page's own protection survives truncation from 11 on, or from 18 in the alternative."""
    path = SUITE / "truncate-keeps-protections.toml"
    assert bisect_file(path).first_pass == 11
    assert bisect_file(path, patches="all,-11,+17,+18").first_pass == 18
