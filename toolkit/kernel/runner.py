"""Run a scenario's operations on the running kernel through the C runner, one JSON line each."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from toolkit.errors import ExternalToolError, ScenarioError
from toolkit.kernel.build import runner_path, scratch_dir
from toolkit.model.system import errno_name
from toolkit.scenario.format import ADVICE, FLAGS, Op, OpKind, Scenario, render_value

PAGE_SIZE = 4096
_ADVICE_NAMES = {value: name for name, value in ADVICE.items()}
# The operations the runner cannot do: it is one process, and executing a page of data
# would need code in the file.
UNSUPPORTED = frozenset({OpKind.FORK, OpKind.EXIT, OpKind.EXEC})


class UnsupportedOp(ScenarioError):
    """A scenario operation or setup the kernel runner cannot reproduce."""


@dataclass(frozen=True, slots=True)
class Reply:
    """One answer of the runner: a return code, a value, a residency vector or a signal."""

    ret: int
    value: int | None = None
    vec: tuple[int, ...] | None = None
    signal: str | None = None
    total: int | None = None  # vmas: every VMA of the runner, its own included


def parse_reply(line: str) -> Reply:
    """The record of one JSON line printed by the runner."""
    data: dict[str, Any] = json.loads(line)
    vec = data.get("vec")
    return Reply(
        ret=int(data.get("ret", 0)),
        value=data.get("value"),
        vec=None if vec is None else tuple(int(v) for v in vec),
        signal=data.get("signal"),
        total=data.get("total"),
    )


class KernelRunner:
    """One runner process: questions on its stdin, one answer line each on its stdout."""

    def __init__(self) -> None:
        self.binary = runner_path()
        self.proc = subprocess.Popen(
            [str(self.binary), str(scratch_dir())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def ask(self, line: str) -> Reply:
        """Send one operation line and wait for its answer."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass
        answer = self.proc.stdout.readline()
        if not answer:
            raise self._died(line)
        return parse_reply(answer)

    def _died(self, line: str) -> ExternalToolError:
        self.proc.wait()
        assert self.proc.stderr is not None
        err = self.proc.stderr.read().strip()
        return ExternalToolError(f"kernel runner stopped on {line!r}: {err}", self.binary)

    def close(self) -> None:
        """End the runner (its files are unlinked already)."""
        if self.proc.poll() is None:
            self.proc.communicate("")

    def __enter__(self) -> KernelRunner:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def check_supported(scenario: Scenario) -> None:
    """UnsupportedOp, at its line, for the first thing of `scenario` the kernel side cannot do."""
    if scenario.max_map_count is not None and scenario.max_map_count != max_map_count():
        raise UnsupportedOp(
            f"setup max_map_count {scenario.max_map_count} is not this kernel's "
            f"vm.max_map_count {max_map_count()}",
            scenario.path,
        )
    for spec in scenario.files:
        if spec.noexec:
            raise UnsupportedOp(
                f"file {spec.name!r}: noexec mounts are not reproduced", scenario.path
            )
    known = 0
    for bit in FLAGS.values():
        known |= bit
    for op in scenario.ops:
        if op.kind in UNSUPPORTED:
            raise UnsupportedOp(f"{op.kind.value} is not run on the kernel", scenario.path, op.line)
        if op.pid:
            raise UnsupportedOp("only process 0 runs on the kernel", scenario.path, op.line)
        if op.flags & ~known:
            raise UnsupportedOp(f"flags {op.flags:#x} have unknown bits", scenario.path, op.line)


def _flags(flags: int) -> str:
    names = [name for name, bit in FLAGS.items() if flags & bit]
    return "|".join(names) if names else "-"


def _status(ret: int) -> str:
    return errno_name(ret) if ret < 0 else str(ret)


def _collapse(items: Sequence[str]) -> str:
    """One result as the scenario runner writes it: alone, or a list of them."""
    return items[0] if len(items) == 1 else "[" + ", ".join(items) + "]"


