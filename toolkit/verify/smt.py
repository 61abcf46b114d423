"""The one module that imports z3: bit-vector proofs that a file-PTE layout round-trips.

The encoder and decoder are built from the layout's moves, the same declaration the Python
encoder and the C macros come from, as expressions over a bit-vector of the PTE's width. Each
property is proven by asking z3 for an input that breaks it; a model is a counterexample.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import z3

from toolkit.arch import Arch, Clause, Combine, FileLayout
from toolkit.verify.records import Check, Counterexample, Outcome, Result
from toolkit.verify.semantics import predicates, prot_moves, swap, word_bits

# include/linux/swap.h: swp_entry_t keeps the type in the top MAX_SWAPFILES_SHIFT (5) bits of an
# unsigned long, so no swap PTE holds a type of 32 or more, or an offset wider than the rest.
MAX_SWAPFILES_SHIFT = 5

# z3 ships no type hints: its expressions are Any to mypy, named here for the reader.
BitVec: TypeAlias = Any
Bool: TypeAlias = Any


def _encode(arch: Arch, layout: FileLayout, pgoff: BitVec, pgprot: BitVec, width: int) -> BitVec:
    """pgoff_prot_to_pte(pgoff, pgprot) as the layout's moves compute it, in its C word."""
    add = layout.combine is Combine.ADD
    pte: BitVec = z3.BitVecVal(layout.set_mask, width)
    for move in layout.encode:
        field = (z3.LShR(pgoff, move.src) & ((1 << move.width) - 1)) << move.dst
        pte = pte + field if add else pte | field
    # Under "add" the kernel sums the kept pgprot bits too (ia64), carries included.
    for src, dst, _ in prot_moves(layout):
        bit = (z3.LShR(pgprot, src) & 1) << dst
        pte = pte + bit if add else pte | bit
    return pte & ((1 << word_bits(arch, layout)) - 1)


def encode_value(arch: Arch, layout: FileLayout, pgoff: int, pgprot: int) -> int:
    """The PTE the z3 encoder gives for concrete inputs (to compare with the Python one)."""
    width = _width(arch, layout)
    term = _encode(arch, layout, z3.BitVecVal(pgoff, width), z3.BitVecVal(pgprot, width), width)
    found = z3.simplify(term)
    assert isinstance(found, z3.BitVecNumRef)
    return int(found.as_long())


def _width(arch: Arch, layout: FileLayout) -> int:
    """A bit-vector width that holds the PTE, an unsigned long and every offset of the layout."""
    return max(arch.pte_bits, arch.long_bits, layout.max_bits)


def _decode(layout: FileLayout, pte: BitVec, width: int) -> BitVec:
    """pte_to_pgoff(pte) as the layout's decode moves compute it."""
    pgoff: BitVec = z3.BitVecVal(0, width)
    for move in layout.decode:
        field = (z3.LShR(pte, move.src) & ((1 << move.width) - 1)) << move.dst
        pgoff = pgoff + field if layout.combine is Combine.ADD else pgoff | field
    return pgoff


def _pgprot(layout: FileLayout, pte: BitVec, width: int) -> BitVec:
    """pte_to_pgprot(pte): the kept bits back at their pgprot positions."""
    pgprot: BitVec = z3.BitVecVal(0, width)
    for src, _, read in prot_moves(layout):
        pgprot = pgprot | ((z3.LShR(pte, read) & 1) << src)
    return pgprot


def _holds(clauses: tuple[Clause, ...], pte: BitVec) -> Bool:
    """The predicate made of `clauses` (any of them) applied to `pte`."""
    terms = [pte & c.mask != 0 if c.equals is None else pte & c.mask == c.equals for c in clauses]
    return z3.Or(*terms) if terms else z3.BoolVal(False)


def _value(model: z3.ModelRef, term: BitVec) -> int:
    """The integer `term` takes in `model`."""
    found = model.eval(term, model_completion=True)
    assert isinstance(found, z3.BitVecNumRef)
    return int(found.as_long())


def _prot_names(layout: FileLayout, pgprot: int) -> str:
    if not layout.prot:
        return ""
    return "|".join(p.name for p in layout.prot if pgprot >> p.src & 1) or "none kept"


def _bit_names(arch: Arch, value: int, clauses: tuple[Clause, ...]) -> str:
    tested = 0
    for clause in clauses:
        tested |= clause.mask
    bits = [b for b in range(arch.pte_bits) if (value & tested) >> b & 1]
    return ", ".join(f"bit {b} {'/'.join(arch.bit_names(b))}".rstrip() for b in bits)


