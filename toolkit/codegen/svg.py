"""The PTE bit diagram: legacy and patched file-PTE layouts drawn like a datasheet register."""

from __future__ import annotations

from typing import Any

from toolkit.arch import Arch, FileLayout
from toolkit.codegen.cmacros import banner
from toolkit.codegen.render import render
from toolkit.codegen.roles import Role, bit_roles

COLOURS = {
    Role.OFFSET: "#9ecae1",
    Role.PROT: "#fdae6b",
    Role.CONSTANT: "#a1d99b",
    Role.TESTED: "#d9d9d9",
    Role.RESERVED: "#969696",
    Role.UNUSED: "#ffffff",
}
LEGEND = {
    Role.OFFSET: "page offset bit n",
    Role.PROT: "kept protection bit",
    Role.CONSTANT: "constant 1 (file bit)",
    Role.TESTED: "0: tested by pte_present()/pte_file()",
    Role.RESERVED: "0: reserved",
    Role.UNUSED: "0: unused",
}
MARGIN, CELL_W, CELL_H, ROW_BITS = 20, 30, 30, 32
NUMBERS_H, TITLE_H, GAP = 12, 22, 16


def svg_context(arch: Arch, before: FileLayout, after: FileLayout) -> dict[str, Any]:
    """Geometry and labels of the diagram, every coordinate computed here."""
    rows = (arch.pte_bits + ROW_BITS - 1) // ROW_BITS
    blocks: list[dict[str, Any]] = []
    y = 50
    for layout in (before, after):
        title = f"{layout.kind} file PTE: PTE_FILE_MAX_BITS {layout.max_bits}"
        block: dict[str, Any] = {"title": title, "y": y, "numbers": [], "cells": []}
        y += 8
        roles = bit_roles(arch, layout)
        for row in range(rows):
            top = min(arch.pte_bits, (rows - row) * ROW_BITS) - 1  # highest bit of this row
            for col in range(ROW_BITS):
                bit = top - col
                if bit < 0:
                    break
                x = MARGIN + col * CELL_W
                role = roles[bit]
                block["numbers"].append({"x": x + CELL_W // 2, "y": y + NUMBERS_H - 2, "text": bit})
                label = role.label[:8]
                block["cells"].append(
                    {
                        "bit": bit,
                        "detail": role.detail,
                        "x": x,
                        "y": y + NUMBERS_H,
                        "w": CELL_W,
                        "h": CELL_H,
                        "fill": COLOURS[role.role],
                        "label": label,
                        "size": 9 if len(label) <= 3 else 7 if len(label) <= 5 else 5.5,
                        "tx": x + CELL_W // 2,
                        "ty": y + NUMBERS_H + CELL_H // 2 + 3,
                    }
                )
            y += NUMBERS_H + CELL_H + 4
        blocks.append(block)
        y += TITLE_H
    legend = []
    for i, (kind, text) in enumerate(LEGEND.items()):
        lx = MARGIN + (i % 3) * 320
        ly = y + (i // 3) * 20
        legend.append(
            {"x": lx, "y": ly, "fill": COLOURS[kind], "text": text, "tx": lx + 20, "ty": ly + 11}
        )
    return {
        "banner": banner(arch),
        "title": f"{arch.title}: file PTE, {before.kind} and {after.kind}",
        "margin": MARGIN,
        "width": MARGIN * 2 + ROW_BITS * CELL_W,
        "height": y + 2 * 20 + GAP,
        "blocks": blocks,
        "legend": legend,
    }


def render_svg(arch: Arch, before: FileLayout, after: FileLayout) -> str:
    """The SVG diagram of the `before` and `after` file-PTE layouts of `arch`."""
    return render("pte.svg.j2", **svg_context(arch, before, after))
