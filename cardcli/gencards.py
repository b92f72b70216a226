"""The identity of generated cards: the one place a ``gen:<family>:d<difficulty>`` id is built or read.

Generated problems take part in the schedule as pseudo-cards (deck :data:`GEN_DECK`), one per
(family, difficulty): :func:`card_id` builds the id, :func:`parse` reads it back,
:func:`generated_cards` lists the cards and :func:`instantiate` draws a fresh problem for one.
Nothing here imports NumPy: the catalog is the NumPy-free one, and the generators are imported
only when a problem is drawn.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from cardcli.model import Card, CardType

__all__ = ["GEN_PREFIX", "GEN_DECK", "card_id", "parse", "is_generated", "generated_cards", "instantiate"]

GEN_PREFIX = "gen:"
GEN_DECK = "generated"


def card_id(family: str, difficulty: int) -> str:
    """The id of the card a problem of ``family`` at ``difficulty`` belongs to."""
    return f"{GEN_PREFIX}{family}:d{int(difficulty)}"


def parse(cid: str) -> tuple[str, int] | None:
    """``(family, difficulty)`` of a generated card's id; None for any other id."""
    if not cid.startswith(GEN_PREFIX):
        return None
    parts = cid.split(":")
    if len(parts) != 3 or not parts[2].startswith("d") or not parts[2][1:].isdigit():
        return None
    return parts[1], int(parts[2][1:])


def is_generated(cid: str) -> bool:
    return cid.startswith(GEN_PREFIX)


def generated_cards(topics: Sequence[str] = (), difficulties: Sequence[int] | None = None) -> list[Card]:
    """One pseudo-card per (family, difficulty) of the problem generators.

    Without ``topics`` every family at difficulty 1; with topics, the families whose topics
    (or name) match, at difficulties 1-3. Uses the NumPy-free catalog: nothing heavy is imported
    until a generated card is actually shown.
    """
    from generators.catalog import CATALOG

    wanted = set(topics)
    levels = tuple(difficulties) if difficulties else ((1, 2, 3) if wanted else (1,))
    cards: list[Card] = []
    for name, (fam_topics, _) in CATALOG.items():
        if wanted and not (wanted & set(fam_topics) or name in wanted):
            continue
        for d in levels:
            cards.append(Card(
                id=card_id(name, d), front=f"Generated problem: {name} (difficulty {d})",
                back="", topic=fam_topics[0], deck=GEN_DECK, type=CardType.numeric,
                group=f"{GEN_PREFIX}{name}",
            ))
    return cards


def instantiate(card: Card, rng: random.Random) -> Any:
    """A fresh problem for a ``gen:`` card (seed drawn from ``rng``)."""
    from generators.families import generate

    parsed = parse(card.id)
    if parsed is None:
        raise ValueError(f"not a generated card: {card.id!r}")
    family, level = parsed
    seed = rng.randrange(2**31)
    return generate(family, 1, seed, level)[0]
