"""The two consoles every command prints to, and the one stderr message rule."""

from __future__ import annotations

import os
import sys

from rich.console import Console

from cardcli.safetext import one_line, safe_text

__all__ = ["out", "err", "message", "silence_stdout"]

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def message(line: str) -> None:
    """One message on stderr, shown literally: wrapped at word boundaries on a terminal, kept on
    one line when piped (so ``file:line: ...`` stays greppable)."""
    err.print(safe_text(one_line(line)), soft_wrap=not err.is_terminal)


def silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, AttributeError, ValueError):
        pass
