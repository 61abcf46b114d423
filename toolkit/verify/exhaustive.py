"""Every offset times every kept prot combination, enumerated with numpy on all cores.

The offset space is cut into tasks for a process pool; each task walks its range in chunks small
enough to stay in cache, and every step writes into buffers allocated once per task.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from toolkit.arch import Arch, Clause, Combine, FileLayout
from toolkit.verify.records import Check, Counterexample, Outcome, Result
from toolkit.verify.semantics import predicates, prot_moves, word_bits

CHUNK = 1 << 15  # offsets per step: a few 128-256 KiB buffers stay in L2
TASK = 1 << 22  # offsets per pool task: enough work to hide the pickling
MAX_BITS = 32  # above this the space is too large to enumerate

Array = npt.NDArray[Any]  # uint32 or uint64, chosen by the PTE width
Progress = Callable[[int, int], None]
# (mask, equals) of a predicate clause; equals -1 means "any bit of mask set"
Clauses = tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class Spec:
    """What a worker process needs of the arch and layout, as plain numbers."""

    wide: bool  # 64-bit PTE
    add: bool  # fields are added and may carry (else they are or-ed, or added without carries)
    set_mask: int
    encode: tuple[tuple[int, int, int], ...]  # (src, mask, dst)
    decode: tuple[tuple[int, int, int], ...]
    top: int  # the encoder's C word: carries beyond it are lost
    prot: tuple[tuple[int, int, int], ...]  # (pgprot bit, PTE bit written, PTE bit read back)
    pgprots: tuple[int, ...]  # every combination of the kept bits
    file: Clauses
    none: Clauses
    present: Clauses


def _disjoint(masks: list[int]) -> bool:
    """Whether no two of `masks` share a bit."""
    seen = 0
    for mask in masks:
        if seen & mask:
            return False
        seen |= mask
    return True


def _spec(arch: Arch, layout: FileLayout) -> Spec:
    """The plain-number description of `layout` a worker process receives."""
    prots = prot_moves(layout)
    pgprots = tuple(
        sum(1 << src for i, (src, _, _) in enumerate(prots) if combo >> i & 1)
        for combo in range(1 << len(prots))
    )
    rules = predicates(arch, layout)

    def clauses(found: tuple[Clause, ...]) -> Clauses:
        """Clauses as (mask, equals) pairs, -1 for an `any` clause."""
        return tuple((c.mask, -1 if c.equals is None else c.equals) for c in found)

    # Sums of fields that share no bit cannot carry: then "add" is "or", and the fast path holds.
    written = [m.dst_mask for m in layout.encode] + [layout.set_mask]
    written += [1 << dst for _, dst, _ in prots]
    read = [m.dst_mask for m in layout.decode]
    carries = not (_disjoint(written) and _disjoint(read))
    return Spec(
        wide=arch.pte_bits > 32,
        add=layout.combine is Combine.ADD and carries,
        set_mask=layout.set_mask,
        encode=tuple((m.src, (1 << m.width) - 1, m.dst) for m in layout.encode),
        decode=tuple((m.src, (1 << m.width) - 1, m.dst) for m in layout.decode),
        top=(1 << word_bits(arch, layout)) - 1,
        prot=prots,
        pgprots=pgprots,
        file=clauses(rules.file),
        none=clauses(rules.none),
        present=clauses(rules.present),
    )


def _fields(
    spec_moves: tuple[tuple[int, int, int], ...], word: Array, out: Array, tmp: Array, add: bool
) -> None:
    """out (already holding the constant bits) gets every moved field of `word`, in place."""
    for src, mask, dst in spec_moves:
        np.right_shift(word, src, out=tmp)
        np.bitwise_and(tmp, mask, out=tmp)
        np.left_shift(tmp, dst, out=tmp)
        if add:
            np.add(out, tmp, out=out)
        else:
            np.bitwise_or(out, tmp, out=out)


def _predicate(clauses: Clauses, pte: Array, tmp: Array, hit: npt.NDArray[np.bool_]) -> None:
    """hit = whether the predicate holds for each PTE (the slow, exact path)."""
    hit.fill(False)
    for mask, equals in clauses:
        np.bitwise_and(pte, mask, out=tmp)
        hit |= tmp != 0 if equals < 0 else tmp == equals


def _always(clauses: Clauses, both: tuple[int, int]) -> bool:
    """Whether the OR and AND of a chunk's PTEs prove one clause holds for every PTE."""
    ored, anded = both
    for mask, equals in clauses:
        if equals < 0 and anded & mask:
            return True
        if equals >= 0 and anded & mask == equals and ored & mask == equals:
            return True
    return False


