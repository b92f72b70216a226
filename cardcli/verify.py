"""Recompute every numeric card's answer with the reference solver.

Messages quote at most 200 characters of an answer or a result (never a whole array)."""

from __future__ import annotations

from cardcli.errors import DeckIssue
from cardcli.model import Card
from cardcli.safetext import excerpt

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
            agrees = matches(card.answer, value, card.tolerance)
        except (KeyError, TypeError, ValueError) as e:
            issues.append(DeckIssue(card.file, card.line, f"card '{card.id}': check failed: {excerpt(str(e))}"))
            continue
        except (ArithmeticError, RecursionError, MemoryError) as e:  # hostile values the bounds missed
            issues.append(DeckIssue(card.file, card.line,
                                    f"card '{card.id}': check failed: {type(e).__name__}: {excerpt(str(e))}"))
            continue
        if not agrees:
            issues.append(DeckIssue(
                card.file, card.line,
                f"card '{card.id}': answer {excerpt(card.answer)} disagrees with the solver ({excerpt(value)})",
            ))
    return issues
