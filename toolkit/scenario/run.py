"""Running a scenario on the patched model or the emulation model, op by op."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cache
from pathlib import Path

from toolkit.arch import Arch, load_arch
from toolkit.errors import ScenarioError
from toolkit.model.emulation import EmulatedSystem
from toolkit.model.options import DEFAULT_MAX_MAP_COUNT, Options, format_patches
from toolkit.model.system import Signal, System, errno_name
from toolkit.scenario.format import ADVICE, FLAGS, PROTS, Op, OpKind, Scenario, render_value
from toolkit.scenario.limits import ArchLimit, arch_limits

_PROT_NAMES = {v: k for k, v in PROTS.items()}
_ADVICE_NAMES = {v: k for k, v in ADVICE.items()}


@dataclass(frozen=True, slots=True)
class OpResult:
    """What one op gave, against what the scenario expects (`ok` None: nothing expected)."""

    index: int
    line: int | None
    summary: str
    got: str
    expected: str | None
    ok: bool | None


class Outcome(Enum):
    """How a run ended: only FAILED counts against the model."""

    PASSED = "passed"
    # The scenario declares an arch limit this arch has, and the run misses an expectation.
    DIFFERS = "differs"
    # The toolkit's own layout solver found no file PTE for the arch: no kernel with patch 01.
    NOT_PORTABLE = "not portable"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    """One run of one scenario on one arch with one patch set."""

    path: str
    title: str
    arch: str
    patches: str
    emulated: bool
    ops: tuple[OpResult, ...]
    error: str | None = None  # a BUG_ON in the model, or an arch that cannot be loaded
    # "name: why" of each arch limit both the scenario and the arch declare
    limits: tuple[str, ...] = ()
    not_portable: str | None = None  # the solver's reason, when the run could not start

    @property
    def passed(self) -> bool:
        """Every expectation met and nothing went wrong."""
        return (
            self.not_portable is None
            and self.error is None
            and all(op.ok is not False for op in self.ops)
        )

    @property
    def outcome(self) -> Outcome:
        """Passed, differs by a declared arch limit, not portable, or failed."""
        if self.not_portable is not None:
            return Outcome.NOT_PORTABLE
        if self.passed:
            return Outcome.PASSED
        if self.error is None and self.limits:
            return Outcome.DIFFERS
        return Outcome.FAILED

    @property
    def failed(self) -> bool:
        """Whether the run counts as a failure of the model."""
        return self.outcome is Outcome.FAILED

    @property
    def failures(self) -> tuple[OpResult, ...]:
        """The ops whose result differs from the expectation."""
        return tuple(op for op in self.ops if op.ok is False)


def describe(op: Op) -> str:
    """A short human description of an op."""
    parts = [op.kind.value]
    if op.pid:
        parts.append(f"pid {op.pid}")
    if op.kind is OpKind.MMAP:
        parts.append(f"{op.name} = {op.file}")
    if op.at:
        parts.append(f"{op.at}+{op.page}")
    elif op.file and op.kind is not OpKind.MMAP:
        parts.append(f"{op.file}+{op.page}" if op.kind is not OpKind.FTRUNCATE else op.file)
    if op.pages != 1 or op.kind in (OpKind.MMAP, OpKind.FTRUNCATE):
        parts.append(f"{op.pages}p")
    # An old-style remap (prot 0, no MAP_NOINHERIT) has no protection of its own to show.
    shows_prot = op.kind is not OpKind.REMAP or op.prot or op.flags & FLAGS["noinherit"]
    if op.prots:
        parts.append("/".join(_PROT_NAMES.get(p, str(p)) for p in op.prots) + " each")
    elif op.kind in (OpKind.MMAP, OpKind.MPROTECT, OpKind.REMAP) and shows_prot:
        parts.append(_PROT_NAMES.get(op.prot, str(op.prot)))
    if op.kind is OpKind.MADVISE:
        parts.append(_ADVICE_NAMES.get(op.advice, str(op.advice)))
    if op.pgoff is not None:
        parts.append(f"pgoff {op.pgoff:#x}" if op.pgoff > 0xFFFF else f"pgoff {op.pgoff}")
    if op.flags:
        names = [name for name, bit in FLAGS.items() if op.flags & bit]
        parts.append("|".join(names) if names else hex(op.flags))
    if op.values:
        parts.append("=" + (str(op.values[0]) if len(op.values) == 1 else str(list(op.values))))
    return " ".join(parts)


def _show(value: int | Signal) -> str:
    return value.value if isinstance(value, Signal) else str(value)


def _status(value: int) -> str:
    return errno_name(value) if value < 0 else str(value)


class _Runner:
    """The state of one run: the model and the addresses of the named mappings."""

    def __init__(self, scenario: Scenario, system: System) -> None:
        self.scenario = scenario
        self.system = system
        self.addr: dict[str, int] = {}
        self.pgoff: dict[str, int] = {}

    def where(self, op: Op) -> int:
        if op.at not in self.addr:
            raise ScenarioError(
                f"{op.kind.value}: no mapping named {op.at!r} (mmap it first, with success)",
                self.scenario.path,
                op.line,
            )
        return self.addr[op.at] + op.page * self.system.PAGE_SIZE

    def step(self, op: Op) -> str:
        sys_ = self.system
        size = op.pages * sys_.PAGE_SIZE
        kind = op.kind
        pid = op.pid
        if pid not in sys_.kernel.mms:
            raise ScenarioError(f"{kind.value}: no process {pid}", self.scenario.path, op.line)
        if kind is OpKind.MMAP:
            at = self.where(op) if op.at else 0
            pgoff = op.pgoff or 0
            got = sys_.mmap(at, size, op.prot, op.flags, op.file, pgoff, pid)
            if got < 0:
                return errno_name(got)
            self.addr[op.name] = got
            self.pgoff[op.name] = pgoff
            return "ok"
        if kind is OpKind.MUNMAP:
            return _status(sys_.munmap(self.where(op), size, pid))
        if kind is OpKind.MPROTECT:
            return _status(sys_.mprotect(self.where(op), size, op.prot, pid))
        if kind is OpKind.REMAP:
            pgoff = op.pgoff if op.pgoff is not None else self._linear(op)
            if not op.each:
                return _status(
                    sys_.remap_file_pages(self.where(op), size, op.prot, pgoff, op.flags, pid)
                )
            base = self.where(op)
            prots = op.prots or (op.prot,)
            statuses = [
                _status(
                    sys_.remap_file_pages(
                        base + i * sys_.PAGE_SIZE,
                        sys_.PAGE_SIZE,
                        prots[i % len(prots)],
                        pgoff + i,
                        op.flags,
                        pid,
                    )
                )
                for i in range(op.pages)
            ]
            return statuses[0] if len(set(statuses)) == 1 else "[" + ", ".join(statuses) + "]"
        if kind is OpKind.MADVISE:
            return _status(sys_.madvise(self.where(op), size, op.advice, pid))
        if kind is OpKind.MINCORE:
            vec = sys_.mincore(self.where(op), size, pid)
            return render_value(vec) if isinstance(vec, list) else errno_name(vec)
        if kind in (OpKind.READ, OpKind.WRITE, OpKind.EXEC):
            return self._accesses(op)
        if kind is OpKind.WRITE_FILE:
            for i in range(op.pages):
                value = op.page + i if op.fill_index else self._value(op, i)
                sys_.pwrite(op.file, op.page + i, value)
            return "0"
        if kind is OpKind.READ_FILE:
            data = [sys_.pread(op.file, op.page + i) for i in range(op.pages)]
            return render_value(data if op.pages > 1 else data[0])
        if kind is OpKind.FTRUNCATE:
            return _status(sys_.ftruncate(op.file, size))
        if kind is OpKind.SWAP_OUT:
            if not op.at:
                sys_.swap_out()
            else:
                base = self.where(op)
                for i in range(op.pages):
                    sys_.swap_out(base + i * sys_.PAGE_SIZE, pid)
            return "0"
        if kind is OpKind.FORK:
            return str(sys_.fork(pid))
        if kind is OpKind.EXIT:
            sys_.exit(pid)
            return "0"
        return str(sys_.vma_count(pid))

    def _linear(self, op: Op) -> int:
        self.where(op)
        return self.pgoff[op.at] + op.page

    def _value(self, op: Op, i: int) -> int:
        return op.values[i] if i < len(op.values) else op.values[-1]

    def _accesses(self, op: Op) -> str:
        sys_ = self.system
        base = self.where(op)
        got: list[str] = []
        for i in range(op.pages):
            addr = base + i * sys_.PAGE_SIZE
            if op.kind is OpKind.READ:
                got.append(_show(sys_.read(addr, op.pid)))
            elif op.kind is OpKind.WRITE:
                got.append(_show(sys_.write(addr, self._value(op, i), op.pid)))
            else:
                got.append(_show(sys_.exec(addr, op.pid)))
        return got[0] if len(got) == 1 else "[" + ", ".join(got) + "]"

    def expected(self, op: Op) -> str | None:
        if self.system.emulated and op.expect_emulated is not None:
            return op.expect_emulated
        if op.kind is OpKind.REMAP and op.expect_fits is not None and not self.system.emulated:
            pt = self.system.kernel.pgtable
            pgoff = (op.pgoff if op.pgoff is not None else 0) & ((1 << pt.BITS_PER_LONG) - 1)
            if pt.PTE_FILE_MAX_BITS >= pt.BITS_PER_LONG or (
                pgoff + op.pages < 1 << pt.PTE_FILE_MAX_BITS
            ):
                return op.expect_fits
        return op.expect


def _patch_label(chosen: frozenset[int], layout: str) -> str:
    label = format_patches(chosen)
    return label if layout == "solver" or 1 not in chosen else f"{label}, 01 as ported in {layout}"


def build_system(
    scenario: Scenario,
    arch: str,
    patches: frozenset[int],
    emulate: bool,
    archs_dir: Path | None = None,
    layout: str = "solver",
) -> System:
    """The model (patched or emulation) a scenario's setup asks for, with its files made."""
    options = Options(
        arch=arch,
        patches=patches,
        arch_opt_in=True if scenario.arch_opt_in is None else scenario.arch_opt_in,
        max_map_count=scenario.max_map_count or DEFAULT_MAX_MAP_COUNT,
        layout=layout,
    )
    system: System = (EmulatedSystem if emulate else System)(options, archs_dir)
    for spec in scenario.files:
        system.create_file(
            spec.name,
            spec.pages,
            fill_index=spec.fill_index,
            writable=spec.writable,
            noexec=spec.noexec,
        )
    return system


