"""The daily plan: how many new cards today, fixed at the start of the study day.

Before an exam every card must be seen in time, so the day's new-card target is

    new today = max(--new, ceil(unseen at day start / days left))

where *unseen at day start* counts the selection's cards that had never been rated when the
study day began (those still unseen now plus those introduced today) and *days left* counts
study days from today's to the exam's (:func:`cardcli.scheduler.days_left`). Without an exam
the target is ``--new``. The target is reduced only by the cards actually introduced today, so
every session of the day, ``cardcli due`` and ``cardcli today`` show the same figure; studying
more never shrinks it (the old rule recomputed it from the cards still unseen and then took the
day's introductions off a second time).

Pure: the seen ids and the ids first rated today are arguments (:func:`load_plan` reads them).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from cardcli.model import Card, Selection, id_set_of
from cardcli.scheduler.memory import day_start, days_left
from cardcli.studyday import StudyDay

if TYPE_CHECKING:
    from cardcli.store import Store

__all__ = ["DEFAULT_NEW", "DailyPlan", "new_target", "daily_plan", "load_plan", "plan_line"]

#: the --new default of `cardcli study` (and what `due`, `today` and `exam` plan with)
DEFAULT_NEW = 20


@dataclass(frozen=True)
class DailyPlan:
    """Today's new-card plan for one selection of cards."""

    day: date  # the study day it is for
    target: int  # new cards planned for the whole day
    introduced: int  # of the selection, first rated today
    unseen_at_start: int  # of the selection, never rated when the day began
    per_day: int  # the --new floor
    days_left: int | None = None  # study days to the exam (None: no exam)

    @property
    def new_left(self) -> int:
        """New cards still to introduce today."""
        return max(0, self.target - self.introduced)

    @property
    def unseen_now(self) -> int:
        return self.unseen_at_start - self.introduced


def new_target(per_day: int, unseen_at_start: int, left: int | None) -> int:
    """``max(per_day, ceil(unseen_at_start / left))`` with ``left`` days to the exam; every unseen
    card on the exam day itself; ``per_day`` without an exam (``left`` None or negative)."""
    if left is None or left < 0:
        return per_day
    if left == 0:
        return unseen_at_start
    return max(per_day, math.ceil(unseen_at_start / left))


def daily_plan(cards: Sequence[Card], seen: Collection[str], first_today: Collection[str], now: datetime,
               per_day: int, exam: date | None = None, day: StudyDay | None = None) -> DailyPlan:
    """The plan for ``cards`` at ``now``: ``seen`` are the ids with a card state, ``first_today`` the
    ids whose first rating falls in today's study day."""
    day = day or StudyDay()
    ids = id_set_of(cards)
    introduced = len(ids.intersection(first_today))
    # a selection has no duplicate ids (the loader drops them), so its unseen mask counts the same
    unseen_now = (sum(cards.unseen_mask(seen)) if isinstance(cards, Selection)
                  else len(ids) - sum(map(seen.__contains__, ids)))  # map and sum run in C (100k cards)
    left = None if exam is None else days_left(now, exam, day)
    start = unseen_now + introduced
    return DailyPlan(day=day.date_of(now), target=new_target(per_day, start, left), introduced=introduced,
                     unseen_at_start=start, per_day=per_day, days_left=left)


def load_plan(store: Store, cards: Sequence[Card], seen: Collection[str], now: datetime, per_day: int,
              exam: date | None = None, day: StudyDay | None = None) -> DailyPlan:
    """:func:`daily_plan` with today's first ratings read from ``store``."""
    first = store.first_reviewed_since(day_start(now, day))
    return daily_plan(cards, seen, first, now, per_day, exam, day)


def _s(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def plan_line(p: DailyPlan) -> str:
    """One line for banners: the day's target, how it was fixed, how much of it is done."""
    if p.days_left is not None and p.days_left > 0 and p.target > p.per_day:
        why = (f"fixed at the start of the day: {p.unseen_at_start} unseen / "
               f"{_s(p.days_left, 'day')} left, rounded up")
    elif p.days_left is not None and p.days_left > 0:
        why = f"--new {p.per_day}; {p.unseen_at_start} unseen / {_s(p.days_left, 'day')} left needs no more"
    else:
        why = f"--new {p.per_day}"
    return f"New cards today: {p.introduced} of {p.target} introduced ({why})"
