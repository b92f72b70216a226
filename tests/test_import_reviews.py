"""`cardcli import-reviews`: reviews answered in a real Anki collection come back into the history.

The collection is built by the real `anki` package from cardcli's own .apkg export; cards are
answered through Anki's scheduler (``col.sched.answerCard``), and each answer's revlog id (its time
in epoch ms) is then set to a chosen time, as if the student had answered then. Expected ratings are
the documented button map written out by hand; expected states come from recording the same
ratings as local study reviews in a second, separate history.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cardcli.cli import app

anki_collection = pytest.importorskip("anki.collection")

DECK = """
deck: Round Trip
source: test
cards:
  - id: rt-basic
    topic: conv
    front: What does a 1x1 convolution change?
    back: The number of channels.
  - id: rt-tf
    type: truefalse
    topic: rnn
    front: LSTMs remove the vanishing gradient problem entirely.
    answer: false
    back: They reduce it.
  - id: rt-untouched
    topic: conv
    front: Never answered in Anki.
    back: Stays new.
"""
FOREIGN_GUID = "notFromUs01"
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
# (card id, Anki button, when); answered in this order, times chosen
ANSWERS = [
    ("rt-basic", 3, T0),                                   # Good
    ("rt-tf", 1, T0 + timedelta(minutes=5)),               # Again
    ("rt-tf", 2, T0 + timedelta(minutes=20)),              # Hard
    ("rt-basic", 4, T0 + timedelta(days=3)),               # Easy
    ("rt-tf", 3, T0 + timedelta(days=1, hours=2)),         # Good
]
RATING = {1: 1, 2: 3, 3: 4, 4: 5}  # the documented map: Again 1, Hard 3, Good 4, Easy 5
NOW = "2026-11-10T12:00:00+00:00"


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def run_main(*args: str) -> subprocess.CompletedProcess:
    """The real entry point (its error boundary turns CardcliError into one line on stderr)."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "cardcli", *args], capture_output=True, text=True, env=env,
                          timeout=120)


@pytest.fixture
def decks(tmp_path: Path) -> Path:
    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "rt.yaml").write_text(DECK, encoding="utf-8")
    return folder


@pytest.fixture
def anki_files(tmp_path: Path, decks: Path, monkeypatch) -> dict[str, Path]:
    """cardcli's export imported into a fresh Anki collection, answered, and exported three ways."""
    from anki.import_export_pb2 import ExportAnkiPackageOptions, ImportAnkiPackageRequest
    from anki.notes import Note

    monkeypatch.setenv("CARDCLI_NOW", NOW)
    r = run("export", "anki", "--format", "apkg", "--decks", str(decks), "--deck", "rt.yaml",
            "-o", str(tmp_path / "rt.apkg"))
    assert r.exit_code == 0, r.output
    folder = tmp_path / "anki"
    folder.mkdir()
    col = anki_collection.Collection(str(folder / "collection.anki2"))
    col.import_anki_package(ImportAnkiPackageRequest(package_path=str(tmp_path / "rt.apkg")))
    foreign = Note(col, col.models.by_name("Basic"))  # a note of the student's own, also answered
    foreign["Front"], foreign["Back"] = "mine", "mine"
    foreign.guid = FOREIGN_GUID
    col.add_note(foreign, col.decks.id("Default"))
    from cardcli.export_anki import guid_for

    by_guid = {col.get_note(nid).guid: nid for nid in col.find_notes("")}
    assert len(by_guid) == 4

    def card_of(guid: str):
        return col.get_note(by_guid[guid]).cards()[0]

    answers = ANSWERS + [("<foreign>", 3, T0 + timedelta(hours=1))]
    for card_id, ease, when in answers:
        card = card_of(FOREIGN_GUID if card_id == "<foreign>" else guid_for(card_id))
        card.start_timer()
        col.sched.answerCard(card, ease)
        latest = col.db.scalar("SELECT max(id) FROM revlog")
        col.db.execute("UPDATE revlog SET id = ? WHERE id = ?", int(when.timestamp() * 1000), latest)
    assert col.db.scalar("SELECT count(*) FROM revlog") == len(answers)
    files = {"apkg": tmp_path / "deck.apkg", "colpkg": tmp_path / "all.colpkg", "new": tmp_path / "new.colpkg"}
    options = ExportAnkiPackageOptions(with_scheduling=True, with_media=False, legacy=True)
    col.export_anki_package(out_path=str(files["apkg"]), options=options, limit=None)
    col.export_collection_package(str(files["new"]), include_media=False, legacy=False)  # closes it
    col = anki_collection.Collection(str(folder / "collection.anki2"))
    col.export_collection_package(str(files["colpkg"]), include_media=False, legacy=True)
    files["anki2"] = folder / "collection.anki2"
    return files


