"""Every offset times every kept prot combination, enumerated with numpy on all cores.

The offset space is cut into tasks for a process pool forked once; each task walks its range in
chunks that stay in L2, and every step writes into buffers allocated once per task. A chunk is
judged from a few reductions of its encoded offsets; only a chunk that may fail is walked again
element by element, to find its lowest failing offset.
"""

from __future__ import annotations

import atexit
import multiprocessing
import multiprocessing.pool
import os
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from toolkit.arch import Arch, Clause, Combine, FileLayout
from toolkit.verify.records import Check, Counterexample, Outcome, Result
from toolkit.verify.semantics import predicates, prot_moves, word_bits

CHUNK = 1 << 15  # offsets per step: five to seven 128 KiB buffers stay in a core's 2 MiB L2
TASK = 1 << 22  # offsets per pool task: enough work to hide the pickling
MAX_BITS = 32  # above this the space is too large to enumerate
WORD = (1 << 32) - 1  # one uint32 word of the fast judge's arrays

Array = npt.NDArray[Any]  # uint32 or uint64
Progress = Callable[[int, int], None]
# (mask, equals) of a predicate clause; equals -1 means "any bit of mask set"
Clauses = tuple[tuple[int, int], ...]
Moves = tuple[tuple[int, int, int], ...]  # (src, mask, dst) of each moved field
# One moved field as an array step: input word `w` shifted left by `shift` (right when
# negative), then and-ed with `mask` (-1 when the shift alone leaves no stray bit).
Op = tuple[int, int, int]
# An Op ready for numpy: (input word, direction of the shift, amount, mask or None), the numbers
# as scalars of the arrays' type: numpy converts a Python int on every call, and its in-place
# loops with a Python int ran about 1.5 times slower here on 2^15 uint32 elements.
Step = tuple[int, int, Any, Any]
Failure = tuple[str, int, int]  # (check, offset, pgprot)


@dataclass(frozen=True, slots=True)
class Spec:
    """What a worker process needs of the arch and layout, as plain numbers."""

    wide: bool  # 64-bit PTE
    add: bool  # fields are added and may carry (else they are or-ed, or added without carries)
    set_mask: int
    encode: Moves
    decode: Moves
    top: int  # the encoder's C word: carries beyond it are lost
    prot: tuple[tuple[int, int, int], ...]  # (pgprot bit, PTE bit written, PTE bit read back)
    pgprots: tuple[int, ...]  # every combination of the kept bits
    file: Clauses
    none: Clauses
    present: Clauses
    # The fast judge works on uint32 words: word v of the encoded offsets holds PTE bits
    # low+32v..low+32v+31, and word v of what decodes from them offset bits 32v..32v+31.
    # Fields that carry are judged in one word as wide as the PTE instead (`bits`).
    bits: int
    low: int
    enc_ops: tuple[tuple[Op, ...], ...]  # per word of the encoded offsets
    top_ops: tuple[int, ...]  # mask per encoded word, -1 where none is needed
    dec_ops: tuple[tuple[Op, ...], ...]  # per word of the decoded offsets
    consts: tuple[tuple[int, int, int, int], ...]  # (pgprot, PTE bits it adds, decoded, read back)
    unique_reads: bool  # each kept bit read from one PTE bit: pgprot is judged by reductions
    seen: int  # the PTE bits the predicates and pte_to_pgprot() look at


def _disjoint(masks: list[int]) -> bool:
    """Whether no two of `masks` share a bit."""
    seen = 0
    for mask in masks:
        if seen & mask:
            return False
        seen |= mask
    return True


def _ops(
    moves: Moves,
    possible: tuple[int, ...],
    shifts: tuple[int, int],
    words: int,
    bits: int,
    add: bool,
) -> tuple[tuple[tuple[Op, ...], ...], tuple[int, ...]]:
    """`moves` as array steps per output word, and the bits each output word can hold.

    Input word w holds the value's bits from shifts[0] + bits*w, and may have the bits of
    possible[w] set; output word v holds the result's bits from shifts[1] + bits*v.
    """
    word = (1 << bits) - 1
    ops: list[list[Op]] = [[] for _ in range(words)]
    reach = [0] * words
    for src, mask, dst in moves:
        for w, can in enumerate(possible):
            for v in range(words):
                shift = dst - src + shifts[0] + bits * w - shifts[1] - bits * v
                if abs(shift) >= bits:
                    continue  # no bit of input word w lands in output word v
                field = ((mask << dst) >> (shifts[1] + bits * v)) & word
                moved = (can << shift if shift >= 0 else can >> -shift) & word
                if moved & field:
                    ops[v].append((w, shift, -1 if not moved & ~field else field))
                    reach[v] |= moved & field
    if add and any(len(found) > 1 for found in ops):
        reach = [word] * words  # a sum that carries may set any bit of the word
    return tuple(tuple(found) for found in ops), tuple(reach)


