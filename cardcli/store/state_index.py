"""StateIndex: the card states of a history, read on demand (what study and due use).

It implements :class:`cardcli.scheduler.states.CardStates` over the public reads of a
:class:`StateSource` (the :class:`~cardcli.store.Store`, which owns the SQL); it holds no SQL and
no reference to the store's internals.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, MutableMapping
from datetime import datetime
from itertools import compress
from operator import itemgetter
from typing import Protocol

from cardcli.scheduler import Brief, CardState, Policy, brief_of, from_micros, micros
from cardcli.scheduler.states import earliest_from_states, summary_from_states

__all__ = ["StateIndex", "StateSource"]


class StateSource(Protocol):
    """The reads a :class:`StateIndex` needs (all of them :class:`~cardcli.store.Store` methods)."""

    def state_ids(self) -> set[str]: ...

    def load_state(self, card_id: str) -> CardState | None: ...

    def due_briefs(self, horizon: datetime) -> dict[str, Brief]: ...

    def states_by_due(self, since: datetime | None) -> Iterator[tuple[str, datetime]]: ...

    def due_ranking(self, horizon: datetime, now_us: int, decay: float, factor: float,
                    k: int) -> tuple[int, list[tuple[str, float, int]]] | None: ...

    def due_ids(self, until: datetime) -> set[str]: ...


class StateIndex(MutableMapping[str, CardState]):
    """Card states read on demand: study and due on a big history never decode every card.

    Opening it reads only the ids of the cards that have a state (one query on the primary key
    index). A card's full state is read (one primary-key lookup) and kept the first time it is
    asked for; states the session sets are kept here and win over the file. :meth:`due_before`
    gives the ranking columns of the cards due before a time (one query on the ``due`` index),
    :meth:`due_summary` the end-of-session figures.
    """

    def __init__(self, store: StateSource):
        self._store = store
        self._ids = store.state_ids()
        self._cache: dict[str, CardState] = {}
        self._set: dict[str, CardState] = {}  # set by the session (already committed by it)
        self._due: tuple[datetime, dict[str, Brief]] | None = None  # the last due_before

    def __contains__(self, key: object) -> bool:
        return key in self._ids

    def __getitem__(self, key: str) -> CardState:
        st = self._cache.get(key)
        if st is not None:
            return st
        if key not in self._ids:
            raise KeyError(key)
        st = self._store.load_state(key)
        if st is None:  # gone since (another session undid its only rating)
            raise KeyError(key)
        self._cache[key] = st
        return st

    def __setitem__(self, key: str, st: CardState) -> None:
        self._cache[key] = self._set[key] = st
        self._ids.add(key)

    def __delitem__(self, key: str) -> None:
        if key not in self._ids:
            raise KeyError(key)
        self._ids.discard(key)
        self._cache.pop(key, None)
        self._set.pop(key, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def ids(self) -> set[str]:
        """The ids of the cards with a state (do not modify)."""
        return self._ids

    def due_before(self, horizon: datetime) -> dict[str, Brief]:
        """The ranking columns (due, last review, stability) of every card due before ``horizon``.

        Kept: :meth:`due_summary` at the end of the session starts from it.
        """
        out = self._store.due_briefs(horizon)
        for key, st in self._set.items():
            out.pop(key, None)
            if st.due < horizon:
                out[key] = brief_of(st)
        self._due = (horizon, out)
        return out

    def due_ranking(self, horizon: datetime, now_us: int, decay: float, factor: float,
                    k: int) -> tuple[int, list[tuple[str, float, int]]] | None:
        """The store's :meth:`~cardcli.store.Store.due_ranking` (the most forgotten due cards, ranked
        in SQLite), or None once the session has set a state (the file alone no longer says it)."""
        if self._set:
            return None
        return self._store.due_ranking(horizon, now_us, decay, factor, k)

    def due_summary(self, ids: Collection[str], now: datetime,
                    policy: Policy | None = None) -> tuple[set[str], datetime | None]:
        """Of the cards ``ids``: those due at ``now``, and the earliest due time of the others.

        From the states as loaded (the :meth:`due_before` of this session) and as the session set
        them, like a session working on loaded states; the file is read only past that horizon.
        When no briefs were loaded (the queue was ranked in SQLite, :meth:`due_ranking`), from the
        file, which holds every state as the session committed it. With an exam (due times moved
        by the policy) each card's state is read instead.
        """
        if policy is not None and policy.exam is not None:
            return summary_from_states(self, ids, now, policy)
        if self._due is None:
            # no briefs loaded (the queue was ranked in SQLite): the file holds every state as
            # this session committed it; the ids due now from the due index, then the next one
            now_due = self._store.due_ids(now)
            now_due.intersection_update(ids)
            for cid, d in self._store.states_by_due(now):
                if d > now and cid in ids:
                    return now_due, d
            return now_due, None
        horizon, briefs = self._due
        # the loaded briefs column by column (tens of thousands on a big history): map, compress,
        # filter and min run in C
        keys = list(ids.intersection(briefs) if isinstance(ids, (set, frozenset)) else filter(ids.__contains__, briefs))
        if self._set:
            keys = [k for k in keys if k not in self._set]
        dues = list(map(itemgetter(0), map(briefs.__getitem__, keys)))  # microseconds
        now_us = micros(now)
        due: set[str] = set(compress(keys, map(now_us.__ge__, dues)))  # b.due <= now
        later = min(filter(now_us.__lt__, dues), default=None)
        nxt: datetime | None = None if later is None else from_micros(later)
        for key, st in self._set.items():
            if key in ids and key in self._ids:
                if st.due <= now:
                    due.add(key)
                elif nxt is None or st.due < nxt:
                    nxt = st.due
        if horizon is None or now >= horizon or nxt is None or nxt >= horizon:
            # past what was loaded (in due order, from its horizon): the due ones, then the next one
            for cid, d in self._store.states_by_due(horizon):
                if cid in ids and cid not in self._set and cid not in briefs:
                    if d <= now:
                        due.add(cid)
                        continue
                    nxt = d if nxt is None or d < nxt else nxt
                    break
        return due, nxt

    def earliest_due(self, ids: Collection[str], policy: Policy | None = None) -> datetime | None:
        """The earliest due time among the cards ``ids`` (None if none has a state)."""
        if policy is not None and policy.exam is not None:
            return earliest_from_states(self, ids, policy)
        nxt: datetime | None = None
        for key, st in self._set.items():
            if key in ids and key in self._ids and (nxt is None or st.due < nxt):
                nxt = st.due
        for cid, d in self._store.states_by_due(None):
            if cid in ids and cid not in self._set:
                nxt = d if nxt is None or d < nxt else nxt
                break
        return nxt
