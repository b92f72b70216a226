"""`cardcli study`: the spaced-repetition session (and the card selection `due` shares)."""

from __future__ import annotations

import random
import sys
from datetime import date, datetime
from pathlib import Path

from cardcli import clock
from cardcli.errors import CardcliError, UsageError
from cardcli.loader import Collection
from cardcli.model import Card

__all__ = ["run", "select_cards", "new_seen_today"]


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


def new_seen_today(store, cards: list[Card], since: datetime, explicit: bool) -> int:
    """New cards introduced today that count against this session's allowance.

    A plain ``cardcli study`` shares one allowance a day. An explicit selection (``--deck``,
    ``--topic``) counts only its own cards, so it still introduces new cards of that selection
    after the general allowance has been used (up to ``--new``).
    """
    if not explicit:
        return store.new_seen_since(since)
    first = store.first_reviewed_since(since)
    return sum(1 for c in cards if c.id in first)


def run(*, decks: list[str], topics: list[str], new: int, limit: int, exam: date | None,
        cram: bool, extra: list[Path]) -> None:
    """Study the selected cards until the queue is empty, the limit is hit, or `q`."""
    from rich.text import Text

    from cardcli.commands._common import load_decks, out
    from cardcli.commands.exam import active_exam, print_status
    from cardcli.gcpause import paused_gc
    from cardcli.scheduler import day_end, day_start, days_left, plan, policy_for
    from cardcli.session import Session
    from cardcli.store import Store
    from cardcli.studyday import from_env
    from cardcli.terminal import key_source

    now = clock.now()
    day = from_env()
    col = load_decks(extra, solver_answers=True)
    cards = select_cards(col, decks, topics)
    rng = random.Random()
    with Store.open() as store:
        exam, name = active_exam(store, exam, now, day)
        exam_day = exam is not None and days_left(now, exam, day) == 0
        model = store.memory_model()  # parameters fitted by `cardcli optimize`, if saved
        params = model.parameters if model else None
        lazy = exam is None and not cram
        if lazy:  # states read on demand: only the cards due today are ranked (see StateIndex)
            with paused_gc():  # bulk rows, no cycles (see gcpause)
                states = store.state_index()
                due = states.due_before(day_end(now, day))
        else:  # exam readiness and cram need every seen card's state
            states = store.load_states()
        if exam is not None:
            print_status(exam, name, col, states, now, day, params)
            if not exam_day:
                out.print(Text(f"Target retention {policy_for(now, exam, params, day).desired_retention:.0%}; "
                               f"no interval reaches past the exam."))
        if exam_day and not cram:
            out.print(Text("Exam morning: your weakest cards first; ratings are logged, the schedule "
                           "is left as it is (like --cram)."))
        seen_today = new_seen_today(store, cards, day_start(now, day), bool(decks or topics))
        with paused_gc():
            queue = plan(cards, states.ids if lazy else states, now, rng, new_per_day=new,
                         new_seen_today=seen_today, exam=exam, cram=cram or exam_day, day=day,
                         cram_unseen=not exam_day, parameters=params, due=due if lazy else None)
        session = Session(queue, store, out, key_source(sys.stdin, sys.stdout), states, cards,
                          limit=limit, cram=cram or exam_day, policy=policy_for(now, exam, params, day),
                          rng=rng)
        from cardcli.interrupts import as_interrupt

        with as_interrupt():  # a closed window or `kill` ends the session like Ctrl-C (ratings are committed)
            session.run()