def _moved(moves: Moves, word: int, add: bool) -> int:
    """The moves applied to one integer, as _fields applies them to an array."""
    value = 0
    for src, mask, dst in moves:
        value = (
            value + ((word >> src & mask) << dst) if add else value | (word >> src & mask) << dst
        )
    return value


def _judge_ops(
    wide: bool, add: bool, encode: Moves, decode: Moves, max_bits: int, top: int, split: bool
) -> tuple[int, int, tuple[tuple[Op, ...], ...], tuple[int, ...], tuple[tuple[Op, ...], ...]]:
    """(bits, low, enc_ops, top_ops, dec_ops) of the fast judge."""
    offsets = ((1 << max_bits) - 1,)
    full = (1 << (64 if wide else 32)) - 1
    if add or not split:
        # carries need the PTE's own word; the constant bits may carry into any of its bits
        bits = 64 if wide else 32
        enc, _ = _ops(encode, offsets, (0, 0), 1, bits, add)
        top_op = top & full if full & ~top else -1
        dec, _ = _ops(decode, (full & top,), (0, 0), 1, bits, add)
        return bits, 0, enc, (top_op,), dec
    # the PTE bits the offsets can reach, and so the fewest uint32 words that hold them
    _, (used,) = _ops(encode, offsets, (0, 0), 1, 64 if wide else 32, False)
    used &= top
    low = (used & -used).bit_length() - 1 if used else 0
    words = 2 if used >> low > WORD else 1
    enc, reach = _ops(encode, offsets, (0, low), words, 32, False)
    tops = tuple((top >> (low + 32 * v)) & WORD for v in range(words))
    top_ops = tuple(t if r & ~t else -1 for t, r in zip(tops, reach, strict=True))
    masked = tuple(r & t for r, t in zip(reach, tops, strict=True))
    # decoded bits above the offsets' 32 are kept in a second word, to be found wrong there
    dec, _ = _ops(decode, masked, (low, 0), 2 if wide else 1, 32, False)
    return 32, low, enc, top_ops, dec[:1] if len(dec) > 1 and not dec[1] else dec


def _spec(arch: Arch, layout: FileLayout, *, split: bool = True) -> Spec:
    """The plain-number description of `layout` a worker process receives.

    Without `split`, the judge works in the PTE's own width even where uint32 words would do.
    """
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
    add = layout.combine is Combine.ADD and carries
    wide = arch.pte_bits > 32
    full = (1 << (64 if wide else 32)) - 1
    top = (1 << word_bits(arch, layout)) - 1
    encode = tuple((m.src, (1 << m.width) - 1, m.dst) for m in layout.encode)
    decode = tuple((m.src, (1 << m.width) - 1, m.dst) for m in layout.decode)
    pmoves = tuple((read_at, 1, src) for src, _, read_at in prots)
    consts = []
    for pgprot in pgprots:
        bits = sum((pgprot >> src & 1) << dst for src, dst, _ in prots)
        const = ((layout.set_mask + bits) & full) if add else (layout.set_mask | bits) & top
        consts.append(
            (pgprot, const, _moved(decode, const, False) & full, _moved(pmoves, const, False))
        )
    found = (clauses(rules.file), clauses(rules.none), clauses(rules.present))
    seen = sum(1 << read_at for _, _, read_at in prots)
    for group in found:
        for mask, _ in group:
            seen |= mask
    bits, low, enc_ops, top_ops, dec_ops = _judge_ops(
        wide, add, encode, decode, layout.max_bits, top & full, split
    )
    return Spec(
        wide=wide,
        add=add,
        set_mask=layout.set_mask,
        encode=encode,
        decode=decode,
        top=top,
        prot=prots,
        pgprots=pgprots,
        file=found[0],
        none=found[1],
        present=found[2],
        bits=bits,
        low=low,
        enc_ops=enc_ops,
        top_ops=top_ops,
        dec_ops=dec_ops,
        consts=tuple(consts),
        unique_reads=len({src for src, _, _ in prots}) == len(prots),
        seen=seen,
    )


