"""`rfp verify --series` and `--headers`: check the file-PTE macros others wrote, compiled.

The macros are taken as the series leaves them (context and added lines of each hunk) or as a
kernel include tree has them, compiled against a shim of the arch's facts, and run over a dense
vector set (every offset where the offset has at most 32 bits and `--exhaustive` is given).
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from toolkit.arch import Arch, load_arch
from toolkit.errors import InputError
from toolkit.series import LineKind, read_series
from toolkit.verify.cdefines import FILE_PTE_MACROS, Define, closure, emit, parse_defines
from toolkit.verify.cexpr import Expr, UnsupportedExpression, parse
from toolkit.verify.compiled import LENIENT_FLAGS, CompileError, compile_c, preprocess, run_lines
from toolkit.verify.records import Check, Counterexample, Outcome, Report, Result, Source
from toolkit.verify.shim import harness, probe, provided

# include/asm-ARCH/pgtable.h, pgtable-2level.h, ...
_PGTABLE = re.compile(r"(?:^|/)include/asm-[^/]+/pgtable[^/]*\.h$")
_ENCODERS = ("pte_to_pgoff", "pgoff_prot_to_pte", "pgoff_to_pte")
_CHECKS = (Check.PGOFF, Check.PGPROT, Check.FILE, Check.PRESENT, Check.SWAP)
_NEW_SIDE = (LineKind.CONTEXT, LineKind.ADDED)


def series_defines(path: Path) -> dict[str, tuple[Define, ...]]:
    """Per pgtable header the series touches, the #defines its hunks leave (in series order)."""
    series = read_series(path)
    found: dict[str, list[Define]] = {}
    for patch in series.patches:
        for diff in patch.files:
            if not _PGTABLE.search(diff.path):
                continue
            for hunk in diff.hunks:
                lines = [(ln.patch_line, ln.text) for ln in hunk.lines if ln.kind in _NEW_SIDE]
                found.setdefault(diff.path, []).extend(parse_defines(lines, patch.source))
    return {header: tuple(defines) for header, defines in found.items()}


def header_defines(root: Path, arches: tuple[Arch, ...]) -> dict[str, tuple[Define, ...]]:
    """Per header the arches list, the #defines of that file under `root` (a tree or include/)."""
    found: dict[str, tuple[Define, ...]] = {}
    for arch in arches:
        for header in arch.headers:
            if header in found or not header.startswith("include/"):
                continue
            for candidate in (root / header, root / header.removeprefix("include/")):
                if candidate.is_file():
                    text = candidate.read_text(errors="replace").splitlines()
                    found[header] = parse_defines(enumerate(text, 1), str(candidate))
                    break
    return found


def _bit_name(arch: Arch, bit: int) -> str:
    """The name of a pgprot bit: a kept protection bit's name where two names share the slot."""
    names = arch.bit_names(bit)
    kept = [n for n in names if n in arch.keep]
    return (kept or list(names) or [f"bit{bit}"])[0]


def _example(
    arch: Arch, check: Check, offset: int, pgprot: int, pte: int, got: str
) -> Counterexample:
    """A counterexample with the pgprot bits named, and the present bits a PTE trips."""
    if check is Check.SWAP:
        return Counterexample(offset, 0, pte, got)
    if check is Check.PRESENT:
        tested = 0
        for clause in arch.present:
            tested |= clause.mask
        bits = [b for b in range(arch.pte_bits) if (pte & tested) >> b & 1]
        why = ", ".join(f"bit {b} {'/'.join(arch.bit_names(b))}" for b in bits)
        got = f"pte_present() is true ({why})"
    names = "|".join(_bit_name(arch, b) for b in range(arch.pte_bits) if pgprot >> b & 1)
    return Counterexample(offset, pgprot, pte, got, names)


