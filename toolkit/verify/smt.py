"""The one module that imports z3: bit-vector proofs that a file-PTE layout round-trips.

The encoder and decoder are built from the layout's moves, the same declaration the Python
encoder and the C macros come from, as expressions over a bit-vector of the PTE's width. Each
property is proven by asking z3 for an input that breaks it; a model is a counterexample.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

import z3

from toolkit.arch import Arch, Clause, Combine, FileLayout
from toolkit.verify.cexpr import (
    INT,
    LONG,
    UINT,
    ULONG,
    Binary,
    Call,
    Cast,
    Compound,
    CType,
    Expr,
    Member,
    Name,
    Num,
    Ternary,
    Unary,
    UnsupportedExpression,
)
from toolkit.verify.records import Check, Counterexample, Outcome, Result
from toolkit.verify.semantics import predicates, prot_moves, word_bits

_LOCK = threading.Lock()

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
    """The kept pgprot bits set in `pgprot`, by name."""
    if not layout.prot:
        return ""
    return "|".join(p.name for p in layout.prot if pgprot >> p.src & 1) or "none kept"


def _bit_names(arch: Arch, value: int, clauses: tuple[Clause, ...]) -> str:
    """The bits of `value` the clauses test, with their names."""
    tested = 0
    for clause in clauses:
        tested |= clause.mask
    bits = [b for b in range(arch.pte_bits) if (value & tested) >> b & 1]
    return ", ".join(f"bit {b} {'/'.join(arch.bit_names(b))}".rstrip() for b in bits)


def prove(arch: Arch, layout: FileLayout) -> tuple[Result, ...]:
    """Prove pgoff, pgprot, keeps, file, present and swap for every offset and kept prot."""
    width = _width(arch, layout)
    rules = predicates(arch, layout)
    pgoff = z3.BitVec("pgoff", width)
    pgprot = z3.BitVec("pgprot", width)
    domain = [pgprot & ~layout.prot_mask == 0]
    if layout.max_bits < width:
        domain.append(z3.ULT(pgoff, 1 << layout.max_bits))
    pte = _encode(arch, layout, pgoff, pgprot, width)

    def refute(check: Check, broken: Bool, got: BitVec, say: str) -> Result:
        """Ask z3 for an input where `broken` holds: proven if there is none."""
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
    results.append(_prove_keeps(arch, layout, pgoff, width))
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


def _keep_names(arch: Arch, pgprot: int) -> str:
    """The prot.keep bits set in `pgprot`, by name (the kept name where two share a slot)."""
    names = []
    for bit in range(arch.pte_bits):
        if pgprot >> bit & 1:
            kept = [n for n in arch.bit_names(bit) if n in arch.keep]
            names.append(kept[0] if kept else "/".join(arch.bit_names(bit)) or f"bit {bit}")
    return "|".join(names) or "none"


def _prove_keeps(arch: Arch, layout: FileLayout, pgoff: BitVec, width: int) -> Result:
    """Every combination of the arch's prot.keep bits comes back, whichever bits the port keeps."""
    if not layout.keeps_prot:
        # A legacy layout keeps no protection by design; the pre-patch contract judges it.
        return Result(Check.KEEPS, Outcome.NOT_APPLICABLE, "prot not kept")
    keep = arch.mask(*arch.keep)
    pgprot = z3.BitVec("keep_pgprot", width)
    pte = _encode(arch, layout, pgoff, pgprot, width)
    back = _pgprot(layout, pte, width)
    domain = [pgprot & ~keep == 0, back & keep != pgprot]
    if layout.max_bits < width:
        domain.append(z3.ULT(pgoff, 1 << layout.max_bits))
    # Ask first among the protections the kernel really builds (a page swapped out read-only
    # that comes back executable is the finding to show), then among every combination.
    real = sorted({arch.pgprot(prot) & keep for prot in range(8)})
    for narrow in ([z3.Or(*(pgprot == p for p in real))], []):
        solver = z3.Solver()
        solver.add(*domain, *narrow)
        answer = solver.check()
        if answer == z3.sat:
            break
        if answer != z3.unsat:
            return Result(
                Check.KEEPS, Outcome.SKIPPED, f"z3 gave no answer: {solver.reason_unknown()}"
            )
    else:
        return Result(Check.KEEPS, Outcome.PROVEN)
    model = solver.model()
    prot, got = _value(model, pgprot), _value(model, back) & keep
    lost, gained = prot & ~got, got & ~prot
    says = [f"pte_to_pgprot() gave {got:#x} ({_keep_names(arch, got)})"]
    if lost:
        says.append(f"lost {_keep_names(arch, lost)}")
    if gained:
        says.append(f"gained {_keep_names(arch, gained)}")
    example = Counterexample(
        offset=_value(model, pgoff),
        pgprot=prot,
        pte=_value(model, pte),
        got=", ".join(says),
        prot_names=_keep_names(arch, prot),
    )
    return Result(Check.KEEPS, Outcome.FAILED, counterexample=example)


