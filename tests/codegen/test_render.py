"""The jinja2 wrapper: template mistakes are ToolkitErrors located in templates/."""

from __future__ import annotations

import pytest

from toolkit.codegen.render import render
from toolkit.errors import InputError, MissingInputError
from toolkit.paths import TEMPLATES


def test_missing_template() -> None:
    """A template that is not there is a MissingInputError naming its path."""
    with pytest.raises(MissingInputError) as info:
        render("no-such.j2")
    assert str(info.value) == f"{TEMPLATES / 'no-such.j2'}: no such template"


def test_undefined_variable_points_at_the_template_line() -> None:
    """A variable the context lacks is an InputError at the template line that uses it."""
    template = "port.patch.j2"
    lines = (TEMPLATES / template).read_text().splitlines()
    first = next(n for n, line in enumerate(lines, 1) if "{{ banner }}" in line)
    with pytest.raises(InputError) as info:
        render(template)
    assert (info.value.path, info.value.line) == (str(TEMPLATES / template), first)
    assert "'banner' is undefined" in info.value.message
