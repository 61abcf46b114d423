"""Patch specs and the options a model kernel is built from."""

from __future__ import annotations

import pytest

from toolkit.errors import InputError
from toolkit.model.options import DEFAULT_PATCHES, format_patches, parse_patches


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("all", set(range(1, 17))),
        ("1-10", set(range(1, 11))),
        ("all,-11,+17,+18", (set(range(1, 17)) - {11}) | {17, 18}),
        ("none", set()),
        ("1,3,5-6", {1, 3, 5, 6}),
        ("1-18,-14-15", set(range(1, 19)) - {14, 15}),
    ],
)
def test_parse_patches(spec: str, expected: set[int]) -> None:
    """Each spec form switches on the patches it names."""
    assert parse_patches(spec) == frozenset(expected)


def test_default_is_the_series_with_11() -> None:
    """The default set has 11 and not its alternative 17+18."""
    assert 11 in DEFAULT_PATCHES and not {17, 18} & DEFAULT_PATCHES


@pytest.mark.parametrize("spec", ["0", "19", "x", "1-", "", "3-1", "1,,2"])
def test_bad_specs_are_input_errors(spec: str) -> None:
    """A spec naming no patch of the series is refused as bad input."""
    with pytest.raises(InputError):
        parse_patches(spec)


@pytest.mark.parametrize("spec", ["all", "1-10", "all,-11,+17,+18", "2,4,6-9"])
def test_format_round_trips(spec: str) -> None:
    """format_patches() writes a spec that parses back to the same set."""
    chosen = parse_patches(spec)
    assert parse_patches(format_patches(chosen)) == chosen