class _Session:
    """The kernel side of one scenario run: op by op, results in the scenario runner's text."""

    def __init__(self, scenario: Scenario, runner: KernelRunner) -> None:
        self.scenario = scenario
        self.runner = runner
        self.pgoff: dict[str, int] = {}

    def where(self, op: Op) -> str:
        """The runner's "MAPPING PAGE" for `op`; ScenarioError when the mapping was never made."""
        if op.at not in self.pgoff:
            raise ScenarioError(
                f"{op.kind.value}: no mapping named {op.at!r} (mmap it first, with success)",
                self.scenario.path,
                op.line,
            )
        return f"{op.at} {op.page}"

    def step(self, op: Op) -> str:
        """Do `op` on the kernel and give its result as `rfp model run` writes it."""
        ask = self.runner.ask
        kind = op.kind
        if kind is OpKind.MMAP:
            at = f" {self.where(op)}" if op.at else ""
            pgoff = op.pgoff or 0
            line = f"mmap {op.name} {op.file} {op.pages} {op.prot} {_flags(op.flags)} {pgoff}"
            got = ask(line + at).ret
            if got < 0:
                return errno_name(got)
            self.pgoff[op.name] = pgoff
            return "ok"
        if kind is OpKind.MUNMAP:
            return _status(ask(f"munmap {self.where(op)} {op.pages}").ret)
        if kind is OpKind.MPROTECT:
            return _status(ask(f"mprotect {self.where(op)} {op.pages} {op.prot}").ret)
        if kind is OpKind.REMAP:
            return self._remap(op)
        if kind is OpKind.MADVISE:
            advice = _ADVICE_NAMES[op.advice]
            return _status(ask(f"madvise {self.where(op)} {op.pages} {advice}").ret)
        if kind is OpKind.MINCORE:
            reply = ask(f"mincore {self.where(op)} {op.pages}")
            return errno_name(reply.ret) if reply.vec is None else render_value(list(reply.vec))
        if kind in (OpKind.READ, OpKind.WRITE):
            return self._accesses(op)
        if kind is OpKind.WRITE_FILE:
            for i in range(op.pages):
                value = op.page + i if op.fill_index else _value(op, i)
                ask(f"pwrite {op.file} {op.page + i} {value}")
            return "0"
        if kind is OpKind.READ_FILE:
            data = [ask(f"pread {op.file} {op.page + i}").value or 0 for i in range(op.pages)]
            return render_value(data if op.pages > 1 else data[0])
        if kind is OpKind.FTRUNCATE:
            return _status(ask(f"ftruncate {op.file} {op.pages * PAGE_SIZE}").ret)
        if kind is OpKind.SWAP_OUT:
            ask(f"swapout {self.where(op)} {op.pages}" if op.at else "swapout")
            return "0"
        if kind is OpKind.VMA_COUNT:
            return str(ask("vmas").ret)
        raise UnsupportedOp(f"{kind.value} is not run on the kernel", self.scenario.path, op.line)

    def _remap(self, op: Op) -> str:
        self.where(op)
        pgoff = op.pgoff if op.pgoff is not None else self.pgoff[op.at] + op.page
        flags = _flags(op.flags)
        if not op.each:
            line = f"remap {op.at} {op.page} {op.pages} {op.prot} {pgoff} {flags}"
            return _status(self.runner.ask(line).ret)
        prots = op.prots or (op.prot,)
        statuses = [
            _status(
                self.runner.ask(
                    f"remap {op.at} {op.page + i} 1 {prots[i % len(prots)]} {pgoff + i} {flags}"
                ).ret
            )
            for i in range(op.pages)
        ]
        return statuses[0] if len(set(statuses)) == 1 else "[" + ", ".join(statuses) + "]"

    def _accesses(self, op: Op) -> str:
        self.where(op)
        got: list[str] = []
        for i in range(op.pages):
            if op.kind is OpKind.READ:
                reply = self.runner.ask(f"read {op.at} {op.page + i}")
                got.append(reply.signal or str(reply.value))
            else:
                reply = self.runner.ask(f"write {op.at} {op.page + i} {_value(op, i)}")
                got.append(reply.signal or "0")
        return _collapse(got)


def _value(op: Op, i: int) -> int:
    return op.values[i] if i < len(op.values) else op.values[-1]


def setup_lines(scenario: Scenario) -> Iterator[str]:
    """The runner lines that make the scenario's files."""
    for spec in scenario.files:
        fill = "index" if spec.fill_index else "zero"
        yield f"file {spec.name} {spec.pages} {fill} {'rw' if spec.writable else 'r'}"


def run_on_kernel(scenario: Scenario) -> tuple[str, ...]:
    """Every op's result on the running kernel, in the text `rfp model run` prints."""
    check_supported(scenario)
    with KernelRunner() as runner:
        for line in setup_lines(scenario):
            runner.ask(line)
        session = _Session(scenario, runner)
        return tuple(session.step(op) for op in scenario.ops)


def max_map_count(path: Path = Path("/proc/sys/vm/max_map_count")) -> int:
    """The running kernel's vm.max_map_count."""
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError) as exc:
        raise ExternalToolError(f"cannot read vm.max_map_count: {exc}", path) from None