def _steps(ops: tuple[Op, ...], dtype: type[np.unsignedinteger[Any]]) -> tuple[Step, ...]:
    """`ops` with shift and mask as scalars of the arrays' type, for _apply."""
    return tuple(
        (w, (shift > 0) - (shift < 0), dtype(abs(shift)), None if mask < 0 else dtype(mask))
        for w, shift, mask in ops
    )


def _apply(
    steps: tuple[Step, ...], inputs: tuple[Array, ...], out: Array, tmp: Array, add: bool
) -> Array:
    """The sum or OR of every step on the input words: in `out`, or an input word itself."""
    if len(steps) == 1 and steps[0][1] == 0 and steps[0][3] is None:
        return inputs[steps[0][0]]  # the field is the whole word, unmoved: no copy
    if not steps:
        out.fill(0)
    for i, (w, direction, amount, mask) in enumerate(steps):
        word, dest = inputs[w], out if i == 0 else tmp
        if direction > 0:
            np.left_shift(word, amount, out=dest)
        elif direction < 0:
            np.right_shift(word, amount, out=dest)
        elif mask is not None:
            np.bitwise_and(word, mask, out=dest)
            mask = None
        else:
            np.copyto(dest, word)
        if mask is not None:
            np.bitwise_and(dest, mask, out=dest)
        if i:
            (np.add if add else np.bitwise_or)(out, tmp, out=out)
    return out


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


def _suspects(spec: Spec, pgprot: int, read: int, both: tuple[int, int]) -> set[str]:
    """The checks other than pgoff one pgprot may fail, from the OR and AND of its PTEs.

    `read` is pte_to_pgprot() of the pgprot's constant bits; with each kept bit read from one
    PTE bit, the bit read back is the same in every PTE of the chunk, or the reductions show
    that it is not.
    """
    found: set[str] = set()
    if spec.prot:
        if not spec.unique_reads:
            found.add(Check.PGPROT.value)
        else:
            pmoves = tuple((at, 1, src) for src, _, at in spec.prot)
            ored, anded = (_moved(pmoves, value, False) for value in both)
            if read & ~pgprot | ~read & (ored & ~pgprot | ~anded & pgprot):
                found.add(Check.PGPROT.value)
    if not _always(spec.file, both) or not _never(spec.none, both):
        found.add(Check.FILE.value)
    if not _never(spec.present, both):
        found.add(Check.PRESENT.value)
    return found