def _never(clauses: Clauses, both: tuple[int, int]) -> bool:
    """Whether the OR and AND of a chunk's PTEs prove no clause holds for any PTE."""
    ored, anded = both
    for mask, equals in clauses:
        if equals < 0 and ored & mask:
            return False
        # (pte & mask) == equals is impossible when a bit set in every PTE is clear in
        # `equals`, or a bit clear in every PTE is set in it.
        if equals >= 0 and not (anded & mask & ~equals or ~ored & mask & equals):
            return False
    return True


def _moved(moves: tuple[tuple[int, int, int], ...], word: int, add: bool) -> int:
    """The moves applied to one integer, as _fields applies them to an array."""
    value = 0
    for src, mask, dst in moves:
        value = (
            value + ((word >> src & mask) << dst) if add else value | (word >> src & mask) << dst
        )
    return value


def _run_range(spec: Spec, start: int, stop: int) -> tuple[int, tuple[tuple[str, int, int], ...]]:
    """Check offsets start..stop-1 with every pgprot; the count and the first failure per check.

    Each chunk is judged first from the OR and AND of its PTEs and from XOR error words, which
    settles a correct layout; only a chunk those cannot clear is tested element by element.
    Under "or" every decoder is a bit extraction, so decode(fields | c) = decode(fields) |
    decode(c): the offset part is decoded once per chunk and each pgprot adds a constant.
    """
    dtype = np.uint64 if spec.wide else np.uint32
    full = (1 << (64 if spec.wide else 32)) - 1
    size = min(CHUNK, stop - start)
    offsets = np.arange(start, start + size, dtype=dtype)
    fields, pte, tmp, back, dec, pdec = (np.empty(size, dtype=dtype) for _ in range(6))
    hit = np.empty(size, dtype=np.bool_)
    failures: dict[str, tuple[str, int, int]] = {}
    pmoves = tuple((read, 1, src) for src, _, read in spec.prot)
    done = 0

    def note(check: Check, bad: npt.NDArray[np.bool_], n: int, pgprot: int) -> None:
        """Note the first PTE of the chunk where `bad` is set, once per check."""
        if check.value not in failures and bad[:n].any():
            index = int(np.argmax(bad[:n]))
            failures[check.value] = (check.value, int(offsets[index]), pgprot)

    def differs(check: Check, errors: Array, n: int, pgprot: int) -> None:
        """Note the first nonzero entry of `errors` (an XOR with the expected values)."""
        if check.value not in failures and np.bitwise_or.reduce(errors[:n]):
            index = int(np.flatnonzero(errors[:n])[0])
            failures[check.value] = (check.value, int(offsets[index]), pgprot)

    def predicates(
        n: int, pgprot: int, both: tuple[int, int], make_pte: Callable[[], None]
    ) -> None:
        """The file, none and present checks; the PTEs are built only if a reduction can't tell."""
        built = False
        for check, clauses, wanted in (
            (Check.FILE, spec.file, True),
            (Check.FILE, spec.none, False),
            (Check.PRESENT, spec.present, False),
        ):
            if (_always if wanted else _never)(clauses, both) or check.value in failures:
                continue
            if not built:
                make_pte()
                built = True
            _predicate(clauses, pte, tmp, hit)
            if wanted:
                np.logical_not(hit, out=hit)
            note(check, hit, n, pgprot)

    at = start
    while at < stop:
        n = min(size, stop - at)
        if at != start:
            np.add(offsets, size, out=offsets)
        fields.fill(spec.set_mask)
        _fields(spec.encode, offsets, fields, tmp, spec.add)
        if not spec.add:
            if spec.top != full:
                np.bitwise_and(fields, spec.top, out=fields)
            dec.fill(0)
            _fields(spec.decode, fields, dec, tmp, False)
            pdec.fill(0)
            _fields(pmoves, fields, pdec, tmp, False)
            ored = int(np.bitwise_or.reduce(fields[:n]))
            anded = int(np.bitwise_and.reduce(fields[:n]))
        for pgprot in spec.pgprots:
            const = sum((pgprot >> src & 1) << dst for src, dst, _ in spec.prot)
            if spec.add:
                np.add(fields, const, out=pte)
                if spec.top != full:
                    np.bitwise_and(pte, spec.top, out=pte)
                back.fill(0)
                _fields(spec.decode, pte, back, tmp, True)
                np.bitwise_xor(back, offsets, out=back)
                differs(Check.PGOFF, back, n, pgprot)
                if spec.prot:
                    back.fill(0)
                    _fields(pmoves, pte, back, tmp, False)
                    np.bitwise_xor(back, pgprot, out=back)
                    differs(Check.PGPROT, back, n, pgprot)
                both = (int(np.bitwise_or.reduce(pte[:n])), int(np.bitwise_and.reduce(pte[:n])))
                predicates(n, pgprot, both, lambda: None)
            else:
                const &= spec.top
                np.bitwise_or(dec, _moved(spec.decode, const, False) & full, out=back)
                np.bitwise_xor(back, offsets, out=back)
                differs(Check.PGOFF, back, n, pgprot)
                if spec.prot:
                    np.bitwise_or(pdec, _moved(pmoves, const, False) & full, out=back)
                    np.bitwise_xor(back, pgprot, out=back)
                    differs(Check.PGPROT, back, n, pgprot)

                def make_pte(c: int = const) -> None:
                    """Build this pgprot's PTEs, for the element-wise path."""
                    np.bitwise_or(fields, c, out=pte)

                predicates(n, pgprot, (ored | const, anded | const), make_pte)
            done += n
        at += n
    return done, tuple(failures.values())


