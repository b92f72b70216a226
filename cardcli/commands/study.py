"""`cardcli study`: the spaced-repetition session (and the card selection `due` shares)."""

from __future__ import annotations

import random
import sys
from datetime import date, datetime, timezone
from pathlib import Path

from cardcli.errors import CardcliError, UsageError
from cardcli.loader import Collection
from cardcli.model import Card

__all__ = ["run", "select_cards", "check_exam"]


def select_cards(col: Collection, decks: list[str], topics: list[str]) -> list[Card]:
    """Deck cards of the selection, plus generated-problem cards when no other deck is named."""
    from cardcli.errors import did_you_mean
    from cardcli.loader import deck_key, deck_keys
    from cardcli.session import GEN_DECK, generated_cards
    from cardcli.topics import TOPICS
    from generators.catalog import CATALOG

    bad = [t for t in topics if t not in TOPICS and t not in CATALOG]
    if bad:
        valid = sorted(TOPICS) + sorted(CATALOG)
        raise UsageError(f"--topic: unknown topic {bad[0]!r}{did_you_mean(bad[0], valid)}; "
                         f"topics: {', '.join(sorted(TOPICS))}")
    wanted = [d for d in decks if deck_key(d) != GEN_DECK]
    known = {k for d in col.decks for k in deck_keys(d)}
    unknown = [d for d in wanted if deck_key(d) not in known]
    if unknown:
        names = sorted(d.name for d in col.decks)
        hint = did_you_mean(unknown[0], names + [Path(d.file).name for d in col.decks] + [GEN_DECK])
        raise UsageError(f"--deck: no deck named {', '.join(map(repr, unknown))}{hint} "
                         f"(decks: {', '.join(names) or 'none'}, {GEN_DECK})")
    cards = _interleave(col.select_by_deck(wanted, topics)) if (wanted or not decks) else []
    if not decks or len(wanted) < len(decks):
        cards = _spread(cards, generated_cards(topics))
    if not cards:
        raise CardcliError("no cards match this --deck/--topic selection (see `cardcli decks`)")
    return cards


def _interleave(groups: list[list[Card]]) -> list[Card]:
    """Round-robin over decks, each deck in its own order: new cards come from every deck in turn.

    Linear: rounds run while two or more decks have cards left; the rest of the longest deck
    follows as it is.
    """
    if len(groups) < 2:
        return [c for g in groups for c in g]
    longest = max(groups, key=len)
    rounds = sorted(len(g) for g in groups)[-2]
    head = [g[i] for i in range(rounds) for g in groups if i < len(g)]
    return head + longest[rounds:]


def _spread(cards: list[Card], extra: list[Card]) -> list[Card]:
    """``extra`` evenly among ``cards`` (new generated problems mixed into the deck order).

    Extra item ``j`` follows the first ``round(step * (j + 1))`` cards (at least one), where
    ``step = len(cards) / (len(extra) + 1)``; built from slices, so linear in the deck size.
    """
    if not cards or not extra:
        return cards + extra
    out: list[Card] = []
    step = len(cards) / (len(extra) + 1)
    start = 0
    for j, item in enumerate(extra):
        cut = min(max(1, round(step * (j + 1))), len(cards))
        out.extend(cards[start:cut])
        out.append(item)
        start = max(start, cut)
    out.extend(cards[start:])
    return out


def check_exam(exam: date | None, now: datetime) -> None:
    if exam is not None and exam <= now.date():
        raise UsageError(f"--exam: {exam.isoformat()} is not in the future (today is {now.date().isoformat()} UTC)")


def run(*, decks: list[str], topics: list[str], new: int, limit: int, exam: date | None,
        cram: bool, extra: list[Path]) -> None:
    """Study the selected cards until the queue is empty, the limit is hit, or `q`."""
    from cardcli.commands._common import load_decks, out
    from cardcli.scheduler import day_start, plan, policy_for
    from cardcli.session import Session
    from cardcli.store import Store
    from cardcli.terminal import key_source

    now = datetime.now(timezone.utc)
    check_exam(exam, now)
    cards = select_cards(load_decks(extra), decks, topics)
    rng = random.Random()
    with Store.open() as store:
        states = store.load_states()
        model = store.memory_model()  # parameters fitted by `cardcli optimize`, if saved
        params = model.parameters if model else None
        queue = plan(cards, states, now, rng, new_per_day=new,
                     new_seen_today=store.new_seen_since(day_start(now)), exam=exam, cram=cram,
                     parameters=params)
        if exam is not None:
            out.print(f"Exam mode: {exam.isoformat()}, target retention "
                      f"{policy_for(now, exam).desired_retention:.0%}", highlight=False)
        session = Session(queue, store, out, key_source(sys.stdin, sys.stdout), states, cards,
                          limit=limit, cram=cram, policy=policy_for(now, exam, params), rng=rng)
        session.run()
