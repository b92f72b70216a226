"""Cards and decks as loaded from YAML: plain, immutable data."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from itertools import compress
from operator import attrgetter, not_
from typing import Any, NamedTuple

__all__ = ["CardType", "Card", "Deck", "Selection", "ids_of", "id_set_of", "unseen_of", "CARD_KEYS", "DECK_KEYS",
           "NO_MATRICES", "back_text"]


class CardType(str, Enum):
    basic = "basic"  # self-rated
    truefalse = "truefalse"  # answer: true|false
    choice = "choice"  # options + answer (one of the options)
    numeric = "numeric"  # answer recomputed by the solver through `check`


#: keys a deck file may have at top level
DECK_KEYS = ("deck", "source", "description", "cards")
#: keys a card may have
CARD_KEYS = (
    "id",
    "front",
    "back",
    "topic",
    "tags",
    "type",
    "answer",
    "options",
    "check",
    "erratum",
    "group",
    "matrices",
    "tolerance",
    "source",
    "disputed",
)


#: the shared empty ``matrices`` mapping (never mutated; shared so a 100k-card cache stays small)
NO_MATRICES: dict[str, list] = {}


class Card(NamedTuple):
    """One flashcard (an immutable named tuple: cheap to build and to load from the parse cache).

    ``back`` is a string or a list of strings (a list answer stays a list).
    ``answer`` depends on ``type``: bool for truefalse, one of ``options`` for choice,
    a number / nested list (matrix) / string / mapping for numeric.
    ``check`` (numeric only) is ``{"fn": solver function name, "args": {...}}``.
    ``group`` names the source question shared by sibling cards (kept apart when studying).
    ``matrices`` maps a caption to a 2-D list shown as a table under the front.
    ``source`` names the reference a card was checked against (e.g. a CS231n notes section).
    ``disputed`` is a one-line reason the card is badly posed: shown, never auto-graded.
    """

    id: str
    front: str
    back: str | list[str]
    topic: str
    deck: str
    file: str = ""
    line: int = 0
    type: CardType = CardType.basic
    tags: tuple[str, ...] = ()
    answer: Any = None
    options: tuple[str, ...] = ()
    check: dict[str, Any] | None = None
    erratum: str | None = None
    group: str | None = None
    matrices: dict[str, list] = NO_MATRICES
    tolerance: float | None = None
    source: str | None = None  # the reference a corrected card was checked against
    disputed: str | None = None  # why the card cannot be graded as posed (never auto-graded)

    @property
    def group_key(self) -> str:
        """Cards with the same key come from the same source question."""
        return self.group or self.id


@dataclass(frozen=True)
class Deck:
    name: str
    source: str
    file: str
    cards: tuple[Card, ...]
    description: str = ""
    bundled: bool = False

    @property
    def topics(self) -> list[str]:
        return sorted({c.topic for c in self.cards})


def back_text(card: Card) -> str:
    """The back as plain text (list items one per line, bulleted)."""
    if isinstance(card.back, list):
        return "\n".join(f"- {item}" for item in card.back)
    return card.back


class Selection(list[Card]):
    """The cards a command works on (:func:`cardcli.selection.select_cards`), with their ids worked
    out once: on a big deck (100k cards) the study path asks for them four times (the daily plan,
    the queue, its unseen cards, the end-of-session figures), each pass a few milliseconds.

    Treat it as read-only: the memos are not updated if the list is changed.
    """

    _ids: list[str] | None = None
    _id_set: frozenset[str] | None = None
    _unseen: tuple[Collection[str], int, list[bool]] | None = None

    def ids(self) -> list[str]:
        if self._ids is None:
            self._ids = _ids(self)
        return self._ids

    def id_set(self) -> frozenset[str]:
        if self._id_set is None:
            self._id_set = frozenset(self.ids())
        return self._id_set

    def unseen_mask(self, seen: Collection[str]) -> list[bool]:
        """Per card, whether its id is not in ``seen``. Kept for the last ``seen`` asked about, while
        it is the same object of the same size (the daily plan and the queue ask in turn)."""
        memo = self._unseen
        if memo is None or memo[0] is not seen or memo[1] != len(seen):
            memo = self._unseen = (seen, len(seen), _unseen_mask(self.ids(), seen))
        return memo[2]


def _ids(cards: Iterable[Card]) -> list[str]:
    return list(map(attrgetter("id"), cards))  # in C: 100k cards in a few milliseconds


def _unseen_mask(ids: Iterable[str], seen: Collection[str]) -> list[bool]:
    return list(map(not_, map(seen.__contains__, ids)))


def ids_of(cards: Iterable[Card]) -> list[str]:
    """The cards' ids in order (a :class:`Selection`'s memo, or worked out now)."""
    return cards.ids() if isinstance(cards, Selection) else _ids(cards)


def id_set_of(cards: Iterable[Card]) -> frozenset[str]:
    return cards.id_set() if isinstance(cards, Selection) else frozenset(_ids(cards))


def unseen_of(cards: Sequence[Card], seen: Collection[str]) -> list[Card]:
    """The cards whose ids are not in ``seen``, in order."""
    mask = cards.unseen_mask(seen) if isinstance(cards, Selection) else _unseen_mask(_ids(cards), seen)
    return list(compress(cards, mask))
