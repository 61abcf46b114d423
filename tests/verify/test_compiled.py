"""The rendered C of each layout, compiled with gcc, agrees with the Python encoder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from toolkit.arch import arch_names, load_arch
from toolkit.verify.compiled import check_generated, vector_offsets
from toolkit.verify.records import Check, Outcome

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")


@pytest.mark.parametrize("name", [n for n in arch_names() if not load_arch(n).unsolved])
def test_solver_layout_compiles_and_agrees(name: str, tmp_path: Path) -> None:
    """Every solver layout's macros compile with -Werror and match Python on every vector."""
    arch = load_arch(name)
    result = check_generated(arch, arch.layout("solver"), tmp_path)
    assert result.check is Check.C
    assert result.outcome is Outcome.PASSED, result


def test_vectors_cover_every_bit_and_stay_in_range() -> None:
    """The vector set has each single bit and all-ones, and nothing at or above 2^max_bits."""
    found = vector_offsets(20)
    assert {1 << b for b in range(20)} <= set(found)
    assert (1 << 20) - 1 in found and 0 in found
    assert max(found) < 1 << 20
