"""Damaged patch files give a Series or a ToolkitError: never another exception, never a hang."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.errors import ToolkitError
from toolkit.paths import PATCHES
from toolkit.series import Series, read_series

from .conftest import DATA, QUILT
from .strategies import mutate, mutation

SAMPLES = sorted(
    [
        *QUILT.glob("*.patch"),
        DATA / "git-features.diff",
        DATA / "format-patch.mbox",
        DATA / "mime.mbox",
        DATA / "git-log.txt",
        DATA / "crlf.patch",
        *sorted(PATCHES.glob("*.patch")),
    ]
)


def _read(name: str, data: bytes) -> Series | ToolkitError:
    """The series read from `data` saved as `name`, or the ToolkitError it raised."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            return read_series(path)
        except ToolkitError as exc:
            return exc


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(mutation(), min_size=1, max_size=3))
def test_mutated_patches_fail_cleanly(
    sample: Path, steps: list[tuple[str, tuple[object, ...]]]
) -> None:
    """Truncated, dropped, duplicated, flipped or recounted input reads or raises ToolkitError."""
    result = _read(sample.name, mutate(sample.read_bytes(), steps))
    assert isinstance(result, Series | ToolkitError)
    if isinstance(result, ToolkitError):
        assert result.path is not None


def test_unmutated_samples_read() -> None:
    """The fuzz test's starting points are themselves readable (so failures are the mutation's)."""
    for sample in SAMPLES:
        assert isinstance(_read(sample.name, sample.read_bytes()), Series)