def _task(args: tuple[Spec, int, int]) -> tuple[int, tuple[tuple[str, int, int], ...]]:
    """One pool task: a range of offsets (a top-level function, so it pickles)."""
    return _run_range(*args)


def _holds(clauses: tuple[Clause, ...], pte: int) -> bool:
    """Whether one PTE satisfies any of `clauses`."""
    return any(c.holds(pte) for c in clauses)


def _counterexample(
    arch: Arch, layout: FileLayout, check: Check, pgoff: int, pgprot: int
) -> Counterexample:
    """The failure found by a worker, described with the Python encoder."""
    pte = layout.pgoff_prot_to_pte(pgoff, pgprot)
    rules = predicates(arch, layout)
    got = {
        Check.PGOFF: f"pte_to_pgoff() gave {layout.pte_to_pgoff(pte):#x}",
        Check.PGPROT: f"pte_to_pgprot() kept bits {layout.pte_to_pgprot(pte):#x}",
        Check.FILE: f"pte_file() {_holds(rules.file, pte)}, pte_none() {_holds(rules.none, pte)}",
        Check.PRESENT: "pte_present() is true",
    }[check]
    names = "|".join(p.name for p in layout.prot if pgprot >> p.src & 1)
    return Counterexample(pgoff, pgprot, pte, got, names or ("none kept" if layout.prot else ""))


def enumerate_layout(
    arch: Arch,
    layout: FileLayout,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    task: int = TASK,
) -> tuple[Result, float | None]:
    """The exhaustive check of `layout` and its rate in encodings per second."""
    if layout.max_bits > MAX_BITS:
        return Result(
            Check.EXHAUSTIVE, Outcome.SKIPPED, f"{layout.max_bits} offset bits > {MAX_BITS}"
        ), None
    spec = _spec(arch, layout)
    total = 1 << layout.max_bits
    tasks = [(spec, start, min(start + task, total)) for start in range(0, total, task)]
    workers = workers or os.cpu_count() or 1
    began = time.perf_counter()
    checked = 0
    found: dict[str, tuple[str, int, int]] = {}
    outputs: Iterator[tuple[int, tuple[tuple[str, int, int], ...]]]
    if workers == 1 or len(tasks) == 1:
        outputs = map(_task, tasks)
        pool = None
    else:
        pool = multiprocessing.get_context("fork").Pool(min(workers, len(tasks)))
        outputs = pool.imap_unordered(_task, tasks)
    try:
        for count, failures in outputs:
            checked += count
            for failure in failures:
                # tasks finish in any order: keep the lowest offset so the answer is stable
                if failure[0] not in found or failure[1] < found[failure[0]][1]:
                    found[failure[0]] = failure
            if progress is not None:
                progress(checked, total * len(spec.pgprots))
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    seconds = time.perf_counter() - began
    rate = checked / seconds if seconds > 0 else None
    if not found:
        return Result(Check.EXHAUSTIVE, Outcome.PASSED, f"{checked} encodings"), rate
    order = [c.value for c in Check]
    failing = sorted(found, key=order.index)
    name, pgoff, pgprot = found[failing[0]]
    example = _counterexample(arch, layout, Check(name), pgoff, pgprot)
    detail = f"{', '.join(failing)} fail; {checked} encodings"
    return Result(Check.EXHAUSTIVE, Outcome.FAILED, detail, example), rate
