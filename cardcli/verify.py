"""Recompute every numeric card's answer with the reference solver."""

from __future__ import annotations

from cardcli.errors import DeckIssue
from cardcli.model import Card

__all__ = ["verify_numeric"]


def verify_numeric(cards: list[Card]) -> list[DeckIssue]:
    """One issue per numeric card whose stored answer differs from the solver's."""
    numeric = [c for c in cards if c.check]
    if not numeric:
        return []
    from generators.checks import evaluate, matches

    issues: list[DeckIssue] = []
    for card in numeric:
        try:
            value = evaluate(card.check)
        except (KeyError, TypeError, ValueError) as e:
            issues.append(DeckIssue(card.file, card.line, f"card '{card.id}': check failed: {e}"))
            continue
        if not matches(card.answer, value, card.tolerance):
            issues.append(DeckIssue(
                card.file, card.line,
                f"card '{card.id}': answer {card.answer!r} disagrees with the solver ({value!r})",
            ))
    return issues
