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
