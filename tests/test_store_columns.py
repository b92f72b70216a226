"""Card state as columns (issue 16): the upgrade from the FSRS-JSON schema, states read on demand,
stats from SQL, and the cheap open of a big file as cardcli left it.

Expected values come from the pure scheduler (:func:`cardcli.scheduler.replay` of each card's log),
from the FSRS JSON itself (``fsrs.Card.from_json``) and from naive Python counts over the log.
"""

from __future__ import annotations

import calendar
import json
import os
import random
import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import fsrs
import pytest

import cardcli.store as store_mod
import cardcli.store.history as history_mod  # the submodules whose globals the tests patch
import cardcli.store.integrity as integrity_mod
from cardcli import scheduler as S
from cardcli.model import Card
from cardcli.stats import compute, day_bounds, due_bounds
from cardcli.store import MIGRATIONS, SCHEMA_VERSION, ReviewRecord, Store
from cardcli.studyday import StudyDay

UTC = timezone.utc
T0 = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
FIXTURES = Path(__file__).parent / "fixtures"
POLICIES = [None, S.Policy(desired_retention=0.95, maximum_interval=20)]


def us(when):
    """Whole microseconds since the epoch, by the calendar (not the code's own conversion)."""
    return None if when is None else calendar.timegm(when.utctimetuple()) * 10**6 + when.microsecond