def _counterexample(arch: Arch, fields: list[str]) -> tuple[Check, Counterexample]:
    """A `fail CHECK O P PTE GOT WHAT` line of the harness as a counterexample."""
    name, offset, pgprot, pte, got = fields[1], *(int(v, 16) for v in fields[2:6])
    check = Check(name)
    words = {
        Check.PGOFF: f"pte_to_pgoff() gave {got:#x}",
        Check.PGPROT: f"pte_to_pgprot() gave {got:#x}",
        Check.FILE: "pte_file() is false" if got == 0 else "pte_none() is true",
        Check.PRESENT: "pte_present() is true",
        Check.SWAP: f"swap entry type {pgprot} offset {offset:#x} reads as pte_file()",
    }
    return check, _example(arch, check, offset, pgprot, pte, words[check])


def _prove(
    arch: Arch, macros: str, legacy: int | None, keeps: bool, max_bits: int, folder: Path
) -> tuple[dict[Check, Result], str]:
    """z3 results for the expanded macros, or none and why they could not be modelled."""
    from toolkit.verify.smt import prove_macros

    try:
        text = preprocess(probe(arch, macros, legacy), folder, f"{arch.name}-probe")
        exprs: dict[str, Expr] = {}
        for line in text.splitlines():
            if line.startswith("RFP_PROBE "):
                name, expression = line.removeprefix("RFP_PROBE ").split(":", 1)
                if name in ("encode", "decode", "file") or (name == "pgprot" and keeps):
                    exprs[name] = parse(expression)
        pgprots = tuple(sorted({arch.pgprot(prot) for prot in range(8)}))
        return prove_macros(arch, exprs, pgprots, min(max_bits, arch.long_bits)), ""
    except (UnsupportedExpression, CompileError) as exc:
        return {}, f"; no z3 proof: {exc.message}"


def _replayed(binary: Path, check: Check, example: Counterexample) -> bool:
    """Whether the compiled macros fail `check` on the counterexample z3 found."""
    output = run_lines(binary, [], ("one", f"{example.offset:x}", f"{example.pgprot:x}"))
    return any(line.split()[:2] == ["fail", check.value] for line in output)


def _merge(
    arch: Arch,
    check: Check,
    sampled: Counterexample | None,
    proof: Result | None,
    how: str,
    binary: Path,
) -> Result:
    """One check's result from the compiled sample and the z3 proof, a failure from either.

    A counterexample z3 finds is replayed through the compiled macros first: only one the
    compiler agrees with counts, so a gap in our model of C cannot invent a defect.
    """
    if sampled is not None:
        said = (
            " (z3 found none: the model and the compiler disagree)"
            if proof and proof.outcome is Outcome.PROVEN
            else ""
        )
        return Result(check, Outcome.FAILED, f"found by the compiled {how}{said}", sampled)
    if proof is not None and proof.outcome is Outcome.FAILED and proof.counterexample:
        found = proof.counterexample
        if check is not Check.SWAP and not _replayed(binary, check, found):
            said = f"z3's counterexample offset {found.offset:#x} passes compiled: not counted"
            return Result(check, Outcome.PASSED, f"{how}; {said}")
        example = _example(arch, check, found.offset, found.pgprot, found.pte, found.got)
        return Result(check, Outcome.FAILED, f"found by z3; the {how} missed it", example)
    if proof is not None and proof.outcome is Outcome.PROVEN:
        return Result(check, Outcome.PROVEN, f"z3, and the compiled {how} passed")
    return Result(check, Outcome.PASSED, how)


def _locate(error: str, program: str) -> str:
    """gcc's error line, with the patch or header line of the macro it points into."""
    found = re.search(r"\.c:(\d+):", error)
    if found is None:
        return error
    lines = program.splitlines()[: int(found.group(1))]
    for text in reversed(lines):
        origin = re.fullmatch(r"/\* (\S+:\d+) \*/", text)
        if origin:
            return f"{error} (macro from {origin.group(1)})"
        if text.startswith("/* the macros under test"):
            break
    return error