def run_scenario(
    scenario: Scenario,
    arch: str = "i386",
    patches: frozenset[int] | None = None,
    emulate: bool = False,
    archs_dir: Path | None = None,
    layout: str = "solver",
) -> ScenarioResult:
    """Run every op of `scenario` and compare each result with its expectation."""
    chosen = Options().patches if patches is None else patches
    label = "emulation" if emulate else _patch_label(chosen, layout)
    if not emulate and layout == "solver" and 1 in chosen:
        unsolved = load_arch(arch, archs_dir).unsolved
        if unsolved:
            return ScenarioResult(
                str(scenario.path), scenario.title, arch, label, emulate, (), not_portable=unsolved
            )
    system = build_system(scenario, arch, chosen, emulate, archs_dir, layout)
    runner = _Runner(scenario, system)
    results: list[OpResult] = []
    error = None
    for index, op in enumerate(scenario.ops):
        try:
            got = runner.step(op)
        except ScenarioError:
            raise
        except Exception as exc:  # a BUG_ON in the model: report it, keep other runs going
            error = f"op {index + 1} (line {op.line}): BUG in the model: {exc!r}"
            break
        expected = runner.expected(op)
        ok = None if expected is None else got == expected
        results.append(OpResult(index + 1, op.line, describe(op), got, expected, ok))
    return ScenarioResult(
        path=str(scenario.path),
        title=scenario.title,
        arch=arch,
        patches=label,
        emulated=emulate,
        ops=tuple(results),
        error=error,
        limits=_limits_met(scenario, system.kernel.pgtable.arch),
    )


def _limits_met(scenario: Scenario, arch: Arch) -> tuple[str, ...]:
    """The arch limits the scenario says it runs into and the arch declares, with the arch's why."""
    if not scenario.limits:
        return ()
    declared = _declared(arch.path, arch.name)
    return tuple(
        f"{limit.value}: {declared[limit]}" for limit, _ in scenario.limits if limit in declared
    )


@cache
def _declared(path: Path, name: str) -> dict[ArchLimit, str]:
    # A run of the suite on every arch would otherwise read each arch file once per scenario.
    return dict(arch_limits(load_arch(name, path.parent)))
