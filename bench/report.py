"""RESULTS.md: the machine, the date and one markdown section per benchmark."""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True)
class Section:
    """One benchmark's part of RESULTS.md, already in markdown."""

    title: str
    lines: tuple[str, ...]


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A markdown table."""
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out.extend("| " + " | ".join(row) + " |" for row in rows)
    return out


def verdict(value: float, goal: float, *, at_least: bool = True) -> str:
    """ "met" or "not met" for `value` against `goal`."""
    if value != value:  # NaN: nothing to judge
        return "n/a"
    good = value >= goal if at_least else value <= goal
    return "met" if good else "**not met**"


def not_measured(part: str, reason: str) -> str:
    """The line a figure gets when its part is missing: never a made-up number."""
    return f"not measured: {part} not available ({reason})"


def _proc_field(path: str, key: str) -> str:
    try:
        with open(path) as stream:
            for line in stream:
                name, _, value = line.partition(":")
                if name.strip() == key:
                    return value.strip()
    except OSError:
        pass
    return "unknown"


def machine() -> list[str]:
    """A description of this machine, as bullet lines."""
    mem_kib = _proc_field("/proc/meminfo", "MemTotal").split()[0]
    memory = f"{int(mem_kib) / 2**20:.1f} GiB" if mem_kib.isdigit() else "unknown"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        f"- CPU: {_proc_field('/proc/cpuinfo', 'model name')}, {os.cpu_count()} logical cores",
        f"- memory: {memory}",
        f"- kernel: {platform.system()} {platform.release()} ({platform.machine()})",
        f"- Python: {sys.version.split()[0]} ({sys.executable})",
        f"- load average when the results were written: {load}",
    ]


def render(sections: Sequence[Section], started: datetime, preamble: Sequence[str]) -> str:
    """The whole RESULTS.md."""
    finished = datetime.now(UTC)
    out = [
        "# Benchmark results",
        "",
        "Written by `make bench` (bench/run.py); do not edit by hand, re-run it.",
        f"Run {started:%Y-%m-%d %H:%M} to {finished:%H:%M} UTC "
        f"({(finished - started).total_seconds() / 60:.1f} minutes).",
        "",
        "## Machine",
        "",
        *machine(),
        *preamble,
    ]
    for section in sections:
        out += ["", f"## {section.title}", "", *section.lines]
    return "\n".join(out).rstrip() + "\n"
