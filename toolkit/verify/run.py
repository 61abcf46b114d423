"""`rfp verify ARCH...`: every check on each file-PTE layout of archs/ and of the solver."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from toolkit.arch import Arch, FileLayout, arch_names, load_arch
from toolkit.errors import InputError, MissingInputError
from toolkit.verify.compiled import check_generated
from toolkit.verify.records import Check, Outcome, Report, Result, Source

Progress = Callable[[int, int], None]


def select(names: tuple[str, ...], every: bool) -> tuple[str, ...]:
    """The arches asked for: `names`, or all of archs/ with `every` (or no names)."""
    known = arch_names()
    if every or not names:
        return known
    unknown = [n for n in names if n not in known]
    if unknown:
        raise MissingInputError(
            f"no such arch: {', '.join(unknown)} (known: {', '.join(known)})", "archs"
        )
    return names


def check_layout(
    arch: Arch,
    layout: FileLayout,
    folder: Path,
    *,
    compiled: bool = True,
    exhaustive: bool = False,
    progress: Progress | None = None,
) -> Report:
    """Prove, compile and (optionally) enumerate one layout of `arch`."""
    from toolkit.verify.smt import prove

    began = time.perf_counter()
    results = list(prove(arch, layout))
    if compiled:
        results.append(check_generated(arch, layout, folder))
    else:
        results.append(Result(Check.C, Outcome.SKIPPED, "not asked for"))
    rate = None
    if exhaustive:
        from toolkit.verify.exhaustive import enumerate_layout

        found, rate = enumerate_layout(arch, layout, progress=progress)
        results.append(found)
    else:
        results.append(Result(Check.EXHAUSTIVE, Outcome.SKIPPED, "not asked for"))
    legacy = arch.layout("legacy").max_bits if "legacy" in arch.layout_kinds() else None
    return Report(
        arch=arch.name,
        source=Source(layout.kind),
        pte_bits=arch.pte_bits,
        legacy_max_bits=legacy,
        max_bits=layout.max_bits,
        results=tuple(results),
        seconds=time.perf_counter() - began,
        rate=rate,
    )


def verify_arches(
    names: tuple[str, ...],
    kinds: tuple[str, ...],
    *,
    compiled: bool = True,
    exhaustive: bool = False,
    progress: Callable[[str], Progress | None] | None = None,
) -> tuple[tuple[Report, ...], tuple[str, ...]]:
    """Reports for each kind of layout each arch has, and one line per arch left out and why."""
    reports: list[Report] = []
    skipped: list[str] = []
    with tempfile.TemporaryDirectory(prefix="rfp-verify-") as tmp:
        for name in names:
            arch = load_arch(name)
            for kind in kinds:
                if kind not in arch.layout_kinds():
                    if kind == "solver" and arch.unsolved:
                        skipped.append(f"{name}: no solver layout ({arch.unsolved})")
                    continue
                layout = arch.layout(kind)
                tick = progress(f"{name} {kind}") if progress is not None else None
                reports.append(
                    check_layout(
                        arch,
                        layout,
                        Path(tmp),
                        compiled=compiled,
                        exhaustive=exhaustive,
                        progress=tick,
                    )
                )
    if not reports and not skipped:
        raise InputError(f"no {'/'.join(kinds)} layout in {', '.join(names)}")
    return tuple(reports), tuple(skipped)


def exit_status(reports: tuple[Report, ...], strict: bool) -> int:
    """1 when a generated encoding fails, or with `strict` when anything was found; else 0."""
    if any(r.failed for r in reports):
        return 1
    return 1 if strict and any(r.finding for r in reports) else 0
