"""Golden copies pin the generated header, patch and diagram of a few arches.

RFP_UPDATE_GOLDEN=1 rewrites them from the current code instead of comparing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from toolkit.codegen.port import port_files

GOLDEN = Path(__file__).resolve().parent / "golden"
PINNED = ("i386", "x86_64", "um")


def check(path: Path, text: str) -> None:
    """Compare `text` with the golden file, or rewrite it when asked to."""
    if os.environ.get("RFP_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return
    assert path.exists(), f"{path} missing: run with RFP_UPDATE_GOLDEN=1"
    assert text == path.read_text(), f"{path.name} differs from its golden copy"


@pytest.mark.parametrize("name", PINNED)
def test_golden_header_and_patch(name: str) -> None:
    """The solver header fragment and port patch are byte for byte their golden copies."""
    files = port_files(name, "solver")
    check(GOLDEN / f"{name}.h", files.header)
    check(GOLDEN / f"{name}.patch", files.patch)


def test_golden_svg() -> None:
    """The i386 diagram (shown in the README) is byte for byte its golden copy."""
    check(GOLDEN / "i386.svg", port_files("i386", "solver").svg)


def test_golden_2005_patch() -> None:
    """The i386 port of the 2005 hand layout is pinned too."""
    check(GOLDEN / "i386-2005.patch", port_files("i386", "2005").patch)
