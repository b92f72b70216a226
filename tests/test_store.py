"""Store: schema, round trips, undo, migration from v1, corrupt files, the cram rule in a session."""

from __future__ import annotations

import io
import random
import sqlite3
import sys
import types
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import fsrs
import pytest
from rich.console import Console

from cardcli import scheduler as S
from cardcli.model import Card, CardType
from cardcli.session import Session
from cardcli.store import MIGRATIONS, SCHEMA_VERSION, ReviewRecord, Store, StoreError
from cardcli.terminal import ScriptedKeys

UTC = timezone.utc
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def db(tmp_path):
    with Store.open(tmp_path / "h.sqlite3") as s:
        yield s


def raw(path: Path, sql: str) -> list[tuple]:
    con = sqlite3.connect(str(path))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_fresh_db_is_current_wal_and_strict(tmp_path):
    p = tmp_path / "h.sqlite3"
    Store.open(p).close()
    assert raw(p, "PRAGMA user_version") == [(SCHEMA_VERSION,)] and SCHEMA_VERSION == len(MIGRATIONS)
    assert raw(p, "PRAGMA application_id") == [(int.from_bytes(b"card", "big"),)]
    assert raw(p, "PRAGMA journal_mode") == [("wal",)]
    tables = dict(raw(p, "SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
    assert {"reviews", "card_state", "memory_model", "settings", "mock_exams", "review_totals"} <= set(tables)
    assert all(sql.rstrip().endswith("STRICT") for sql in tables.values())
    Store.open(p).close()  # reopening is a no-op
    assert raw(p, "SELECT count(*) FROM reviews") == [(0,)]


def test_default_path_is_in_cardcli_home(cardcli_home):
    Store.open().close()
    assert (cardcli_home / "cardcli.sqlite3").is_file()


def test_record_and_load_round_trip(db):
    st = S.review(None, 4, T0, card_id="a")
    rid = db.record(ReviewRecord("a", "D", T0, 4, duration_ms=1234, correct=True, problem_seed=7,
                                 problem_params={"k": [1, 2]}), st)
    assert db.load_states() == {"a": st}
    assert db.load_state("a") == st and db.load_state("zz") is None
    [rec] = db.reviews()
    assert (rec.id, rec.card_id, rec.deck, rec.reviewed_at, rec.rating, rec.duration_ms, rec.correct,
            rec.problem_seed, rec.problem_params, rec.kind, rec.state_before) == (
        rid, "a", "D", T0, 4, 1234, True, 7, {"k": [1, 2]}, "review", None)
    assert db.review_count() == 1
    assert db.new_seen_since(T0) == 1 and db.new_seen_since(T0 + timedelta(seconds=1)) == 0


def test_load_states_is_one_query(db):
    for i in range(50):
        db.record(ReviewRecord(f"c{i}", "D", T0, 3), S.review(None, 3, T0, card_id=f"c{i}"))
    seen: list[str] = []
    db._con.set_trace_callback(seen.append)
    states = db.load_states()
    db._con.set_trace_callback(None)
    assert len(states) == 50
    assert len([s for s in seen if s.lstrip().upper().startswith("SELECT")]) == 1


def test_undo_removes_exactly_the_last_rating_and_restores_state(db):
    s1 = S.review(None, 4, T0, card_id="a")
    r1 = db.record(ReviewRecord("a", "D", T0, 4, state_before=None), s1)
    db.record(ReviewRecord("b", "D", T0, 5), S.review(None, 5, T0, card_id="b"))
    t2 = T0 + timedelta(minutes=10)
    s2 = S.review(s1, 1, t2)
    r3 = db.record(ReviewRecord("a", "D", t2, 1, state_before=s1), s2)
    assert db.load_state("a") == s2
    rec = db.undo(r3)
    assert rec is not None and rec.rating == 1
    assert [(r.id, r.card_id, r.rating) for r in db.reviews()] == [(r1, "a", 4), (r1 + 1, "b", 5)]
    assert db.load_state("a") == s1
    db.undo(r1)  # first review of a new card: the state row goes away
    assert db.load_state("a") is None and "b" in db.load_states()
    assert db.undo(r1) is None


def test_cram_record_leaves_state_alone(db):
    st = S.review(None, 4, T0, card_id="a")
    db.record(ReviewRecord("a", "D", T0, 4), st)
    rid = db.record(ReviewRecord("a", "D", T0, 1, kind="cram", state_before=st), None)
    assert db.load_state("a") == st
    db.undo(rid)
    assert db.load_state("a") == st and db.review_count() == 1


def _v1(tmp_path: Path) -> Path:
    p = tmp_path / "old.sqlite3"
    con = sqlite3.connect(str(p))
    con.executescript((FIXTURES / "schema_v1.sql").read_text())
    con.close()
    assert raw(p, "PRAGMA user_version") == [(1,)]
    return p


def test_migration_from_v1_keeps_every_row(tmp_path):
    p = _v1(tmp_path)
    with Store.open(p) as s:
        assert s.schema_version == SCHEMA_VERSION
        recs = s.reviews()
        assert [(r.id, r.card_id, r.rating, r.kind, r.deck, r.duration_ms) for r in recs] == [
            (1, "a1", 4, "review", "", None), (2, "a1", 5, "review", "", None), (3, "gone-card", 2, "review", "", None)]
        states = s.load_states()
        assert set(states) == {"a1", "gone-card"}
        a1 = states["a1"]
        # counters derived from the v1 log
        assert (a1.reps, a1.last_rating, a1.first_review) == (2, 5, datetime(2026, 10, 1, 9, 0, tzinfo=UTC))
        assert a1.stability == 12.5 and a1.memory.state is fsrs.State.Review
        # and the migrated file takes new ratings with the new columns
        s.record(ReviewRecord("a1", "D", T0, 3, duration_ms=5), S.review(a1, 3, T0))
    assert raw(p, "SELECT count(*) FROM reviews") == [(4,)]
    cols = [r[1] for r in raw(p, "PRAGMA table_info(reviews)")]
    assert cols[:12] == ["id", "card_id", "reviewed_at", "rating", "deck", "duration_ms", "correct",
                         "problem_seed", "problem_params", "kind", "state_before", "mistake"]
    assert "policy" in cols and raw(p, "PRAGMA application_id") == [(int.from_bytes(b"card", "big"),)]


def test_migration_from_v2_adds_the_mistake_column_and_keeps_every_row(tmp_path):
    p = tmp_path / "v2.sqlite3"
    con = sqlite3.connect(str(p))
    con.executescript((FIXTURES / "schema_v2.sql").read_text())
    con.close()
    assert raw(p, "PRAGMA user_version") == [(2,)]
    assert "mistake" not in [r[1] for r in raw(p, "PRAGMA table_info(reviews)")]
    with Store.open(p) as s:
        assert s.schema_version == SCHEMA_VERSION
        recs = s.reviews()
        assert [(r.id, r.card_id, r.kind, r.correct, r.problem_seed, r.mistake) for r in recs] == [
            (1, "a1", "review", None, None, None), (2, "a1", "review", None, None, None),
            (3, "gone-card", "review", None, None, None),
            (4, "gen:conv-output-size:d2", "review", False, 17, None), (5, "a1", "cram", True, None, None)]
        assert recs[3].problem_params == {"input_size": 32, "kernel_size": 3, "stride": 1, "padding": 1,
                                          "dilation": 1}
        assert s.mistake_counts() == []
        st = s.load_state("a1")
        s.record(ReviewRecord("gen:conv-output-size:d2", "generated", T0, 1, correct=False,
                              mistake="padding-ignored"), None)
        s.record(ReviewRecord("gen:conv-output-size:d2", "generated", T0, 2, correct=False,
                              mistake="padding-ignored"), None)
        rid = s.record(ReviewRecord("gen:conv-output-size:d2", "generated", T0, 2, correct=False,
                                    mistake="padding-once,no-plus-one"), None)
        assert s.reviews()[-1].mistake == "padding-once,no-plus-one"
        assert sorted(s.mistake_counts()) == [
            ("gen:conv-output-size:d2", "generated", "padding-ignored", 2),
            ("gen:conv-output-size:d2", "generated", "padding-once,no-plus-one", 1)]
        assert s.undo(rid).mistake == "padding-once,no-plus-one"
        assert s.load_state("a1") == st
    assert raw(p, "SELECT mistake FROM reviews ORDER BY id") == [(None,)] * 5 + [("padding-ignored",)] * 2


def test_fresh_and_migrated_schemas_match(tmp_path):
    fresh = tmp_path / "fresh.sqlite3"
    Store.open(fresh).close()
    old = _v1(tmp_path)
    Store.open(old).close()
    def shape(p: Path) -> list:
        names = [r[0] for r in raw(p, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return [(t, raw(p, f"PRAGMA table_info({t})"), raw(p, f"PRAGMA index_list({t})")) for t in names]

    assert shape(fresh) == shape(old)
    assert raw(fresh, "PRAGMA user_version") == raw(old, "PRAGMA user_version")


def test_corrupt_file_is_reported_and_left_alone(tmp_path):
    (tmp_path / "c").mkdir()
    p = tmp_path / "c" / "h.sqlite3"
    garbage = b"this is not sqlite at all\x00\x01\x02" * 100
    p.write_bytes(garbage)
    with pytest.raises(StoreError) as e:
        Store.open(p)
    msg = str(e.value)
    assert str(p) in msg and "move it aside" in msg and "\n" not in msg
    assert p.read_bytes() == garbage
    assert sorted(x.name for x in p.parent.iterdir()) == ["h.sqlite3"]


def test_newer_schema_is_refused(tmp_path):
    p = tmp_path / "h.sqlite3"
    con = sqlite3.connect(str(p))
    con.execute("PRAGMA user_version = 99")
    con.execute(f"PRAGMA application_id = {int.from_bytes(b'card', 'big')}")  # what a newer cardcli writes
    con.close()
    with pytest.raises(StoreError, match="upgrade cardcli"):
        Store.open(p)


def test_locked_database_gives_one_line_error(tmp_path, monkeypatch):
    import cardcli.store.history as store_mod  # where BUSY_TIMEOUT_MS is looked up

    monkeypatch.setattr(store_mod, "BUSY_TIMEOUT_MS", 50)
    p = tmp_path / "h.sqlite3"
    with Store.open(p) as s:
        holder = sqlite3.connect(str(p), isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(StoreError, match="locked by another program"):
                s.record(ReviewRecord("a", "D", T0, 3), S.review(None, 3, T0, card_id="a"))
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert s.review_count() == 0


def test_two_connections_interleave_without_loss(tmp_path):
    p = tmp_path / "h.sqlite3"
    a, b = Store.open(p), Store.open(p)
    for i in range(20):
        (a if i % 2 else b).record(ReviewRecord(f"c{i}", "D", T0, 3), S.review(None, 3, T0, card_id=f"c{i}"))
    assert a.review_count() == b.review_count() == 20 and len(b.load_states()) == 20
    a.close(), b.close()


def test_history_survives_cards_leaving_the_decks(db):
    st = S.review(S.review(None, 4, T0, card_id="x"), 4, T0 + timedelta(minutes=10))
    db.record(ReviewRecord("x", "D", T0, 4), st)
    later = st.due + timedelta(hours=1)
    # the deck no longer has x: nothing of x is planned, and nothing is deleted
    q = S.plan([Card("y", "f", "b", "conv", "D")], db.load_states(), later, random.Random(0), 20, 0)
    assert [q.next().id, q.next()] == ["y", None]
    assert db.load_state("x") == st
    # x is back: it resumes as a due review card, not as a new one
    q = S.plan([Card("x", "f", "b", "conv", "D")], db.load_states(), later, random.Random(0), 0, 0)
    assert q.next().id == "x"


# -- the session against a real store (keys scripted, clock injected) ------------------------

def _clock(start: datetime = T0, step: timedelta = timedelta(seconds=3)):
    t = [start]

    def now() -> datetime:
        t[0] += step
        return t[0]

    return now


def _session(store, cards, keys, states=None, cram=False, rng=None):
    states = store.load_states() if states is None else states
    q = S.plan(cards, states, T0, rng or random.Random(0), 20, 0, cram=cram)
    console = Console(file=io.StringIO(), width=80, color_system=None)
    s = Session(q, store, console, ScriptedKeys(keys), states, cards, cram=cram, rng=rng or random.Random(0),
                clock=_clock())
    return s, console


CARDS = [Card("a", "Front A", "Back A", "conv", "D"), Card("b", "Front B", "Back B", "conv", "D"),
         Card("c", "Front C", "Back C", "conv", "D")]


def test_session_writes_ratings_with_durations(db):
    s, console = _session(db, CARDS, ["", "5", "", "1", "", "3"])
    summary = s.run()
    rows = [(r.card_id, r.rating, r.duration_ms) for r in db.reviews()]
    # clock ticks 3 s per call: shown, preview, rated -> 6000 ms between showing and rating
    assert rows == [("a", 5, 6000), ("b", 1, 6000), ("c", 3, 6000)]
    assert summary.reviews == 3 and summary.ratings == {1: 1, 2: 0, 3: 1, 4: 0, 5: 1} and summary.seen == 3
    text = console.file.getvalue()
    assert "How well did you know this?" in text and "1: 1 min  2: 1 min  3: 6 min  4: 10 min  5: 8 d" in text
    assert "Session over: 3 cards, 3 ratings" in text


def test_session_undo_and_skip(db):
    # rate a 5, undo (at b's front), a again: reveal, rate 2; b skip; c rate 4; quit
    s, _ = _session(db, CARDS, ["", "5", "u", "", "2", "s", "", "4", "q"])
    summary = s.run()
    assert [(r.card_id, r.rating) for r in db.reviews()] == [("a", 2), ("c", 4)]
    assert summary.undone == 1 and summary.skipped == 1 and summary.reviews == 2
    assert db.load_state("a").reps == 1 and db.load_state("b") is None


def test_cram_session_leaves_card_state_unchanged(db):
    t = T0 - timedelta(days=3)
    for c in CARDS:
        db.record(ReviewRecord(c.id, "D", t, 4), S.review(S.review(None, 5, t, card_id=c.id), 4, t))
    before = db.load_states()
    s, _ = _session(db, CARDS, ["", "1", "", "5", "", "3", "", "4"], cram=True)
    s.run()
    assert db.load_states() == before
    cram = [r for r in db.reviews() if r.kind == "cram"]
    assert len(cram) == 4 and [r.rating for r in cram] == [1, 5, 3, 4]


@dataclass
class FakeGrade:
    correct: bool
    detail: str = ""


def test_wrong_graded_answer_caps_rating_at_two(db):
    tf = Card("t", "ReLU is linear.", "No.", "activations", "D", type=CardType.truefalse, answer=False)
    s, console = _session(db, [tf, CARDS[0]], ["true", "\n", "5", "", "4"])  # Enter: no typo, show
    s.run()
    [r1, r2] = db.reviews()
    assert (r1.card_id, r1.rating, r1.correct) == ("t", 2, False)
    assert (r2.card_id, r2.rating, r2.correct) == ("a", 4, None)
    assert "capped at 2" in console.file.getvalue()


def test_generated_card_logs_seed_and_params(db, monkeypatch):
    @dataclass(frozen=True)
    class P:
        id: str
        family: str
        topics: tuple
        seed: int
        difficulty: int
        params: dict
        prompt: str
        answer: object
        solution: str
        answer_kind: str
        tolerance: float | None = None
        matrices: dict = field(default_factory=dict)
        highlight: dict | None = None
        stem: str = ""

    fam = types.SimpleNamespace(topics=("output-size",))
    gen = types.ModuleType("generators.families")
    gen.FAMILIES = {"toy": fam}
    gen.generate = lambda family, count, seed, difficulty: [
        P(f"toy-{seed}", family, ("output-size",), seed, difficulty, {"n": seed % 7}, f"What is {seed % 7}+1?",
          seed % 7 + 1, "add one", "int")]
    answers = types.ModuleType("cardcli.answers")
    answers.parse_answer = lambda text, kind, expected: int(text)
    answers.grade = lambda value, expected, kind, tol: FakeGrade(value == expected)
    answers.needs_more_rows = lambda lines, expected: False
    catalog = types.ModuleType("generators.catalog")
    catalog.CATALOG = {"toy": (("output-size",), "a toy family")}
    import cardcli.partmarks  # noqa: F401  (imported before the stubs, as in any real run: it binds cardcli.answers)
    import cardcli.session  # noqa: F401

    monkeypatch.setitem(sys.modules, "generators.families", gen)
    monkeypatch.setitem(sys.modules, "generators.catalog", catalog)
    monkeypatch.setitem(sys.modules, "cardcli.answers", answers)
    from cardcli.session import generated_cards

    cards = generated_cards(["output-size"])
    assert [c.id for c in cards] == ["gen:toy:d1", "gen:toy:d2", "gen:toy:d3"]
    assert [c.id for c in generated_cards()] == ["gen:toy:d1"]
    rng = random.Random(42)
    expect = random.Random(42)
    seeds = [expect.randrange(2**31), expect.randrange(2**31)]
    s, _ = _session(db, cards[:1], [str(seeds[0] % 7 + 1), "5", "0", "5"], rng=rng)
    # first instance answered right (5 kept); rated 5 -> graduates, so only one appearance
    s.run()
    [r] = db.reviews()
    assert (r.card_id, r.rating, r.correct, r.problem_seed, r.problem_params) == (
        "gen:toy:d1", 5, True, seeds[0], {"n": seeds[0] % 7})
