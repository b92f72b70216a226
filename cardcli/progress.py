"""A progress bar for long work (an upgrade of a big history, a large import, ``optimize``).

Shown on standard error only when it is a terminal, so pipes, files and tests see nothing; the bar
is removed when the work ends. Work too small to need one (``total < min_total``) shows none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["progress"]


def _nothing(steps: int = 1) -> None:
    return None


@contextmanager
def progress(description: str, total: int, *, min_total: int = 0, show: bool = True,
             console: Any = None) -> Iterator[Callable[[int], None]]:
    """Yield ``advance(steps=1)``; a rich bar on ``console`` (default: stderr) when it is a terminal
    (and ``show``, and ``total >= min_total``)."""
    if not show or total < min_total:
        yield _nothing
        return
    if console is None:
        from rich.console import Console

        console = Console(stderr=True)
    if not console.is_terminal:
        yield _nothing
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.text import Text

    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=console, transient=True)
    task = bar.add_task(Text(description).plain, total=total)
    def advance(steps: int = 1) -> None:
        bar.advance(task, steps)

    with bar:
        yield advance