def history(home: Path) -> list[tuple]:
    con = sqlite3.connect(home / "cardcli.sqlite3")
    try:
        return con.execute("SELECT card_id, reviewed_at, rating, kind FROM reviews ORDER BY reviewed_at").fetchall()
    finally:
        con.close()


def expected_rows() -> list[tuple]:
    return sorted(((cid, when.isoformat(timespec="microseconds"), RATING[ease], "anki")
                   for cid, ease, when in ANSWERS), key=lambda r: r[1])


@pytest.mark.parametrize("kind", ["colpkg", "apkg", "anki2"])
def test_reviews_come_back_with_times_and_mapped_ratings_and_twice_is_once(anki_files, decks, kind, cardcli_home):
    r = run("import-reviews", str(anki_files[kind]), "--decks", str(decks))
    assert r.exit_code == 0, r.output
    assert "imported 5 of 5 Anki reviews" in r.output and "2 cards rescheduled" in r.output
    assert history(cardcli_home) == expected_rows()
    states = state_rows(cardcli_home)
    r = run("import-reviews", str(anki_files[kind]), "--decks", str(decks))
    assert r.exit_code == 0 and "imported 0 of 5" in r.output and "5 already imported" in r.output
    assert history(cardcli_home) == expected_rows() and state_rows(cardcli_home) == states
    stats = json.loads(run("stats", "--json", "--decks", str(decks)).output)
    assert stats["reviews_from_anki"] == 5
    assert "5 reviews (5 from Anki)" in " ".join(run("stats", "--decks", str(decks)).output.split())


def state_rows(home: Path) -> dict[str, tuple]:
    con = sqlite3.connect(home / "cardcli.sqlite3")
    try:
        return {r[0]: r[1:] for r in con.execute(
            "SELECT card_id, state, step, stability, difficulty, due, last_review, last_rating, reps, lapses, "
            "first_review FROM card_state")}
    finally:
        con.close()


def record_locally(steps: list[tuple[str, int, datetime]]) -> dict[str, tuple]:
    """The same ratings given in cardcli's own study (Store.record with scheduler.review), in time order."""
    from cardcli.paths import db_path
    from cardcli.scheduler import review
    from cardcli.store import ReviewRecord, Store

    with Store.open() as store:
        for card_id, rating, at in sorted(steps, key=lambda s: s[2]):
            store.record(ReviewRecord(card_id=card_id, deck="Round Trip", reviewed_at=at, rating=rating),
                         lambda cur, c=card_id, r=rating, a=at: review(cur, r, a, card_id=c))
    return state_rows(db_path().parent)


def test_replayed_states_equal_local_reviews_even_around_a_local_review(anki_files, decks, cardcli_home, tmp_path,
                                                                       monkeypatch):
    from cardcli.scheduler import review
    from cardcli.store import ReviewRecord, Store

    local_at = T0 + timedelta(days=1)  # a review in cardcli between two Anki answers of rt-basic
    with Store.open() as store:
        store.record(ReviewRecord(card_id="rt-basic", deck="Round Trip", reviewed_at=local_at, rating=2),
                     lambda cur: review(cur, 2, local_at, card_id="rt-basic"))
    assert run("import-reviews", str(anki_files["colpkg"]), "--decks", str(decks)).exit_code == 0
    got = state_rows(cardcli_home)
    other = tmp_path / "other-home"
    other.mkdir()
    monkeypatch.setenv("CARDCLI_HOME", str(other))
    want = record_locally([(c, RATING[e], w) for c, e, w in ANSWERS] + [("rt-basic", 2, local_at)])
    assert got == want and set(got) == {"rt-basic", "rt-tf"}
    assert got["rt-basic"][7] == 3 and got["rt-tf"][7] == 3  # reps
    assert got["rt-basic"][6] == 5 and got["rt-tf"][6] == 4  # last rating: Easy, Good
    con = sqlite3.connect(cardcli_home / "cardcli.sqlite3")
    # undo snapshots rewritten: each row's state_before is the state after the one before it in time
    befores = [json.loads(b) if b else None for (b,) in con.execute(
        "SELECT state_before FROM reviews WHERE card_id = 'rt-basic' ORDER BY reviewed_at")]
    con.close()
    assert befores[0] is None and [b["reps"] for b in befores[1:]] == [1, 2]


