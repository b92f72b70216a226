"""Calibration of predicted recall, and the mock-exam forecast.

The real log is ``tests/fixtures/fsrs-review-log-josh.csv`` (12,580 Anki reviews, MIT, from py-fsrs's
test suite: licence note beside it). The reference figures are computed here straight from the CSV
with py-fsrs's own Scheduler (Anki's buttons are FSRS ratings 1-4; recalled = button 2-4), the
forgetting curve written out by hand - not with cardcli's replay, rating map or binning.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import os
import sqlite3
import subprocess
import sys
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

import fsrs
import pytest

from cardcli.calibration import attempts, predictions, reliability, states_at
from cardcli.forecast import Item, forecast, past_mocks, question_items, score_distribution
from cardcli.scheduler import recall_forecast
from cardcli.store import MockExamRecord, ReviewRecord, Store

UTC = timezone.utc
FIXTURE = Path(__file__).parent / "fixtures" / "fsrs-review-log-josh.csv"
ANKI_TO_CARDCLI = {1: 1, 2: 3, 3: 4, 4: 5}
W = fsrs.scheduler.DEFAULT_PARAMETERS
DECAY = -W[20]
FACTOR = 0.9 ** (1 / DECAY) - 1


def _rows() -> list[tuple[str, datetime, int]]:
    with FIXTURE.open(newline="") as f:
        return [(r["card_id"], datetime.fromisoformat(r["review_time"]).astimezone(UTC), int(r["review_rating"]))
                for r in csv.DictReader(f)]


def _reference() -> tuple[int, float, float, list[tuple[int, int, float]]]:
    """Replay with py-fsrs directly; (n, log loss, RMSE(bins), [(bin, count, observed)])."""
    sched = fsrs.Scheduler(desired_retention=0.9, learning_steps=(timedelta(minutes=1), timedelta(minutes=10)),
                           relearning_steps=(timedelta(minutes=10),), maximum_interval=36500, enable_fuzzing=False)
    cards: dict[str, fsrs.Card] = {}
    pairs = []
    for cid, at, button in sorted(_rows(), key=lambda r: r[1]):
        card = cards.get(cid)
        if card is None:
            card = fsrs.Card(card_id=0, due=at)
        elif card.last_review.date() < at.date():  # one prediction per card per later UTC day
            days = (at - card.last_review).total_seconds() / 86400
            pairs.append(((1 + FACTOR * days / card.stability) ** DECAY, 1 if button >= 2 else 0))
        cards[cid], _ = sched.review_card(card, fsrs.Rating(button), review_datetime=at)
    loss = -sum(y * math.log(p) + (1 - y) * math.log(1 - p) for p, y in pairs) / len(pairs)
    groups: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for p, y in pairs:
        groups[min(9, int(p * 10))].append((p, y))
    sq = sum(len(g) * (sum(p for p, _ in g) / len(g) - sum(y for _, y in g) / len(g)) ** 2 for g in groups.values())
    table = [(b, len(g), sum(y for _, y in g) / len(g)) for b, g in sorted(groups.items())]
    return len(pairs), loss, math.sqrt(sq / len(pairs)), table


@pytest.fixture(scope="module")
def josh_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("josh-cal")
    path = home / "cardcli.sqlite3"
    Store.open(path).close()
    con = sqlite3.connect(str(path))
    with con:
        rows = [(c, at.isoformat(timespec="microseconds"), ANKI_TO_CARDCLI[b]) for c, at, b in _rows()]
        con.executemany("INSERT INTO reviews (card_id, deck, reviewed_at, rating, kind) "
                        "VALUES (?, 'Anki', ?, ?, 'review')", rows)
    con.close()
    return home


def test_calibration_on_the_real_log_matches_an_independent_replay(josh_home):
    n, loss, rmse, table = _reference()
    env = {**os.environ, "CARDCLI_HOME": str(josh_home), "COLUMNS": "120", "NO_COLOR": "1", "TZ": "UTC",
           "CARDCLI_DAY_STARTS": "0"}  # study days = UTC days, as in the reference
    r = subprocess.run([sys.executable, "-m", "cardcli", "stats", "--calibration", "--json"], capture_output=True,
                       text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)["reviews"]
    assert got["n"] == n
    assert got["log_loss"] == pytest.approx(loss, rel=1e-9)
    assert got["rmse_bins"] == pytest.approx(rmse, rel=1e-9)
    assert [(round(b["lo"] * 10), b["n"], pytest.approx(b["observed"])) for b in got["bins"] if b["n"]] == table
    # the figures reported for this log (py-fsrs default parameters)
    assert n == 6032
    assert round(loss, 4) == 0.4813 and round(rmse, 4) == 0.0502
    text = subprocess.run([sys.executable, "-m", "cardcli", "stats", "--calibration"], capture_output=True,
                          text=True, env=env, timeout=120).stdout
    assert "6032 reviews: log loss 0.4813, RMSE(bins) 0.0502" in text
    assert "No mock exam yet" in text


def test_reliability_by_hand():
    pairs = [(0.05, 0.0), (0.15, 1.0), (0.95, 1.0), (0.95, 0.0), (0.85, 1.0)]
    r = reliability(pairs)
    loss = -(math.log(0.95) + math.log(0.15) + math.log(0.95) + math.log(0.05) + math.log(0.85)) / 5
    assert r.log_loss == pytest.approx(loss)
    # bins: [0.0-0.1) 0.05 vs 0; [0.1-0.2) 0.15 vs 1; [0.8-0.9) 0.85 vs 1; [0.9-1.0] 0.95 vs 0.5 (two)
    sq = 0.05 ** 2 + 0.85 ** 2 + 0.15 ** 2 + 2 * 0.45 ** 2
    assert r.rmse_bins == pytest.approx(math.sqrt(sq / 5))
    assert [(b.n, b.observed) for b in r.bins if b.n] == [(1, 0.0), (1, 1.0), (1, 1.0), (2, 0.5)]
    assert reliability([]).n == 0 and reliability([]).log_loss is None


def test_each_prediction_comes_before_its_own_review():
    t0 = datetime(2026, 11, 1, 10, tzinfo=UTC)
    log = [("a", t0, 4, None), ("a", t0 + timedelta(minutes=10), 4, None), ("a", t0 + timedelta(days=3), 1, None),
           ("a", t0 + timedelta(days=3, minutes=5), 3, None)]
    preds = list(predictions(log))
    assert len(preds) == 1  # the first rating has nothing before it; same-day steps are not counted
    before = states_at(log, t0 + timedelta(days=3))  # the state the 1 was predicted from
    assert preds[0].p == pytest.approx(recall_forecast(before["a"], t0 + timedelta(days=3)))
    assert preds[0].outcome == 0.0
    assert len(list(predictions(log, same_day=True))) == 3


def test_score_distribution_against_brute_force():
    items = [Item("q1", 20, 0.7), Item("q2", 20, 0.4), Item("q3", 40, 0.9), Item("c1", 5, 0.5), Item("c2", 5, 0.2)]
    brute = [0.0] * 91
    for hits in itertools.product((0, 1), repeat=len(items)):
        prob, score = 1.0, 0
        for it, h in zip(items, hits, strict=True):
            prob *= it.p if h else 1 - it.p
            score += it.points * h
        brute[score] += prob
    assert score_distribution(items) == pytest.approx(brute)
    f = forecast(items)
    assert f.expected == pytest.approx(20 * 0.7 + 20 * 0.4 + 40 * 0.9 + 5 * 0.5 + 5 * 0.2)
    cdf = list(itertools.accumulate(brute))
    assert f.low == next(s for s, c in enumerate(cdf) if c >= 0.05)
    assert f.high == next(s for s, c in enumerate(cdf) if c >= 0.95)
    assert f.total == 90


def test_a_past_mock_is_forecast_from_the_log_before_it(tmp_path):
    t0 = datetime(2026, 11, 20, 9, tzinfo=UTC)
    start = t0 + timedelta(days=4)
    with Store.open(tmp_path / "h.sqlite3") as s:
        for i, (cid, r) in enumerate([("tf-1", 4), ("gen:conv-forward:d2", 4), ("tf-1", 4)]):
            s.record(ReviewRecord(card_id=cid, deck="D", reviewed_at=t0 + timedelta(days=i), rating=r),
                     lambda cur, cid=cid, r=r, i=i: __import__("cardcli.scheduler", fromlist=["review"]).review(
                         cur, r, t0 + timedelta(days=i), card_id=cid))
        questions = [{"n": 1, "card_id": "gen:conv-forward:d2", "points": 20, "score": 20.0},
                     {"n": 2, "card_id": "tf-1", "points": 5, "score": 0.0},
                     {"n": 3, "card_id": "never", "points": 5, "score": 5.0}]
        s.record_mock_exam(MockExamRecord(started_at=start, finished_at=start + timedelta(minutes=30), seed=1,
                                          template="midterm.yaml", score=25.0, max=30, minutes=75, stopped="done",
                                          topics={}, questions=questions),
                           [ReviewRecord(card_id="tf-1", deck="D", reviewed_at=start + timedelta(minutes=5), rating=1,
                                         kind="mock")])
        log = attempts(s.reviews())
        mocks = s.mock_exams()
        states = {k: v for k, v in s.load_states().items()}
    checks, pairs = past_mocks(mocks, log)
    before = states_at(log, start)
    assert before["tf-1"].reps == 2  # the mock's own answer (after its start) is not used
    assert states["tf-1"].reps == 3
    p_gen = recall_forecast(before["gen:conv-forward:d2"], start)
    p_tf = recall_forecast(before["tf-1"], start)
    assert checks[0].forecast.expected == pytest.approx(20 * p_gen + 5 * p_tf + 0)
    assert checks[0].actual == 25.0 and checks[0].max == 30
    assert pairs == [(pytest.approx(p_gen), 1.0), (pytest.approx(p_tf), 0.0), (0.0, 1.0)]
    assert [it.p for it in question_items(questions, before, start)] == pytest.approx([p_gen, p_tf, 0.0])


def test_exam_status_forecasts_the_mock_and_sets_the_last_one_beside_its_score(tmp_path, cardcli_home):
    t0 = datetime(2026, 11, 20, 9, tzinfo=UTC)
    start = t0 + timedelta(days=4)
    from cardcli.scheduler import review

    with Store.open(cardcli_home / "cardcli.sqlite3") as s:
        for i in range(2):
            at = t0 + timedelta(days=2 * i)
            s.record(ReviewRecord(card_id="gen:conv-forward:d2", deck="generated", reviewed_at=at, rating=4),
                     lambda cur, at=at: review(cur, 4, at, card_id="gen:conv-forward:d2"))
        s.record_mock_exam(MockExamRecord(started_at=start, finished_at=start + timedelta(minutes=30), seed=1,
                                          template="midterm.yaml", score=20.0, max=20, minutes=75, stopped="done",
                                          topics={}, questions=[{"n": 1, "card_id": "gen:conv-forward:d2",
                                                                 "points": 20, "score": 20.0}]), [])
        s.set_settings({"exam_date": "2026-11-27", "exam_time": "14:00"})
        st = s.load_state("gen:conv-forward:d2")
    env = {**os.environ, "CARDCLI_HOME": str(cardcli_home), "COLUMNS": "300", "NO_COLOR": "1", "TZ": "UTC",
           "CARDCLI_NOW": "2026-11-25T10:00Z"}
    r = subprocess.run([sys.executable, "-m", "cardcli", "exam"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    # the template: conv-forward d2 (20 points) is the only card ever practised; the rest predict 0
    p_exam = recall_forecast(st, datetime(2026, 11, 27, 14, tzinfo=UTC))
    assert f"Mock-exam forecast: {20 * p_exam:.0f} of 120 points (90% interval 0-20)" in r.stdout
    p_mock = recall_forecast(states_at(attempts([]) + [("gen:conv-forward:d2", t0, 4, None),
                                                       ("gen:conv-forward:d2", t0 + timedelta(days=2), 4, None)],
                                       start)["gen:conv-forward:d2"], start)
    assert (f"Last mock exam (2026-11-24 09:00 UTC): predicted {20 * p_mock:.0f} (90% interval "
            f"{0 if p_mock < 0.95 else 20}-20), actual 20 of 20") in r.stdout