class _Judge:
    """Buffers of one task and the per-chunk verdict: which checks the chunk may fail."""

    def __init__(self, spec: Spec, size: int) -> None:
        """Allocate the chunk buffers once for the whole task."""
        self.spec = spec
        dtype = np.uint32 if spec.bits == 32 else np.uint64
        self.dtype = dtype
        self.enc = tuple(_steps(ops, dtype) for ops in spec.enc_ops)
        self.dec = tuple(_steps(ops, dtype) for ops in spec.dec_ops)
        self.tops = tuple(None if t < 0 else dtype(t) for t in spec.top_ops)
        # only sums add the constant bits to arrays; "or" folds them into the verdict
        self.consts = tuple(dtype(const) for _, const, _, _ in spec.consts) if spec.add else ()
        self.base = np.arange(size, dtype=dtype)
        self.off, self.tmp, self.pte = (np.empty(size, dtype=dtype) for _ in range(3))
        self.fields = np.empty((len(spec.enc_ops), size), dtype=dtype)
        self.back = np.empty((len(spec.dec_ops), size), dtype=dtype)
        # Under "or" the verdict depends on a few reduced words only, so chunks repeat it.
        self.cache: dict[tuple[int, int, int, int], frozenset[str]] = {}
        self.decoded = 0
        for _, _, decoded, _ in spec.consts:
            self.decoded |= decoded

    def judge(self, at: int, n: int, done: Collection[str]) -> frozenset[str]:
        """The checks that may fail on offsets at..at+n-1 (exact for pgoff; see _suspects).

        Checks in `done` have failed at a lower offset already; only sums skip them.
        """
        spec = self.spec
        off, tmp = self.off[:n], self.tmp[:n]
        np.add(self.base[:n], self.dtype(at), out=off)
        if spec.add:
            return self._judge_sums(off, tmp, done)
        words: list[Array] = []
        ored = anded = 0
        for v, steps in enumerate(self.enc):
            word = _apply(steps, (off,), self.fields[v, :n], tmp, False)
            top = self.tops[v]
            if top is not None:
                word = np.bitwise_and(word, top, out=self.fields[v, :n])
            words.append(word)
            ored |= int(np.bitwise_or.reduce(word)) << (spec.low + 32 * v)
            anded |= int(np.bitwise_and.reduce(word)) << (spec.low + 32 * v)
        errors = 0
        for v, steps in enumerate(self.dec):
            word = _apply(steps, tuple(words), self.back[v, :n], tmp, False)
            if v == 0:
                # XOR with the offsets: one OR-reduction then tells whether any came back wrong
                word = np.bitwise_xor(word, off, out=self.back[v, :n])
            errors |= int(np.bitwise_or.reduce(word)) << 32 * v
        # the offsets of a range share the bits above the highest bit where its ends differ
        last = at + n - 1
        common = at & ~((1 << (at ^ last).bit_length()) - 1)
        key = (ored & spec.seen, anded & spec.seen, errors, common & self.decoded)
        verdict = self.cache.get(key)
        if verdict is None:
            found: set[str] = set()
            for pgprot, const, decoded, read in spec.consts:
                # decode(fields | const) = decode(fields) | decoded: a bit decoded from the
                # constant is wrong where an offset lacks it, any other where `errors` has it
                if errors & ~decoded or ~common & decoded:
                    found.add(Check.PGOFF.value)
                found |= _suspects(spec, pgprot, read, (ored | const, anded | const))
            verdict = self.cache[key] = frozenset(found)
        return verdict

    def _judge_sums(self, off: Array, tmp: Array, done: Collection[str]) -> frozenset[str]:
        """The verdict when fields are added with carries: each pgprot's PTEs are built."""
        spec = self.spec
        n = len(off)
        fields = _apply(self.enc[0], (off,), self.fields[0, :n], tmp, True)
        pte, back = self.pte[:n], self.back[0, :n]
        found: set[str] = set()
        for (pgprot, _, _, _), const in zip(spec.consts, self.consts, strict=True):
            np.add(fields, const, out=pte)
            top = self.tops[0]
            if top is not None:
                np.bitwise_and(pte, top, out=pte)
            if Check.PGOFF.value not in done:
                word = _apply(self.dec[0], (pte,), back, tmp, True)
                np.bitwise_xor(word, off, out=back)
                if np.bitwise_or.reduce(back):
                    found.add(Check.PGOFF.value)
            if {Check.PGPROT.value, Check.FILE.value, Check.PRESENT.value} <= set(done):
                continue
            both = (int(np.bitwise_or.reduce(pte)), int(np.bitwise_and.reduce(pte)))
            found |= _suspects(spec, pgprot, 0, both)
        return frozenset(found)


def _fields(moves: Moves, word: Array, out: Array, tmp: Array, add: bool) -> None:
    """out (already holding the constant bits) gets every moved field of `word`, in place."""
    for src, mask, dst in moves:
        np.right_shift(word, src, out=tmp)
        np.bitwise_and(tmp, mask, out=tmp)
        np.left_shift(tmp, dst, out=tmp)
        if add:
            np.add(out, tmp, out=out)
        else:
            np.bitwise_or(out, tmp, out=out)


def _hits(clauses: Clauses, pte: Array) -> npt.NDArray[np.bool_]:
    """Whether the predicate holds for each PTE."""
    hit = np.zeros(pte.shape, dtype=np.bool_)
    for mask, equals in clauses:
        part = pte & mask
        hit |= part != 0 if equals < 0 else part == equals
    return hit


