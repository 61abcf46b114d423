"""Compiled C: gcc builds a harness around file-PTE macros, and we compare it with Python."""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

from toolkit.arch import Arch, FileLayout
from toolkit.codegen.cmacros import render_harness, render_header
from toolkit.errors import ExternalToolError
from toolkit.verify.records import Check, Counterexample, Outcome, Result
from toolkit.verify.semantics import predicates

# The generated macros must compile without a single warning; third-party ones only without errors.
STRICT_FLAGS = ("-std=gnu99", "-O1", "-Wall", "-Wextra", "-Werror")
LENIENT_FLAGS = ("-std=gnu99", "-O2", "-w", "-Werror=implicit-function-declaration")


class CompileError(ExternalToolError):
    """gcc refused the source; `first` is its first error line."""

    def __init__(self, first: str, path: Path) -> None:
        super().__init__(f"does not compile: {first}", path)
        self.first = first


def gcc() -> str:
    """The gcc executable, or an ExternalToolError when there is none."""
    found = shutil.which("gcc")
    if found is None:
        raise ExternalToolError("gcc is not installed: the compiled checks need it")
    return found


def first_error(stderr: str, source: Path) -> str:
    """The compiler's first `error:` line, its path shortened to the file name."""
    lines = stderr.splitlines()
    chosen = next((line for line in lines if " error: " in line or "error:" in line), "")
    chosen = chosen or next((line for line in lines if line.strip()), "gcc failed")
    return chosen.replace(str(source), source.name).strip()


def compile_c(source_text: str, folder: Path, name: str, flags: tuple[str, ...]) -> Path:
    """Compile `source_text` as `folder/name.c`; the executable, or CompileError."""
    source = folder / f"{name}.c"
    source.write_text(source_text)
    binary = folder / name
    done = subprocess.run(
        [gcc(), *flags, "-o", str(binary), str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise CompileError(first_error(done.stderr, source), source)
    return binary


def preprocess(source_text: str, folder: Path, name: str) -> str:
    """`source_text` through the C preprocessor alone (gcc -E -P); CompileError if it fails."""
    source = folder / f"{name}.c"
    source.write_text(source_text)
    done = subprocess.run(
        [gcc(), "-E", "-P", "-std=gnu99", str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise CompileError(first_error(done.stderr, source), source)
    return done.stdout


def run_lines(binary: Path, lines: list[str], args: tuple[str, ...] = ()) -> list[str]:
    """Run a harness with `args`, `lines` on its stdin; its output lines."""
    done = subprocess.run(
        [str(binary), *args],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise ExternalToolError(f"harness exited {done.returncode}: {done.stderr.strip()}", binary)
    return done.stdout.splitlines()


def vector_offsets(max_bits: int, count: int = 64, seed: int = 1005) -> list[int]:
    """0, 1, each single bit, each all-ones prefix, and `count` random offsets below 2^max_bits."""
    top = (1 << max_bits) - 1
    rng = random.Random(seed)
    singles = [1 << b for b in range(max_bits)]
    prefixes = [(1 << b) - 1 for b in range(1, max_bits + 1)]
    return list(
        dict.fromkeys([0, 1, *singles, *prefixes, *(rng.randrange(top + 1) for _ in range(count))])
    )


def check_generated(arch: Arch, layout: FileLayout, folder: Path) -> Result:
    """The rendered macros of `layout`, compiled, agree with the Python encoder and decoder."""
    try:
        fragment = render_header(arch, layout)
        binary = compile_c(
            render_harness(arch, fragment), folder, f"{arch.name}-{layout.kind}", STRICT_FLAGS
        )
    except CompileError as exc:
        return Result(Check.C, Outcome.NO_COMPILE, exc.first)
    vectors = [
        (pgoff, arch.pgprot(prot)) for pgoff in vector_offsets(layout.max_bits) for prot in range(8)
    ]
    expected = [layout.pgoff_prot_to_pte(pgoff, pgprot) for pgoff, pgprot in vectors]
    encoded = run_lines(binary, [f"e {pgoff:x} {pgprot:x}" for pgoff, pgprot in vectors])
    for (pgoff, pgprot), want, line in zip(vectors, expected, encoded, strict=True):
        if int(line, 16) != want:
            example = Counterexample(pgoff, pgprot, int(line, 16), f"Python encoder gave {want:#x}")
            return Result(Check.C, Outcome.FAILED, counterexample=example)
    decoded = run_lines(binary, [f"d {pte:x} 0" for pte in expected])
    rules = predicates(arch, layout)
    for (pgoff, pgprot), pte, line in zip(vectors, expected, decoded, strict=True):
        got_pgoff, got_prot, got_file = (int(v, 16) for v in line.split())
        is_file = any(c.holds(pte) for c in rules.file)
        expect = (layout.pte_to_pgoff(pte), layout.pte_to_pgprot(pte), int(is_file))
        if (got_pgoff, got_prot, got_file) != expect:
            example = Counterexample(
                pgoff,
                pgprot,
                pte,
                f"C decoded pgoff {got_pgoff:#x} pgprot {got_prot:#x} file {got_file}, "
                f"Python {expect[0]:#x} {expect[1]:#x} {expect[2]}",
            )
            return Result(Check.C, Outcome.FAILED, counterexample=example)
    return Result(Check.C, Outcome.PASSED, f"{len(vectors)} vectors")
