"""Random scenarios: reproducible from their seed, runnable on both sides, exclusions kept."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from toolkit.kernel.generate import generate
from toolkit.kernel.runner import check_supported
from toolkit.kernel.toml_out import dump_scenario
from toolkit.model.include.linux import mman
from toolkit.scenario.format import OpKind, load_scenario, parse_scenario
from toolkit.scenario.run import run_scenario


def test_same_seed_same_scenario() -> None:
    """A scenario depends on the seed and index only."""
    assert generate(11, 4) == generate(11, 4)
    assert generate(11, 4) != generate(12, 4)


def test_scenarios_run_on_the_model_and_name_only_made_mappings() -> None:
    """Each scenario runs on the emulation model without a BUG, on ops the kernel side supports."""
    for index in range(60):
        scenario = generate(5, index)
        check_supported(scenario)
        result = run_scenario(scenario, "x86_64", emulate=True)
        assert result.error is None
        assert len(result.ops) == len(scenario.ops)


def test_private_mappings_are_never_written_populated_or_replaced() -> None:
    """The kept exclusions hold: no write, MAP_POPULATE or MAP_FIXED on a private mapping."""
    for index in range(200):
        scenario = generate(9, index)
        private = {
            op.name for op in scenario.ops if op.kind is OpKind.MMAP and op.flags & mman.MAP_PRIVATE
        }
        for op in scenario.ops:
            if op.kind is OpKind.MMAP and op.name in private:
                assert not op.flags & (mman.MAP_POPULATE | mman.MAP_FIXED)
            if op.at in private:
                assert op.kind is not OpKind.WRITE


def test_lifted_exclusions_are_generated() -> None:
    """Private mappings made writable (by mmap and mprotect) and the read-ahead hints occur."""
    writable_private = hinted = 0
    hints = {mman.MADV_NORMAL, mman.MADV_RANDOM, mman.MADV_SEQUENTIAL}
    for index in range(200):
        ops = generate(9, index).ops
        private = {op.name for op in ops if op.kind is OpKind.MMAP and op.flags & mman.MAP_PRIVATE}
        for i, op in enumerate(ops):
            if op.kind in (OpKind.MMAP, OpKind.MPROTECT) and op.prot & mman.PROT_WRITE:
                writable_private += (op.name or op.at) in private
            if op.kind is OpKind.MADVISE and op.advice in hints:
                hinted += 1
                # A hint may split or merge VMAs: the count is compared right after it.
                assert ops[i + 1].kind is OpKind.VMA_COUNT
    assert writable_private > 0 and hinted > 0


def test_swap_out_is_followed_by_mincore() -> None:
    """Residency is compared only right after a swap-out."""
    seen = 0
    for index in range(100):
        ops = generate(3, index).ops
        for i, op in enumerate(ops):
            if op.kind is OpKind.MINCORE:
                assert ops[i - 1].kind is OpKind.SWAP_OUT
                seen += 1
    assert seen > 0


def test_toml_round_trip_of_generated_and_suite_scenarios(tmp_path: Path) -> None:
    """dump_scenario() writes a file that parses back to the same files and ops."""
    from toolkit.scenario.files import suite_files

    scenarios = [generate(1, i) for i in range(100)]
    scenarios += [load_scenario(p) for p in suite_files()]
    for scenario in scenarios:
        back = parse_scenario(dump_scenario(scenario), tmp_path / "x.toml")
        assert back.files == scenario.files
        assert (back.title, back.description) == (scenario.title, scenario.description)
        assert (back.max_map_count, back.arch_opt_in) == (
            scenario.max_map_count,
            scenario.arch_opt_in,
        )
        assert back.limits == scenario.limits
        unplaced = tuple(replace(op, line=None) for op in back.ops)
        assert unplaced == scenario.ops or unplaced == tuple(
            replace(op, line=None) for op in scenario.ops
        )
