"""Hypothesis strategies that damage patch files the way mailers, editors and disks do."""

from __future__ import annotations

import re

from hypothesis import strategies as st

# @@ -10,7 +10,8 @@   (the counts a mutation may change)
_COUNT = re.compile(rb"(@@ -\d+,)(\d+)( \+\d+,)(\d+)")


def _truncate(data: bytes, at: float) -> bytes:
    """`data` cut at fraction `at`."""
    return data[: int(len(data) * at)]


def _lines(data: bytes) -> list[bytes]:
    """The lines of `data` with their endings; one empty line for no data."""
    return data.splitlines(keepends=True) or [b""]


def _drop(data: bytes, at: float) -> bytes:
    """`data` without the line at fraction `at`."""
    lines = _lines(data)
    del lines[int(len(lines) * at) % len(lines)]
    return b"".join(lines)


def _duplicate(data: bytes, at: float) -> bytes:
    """`data` with the line at fraction `at` written twice."""
    lines = _lines(data)
    k = int(len(lines) * at) % len(lines)
    return b"".join(lines[: k + 1] + lines[k:])


def _flip(data: bytes, at: float, bit: int) -> bytes:
    """`data` with one bit of the byte at fraction `at` flipped."""
    if not data:
        return data
    k = int(len(data) * at) % len(data)
    return data[:k] + bytes([data[k] ^ (1 << bit)]) + data[k + 1 :]


def _recount(data: bytes, at: float, delta: int) -> bytes:
    """`data` with one hunk header's old count raised and new count lowered by `delta`."""
    matches = list(_COUNT.finditer(data))
    if not matches:
        return data
    m = matches[int(len(matches) * at) % len(matches)]
    old, new = int(m.group(2)) + delta, int(m.group(4)) - delta
    fixed = m.group(1) + str(max(old, 0)).encode() + m.group(3) + str(max(new, 0)).encode()
    return data[: m.start()] + fixed + data[m.end() :]


_FRACTION = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


def mutation() -> st.SearchStrategy[tuple[str, tuple[object, ...]]]:
    """One named mutation with its arguments."""
    return st.one_of(
        st.tuples(st.just("truncate"), st.tuples(_FRACTION)),
        st.tuples(st.just("drop"), st.tuples(_FRACTION)),
        st.tuples(st.just("duplicate"), st.tuples(_FRACTION)),
        st.tuples(st.just("flip"), st.tuples(_FRACTION, st.integers(0, 7))),
        st.tuples(st.just("recount"), st.tuples(_FRACTION, st.integers(-3, 3))),
    )


_APPLY = {
    "truncate": _truncate,
    "drop": _drop,
    "duplicate": _duplicate,
    "flip": _flip,
    "recount": _recount,
}


def mutate(data: bytes, steps: list[tuple[str, tuple[object, ...]]]) -> bytes:
    """`data` with each mutation of `steps` applied in turn."""
    for name, args in steps:
        data = _APPLY[name](data, *args)  # type: ignore[operator]
    return data
