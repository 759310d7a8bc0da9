"""A rich progress bar for long computations, fed by ``progress(done, total)`` callbacks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ecocity.commands.output import err_console


@contextmanager
def task_progress(description: str, *, enabled: bool = True) -> Iterator:
    """Yield a ``callback(done, total)`` that advances a progress bar on stderr.

    The bar is drawn only when ``enabled`` and stderr is a terminal, so ``--json`` output and
    logs stay clean.
    """
    if not enabled or not err_console.is_terminal:
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task(description, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance
