"""TOML input read with errors that name the file and the line."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from toolkit.errors import ToolkitError

# tomllib ends its messages with "(at line 2, column 5)"; the line goes into the error's location.
_POSITION = re.compile(r" ?\(at line (\d+), column \d+\)")


def parse_toml(text: str, path: str | Path, error: type[ToolkitError]) -> dict[str, Any]:
    """`text` parsed as TOML, or `error` at the line where tomllib stopped."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _POSITION.search(str(exc))
        message = _POSITION.sub("", str(exc))
        line = int(found.group(1)) if found else None
        raise error(f"not valid TOML: {message}", path, line) from None


def line_of(text: str, needle: str) -> int | None:
    """The number of the first line of `text` holding `needle`, for errors tomllib cannot place."""
    return next((n for n, line in enumerate(text.splitlines(), 1) if needle in line), None)
