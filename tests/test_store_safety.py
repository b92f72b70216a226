"""Damaged, foreign, read-only or full histories: refused before anything is written or shown.

Issue 10, item 6. Every refusal is one line naming the file and what to do, and a refused file
keeps every byte (no WAL switch, no migration, no append).
"""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import cardcli.store.history as history_mod  # the submodules whose globals the tests patch
import cardcli.store.integrity as integrity_mod
from cardcli import scheduler as S
from cardcli.model import Card
from cardcli.store import SCHEMA_VERSION, ReviewRecord, Store, StoreError

UTC = timezone.utc
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DECK = """deck: Drill
source: test
cards:
  - {id: q-one, topic: conv, front: FRONT-ONE, back: back one}
  - {id: q-two, topic: conv, front: FRONT-TWO, back: back two}
"""


@pytest.fixture
def deck(tmp_path) -> Path:
    p = tmp_path / "drill.yaml"
    p.write_text(DECK)
    return p


def cli(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CARDCLI_DECKS"}
    env.update(CARDCLI_HOME=str(home), COLUMNS="100", NO_COLOR="1", TERM="dumb")
    return subprocess.run([sys.executable, "-m", "cardcli", *args], input=stdin, capture_output=True,
                          text=True, env=env, timeout=60)


def one_line_error(r: subprocess.CompletedProcess) -> str:
    assert r.returncode != 0 and "Traceback" not in r.stderr, r.stderr
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, r.stderr
    return lines[0]


def history(path: Path, n: int = 400) -> None:
    """A real history of ``n`` ratings over 40 cards (many pages), closed cleanly."""
    with Store.open(path) as s:
        for i in range(n):
            cid, t = f"c{i % 40}", T0 + timedelta(minutes=i)
            s.record(ReviewRecord(cid, "D", t, 1 + i % 5, duration_ms=900 + i, problem_params={"pad": "x" * 40}),
                     lambda cur, cid=cid, t=t, i=i: S.review(cur, 1 + i % 5, t, card_id=cid))


def files(folder: Path) -> list[str]:
    """The state dir's entries, the parse cache left out (decks are cached before the history opens)."""
    return sorted(p.name for p in folder.iterdir() if p.name != "cache")


# -- damaged ---------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["study", "--deck", "Drill"], ["stats"], ["due"]])
def test_truncated_history_is_refused_and_untouched(cardcli_home, deck, command):
    db = cardcli_home / "cardcli.sqlite3"
    history(db)
    assert db.stat().st_size > 20 * 4096  # several pages
    os.truncate(db, db.stat().st_size - 1000)  # truncate -s -1000
    before = db.read_bytes()
    r = cli(cardcli_home, *command, "--decks", str(deck), stdin="\n5\n\n5\n")
    line = one_line_error(r)
    assert str(db) in line and "damaged" in line and "has not changed it" in line
    assert "FRONT-" not in r.stdout  # refused before the first card
    assert db.read_bytes() == before
    assert files(cardcli_home) == ["cardcli.sqlite3"]  # no -wal, -shm or journal left behind


def test_truncated_history_refused_by_store_open(tmp_path):
    db = tmp_path / "h.sqlite3"
    history(db)
    os.truncate(db, db.stat().st_size - 1000)
    before = db.read_bytes()
    with pytest.raises(StoreError, match="integrity check") as e:
        Store.open(db)
    assert "\n" not in str(e.value) and "fresh history" in str(e.value)
    assert db.read_bytes() == before


# -- foreign ---------------------------------------------------------------------------------

def foreign(path: Path) -> bytes:
    con = sqlite3.connect(str(path))
    con.executescript("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);"
                      "INSERT INTO notes (body) VALUES ('keep me'), ('and me');")
    con.close()
    return path.read_bytes()


def test_foreign_sqlite_file_is_refused_not_migrated_not_wal(cardcli_home, deck):
    db = cardcli_home / "cardcli.sqlite3"
    before = foreign(db)
    with pytest.raises(StoreError, match="is not a cardcli review history") as e:
        Store.open(db)
    assert str(db) in str(e.value) and "\n" not in str(e.value)
    r = cli(cardcli_home, "study", "--decks", str(deck), "--deck", "Drill", stdin="\n5\n")
    assert "not a cardcli review history" in one_line_error(r) and "FRONT-" not in r.stdout
    assert db.read_bytes() == before
    assert files(cardcli_home) == ["cardcli.sqlite3"]
    con = sqlite3.connect(str(db))
    assert con.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert con.execute("PRAGMA user_version").fetchone() == (0,)
    con.close()


def test_file_of_another_application_id_is_refused(tmp_path):
    db = tmp_path / "h.sqlite3"
    con = sqlite3.connect(str(db))
    con.execute("PRAGMA application_id = 1234")  # even with tables named like ours
    con.execute("CREATE TABLE reviews (x)")
    con.execute("CREATE TABLE card_state (y)")
    con.execute("PRAGMA user_version = 1")
    con.commit()
    con.close()
    before = db.read_bytes()
    with pytest.raises(StoreError, match="not a cardcli review history"):
        Store.open(db)
    assert db.read_bytes() == before


def test_old_history_without_application_id_is_recognised_and_marked(tmp_path):
    db = tmp_path / "h.sqlite3"
    history(db, 3)
    con = sqlite3.connect(str(db))  # as cardcli wrote it before application_id existed
    con.execute("PRAGMA application_id = 0")
    con.commit()
    con.close()
    with Store.open(db) as s:
        assert s.review_count() == 3
    con = sqlite3.connect(str(db))
    assert con.execute("PRAGMA application_id").fetchone() == (0x63617264,)
    con.close()


def test_empty_file_becomes_a_history(tmp_path):
    db = tmp_path / "h.sqlite3"
    db.touch()
    with Store.open(db) as s:
        assert s.schema_version == SCHEMA_VERSION and s.review_count() == 0


# -- bad rows --------------------------------------------------------------------------------

def test_bad_value_in_a_state_row_is_one_line_not_a_traceback(cardcli_home, deck):
    db = cardcli_home / "cardcli.sqlite3"
    history(db, 10)
    con = sqlite3.connect(str(db))
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):  # the columns refuse a bad time
        con.execute("UPDATE card_state SET last_review = 'yesterday-ish' WHERE card_id = 'c3'")
    con.execute("PRAGMA ignore_check_constraints = ON")  # as another program could
    con.execute("UPDATE card_state SET last_review = 'yesterday-ish' WHERE card_id = 'c3'")
    con.commit()
    con.close()
    before = db.read_bytes()
    with pytest.raises(StoreError, match=r"damaged \(SQLite integrity check: CHECK constraint failed in card_state"):
        Store.open(db)  # the file changed outside cardcli: the full check runs and sees the row
    r = cli(cardcli_home, "study", "--decks", str(deck), "--deck", "Drill", stdin="\n5\n")
    line = one_line_error(r)
    assert str(db) in line and "card_state" in line and "FRONT-" not in r.stdout
    assert db.read_bytes() == before


