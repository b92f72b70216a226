"""The study order: :func:`plan` builds a :class:`StudyQueue` (see the package docstring, "Ordering").

Due cards lowest predicted recall first, new cards mixed in, siblings kept apart, learning cards
re-queued a few cards later. Pure: ``now`` and ``rng`` are arguments.
"""

from __future__ import annotations

import heapq
import random
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import compress, repeat
from operator import add, attrgetter, itemgetter, methodcaller, mul, sub, truediv
from typing import Any, Protocol, cast, runtime_checkable
from zlib import crc32

import fsrs

from cardcli.model import Card, Selection, ids_of, unseen_of
from cardcli.scheduler.memory import (
    US_PER_DAY,
    Brief,
    CardState,
    _check_now,
    _curve,
    day_end,
    effective_due,
    micros,
    new_per_day_target,
    policy_for,
)
from cardcli.studyday import StudyDay

__all__ = [
    "LEARN_AHEAD",
    "REQUEUE_GAP",
    "NEW_EVERY",
    "StudyQueue",
    "plan",
]

#: a card whose next due time is within this comes back in the same session
LEARN_AHEAD = timedelta(hours=1)
#: how many other cards are shown before a re-queued card returns, by raw rating
REQUEUE_GAP: dict[int, int] = {1: 2, 2: 3, 3: 5, 4: 7, 5: 9}
#: one new card after every NEW_EVERY - 1 reviews
NEW_EVERY = 4

_SCAN = 16  # how many candidates to look past when avoiding a sibling
#: due cards ranked in SQLite up front on a big history (a session's 200 ratings, and the scan past
#: siblings); the rest are ranked when the queue comes near them
RANK_AHEAD = 256


@runtime_checkable
class DueSource(Protocol):
    """Where a big history's due cards come from (the :class:`~cardcli.store.StateIndex`)."""

    def due_before(self, horizon: datetime) -> Mapping[str, Brief]: ...

    def due_ranking(self, horizon: datetime, now_us: int, decay: float, factor: float,
                    k: int) -> tuple[int, list[tuple[str, float, int]]] | None: ...


