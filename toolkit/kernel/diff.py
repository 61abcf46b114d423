"""Run scenarios on the emulation model and on the running kernel and compare every op."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from toolkit.atomic import write_atomic
from toolkit.errors import ScenarioError
from toolkit.kernel.generate import generate
from toolkit.kernel.runner import UnsupportedOp, check_supported, run_on_kernel
from toolkit.kernel.toml_out import dump_scenario
from toolkit.scenario.format import Scenario, load_scenario
from toolkit.scenario.run import describe, run_scenario

# The model's arch nearest to the machine: a 64-bit unsigned long, like the kernel's.
MODEL_ARCH = "x86_64"


@dataclass(frozen=True, slots=True)
class Divergence:
    """The first op where the emulation model and the kernel disagree."""

    index: int  # 1-based, as `rfp model run` numbers ops
    line: int | None
    op: str
    model: str
    kernel: str


@dataclass(frozen=True, slots=True)
class Comparison:
    """One scenario run on both sides: its first divergence, or why it was not compared."""

    name: str
    ops: int
    divergence: Divergence | None = None
    skipped: str | None = None

    @property
    def agrees(self) -> bool:
        """Compared, and every op gave the same result on both sides."""
        return self.skipped is None and self.divergence is None


@dataclass(frozen=True, slots=True)
class Campaign:
    """The outcome of a run of many scenarios; a failing one comes shrunk, with its file."""

    comparisons: tuple[Comparison, ...]
    failing: Comparison | None = None
    reproducer: Scenario | None = None
    written: Path | None = None


def model_results(scenario: Scenario) -> tuple[tuple[str, ...], str | None]:
    """Every op's result on the emulation model, and the model's BUG message if one fired."""
    result = run_scenario(scenario, MODEL_ARCH, emulate=True)
    return tuple(op.got for op in result.ops), result.error


def compare(scenario: Scenario) -> Comparison:
    """Run `scenario` on both sides and find the first op whose results differ."""
    name = scenario.stem
    try:
        check_supported(scenario)
    except UnsupportedOp as exc:
        return Comparison(name, len(scenario.ops), skipped=str(exc))
    model, bug = model_results(scenario)
    kernel = run_on_kernel(scenario)
    for i, (ours, theirs) in enumerate(zip(model, kernel, strict=False)):
        if ours != theirs:
            op = scenario.ops[i]
            found = Divergence(i + 1, op.line, describe(op), ours, theirs)
            return Comparison(name, len(scenario.ops), divergence=found)
    if bug is not None:
        op = scenario.ops[len(model)]
        crash = Divergence(len(model) + 1, op.line, describe(op), bug, kernel[len(model)])
        return Comparison(name, len(scenario.ops), divergence=crash)
    return Comparison(name, len(scenario.ops))


def same_divergence(found: Divergence) -> Callable[[Scenario], bool]:
    """Whether a scenario still diverges at an op like `found`'s, with the same two results.

    Any divergence would not do: dropping the swap-out before a mincore makes a new one.
    """

    def still_fails(scenario: Scenario) -> bool:
        """Whether `scenario` reproduces the divergence."""
        try:
            got = compare(scenario).divergence
        except ScenarioError:
            # Dropping an op can leave a later op naming a mapping never made.
            return False
        return got is not None and (got.op, got.model, got.kernel) == (
            found.op,
            found.model,
            found.kernel,
        )

    return still_fails


def shrink(scenario: Scenario, still_fails: Callable[[Scenario], bool]) -> Scenario:
    """A smaller scenario that still diverges: ops, then unused files, removed one at a time."""
    current = scenario
    changed = True
    while changed:
        changed = False
        for i in reversed(range(len(current.ops))):
            if len(current.ops) == 1:
                break
            if i >= len(current.ops):
                continue
            trial = replace(current, ops=current.ops[:i] + current.ops[i + 1 :])
            if still_fails(trial):
                current, changed = trial, True
    used = {op.file for op in current.ops}
    files = tuple(f for f in current.files if f.name in used)
    trimmed = replace(current, files=files)
    return trimmed if still_fails(trimmed) else current


def with_expectations(scenario: Scenario) -> Scenario:
    """`scenario` with each op expecting what the kernel gave and noting where the model differs."""
    kernel = run_on_kernel(scenario)
    model, _ = model_results(scenario)
    ops = []
    for i, op in enumerate(scenario.ops):
        note = op.note
        if i < len(model) and model[i] != kernel[i]:
            note = f"the emulation model gives {model[i]}; the running kernel {kernel[i]}"
        ops.append(replace(op, expect=kernel[i], expect_emulated=None, expect_fits=None, note=note))
    return replace(scenario, ops=tuple(ops))


def _finish(
    comparisons: list[Comparison],
    failing: Scenario | None,
    out: Path,
    found: Comparison | None = None,
) -> Campaign:
    """The campaign's record; a failing scenario is shrunk and written to `out` first."""
    if failing is None:
        return Campaign(tuple(comparisons))
    first = (found or comparisons[-1]).divergence
    assert first is not None
    small = with_expectations(shrink(failing, same_divergence(first)))
    small = replace(
        small,
        path=out,
        title=f"kernel divergence found from {failing.stem}",
        description=(
            "Shrunk by rfp model diff-kernel: the first op whose note names both results is "
            "where the emulation model and the running kernel disagree; expect is the kernel's."
        ),
    )
    write_atomic(out, dump_scenario(small))
    return Campaign(tuple(comparisons), found or comparisons[-1], small, out)


def run_random(count: int, seed: int, out: Path) -> Campaign:
    """Compare `count` random scenarios of `seed`; stop at the first divergence and shrink it."""
    comparisons: list[Comparison] = []
    for index in range(count):
        scenario = generate(seed, index)
        found = compare(scenario)
        comparisons.append(found)
        if found.divergence is not None:
            return _finish(comparisons, scenario, out)
    return _finish(comparisons, None, out)


def run_paths(paths: Sequence[Path], out: Path) -> Campaign:
    """Compare the scenario files; the first one that diverges is shrunk and written to `out`."""
    scenarios = [load_scenario(p) for p in paths]
    comparisons = [compare(scenario) for scenario in scenarios]
    for scenario, found in zip(scenarios, comparisons, strict=True):
        if found.divergence is not None:
            return _finish(comparisons, scenario, out, found)
    return _finish(comparisons, None, out)
