"""The named reproductions on this kernel: -EINVAL, -ENOMEM at the limit, the model gaps found."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.kernel.needs import needs_kernel
from toolkit.kernel.diff import compare
from toolkit.kernel.runner import max_map_count, run_on_kernel
from toolkit.kernel.uml import uml_pattern
from toolkit.scenario.files import SUITE
from toolkit.scenario.format import load_scenario, parse_scenario

EINVAL_CASES = """
title = "remap_file_pages refusals of today's kernel"
[setup]
files = [{ name = "f", pages = 8 }]

[[op]]
do = "mmap"
name = "shared"
file = "f"
pages = 4
prot = "rw"
flags = "shared"

[[op]]
do = "mmap"
name = "private"
file = "f"
pages = 4
prot = "r"
flags = "private"

[[op]]
do = "remap"
at = "shared"
pages = 1
prot = "r"
pgoff = 3
note = "prot != 0"

[[op]]
do = "remap"
at = "private"
pages = 1
pgoff = 3
note = "a private mapping"

[[op]]
do = "remap"
at = "shared"
pages = 1
pgoff = 3
note = "the control: prot 0 on a shared mapping works"

[[op]]
do = "read"
at = "shared"
"""


@needs_kernel
def test_einval_for_prot_and_private() -> None:
    """The kernel refuses prot != 0 and private mappings with -EINVAL, as the emulation model."""
    scenario = parse_scenario(EINVAL_CASES, Path("einval.toml"))
    got = run_on_kernel(scenario)
    assert got == ("ok", "ok", "-EINVAL", "-EINVAL", "0", "3")
    assert compare(scenario).agrees


@needs_kernel
def test_enomem_at_max_map_count() -> None:
    """Per-page VMAs hit vm.max_map_count with -ENOMEM on the kernel and the emulation model."""
    limit = max_map_count()
    result = uml_pattern(limit + 64)
    patched, emulated, kernel = result.runs
    assert result.max_map_count == limit and result.limit_from_kernel
    assert patched.error is None and patched.vmas == 1 and patched.remapped == limit + 64
    assert emulated.error == "-ENOMEM" and emulated.vmas == limit
    assert kernel.error == "-ENOMEM" and kernel.own_vmas is not None
    # The runner's own VMAs count against the same limit: together they reach it (within the
    # one or two that /proc/self/maps lists but the limit does not count, like [vsyscall]).
    assert abs(kernel.vmas + kernel.own_vmas - limit) <= 2
    assert kernel.remapped < emulated.remapped


@needs_kernel
@pytest.mark.parametrize("name", ["vma-account-private-writable", "madvise-hints-split"])
def test_model_gap_repros_meet_their_expectations_on_the_kernel(name: str) -> None:
    """The VM_ACCOUNT and madvise repros: this kernel gives what the suite file expects."""
    scenario = load_scenario(SUITE / f"{name}.toml")
    got = run_on_kernel(scenario)
    # The kernel is an unpatched kernel: where the file expects otherwise emulated, that holds.
    assert got == tuple(op.expect_emulated or op.expect for op in scenario.ops)
    assert compare(scenario).agrees
