"""One meaning of "recalled": ratings 3-5 (the scheduler's), in stats retention, also for an old history."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

from cardcli import scheduler as S
from cardcli import store as store_mod
from cardcli.store import SCHEMA_VERSION, Store

UTC = timezone.utc
T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
RATINGS = [1, 2, 3, 3, 4, 5]  # recalled by the scheduler: 3, 3, 4, 5 -> 4 of 6


def test_the_scheduler_counts_three_as_recalled():
    assert S.RECALLED_MIN == 3
    assert S.RATING_MAP[3] is not S.RATING_MAP[1]  # 3 is Hard, a success for FSRS, not Again


def test_old_history_counted_four_and_five_only_and_is_migrated(tmp_path):
    p = tmp_path / "old.sqlite3"
    # the schema just before the 'recalled' migration (later ones may follow it)
    at = next(i for i, (name, _) in enumerate(store_mod.MIGRATIONS) if "3-5 as recalled" in name)
    con = sqlite3.connect(str(p), isolation_level=None)
    for _name, step in store_mod.MIGRATIONS[:at]:
        step(con)
    con.execute(f"PRAGMA user_version = {at}")
    for i, r in enumerate(RATINGS):
        con.execute("INSERT INTO reviews (card_id, deck, reviewed_at, rating, kind) VALUES ('a', 'D', ?, ?, 'review')",
                    ((T0 + timedelta(minutes=i)).isoformat(), r))
    assert con.execute("SELECT n, good FROM review_totals").fetchall() == [(6, 2)]  # the old meaning: 4-5
    con.close()
    with Store.open(p) as s:
        assert s.schema_version == SCHEMA_VERSION
        assert s.rating_stats() == [("a", "D", 6, 4)]
        s.undo(s.reviews()[2].id)  # a 3 taken back: the trigger counts it as recalled too
        assert s.rating_stats() == [("a", "D", 5, 3)]
