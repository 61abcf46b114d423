"""Scenario files: parsing, and bad files reported at their file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.errors import MissingInputError, ScenarioError
from toolkit.scenario.files import suite_files
from toolkit.scenario.format import OpKind, load_scenario, parse_scenario, render_value

GOOD = """\
title = "t"
[setup]
files = [{ name = "f", pages = 4 }]

[[op]]
do = "mmap"
name = "w"
file = "f"
pages = 4
prot = "rw"
flags = "shared|noinherit"
expect = "ok"

[[op]]
do = "read"
at = "w"
page = 2
expect = "EINVAL"
"""


def test_every_suite_file_parses() -> None:
    """The shipped suite exists and every file in it loads."""
    files = suite_files()
    assert len(files) >= 13
    for path in files:
        assert load_scenario(path).ops


def test_ops_carry_their_lines_and_values() -> None:
    """Each op remembers the line of its [[op]] header; names become numbers."""
    scenario = parse_scenario(GOOD, Path("s.toml"))
    mmap, read = scenario.ops
    assert (mmap.kind, mmap.line, mmap.prot, mmap.flags) == (OpKind.MMAP, 5, 3, 0x20001)
    assert (read.kind, read.line, read.page, read.expect) == (OpKind.READ, 14, 2, "-EINVAL")


def test_toml_syntax_error_has_the_line() -> None:
    """A TOML syntax error is a ScenarioError at the line tomllib names."""
    with pytest.raises(ScenarioError) as info:
        parse_scenario(GOOD.replace("page = 2", "page = = 2"), Path("s.toml"))
    assert (info.value.path, info.value.line) == ("s.toml", 17)
    assert str(info.value).startswith("s.toml:17: ")


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (('do = "read"', 'do = "jump"'), 14, "must be one of"),
        (("page = 2", 'page = "two"'), 14, "page must be an integer"),
        (('at = "w"', 'at = "w"\nbogus = 1'), 14, "unknown key 'bogus'"),
        (('prot = "rw"', 'prot = "rwz"'), 5, "prot must be one of"),
        (('flags = "shared|noinherit"', 'flags = "shared|sideways"'), 5, "unknown flag"),
        (('file = "f"', 'file = "g"'), 5, "no file named 'g'"),
    ],
)
def test_semantic_errors_point_at_the_op(change: tuple[str, str], line: int, words: str) -> None:
    """A bad op is reported at its [[op]] line."""
    with pytest.raises(ScenarioError) as info:
        parse_scenario(GOOD.replace(*change), Path("s.toml"))
    assert info.value.line == line
    assert words in info.value.message


def test_missing_file_is_missing_input(tmp_path: Path) -> None:
    """A scenario path that does not exist is MissingInputError."""
    with pytest.raises(MissingInputError):
        load_scenario(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        ("EINVAL", "-EINVAL"),
        ("-EEXIST", "-EEXIST"),
        ("SIGSEGV", "SIGSEGV"),
        ([1, 0], "[1, 0]"),
    ],
)
def test_render_value(value: object, text: str) -> None:
    """Expectations are written the way results are rendered."""
    assert render_value(value) == text
