"""TOML input: syntax errors carry the file and tomllib's line, once, in the location."""

from __future__ import annotations

import pytest

from toolkit.errors import ScenarioError
from toolkit.tomlfile import line_of, parse_toml


def test_syntax_error_names_file_and_line() -> None:
    """A syntax error becomes the given error at tomllib's line, the position not repeated."""
    with pytest.raises(ScenarioError) as caught:
        parse_toml("a = 1\n\nb = = 2\n", "s.toml", ScenarioError)
    assert (caught.value.path, caught.value.line) == ("s.toml", 3)
    assert str(caught.value).startswith("s.toml:3: not valid TOML: ")
    assert "at line" not in str(caught.value)


def test_valid_text_parses() -> None:
    """Valid TOML comes back as its tables."""
    assert parse_toml("[x]\ny = [1, 2]\n", "t.toml", ScenarioError) == {"x": {"y": [1, 2]}}


def test_line_of_finds_the_first_line_holding_the_text() -> None:
    """line_of counts from 1 and gives None when the text is absent."""
    assert line_of('a\nid = "x"\nid = "x"\n', '"x"') == 2
    assert line_of("a\n", "zz") is None
