"""The memory model: what a rating does to a card (an adapter over FSRS, the ``fsrs`` package).

Ratings, policies (retention, exam mode, fitted parameters), reviewing and replaying a card, predicted
recall, due times, stages, the daily new-card target. Pure: ``now`` is always an argument.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, NamedTuple

import fsrs

from cardcli.studyday import StudyDay

__all__ = [
    "RATING_MAP",
    "RATING_LABELS",
    "MASTERED_STABILITY_DAYS",
    "RECALLED_MIN",
    "Policy",
    "CardState",
    "Brief",
    "brief_of",
    "micros",
    "from_micros",
    "US_PER_DAY",
    "policy_for",
    "exam_retention",
    "review",
    "replay",
    "replay_states",
    "preview_intervals",
    "retrievability",
    "retrievability_at",
    "recall_forecast",
    "is_due",
    "effective_due",
    "stage",
    "day_start",
    "day_end",
    "new_allowance",
    "new_per_day_target",
    "days_left",
    "exam_morning",
    "format_interval",
]

UTC = timezone.utc

#: raw confidence (1-5) -> FSRS rating
RATING_MAP: dict[int, fsrs.Rating] = {
    1: fsrs.Rating.Again,
    2: fsrs.Rating.Again,
    3: fsrs.Rating.Hard,
    4: fsrs.Rating.Good,
    5: fsrs.Rating.Easy,
}
RATING_LABELS: dict[int, str] = {
    1: "Not at all",
    2: "Barely",
    3: "With effort",
    4: "Well",
    5: "Perfectly",
}
#: "recalled" everywhere a rate is shown: ratings 3-5 (FSRS Hard, Good, Easy), what the scheduler
#: counts as a success; 1-2 (Again) are forgotten
RECALLED_MIN = 3
#: a review card with at least this stability (days) counts as mastered
MASTERED_STABILITY_DAYS = 21.0

LEARNING_STEPS = (timedelta(minutes=1), timedelta(minutes=10))
RELEARNING_STEPS = (timedelta(minutes=10),)
DEFAULT_RETENTION = 0.9
MAX_INTERVAL_DAYS = 36500


@dataclass(frozen=True)
class Policy:
    """The scheduler settings in force for one session."""

    desired_retention: float = DEFAULT_RETENTION
    maximum_interval: int = MAX_INTERVAL_DAYS
    exam: date | None = None
    day: StudyDay = field(default_factory=StudyDay)
    #: FSRS parameters fitted by `cardcli optimize`; None = py-fsrs's defaults
    parameters: tuple[float, ...] | None = None


@dataclass(frozen=True)
class CardState:
    """What the scheduler knows about one card. ``memory`` is the FSRS card (never mutated)."""

    card_id: str
    memory: fsrs.Card
    last_rating: int | None = None
    reps: int = 0
    lapses: int = 0
    first_review: datetime | None = None

    @property
    def due(self) -> datetime:
        return self.memory.due

    @property
    def last_review(self) -> datetime | None:
        return self.memory.last_review

    @property
    def stability(self) -> float | None:
        return self.memory.stability

    def to_dict(self) -> dict[str, Any]:
        return {
            "card_id": self.card_id,
            "memory": self.memory.to_dict(),
            "last_rating": self.last_rating,
            "reps": self.reps,
            "lapses": self.lapses,
            "first_review": self.first_review.isoformat() if self.first_review else None,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CardState:
        first = d.get("first_review")
        return cls(
            card_id=str(d["card_id"]),
            memory=fsrs.Card.from_dict(d["memory"]),
            last_rating=d.get("last_rating"),
            reps=int(d.get("reps") or 0),
            lapses=int(d.get("lapses") or 0),
            first_review=datetime.fromisoformat(first) if first else None,
        )


class Brief(NamedTuple):
    """The columns a queue ranks a seen card on, without its full state (see :func:`plan`).

    Times are whole microseconds since the Unix epoch (:func:`micros`), as the store keeps them
    beside its text (``card_state.due_us``, ``last_us``): ranking tens of thousands of due cards
    at every start on a big history then parses no dates. :attr:`due` and :attr:`last_review`
    give the datetimes. (A named tuple: tens of thousands are made per start on a big history.)
    """

    due_us: int
    last_us: int | None
    stability: float | None

    @property
    def due(self) -> datetime:
        return from_micros(self.due_us)

    @property
    def last_review(self) -> datetime | None:
        return None if self.last_us is None else from_micros(self.last_us)


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_ONE_US = timedelta(microseconds=1)
#: microseconds in a day: recall counts fractional days as (now - last review) / US_PER_DAY
US_PER_DAY = 86_400_000_000


def micros(when: datetime) -> int:
    """``when`` (timezone-aware) as whole microseconds since the Unix epoch: exact, unlike a float
    timestamp, so the store's number and this one are the same integer."""
    return (when - _EPOCH) // _ONE_US


