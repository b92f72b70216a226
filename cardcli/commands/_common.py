"""Helpers shared by commands: loading decks with warnings, the consoles."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from cardcli.loader import Collection, load_collection
from cardcli.paths import user_deck_paths
from cardcli.safetext import one_line, safe_text

__all__ = ["out", "err", "load_decks"]

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def load_decks(extra: list[Path]) -> Collection:
    """Bundled + user decks. Problems are warnings here: a broken deck never stops the others."""
    col = load_collection(user_deck_paths(extra))  # frozen out of the GC's way (see gcpause)
    for issue in col.issues:
        err.print(safe_text(f"warning: {one_line(str(issue))}"))
    return col
