"""`rfp port`: per arch the header fragment, the port patch and the bit diagram, and a summary."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from toolkit.arch import arch_names, load_arch
from toolkit.arch.solver import problems
from toolkit.atomic import write_atomic
from toolkit.codegen.cmacros import render_header
from toolkit.codegen.patch import render_patch
from toolkit.codegen.svg import render_svg
from toolkit.errors import InputError

PORT_LAYOUTS = ("solver", "2005")


@dataclass(frozen=True, slots=True)
class PortResult:
    """What `rfp port` produced for one arch."""

    arch: str
    pte_bits: int
    legacy_bits: int  # PTE_FILE_MAX_BITS before
    patched_bits: int  # PTE_FILE_MAX_BITS after
    kind: str  # the layout ported: solver or 2005
    kept: tuple[str, ...]  # kept protection bits, by name
    files: tuple[Path, ...]
    hand_bits: int | None = None  # PTE_FILE_MAX_BITS of the 2005 hand port, if there was one
    hand_problems: tuple[str, ...] = ()  # what is wrong with it, by its own predicates


@dataclass(frozen=True, slots=True)
class PortFiles:
    """The three generated texts of one arch, before they are written."""

    header: str
    patch: str
    svg: str


def port_files(name: str, kind: str = "solver") -> PortFiles:
    """Render the header fragment, patch and SVG of arch `name` for layout `kind`."""
    arch = load_arch(name)
    layout = arch.layout(kind)
    return PortFiles(
        header=render_header(arch, layout),
        patch=render_patch(arch, layout),
        svg=render_svg(arch, arch.layout("legacy"), layout),
    )


def select_arches(names: tuple[str, ...], every: bool, kind: str) -> tuple[str, ...]:
    """The arches to port: the named ones, or with `every` all that have a `kind` layout."""
    if kind not in PORT_LAYOUTS:
        raise InputError(f"layout {kind!r}: expected one of {', '.join(PORT_LAYOUTS)}")
    if every and names:
        raise InputError("give arch names or --all, not both")
    if not every:
        if not names:
            raise InputError("no arch given: name one or more, or use --all")
        return names
    return tuple(n for n in arch_names() if kind in load_arch(n).layout_kinds())


def unsolved() -> tuple[tuple[str, str], ...]:
    """The arches the solver found no layout for, with the reason."""
    found = (load_arch(n) for n in arch_names())
    return tuple((a.name, a.unsolved) for a in found if a.unsolved)


def port(names: tuple[str, ...], kind: str, out: Path) -> tuple[PortResult, ...]:
    """Write <arch>.h, <arch>.patch and <arch>.svg under `out` for each arch."""
    # Everything is rendered before anything is written, so bad data leaves no partial set.
    rendered = {name: port_files(name, kind) for name in names}
    results: list[PortResult] = []
    for name, files in rendered.items():
        arch = load_arch(name)
        layout = arch.layout(kind)
        hand = arch.layout("2005") if "2005" in arch.layout_kinds() else None
        paths = (out / f"{name}.h", out / f"{name}.patch", out / f"{name}.svg")
        for path, text in zip(paths, (files.header, files.patch, files.svg), strict=True):
            write_atomic(path, text)
        results.append(
            PortResult(
                arch=name,
                pte_bits=arch.pte_bits,
                legacy_bits=arch.layout("legacy").max_bits,
                patched_bits=layout.max_bits,
                kind=kind,
                kept=tuple(p.name for p in layout.prot),
                files=paths,
                hand_bits=hand.max_bits if hand else None,
                hand_problems=problems(arch, hand) if hand else (),
            )
        )
    return tuple(results)


def format_table(results: tuple[PortResult, ...], skipped: tuple[tuple[str, str], ...] = ()) -> str:
    """The summary table of `rfp port`, then the arches left out and why."""
    rows = [("arch", "PTE bits", "PTE_FILE_MAX_BITS", "kept prot bits", "2005 hand port")]
    notes = []
    for r in results:
        change = f"{r.legacy_bits} -> {r.patched_bits}"
        hand = "-"
        if r.hand_bits is not None:
            hand = f"{r.hand_bits} {'wrong' if r.hand_problems else 'ok'}"
        rows.append((r.arch, str(r.pte_bits), change, ", ".join(r.kept) or "-", hand))
        if r.hand_problems:
            note = f"{r.arch}: the 2005 hand port ({r.hand_bits} bits) is wrong: "
            note += "; ".join(r.hand_problems)
            cost = (r.hand_bits or 0) - r.patched_bits
            if cost > 0:
                note += f"; the {r.kind} layout keeps {r.patched_bits} ({cost} fewer)"
            notes.append(note)
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines += notes
    lines += [f"not ported: {name}: {why}" for name, why in skipped]
    return "\n".join(lines)


def format_json(results: tuple[PortResult, ...], skipped: tuple[tuple[str, str], ...] = ()) -> str:
    """The summary of `rfp port` as JSON."""
    return json.dumps(
        {
            "ported": [
                {
                    "arch": r.arch,
                    "pte_bits": r.pte_bits,
                    "layout": r.kind,
                    "pte_file_max_bits": {"legacy": r.legacy_bits, "patched": r.patched_bits},
                    "kept_prot_bits": list(r.kept),
                    "hand_port_2005": None
                    if r.hand_bits is None
                    else {"max_bits": r.hand_bits, "problems": list(r.hand_problems)},
                    "files": [str(p) for p in r.files],
                }
                for r in results
            ],
            "not_ported": [{"arch": name, "reason": why} for name, why in skipped],
        },
        indent=2,
    )