def _locate(spec: Spec, at: int, n: int, checks: frozenset[str]) -> dict[str, Failure]:
    """The lowest failing offset of each of `checks` in at..at+n-1, and the first pgprot there.

    Element by element in the PTE's own width, straight from the moves: a second computation
    that does not share the judge's shifted frame or folded constants.
    """
    dtype = np.uint64 if spec.wide else np.uint32
    full = (1 << (64 if spec.wide else 32)) - 1
    offsets = np.arange(at, at + n, dtype=dtype)
    fields = np.full(n, spec.set_mask & full, dtype=dtype)
    tmp, pte, back = (np.empty(n, dtype=dtype) for _ in range(3))
    _fields(spec.encode, offsets, fields, tmp, spec.add)
    pmoves = tuple((read, 1, src) for src, _, read in spec.prot)
    best: dict[str, tuple[int, int]] = {}
    for pgprot in spec.pgprots:
        const = sum((pgprot >> src & 1) << dst for src, dst, _ in spec.prot) & full
        (np.add if spec.add else np.bitwise_or)(fields, const, out=pte)
        np.bitwise_and(pte, spec.top & full, out=pte)
        bad: dict[str, npt.NDArray[np.bool_]] = {}
        if Check.PGOFF.value in checks:
            back.fill(0)
            _fields(spec.decode, pte, back, tmp, spec.add)
            bad[Check.PGOFF.value] = back != offsets
        if Check.PGPROT.value in checks:
            back.fill(0)
            _fields(pmoves, pte, back, tmp, False)
            bad[Check.PGPROT.value] = back != pgprot
        if Check.FILE.value in checks:
            bad[Check.FILE.value] = ~_hits(spec.file, pte) | _hits(spec.none, pte)
        if Check.PRESENT.value in checks:
            bad[Check.PRESENT.value] = _hits(spec.present, pte)
        for check, where in bad.items():
            if where.any():
                index = int(np.argmax(where))
                if check not in best or index < best[check][0]:
                    best[check] = (index, pgprot)
    return {check: (check, at + index, pgprot) for check, (index, pgprot) in best.items()}


def _run_range(spec: Spec, start: int, stop: int) -> tuple[int, tuple[Failure, ...]]:
    """Check offsets start..stop-1 with every pgprot; the count and the first failure per check.

    The first failure of a check is its lowest failing offset, with the first pgprot (in the
    order of `spec.pgprots`) failing there: the same whatever the chunk and task sizes.
    """
    size = min(CHUNK, stop - start)
    judge = _Judge(spec, size)
    failures: dict[str, Failure] = {}
    at = start
    while at < stop:
        n = min(size, stop - at)
        pending = judge.judge(at, n, failures.keys()) - failures.keys()
        if pending:
            failures.update(_locate(spec, at, n, frozenset(pending)))
        at += n
    return (stop - start) * len(spec.pgprots), tuple(failures.values())


def _task(args: tuple[Spec, int, int]) -> tuple[int, tuple[Failure, ...]]:
    """One pool task: a range of offsets (a top-level function, so it pickles)."""
    return _run_range(*args)


_POOLS: dict[int, multiprocessing.pool.Pool] = {}


def _pool(workers: int) -> multiprocessing.pool.Pool:
    """A pool of `workers` processes, forked on first use and kept for every later layout."""
    pool = _POOLS.get(workers)
    if pool is None:
        # Forked once: `rfp verify --all` enumerates dozens of layouts, and a fork per layout
        # cost more than a small layout's whole enumeration.
        if not _POOLS:
            atexit.register(_close_pools)
        pool = _POOLS[workers] = multiprocessing.get_context("fork").Pool(workers)
    return pool


def _close_pools() -> None:
    """End the kept pools before interpreter shutdown, which would leave a running one broken."""
    while _POOLS:
        _, pool = _POOLS.popitem()
        pool.close()
        pool.join()


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
    found: dict[str, Failure] = {}
    outputs: Iterator[tuple[int, tuple[Failure, ...]]]
    if workers == 1 or len(tasks) == 1:
        outputs = map(_task, tasks)
    else:
        outputs = _pool(workers).imap_unordered(_task, tasks)
    for count, failures in outputs:
        checked += count
        for failure in failures:
            # tasks finish in any order: keep the lowest offset so the answer is stable
            if failure[0] not in found or failure[1] < found[failure[0]][1]:
                found[failure[0]] = failure
        if progress is not None:
            progress(checked, total * len(spec.pgprots))
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
