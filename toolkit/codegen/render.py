"""The one module that imports jinja2: templates/ rendered with StrictUndefined."""

from __future__ import annotations

import functools
from typing import Any

import jinja2

from toolkit.errors import MissingInputError
from toolkit.paths import TEMPLATES


@functools.cache
def _environment() -> jinja2.Environment:
    """The one jinja2 environment over templates/, made on first use."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # C and diffs; the SVG template escapes its text with |e
    )


def render(template: str, **context: Any) -> str:
    """Render templates/`template` with `context`; a missing variable is an error, not ''."""
    try:
        found = _environment().get_template(template)
    except jinja2.TemplateNotFound as exc:
        raise MissingInputError("no such template", TEMPLATES / template) from exc
    return found.render(**context)
