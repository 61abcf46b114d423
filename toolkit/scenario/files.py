"""Which scenario files and arches a run covers, and running them all."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from toolkit.arch import arch_names
from toolkit.errors import ArchDataError, MissingInputError
from toolkit.model.options import parse_patches
from toolkit.scenario.format import Scenario, load_scenario
from toolkit.scenario.run import ScenarioResult, run_scenario

SUITE = Path(__file__).resolve().parent / "suite"


def suite_files() -> tuple[Path, ...]:
    """The scenario files shipped with the toolkit, relative to the current directory if below."""
    here = Path.cwd()
    return tuple(
        p.relative_to(here) if p.is_relative_to(here) else p for p in sorted(SUITE.glob("*.toml"))
    )


def scenario_paths(names: Sequence[str]) -> tuple[Path, ...]:
    """The files named (a directory stands for its *.toml), or the suite when none is."""
    if not names:
        return suite_files()
    found: list[Path] = []
    for name in names:
        path = Path(name)
        if path.is_dir():
            found.extend(sorted(path.glob("*.toml")))
        elif path.exists():
            found.append(path)
        else:
            raise MissingInputError("no such scenario file or directory", path)
    return tuple(found)


def run_files(
    names: Sequence[str],
    arches: Sequence[str] | None,
    patches: str = "all",
    emulate: bool = False,
    archs_dir: Path | None = None,
    layout: str = "solver",
) -> tuple[ScenarioResult, ...]:
    """Run every scenario on every arch (all of archs/ when `arches` is None).

    Every file is parsed before anything runs, so a bad file stops the run with no output.
    """
    chosen = parse_patches(patches)
    scenarios: list[Scenario] = [load_scenario(p) for p in scenario_paths(names)]
    every = arches is None
    names_of_arches = arch_names(archs_dir) if arches is None else tuple(arches)
    results: list[ScenarioResult] = []
    for arch in names_of_arches:
        for scenario in scenarios:
            try:
                results.append(run_scenario(scenario, arch, chosen, emulate, archs_dir, layout))
            except (ArchDataError, MissingInputError) as exc:
                # With --all-arches an arch the model cannot boot is a failed run, not the end.
                if not every:
                    raise
                results.append(_unbootable(scenario, arch, emulate, str(exc)))
    return tuple(results)


def _unbootable(scenario: Scenario, arch: str, emulate: bool, why: str) -> ScenarioResult:
    return ScenarioResult(
        path=str(scenario.path),
        title=scenario.title,
        arch=arch,
        patches="emulation" if emulate else "-",
        emulated=emulate,
        ops=(),
        error=f"cannot boot the model on {arch}: {why}",
    )
