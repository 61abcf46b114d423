"""A progress bar on stderr for the exhaustive check, only when stderr is a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Tick = Callable[[int, int], None]


@contextmanager
def progress_bars() -> Iterator[Callable[[str], Tick | None]]:
    """A factory of per-layout callbacks advancing a rich bar; each gives None off a terminal."""
    if not sys.stderr.isatty():
        yield lambda _label: None
        return
    # Imported here: rich costs startup time a pipe or a test never needs.
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("encodings"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:

        def start(label: str) -> Tick:
            """A new bar for `label` and its callback."""
            task = bar.add_task(label, total=None)

            def advance(done: int, total: int) -> None:
                """Move the bar to `done` of `total`."""
                bar.update(task, completed=done, total=total)

            return advance

        yield start
