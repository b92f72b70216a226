"""Stats: counts, retention, forecast and readiness at a fixed time, checked by hand."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import fsrs
import pytest

from cardcli.commands.stats import bar_chart, column_chart
from cardcli.model import Card
from cardcli.scheduler import CardState
from cardcli.stats import REMOVED, compute

UTC = timezone.utc
NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
DECAY = -fsrs.scheduler.DEFAULT_PARAMETERS[20]
FACTOR = 0.9 ** (1 / DECAY) - 1


def st(cid: str, state: fsrs.State, stability: float, due: datetime, last: datetime) -> CardState:
    mem = fsrs.Card(card_id=0, state=state, step=0 if state is not fsrs.State.Review else None,
                    stability=stability, difficulty=5.0, due=due, last_review=last)
    return CardState(cid, mem, last_rating=3, reps=2)


CARDS = [
    Card("a", "f", "b", "conv", "D1"),
    Card("b", "f", "b", "conv", "D1"),
    Card("c", "f", "b", "pooling", "D1"),
    Card("d", "f", "b", "pooling", "D2"),
    Card("e", "f", "b", "loss", "D2"),
]
STATES = {
    "a": st("a", fsrs.State.Learning, 1.0, NOW + timedelta(minutes=5), NOW),  # learning, due today
    "b": st("b", fsrs.State.Review, 30.0, NOW + timedelta(days=3), NOW - timedelta(days=27)),  # mastered
    "c": st("c", fsrs.State.Review, 4.0, NOW - timedelta(days=2), NOW - timedelta(days=6)),  # overdue review
    # "d", "e": new; "gone" has state but is in no deck
    "gone": st("gone", fsrs.State.Review, 9.0, NOW, NOW - timedelta(days=9)),
}
RATINGS = [("a", "D1", 3, 1), ("b", "D1", 4, 4), ("c", "D1", 2, 0), ("gone", "Old", 5, 3)]
DAILY = {NOW.date(): 5, NOW.date() - timedelta(days=3): 2, NOW.date() - timedelta(days=40): 9}


def test_counts_per_deck_and_topic():
    r = compute(CARDS, STATES, RATINGS, DAILY, NOW)
    t = r.total
    assert (t.cards, t.new, t.learning, t.review, t.mastered, t.due) == (5, 2, 1, 1, 1, 2)
    assert (t.reviews, t.good) == (14, 8)
    assert t.retention == pytest.approx(8 / 14)
    assert (r.decks["D1"].cards, r.decks["D1"].due, r.decks["D1"].reviews) == (3, 2, 9)
    assert (r.decks["D2"].new, r.decks["D2"].reviews, r.decks["D2"].retention) == (2, 0, None)
    assert r.decks["Old"].reviews == 5 and r.topics[REMOVED].good == 3
    assert (r.topics["conv"].learning, r.topics["conv"].mastered, r.topics["pooling"].review) == (1, 1, 1)


def test_per_day_and_forecast():
    r = compute(CARDS, STATES, RATINGS, DAILY, NOW, days=28, horizon=14)
    assert len(r.per_day) == 28 and r.per_day[-1] == (NOW.date(), 5) and r.per_day[0][0] == date(2026, 10, 14)
    assert dict(r.per_day)[NOW.date() - timedelta(days=3)] == 2
    assert sum(n for _, n in r.per_day) == 7  # the review 40 days ago is outside the window
    fc = dict(r.forecast)
    assert fc[NOW.date()] == 2  # a (later today) + c (overdue)
    assert fc[NOW.date() + timedelta(days=3)] == 1  # b
    assert r.due_within(7) == 3 and r.due_within(2) == 2


def test_exam_readiness_is_mean_recall_on_exam_morning():
    exam = date(2026, 11, 20)
    r = compute(CARDS, STATES, RATINGS, DAILY, NOW, exam=exam)
    morning = datetime(2026, 11, 20, tzinfo=UTC)

    def rec(s: CardState) -> float:
        # fractional days elapsed (whole days would read 100 % for a card reviewed last night)
        return (1 + FACTOR * (morning - s.last_review).total_seconds() / 86400 / s.stability) ** DECAY

    assert r.readiness["conv"] == pytest.approx((rec(STATES["a"]) + rec(STATES["b"])) / 2)
    assert r.readiness["pooling"] == pytest.approx(rec(STATES["c"]) / 2)  # d is new: 0
    assert r.readiness["loss"] == 0.0
    data = r.as_json()
    assert data["exam"] == "2026-11-20" and set(data["readiness"]) == {"conv", "pooling", "loss"}


def test_json_has_the_promised_keys():
    data = compute(CARDS, STATES, RATINGS, DAILY, NOW).as_json()
    assert {"reviews", "cards", "due", "new", "decks", "topics"} <= set(data)
    assert (data["reviews"], data["cards"], data["due"], data["new"]) == (14, 5, 2, 2)
    assert data["decks"]["D1"]["retention"] == pytest.approx(5 / 9, abs=1e-4)


def test_bar_chart_scales_to_the_largest():
    assert bar_chart([("x", 4), ("y", 2), ("z", 0)], width=8) == ["x ████████ 4", "y ████ 2", "z ·"]
    assert bar_chart([("x", 1), ("y", 100)], width=10)[0] == "x ▏ 1"


def test_column_chart():
    assert column_chart([0, 0]) == ["··"]
    assert column_chart([2, 1, 0], height=2) == ["█  ", "██·"]


def test_readiness_uses_the_fitted_parameters():
    # the forgetting curve's shape (decay w20) comes from the parameters in use
    fitted = list(fsrs.scheduler.DEFAULT_PARAMETERS)
    fitted[20] = 0.5
    exam = date(2026, 11, 20)
    r = compute(CARDS, STATES, RATINGS, DAILY, NOW, exam=exam, parameters=tuple(fitted))
    morning = datetime(2026, 11, 20, tzinfo=UTC)
    factor = 0.9 ** (1 / -0.5) - 1

    def rec(s: CardState) -> float:
        return (1 + factor * (morning - s.last_review).total_seconds() / 86400 / s.stability) ** -0.5

    assert r.readiness["pooling"] == pytest.approx(rec(STATES["c"]) / 2)
    with_exam = compute(CARDS, STATES, RATINGS, DAILY, NOW, exam=exam)
    assert r.readiness["pooling"] != pytest.approx(with_exam.readiness["pooling"])


def test_most_frequent_mistakes_per_topic():
    mistakes = [("a", "D1", "padding-ignored", 3), ("b", "D1", "padding-ignored", 1),
                ("b", "D1", "padding-once,no-plus-one", 2), ("c", "D1", "max-avg-swapped", 1),
                ("gone", "Old", "trace", 1)]
    names = {"padding-ignored": "padding ignored", "padding-once": "padding counted on one side only",
             "no-plus-one": "the + 1 forgotten", "max-avg-swapped": "max and average pooling confused"}
    r = compute(CARDS, STATES, RATINGS, DAILY, NOW, mistakes=mistakes, mistake_names=names)
    # an answer matching two mistakes counts for both; ties sorted by id
    assert r.mistakes == {"conv": [("padding-ignored", 4), ("no-plus-one", 2), ("padding-once", 2)],
                          "pooling": [("max-avg-swapped", 1)], REMOVED: [("trace", 1)]}
    data = r.as_json()["mistakes"]
    assert data["conv"][0] == {"id": "padding-ignored", "name": "padding ignored", "count": 4}
    assert data[REMOVED] == [{"id": "trace", "name": "trace", "count": 1}]  # unknown id: the id itself
    assert compute(CARDS, STATES, RATINGS, DAILY, NOW).as_json()["mistakes"] == {}


def test_stats_command_shows_mistakes(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from cardcli.cli import app
    from cardcli.scheduler import review
    from cardcli.store import ReviewRecord, Store

    cid = "gen:conv-output-size:d2"
    state = None
    with Store.open() as store:
        for mid in ("padding-ignored", "padding-ignored", "padding-ignored", "padding-ignored", "no-plus-one", None):
            state = review(state, 1 if mid else 4, NOW, card_id=cid)
            store.record(ReviewRecord(cid, "generated", NOW, 1 if mid else 4, correct=mid is None, mistake=mid), state)
    monkeypatch.setenv("COLUMNS", "120")
    r = CliRunner().invoke(app, ["stats"])
    assert r.exit_code == 0, r.output
    assert "Most frequent mistakes" in r.output
    assert "output-size: padding ignored ×4, the + 1 forgotten ×1" in r.output
    j = CliRunner().invoke(app, ["stats", "--json"])
    assert json.loads(j.output)["mistakes"]["output-size"][0] == {"id": "padding-ignored",
                                                                  "name": "padding ignored", "count": 4}