def test_bad_state_row_read_without_the_full_check_is_one_line(tmp_path, monkeypatch):
    db = tmp_path / "h.sqlite3"
    history(db, 10)
    con = sqlite3.connect(str(db))
    con.execute("PRAGMA ignore_check_constraints = ON")
    con.execute("UPDATE card_state SET last_review = 'yesterday-ish' WHERE card_id = 'c3'")
    con.commit()
    con.close()
    monkeypatch.setattr(integrity_mod, "_needs_full_check", lambda path: False)  # as if cardcli left it so
    now = T0 + timedelta(days=30)  # c3 is due: its ranking columns are read
    with Store.open(db) as s:
        with pytest.raises(StoreError, match=r"the state of card 'c3' is unreadable"):
            s.load_states()
        with pytest.raises(StoreError, match=r"the state of card 'c3' is unreadable") as e:
            s.state_index().due_before(now)
        # the study queue ranked in SQLite sees it too, before the first card (not when c3 is shown)
        index = s.state_index()
        cards = [Card(f"c{i}", "f", "b", "conv", "D") for i in range(40)]  # every state: ranked in SQLite
        with pytest.raises(StoreError, match=r"the state of card 'c3' is unreadable"):
            S.plan(cards, index.ids, now, random.Random(1), 5, 0, due=index)
    assert "\n" not in str(e.value)


def test_bad_json_in_a_v2_state_row_stops_the_upgrade_and_changes_no_row(tmp_path):
    db = tmp_path / "v2.sqlite3"
    con = sqlite3.connect(str(db))
    con.executescript((Path(__file__).parent / "fixtures" / "schema_v2.sql").read_text())
    con.execute("UPDATE card_state SET fsrs = '{not json' WHERE card_id = 'gone-card'")
    con.commit()
    dump = list(con.iterdump())
    con.close()
    with pytest.raises(StoreError, match=r"the state of card 'gone-card' is unreadable") as e:
        Store.open(db)
    assert "\n" not in str(e.value) and "not upgraded" in str(e.value)
    con = sqlite3.connect(str(db))
    assert list(con.iterdump()) == dump and con.execute("PRAGMA user_version").fetchone() == (2,)
    con.close()


@pytest.mark.parametrize("sql", [
    "UPDATE reviews SET reviewed_at = 'yesterday-ish' WHERE id = 4",
    "UPDATE reviews SET state_before = '[1, 2' WHERE id = 4",
    "UPDATE reviews SET problem_params = '{' WHERE id = 4",
])
def test_bad_review_rows_are_one_line_errors(tmp_path, sql):
    db = tmp_path / "h.sqlite3"
    history(db, 10)
    con = sqlite3.connect(str(db))
    con.execute(sql)
    con.commit()
    con.close()
    with Store.open(db) as s, pytest.raises(StoreError, match="review 4 is unreadable") as e:
        s.reviews()
    assert "\n" not in str(e.value)


