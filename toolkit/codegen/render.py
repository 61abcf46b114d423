"""The one module that imports jinja2: templates/ rendered with StrictUndefined."""

from __future__ import annotations

import functools
import traceback
from typing import Any

import jinja2

from toolkit.errors import InputError, MissingInputError
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
    path = TEMPLATES / template
    try:
        found = _environment().get_template(template)
    except jinja2.TemplateNotFound:
        raise MissingInputError("no such template", path) from None
    except jinja2.TemplateSyntaxError as exc:
        raise InputError(f"template syntax: {exc.message}", path, exc.lineno) from None
    try:
        return found.render(**context)
    except jinja2.UndefinedError as exc:
        # jinja2 maps the failing frame onto the template's own line
        lines = [
            f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(path)
        ]
        raise InputError(str(exc.message), path, lines[-1] if lines else None) from None
