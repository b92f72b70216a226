"""The store's additions for exam week: the settings table (migration), quiz figures, review times."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

from cardcli import scheduler as S
from cardcli import store as store_mod
from cardcli.store import SCHEMA_VERSION, ReviewRecord, Store

UTC = timezone.utc
T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
SETTINGS_MIGRATION = "settings (remembered exam date) and a kind index for quiz figures"


def _db_before_settings(path):
    """A history file at the schema version just before the settings migration, with one review."""
    idx = [name for name, _ in store_mod.MIGRATIONS].index(SETTINGS_MIGRATION)
    con = sqlite3.connect(str(path), isolation_level=None)
    for _name, step in store_mod.MIGRATIONS[:idx]:
        step(con)
    con.execute(f"PRAGMA user_version = {idx}")
    con.execute("INSERT INTO reviews (card_id, reviewed_at, rating, kind) VALUES ('a', ?, 4, 'review')",
                (T0.isoformat(),))
    con.close()
    return idx


def test_migration_adds_settings_and_keeps_the_log(tmp_path):
    p = tmp_path / "old.sqlite3"
    before = _db_before_settings(p)
    assert before < SCHEMA_VERSION
    with Store.open(p) as s:
        assert s.schema_version == SCHEMA_VERSION
        assert [(r.card_id, r.rating) for r in s.reviews()] == [("a", 4)]
        assert s.get_setting("exam_date") is None
        s.set_settings({"exam_date": "2026-11-28", "exam_name": "Midterm 2"})
    with Store.open(p) as s:  # remembered across opens
        assert s.get_setting("exam_date") == "2026-11-28"
        assert s.get_setting("exam_name") == "Midterm 2"
        s.set_settings({"exam_date": "2026-12-01", "exam_name": None})
        assert (s.get_setting("exam_date"), s.get_setting("exam_name")) == ("2026-12-01", None)


def test_quiz_counts_only_count_quiz_rows(tmp_path):
    with Store.open(tmp_path / "h.sqlite3") as s:
        st = S.review(None, 4, T0, card_id="gen:pool-forward:d1")
        s.record(ReviewRecord("gen:pool-forward:d1", "generated", T0, 4, correct=True, kind="quiz"), st)
        s.record(ReviewRecord("gen:pool-forward:d1", "generated", T0, 1, correct=False, kind="quiz"), st)
        s.record(ReviewRecord("gen:pool-forward:d1", "generated", T0, 1, correct=False, kind="review"), st)
        s.record(ReviewRecord("gen:conv-forward:d2", "generated", T0, 4, correct=True, kind="quiz"), st)
        assert sorted(s.quiz_counts()) == [("gen:conv-forward:d2", 1, 1), ("gen:pool-forward:d1", 2, 1)]