def prove(arch: Arch, layout: FileLayout) -> tuple[Result, ...]:
    """Prove pgoff, pgprot, file, present and swap for every offset and kept prot combination."""
    width = _width(arch, layout)
    rules = predicates(arch, layout)
    pgoff = z3.BitVec("pgoff", width)
    pgprot = z3.BitVec("pgprot", width)
    domain = [pgprot & ~layout.prot_mask == 0]
    if layout.max_bits < width:
        domain.append(z3.ULT(pgoff, 1 << layout.max_bits))
    pte = _encode(arch, layout, pgoff, pgprot, width)

    def refute(check: Check, broken: Bool, got: BitVec, say: str) -> Result:
        solver = z3.Solver()
        solver.add(*domain, broken)
        answer = solver.check()
        if answer == z3.unsat:
            return Result(check, Outcome.PROVEN)
        if answer != z3.sat:
            return Result(check, Outcome.SKIPPED, f"z3 gave no answer: {solver.reason_unknown()}")
        model = solver.model()
        value, prot = _value(model, pte), _value(model, pgprot)
        example = Counterexample(
            offset=_value(model, pgoff),
            pgprot=prot,
            pte=value,
            got=say.format(got=_value(model, got)),
            prot_names=_prot_names(layout, prot),
        )
        return Result(check, Outcome.FAILED, counterexample=example)

    back = _decode(layout, pte, width)
    results = [refute(Check.PGOFF, back != pgoff, back, "pte_to_pgoff() gave {got:#x}")]
    if layout.keeps_prot:
        kept = _pgprot(layout, pte, width)
        results.append(
            refute(Check.PGPROT, kept != pgprot, kept, "pte_to_pgprot() kept bits {got:#x}")
        )
    else:
        results.append(Result(Check.PGPROT, Outcome.NOT_APPLICABLE, "prot not kept"))
    results.append(
        refute(
            Check.FILE,
            z3.Or(z3.Not(_holds(rules.file, pte)), _holds(rules.none, pte)),
            pte,
            "pte_file() is false or pte_none() is true",
        )
    )
    present = refute(Check.PRESENT, _holds(rules.present, pte), pte, "pte_present() is true")
    if present.counterexample is not None:
        example = present.counterexample
        why = _bit_names(arch, example.pte, rules.present)
        present = Result(
            Check.PRESENT,
            Outcome.FAILED,
            counterexample=Counterexample(
                example.offset,
                example.pgprot,
                example.pte,
                f"pte_present() is true ({why})",
                example.prot_names,
            ),
        )
    results.append(present)
    results.append(_prove_swap(arch, rules.file, rules.none, width))
    return tuple(results)


def _prove_swap(
    arch: Arch, file: tuple[Clause, ...], none: tuple[Clause, ...], width: int
) -> Result:
    """No swap entry (any type and offset swp_entry_t can hold, not none) satisfies pte_file()."""
    layout = swap(arch)
    if not layout.type and not layout.offset:
        return Result(Check.SWAP, Outcome.NOT_APPLICABLE, "no swap fields declared")
    type_ = z3.BitVec("type", width)
    offset = z3.BitVec("offset", width)
    entry: BitVec = z3.BitVecVal(layout.set_mask, width)
    for moves, value in ((layout.type, type_), (layout.offset, offset)):
        for move in moves:
            entry = entry | ((z3.LShR(value, move.src) & ((1 << move.width) - 1)) << move.dst)
    type_bits = min(layout.type_bits, MAX_SWAPFILES_SHIFT)
    offset_bits = min(layout.offset_bits, arch.long_bits - MAX_SWAPFILES_SHIFT)
    solver = z3.Solver()
    solver.add(z3.ULT(type_, 1 << type_bits), z3.ULT(offset, 1 << offset_bits))
    solver.add(z3.Not(_holds(none, entry)), _holds(file, entry))
    answer = solver.check()
    if answer == z3.unsat:
        return Result(Check.SWAP, Outcome.PROVEN)
    if answer != z3.sat:
        return Result(Check.SWAP, Outcome.SKIPPED, f"z3 gave no answer: {solver.reason_unknown()}")
    model = solver.model()
    swap_type, swap_offset = _value(model, type_), _value(model, offset)
    example = Counterexample(
        offset=swap_offset,
        pgprot=0,
        pte=_value(model, entry),
        got=f"swap entry type {swap_type} offset {swap_offset:#x} reads as pte_file()",
    )
    return Result(Check.SWAP, Outcome.FAILED, counterexample=example)