def check_macros(
    arch: Arch, defines: tuple[Define, ...], where: str, source: Source, exhaustive: bool
) -> Report:
    """Compile the file-PTE macros among `defines` against `arch`'s shim and run the checks."""
    began = time.perf_counter()
    legacy = arch.layout("legacy").max_bits if "legacy" in arch.layout_kinds() else None
    macros = emit(closure(defines, FILE_PTE_MACROS, provided(arch)))
    program = harness(arch, macros, legacy)
    results: list[Result] = []
    max_bits: int | None = None
    with tempfile.TemporaryDirectory(prefix="rfp-verify-") as tmp:
        try:
            binary = compile_c(program, Path(tmp), f"{arch.name}-{source.value}", LENIENT_FLAGS)
        except CompileError as exc:
            results.append(Result(Check.C, Outcome.NO_COMPILE, _locate(exc.first, program)))
            results += [Result(c, Outcome.SKIPPED, "does not compile") for c in _CHECKS]
        else:
            output = run_lines(binary, [], ("all" if exhaustive else "dense",))
            failures: dict[Check, Counterexample] = {}
            checked = 0
            bits_note = ""
            for line in output:
                fields = line.split()
                if fields[0] == "max_bits":
                    max_bits = int(fields[1])
                    if fields[2] == "facts":
                        bits_note = "; PTE_FILE_MAX_BITS not in the macros, legacy value used"
                elif fields[0] == "checked":
                    checked = int(fields[1])
                elif fields[0] == "fail":
                    check, example = _counterexample(arch, fields)
                    failures.setdefault(check, example)
            enumerated = exhaustive and max_bits is not None and max_bits <= 32
            how = "every offset" if enumerated else "dense sample"
            keeps = "pgoff_prot_to_pte" in {d.name for d in defines}
            proofs, why = _prove(arch, macros, legacy, keeps, max_bits or arch.long_bits, Path(tmp))
            detail = f"{checked} vectors, {how}{bits_note}{why}"
            results.append(Result(Check.C, Outcome.PASSED, detail))
            for check in _CHECKS:
                if check is Check.PGPROT and not keeps:
                    results.append(Result(check, Outcome.NOT_APPLICABLE, "no pgoff_prot_to_pte"))
                else:
                    sampled = failures.get(check)
                    proof = proofs.get(check)
                    results.append(_merge(arch, check, sampled, proof, how, binary))
    order = {c: i for i, c in enumerate((*_CHECKS, Check.C))}
    return Report(
        arch=arch.name,
        source=source,
        pte_bits=arch.pte_bits,
        legacy_max_bits=legacy,
        max_bits=max_bits,
        results=tuple(sorted(results, key=lambda r: order[r.check])),
        seconds=time.perf_counter() - began,
        where=where,
    )


def _check_all(
    found: dict[str, tuple[Define, ...]],
    names: tuple[str, ...],
    source: Source,
    exhaustive: bool,
    what: Path,
) -> tuple[Report, ...]:
    """Reports for the arches whose headers in `found` hold file-PTE macros."""
    jobs: list[tuple[Arch, tuple[Define, ...], str]] = []
    for name in names:
        arch = load_arch(name)
        headers = [h for h in arch.headers if h in found]
        defines = tuple(d for h in headers for d in found[h])
        if not any(d.name in _ENCODERS for d in defines):
            continue
        where = next(h for h in headers if any(d.name in _ENCODERS for d in found[h]))
        jobs.append((arch, defines, where))
    if not jobs:
        raise InputError("no file-PTE macros of a known arch (include/asm-*/pgtable*.h)", what)
    # Each job waits on gcc and then on its harness: one thread per core keeps them all busy.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return tuple(
            pool.map(lambda job: check_macros(job[0], job[1], job[2], source, exhaustive), jobs)
        )


def verify_series(path: Path, names: tuple[str, ...], exhaustive: bool) -> tuple[Report, ...]:
    """One report per arch whose file-PTE macros the series at `path` touches."""
    return _check_all(series_defines(path), names, Source.SERIES, exhaustive, path)


def verify_headers(root: Path, names: tuple[str, ...], exhaustive: bool) -> tuple[Report, ...]:
    """One report per arch whose file-PTE macros the include tree at `root` defines."""
    arches = tuple(load_arch(n) for n in names)
    return _check_all(header_defines(root, arches), names, Source.HEADERS, exhaustive, root)
