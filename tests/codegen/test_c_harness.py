"""The generated C of every arch, compiled with gcc, agrees with the Python encoder bit for bit."""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest

from toolkit.arch import PROT_READ, PROT_WRITE, Arch, FileLayout, arch_names, load_arch
from toolkit.cli import main
from toolkit.codegen.cmacros import render_harness, render_header

GCC = shutil.which("gcc")
Capture = pytest.CaptureFixture[str]
pytestmark = pytest.mark.skipif(GCC is None, reason="gcc is not installed")


def offsets(layout: FileLayout) -> list[int]:
    """0, 1, every single offset bit, all ones, and random offsets from a fixed seed."""
    top = (1 << layout.max_bits) - 1
    rng = random.Random(1005)
    return [
        0,
        1,
        top,
        *(1 << b for b in range(layout.max_bits)),
        *(rng.randrange(top) for _ in range(64)),
    ]


def compile_harness(arch: Arch, layout: FileLayout, folder: Path) -> Path:
    """Compile the harness around the header fragment of `layout`; the executable's path."""
    source = folder / f"{arch.name}-{layout.kind}.c"
    source.write_text(render_harness(arch, render_header(arch, layout)))
    binary = folder / f"{arch.name}-{layout.kind}"
    assert GCC is not None
    done = subprocess.run(
        [GCC, "-std=gnu99", "-O1", "-Wall", "-Wextra", "-Werror", "-o", str(binary), str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return binary


def run(binary: Path, lines: list[str]) -> list[str]:
    """Feed `lines` to the harness and return its output lines."""
    done = subprocess.run(
        [str(binary)], input="\n".join(lines) + "\n", capture_output=True, text=True, check=True
    )
    return done.stdout.splitlines()


@pytest.mark.parametrize("name", arch_names())
def test_generated_c_matches_python(name: str, tmp_path: Path, capsys: Capture) -> None:
    """For each layout of the arch: C encode and decode equal the Python ones on every vector."""
    arch = load_arch(name)
    for kind in arch.layout_kinds():
        layout = arch.layout(kind)
        binary = compile_harness(arch, layout, tmp_path)
        # `rfp encode` prints what the C prints, for read-write pages.
        which = ["--legacy"] if kind == "legacy" else ["--layout", kind]
        values = offsets(layout)
        assert main(["encode", "--arch", name, *which, "--prot", "rw", *map(str, values)]) == 0
        printed = [int(v, 16) for v in capsys.readouterr().out.split()]
        rw = arch.pgprot(PROT_READ | PROT_WRITE)
        assert [int(v, 16) for v in run(binary, [f"e {v:x} {rw:x}" for v in values])] == printed
        vectors = [(pgoff, arch.pgprot(prot)) for pgoff in offsets(layout) for prot in range(8)]
        expected_ptes = [layout.pgoff_prot_to_pte(pgoff, pgprot) for pgoff, pgprot in vectors]
        encoded = run(binary, [f"e {pgoff:x} {pgprot:x}" for pgoff, pgprot in vectors])
        assert [int(v, 16) for v in encoded] == expected_ptes, kind
        decoded = run(binary, [f"d {pte:x} 0" for pte in expected_ptes])
        for pte, line in zip(expected_ptes, decoded, strict=True):
            pgoff, pgprot, is_file = (int(v, 16) for v in line.split())
            assert pgoff == layout.pte_to_pgoff(pte), (kind, hex(pte))
            assert pgprot == layout.pte_to_pgprot(pte), (kind, hex(pte))
            assert bool(is_file) == layout.pte_file(pte), (kind, hex(pte))
