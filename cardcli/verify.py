"""Recompute numeric cards' answers with the reference solver, and list the cards a teacher should review.

:func:`verify_numeric` is what ``cardcli check`` reports (errors). :func:`adopt_solver_answers` is
what ``study`` and ``export`` do with user decks: a card whose answer the solver disputes is
reported as a warning and graded against the solver's value. :func:`fact_notes` lists the cards
carrying an ``erratum`` or a ``disputed`` reason (``cardcli check --facts``).

Messages quote at most 200 characters of an answer or a result (never a whole array).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from cardcli.errors import DeckIssue
from cardcli.loader import Collection
from cardcli.model import Card, Deck
from cardcli.safetext import excerpt

__all__ = ["Disagreement", "FactNote", "adopt_solver_answers", "disagreements", "fact_notes", "verify_numeric"]

@dataclass(frozen=True)
class Disagreement:
    """A numeric card whose ``check`` could not run (``error``) or gave another value (``value``)."""

    card: Card
    value: Any = None
    error: str | None = None

    def issue(self, adopted: bool = False) -> DeckIssue:
        c = self.card
        if self.error is not None:
            return DeckIssue(c.file, c.line, f"card '{c.id}': check failed: {self.error}")
        tail = "; graded against the solver's value" if adopted else ""
        return DeckIssue(c.file, c.line, f"card '{c.id}': answer {excerpt(c.answer)} disagrees with the "
                                         f"solver ({excerpt(self.value)}){tail}")


def disagreements(cards: list[Card]) -> list[Disagreement]:
    """One entry per card with a ``check`` whose stored answer differs from the solver's (or whose
    check fails). Imports the solver (NumPy) only when some card has a ``check``."""
    numeric = [c for c in cards if c.check]
    if not numeric:
        return []
    from generators.checks import evaluate, matches

    found: list[Disagreement] = []
    for card in numeric:
        assert card.check is not None  # numeric holds only the cards with a check
        try:
            value = evaluate(card.check)
            if not matches(card.answer, value, card.tolerance):
                found.append(Disagreement(card, value=value))
        except (KeyError, TypeError, ValueError, IndexError) as e:
            found.append(Disagreement(card, error=excerpt(str(e))))  # a user deck's check is data
        except (ArithmeticError, RecursionError, MemoryError) as e:  # hostile values the bounds missed
            found.append(Disagreement(card, error=f"{type(e).__name__}: {excerpt(str(e))}"))
    return found


def verify_numeric(cards: list[Card]) -> list[DeckIssue]:
    """One issue per numeric card whose stored answer differs from the solver's."""
    return [d.issue() for d in disagreements(cards)]


def _solver_answer(answer: Any, value: Any) -> Any:
    """The solver's ``value`` in the shape of the card's ``answer``: a mapping answer keeps its own
    keys (``{radius, regime}`` of ``rnn_gradient``'s larger result)."""
    if isinstance(answer, dict) and isinstance(value, dict):
        return {k: value.get(str(k), answer[k]) for k in answer}
    return value


def adopt_solver_answers(col: Collection) -> list[DeckIssue]:
    """Recompute the numeric cards of the *user* decks in ``col`` (bundled decks are verified by
    ``cardcli check`` and the tests); each card the solver disputes gets the solver's value as its
    answer (in place, in ``col.decks``). Returns one warning per disputed or failing card.
    """
    user_cards = [c for d in col.decks if not d.bundled for c in d.cards if c.check]
    found = disagreements(user_cards)
    if not found:
        return []
    fixed = {d.card.id: d.card._replace(answer=_solver_answer(d.card.answer, d.value))
             for d in found if d.error is None}
    if fixed:
        col.decks = [
            d if d.bundled else Deck(d.name, d.source, d.file, tuple(fixed.get(c.id, c) for c in d.cards),
                                     d.description, d.bundled)
            for d in col.decks
        ]
    return [d.issue(adopted=d.error is None) for d in found]


@dataclass(frozen=True)
class FactNote:
    """One line of ``cardcli check --facts``: a card's erratum or disputed reason."""

    card: Card
    kind: str  # "erratum" | "disputed"
    text: str

    def __str__(self) -> str:
        return f"{self.card.file}:{self.card.line}: {self.card.id}: {self.kind}: {self.text}"


def fact_notes(cards: list[Card]) -> list[FactNote]:
    """Every ``erratum`` and ``disputed`` reason, in deck order, each on one line (whitespace runs,
    newlines included, become one space)."""
    notes: list[FactNote] = []
    for c in cards:
        for kind, text in (("erratum", c.erratum), ("disputed", c.disputed)):
            if text:
                notes.append(FactNote(c, kind, re.sub(r"\s+", " ", text).strip()))
    return notes
