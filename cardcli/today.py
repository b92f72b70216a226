"""Today at a glance: reviews due, new cards planned, and about how long they take at your pace.

The estimate is the user's own: from the last :data:`PACE_WINDOW` study ratings,

* **seconds per rating** - the median time from a card being shown to its rating (each capped at
  :data:`CAP_SECONDS`, so a walk away from the keyboard does not count as an hour of study);
* **ratings per new card** - how many ratings a card took on the study day it was introduced
  (learning steps bring it back), averaged over the new cards in the window.

A due review counts one rating, a new card its ratings-per-new-card. Until there are
:data:`MIN_SAMPLE` ratings the defaults :data:`DEFAULT_SECONDS` and :data:`DEFAULT_PER_NEW` stand in,
and the line says so. Pure: the answers are an argument (:meth:`cardcli.store.Store.recent_answers`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from cardcli.model import Card
from cardcli.plan import DailyPlan
from cardcli.studyday import StudyDay

__all__ = ["Pace", "Today", "pace", "today", "today_lines", "load_today", "PACE_WINDOW", "DEFAULT_SECONDS",
           "DEFAULT_PER_NEW", "MIN_SAMPLE", "CAP_SECONDS"]

PACE_WINDOW = 500
MIN_SAMPLE = 20
CAP_SECONDS = 300.0
DEFAULT_SECONDS = 20.0
DEFAULT_PER_NEW = 3.0

#: (card_id, reviewed_at, duration_ms, first rating of the card?)
Answer = tuple[str, datetime, "int | None", bool]


@dataclass(frozen=True)
class Pace:
    seconds_per_rating: float
    ratings_per_new: float
    sample: int  # ratings it was measured on (0: the defaults)


@dataclass(frozen=True)
class Today:
    reviews_due: int
    plan: DailyPlan
    pace: Pace

    @property
    def minutes(self) -> int:
        ratings = self.reviews_due + self.plan.new_left * self.pace.ratings_per_new
        return math.ceil(ratings * self.pace.seconds_per_rating / 60)


def pace(answers: Sequence[Answer], day: StudyDay | None = None) -> Pace:
    """The user's pace from ``answers`` (oldest first), or the defaults with too few of them."""
    times = [min(d / 1000, CAP_SECONDS) for _, _, d, _ in answers if d is not None and d > 0]
    if len(times) < MIN_SAMPLE:
        return Pace(DEFAULT_SECONDS, DEFAULT_PER_NEW, 0)
    day = day or StudyDay()
    introduced = {(cid, day.date_of(at)) for cid, at, _, first in answers if first}
    per_new = Counter((cid, day.date_of(at)) for cid, at, _, _ in answers if (cid, day.date_of(at)) in introduced)
    ratings_per_new = sum(per_new.values()) / len(per_new) if per_new else DEFAULT_PER_NEW
    return Pace(_median(times), ratings_per_new, len(times))


def _median(values: list[float]) -> float:
    """The median, as :func:`statistics.median` computes it (the middle value, or the mean of the
    two middle ones); that module costs every start 2-3 ms of imports (fractions, decimal)."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    return float(ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2)


def today(reviews_due: int, plan: DailyPlan, answers: Sequence[Answer], day: StudyDay | None = None) -> Today:
    return Today(reviews_due=reviews_due, plan=plan, pace=pace(answers, day))


def _s(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def today_lines(t: Today) -> list[str]:
    """The lines of ``cardcli today`` (the first one is the study banner)."""
    p = t.pace
    head = (f"Today: {_s(t.reviews_due, 'review')} due, {t.plan.new_left} new "
            f"card{'s' if t.plan.new_left != 1 else ''} to introduce — about {t.minutes} min")
    if p.sample:
        how = (f"at your pace: {p.seconds_per_rating:.0f} s a rating (median of your last {p.sample}), "
               f"{p.ratings_per_new:.1f} ratings per new card")
    else:
        how = (f"at a default pace ({p.seconds_per_rating:.0f} s a rating, {p.ratings_per_new:.0f} ratings per new "
               f"card) until you have {MIN_SAMPLE} timed ratings")
    return [head, f"({how})"]


def load_today(store: Any, cards: Sequence[Card], now: datetime, per_day: int, exam: date | None = None,
               day: StudyDay | None = None, parameters: Sequence[float] | None = None) -> Today:
    """Today for the selection ``cards``: the reviews a ``cardcli study`` now would show (the same
    queue, :func:`cardcli.scheduler.plan`), the day's plan and the user's pace, read from ``store``."""
    import random

    from cardcli.plan import load_plan
    from cardcli.scheduler import days_left, plan

    exam_day = exam is not None and days_left(now, exam, day) == 0
    if exam is None:  # states read on demand: only the cards due today are ranked
        states: Any = store.state_index()
        due = states
        seen = states.ids
    else:
        states = seen = store.load_states()
        due = None
    daily = load_plan(store, cards, seen, now, per_day, exam, day)
    queue = plan(cards, seen if exam is None else states, now, random.Random(0), new_per_day=per_day,
                 new_seen_today=daily.introduced, exam=exam, cram=exam_day, day=day, cram_unseen=False,
                 parameters=parameters, due=due, daily=daily)
    return today(queue.due_count(), daily, store.recent_answers(PACE_WINDOW), day)
