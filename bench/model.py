"""Benchmark 4: the reference model against the running kernel, and UML's 1M-page workload."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.measure import CommandFailed, Run, run_once
from bench.report import Section, not_measured, table, verdict
from bench.stats import Summary, fmt, fmt_summary, rates, summarize
from bench.workload import say

HERE = Path(__file__).resolve().parent
ARCH = "i386"
# 4 GiB does not fit below i386's 3 GiB TASK_SIZE: the UML guest runs on an x86_64 host.
UML_ARCH = "x86_64"
# Below vm.max_map_count: since 4.0 the real kernel spends one VMA per reordered page.
OPS_PAGES = 16384
UML_PAGES = 1 << 20
REMAP_GOAL = 100_000
UML_SECONDS_GOAL = 10.0
BYTES_PER_PAGE_GOAL = 16.0


def _child(args: list[str], out: Path) -> tuple[Run, dict[str, Any]]:
    run = run_once([sys.executable, str(HERE / "children.py"), *args], out)
    return run, json.loads(run.stdout)


def _helper(work: Path) -> Path | str:
    """The C helper compiled into bench/work/, or why it could not be."""
    binary = work / "fremap_bench"
    source = HERE / "fremap_bench.c"
    if binary.is_file() and binary.stat().st_mtime >= source.stat().st_mtime:
        return binary
    built = subprocess.run(
        ["cc", "-O2", "-Wall", "-o", str(binary), str(source)],
        stderr=subprocess.PIPE,
        text=True,
    )
    if built.returncode != 0:
        return (built.stderr.strip().splitlines() or ["cc failed"])[0]
    return binary


def _kernel_run(binary: Path, work: Path) -> dict[str, float]:
    done = run_once(
        [str(binary), str(work / "fremap.data"), str(OPS_PAGES)], work / "out" / "c.txt"
    )
    numbers: dict[str, float] = {}
    for line in done.stdout.decode().splitlines():
        name, _, seconds = line.split()
        numbers[name] = float(seconds)
    return numbers


def operations(work: Path, runs: int) -> list[str]:
    """Remaps/s and faults/s of the model and of the kernel, run in turn in the same loop."""
    model: list[dict[str, Any]] = []
    kernel: list[dict[str, float]] = []
    helper = _helper(work)
    say(f"model vs kernel operations x{runs}")
    model_error = kernel_error = ""
    for _ in range(runs):
        try:
            model.append(_child(["ops", ARCH, str(OPS_PAGES)], work / "out" / "ops.json")[1])
        except (CommandFailed, OSError, ValueError) as exc:
            model_error = str(exc)
        if isinstance(helper, Path):
            try:
                kernel.append(_kernel_run(helper, work))
            except (CommandFailed, OSError, ValueError) as exc:
                kernel_error = str(exc)
        else:
            kernel_error = f"cc: {helper}"
    rows = []
    for op, key, kkey in (("remaps", "remap_s", "remaps"), ("faults", "fault_s", "faults")):
        mine = rates(OPS_PAGES, [m[key] for m in model]) if model and not model_error else None
        real = rates(OPS_PAGES, [k[kkey] for k in kernel]) if kernel and not kernel_error else None
        goal = (
            f">= {REMAP_GOAL:,}/s: {verdict(mine.median, REMAP_GOAL)}"
            if op == "remaps" and mine
            else ""
        )
        rows.append(
            [
                op,
                fmt_summary(mine) if mine else not_measured("model", model_error),
                fmt_summary(real) if real else not_measured("C helper", kernel_error),
                f"{fmt(mine.median / real.median)}x" if mine and real else "n/a",
                goal,
            ]
        )
    return [
        f"{OPS_PAGES:,} single-page `remap_file_pages(prot 0, MAP_NONBLOCK)` calls in reversed "
        f"offset order over one shared mapping, then one read of each page (a fault each). Model: "
        f"the patched model (`{ARCH}`, default patch set) in a fresh Python process; kernel: "
        f"bench/fremap_bench.c on this machine's Linux (which emulates the call with one VMA per "
        f"page). Both run {runs} times, alternating; figures are per second, min / median / max.",
        "",
        *table(["operation", "model /s", "kernel /s", "model / kernel (median)", "goal"], rows),
    ]


def _uml(work: Path, extra: list[str]) -> tuple[Run, dict[str, Any]]:
    return _child(["uml", UML_ARCH, str(UML_PAGES), *extra], work / "out" / "uml.json")


def uml(work: Path, runs: int) -> list[str]:
    """The 1,048,576-page workload: wall, and peak memory per page over a run without the mmap."""
    say(f"UML workload, {UML_PAGES:,} pages x{runs}")
    try:
        full = [_uml(work, []) for _ in range(runs)]
        base = [_uml(work, ["--baseline"]) for _ in range(runs)]
        emulated = _uml(work, ["--emulate"])[1]
    except (CommandFailed, OSError, ValueError) as exc:
        return [not_measured("model", str(exc))]
    incomplete = [d for _, d in full if d["remapped"] != UML_PAGES]
    if incomplete:
        return [
            f"The model refused page {incomplete[0]['remapped']} of {UML_PAGES:,} "
            f"with {incomplete[0]['refused']}: no timing is given for a workload that did not run."
        ]
    seconds = summarize([d["seconds"] for _, d in full])
    walls = summarize([r.wall for r, _ in full])
    base_kib = min(r.maxrss_kib for r, _ in base)
    per_page = summarize([(r.maxrss_kib - base_kib) * 1024 / UML_PAGES for r, _ in full])
    rate: Summary = rates(UML_PAGES, [d["seconds"] for _, d in full])
    vmas = full[0][1]["vmas"]
    rows = [
        [
            "remap loop, s",
            fmt_summary(seconds),
            f"< {UML_SECONDS_GOAL:g} s: "
            f"{verdict(seconds.median, UML_SECONDS_GOAL, at_least=False)}",
        ],
        ["process wall (start, setup, loop), s", fmt_summary(walls), "(for reference)"],
        ["remaps/s", fmt_summary(rate), f">= {REMAP_GOAL:,}/s: {verdict(rate.median, REMAP_GOAL)}"],
        [
            "peak memory per mapped page, bytes",
            fmt_summary(per_page),
            f"< {BYTES_PER_PAGE_GOAL:g} B: "
            f"{verdict(per_page.median, BYTES_PER_PAGE_GOAL, at_least=False)}",
        ],
    ]
    return [
        f"UML's pattern on the patched model (`{UML_ARCH}`): one shared PROT_NONE mapping of "
        f"{UML_PAGES:,} pages (4 GiB), every page remapped alone with MAP_NOINHERIT, read-only and "
        f"read-write in turn ({runs} runs). Peak memory per page is the workload's peak RSS minus "
        f"that of the same process stopping before the mmap (min of {runs}: "
        f"{base_kib / 1024:.0f} MiB), divided by the page count. VMAs at the end: {vmas}.",
        "",
        *table(["figure", "min / median / max", "goal"], rows),
        "",
        f"The emulation model (an unpatched kernel; UML maps each page alone) on the same "
        f"workload: {emulated['remapped']:,} pages done, then {emulated['refused']} "
        f"(-ENOMEM is -12) with {emulated['vmas']:,} VMAs, in "
        f"{fmt(emulated['seconds'])} s.",
    ]


def section(work: Path, runs: int) -> Section:
    """Benchmark 4 as a RESULTS.md section."""
    # The operation runs are short, so they get more repeats than the 1M-page workload.
    return Section("4. Model", (*operations(work, max(runs, 5)), "", *uml(work, runs)))
