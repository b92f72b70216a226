"""The mock-exam score forecast: what the mock exam would give if it were sat when the exam starts.

Each question of the mock template (:mod:`cardcli.mock.template`) is scored from a predicted
recall at the exam's start (:func:`cardcli.scheduler.recall_forecast`, the fitted parameters if
any):

* a problem question (family, difficulty): the card ``gen:<family>:d<difficulty>``; if that level
  was never practised, the best predicted recall among the family's other levels (what is known of
  the family); 0 if the family was never practised;
* a draw section: the cards the mock exam would draw at that moment (:func:`cardcli.mock.exam.draw_cards`:
  weakest topics and cards first, as the mock does), each with its own predicted recall.

A question scores its points with its probability and 0 otherwise (partial credit is not
modelled), independently of the others: the expected score is Σ points·p, and the interval is
read off the exact distribution of the total (a convolution over the questions,
:func:`score_distribution`): the 5th and 95th percentiles, a 90 % interval. After a mock exam the
same forecast made from the log as it stood when the mock began (:func:`cardcli.calibration.states_at`)
is set beside the actual score (:func:`past_mocks`).

Pure: the states, the cards and the moment are arguments.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cardcli import gencards
from cardcli.model import Card
from cardcli.scheduler import CardState, Policy, recall_forecast

__all__ = ["Item", "Forecast", "score_distribution", "forecast", "template_items", "question_items",
           "forecast_line", "MockCheck", "past_mocks", "LEVEL"]

#: the interval's coverage
LEVEL = 0.90


@dataclass(frozen=True)
class Item:
    label: str
    points: int
    p: float


@dataclass(frozen=True)
class Forecast:
    items: tuple[Item, ...]
    expected: float
    low: int
    high: int
    total: int


def score_distribution(items: Sequence[Item]) -> list[float]:
    """P(total = s) for s = 0..Σ points, each question scoring its points with probability p."""
    dist = [1.0]
    for it in items:
        nxt = [0.0] * (len(dist) + it.points)
        for s, q in enumerate(dist):
            if q:
                nxt[s] += q * (1 - it.p)
                nxt[s + it.points] += q * it.p
        dist = nxt
    return dist


def forecast(items: Sequence[Item], level: float = LEVEL) -> Forecast:
    dist = score_distribution(items)
    tail = (1 - level) / 2
    acc, low, high = 0.0, 0, len(dist) - 1
    found = False
    for s, q in enumerate(dist):
        acc += q
        if not found and acc >= tail - 1e-12:
            low, found = s, True
        if acc >= 1 - tail - 1e-12:
            high = s
            break
    return Forecast(tuple(items), sum(it.points * it.p for it in items), low, high, len(dist) - 1)


def _family_recall(family: str, level: int, states: Mapping[str, CardState], at: datetime,
                   policy: Policy | None) -> float:
    own = states.get(gencards.card_id(family, level))
    if own is not None:
        return recall_forecast(own, at, policy)
    others = [recall_forecast(st, at, policy) for cid, st in states.items()
              if (parsed := gencards.parse(cid)) is not None and parsed[0] == family]
    return max(others, default=0.0)


def template_items(template: Any, cards: Sequence[Card], states: Mapping[str, CardState], at: datetime,
                   policy: Policy | None = None) -> tuple[list[Item], list[str]]:
    """The items of ``template`` at ``at``, and notes on sections that could not be filled."""
    from cardcli.mock.exam import ExamFillError, draw_cards

    items: list[Item] = []
    notes: list[str] = []
    taken: set[str] = set()
    for s in template.sections:
        for q in s.problems:
            items.append(Item(f"{q.family} (d{q.difficulty})", q.points,
                              _family_recall(q.family, q.difficulty, states, at, policy)))
        if s.draw is not None:
            try:
                chosen = draw_cards(s.draw, cards, states, at, random.Random(0), taken=taken, section=s.title,
                                    policy=policy)
            except ExamFillError as e:
                notes.append(str(e))
                continue
            taken.update(c.id for c in chosen)
            items += [Item(c.id, s.draw.points, recall_forecast(states.get(c.id), at, policy)) for c in chosen]
    return items, notes


def question_items(questions: Sequence[Mapping[str, Any]], states: Mapping[str, CardState], at: datetime,
                   policy: Policy | None = None) -> list[Item]:
    """The items of a sat mock exam's recorded questions (card id and points) at ``at``."""
    items = []
    for q in questions:
        cid = str(q.get("card_id", ""))
        points = int(q.get("points", 0) or 0)
        parsed = gencards.parse(cid)
        if parsed is not None:
            p = _family_recall(parsed[0], parsed[1], states, at, policy)
        else:
            p = recall_forecast(states.get(cid), at, policy)
        items.append(Item(cid, points, p))
    return items


def forecast_line(f: Forecast) -> str:
    return (f"Mock-exam forecast: {f.expected:.0f} of {f.total} points "
            f"({LEVEL:.0%} interval {f.low}-{f.high}) if sat when the exam starts")


@dataclass(frozen=True)
class MockCheck:
    """A sat mock exam: the forecast from the log as it stood when it began, and the actual score."""

    started_at: datetime
    forecast: Forecast
    actual: float
    max: int


def past_mocks(mocks: Sequence[Any], attempts: Sequence[Any], policy: Policy | None = None
               ) -> tuple[list[MockCheck], list[tuple[float, float]]]:
    """Each mock of ``mocks`` (:class:`cardcli.store.MockExamRecord`) with its forecast made without
    it, and the (predicted recall, score / points) of every question, for a reliability table."""
    from cardcli.calibration import states_at

    checks: list[MockCheck] = []
    pairs: list[tuple[float, float]] = []
    for m in mocks:
        states = states_at(attempts, m.started_at)
        items = question_items(m.questions, states, m.started_at, policy)
        checks.append(MockCheck(m.started_at, forecast(items), float(m.score), int(m.max)))
        for it, q in zip(items, m.questions, strict=True):
            if it.points:
                pairs.append((it.p, min(1.0, max(0.0, float(q.get("score", 0) or 0) / it.points))))
    return checks, pairs
