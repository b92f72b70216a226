"""`cardcli check`: validate decks and recompute numeric answers; `--facts` lists errata and disputes."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text

from cardcli.console import err, out
from cardcli.errors import DeckError
from cardcli.loader import Collection, load_collection
from cardcli.paths import user_deck_paths

__all__ = ["run"]


def run(paths: list[Path], extra: list[Path], facts: bool = False) -> None:
    if paths:
        col = load_collection(paths, include_bundled=False)
    else:
        col = load_collection(user_deck_paths(extra))
    if facts:
        _facts(col)
        return
    from cardcli.verify import verify_numeric

    issues = col.issues + verify_numeric(col.cards)
    if issues:
        raise DeckError(issues)
    numeric = sum(1 for c in col.cards if c.check)
    out.print(f"ok: {len(col.cards)} cards in {len(col.decks)} decks; "
              f"{numeric} numeric answers recomputed by the solver")


def _facts(col: Collection) -> None:
    """Every card carrying an erratum or a disputed reason, one ``file:line: id: kind: text`` line
    each, then a count; deck problems are warnings here (the review list is still printed)."""
    from cardcli.verify import fact_notes

    for issue in col.issues:
        err.print(Text(f"warning: {issue}"))
    notes = fact_notes(col.cards)
    for note in notes:
        out.print(Text(str(note)), soft_wrap=True)
    errata = sum(1 for n in notes if n.kind == "erratum")
    disputed = len(notes) - errata
    cards = len({n.card.id for n in notes})
    out.print(Text(f"{_count(cards, 'card')} to review: {errata} with an erratum, {disputed} disputed "
                   f"(of {_count(len(col.cards), 'card')} in {_count(len(col.decks), 'deck')})"))


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