@dataclass
class StudyQueue:
    """Incremental study order: heaps and deques, so picking the next card is O(log n).

    ``next()`` returns the next card (or None); after a rating the session calls
    :meth:`rated` so learning cards come back a few cards later.
    """

    #: heap of (predicted recall, due in microseconds, tie-breaker, deck position, card)
    due: list[tuple[float, int, int, int, Card]] = field(default_factory=list)
    new: deque[Card] = field(default_factory=deque)
    new_left: int = 0
    new_per_day: int = 0  # today's new-card limit (for the "limit reached" message)
    new_before: int = 0  # new cards introduced today before this queue was built
    new_taken: int = 0  # new cards this queue has handed out
    requeued: list[tuple[int, int, Card]] = field(default_factory=list)  # heap (ready_at, seq)
    front: deque[Card] = field(default_factory=deque)  # undo puts a card back here
    shown: int = 0
    reviews_since_new: int = 0
    last_group: str | None = None
    _seq: int = 0
    #: due cards not in the heap yet (ranked in SQLite, the heap holds the first _sure of them)
    _rest: int = 0
    _sure: int = 0
    _more: Callable[[], list] | None = None  # the entries of every due card, for _refill
    _due_taken: int = 0
    _shown_due: set[int] = field(default_factory=set)  # deck positions popped before a refill

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def __len__(self) -> int:
        return self.due_count() + min(len(self.new), self.new_left) + len(self.requeued) + len(self.front)

    def due_count(self) -> int:
        """Due cards still to show, ranked or not."""
        return len(self.due) + self._rest

    def _refill(self) -> None:
        """Rank the due cards SQLite left out, once the heap's sure part is nearly used up: every due
        card's entry, less those already in the heap or shown (they were all in the first rows)."""
        if self._more is None:
            return
        more, self._more = self._more, None
        first = {it[3] for it in self.due} | self._shown_due
        self.due.extend(it for it in more() if it[3] not in first)
        heapq.heapify(self.due)
        self._rest = 0

    # -- picking -------------------------------------------------------------------------
    def _pop_heap(self, heap: list, ok) -> Any | None:
        """Pop the best entry satisfying ``ok`` among the first few; others go back."""
        held: list[Any] = []
        found = None
        while heap and len(held) < _SCAN:
            item = heapq.heappop(heap)
            if ok(item):
                found = item
                break
            held.append(item)
        for item in held:
            heapq.heappush(heap, item)
        return found

    def _pop_new(self, ok_card) -> Card | None:
        if self.new_left <= 0:
            return None
        for i, card in enumerate(self.new):
            if i >= _SCAN:
                break
            if ok_card(card):
                del self.new[i]
                return card
        return None

    def next(self) -> Card | None:
        """The next card to show, or None when the session has nothing left."""
        card = self._pick(avoid=self.last_group) or self._pick(avoid=None)
        if card is None:
            return None
        self.shown += 1
        self.last_group = card.group_key
        return card

    def _pick(self, avoid: str | None) -> Card | None:
        ok_card = (lambda c: c.group_key != avoid) if avoid is not None else (lambda c: True)
        if self.front:
            if ok_card(self.front[0]) or avoid is None:
                return self.front.popleft()
        ready = self._pop_heap(self.requeued, lambda it: it[0] <= self.shown and ok_card(it[2]))
        if ready is not None:
            return ready[2]
        new_turn = self.reviews_since_new >= NEW_EVERY - 1 or not self.due
        order = ("new", "due") if new_turn else ("due", "new")
        for source in order:
            if source == "new":
                card = self._pop_new(ok_card)
                if card is not None:
                    self.new_left -= 1
                    self.new_taken += 1
                    self.reviews_since_new = 0
                    return card
            else:
                if self._more is not None and self._due_taken + _SCAN >= self._sure:
                    self._refill()
                item = self._pop_heap(self.due, lambda it: ok_card(it[4]))
                if item is not None:
                    self.reviews_since_new += 1
                    self._due_taken += 1
                    if self._more is not None:
                        self._shown_due.add(item[3])
                    return item[4]
        # nothing else: a re-queued card early rather than ending the session
        item = self._pop_heap(self.requeued, lambda it: ok_card(it[2]))
        return item[2] if item is not None else None

    # -- feedback ------------------------------------------------------------------------
    def rated(self, card: Card, rating: int, state: CardState, now: datetime) -> bool:
        """Re-queue ``card`` if its next due time is within :data:`LEARN_AHEAD`. True if so."""
        if state.due - _check_now(now) <= LEARN_AHEAD:
            gap = REQUEUE_GAP.get(rating, 3)
            heapq.heappush(self.requeued, (self.shown + gap, self._next_seq(), card))
            return True
        return False

    def undo(self, card: Card) -> None:
        """Undo of ``card``'s last rating: drop its re-queue entry and show it again next."""
        self.requeued = [it for it in self.requeued if it[2].id != card.id]
        heapq.heapify(self.requeued)
        self.push_front(card)

    def push_front(self, card: Card) -> None:
        """Show ``card`` next (a card put back, e.g. the one on screen during an undo)."""
        self.front.appendleft(card)
        self.last_group = None


def _split_seen(cards: Iterable[Card], states: Mapping[str, CardState],
                unseen: Callable[[int, Card], object]) -> Iterator[tuple[int, Card, CardState]]:
    """(deck position, card, state) of each seen card in order; ``unseen(position, card)`` is called
    for the others, in turn."""
    for i, card in enumerate(cards):
        st = states.get(card.id)
        if st is None:
            unseen(i, card)
        else:
            yield i, card, st


def _ties(salt: int, ids: Iterable[str]) -> Iterator[int]:
    """Each card's tie-breaker: a checksum of its id started from the session's ``salt``, so equal
    cards are not always in deck order, and a card's place never depends on which others were
    ranked with it (the queue ranked in SQLite holds only the first few)."""
    return map(crc32, map(_UTF8, ids), repeat(salt))


_UTF8 = methodcaller("encode", "utf-8", "surrogatepass")


