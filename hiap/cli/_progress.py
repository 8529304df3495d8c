"""The one progress bar of the hiap command: a rich bar driven by ``(fraction, message)`` calls.

Imported inside commands, not at module level, so ``hiap --help`` stays free of rich.progress.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn


@contextlib.contextmanager
def progress_bar(
    console: Console, *, start: str = "Starting"
) -> Iterator[Callable[[float, str], None]]:
    """Show a progress bar for the block and yield the function that moves it.

    Parameters
    ----------
    console
        Where the bar is drawn (stderr for commands whose stdout is data).
    start
        The bar's first description.

    Yields
    ------
    Callable[[float, str], None]
        ``update(fraction, message)``: ``fraction`` from 0 to 1, ``message`` the current stage.
    """
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console
    ) as bar:
        task = bar.add_task(start, total=1.0)

        def update(fraction: float, message: str) -> None:
            bar.update(task, completed=fraction, description=message)

        yield update