def test_bad_review_date_in_stats_is_one_line(cardcli_home, deck):
    db = cardcli_home / "cardcli.sqlite3"
    history(db, 10)
    con = sqlite3.connect(str(db))
    con.execute("UPDATE reviews SET reviewed_at = '9999-99-99T00:00:00+00:00' WHERE id = 2")
    con.commit()
    con.close()
    line = one_line_error(cli(cardcli_home, "stats", "--decks", str(deck)))
    assert str(db) in line and "unreadable" in line


# -- the state dir ---------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["stats"], ["study"], ["due"]])
def test_cardcli_home_that_is_a_file(tmp_path, deck, command):
    home = tmp_path / "home-file"
    home.write_text("not a folder")
    line = one_line_error(cli(home, *command, "--decks", str(deck), stdin="\n5\n"))
    assert str(home) in line and "is a file" in line
    assert home.read_text() == "not a folder"


def test_cardcli_home_that_cannot_be_created(tmp_path, deck):
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    line = one_line_error(cli(blocker / "home", "stats", "--decks", str(deck)))
    assert "cannot be created" in line and "CARDCLI_HOME" in line


def test_commands_without_history_work_with_a_bad_home(tmp_path, deck):
    home = tmp_path / "home-file"
    home.write_text("x")
    r = cli(home, "decks", "--decks", str(deck))
    assert r.returncode == 0 and "Drill" in r.stdout, r.stderr


# -- read-only and full ----------------------------------------------------------------------

def test_read_only_history_is_refused_at_open(tmp_path, monkeypatch):
    db = tmp_path / "h.sqlite3"
    history(db, 5)
    before = db.read_bytes()
    # SQLite's own read-only open (what a chmod 444 file or folder gives a non-root user)
    monkeypatch.setattr(history_mod, "_connect", lambda p: sqlite3.connect(
        f"file:{p}?mode=ro", uri=True, isolation_level=None))
    with pytest.raises(StoreError, match="cannot be opened for writing") as e:
        Store.open(db)
    assert str(db) in str(e.value) and "permissions" in str(e.value)
    assert db.read_bytes() == before


def test_read_only_history_refused_before_the_first_card(tmp_path, deck, monkeypatch, capsys):
    from cardcli.commands import study

    db = tmp_path / "home" / "cardcli.sqlite3"
    db.parent.mkdir()
    monkeypatch.setenv("CARDCLI_HOME", str(db.parent))
    history(db, 5)
    monkeypatch.setattr(history_mod, "_connect", lambda p: sqlite3.connect(
        f"file:{p}?mode=ro", uri=True, isolation_level=None))
    with pytest.raises(StoreError, match="cannot be opened for writing"):
        study.run(decks=["Drill"], topics=[], new=20, limit=10, exam=None, cram=False, extra=[deck])
    assert "FRONT-" not in capsys.readouterr().out


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes read-only files")
def test_chmod_read_only_history_takes_no_rating(cardcli_home, deck):
    db = cardcli_home / "cardcli.sqlite3"
    history(db, 5)
    before = db.read_bytes()
    db.chmod(0o444)
    cardcli_home.chmod(0o555)
    try:
        r = cli(cardcli_home, "study", "--decks", str(deck), "--deck", "Drill", stdin="\n5\n")
        assert "cannot be opened for writing" in one_line_error(r) and "FRONT-" not in r.stdout
    finally:
        cardcli_home.chmod(0o755)
        db.chmod(0o644)
    assert db.read_bytes() == before


def test_disk_full_says_so_and_that_the_rating_was_not_saved(tmp_path):
    db = tmp_path / "h.sqlite3"
    with Store.open(db) as s:
        pages = s._con.execute("PRAGMA page_count").fetchone()[0]
        s._con.execute(f"PRAGMA max_page_count = {pages + 2}")  # the disk fills after two pages
        with pytest.raises(StoreError) as e:
            for i in range(10_000):
                cid = f"card-{i}"
                s.record(ReviewRecord(cid, "D", T0, 3, problem_params={"pad": "x" * 500}),
                         lambda cur, cid=cid: S.review(cur, 3, T0, card_id=cid))
        msg = str(e.value)
        assert "disk is full" in msg and "the rating was not saved" in msg and "\n" not in msg
        assert "fresh history" not in msg and "move it aside" not in msg
        n = s.review_count()
        assert n == i and len(s.load_states()) == i  # the failed rating left no trace
        assert s.load_state(f"card-{i}") is None
