"""Progress figures: pure computations over cards, card states and review counts.

Definitions (also in README):

* new - never rated; learning - in FSRS learning/relearning steps; review - graduated;
  mastered - graduated with stability of at least 21 days (:data:`MASTERED_STABILITY_DAYS`).
* due - seen cards due before the end of today's study day (local time, see cardcli.studyday).
* retention - share of ratings recalled (3-5: the scheduler's meaning, :data:`cardcli.scheduler.RECALLED_MIN`)
  among all logged ratings (cram included).
* forecast - seen cards falling due on each of the next days (overdue ones count today).
* readiness (with an exam date) - mean predicted recall on the exam morning if nothing more is
  studied, per topic; a never-seen card counts 0 (cardcli.readiness).
* quiz - per topic, ``cardcli quiz`` answers and how many were correct (a family counts for its
  first topic, the topic its ``gen:`` card has).
* mock_exams - every sat ``cardcli exam mock``: when, seed, template, score of max, per topic.
* mistakes - per topic, how often each known mistake (:mod:`cardcli.diagnosis`) was diagnosed,
  most frequent first (an answer matching two mistakes counts for both).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from operator import attrgetter
from typing import Any

from cardcli.examdate import DEFAULT_TIME, exam_moment
from cardcli.model import Card
from cardcli.readiness import readiness as _readiness
from cardcli.scheduler import (
    MASTERED_STABILITY_DAYS,
    CardState,
    Policy,
    effective_due,
    is_due,
    stage,
)
from cardcli.studyday import StudyDay

__all__ = ["Counts", "StatsReport", "compute", "day_bounds", "due_bounds", "DAYS_SHOWN", "REMOVED",
           "MASTERED_STABILITY_DAYS"]

#: topic/deck name for reviews of cards no longer in any loaded deck
REMOVED = "(not in decks)"
#: the stage codes of Store.stage_rows
_STAGES = {1: "learning", 2: "review", 3: "mastered"}


@dataclass
class Counts:
    cards: int = 0
    new: int = 0
    learning: int = 0
    review: int = 0
    mastered: int = 0
    due: int = 0
    reviews: int = 0
    good: int = 0  # ratings recalled (3-5)

    @property
    def retention(self) -> float | None:
        return self.good / self.reviews if self.reviews else None

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["retention"] = None if self.retention is None else round(self.retention, 4)
        return d


@dataclass
class StatsReport:
    total: Counts
    decks: dict[str, Counts]
    topics: dict[str, Counts]
    per_day: list[tuple[date, int]]  # oldest first, ends today
    forecast: list[tuple[date, int]]  # today first
    exam: date | None = None
    readiness: dict[str, float] = field(default_factory=dict)
    ready_overall: float | None = None
    quiz: dict[str, tuple[int, int]] = field(default_factory=dict)  # topic -> (attempts, correct)
    mistakes: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # topic -> [(id, times)]
    mistake_names: dict[str, str] = field(default_factory=dict)
    mock_exams: list[dict[str, Any]] = field(default_factory=list)  # past mock exams, oldest first

    def due_within(self, days: int) -> int:
        return sum(n for _, n in self.forecast[:days])

    def as_json(self) -> dict[str, Any]:
        t = self.total
        out: dict[str, Any] = {
            "reviews": t.reviews,
            "cards": t.cards,
            "due": t.due,
            "new": t.new,
            "learning": t.learning,
            "review": t.review,
            "mastered": t.mastered,
            "retention": t.as_dict()["retention"],
            "decks": {k: v.as_dict() for k, v in self.decks.items()},
            "topics": {k: v.as_dict() for k, v in self.topics.items()},
            "reviews_per_day": {d.isoformat(): n for d, n in self.per_day},
            "forecast": {d.isoformat(): n for d, n in self.forecast},
            "due_next_7_days": self.due_within(7),
            "due_next_14_days": self.due_within(14),
            "quiz": {t: {"attempts": n, "correct": k} for t, (n, k) in self.quiz.items()},
            "mistakes": {t: [{"id": m, "name": self.mistake_names.get(m, m), "count": n} for m, n in rows]
                         for t, rows in self.mistakes.items()},
            "mock_exams": self.mock_exams,
        }
        if self.exam is not None:
            out["exam"] = self.exam.isoformat()
            out["readiness"] = {k: round(v, 4) for k, v in self.readiness.items()}
            out["readiness_overall"] = None if self.ready_overall is None else round(self.ready_overall, 4)
        return out


def compute(
    cards: Sequence[Card],
    states: Mapping[str, CardState],
    rating_counts: Iterable[tuple[str, str, int, int]],
    daily: Mapping[date, int],
    now: datetime,
    exam: date | None = None,
    days: int = 28,
    horizon: int = 14,
    day: StudyDay | None = None,
    quiz_counts: Iterable[tuple[str, int, int]] = (),
    parameters: tuple[float, ...] | None = None,
    mistakes: Iterable[tuple[str, str, str, int]] = (),
    mistake_names: Mapping[str, str] | None = None,
    stages: Mapping[str, tuple[int, int]] | None = None,
    exam_at: time | None = None,
) -> StatsReport:
    """Figures for ``cards`` at ``now``.

    ``rating_counts`` is (card_id, deck, ratings, ratings recalled: 3-5) per card as logged;
    ``daily`` maps a study day (``day``: UTC midnight-to-midnight unless given) to its review
    count; ``quiz_counts`` is (gen card id, quiz answers, correct) as logged; ``mistakes`` is
    (card_id, deck, mistake ids comma-separated, times) as logged, ``mistake_names`` maps an id
    to its name; ``parameters`` are the fitted FSRS parameters in use (None: the defaults), for
    the readiness figures.
    ``stages`` (card id -> (stage 1 learning / 2 review / 3 mastered, study days from today to
    the due day, at most ``horizon``), as :meth:`cardcli.store.Store.stage_rows` computes it in
    SQL from :func:`due_bounds`) replaces the per-card states for the counts and the forecast;
    ``states`` is then only needed for readiness.
    """
    now = now.astimezone(timezone.utc)
    day = day or StudyDay()
    policy = Policy(day=day)
    today = day.date_of(now)
    total = Counts()
    decks: dict[str, Counts] = {}
    topics: dict[str, Counts] = {}
    ahead = [0] * horizon  # seen cards falling due i days from today (overdue: today)
    # (deck, topic, stage, due) -> cards; with ``stages`` counted at C speed over (deck, topic, row)
    tally: dict[tuple[str, str, str, bool], int] = {}
    if stages is not None:
        rows = Counter(zip(map(attrgetter("deck"), cards), map(attrgetter("topic"), cards),
                           map(stages.get, map(attrgetter("id"), cards))))
        for (deck, topic, row), n in rows.items():
            kind, off = ("new", None) if row is None else (_STAGES[row[0]], max(row[1], 0))
            key = (deck, topic, kind, off == 0)
            tally[key] = tally.get(key, 0) + n
            if off is not None and off < horizon:
                ahead[off] += n
    else:
        for card in cards:
            st = states.get(card.id)
            key = (card.deck, card.topic, stage(st), is_due(st, now, policy))
            tally[key] = tally.get(key, 0) + 1
            if st is not None:
                off = max((day.date_of(effective_due(st)) - today).days, 0)
                if off < horizon:
                    ahead[off] += 1
    for (deck, topic, kind, due), n in tally.items():
        for c in (total, decks.setdefault(deck, Counts()), topics.setdefault(topic, Counts())):
            c.cards += n
            setattr(c, kind, getattr(c, kind) + n)
            c.due += n if due else 0
    forecast = {today + timedelta(days=i): n for i, n in enumerate(ahead)}
    logged: dict[tuple[str, str], list[int]] = {}  # (deck, topic) -> [ratings, good]
    where = dict(zip(map(attrgetter("id"), cards), zip(map(attrgetter("deck"), cards),
                                                      map(attrgetter("topic"), cards))))
    for card_id, deck, n, good in rating_counts:
        place = where.get(card_id) or (deck or REMOVED, REMOVED)
        acc = logged.get(place)
        if acc is None:
            acc = logged[place] = [0, 0]
        acc[0] += n
        acc[1] += good
    for (deck, topic), (n, good) in logged.items():
        for c in (total, decks.setdefault(deck, Counts()), topics.setdefault(topic, Counts())):
            c.reviews += n
            c.good += good
    per_day = [(today - timedelta(days=i), int(daily.get(today - timedelta(days=i), 0)))
               for i in range(days - 1, -1, -1)]
    readiness: dict[str, float] = {}
    overall = None
    if exam is not None:
        start = exam_moment(exam, exam_at or DEFAULT_TIME, day)  # readiness when the exam starts
        ready = _readiness(cards, states, max(start, now), Policy(parameters=parameters))
        readiness, overall = ready.topics, ready.overall
    quiz: dict[str, list[int]] = {}
    for card_id, n, good in quiz_counts:
        topic = where[card_id][1] if card_id in where else _family_topic(card_id)
        q = quiz.setdefault(topic, [0, 0])
        q[0] += n
        q[1] += good
    by_topic: dict[str, dict[str, int]] = {}
    for card_id, _deck, ids, n in mistakes:
        per_mistake = by_topic.setdefault(where[card_id][1] if card_id in where else REMOVED, {})
        for mid in filter(None, str(ids).split(",")):
            per_mistake[mid] = per_mistake.get(mid, 0) + int(n)
    top = {t: sorted(per_mistake.items(), key=lambda kv: (-kv[1], kv[0]))
           for t, per_mistake in sorted(by_topic.items())}
    return StatsReport(total=total, decks=decks, topics=dict(sorted(topics.items())),
                       per_day=per_day, forecast=sorted(forecast.items()), exam=exam, readiness=readiness,
                       ready_overall=overall, quiz={t: (n, k) for t, (n, k) in sorted(quiz.items())},
                       mistakes=top, mistake_names=dict(mistake_names or {}))


#: study days in the reviews-per-day chart
DAYS_SHOWN = 28


def day_bounds(now: datetime, day: StudyDay | None = None,
               days: int = DAYS_SHOWN) -> tuple[list[tuple[date, datetime]], datetime]:
    """The last ``days`` study days up to ``now``'s as (day, start in UTC), and the end of today:
    what :meth:`cardcli.store.Store.reviews_per_day` counts in."""
    day = day or StudyDay()
    today = day.date_of(now)
    dates = [today - timedelta(days=i) for i in range(days - 1, -1, -1)]
    return [(d, day.start_of(d)) for d in dates], day.start_of(today + timedelta(days=1))


def due_bounds(now: datetime, day: StudyDay | None = None, horizon: int = 14) -> list[datetime]:
    """The starts (UTC) of the ``horizon`` study days after ``now``'s: a due time before the
    first is due today, before the k-th falls due k - 1 days from today (what ``stages`` counts)."""
    day = day or StudyDay()
    today = day.date_of(now)
    return [day.start_of(today + timedelta(days=k)) for k in range(1, horizon + 1)]


def _family_topic(card_id: str) -> str:
    """The topic of a ``gen:<family>:d<k>`` id (its family's first topic), else REMOVED."""
    from cardcli.gencards import parse
    from generators.catalog import CATALOG

    parsed = parse(card_id)
    entry = CATALOG.get(parsed[0]) if parsed is not None else None
    return entry[0][0] if entry else REMOVED

