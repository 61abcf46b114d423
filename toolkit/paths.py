"""Where the toolkit's data directories live: in the wheel, or at the top of a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The bundled directory `name` (archs, templates, patches)."""
    installed = _PACKAGE / "data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


ARCHS = data_dir("archs")
TEMPLATES = data_dir("templates")
PATCHES = data_dir("patches")