def test_foreign_or_damaged_files_are_refused_and_nothing_written(anki_files, decks, cardcli_home, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not anki at all\n")
    plain_db = tmp_path / "other.anki2"
    con = sqlite3.connect(plain_db)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    empty_zip = tmp_path / "empty.apkg"
    with zipfile.ZipFile(empty_zip, "w") as z:
        z.writestr("media", "{}")
    truncated = tmp_path / "cut.colpkg"
    truncated.write_bytes(anki_files["colpkg"].read_bytes()[:300])
    for bad, words in ((text, "not an Anki collection"), (plain_db, "not an Anki collection"),
                       (empty_zip, "without an Anki collection"), (truncated, "damaged"),
                       (tmp_path, "folder")):
        r = run_main("import-reviews", str(bad), "--decks", str(decks))
        assert r.returncode == 1 and r.stdout == "", r.stderr
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and words in lines[0] and "nothing was imported" in lines[0], r.stderr
        assert not (cardcli_home / "cardcli.sqlite3").exists()


def test_collection_without_cardcli_notes_is_refused(tmp_path, decks, cardcli_home):
    col = anki_collection.Collection(str(tmp_path / "mine.anki2"))
    col.close()
    r = run_main("import-reviews", str(tmp_path / "mine.anki2"), "--decks", str(decks))
    assert r.returncode == 1 and "none of its 0 notes came from cardcli" in r.stderr
    assert not (cardcli_home / "cardcli.sqlite3").exists()


def test_compressed_package_of_new_anki_versions_imports(anki_files, decks, cardcli_home):
    """Anki's default export (collection.anki21b, zstd) read with zstandard (the test extra has it)."""
    pytest.importorskip("zstandard")  # third-party, in the test extra: skipped only outside it
    with zipfile.ZipFile(anki_files["new"]) as z:
        assert "collection.anki21b" in z.namelist() and "collection.anki21" not in z.namelist()
    r = run("import-reviews", str(anki_files["new"]), "--decks", str(decks))
    assert r.exit_code == 0, r.output
    assert history(cardcli_home) == expected_rows()


def test_compressed_package_without_zstd_is_refused(anki_files, decks, cardcli_home, monkeypatch):
    import cardcli.anki_reviews as mod

    monkeypatch.setattr(mod, "_zstd_reader", lambda: None)  # as on a Python without zstd
    r = run("import-reviews", str(anki_files["new"]), "--decks", str(decks))
    assert r.exit_code == 1 and "Support older Anki versions" in str(r.exception)
    assert "pip install zstandard" in str(r.exception)
    assert not (cardcli_home / "cardcli.sqlite3").exists()


def test_dry_run_writes_nothing(anki_files, decks, cardcli_home):
    r = run("import-reviews", str(anki_files["apkg"]), "--dry-run", "--decks", str(decks))
    assert r.exit_code == 0 and "would import 5 of 5" in r.output
    assert history(cardcli_home) == []


def test_reviews_dated_after_now_are_skipped(anki_files, decks, cardcli_home, monkeypatch):
    monkeypatch.setenv("CARDCLI_NOW", (T0 + timedelta(days=2)).isoformat())
    r = run("import-reviews", str(anki_files["anki2"]), "--decks", str(decks))
    assert r.exit_code == 0 and "imported 4 of 5" in r.output and "1 dated after now skipped" in r.output


def test_undo_of_a_local_review_after_an_import_keeps_the_anki_reviews(anki_files, decks, cardcli_home, tmp_path,
                                                                      monkeypatch):
    """A local review, then older Anki answers imported: undoing the local one leaves the Anki ones' replay."""
    from cardcli.scheduler import review
    from cardcli.store import ReviewRecord, Store

    local_at = T0 + timedelta(days=5)
    with Store.open() as store:
        rid = store.record(ReviewRecord(card_id="rt-basic", deck="Round Trip", reviewed_at=local_at, rating=2),
                           lambda cur: review(cur, 2, local_at, card_id="rt-basic"))
    assert run("import-reviews", str(anki_files["anki2"]), "--decks", str(decks)).exit_code == 0
    with Store.open() as store:
        store.undo(rid)
    got = state_rows(cardcli_home)
    other = tmp_path / "other-home"
    other.mkdir()
    monkeypatch.setenv("CARDCLI_HOME", str(other))
    assert got == record_locally([(c, RATING[e], w) for c, e, w in ANSWERS])
