"""Helpers shared by commands: loading decks with warnings, the consoles."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from cardcli.loader import Collection, load_collection
from cardcli.paths import user_deck_paths
from cardcli.safetext import one_line, safe_text

__all__ = ["out", "err", "load_decks", "message"]

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def message(line: str) -> None:
    """One message on stderr, shown literally: wrapped at word boundaries on a terminal, kept on
    one line when piped (so ``file:line: ...`` stays greppable)."""
    err.print(safe_text(one_line(line)), soft_wrap=not err.is_terminal)


def load_decks(extra: list[Path], solver_answers: bool = False) -> Collection:
    """Bundled + user decks. Problems are warnings here: a broken deck never stops the others.

    With ``solver_answers`` (commands that grade or export answers), the user decks' numeric cards
    are recomputed: one the solver disputes is a warning and carries the solver's value from here
    on (see :func:`cardcli.verify.adopt_solver_answers`; NumPy loads only if such a card exists).
    """
    col = load_collection(user_deck_paths(extra))  # frozen out of the GC's way (see gcpause)
    issues = list(col.issues)
    if solver_answers and any(c.check for d in col.decks if not d.bundled for c in d.cards):
        from cardcli.verify import adopt_solver_answers

        issues += adopt_solver_answers(col)
    for issue in issues:
        message(f"warning: {issue}")
    return col
