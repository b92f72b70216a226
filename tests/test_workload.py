"""Workload preview: expected reviews per day until the exam, at a fixed clock, worked by hand.

Scripted "random" draws make the simulated recalls deterministic: a draw below the predicted
recall means the card was recalled (rated 4), otherwise forgotten (rated 1).
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

import fsrs

from cardcli.scheduler import CardState
from cardcli.workload import MAX_DAYS, DayLoad, workload

UTC = timezone.utc
NOW = datetime(2026, 11, 10, 10, 0, tzinfo=UTC)
EXAM = date(2026, 11, 12)  # two study days: 11-10 and 11-11


class Draws(random.Random):
    """random() returns the scripted values, then ``then`` forever."""

    def __new__(cls, values, then):  # Python 3.10's Random.__new__ takes at most one argument
        return super().__new__(cls)

    def __init__(self, values, then):
        super().__init__(0)
        self.values, self.then = list(values), then

    def random(self):
        return self.values.pop(0) if self.values else self.then


def review_card(stability: float, last: datetime, due: datetime) -> CardState:
    mem = fsrs.Card(card_id=0, state=fsrs.State.Review, step=None, stability=stability, difficulty=5.0,
                    due=due, last_review=last)
    return CardState("seen", mem, last_rating=4, reps=3)


def test_new_cards_only_always_recalled():
    # exam mode introduces ceil(50 / 2) = 25 new cards a day (more than --new 20).
    # Day 1: each new card is rated at its two learning steps (now, +10 min) and graduates with
    #        the interval capped at 1 day (exam mode: days left - 1) -> 50 reviews.
    # Day 2: yesterday's 25 are due (one review each, due again after the exam) + 25 new x 2 -> 75.
    out = workload({}, 50, NOW, EXAM, Draws([], 0.0), runs=1)
    assert out == [DayLoad(date(2026, 11, 10), 50.0, 25.0), DayLoad(date(2026, 11, 11), 75.0, 25.0)]


def test_a_forgotten_card_is_relearned_the_same_day():
    # seen card due now, predicted recall ~0.9 (stability 5 d, last review 5 d ago).
    # Day 1: draw 0.99 > recall -> forgotten (Again), relearning step 10 min later, draw 0 -> Good,
    #        interval capped at 1 day -> 2 reviews. Day 2: due, recalled -> 1 review.
    st = review_card(5.0, NOW - timedelta(days=5), NOW - timedelta(hours=1))
    out = workload({"seen": st}, 0, NOW, EXAM, Draws([0.99], 0.0), runs=1)
    assert [(d.reviews, d.new) for d in out] == [(2.0, 0.0), (1.0, 0.0)]


def test_runs_are_averaged():
    # run 1 forgets on day 1 (2 reviews), run 2 recalls (1 review); both review once on day 2
    st = review_card(5.0, NOW - timedelta(days=5), NOW - timedelta(hours=1))
    out = workload({"seen": st}, 0, NOW, EXAM, Draws([0.99, 0.0, 0.0, 0.0], 0.0), runs=2)
    assert [d.reviews for d in out] == [1.5, 1.0]


def test_card_not_due_before_the_exam_costs_nothing():
    # due in 20 days, exam in 2, recall on exam morning ~0.99 (stability 400 d) -> never due
    st = review_card(400.0, NOW - timedelta(days=1), NOW + timedelta(days=20))
    out = workload({"seen": st}, 0, NOW, EXAM, Draws([], 0.0), runs=1)
    assert [d.reviews for d in out] == [0.0, 0.0]


def test_no_days_left_and_far_exams_are_bounded():
    assert workload({}, 10, NOW, NOW.date(), random.Random(0)) == []
    assert workload({}, 10, NOW, date(2026, 11, 1), random.Random(0)) == []
    far = workload({}, 0, NOW, date(2099, 1, 1), random.Random(0), runs=1)
    assert len(far) == MAX_DAYS and far[0].day == NOW.date()
    assert far[-1].day == NOW.date() + timedelta(days=MAX_DAYS - 1)


def test_stats_shows_the_preview(cardcli_home, monkeypatch):
    from typer.testing import CliRunner

    from cardcli.cli import app

    monkeypatch.setenv("CARDCLI_NOW", NOW.isoformat())  # 10:00 UTC, well inside the study day
    monkeypatch.setenv("TZ", "UTC")
    exam = (NOW + timedelta(days=3)).date()
    r = CliRunner().invoke(app, ["stats", "--json", "--exam", exam.isoformat()])
    assert r.exit_code == 0, r.output
    import json

    load = json.loads(r.stdout)["workload"]
    today = NOW.date()
    assert [d["day"] for d in load] == [(today + timedelta(days=k)).isoformat() for k in range(3)]
    # nothing seen yet: all bundled cards are introduced over the 3 days, each rated at least twice
    assert sum(d["new"] for d in load) == json.loads(r.stdout)["new"]
    assert all(d["reviews"] >= 2 * d["new"] for d in load)
    text = CliRunner().invoke(app, ["stats", "--exam", exam.isoformat()]).stdout
    assert f"Expected reviews per day until the exam ({exam.isoformat()}" in text
    assert "Memory model: default FSRS parameters (see `cardcli optimize`)" in text