def _prove_swap(
    arch: Arch,
    file: tuple[Clause, ...] | Callable[[BitVec], Bool],
    none: tuple[Clause, ...],
    width: int,
) -> Result:
    """No swap entry (any type and offset swp_entry_t can hold, not none) satisfies pte_file()."""
    swap = arch.swap_entry()
    if not swap.type and not swap.offset:
        return Result(Check.SWAP, Outcome.NOT_APPLICABLE, "no swap fields declared")
    type_ = z3.BitVec("type", width)
    offset = z3.BitVec("offset", width)
    entry: BitVec = z3.BitVecVal(swap.set_mask, width)
    for moves, value in ((swap.type, type_), (swap.offset, offset)):
        for move in moves:
            entry = entry | ((z3.LShR(value, move.src) & ((1 << move.width) - 1)) << move.dst)
    type_bits = min(swap.type_bits, MAX_SWAPFILES_SHIFT)
    offset_bits = min(swap.offset_bits, arch.long_bits - MAX_SWAPFILES_SHIFT)
    solver = z3.Solver()
    solver.add(z3.ULT(type_, 1 << type_bits), z3.ULT(offset, 1 << offset_bits))
    is_file = file(entry) if callable(file) else _holds(file, entry)
    solver.add(z3.Not(_holds(none, entry)), is_file)
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


# -- third-party macros: expanded C expressions, evaluated as the host compiler would -----------


@dataclass(frozen=True, slots=True)
class _Value:
    """A C value: an integer of `ctype`, or a pte_t/pgprot_t struct (`struct` names it)."""

    term: BitVec
    ctype: CType
    struct: str = ""


def _convert(value: _Value, to: CType) -> _Value:
    """`value` converted to `to` as C converts integers (truncate, or sign/zero extend)."""
    if value.struct:
        raise UnsupportedExpression(f"a {value.struct} used as an integer")
    term, have = value.term, value.ctype
    if to.bits < have.bits:
        term = z3.Extract(to.bits - 1, 0, term)
    elif to.bits > have.bits:
        grow = z3.SignExt if have.signed else z3.ZeroExt
        term = grow(to.bits - have.bits, term)
    return _Value(term, to)


def _common(a: CType, b: CType) -> CType:
    """The usual arithmetic conversions between two promoted integer types (LP64)."""
    if a.bits != b.bits:
        return a if a.bits > b.bits else b
    return CType(a.bits, a.signed and b.signed)


def _promote(value: _Value) -> _Value:
    """The integer promotions: anything narrower than int becomes int."""
    return _convert(value, INT) if value.ctype.bits < 32 else _convert(value, value.ctype)


def _bool(term: Bool) -> _Value:
    """A z3 condition as the int 0 or 1 a C comparison gives."""
    return _Value(z3.If(term, z3.BitVecVal(1, 32), z3.BitVecVal(0, 32)), INT)


def _truth(value: _Value) -> Bool:
    """Whether a C value is nonzero, as a z3 condition."""
    scalar = _convert(value, value.ctype)
    return scalar.term != 0


