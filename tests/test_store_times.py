"""The due time and last review as whole microseconds (``card_state.due_us``, ``last_us``): SQLite
generates them from the text, the study index holds them, and the ranking reads them instead of
parsing dates. Expected values are worked by the calendar (:func:`calendar.timegm`), not by the
code's own conversion; the text path (an SQLite before 3.31 adds no columns) must agree."""

from __future__ import annotations

import calendar
import random
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

import cardcli.store.schema as schema_mod
from cardcli import scheduler as S
from cardcli.model import Card
from cardcli.store import SCHEMA_VERSION, ReviewRecord, Store

UTC = timezone.utc
T0 = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


def us(when: datetime | None) -> int | None:
    return None if when is None else calendar.timegm(when.utctimetuple()) * 10**6 + when.microsecond


def rated(path, seed: int, cards: int = 40) -> dict[str, S.CardState]:
    """A history of ``cards`` cards rated at random times with random microseconds (.999999 among them)."""
    rng = random.Random(seed)
    states: dict[str, S.CardState] = {}
    with Store.open(path) as s:
        t = T0
        for _ in range(cards * 4):
            t += timedelta(minutes=rng.choice([1, 9, 300, 1440]), microseconds=rng.choice([0, 1, 999_999,
                                                                                           rng.randrange(10**6)]))
            cid = f"c{rng.randrange(cards)}"
            rating = rng.choice([1, 3, 4, 5])
            s.record(ReviewRecord(cid, "D", t, rating),
                     lambda cur, cid=cid, r=rating, t=t: S.review(cur, r, t, card_id=cid))
        states = s.load_states()
    return states


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_microseconds_equal_the_calendar_and_the_briefs_read_them(tmp_path, seed):
    path = tmp_path / "h.sqlite3"
    states = rated(path, seed)
    con = sqlite3.connect(str(path))
    rows = con.execute("SELECT card_id, due_us, last_us FROM card_state").fetchall()
    plan = " ".join(str(r) for r in con.execute(
        "EXPLAIN QUERY PLAN SELECT card_id, due_us, last_us, stability FROM card_state WHERE due < '9'"))
    con.close()
    assert len(rows) == len(states) > 20
    assert {cid: (d, last) for cid, d, last in rows} == {
        cid: (us(st.due), us(st.last_review)) for cid, st in states.items()}
    assert "card_state_due" in plan  # read from the study index
    far = T0 + timedelta(days=4000)
    with Store.open(path) as s:
        briefs = s.state_index().due_before(far)
    assert briefs == {cid: S.Brief(us(st.due), us(st.last_review), st.stability) for cid, st in states.items()}


def test_without_generated_columns_the_text_gives_the_same_briefs_and_queue(tmp_path, monkeypatch):
    """A file upgraded where SQLite has no generated columns (the step adds nothing) reads the
    text: the same briefs and the same study order as a file with the columns."""
    with_cols, without = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    states = rated(with_cols, 3)
    monkeypatch.setattr(schema_mod.sqlite3, "sqlite_version_info", (3, 30, 1))
    assert rated(without, 3) == states
    monkeypatch.undo()
    con = sqlite3.connect(str(without))
    columns = [r[1] for r in con.execute("PRAGMA table_xinfo(card_state)")]
    version = con.execute("PRAGMA user_version").fetchone()[0]
    con.close()
    assert "due_us" not in columns and version == SCHEMA_VERSION
    now = T0 + timedelta(days=60)
    cards = [Card(f"c{i}", "f", "b", "conv", "D") for i in range(45)]
    orders = []
    for path in (with_cols, without):
        with Store.open(path) as s:
            index = s.state_index()
            briefs = index.due_before(S.day_end(now))
            assert briefs == {cid: S.Brief(us(st.due), us(st.last_review), st.stability)
                              for cid, st in states.items() if st.due < S.day_end(now)}
            q = S.plan(cards, index.ids, now, random.Random(5), 20, 0, due=briefs)
            orders.append([c.id for c in iter(q.next, None)])
    assert orders[0] == orders[1] and len(orders[0]) > 10


# -- ranking in SQLite --------------------------------------------------------------------------

def big_history(path, cards: int, seed: int) -> dict[str, S.CardState]:
    """``cards`` cards, most rated two or three times over 60 days (some in the same second with the
    same rating, so their rows tie), a few never rated."""
    rng = random.Random(seed)
    with Store.open(path) as s:
        for i in range(cards):
            if i % 17 == 0:
                continue  # unseen
            cid = f"c{i}"
            t = T0 + (timedelta(days=rng.randrange(20)) if i % 5 else timedelta(0))  # every 5th: one twin group
            for _ in range(rng.choice([1, 2, 3]) if i % 5 else 2):
                rating = rng.choice([3, 4, 5]) if i % 5 else 4
                s.record(ReviewRecord(cid, "D", t, rating),
                         lambda cur, cid=cid, r=rating, t=t: S.review(cur, r, t, card_id=cid))
                t += timedelta(days=rng.choice([1, 2, 4])) if i % 5 else timedelta(days=2)
        return s.load_states()


