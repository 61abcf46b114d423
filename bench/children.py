"""Workloads on the reference model, each run in its own process so wait4 sees only its memory.

usage: python bench/children.py ops ARCH PAGES | uml ARCH PAGES [--baseline] [--emulate]
Each prints one JSON object on stdout.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from toolkit.model.emulation import EmulatedSystem
from toolkit.model.include.linux.mman import (
    MAP_NOINHERIT,
    MAP_NONBLOCK,
    MAP_SHARED,
    PROT_NONE,
    PROT_READ,
    PROT_WRITE,
)
from toolkit.model.options import Options
from toolkit.model.system import System


def ops(arch: str, pages: int) -> dict[str, Any]:
    """The C helper's run on the model: reversed single-page remaps (prot 0), then reads."""
    system = System(Options(arch=arch))
    system.create_file("data", pages)
    size = system.PAGE_SIZE
    base = system.mmap(0, pages * size, PROT_READ | PROT_WRITE, MAP_SHARED, "data")
    if base < 0:
        raise SystemExit(f"mmap: {base}")
    began = time.perf_counter()
    for i in range(pages):
        got = system.remap_file_pages(base + i * size, size, 0, pages - 1 - i, MAP_NONBLOCK)
        if got != 0:
            raise SystemExit(f"remap_file_pages page {i}: {got}")
    remapped = time.perf_counter()
    for i in range(pages):
        value = system.read(base + i * size)
        if value != pages - 1 - i:
            raise SystemExit(f"page {i} reads {value}, not {pages - 1 - i}")
    read = time.perf_counter()
    return {
        "pages": pages,
        "remap_s": remapped - began,
        "fault_s": read - remapped,
        "vmas": system.vma_count(),
    }


def uml(arch: str, pages: int, baseline: bool, emulate: bool) -> dict[str, Any]:
    """UML's guest memory: one PROT_NONE shared mapping, every page remapped, r and rw in turn."""
    system = (EmulatedSystem if emulate else System)(Options(arch=arch))
    system.create_file("mem", pages)
    if baseline:
        # The same process up to the mapping: what is left over is the mapping's own cost.
        return {"pages": pages, "remapped": 0, "refused": 0, "seconds": 0.0, "vmas": 0}
    size = system.PAGE_SIZE
    base = system.mmap(0, pages * size, PROT_NONE, MAP_SHARED, "mem")
    if base < 0:
        raise SystemExit(f"mmap: {base}")
    prots = (PROT_READ, PROT_READ | PROT_WRITE)
    began = time.perf_counter()
    done, refused = 0, 0
    for i in range(pages):
        got = system.remap_file_pages(base + i * size, size, prots[i & 1], i, MAP_NOINHERIT)
        if got != 0:
            refused = got
            break
        done += 1
    seconds = time.perf_counter() - began
    # Spot checks that the work was real: the first and last pages carry their own protection.
    checks = {}
    if done:
        checks["first_read"] = str(system.read(base))
        checks["last_write"] = str(system.write(base + (done - 1) * size, 7))
    return {
        "pages": pages,
        "remapped": done,
        "refused": refused,
        "seconds": seconds,
        "vmas": system.vma_count(),
        **checks,
    }


def main(argv: list[str]) -> int:
    """Run the workload named in `argv` and print its JSON."""
    what, arch, pages = argv[0], argv[1], int(argv[2])
    if what == "ops":
        result = ops(arch, pages)
    elif what == "uml":
        result = uml(arch, pages, "--baseline" in argv, "--emulate" in argv)
    else:
        raise SystemExit(f"unknown workload {what!r}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
