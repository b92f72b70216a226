"""Which cards a session draws from: the decks loaded (with warnings), the ``--deck``/``--topic``
selection (deck cards interleaved, generated-problem cards spread among them), and the new cards
already seen today that count against the allowance. Shared by ``study``, ``due``, ``stats``,
``export``, ``exam`` and ``mock``."""

from __future__ import annotations

from datetime import datetime
from operator import attrgetter
from pathlib import Path

from cardcli.console import message
from cardcli.errors import CardcliError, UsageError
from cardcli.loader import Collection, load_collection
from cardcli.model import Card, Selection
from cardcli.paths import user_deck_paths

__all__ = ["load_decks", "select_cards", "new_seen_today"]


def load_decks(extra: list[Path], solver_answers: bool = False) -> Collection:
    """Bundled + user decks. Problems are warnings here: a broken deck never stops the others.

    With ``solver_answers`` (commands that grade or export answers), the user decks' numeric cards
    are recomputed: one the solver disputes is a warning and carries the solver's value from here
    on (see :func:`cardcli.verify.adopt_solver_answers`; NumPy loads only if such a card exists).
    """
    col = load_collection(user_deck_paths(extra))  # frozen out of the GC's way (see gcpause)
    issues = list(col.issues)
    if solver_answers and any(any(map(attrgetter("check"), d.cards)) for d in col.decks if not d.bundled):
        from cardcli.verify import adopt_solver_answers

        issues += adopt_solver_answers(col)
    for issue in issues:
        message(f"warning: {issue}")
    return col


def select_cards(col: Collection, decks: list[str], topics: list[str]) -> Selection:
    """Deck cards of the selection, plus generated-problem cards when no other deck is named."""
    from cardcli.errors import did_you_mean
    from cardcli.gencards import GEN_DECK, generated_cards
    from cardcli.loader import deck_key, deck_keys
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
    return Selection(cards)


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