def _recalls(briefs: list[Brief], now_us: int, decay: float, factor: float) -> Iterable[float]:
    """The predicted recall at ``now_us`` of each brief: the same floats as ``recall()`` in
    :func:`plan` and :func:`~cardcli.scheduler.memory.recall_forecast` (the same operations in the
    same order), worked column by column by ``map`` in C (plain mode on a big history ranks tens of
    thousands of due cards at every start)."""
    lasts = list(map(itemgetter(1), briefs))
    stabilities = list(map(itemgetter(2), briefs))
    if None in lasts or None in stabilities:  # never reviewed into a stability: recall 0
        return [0.0 if s is None or t is None else (1 + factor * max(0.0, (now_us - t) / US_PER_DAY) / s) ** decay
                for t, s in zip(lasts, stabilities)]
    days = map(max, repeat(0.0), map(truediv, map(sub, repeat(now_us), lasts), repeat(US_PER_DAY)))
    return map(pow, map(add, repeat(1), map(truediv, map(mul, repeat(factor), days), stabilities)), repeat(decay))


def _entries(cards: Sequence[Card], briefs: Mapping[str, Brief], horizon: datetime, now_us: int, decay: float,
             factor: float, salt: int) -> list[tuple[float, int, int, int, Card]]:
    """The heap entries of the cards of ``briefs`` due before ``horizon``, column by column."""
    ids = ids_of(cards)
    mask = list(map(briefs.__contains__, ids))
    due_cards = list(compress(cards, mask))
    positions = list(compress(range(len(cards)), mask))
    bs = list(map(briefs.__getitem__, compress(ids, mask)))
    horizon_us = micros(horizon)
    if bs and not max(map(itemgetter(0), bs)) < horizon_us:  # briefs read for a later horizon
        keep = list(map(horizon_us.__gt__, map(itemgetter(0), bs)))  # b.due < horizon
        due_cards, bs = list(compress(due_cards, keep)), list(compress(bs, keep))
        positions = list(compress(positions, keep))
    return list(zip(_recalls(bs, now_us, decay, factor), map(itemgetter(0), bs),
                    _ties(salt, map(attrgetter("id"), due_cards)), positions, due_cards))


def _later(cards: Sequence[Card], source: DueSource, unseen: list[Card], horizon: datetime, now_us: int,
           decay: float, factor: float, salt: int) -> Callable[[], list]:
    """What :meth:`StudyQueue._refill` calls: the entries of the cards due at planning time, ranked
    then (a card first rated in this session was not due then: it is left out, as the queue built
    from every state leaves it out)."""
    def more() -> list:
        new = set(map(attrgetter("id"), unseen))
        return [it for it in _entries(cards, source.due_before(horizon), horizon, now_us, decay, factor, salt)
                if it[4].id not in new]
    return more


