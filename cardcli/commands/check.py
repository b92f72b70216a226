"""`cardcli check`: validate decks and recompute numeric answers."""

from __future__ import annotations

from pathlib import Path

from cardcli.commands._common import out
from cardcli.errors import DeckError
from cardcli.loader import load_collection
from cardcli.paths import user_deck_paths

__all__ = ["run"]


def run(paths: list[Path], extra: list[Path]) -> None:
    if paths:
        col = load_collection(paths, include_bundled=False)
    else:
        col = load_collection(user_deck_paths(extra))
    from cardcli.verify import verify_numeric

    issues = col.issues + verify_numeric(col.cards)
    if issues:
        raise DeckError(issues)
    numeric = sum(1 for c in col.cards if c.check)
    out.print(f"ok: {len(col.cards)} cards in {len(col.decks)} decks; "
              f"{numeric} numeric answers recomputed by the solver")
