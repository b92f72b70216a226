"""The one card-state interface: :class:`CardStates`, what study, due, exam mode, cram and stats read.

Two implementations, the same answers:

* :class:`LoadedStates` - every state decoded up front (a ``dict``): what exam readiness, cram,
  stats and the mock exam need, since they look at every seen card;
* :class:`cardcli.store.StateIndex` - states read on demand from the history's ``due`` index:
  what a plain ``study``/``due`` on a big history uses, so it never decodes every card.

Consumers call the interface (``ids``, ``get``, :meth:`CardStates.due_summary`,
:meth:`CardStates.earliest_due`) and never ask which one they hold. The summary figures depend
on the policy: with an exam, due times are pulled before the exam morning
(:func:`~cardcli.scheduler.effective_due`), which only the full states can tell, so both
implementations compute them from the states then (:func:`summary_from_states`).
"""

from __future__ import annotations

from collections.abc import Collection, ItemsView, Iterator, Mapping, MutableMapping
from datetime import datetime
from typing import Protocol, runtime_checkable

from cardcli.scheduler.memory import Brief, CardState, Policy, brief_of, effective_due, is_due

__all__ = ["CardStates", "LoadedStates", "briefs_from_states", "card_states", "earliest_from_states",
           "summary_from_states"]


@runtime_checkable
class CardStates(Protocol):
    """Card id -> :class:`CardState` of the cards with a history, plus the two session figures."""

    def __contains__(self, card_id: object) -> bool: ...

    def __getitem__(self, card_id: str) -> CardState: ...

    def __setitem__(self, card_id: str, state: CardState) -> None: ...

    def __delitem__(self, card_id: str) -> None: ...

    def __iter__(self) -> Iterator[str]: ...

    def __len__(self) -> int: ...

    def get(self, card_id: str, /) -> CardState | None: ...

    def items(self) -> ItemsView[str, CardState]: ...

    @property
    def ids(self) -> Collection[str]:
        """The ids of the cards with a state (do not modify)."""
        ...

    def due_before(self, horizon: datetime) -> dict[str, Brief]:
        """The ranking columns of every card due before ``horizon`` (what :func:`plan` ranks)."""
        ...

    def due_ranking(self, horizon: datetime, now_us: int, decay: float, factor: float,
                    k: int) -> tuple[int, list[tuple[str, float, int]]] | None:
        """How many cards are due before ``horizon`` and the first ``k`` of them ranked (see
        :meth:`cardcli.store.Store.due_ranking`), or None: :func:`plan` then ranks
        :meth:`due_before` itself (states in memory always say None)."""
        ...

    def due_summary(self, ids: Collection[str], now: datetime,
                    policy: Policy | None = None) -> tuple[set[str], datetime | None]:
        """Of the cards ``ids``: those due at ``now``, and the earliest due time of the others
        (``policy`` None: no exam, the stored due times)."""
        ...

    def earliest_due(self, ids: Collection[str], policy: Policy | None = None) -> datetime | None:
        """The earliest due time among the cards ``ids`` (None if none has a state)."""
        ...


def briefs_from_states(states: Mapping[str, CardState], horizon: datetime) -> dict[str, Brief]:
    """:meth:`CardStates.due_before` from the states themselves."""
    return {cid: brief_of(st) for cid, st in states.items() if st.due < horizon}


def summary_from_states(states: Mapping[str, CardState], ids: Collection[str], now: datetime,
                        policy: Policy | None = None) -> tuple[set[str], datetime | None]:
    """:meth:`CardStates.due_summary` from the states themselves (exact under any policy)."""
    due: set[str] = set()
    nxt: datetime | None = None
    for cid in ids:
        st = states.get(cid)
        if st is None:
            continue
        d = effective_due(st, policy)
        if is_due(st, now, policy) and d <= now:
            due.add(cid)
        elif nxt is None or d < nxt:
            nxt = d
    return due, nxt


def earliest_from_states(states: Mapping[str, CardState], ids: Collection[str],
                         policy: Policy | None = None) -> datetime | None:
    """:meth:`CardStates.earliest_due` from the states themselves (exact under any policy)."""
    nxt: datetime | None = None
    for cid in ids:
        st = states.get(cid)
        if st is not None:
            d = effective_due(st, policy)
            nxt = d if nxt is None or d < nxt else nxt
    return nxt


class LoadedStates(dict[str, CardState]):
    """Every state in memory (:meth:`cardcli.store.Store.load_states`): a ``dict`` with the interface."""

    @property
    def ids(self) -> Collection[str]:
        return self.keys()

    def due_before(self, horizon: datetime) -> dict[str, Brief]:
        return briefs_from_states(self, horizon)

    def due_ranking(self, horizon: datetime, now_us: int, decay: float, factor: float,
                    k: int) -> tuple[int, list[tuple[str, float, int]]] | None:
        return None

    def due_summary(self, ids: Collection[str], now: datetime,
                    policy: Policy | None = None) -> tuple[set[str], datetime | None]:
        return summary_from_states(self, ids, now, policy)

    def earliest_due(self, ids: Collection[str], policy: Policy | None = None) -> datetime | None:
        return earliest_from_states(self, ids, policy)


class _Wrapped(MutableMapping[str, CardState]):
    """A caller's own mapping seen through the interface (writes go to it)."""

    def __init__(self, states: MutableMapping[str, CardState]):
        self._states = states

    def __getitem__(self, card_id: str) -> CardState:
        return self._states[card_id]

    def __setitem__(self, card_id: str, state: CardState) -> None:
        self._states[card_id] = state

    def __delitem__(self, card_id: str) -> None:
        del self._states[card_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._states)

    def __len__(self) -> int:
        return len(self._states)

    @property
    def ids(self) -> Collection[str]:
        return self._states.keys()

    def due_before(self, horizon: datetime) -> dict[str, Brief]:
        return briefs_from_states(self._states, horizon)

    def due_ranking(self, horizon: datetime, now_us: int, decay: float, factor: float,
                    k: int) -> tuple[int, list[tuple[str, float, int]]] | None:
        return None

    def due_summary(self, ids: Collection[str], now: datetime,
                    policy: Policy | None = None) -> tuple[set[str], datetime | None]:
        return summary_from_states(self._states, ids, now, policy)

    def earliest_due(self, ids: Collection[str], policy: Policy | None = None) -> datetime | None:
        return earliest_from_states(self._states, ids, policy)


def card_states(states: CardStates | MutableMapping[str, CardState]) -> CardStates:
    """``states`` as the interface. A plain mapping (a test's ``{}``, a library caller's dict) is
    seen through it, writes going to that mapping; the store returns the interface already."""
    if isinstance(states, CardStates):
        return states
    return _Wrapped(states)