class _Evaluator:
    """Evaluates a parsed expression over z3 variables, with the shim's types for `arch`."""

    def __init__(self, arch: Arch, names: dict[str, _Value]) -> None:
        self.arch = arch
        self.names = names
        self.two_words = arch.pte_bits > arch.long_bits
        self.pteval = CType(64 if arch.pte_bits > 32 else 32, False)
        self.types = {
            "rfp_ulong": CType(64 if arch.long_bits > 32 else 32, False),
            "rfp_pteval": self.pteval,
            "uint32_t": UINT,
            "uint64_t": ULONG,
            "int": INT,
            "signed": INT,
            "signed int": INT,
            "unsigned": UINT,
            "unsigned int": UINT,
            "long": LONG,
            "signed long": LONG,
            "long long": LONG,
            "unsigned long": ULONG,
            "unsigned long long": ULONG,
        }

    def run(self, node: Expr) -> _Value:
        """The value of `node`."""
        if isinstance(node, Num):
            return _Value(z3.BitVecVal(node.value, node.ctype.bits), node.ctype)
        if isinstance(node, Name):
            if node.name not in self.names:
                raise UnsupportedExpression(f"unknown name {node.name}")
            return self.names[node.name]
        if isinstance(node, Cast):
            return _convert(self.run(node.operand), self.types[node.ctype])
        if isinstance(node, Unary):
            return self.unary(node)
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, Ternary):
            then, other = self.run(node.then), self.run(node.other)
            common = _common(_promote(then).ctype, _promote(other).ctype)
            a, b = _convert(then, common), _convert(other, common)
            return _Value(z3.If(_truth(self.run(node.cond)), a.term, b.term), common)
        if isinstance(node, Compound):
            return self.compound(node)
        if isinstance(node, Member):
            return self.member(self.run(node.operand), node.field)
        return self.call(node)

    def unary(self, node: Unary) -> _Value:
        """`~`, `!`, `-` or `+` applied to a promoted operand."""
        value = _promote(self.run(node.operand))
        if node.op == "!":
            return _bool(value.term == 0)
        if node.op == "~":
            return _Value(~value.term, value.ctype)
        if node.op == "-":
            return _Value(-value.term, value.ctype)
        return value

    def binary(self, node: Binary) -> _Value:
        """A binary operator with C's conversions, shifts keeping the left operand's type."""
        op = node.op
        left, right = _promote(self.run(node.left)), _promote(self.run(node.right))
        if op in ("&&", "||"):
            both = (_truth(left), _truth(right))
            return _bool(z3.And(*both) if op == "&&" else z3.Or(*both))
        if op in ("<<", ">>"):
            count = _convert(right, left.ctype).term
            if op == "<<":
                return _Value(left.term << count, left.ctype)
            shifted = left.term >> count if left.ctype.signed else z3.LShR(left.term, count)
            return _Value(shifted, left.ctype)
        common = _common(left.ctype, right.ctype)
        a, b = _convert(left, common).term, _convert(right, common).term
        if op in ("==", "!="):
            return _bool(a == b if op == "==" else a != b)
        if op in ("<", ">", "<=", ">="):
            signed = {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}
            unsigned = {
                "<": z3.ULT(a, b),
                ">": z3.UGT(a, b),
                "<=": z3.ULE(a, b),
                ">=": z3.UGE(a, b),
            }
            return _bool(signed[op] if common.signed else unsigned[op])
        arithmetic = {"+": a + b, "-": a - b, "*": a * b, "&": a & b, "|": a | b, "^": a ^ b}
        return _Value(arithmetic[op], common)

    def compound(self, node: Compound) -> _Value:
        """A pte_t or pgprot_t built from its initialisers, as one PTE-wide word."""
        width = self.pteval.bits
        whole: BitVec = z3.BitVecVal(0, width)
        for index, (field, expr) in enumerate(node.items):
            value = self.run(expr)
            name = field if field is not None else self.positional(node.type_name, index)
            if name in ("pte", "pgprot") or (name == "pte_low" and not self.two_words):
                whole = _convert(value, self.pteval).term
            elif self.two_words and name in ("pte_low", "pte_high"):
                word = _convert(value, UINT).term
                if name == "pte_low":
                    whole = z3.Concat(z3.Extract(width - 1, 32, whole), word)
                else:
                    whole = z3.Concat(word, z3.Extract(31, 0, whole))
            else:
                raise UnsupportedExpression(f"initialiser {name} of {node.type_name}")
        return _Value(whole, self.pteval, node.type_name)

    def positional(self, type_name: str, index: int) -> str:
        """The member the `index`-th plain initialiser of the shim's struct sets."""
        if type_name == "pgprot_t":
            names: tuple[str, ...] = ("pgprot",)
        elif self.two_words:
            names = ("pte_low", "pte_high")  # the anonymous struct is the union's first member
        else:
            names = ("pte",)
        if index >= len(names):
            raise UnsupportedExpression(f"initialiser {index} of {type_name}")
        return names[index]

    def member(self, value: _Value, field: str) -> _Value:
        """`.pte`, `.pte_low`, `.pte_high` or `.pgprot` of a struct value."""
        if not value.struct:
            raise UnsupportedExpression(f".{field} of an integer")
        scalar = _Value(value.term, self.pteval)
        if field in ("pte", "pgprot") or (field == "pte_low" and not self.two_words):
            return scalar
        if self.two_words and field in ("pte_low", "pte_high"):
            bits = (31, 0) if field == "pte_low" else (63, 32)
            return _Value(z3.Extract(*bits, value.term), UINT)
        raise UnsupportedExpression(f"member {field} of {value.struct}")

    def call(self, node: Call) -> _Value:
        """A call of one of the shim's predicates, over the arch's clauses."""
        clauses = {"rfp_file": self.arch.file, "rfp_present": self.arch.present}
        clauses["rfp_none"] = self.arch.none
        if node.name not in clauses or len(node.args) != 1:
            raise UnsupportedExpression(f"call of {node.name}")
        pte = _convert(self.run(node.args[0]), self.pteval).term
        return _bool(_holds(clauses[node.name], pte))


