"""`make bench`: build the input, run the four benchmarks, and write bench/RESULTS.md whole."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

# Run as a script (bench/run.py): the checkout must be importable for `bench` and `toolkit`.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import audit, model, verify  # noqa: E402
from bench.report import Section, render  # noqa: E402
from bench.workload import build_input, ensure_peers, say  # noqa: E402
from toolkit.atomic import write_atomic  # noqa: E402

WORK = ROOT / "bench" / "work"
PARTS = ("audit", "cold", "verify", "model")


def _version(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True)
    except OSError:
        return "missing"
    text = (done.stdout or done.stderr).strip().splitlines()
    return text[0] if text else "unknown"


def tool_versions() -> list[str]:
    """One bullet naming the version of each peer tool."""
    found = {
        "diffstat": _version(["diffstat", "-V"]),
        "lsdiff": _version(["lsdiff", "--version"]),
        "git": _version(["git", "--version"]),
        "cc": _version(["cc", "--version"]),
    }
    return ["- peers: " + "; ".join(f"{name}: {text}" for name, text in found.items())]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks asked for and write their results."""
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (default 3)")
    parser.add_argument("--only", action="append", choices=PARTS, help="run only this part")
    parser.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args(argv)
    parts = args.only or PARTS
    started = datetime.now(UTC)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    ensure_peers()
    sections: list[Section] = []
    if "audit" in parts:
        inp = build_input(WORK)
        sections.append(audit.throughput(inp, WORK, args.runs))
    if "cold" in parts:
        sections.append(audit.cold_start(WORK, max(args.runs, 5)))
    if "verify" in parts:
        sections.append(verify.section(WORK, args.runs))
    if "model" in parts:
        sections.append(model.section(WORK, args.runs))
    preamble = [
        *tool_versions(),
        f"- load average when the run started: {load} (other work on this machine during the "
        "run slows every figure; the peers and the toolkit are measured in turn, so their ratios "
        "suffer least)",
    ]
    text = render(sections, started, preamble)
    write_atomic(args.out, text)
    say(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
