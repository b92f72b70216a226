"""Workload preview: expected reviews per day from today until the exam.

A small Monte Carlo simulation of the real scheduler (:func:`cardcli.scheduler.review` with
each day's exam-mode policy, so the desired retention is the one exam mode sets that day and
the memory model is the one in use - fitted or default):

* Every simulated day the student studies once, at ``now``'s time of day: every seen card due
  that day (:func:`cardcli.scheduler.is_due`, including exam mode's pull-forward) is reviewed,
  then the new cards exam mode introduces that day (:func:`cardcli.scheduler.new_allowance`).
* A seen card is recalled with the model's predicted probability at that moment
  (:func:`cardcli.scheduler.retrievability`): recalled -> rated 4 (Good), forgotten -> 1
  (Again). A new card is rated 4 at each learning step. Learning and relearning steps falling
  on the same day are reviews of that day too.
* ``runs`` simulations with the seeded ``rng``; the figure per day is the mean count.
* At most :data:`MAX_DAYS` days are previewed (bounded work for an exam far away).

Pure: ``now`` and ``rng`` are arguments.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from cardcli.scheduler import (
    CardState,
    day_end,
    is_due,
    new_allowance,
    policy_for,
    retrievability,
    review,
)

__all__ = ["DayLoad", "workload", "RUNS", "MAX_DAYS"]

#: simulations averaged per preview
RUNS = 8
#: the preview covers at most this many days (an exam further away is not simulated to the end)
MAX_DAYS = 42
#: a card reviewed more often than this in one simulated day stops there (a safety bound)
_MAX_SAME_DAY = 8


@dataclass(frozen=True)
class DayLoad:
    day: date
    reviews: float  # expected ratings that day (new cards' learning steps included)
    new: float  # expected new cards introduced that day


def workload(
    states: Mapping[str, CardState],
    unseen: int,
    now: datetime,
    exam: date,
    rng: random.Random,
    parameters: tuple[float, ...] | None = None,
    new_per_day: int = 20,
    runs: int = RUNS,
) -> list[DayLoad]:
    """Expected reviews per day from ``now``'s UTC day to the day before ``exam`` (at most
    :data:`MAX_DAYS` days)."""
    now = now.astimezone(timezone.utc)
    days = min((exam - now.date()).days, MAX_DAYS)
    if days <= 0:
        return []
    totals = [0.0] * days
    new_totals = [0.0] * days
    for _ in range(runs):
        cards = dict(states)
        left = unseen
        for k in range(days):
            t = now + timedelta(days=k)
            policy = policy_for(t, exam, parameters)
            for card_id, st in list(cards.items()):
                if is_due(st, t, policy):
                    cards[card_id], n = _study_day(st, t, policy, rng)
                    totals[k] += n
            fresh = min(left, new_allowance(new_per_day, 0, left, t, exam))
            for i in range(fresh):
                card_id = f"new-{left - i}"
                st = review(None, 4, t, card_id=card_id, policy=policy)
                cards[card_id], n = _study_day(st, t, policy, rng, first=1)
                totals[k] += n
            new_totals[k] += fresh
            left -= fresh
    start = now.date()
    return [DayLoad(start + timedelta(days=k), totals[k] / runs, new_totals[k] / runs) for k in range(days)]


def _study_day(st: CardState, t: datetime, policy, rng: random.Random, first: int = 0) -> tuple[CardState, int]:
    """Review ``st`` at ``t`` (unless ``first`` reviews were already made) and again at every
    step that falls on the same UTC day. Returns the new state and the number of reviews."""
    end = day_end(t)
    n = first
    when = t
    if first == 0:
        st = _rate(st, when, policy, rng)
        n = 1
    while st.due < end and n < _MAX_SAME_DAY:
        when = max(when, st.due)
        st = _rate(st, when, policy, rng)
        n += 1
    return st, n


def _rate(st: CardState, when: datetime, policy, rng: random.Random) -> CardState:
    recalled = rng.random() < retrievability(st, when, policy)
    return review(st, 4 if recalled else 1, when, policy=policy)