def from_micros(us: int) -> datetime:
    """The UTC datetime of :func:`micros`' integer (exact both ways)."""
    return _EPOCH + timedelta(microseconds=us)


def brief_of(state: CardState) -> Brief:
    """The :class:`Brief` of a full state."""
    last = state.last_review
    return Brief(micros(state.due), None if last is None else micros(last), state.stability)


def _check_now(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (UTC)")
    return now.astimezone(UTC)


def day_start(now: datetime, day: StudyDay | None = None) -> datetime:
    """When ``now``'s study day began (UTC midnight unless ``day`` says otherwise)."""
    return (day or StudyDay()).start(_check_now(now))


def day_end(now: datetime, day: StudyDay | None = None) -> datetime:
    """When the study day after ``now``'s begins."""
    return (day or StudyDay()).end(_check_now(now))


def exam_morning(exam: date, day: StudyDay | None = None) -> datetime:
    """The start of the exam's study day (UTC): what "on the exam morning" means."""
    return (day or StudyDay()).start_of(exam)


def exam_retention(days_left: int) -> float:
    """Target retention with ``days_left`` days to the exam: 0.90 rising linearly to 0.97."""
    frac = min(1.0, max(0.0, (30 - days_left) / 27))
    return round(0.90 + 0.07 * frac, 4)


def days_left(now: datetime, exam: date, day: StudyDay | None = None) -> int:
    """Study days from ``now``'s to the exam's (0 on the exam day itself)."""
    return (exam - (day or StudyDay()).date_of(_check_now(now))).days


_days_left = days_left


def policy_for(now: datetime, exam: date | None = None,
               parameters: Sequence[float] | None = None, day: StudyDay | None = None) -> Policy:
    """The default policy, or the exam-mode one (higher retention, intervals capped).

    ``parameters`` are fitted FSRS parameters (see :mod:`cardcli.optimize`); None keeps the
    defaults. ``day`` is the study day (UTC midnight when None).
    """
    params = None if parameters is None else tuple(float(w) for w in parameters)
    day = day or StudyDay()
    if exam is None:
        return Policy(parameters=params, day=day)
    left = days_left(now, exam, day)
    if left <= 0:
        return Policy(exam=exam, parameters=params, day=day)  # the exam is today or past: plain scheduling
    return Policy(desired_retention=exam_retention(left), maximum_interval=max(1, left - 1), exam=exam,
                  parameters=params, day=day)


@lru_cache(maxsize=64)
def _fsrs(desired_retention: float, maximum_interval: int,
          parameters: tuple[float, ...] | None = None) -> fsrs.Scheduler:
    extra = {} if parameters is None else {"parameters": parameters}
    return fsrs.Scheduler(
        desired_retention=desired_retention,
        learning_steps=LEARNING_STEPS,
        relearning_steps=RELEARNING_STEPS,
        maximum_interval=maximum_interval,
        enable_fuzzing=False,
        **extra,
    )


def _sched(policy: Policy) -> fsrs.Scheduler:
    return _fsrs(policy.desired_retention, policy.maximum_interval, policy.parameters)


def _blank(card_id: str, now: datetime) -> CardState:
    return CardState(card_id=card_id, memory=fsrs.Card(card_id=0, due=now))


def review(
    state: CardState | None, rating: int, now: datetime, card_id: str | None = None,
    policy: Policy | None = None,
) -> CardState:
    """The card's state after a raw 1-5 rating at ``now``. ``state`` None means a new card."""
    if rating not in RATING_MAP:
        raise ValueError(f"rating must be 1-5, got {rating!r}")
    now = _check_now(now)
    if state is None:
        if card_id is None:
            raise ValueError("a new card needs its card_id")
        state = _blank(card_id, now)
    sched = _sched(policy or Policy())
    memory, _log = sched.review_card(state.memory, RATING_MAP[rating], review_datetime=now)
    lapse = RATING_MAP[rating] is fsrs.Rating.Again and state.memory.state is fsrs.State.Review
    return CardState(
        card_id=state.card_id,
        memory=memory,
        last_rating=rating,
        reps=state.reps + 1,
        lapses=state.lapses + (1 if lapse else 0),
        first_review=state.first_review or now,
    )


#: one rating as replay needs it: raw 1-5, when, and the policy in force (None: the default)
ReplayStep = tuple[int, datetime, "Policy | None"]


def replay_states(
    card_id: str, steps: Iterable[ReplayStep], start: CardState | None = None
) -> Iterator[CardState]:
    """The card's state after each of ``steps`` in turn, starting from ``start`` (None: new)."""
    state = start
    for rating, at, policy in steps:
        state = review(state, rating, at, card_id=card_id, policy=policy)
        yield state


def replay(card_id: str, steps: Iterable[ReplayStep], start: CardState | None = None) -> CardState | None:
    """The card's state after its (non-cram) ratings ``steps``, in log order, from ``start``.

    Ratings are applied with :func:`review` exactly as when they were given, so replaying a
    card's whole log from None gives the state its ratings wrote; None if ``steps`` is empty.
    """
    state = start
    for state in replay_states(card_id, steps, start):  # noqa: B007  (the last state is the result)
        pass
    return state


def preview_intervals(
    state: CardState | None, now: datetime, policy: Policy | None = None
) -> dict[int, timedelta]:
    """For each raw rating 1-5, how long until the card comes back."""
    now = _check_now(now)
    base = state or _blank("preview", now)
    return {r: review(base, r, now, policy=policy).due - now for r in RATING_MAP}


def retrievability(state: CardState | None, now: datetime, policy: Policy | None = None) -> float:
    """Predicted probability of recall at ``now`` (FSRS, the policy's parameters); 0 if never seen."""
    if state is None:
        return 0.0
    return float(_sched(policy or Policy()).get_card_retrievability(state.memory, _check_now(now)))


def retrievability_at(state: CardState | None, when: datetime, policy: Policy | None = None) -> float:
    """Same as :func:`retrievability`; named for forecasting (e.g. on the exam morning)."""
    return retrievability(state, when, policy)


def recall_forecast(state: CardState | None, when: datetime, policy: Policy | None = None) -> float:
    """Predicted recall at ``when`` on the FSRS forgetting curve, counting elapsed time in
    fractional days (py-fsrs's :func:`retrievability` counts whole days, so every card reviewed
    within the last 24 hours would read 100 %); 0 for a card never seen."""
    if state is None or state.stability is None or state.last_review is None:
        return 0.0
    decay, factor = _curve((policy or Policy()).parameters)
    # whole microseconds, one division: the same float the study queue ranks by (scheduler.queue)
    days = max(0.0, (micros(_check_now(when)) - micros(state.last_review)) / US_PER_DAY)
    return float((1 + factor * days / state.stability) ** decay)


@lru_cache(maxsize=8)
def _curve(parameters: tuple[float, ...] | None = None) -> tuple[float, float]:
    """(decay, factor) of the FSRS forgetting curve for these parameters (None: the defaults)."""
    decay = -float(_sched(Policy(parameters=parameters)).parameters[20])
    return decay, 0.9 ** (1 / decay) - 1


def stage(state: CardState | None) -> str:
    """'new', 'learning' (learning or relearning steps), 'review' or 'mastered'."""
    if state is None:
        return "new"
    if state.memory.state is not fsrs.State.Review:
        return "learning"
    if (state.stability or 0.0) >= MASTERED_STABILITY_DAYS:
        return "mastered"
    return "review"


def effective_due(state: CardState, policy: Policy | None = None) -> datetime:
    """The due time, pulled before the exam day in exam mode when recall would be too low."""
    due = state.due
    if policy is not None and policy.exam is not None:
        morning = exam_morning(policy.exam, policy.day)
        if due >= morning - timedelta(days=1) and (
            retrievability_at(state, morning, policy) < policy.desired_retention
        ):
            due = min(due, morning - timedelta(days=1))
    return due


def is_due(state: CardState | None, now: datetime, policy: Policy | None = None) -> bool:
    """True for a seen card due before the end of ``now``'s study day."""
    if state is None:
        return False
    return effective_due(state, policy) < day_end(now, policy.day if policy else None)


def new_per_day_target(
    new_per_day: int, unseen: int, now: datetime, exam: date | None = None, day: StudyDay | None = None
) -> int:
    """New cards a day: ``new_per_day``, raised to ``ceil(unseen / days_left)`` before an exam.

    ``unseen`` is the count at the start of the study day (see :mod:`cardcli.plan`): the cards
    still unseen plus those already introduced today, so the target holds all day."""
    per_day = new_per_day
    if exam is not None:
        left = days_left(now, exam, day)
        per_day = max(per_day, math.ceil(unseen / left) if left > 0 else unseen)
    return per_day


def new_allowance(
    new_per_day: int, new_seen_today: int, unseen: int, now: datetime, exam: date | None = None,
    day: StudyDay | None = None,
) -> int:
    """How many new cards may still be introduced today."""
    return max(0, new_per_day_target(new_per_day, unseen, now, exam, day) - new_seen_today)


def format_interval(delta: timedelta) -> str:
    """Short human interval: '1 min', '6 min', '3 h', '2 d', '5 mo', '1.2 y'."""
    secs = delta.total_seconds()
    if secs < 3600:
        return f"{max(1, round(secs / 60))} min"
    if secs < 86400:
        return f"{round(secs / 3600)} h"
    days = secs / 86400
    if days < 60:
        return f"{round(days)} d"
    if days < 365:
        return f"{round(days / 30)} mo"
    return f"{days / 365:.1f} y"