def raw(path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    con = sqlite3.connect(str(path))
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def random_log(seed: int, cards: int = 30, ratings: int = 240) -> list[tuple[str, int, datetime, S.Policy | None, str]]:
    """(card id, rating, time, policy, kind) in time order: ratings over ~80 days, a few crams."""
    rng = random.Random(seed)
    t = T0
    log = []
    for _ in range(ratings):
        t += timedelta(minutes=rng.choice([1, 7, 30, 240, 1440, 4000]))
        kind = "cram" if rng.random() < 0.08 else "review"
        log.append((f"c{rng.randrange(cards)}", rng.randint(1, 5), t, rng.choice(POLICIES), kind))
    return log


def expected_states(log) -> dict[str, S.CardState]:
    """Each card's state as the pure scheduler gives it for its non-cram ratings."""
    steps: dict[str, list] = {}
    for cid, rating, at, policy, kind in log:
        if kind != "cram":
            steps.setdefault(cid, []).append((rating, at, policy))
    return {cid: S.replay(cid, s) for cid, s in steps.items()}


def v2_history(path: Path, log) -> None:
    """The log written the way schema v2 kept it: one FSRS JSON per card (``fsrs.Card.to_json``)."""
    con = sqlite3.connect(str(path), isolation_level=None)
    con.execute("BEGIN")
    for _name, step in MIGRATIONS[:2]:
        step(con)
    states: dict[str, S.CardState] = {}
    iso = lambda dt: dt.astimezone(UTC).isoformat(timespec="microseconds")  # noqa: E731
    for cid, rating, at, policy, kind in log:
        before = states.get(cid)
        con.execute("INSERT INTO reviews (card_id, reviewed_at, rating, deck, kind, state_before) "
                    "VALUES (?, ?, ?, 'D', ?, ?)",
                    (cid, iso(at), rating, kind, json.dumps(before.to_dict()) if before else None))
        if kind == "cram":
            continue
        st = states[cid] = S.review(before, rating, at, card_id=cid, policy=policy)
        con.execute(
            """INSERT OR REPLACE INTO card_state (card_id, fsrs, due, deck, last_rating, reps, lapses,
               first_review, last_review) VALUES (?, ?, ?, 'D', ?, ?, ?, ?, ?)""",
            (cid, st.memory.to_json(), iso(st.due), st.last_rating, st.reps, st.lapses,
             iso(st.first_review), iso(st.last_review)))
    con.execute("PRAGMA user_version = 2")
    con.execute("COMMIT")
    con.close()


def v3_history(path: Path, log) -> None:
    """The same log rated through the current write path (Store.record, state computed in the transaction)."""
    with Store.open(path) as s:
        for cid, rating, at, policy, kind in log:
            rec = ReviewRecord(cid, "D", at, rating, kind=kind, policy=policy)
            s.record(rec, None if kind == "cram" else
                     (lambda cur, cid=cid, r=rating, at=at, p=policy: S.review(cur, r, at, card_id=cid, policy=p)))


def drain(queue: S.StudyQueue) -> list[str]:
    out = []
    while (card := queue.next()) is not None:
        out.append(card.id)
    return out


# -- the upgrade -----------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [1, 2, 3])
def test_log_replayed_through_v2_and_v3_gives_every_card_the_same_schedule(tmp_path, seed):
    log = random_log(seed)
    expect = expected_states(log)
    old, new = tmp_path / "v2.sqlite3", tmp_path / "v3.sqlite3"
    v2_history(old, log)
    v3_history(new, log)
    with Store.open(old) as a, Store.open(new) as b:
        assert a.schema_version == b.schema_version == SCHEMA_VERSION
        migrated, fresh = a.load_states(), b.load_states()
        assert migrated == expect and fresh == expect  # state, step, stability, difficulty, due, last review
        for cid, st in expect.items():  # and field by field, exactly (floats and times round-trip)
            for got in (migrated[cid], fresh[cid]):
                assert (got.memory.state, got.memory.step, got.memory.stability, got.memory.difficulty,
                        got.due, got.last_review, got.reps, got.lapses, got.last_rating, got.first_review) == (
                    st.memory.state, st.memory.step, st.memory.stability, st.memory.difficulty,
                    st.due, st.last_review, st.reps, st.lapses, st.last_rating, st.first_review)
        assert a.rating_stats() and sorted(a.rating_stats()) == sorted(b.rating_stats())
        # the study order: from full states, and from the due index of either file
        cards = [Card(f"c{i}", "f", "b", "conv", "D") for i in range(35)]
        full = drain(S.plan(cards, expect, NOW, random.Random(7), 20, 0))
        for store in (a, b):
            index = store.state_index()
            lazy = S.plan(cards, index.ids, NOW, random.Random(7), 20, 0, due=index.due_before(S.day_end(NOW)))
            assert drain(lazy) == full


def test_v2_fixture_rows_become_columns_equal_to_their_json(tmp_path):
    p = tmp_path / "v2.sqlite3"
    con = sqlite3.connect(str(p))
    con.executescript((FIXTURES / "schema_v2.sql").read_text())
    old = {r[0]: r[1:] for r in con.execute(
        "SELECT card_id, fsrs, last_rating, reps, lapses, first_review FROM card_state")}
    ratings = con.execute("SELECT card_id, deck, rating FROM reviews").fetchall()
    con.close()
    with Store.open(p) as s:
        states = s.load_states()
        assert set(states) == set(old) == {"a1", "gone-card"}
        for cid, (memory, last_rating, reps, lapses, first) in old.items():
            card = fsrs.Card.from_json(memory)
            st = states[cid]
            assert st.memory == card and (st.last_rating, st.reps, st.lapses) == (last_rating, reps, lapses)
            assert st.first_review == datetime.fromisoformat(first)
        naive: dict[tuple[str, str], list[int]] = {}
        for cid, deck, rating in ratings:
            acc = naive.setdefault((cid, deck), [0, 0])
            acc[0] += 1
            acc[1] += rating >= 3  # recalled: 3-5
        assert sorted(s.rating_stats()) == sorted((c, d, n, g) for (c, d), (n, g) in naive.items())
    cols = [r[1] for r in raw(p, "PRAGMA table_info(card_state)")]
    assert "fsrs" not in cols and {"state", "step", "stability", "difficulty", "due", "last_review"} <= set(cols)
    # times are kept in one canonical UTC text, so they sort (and compare in SQL) as times
    assert raw(p, "SELECT due, last_review FROM card_state WHERE card_id = 'a1'") == [
        ("2026-10-13T09:10:00.000000+00:00", "2026-10-01T09:10:00.000000+00:00")]
    names = {r[0] for r in raw(p, "SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"card_state_due", "card_state_first", "reviews_mistake"} <= names


def test_v1_file_is_upgraded_through_every_step(tmp_path):
    p = tmp_path / "v1.sqlite3"
    con = sqlite3.connect(str(p))
    con.executescript((FIXTURES / "schema_v1.sql").read_text())
    json_a1 = con.execute("SELECT fsrs FROM card_state WHERE card_id = 'a1'").fetchone()[0]
    con.close()
    with Store.open(p) as s:
        assert s.schema_version == SCHEMA_VERSION
        assert s.load_state("a1").memory == fsrs.Card.from_json(json_a1)
        assert sorted(s.rating_stats()) == [("a1", "", 2, 2), ("gone-card", "", 1, 0)]


def test_bad_values_cannot_be_written_to_the_columns(tmp_path):
    p = tmp_path / "h.sqlite3"
    Store.open(p).close()
    con = sqlite3.connect(str(p))
    good = "'2026-10-13T09:10:00.000000+00:00'"
    for values in (f"'x', 'D', 7, NULL, 1.0, 5.0, {good}, NULL",          # no such FSRS state
                   "'x', 'D', 2, NULL, 1.0, 5.0, '2026-10-13 09:10', NULL",  # not the canonical time
                   f"'x', 'D', 2, NULL, -1.0, 5.0, {good}, NULL",         # negative stability
                   f"'x', 'D', 2, NULL, 'abc', 5.0, {good}, NULL"):       # STRICT: not a number
        with pytest.raises(sqlite3.IntegrityError):
            con.execute(f"INSERT INTO card_state (card_id, deck, state, step, stability, difficulty, due, "
                        f"last_review) VALUES ({values})")
    con.close()


# -- a killed upgrade ------------------------------------------------------------------------

KILLER = textwrap.dedent("""
    import os, sys
    import cardcli.store as store
    import cardcli.store.schema as schema
    schema.MIGRATION_BATCH = 7
    real, calls = schema._migrated_row, [0]
    def row(r):
        calls[0] += 1
        if calls[0] == 20:  # some batches written, the old table not yet dropped
            os._exit(9)     # killed: no rollback, no close, nothing flushed by Python
        return real(r)
    schema._migrated_row = row
    store.Store.open(sys.argv[1])
""")


def test_upgrade_killed_halfway_leaves_v2_and_the_next_open_finishes_it(tmp_path):
    log = random_log(5, cards=40, ratings=400)
    p = tmp_path / "v2.sqlite3"
    v2_history(p, log)
    r = subprocess.run([sys.executable, "-c", KILLER, str(p)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 9, r.stderr
    # what is on disk (with whatever the killed process left in the WAL) is still the v2 history
    assert raw(p, "PRAGMA user_version") == [(2,)]
    assert "fsrs" in [c[1] for c in raw(p, "PRAGMA table_info(card_state)")]
    assert raw(p, "SELECT name FROM sqlite_master WHERE name = 'card_state_new'") == []
    with Store.open(p) as s:
        assert s.schema_version == SCHEMA_VERSION
        assert s.load_states() == expected_states(log)
        assert s.review_count() == len(log)


# -- states on demand ------------------------------------------------------------------------

def test_state_index_reads_only_ids_until_a_state_is_asked_for(tmp_path):
    log = random_log(9)
    p = tmp_path / "h.sqlite3"
    v3_history(p, log)
    expect = expected_states(log)
    with Store.open(p) as s:
        seen: list[str] = []
        s._con.set_trace_callback(seen.append)
        index = s.state_index()
        assert seen == ["SELECT json_group_array(card_id) FROM card_state"]  # one row: the ids as a JSON array
        assert set(index) == set(expect) and len(index) == len(expect) and "c3" in index and "zz" not in index
        one = next(iter(sorted(expect)))
        assert index[one] == expect[one] and index.get("zz") is None
        briefs = index.due_before(S.day_end(NOW))
        assert briefs == {cid: S.Brief(us(st.due), us(st.last_review), st.stability)
                          for cid, st in expect.items() if st.due < S.day_end(NOW)}
        assert {cid: (b.due, b.last_review) for cid, b in briefs.items()} == {
            cid: (st.due, st.last_review) for cid, st in expect.items() if st.due < S.day_end(NOW)}
        s._con.set_trace_callback(None)
        # a state set by the session wins over the file, in the ranking and in the end figures
        moved = S.review(expect[one], 5, NOW, policy=None)
        index[one] = moved
        assert index[one] == moved and (one in index.due_before(S.day_end(NOW))) == (moved.due < S.day_end(NOW))


@pytest.mark.parametrize("now", [NOW, NOW + timedelta(days=3, hours=23, minutes=59)])
def test_due_summary_matches_the_per_card_count(tmp_path, now):
    """What the session prints at the end (still due, next due) from the index equals the loop over states."""
    log = random_log(11, cards=60, ratings=500)
    p = tmp_path / "h.sqlite3"
    v3_history(p, log)
    expect = expected_states(log)
    pool = [f"c{i}" for i in range(0, 70, 2)]  # a selection: half the cards, some never rated
    due_now = {c for c in pool if c in expect and expect[c].due <= now}
    later = [expect[c].due for c in pool if c in expect and expect[c].due > now]
    with Store.open(p) as s:
        index = s.state_index()
        index.due_before(S.day_end(NOW))  # loaded at the start of the session; `now` may be past it
        assert index.due_summary(set(pool), now) == (due_now, min(later) if later else None)


@pytest.mark.parametrize("exam_in", [None, 3])
def test_both_card_state_paths_give_the_same_answers(tmp_path, exam_in):
    """The one interface (CardStates): the on-demand index and the loaded states agree with a
    naive loop over the expected states, with and without an exam moving the due times."""
    from cardcli.scheduler.states import CardStates

    log = random_log(17, cards=60, ratings=500)
    p = tmp_path / "h.sqlite3"
    v3_history(p, log)
    expect = expected_states(log)
    now = log[-1][2] + timedelta(days=30)
    policy = S.policy_for(now, None if exam_in is None else (now + timedelta(days=exam_in)).date())
    pool = {f"c{i}" for i in range(70)}  # some never rated

    def naive(pol):
        dues = {c: S.effective_due(expect[c], pol) for c in pool if c in expect}
        later = [d for d in dues.values() if d > now]
        return {c for c, d in dues.items() if d <= now}, min(later, default=None), min(dues.values())

    expected = naive(policy)
    if exam_in is not None:
        assert expected != naive(S.policy_for(now, None))  # the exam moves due times: the case is real
    with Store.open(p) as s:
        for states in (s.card_states(on_demand=True), s.card_states(on_demand=False)):
            assert isinstance(states, CardStates)
            assert set(states.ids) == set(expect)
            states.due_before(S.day_end(now))
            assert states.due_summary(pool, now, policy) == expected[:2]
            assert states.earliest_due(pool, policy) == expected[2]


def test_stats_from_sql_equal_stats_from_every_state(tmp_path):
    log = random_log(13, cards=50, ratings=600)
    p = tmp_path / "h.sqlite3"
    v3_history(p, log)
    cards = [Card(f"c{i}", "f", "b", ["conv", "rnn", "loss"][i % 3], ["D", "E"][i % 2]) for i in range(45)]
    with Store.open(p) as s:
        last = log[-1][2]
        rid = s.record(ReviewRecord("c1", "D", last, 4), lambda cur: S.review(cur, 4, last, card_id="c1"))
        s.undo(rid)  # the totals follow deletions too
        states = s.load_states()
        counts = s.rating_stats()
        naive: dict[tuple[str, str], list[int]] = {}
        for r in s.reviews():
            acc = naive.setdefault((r.card_id, r.deck), [0, 0])
            acc[0] += 1
            acc[1] += r.rating >= 3  # recalled: 3-5
        assert sorted(counts) == sorted((c, d, n, g) for (c, d), (n, g) in naive.items())
        for now in (last + timedelta(days=2), last + timedelta(days=9)):
            for day in (StudyDay(), StudyDay(zone=ZoneInfo("America/Los_Angeles"), starts=4)):
                stages = s.stage_rows(due_bounds(now, day), S.MASTERED_STABILITY_DAYS)
                a = compute(cards, states, counts, {}, now, day=day)
                b = compute(cards, {}, counts, {}, now, day=day, stages=stages)
                assert a.as_json() == b.as_json()
                today = day.date_of(now)
                assert a.total.due == sum(1 for c in cards if c.id in states and day.date_of(states[c.id].due) <= today)
                assert a.total.due > 0 and sum(n for _, n in a.forecast) > a.total.due


def test_reviews_per_study_day_counted_in_sql_equal_the_naive_count(tmp_path):
    log = random_log(17, cards=20, ratings=400)
    p = tmp_path / "h.sqlite3"
    v3_history(p, log)
    now = log[-1][2] + timedelta(hours=3)
    for day in (StudyDay(), StudyDay(zone=ZoneInfo("Asia/Kolkata"), starts=4)):
        days, end = day_bounds(now, day, 28)
        with Store.open(p) as s:
            got = s.reviews_per_day(days, end)
        naive: dict = {}
        first = days[0][0]
        for _cid, _r, at, _p, _k in log:
            d = day.date_of(at)
            if first <= d <= day.date_of(now):
                naive[d] = naive.get(d, 0) + 1
        assert got == naive and sum(got.values()) > 20


# -- opening a big file cheaply --------------------------------------------------------------

def _statements(monkeypatch) -> list[str]:
    seen: list[str] = []
    real = history_mod._connect

    def connect(path):
        con = real(path)
        con.set_trace_callback(seen.append)
        return con

    monkeypatch.setattr(history_mod, "_connect", connect)
    return seen


def test_full_check_skipped_only_for_the_file_as_cardcli_left_it(tmp_path, monkeypatch):
    monkeypatch.setattr(integrity_mod, "FULL_CHECK_BELOW", 0)  # every file counts as big here
    p = tmp_path / "h.sqlite3"
    v3_history(p, random_log(3))
    side = p.with_name(p.name + ".verified")
    assert side.is_file()
    seen = _statements(monkeypatch)
    Store.open(p).close()
    assert "PRAGMA quick_check" not in seen  # as cardcli left it: the header checks only
    # another program writes to it: the full check runs again (and the file is fine)
    con = sqlite3.connect(str(p))
    con.execute("UPDATE reviews SET duration_ms = 5 WHERE id = 1")
    con.commit()
    con.close()
    seen.clear()
    Store.open(p).close()
    assert "PRAGMA quick_check" in seen
    seen.clear()
    Store.open(p).close()
    assert "PRAGMA quick_check" not in seen


def test_truncated_big_file_is_caught_by_the_size_check(tmp_path, monkeypatch):
    monkeypatch.setattr(integrity_mod, "FULL_CHECK_BELOW", 0)
    p = tmp_path / "h.sqlite3"
    v3_history(p, random_log(4, ratings=600))
    os.truncate(p, p.stat().st_size - 1000)
    before = p.read_bytes()
    with pytest.raises(store_mod.StoreError, match="damaged"):
        Store.open(p)
    assert p.read_bytes() == before


def test_header_page_count_is_checked_even_when_the_sidecar_matches(tmp_path, monkeypatch):
    monkeypatch.setattr(integrity_mod, "FULL_CHECK_BELOW", 0)
    p = tmp_path / "h.sqlite3"
    v3_history(p, random_log(4))
    st = p.stat()
    assert not integrity_mod._needs_full_check(p)
    data = bytearray(p.read_bytes())
    pages = int.from_bytes(data[28:32], "big")
    data[28:32] = (pages + 1).to_bytes(4, "big")  # header says one page more than the file has
    p.write_bytes(bytes(data))
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, mtime and inode as recorded
    assert integrity_mod._needs_full_check(p)


def test_session_killed_before_close_gets_the_full_check_next_time(tmp_path, monkeypatch):
    monkeypatch.setattr(integrity_mod, "FULL_CHECK_BELOW", 0)
    p = tmp_path / "h.sqlite3"
    v3_history(p, random_log(6))
    code = textwrap.dedent(f"""
        import os
        from datetime import datetime, timezone
        import cardcli.store as store
        import cardcli.store.integrity as integrity
        from cardcli import scheduler as S
        integrity.FULL_CHECK_BELOW = 0
        s = store.Store.open({str(p)!r})
        now = datetime(2026, 11, 22, tzinfo=timezone.utc)
        s.record(store.ReviewRecord("c1", "D", now, 4), lambda cur: S.review(cur, 4, now, card_id="c1"))
        os._exit(0)  # no close: nothing says the file is as cardcli left it
    """)
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    assert integrity_mod._needs_full_check(p)
    seen = _statements(monkeypatch)
    with Store.open(p) as s:
        assert s.load_state("c1").reps >= 1
    assert "PRAGMA quick_check" in seen


def test_small_files_always_get_the_full_check_and_no_sidecar(tmp_path, monkeypatch):
    (tmp_path / "small").mkdir()
    p = tmp_path / "small" / "h.sqlite3"
    v3_history(p, random_log(3))
    assert p.stat().st_size < store_mod.FULL_CHECK_BELOW
    assert sorted(x.name for x in p.parent.iterdir()) == ["h.sqlite3"]
    seen = _statements(monkeypatch)
    Store.open(p).close()
    assert "PRAGMA quick_check" in seen



# -- the study session on the index ----------------------------------------------------------

def _ticking(start: datetime):
    t = [start]

    def now() -> datetime:
        t[0] += timedelta(seconds=5)
        return t[0]

    return now


@pytest.mark.parametrize("days_later", [2, -400])  # cards due (a session), then nothing due (why empty)
def test_a_session_on_the_index_is_the_session_on_every_state(tmp_path, days_later):
    """The same keys on two copies of one history: states read on demand or all loaded give the
    same screen (cards, previews, 'Still due now', 'Next due', why a queue is empty) and the same file."""
    from io import StringIO

    from rich.console import Console

    from cardcli.session import Session
    from cardcli.terminal import ScriptedKeys

    log = random_log(21, cards=30, ratings=300)
    a, b = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    v3_history(a, log)
    b.write_bytes(a.read_bytes())
    now = log[-1][2] + timedelta(days=days_later) if days_later > 0 else log[0][2] - timedelta(days=1)
    rated = expected_states(log)
    n = 36 if days_later > 0 else 30  # with nothing due: only seen cards, so the reason is "nothing due"
    cards = [Card(f"c{i}", f"Front {i}", "Back", "conv", "D") for i in range(n) if days_later > 0 or f"c{i}" in rated]
    keys = ["", "3", "", "1", "u", "", "4", "", "5", "s", "", "2", "", "4", "", "1"] * 3
    runs = []
    for path, lazy in ((a, False), (b, True)):
        with Store.open(path) as s:
            if lazy:
                states = s.state_index()
                queue = S.plan(cards, states.ids, now, random.Random(3), 0, 0, due=states.due_before(S.day_end(now)))
            else:
                states = s.load_states()
                queue = S.plan(cards, states, now, random.Random(3), 0, 0)
            console = Console(file=StringIO(), width=100, color_system=None)
            Session(queue, s, console, ScriptedKeys(keys), states, cards, limit=40, rng=random.Random(4),
                    clock=_ticking(now)).run()
            rows = [(r.card_id, r.rating, r.reviewed_at) for r in s.reviews()]
            runs.append((console.file.getvalue(), rows, s.load_states()))
    assert runs[0] == runs[1]
    text = runs[0][0]
    if days_later > 0:
        assert "Recorded" in text and ("Still due now" in text or "Next due" in text)
    else:
        assert "Nothing more due today: the next card is due" in text and "Every card of this selection" in text


def test_earliest_due_is_the_minimum_over_the_selection(tmp_path):
    log = random_log(23, cards=40, ratings=300)
    p = tmp_path / "h.sqlite3"
    v3_history(p, log)
    expect = expected_states(log)
    with Store.open(p) as s:
        index = s.state_index()
        for ids in ({"c1", "c2", "c3"}, {f"c{i}" for i in range(0, 40, 3)}, {"nope"}, set(expect)):
            dues = [expect[c].due for c in ids if c in expect]
            assert index.earliest_due(ids) == (min(dues) if dues else None)
        moved = S.review(expect["c1"], 1, log[0][2] - timedelta(days=30))  # set by a session: wins
        index["c1"] = moved
        assert index.earliest_due({"c1", "c2"}) == moved.due
