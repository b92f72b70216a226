"""Concurrent sessions on one history: the schedule always equals a replay of the log.

Invariant (issue 10, item 1): after any interleaving of ratings and undos by any number of
sessions, every card's ``card_state`` equals :func:`cardcli.scheduler.replay` of its non-cram
reviews in log order - stability, difficulty, due, state, reps, lapses, last and first rating.
"""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from rich.console import Console

from cardcli import scheduler as S
from cardcli.model import Card
from cardcli.session import Session
from cardcli.store import ReviewRecord, Store
from cardcli.terminal import ScriptedKeys

UTC = timezone.utc
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
WORKER = Path(__file__).parent / "concurrency_worker.py"


def fields(st: S.CardState | None) -> tuple | None:
    if st is None:
        return None
    m = st.memory
    return (m.stability, m.difficulty, m.due, m.state, m.step, m.last_review, st.reps, st.lapses,
            st.last_rating, st.first_review)


def replayed(store: Store) -> dict[str, S.CardState]:
    """Each card's state rebuilt from scratch from its non-cram reviews, one rating at a time."""
    out: dict[str, S.CardState] = {}
    for r in store.reviews():  # log order
        if r.kind != "cram":
            out[r.card_id] = S.review(out.get(r.card_id), r.rating, r.reviewed_at, card_id=r.card_id,
                                      policy=r.policy)
    return out


def assert_state_is_the_log(store: Store) -> None:
    states, expect = store.load_states(), replayed(store)
    assert set(states) == set(expect)
    for cid in expect:
        assert fields(states[cid]) == fields(expect[cid]), cid
        assert S.replay(cid, [(r.rating, r.reviewed_at, r.policy) for r in store.reviews()
                              if r.card_id == cid and r.kind != "cram"]) == states[cid]
    # the counters agree with the log as well
    for cid, st in states.items():
        mine = [r for r in store.reviews() if r.card_id == cid and r.kind != "cram"]
        assert st.reps == len(mine) and st.first_review == mine[0].reviewed_at and st.last_rating == mine[-1].rating


def test_processes_rating_and_undoing_the_same_cards_keep_state_equal_to_the_log(tmp_path):
    db = tmp_path / "h.sqlite3"
    Store.open(db).close()
    wall0 = time.time()
    procs = [subprocess.Popen([sys.executable, str(WORKER), str(db), f"P{n}", str(100 + n), "150", str(wall0)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for n in range(3)]
    for p in procs:  # all started: let them go at once
        p.stdin.write("go\n")
        p.stdin.flush()
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        results.append(json.loads(out))
    # each process gave its 50 scheduled ratings and undid some (undo interleaves with the others)
    assert all(r["reviews"] >= 50 and r["undone"] >= 1 for r in results), results
    assert sum(r["undone"] for r in results) > 15, results
    with Store.open(db) as store:
        log = [r for r in store.reviews() if r.kind != "cram"]
        assert len(log) == sum(r["reviews"] for r in results)
        assert sum(1 for r in store.reviews() if r.kind == "cram") == sum(r["cram"] for r in results)
        # the processes really interleaved on the same cards
        switches = sum(1 for a, b in zip(log, log[1:]) if a.card_id == b.card_id and a.deck != b.deck)
        assert switches > 10
        assert_state_is_the_log(store)


# -- the scenario, deterministically: two sessions, one stale ---------------------------

CARD = Card("x", "Front X", "Back X", "conv", "D")


def session(store: Store, keys: list[str], start: datetime) -> Session:
    states = store.load_states()  # loaded now: stale once another session rates
    clock = iter(start + timedelta(seconds=i) for i in range(1000))
    q = S.plan([CARD], states, start, random.Random(0), 20, 0)
    return Session(q, store, Console(file=io.StringIO(), width=80, color_system=None), ScriptedKeys(keys),
                   states, [CARD], rng=random.Random(0), clock=lambda: next(clock))


def test_stale_session_rating_then_undo_keeps_the_other_sessions_rating(tmp_path):
    db = tmp_path / "h.sqlite3"
    with Store.open(db) as a_store, Store.open(db) as b_store:
        a = session(a_store, ["", "5", "q"], T0)
        b = session(b_store, ["", "3", "u", "q"], T0 + timedelta(minutes=1))  # loaded before A rated
        a.run()
        # A's session clock: shown at +1 s, preview +2 s, rated at +3 s
        after_a = S.review(None, 5, T0 + timedelta(seconds=3), card_id="x")
        assert fields(b_store.load_state("x")) == fields(after_a)
        b.keys._items = ["", "3"]  # rate, then the undo below
        b.run()
        t_b = T0 + timedelta(minutes=1, seconds=3)
        after_b = S.review(after_a, 3, t_b)  # B's 3 applies on top of A's 5, not on B's stale "new"
        assert fields(b_store.load_state("x")) == fields(after_b)
        assert b_store.load_state("x").reps == 2
        rb = b_store.reviews()[-1]
        assert fields(rb.state_before) == fields(after_a)
        b._undo(current=None)  # B presses u: only B's rating goes
        assert fields(a_store.load_state("x")) == fields(after_a)
        assert [(r.rating, r.kind) for r in a_store.reviews()] == [(5, "review")]
        assert fields(b.states["x"]) == fields(after_a)  # B's session sees the store's state
        assert_state_is_the_log(a_store)


def test_undo_of_an_earlier_rating_replays_the_later_one(tmp_path):
    db = tmp_path / "h.sqlite3"
    t1, t2 = T0, T0 + timedelta(minutes=7)
    with Store.open(db) as a, Store.open(db) as b:
        r1 = a.record(ReviewRecord("x", "D", t1, 5), lambda cur: S.review(cur, 5, t1, card_id="x"))
        r2 = b.record(ReviewRecord("x", "D", t2, 2), lambda cur: S.review(cur, 2, t2, card_id="x"))
        assert b.load_state("x").reps == 2
        a.undo(r1)  # A takes back its 5; B's 2 stays, now the card's first rating
        alone = S.review(None, 2, t2, card_id="x")
        assert fields(a.load_state("x")) == fields(alone)
        assert (alone.reps, alone.first_review, alone.last_rating) == (1, t2, 2)
        [rec] = a.reviews()
        assert rec.id == r2 and rec.state_before is None  # its undo snapshot follows the replay
        b.undo(r2)
        assert a.load_state("x") is None and a.review_count() == 0


def test_undo_replay_keeps_each_ratings_exam_policy(tmp_path):
    exam = S.policy_for(T0, (T0 + timedelta(days=5)).date())
    assert exam.maximum_interval == 4 and exam.desired_retention > 0.9
    t1, t2, t3 = T0, T0 + timedelta(minutes=10), T0 + timedelta(days=1)
    with Store.open(tmp_path / "h.sqlite3") as s:
        r1 = s.record(ReviewRecord("x", "D", t1, 3), lambda c: S.review(c, 3, t1, card_id="x"))
        s.record(ReviewRecord("x", "D", t2, 5, policy=exam), lambda c: S.review(c, 5, t2, card_id="x", policy=exam))
        s.record(ReviewRecord("x", "D", t3, 4, policy=exam), lambda c: S.review(c, 4, t3, card_id="x", policy=exam))
        s.undo(r1)
        want = S.review(S.review(None, 5, t2, card_id="x", policy=exam), 4, t3, policy=exam)
        assert fields(s.load_state("x")) == fields(want)
        assert want.due - t3 <= timedelta(days=4)  # the exam cap survived the replay
        assert fields(s.load_state("x")) != fields(S.review(S.review(None, 5, t2, card_id="x"), 4, t3))
