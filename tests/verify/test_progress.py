"""The exhaustive progress bar stays out of pipes and tests."""

from __future__ import annotations

from toolkit.verify.progress import progress_bars


def test_no_bar_off_a_terminal() -> None:
    """Under pytest stderr is not a terminal: each layout gets no callback."""
    with progress_bars() as start:
        assert start("i386 solver") is None
