"""The generated files: banners, a patch that applies, a well-formed diagram."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from toolkit.arch import load_arch
from toolkit.codegen.cmacros import render_harness, render_header
from toolkit.codegen.patch import diffstat, render_patch, target_header
from toolkit.codegen.port import port_files
from toolkit.codegen.roles import Role
from toolkit.codegen.svg import COLOURS

BANNER = "generated from archs/i386.toml by rfp-toolkit, do not edit"


def test_every_file_starts_with_the_banner() -> None:
    """Header, patch, diagram and harness each name their source on their first line."""
    files = port_files("i386")
    i386 = load_arch("i386")
    harness = render_harness(i386, files.header)
    for text in (files.header, files.patch, files.svg, harness):
        assert BANNER in text.splitlines()[0]


@pytest.mark.skipif(shutil.which("patch") is None, reason="patch(1) is not installed")
@pytest.mark.parametrize(("name", "kind"), [("i386", "solver"), ("i386", "2005")])
def test_patch_applies_to_the_legacy_rendering(tmp_path: Path, name: str, kind: str) -> None:
    """The patch turns the legacy macros into the new ones, as `patch -p1` applies it."""
    arch = load_arch(name)
    layout = arch.layout(kind)
    target = tmp_path / target_header(arch)
    target.parent.mkdir(parents=True)
    target.write_text(render_header(arch, arch.layout("legacy"), with_banner=False, comment=False))
    patch = tmp_path / "port.patch"
    patch.write_text(render_patch(arch, layout))
    done = subprocess.run(
        ["patch", "-p1", "-i", str(patch)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert target.read_text() == render_header(arch, layout, with_banner=False)


def test_patch_states_the_bit_change() -> None:
    """The description says PTE_FILE_MAX_BITS before and after, and where PROTNONE moved."""
    i386 = load_arch("i386")
    text = render_patch(i386, i386.layout("solver"))
    flat = " ".join(text.split())
    assert "PTE_FILE_MAX_BITS goes from 29 to 27" in flat
    assert "PROTNONE moves from bit 7 to bit 2 (pte_present() tests it)" in flat
    assert "Giarrusso" in flat and "Molnar" in flat


def test_diffstat_counts() -> None:
    """The diffstat line counts insertions and deletions like diffstat does."""
    stat = diffstat("include/asm-x/pgtable.h", 3, 2)
    assert stat.splitlines() == [
        " include/asm-x/pgtable.h |    5 +++--",
        " 1 file changed, 3 insertions(+), 2 deletions(-)",
    ]


def test_svg_cells_follow_the_layouts() -> None:
    """The i386 diagram is valid XML with one cell per bit per layout, offsets in their colour."""
    i386 = load_arch("i386")
    root = ET.fromstring(port_files("i386").svg)
    ns = {"s": "http://www.w3.org/2000/svg"}
    cells = root.findall(".//s:g/s:rect", ns)
    assert len(cells) == 2 * i386.pte_bits
    fills = [c.get("fill") for c in cells]
    legacy_fills, solver_fills = fills[:32], fills[32:]
    assert legacy_fills.count(COLOURS[Role.OFFSET]) == i386.layout("legacy").max_bits
    assert solver_fills.count(COLOURS[Role.OFFSET]) == i386.layout("solver").max_bits
    assert solver_fills.count(COLOURS[Role.PROT]) == 2
    # Cells run from bit 31 on the left: bit 2 (PROTNONE's new home) is the 30th.
    assert solver_fills[31 - 2] == COLOURS[Role.PROT]
    assert solver_fills[31 - 6] == COLOURS[Role.CONSTANT]
