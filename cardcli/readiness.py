"""Exam readiness: how much of the material you would recall on the exam morning.

Definition (also in README): the **readiness** of a set of cards is the mean, over the cards, of
FSRS's predicted probability of recall (its forgetting curve ``(1 + f·t/S)^-d`` with stability
``S`` and ``t`` the time since the last review in fractional days:
:func:`cardcli.scheduler.recall_forecast`) when the exam starts (``cardcli exam set DATE [HH:MM]``,
09:00 local by default: :func:`cardcli.examdate.exam_moment`) if nothing more were studied - or
now, once it has started. A card never seen counts 0. The cards are those a plain ``cardcli study``
schedules - every deck card and one generated-problem card per family (``gen:<family>:d1``) -
plus any ``gen:<family>:d2``/``d3`` card that has been practised (studied or quizzed); a topic's
readiness is the same mean over its cards. Studying or quizzing a card raises its
stability and resets its forgetting curve, so readiness moves with every rating.

Pure: ``now`` and the :class:`~cardcli.studyday.StudyDay` are arguments.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from cardcli.examdate import DEFAULT_TIME, countdown, exam_moment, status_cards
from cardcli.model import Card
from cardcli.plan import DailyPlan, plan_line
from cardcli.scheduler import CardState, Policy, days_left, recall_forecast
from cardcli.scheduler.states import CardStates
from cardcli.studyday import StudyDay

__all__ = ["Readiness", "ExamStatus", "readiness", "exam_status", "print_status", "status_lines", "WEAKEST_SHOWN"]

#: how many of the weakest topics the status lines name
WEAKEST_SHOWN = 3


@dataclass(frozen=True)
class Readiness:
    """Mean predicted recall at one moment: over all cards and per topic (sorted by name)."""

    overall: float | None
    topics: dict[str, float] = field(default_factory=dict)
    cards: int = 0
    unseen: int = 0

    def weakest(self, n: int = WEAKEST_SHOWN) -> list[tuple[str, float]]:
        return sorted(self.topics.items(), key=lambda kv: (kv[1], kv[0]))[:n]


def readiness(
    cards: Sequence[Card], states: Mapping[str, CardState] | CardStates, at: datetime, policy: Policy | None = None
) -> Readiness:
    """Mean predicted recall of ``cards`` at ``at`` (unseen cards count 0), overall and per topic.

    ``policy`` carries the FSRS parameters (fitted by ``cardcli optimize``, or the defaults)."""
    sums: dict[str, list[float]] = {}
    total = 0.0
    unseen = 0
    for card in cards:
        st = states.get(card.id)
        r = recall_forecast(st, at, policy)
        unseen += st is None
        total += r
        sums.setdefault(card.topic, []).append(r)
    topics = {t: sum(v) / len(v) for t, v in sorted(sums.items())}
    return Readiness(overall=total / len(cards) if cards else None, topics=topics, cards=len(cards),
                     unseen=unseen)


@dataclass(frozen=True)
class ExamStatus:
    """What ``cardcli exam`` and the first lines of ``cardcli study`` say."""

    exam: date
    name: str | None
    days_left: int  # study days
    morning: datetime  # when the exam starts (UTC): readiness is measured then
    readiness: Readiness
    new_per_day: int  # new cards a day to see every unseen card before the exam
    now: datetime | None = None  # when the status was taken (for the countdown)

    @property
    def is_today(self) -> bool:
        return self.days_left == 0


def exam_status(
    cards: Sequence[Card], states: Mapping[str, CardState] | CardStates, now: datetime, exam: date,
    name: str | None = None, day: StudyDay | None = None, parameters: tuple[float, ...] | None = None,
    at: time | None = None,
) -> ExamStatus:
    """The status at ``now`` of the exam on ``exam`` starting at ``at`` (local; default 09:00):
    readiness is measured at that moment (or now, once it has passed)."""
    day = day or StudyDay()
    left = days_left(now, exam, day)
    morning = exam_moment(exam, at or DEFAULT_TIME, day)
    ready = readiness(cards, states, max(morning, now), Policy(parameters=parameters))
    per_day = math.ceil(ready.unseen / left) if left > 0 else ready.unseen
    return ExamStatus(exam=exam, name=name, days_left=left, morning=morning, readiness=ready,
                      new_per_day=per_day, now=now)


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.0%}"


def status_lines(st: ExamStatus, day: StudyDay | None = None, weakest: int = WEAKEST_SHOWN,
                 plan: DailyPlan | None = None) -> list[str]:
    """Plain text lines (the exam name is data: render them as rich ``Text``). With ``plan`` the
    new-card line is today's fixed plan (:mod:`cardcli.plan`), the same in every session of the day."""
    day = day or StudyDay()
    title = f"{st.name} " if st.name else "Exam "
    r = st.readiness
    if st.now is None:
        when = "is today" if st.is_today else f"in {st.days_left} day{'s' if st.days_left != 1 else ''}"
    else:  # hours and minutes on the exam's calendar day, also before the study day starts (02:30)
        when = countdown(st.now, st.morning, day)
        if day.local(st.now).date() == st.exam or st.is_today:
            when = f"is today, {when}"
    local = day.local(st.morning)
    lines = [f"{title}{when} ({local:%a %Y-%m-%d %H:%M} {local.tzname() or ''}".rstrip()
             + "; readiness measured then)"]
    lines.append(f"Readiness: {_pct(r.overall)} (mean predicted recall of {r.cards} cards when the exam starts"
                 + (f"; {r.unseen} never seen count 0)" if r.unseen else ")"))
    if r.topics:
        lines.append("Weakest topics: " + ", ".join(f"{t} {_pct(v)}" for t, v in r.weakest(weakest)))
    if st.is_today:
        lines.append("Exam day: `cardcli study` reviews your weakest cards first; ratings are logged, the "
                     "schedule is left as it is (like --cram).")
    elif plan is not None and (plan.unseen_at_start or r.unseen):
        lines.append(plan_line(plan))
    elif r.unseen:
        lines.append(f"New cards per day to see everything in time: {st.new_per_day} "
                     f"({r.unseen} unseen / {st.days_left} day{'s' if st.days_left != 1 else ''})")
    else:
        lines.append("Every card has been seen: reviews only from here.")
    return lines


def print_status(exam: date, name: str | None, col: Any, states: Mapping[str, CardState] | CardStates, now: datetime,
                 day: StudyDay, parameters: tuple[float, ...] | None = None, plan: DailyPlan | None = None,
                 at: time | None = None) -> None:
    """The exam status lines; ``plan`` gives today's new-card line, ``at`` the exam's time of day
    (default 09:00)."""
    from rich.text import Text

    from cardcli.console import out

    status = exam_status(status_cards(col, states), states, now, exam, name, day, parameters, at=at)
    for line in status_lines(status, day, plan=plan):
        out.print(Text(line))
