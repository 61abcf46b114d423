"""A progress bar on stderr while a long series is read, only when stderr is a terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from toolkit.classify.audit import Progress


@contextmanager
def progress_bar(label: str) -> Iterator[Progress | None]:
    """A callback that advances a rich progress bar, or None when stderr is not a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    # Imported here: rich costs startup time a pipe or a test never needs.
    from rich.console import Console
    from rich.progress import Progress as Bar
    from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

    with Bar(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed} patches"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def advance(done: int, total: int | None) -> None:
            """Show `done` patches read."""
            bar.update(task, completed=done, total=total)

        yield advance