def plan(
    cards: Sequence[Card],
    states: Mapping[str, CardState] | Collection[str],
    now: datetime,
    rng: random.Random,
    new_per_day: int,
    new_seen_today: int,
    exam: date | None = None,
    cram: bool = False,
    day: StudyDay | None = None,
    cram_unseen: bool = True,
    parameters: Sequence[float] | None = None,
    due: Mapping[str, Brief] | DueSource | None = None,
    daily: Any = None,
) -> StudyQueue:
    """Build the study queue for ``cards`` at ``now``.

    Due (or, in cram mode, all) cards go into a heap keyed by predicted recall now
    (:func:`recall_forecast`: hours count, so a card relearnt last night is weaker than one
    known for weeks) then due time; ties are broken by a checksum of the card id salted from
    ``rng`` (:func:`_ties`), so equal cards are not always in deck order, then by deck order. New
    cards keep deck order. In cram mode unseen cards come first (recall 0, deck order) unless
    ``cram_unseen`` is False.

    ``due`` (plain mode only: no exam, no cram) is what a big history passes instead of every
    state, and ``states`` is then only asked whether a card was seen (a set of ids will do):

    * the ranking columns of the seen cards due before the end of the study day (a mapping, e.g.
      :meth:`cardcli.store.StateIndex.due_before`), ranked here; or
    * a :class:`DueSource` (the state index itself). When every card with a state is in
      ``cards``, SQLite ranks the due cards and only the first :data:`RANK_AHEAD` become heap
      entries; the rest are ranked here the first time the queue comes near them
      (:meth:`StudyQueue._refill`). Otherwise, or when SQLite cannot rank here, its
      ``due_before``.

    Either way the queue is the same as with full states: every entry is the same tuple, and the
    order of the tuples does not depend on which were ranked together.

    New cards: ``daily`` (a :class:`cardcli.plan.DailyPlan`) fixes today's target and how many
    were introduced. Without it the target is worked out the same way from this selection:
    ``new_seen_today`` cards introduced today and the cards still unseen make the unseen at day
    start (the target never shrinks as the day's sessions introduce cards).
    """
    now = _check_now(now)
    policy = policy_for(now, exam, parameters, day)
    if due is not None and (cram or policy.exam is not None):
        raise ValueError("plan(due=...) is for plain scheduling only (no exam, no cram)")
    q = StudyQueue()
    q._seq = len(cards)  # re-queue entries after every deck position
    unseen: list[Card] = []
    horizon = day_end(now, policy.day)  # what is_due() compares with, computed once for the whole deck
    decay, factor = _curve(policy.parameters)
    now_us = micros(now)  # times in whole microseconds (see Brief): exact, the same in every path below
    salt = rng.getrandbits(32)

    def recall(memory: fsrs.Card) -> float:
        if memory.stability is None or memory.last_review is None:
            return 0.0
        days = max(0.0, (now_us - micros(memory.last_review)) / US_PER_DAY)
        return (1 + factor * days / memory.stability) ** decay

    if due is None:
        # without due=, states are the full states (a mapping), as the docstring says
        full = cast("Mapping[str, CardState]", states)
        if cram and cram_unseen:
            ranked = _split_seen(cards, full, lambda i, c: q.due.append((-1.0, 0, 0, i, c)))
        else:
            ranked = _split_seen(cards, full, (lambda i, c: None) if cram else (lambda i, c: unseen.append(c)))
        for i, card, st in ranked:
            due_at = effective_due(st, policy)
            if cram or due_at < horizon:
                q.due.append((float(recall(st.memory)), micros(due_at), crc32(_UTF8(card.id), salt), i, card))
    else:  # a big history: deck order kept, only the due cards touched in Python (map/compress run in C)
        ids = ids_of(cards)
        unseen = unseen_of(cards, states)
        source = due if isinstance(due, DueSource) else None
        ranking = None
        # every state is one of these cards (ids once each: a Selection's are), so SQLite's first
        # rows are the first of this selection
        unique = isinstance(cards, Selection) or len(set(ids)) == len(ids)
        if source is not None and unique and len(ids) - len(unseen) == len(states):
            ranking = source.due_ranking(horizon, now_us, decay, factor, RANK_AHEAD)
        if ranking is not None and source is not None:
            count, rows = ranking
            q._rest, q._sure = count - len(rows), RANK_AHEAD
            if q._rest:
                q._more = _later(cards, source, unseen, horizon, now_us, decay, factor, salt)
            found = {cid: (r, d) for cid, r, d in rows}
            mask = list(map(found.__contains__, ids))
            q.due = [(*found[c.id], crc32(_UTF8(c.id), salt), i, c)
                     for i, c in zip(compress(range(len(cards)), mask), compress(cards, mask))]
        else:
            briefs = source.due_before(horizon) if source is not None else cast("Mapping[str, Brief]", due)
            q.due = _entries(cards, briefs, horizon, now_us, decay, factor, salt)
    heapq.heapify(q.due)
    q.new = deque(unseen)
    if daily is not None:
        q.new_per_day, q.new_before = int(daily.target), int(daily.introduced)
    else:
        q.new_per_day = new_per_day_target(new_per_day, len(unseen) + new_seen_today, now, exam, policy.day)
        q.new_before = new_seen_today
    q.new_left = max(0, q.new_per_day - q.new_before)
    return q