def drain(q: S.StudyQueue) -> list[str]:
    return [c.id for c in iter(q.next, None)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_queue_ranked_in_sqlite_is_the_queue_ranked_from_every_state(tmp_path, monkeypatch, seed):
    """600 cards, ~70 due: SQLite ranks the first 20 (RANK_AHEAD made small so the rest are ranked
    later, mid-drain), and the whole order, ties included, equals plan() on every state loaded."""
    import cardcli.scheduler.queue as queue_mod

    path = tmp_path / "h.sqlite3"
    states = big_history(path, 600, seed)
    now = T0 + timedelta(days=30, hours=seed)
    cards = [Card(f"c{i}", "f", "b", "conv", "D", group=f"g{i % 9}") for i in range(600)]
    monkeypatch.setattr(queue_mod, "RANK_AHEAD", 20)
    full = S.plan(cards, states, now, random.Random(seed), 5, 0)
    with Store.open(path) as s:
        index = s.state_index()
        calls = []
        real = s.due_briefs
        monkeypatch.setattr(s, "due_briefs", lambda h: calls.append(h) or real(h))
        lazy = S.plan(cards, index.ids, now, random.Random(seed), 5, 0, due=index)
        assert calls == [] and lazy._rest > 0 and len(lazy.due) >= 20  # ranked in SQLite only
        assert lazy.due_count() == full.due_count() == len(full.due) > 40 and len(lazy) == len(full)
        first = sorted(lazy.due)
        assert first == sorted(full.due)[:len(first)]  # the same entries (recall from SQLite, exactly)
        assert drain(lazy) == drain(full)
        assert len(calls) == 1  # the rest ranked once, when the queue came near them


def test_sqlite_recall_is_the_schedulers_float(tmp_path):
    path = tmp_path / "h.sqlite3"
    states = big_history(path, 300, 7)
    now = T0 + timedelta(days=25, minutes=7, microseconds=3)
    decay, factor = S.memory._curve(None)
    with Store.open(path) as s:
        count, rows = s.due_ranking(S.day_end(now), S.micros(now), decay, factor, 10_000)
    due = {cid: st for cid, st in states.items() if st.due < S.day_end(now)}
    assert count == len(rows) == len(due) > 50
    for cid, r, d in rows:
        assert r == S.recall_forecast(due[cid], now) and d == us(due[cid].due)
    assert [(r, d) for _, r, d in rows] == sorted((r, d) for _, r, d in rows)


def test_a_selection_without_every_state_ranks_in_python(tmp_path):
    """--deck or --topic: some cards with a state are not in the selection, so SQLite's first rows
    could all be others; the queue is then ranked from the due briefs, and is still the full one."""
    path = tmp_path / "h.sqlite3"
    states = big_history(path, 300, 4)
    now = T0 + timedelta(days=30)
    cards = [Card(f"c{i}", "f", "b", "conv", "D") for i in range(0, 300, 2)]
    full = S.plan(cards, states, now, random.Random(1), 5, 0)
    with Store.open(path) as s:
        index = s.state_index()
        lazy = S.plan(cards, index.ids, now, random.Random(1), 5, 0, due=index)
        assert lazy._rest == 0 and lazy._more is None
        assert drain(lazy) == drain(full)


def test_a_card_first_rated_in_the_session_is_not_ranked_again_at_the_refill(tmp_path, monkeypatch):
    """The rest of the due cards are ranked mid-session, from the file as the session has written
    it: a card introduced (first rated) in the session is due again in minutes there, but it was
    not due when the queue was built, so it does not join the due cards (it would be shown twice)."""
    import cardcli.scheduler.queue as queue_mod

    path = tmp_path / "h.sqlite3"
    big_history(path, 400, 5)
    now = T0 + timedelta(days=30)
    cards = [Card(f"c{i}", "f", "b", "conv", "D") for i in range(400)]
    monkeypatch.setattr(queue_mod, "RANK_AHEAD", 20)
    with Store.open(path) as s:
        index = s.state_index()
        q = S.plan(cards, index.ids, now, random.Random(2), 5, 0, due=index)
        new_id = q.new[0].id
        st = S.review(None, 1, now, card_id=new_id)  # "not at all": back in minutes
        s.record(ReviewRecord(new_id, "D", now, 1), st)
        index[new_id] = st
        assert q._more is not None and S.day_end(now) > st.due
        order = drain(q)
    assert order.count(new_id) == 1 and len(order) == len(set(order))