def prove_macros(
    arch: Arch,
    exprs: dict[str, Expr],
    pgprots: tuple[int, ...],
    max_bits: int,
) -> dict[Check, Result]:
    """Prove the checks for expanded third-party macros; UnsupportedExpression if not modelled."""
    # z3's default context is shared and not thread-safe; the arches are checked in threads.
    with _LOCK:
        try:
            return _prove_macros(arch, exprs, pgprots, max_bits)
        except z3.Z3Exception as exc:
            # A sort clash means our model of C went wrong: fall back to sampling, say why.
            raise UnsupportedExpression(f"z3 refused the expression: {exc}") from exc


def _prove_macros(
    arch: Arch,
    exprs: dict[str, Expr],
    pgprots: tuple[int, ...],
    max_bits: int,
) -> dict[Check, Result]:
    """prove_macros() without the lock."""
    ulong = CType(64 if arch.long_bits > 32 else 32, False)
    pteval = CType(64 if arch.pte_bits > 32 else 32, False)
    offset = z3.BitVec("pgoff", ulong.bits)
    pgprot = z3.BitVec("pgprot", pteval.bits)
    evaluate = _Evaluator(arch, {"rfp_o": _Value(offset, ulong), "rfp_p": _Value(pgprot, pteval)})
    pte = _convert(evaluate.run(exprs["encode"]), pteval).term

    def on(entry: BitVec) -> _Evaluator:
        """An evaluator with `rfp_v` bound to the PTE `entry`."""
        return _Evaluator(arch, {"rfp_v": _Value(entry, pteval)})

    keeps = "pgprot" in exprs
    domain = [z3.Or(*(pgprot == p for p in pgprots))]
    if max_bits < ulong.bits:
        domain.append(z3.ULT(offset, 1 << max_bits))
    keep = arch.mask(*arch.keep) if arch.keep else 0
    back = _convert(on(pte).run(exprs["decode"]), ulong).term
    checks: list[tuple[Check, Bool, BitVec, str]] = [
        (Check.PGOFF, back != offset, back, "pte_to_pgoff() gave {got:#x}")
    ]
    if keeps:
        kept = _convert(on(pte).run(exprs["pgprot"]), pteval).term
        checks.append(
            (Check.PGPROT, kept & keep != pgprot & keep, kept, "pte_to_pgprot() gave {got:#x}")
        )
    is_file = _truth(on(pte).run(exprs["file"]))
    checks.append(
        (
            Check.FILE,
            z3.Or(z3.Not(is_file), _holds(arch.none, pte)),
            pte,
            "pte_file() is false or pte_none() is true",
        )
    )
    checks.append((Check.PRESENT, _holds(arch.present, pte), pte, "pte_present() is true"))
    found: dict[Check, Result] = {}
    for check, broken, got, say in checks:
        solver = z3.Solver()
        solver.add(*domain, broken)
        answer = solver.check()
        if answer == z3.unsat:
            found[check] = Result(check, Outcome.PROVEN)
        elif answer == z3.sat:
            model = solver.model()
            example = Counterexample(
                offset=_value(model, offset),
                pgprot=_value(model, pgprot),
                pte=_value(model, pte),
                got=say.format(got=_value(model, got)),
            )
            found[check] = Result(check, Outcome.FAILED, counterexample=example)
    width = max(arch.pte_bits, arch.long_bits)
    found[Check.SWAP] = _prove_swap(
        arch,
        lambda entry: _truth(
            on(_convert(_Value(entry, CType(width, False)), pteval).term).run(exprs["file"])
        ),
        arch.none,
        width,
    )
    return found
