"""Finding cards by id or by words, and printing them as study shows them (``show``, ``search``).

Matching: a query that is a card id (any case) finds that card. Otherwise the query is split
into words, and a card matches when every word occurs (any case, as a substring) in its front,
back, options or erratum. Matches are ranked: words in the front first, then in the answer, then
in the erratum; ties keep deck order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cardcli.model import Card, CardType, back_text

__all__ = ["Match", "find", "by_id", "select", "card_renderable", "card_json", "MAX_QUERY"]

#: a longer query is cut here (queries are data; bounded before anything is computed from them)
MAX_QUERY = 500


@dataclass(frozen=True)
class Match:
    card: Card
    score: int  # higher first
    exact_id: bool = False


def _texts(card: Card) -> tuple[str, str, str]:
    answer = back_text(card)
    if card.options:
        answer += "\n" + "\n".join(card.options)
    if card.answer is not None and card.type is not CardType.basic:
        answer += "\n" + str(card.answer)
    return card.front.casefold(), answer.casefold(), (card.erratum or "").casefold()


def by_id(cards: Iterable[Card], query: str) -> Card | None:
    """The card whose id is ``query`` (any case, surrounding spaces ignored), or None."""
    key = query.strip().casefold()
    for c in cards:
        if c.id.casefold() == key:
            return c
    return None


def find(cards: Sequence[Card], query: str) -> list[Match]:
    """The cards matching ``query``: its id, or every word of it (see the module doc), best first."""
    query = query[:MAX_QUERY]
    exact = by_id(cards, query)
    if exact is not None:
        return [Match(exact, 1 << 30, exact_id=True)]
    words = query.casefold().split()
    if not words:
        return []
    found: list[tuple[int, int, Match]] = []
    for i, card in enumerate(cards):
        front, answer, erratum = _texts(card)
        score = 0
        for w in words:
            if w in front:
                score += 100
            elif w in answer:
                score += 10
            elif w in erratum:
                score += 1
            else:
                break
        else:
            found.append((-score, i, Match(card, score)))
    found.sort(key=lambda t: (t[0], t[1]))
    return [m for _, _, m in found]


def _schedule(state: Any, now: datetime, day: Any) -> tuple[str, str]:
    """(stage, next due as the user reads it) for a card's state (None: never studied)."""
    from cardcli.scheduler import format_interval, stage

    st = stage(state)
    if state is None:
        return st, ""
    due = state.due
    when = day.format(due)
    wait = due - now
    return st, f"{when} ({'now' if wait.total_seconds() <= 0 else 'in ' + format_interval(wait)})"


def card_renderable(card: Card, state: Any, now: datetime, day: Any) -> Any:
    """The card as study shows it — question panel, then the answer, erratum and source — under a
    line with its ``file:line``, schedule stage and next due date."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    from cardcli.render import matrix_table
    from cardcli.safetext import safe_text

    parts: list[Any] = [safe_text(card.front)]
    if card.type is CardType.choice:
        parts.append(safe_text("\n".join(f"  {i}) {o}" for i, o in enumerate(card.options, 1))))
    elif card.type is CardType.truefalse:
        parts.append(Text("  true or false?"))
    for caption, rows in (card.matrices or {}).items():
        parts.append(matrix_table(rows, title=str(caption)))
    panel = Panel(Group(*parts), title=safe_text(f"{card.deck} · {card.topic}"), title_align="left",
                  subtitle=safe_text(card.id), subtitle_align="right")
    from cardcli.session_render import answer_parts

    answer = answer_parts(card)
    stage, due = _schedule(state, now, day)
    where = f"{card.file}:{card.line}" if card.file else "(no file)"
    meta = safe_text(f"{where} · {stage} · " + (f"next due {due}" if due else "not studied yet"), style="dim")
    return Group(meta, panel, *answer, Text(""))


def _plain(value: Any) -> Any:
    """NumPy values (a solver-adopted answer) and tuples as plain JSON values, without importing NumPy."""
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        value = tolist()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def select(col: Any, decks: Sequence[str], topics: Sequence[str]) -> list[Card]:
    """The deck cards of the ``--deck``/``--topic`` selection; an unknown name is a one-line error."""
    from cardcli.errors import UsageError, did_you_mean
    from cardcli.loader import deck_key, deck_keys
    from cardcli.topics import TOPICS

    bad = [t for t in topics if t not in TOPICS]
    if bad:
        raise UsageError(f"--topic: unknown topic {bad[0]!r}{did_you_mean(bad[0], sorted(TOPICS))}; "
                         f"topics: {', '.join(sorted(TOPICS))}")
    known = {k for d in col.decks for k in deck_keys(d)}
    unknown = [d for d in decks if deck_key(d) not in known]
    if unknown:
        names = sorted(d.name for d in col.decks)
        raise UsageError(f"--deck: no deck named {unknown[0]!r}{did_you_mean(unknown[0], names)} "
                         f"(decks: {', '.join(names) or 'none'})")
    return list(col.select(list(decks), list(topics)))


def card_json(card: Card, state: Any, day: Any, score: int | None = None) -> dict[str, Any]:
    """A card, where it is, and its schedule, as JSON-ready values."""
    from cardcli.scheduler import stage

    return {
        "id": card.id, "deck": card.deck, "topic": card.topic, "type": card.type.value,
        "file": card.file, "line": card.line, "front": card.front, "back": card.back,
        "options": list(card.options), "answer": _plain(card.answer), "matrices": _plain(dict(card.matrices or {})),
        "erratum": card.erratum, "source": card.source, "disputed": card.disputed, "tags": list(card.tags),
        "stage": stage(state), "due": None if state is None else state.due.isoformat(),
        "due_local": None if state is None else day.format(state.due),
        "reps": 0 if state is None else state.reps, **({} if score is None else {"score": score}),
    }

