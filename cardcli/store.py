"""The review history: the only module with SQL.

One SQLite file (:func:`cardcli.paths.db_path`) in WAL mode with a busy timeout, so two
sessions on the same state dir both work. Two STRICT tables:

* ``reviews`` - append-only log: one row per rating, with the raw 1-5, duration, graded
  correctness, the generated problem's seed and params, ``kind`` ('review' or 'cram') and
  ``state_before`` (the card state the rating replaced, for undo).
* ``card_state`` - the current FSRS state per card id. Rows are never dropped when a card
  leaves the decks; the card resumes where it was if its id comes back.
* ``mock_exams`` - one row per sat mock exam (``cardcli exam mock``): when, seed, template,
  score of max, how it ended, per-topic and per-question JSON. Its answers are ``reviews`` rows
  of kind ``'mock'`` written in the same transaction.

Each rating is its own short transaction (:meth:`Store.record`), committed before the next
card shows. The schema version is ``PRAGMA user_version``; :data:`MIGRATIONS` are applied in
order, so a fresh file and an old one go through the same path. Any SQLite failure becomes a
:class:`StoreError` naming the file; the file is never overwritten or deleted.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from cardcli.errors import CardcliError
from cardcli.scheduler import CardState

__all__ = ["StoreError", "ReviewRecord", "MockExamRecord", "Store", "MIGRATIONS", "SCHEMA_VERSION"]

BUSY_TIMEOUT_MS = 5000


class StoreError(CardcliError):
    """The review history cannot be read or written."""


@dataclass(frozen=True)
class ReviewRecord:
    """One row of the review log."""

    card_id: str
    deck: str
    reviewed_at: datetime
    rating: int
    duration_ms: int | None = None
    correct: bool | None = None
    problem_seed: int | None = None
    problem_params: dict[str, Any] | None = None
    kind: str = "review"  # 'review', 'cram' (never changes card_state) or 'mock' (a mock-exam answer)
    state_before: CardState | None = None
    id: int | None = None
    mistake: str | None = None  # the catalog id(s) a wrong answer matched, comma-separated


@dataclass(frozen=True)
class MockExamRecord:
    """One sat mock exam. ``topics``: topic -> [score, points]; ``questions``: one dict per question."""

    started_at: datetime
    finished_at: datetime
    seed: int
    template: str
    score: float
    max: int
    minutes: int
    stopped: str  # 'done', 'quit', 'time', 'eof' or 'interrupt'
    topics: dict[str, Any]
    questions: list[dict[str, Any]]
    id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "started_at": _iso(self.started_at), "finished_at": _iso(self.finished_at),
                "seed": self.seed, "template": self.template, "score": self.score, "max": self.max,
                "minutes": self.minutes, "stopped": self.stopped, "topics": self.topics,
                "questions": self.questions}


def _m1(con: sqlite3.Connection) -> None:
    con.execute(
        """CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            card_id TEXT NOT NULL,
            reviewed_at TEXT NOT NULL,
            rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5)
        ) STRICT"""
    )
    con.execute(
        """CREATE TABLE card_state (
            card_id TEXT PRIMARY KEY,
            fsrs TEXT NOT NULL,
            due TEXT NOT NULL
        ) STRICT"""
    )


def _m2(con: sqlite3.Connection) -> None:
    for column in (
        "deck TEXT NOT NULL DEFAULT ''",
        "duration_ms INTEGER",
        "correct INTEGER CHECK (correct IN (0, 1))",
        "problem_seed INTEGER",
        "problem_params TEXT",
        "kind TEXT NOT NULL DEFAULT 'review'",
        "state_before TEXT",
    ):
        con.execute(f"ALTER TABLE reviews ADD COLUMN {column}")
    for column in (
        "deck TEXT NOT NULL DEFAULT ''",
        "last_rating INTEGER",
        "reps INTEGER NOT NULL DEFAULT 0",
        "lapses INTEGER NOT NULL DEFAULT 0",
        "first_review TEXT",
        "last_review TEXT",
    ):
        con.execute(f"ALTER TABLE card_state ADD COLUMN {column}")
    # v1 kept no counters: derive them from the log it did keep
    con.execute(
        """UPDATE card_state SET
            reps = (SELECT count(*) FROM reviews r WHERE r.card_id = card_state.card_id),
            last_rating = (SELECT rating FROM reviews r WHERE r.card_id = card_state.card_id
                           ORDER BY reviewed_at DESC, id DESC LIMIT 1),
            first_review = (SELECT min(reviewed_at) FROM reviews r WHERE r.card_id = card_state.card_id),
            last_review = (SELECT max(reviewed_at) FROM reviews r WHERE r.card_id = card_state.card_id)"""
    )
    con.execute("CREATE INDEX reviews_card ON reviews (card_id, id)")
    con.execute("CREATE INDEX reviews_time ON reviews (reviewed_at)")


def _m3(con: sqlite3.Connection) -> None:
    con.execute("ALTER TABLE reviews ADD COLUMN mistake TEXT")


def _m_mock_exams(con: sqlite3.Connection) -> None:
    con.execute(
        """CREATE TABLE mock_exams (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT NOT NULL,
            seed INTEGER NOT NULL,
            template TEXT NOT NULL,
            score REAL NOT NULL,
            max INTEGER NOT NULL,
            minutes INTEGER NOT NULL,
            stopped TEXT NOT NULL,
            topics TEXT NOT NULL,
            questions TEXT NOT NULL
        ) STRICT"""
    )


#: ordered, named migrations; entry i brings the schema from version i to i + 1
MIGRATIONS: list[tuple[str, Callable[[sqlite3.Connection], None]]] = [
    ("create reviews and card_state", _m1),
    ("review details, kinds and undo snapshots", _m2),
    ("mistake diagnosed for a wrong answer", _m3),
    ("mock exams (cardcli exam mock) with their scores", _m_mock_exams),
]
SCHEMA_VERSION = len(MIGRATIONS)


def _iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class Store:
    """An open review history. Use :meth:`Store.open`."""

    def __init__(self, con: sqlite3.Connection, path: Path):
        self._con = con
        self.path = path

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path | None = None) -> Store:
        """Open (creating or migrating as needed) the history at ``path`` (default: db_path())."""
        if path is None:
            from cardcli.paths import db_path

            path = db_path()
        path = Path(path)
        store = None
        try:
            con = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
            store = cls(con, path)
            con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            con.execute("PRAGMA foreign_keys = ON")
            version = con.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{path}: the review history has schema version {version}, newer than this "
                    f"cardcli understands ({SCHEMA_VERSION}); upgrade cardcli"
                )
            # Switching to WAL needs an exclusive lock and SQLite does not call the busy handler
            # for it: when two sessions start at once on a new file, retry for a while.
            _retry_locked(lambda: con.execute("PRAGMA journal_mode = WAL").fetchone())
            con.execute("PRAGMA synchronous = NORMAL")
            _retry_locked(store._migrate)
            return store
        except sqlite3.Error as e:
            if store is not None:
                store._con.close()
            raise _error(path, e) from None
        except BaseException:
            if store is not None:
                store._con.close()
            raise

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction (BEGIN IMMEDIATE ... COMMIT), errors as StoreError."""
        con = self._con
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        except sqlite3.Error as e:
            raise _error(self.path, e) from None

    def _read(self, sql: str, params: tuple = ()) -> list[tuple]:
        try:
            return self._con.execute(sql, params).fetchall()
        except sqlite3.Error as e:
            raise _error(self.path, e) from None

    def _migrate(self) -> None:
        if self._con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return
        with self._tx() as con:  # re-read inside the lock: another process may have migrated
            version = con.execute("PRAGMA user_version").fetchone()[0]
            for _name, step in MIGRATIONS[version:]:
                step(con)
            con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @property
    def schema_version(self) -> int:
        return self._read("PRAGMA user_version")[0][0]

    # -- card state ------------------------------------------------------------------------
    def load_states(self) -> dict[str, CardState]:
        """Every card's state, in one query (decoded with the cyclic GC paused: see gcpause)."""
        from cardcli.gcpause import paused_gc

        with paused_gc():
            rows = self._read(
                "SELECT card_id, fsrs, last_rating, reps, lapses, first_review FROM card_state"
            )
            return {row[0]: _state_from_row(row) for row in rows}

    def load_state(self, card_id: str) -> CardState | None:
        rows = self._read(
            "SELECT card_id, fsrs, last_rating, reps, lapses, first_review FROM card_state WHERE card_id = ?",
            (card_id,),
        )
        return _state_from_row(rows[0]) if rows else None

    # -- writing ---------------------------------------------------------------------------
    def record(self, review: ReviewRecord, new_state: CardState | None) -> int:
        """Append ``review`` and (unless None, e.g. cram) replace the card's state. One commit."""
        with self._tx() as con:
            rid = _insert_review(con, review)
            if new_state is not None:
                _put_state(con, new_state, review.deck)
            return rid

    def record_mock_exam(self, exam: MockExamRecord,
                         answers: list[tuple[ReviewRecord, CardState | None]]) -> int:
        """Log a sat mock exam: its summary row and every answer (kind 'mock', each with the card's
        new state), in one transaction. Returns the exam's row id."""
        with self._tx() as con:
            cur = con.execute(
                """INSERT INTO mock_exams (started_at, finished_at, seed, template, score, max, minutes,
                       stopped, topics, questions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (_iso(exam.started_at), _iso(exam.finished_at), int(exam.seed), exam.template, float(exam.score),
                 int(exam.max), int(exam.minutes), exam.stopped, json.dumps(exam.topics),
                 json.dumps(exam.questions, default=str)),
            )
            for review, new_state in answers:
                _insert_review(con, review)
                if new_state is not None:
                    _put_state(con, new_state, review.deck)
            return int(cur.lastrowid)

    def mock_exams(self) -> list[MockExamRecord]:
        """Every sat mock exam, oldest first."""
        rows = self._read("SELECT id, started_at, finished_at, seed, template, score, max, minutes, stopped, "
                          "topics, questions FROM mock_exams ORDER BY started_at, id")
        return [MockExamRecord(id=r[0], started_at=datetime.fromisoformat(r[1]),
                               finished_at=datetime.fromisoformat(r[2]), seed=r[3], template=r[4], score=r[5],
                               max=r[6], minutes=r[7], stopped=r[8], topics=json.loads(r[9]),
                               questions=json.loads(r[10])) for r in rows]

    def undo(self, review_id: int) -> ReviewRecord | None:
        """Delete review ``review_id`` and restore the state it replaced, in one transaction.

        Returns the deleted record, or None if it was already gone.
        """
        with self._tx() as con:
            rows = con.execute(f"SELECT {_REVIEW_COLS} FROM reviews WHERE id = ?", (review_id,)).fetchall()
            if not rows:
                return None
            rec = _review_from_row(rows[0])
            con.execute("DELETE FROM reviews WHERE id = ?", (review_id,))
            if rec.kind == "review":
                if rec.state_before is None:
                    con.execute("DELETE FROM card_state WHERE card_id = ?", (rec.card_id,))
                else:
                    _put_state(con, rec.state_before, rec.deck)
            return rec

    # -- reading the log -------------------------------------------------------------------
    def reviews(self, since: datetime | None = None) -> list[ReviewRecord]:
        """The log in order (optionally only rows at or after ``since``)."""
        if since is None:
            rows = self._read(f"SELECT {_REVIEW_COLS} FROM reviews ORDER BY id")
        else:
            rows = self._read(
                f"SELECT {_REVIEW_COLS} FROM reviews WHERE reviewed_at >= ? ORDER BY id", (_iso(since),)
            )
        return [_review_from_row(r) for r in rows]

    def review_count(self) -> int:
        return int(self._read("SELECT count(*) FROM reviews")[0][0])

    def new_seen_since(self, since: datetime) -> int:
        """Cards whose first (non-cram) review is at or after ``since`` (new cards seen today)."""
        return int(self._read("SELECT count(*) FROM card_state WHERE first_review >= ?", (_iso(since),))[0][0])

    def rating_stats(self) -> list[tuple[str, str, int, int]]:
        """(card_id, deck, ratings, ratings >= 4) per card, for retention figures."""
        return [
            (r[0], r[1], int(r[2]), int(r[3]))
            for r in self._read(
                "SELECT card_id, deck, count(*), sum(rating >= 4) FROM reviews GROUP BY card_id, deck"
            )
        ]

    def mistake_counts(self) -> list[tuple[str, str, str, int]]:
        """(card_id, deck, mistake, times) for every logged wrong answer a known mistake matched."""
        return [
            (r[0], r[1], r[2], int(r[3]))
            for r in self._read(
                "SELECT card_id, deck, mistake, count(*) FROM reviews WHERE mistake IS NOT NULL "
                "GROUP BY card_id, deck, mistake"
            )
        ]

    def daily_counts(self, since: datetime) -> dict[date, int]:
        """Reviews per UTC day from ``since`` on."""
        rows = self._read(
            "SELECT substr(reviewed_at, 1, 10), count(*) FROM reviews WHERE reviewed_at >= ? GROUP BY 1",
            (_iso(since),),
        )
        return {date.fromisoformat(d): int(n) for d, n in rows}


_REVIEW_COLS = ("id, card_id, deck, reviewed_at, rating, duration_ms, correct, problem_seed, "
                "problem_params, kind, state_before, mistake")


def _review_from_row(row: tuple) -> ReviewRecord:
    (rid, card_id, deck, at, rating, dur, correct, seed, params, kind, before, mistake) = row
    return ReviewRecord(
        id=rid, card_id=card_id, deck=deck, reviewed_at=datetime.fromisoformat(at), rating=rating,
        duration_ms=dur, correct=None if correct is None else bool(correct), problem_seed=seed,
        problem_params=json.loads(params) if params else None, kind=kind,
        state_before=CardState.from_dict(json.loads(before)) if before else None, mistake=mistake,
    )


def _state_from_row(row: tuple) -> CardState:
    import fsrs

    card_id, memory, last_rating, reps, lapses, first = row
    return CardState(
        card_id=card_id, memory=fsrs.Card.from_json(memory), last_rating=last_rating,
        reps=reps or 0, lapses=lapses or 0, first_review=_dt(first),
    )


def _insert_review(con: sqlite3.Connection, review: ReviewRecord) -> int:
    cur = con.execute(
        """INSERT INTO reviews (card_id, deck, reviewed_at, rating, duration_ms, correct,
               problem_seed, problem_params, kind, state_before, mistake)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            review.card_id, review.deck, _iso(review.reviewed_at), review.rating,
            review.duration_ms, None if review.correct is None else int(review.correct),
            review.problem_seed,
            None if review.problem_params is None else json.dumps(review.problem_params, default=str),
            review.kind,
            None if review.state_before is None else json.dumps(review.state_before.to_dict()),
            review.mistake,
        ),
    )
    return int(cur.lastrowid)


def _put_state(con: sqlite3.Connection, st: CardState, deck: str) -> None:
    con.execute(
        """INSERT INTO card_state (card_id, fsrs, due, deck, last_rating, reps, lapses, first_review, last_review)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (card_id) DO UPDATE SET fsrs = excluded.fsrs, due = excluded.due,
               deck = excluded.deck, last_rating = excluded.last_rating, reps = excluded.reps,
               lapses = excluded.lapses, first_review = excluded.first_review,
               last_review = excluded.last_review""",
        (
            st.card_id, st.memory.to_json(), _iso(st.due), deck, st.last_rating, st.reps, st.lapses,
            _iso(st.first_review) if st.first_review else None,
            _iso(st.last_review) if st.last_review else None,
        ),
    )


def _retry_locked(step: Callable[[], object]) -> None:
    """Run ``step``, retrying while SQLite says the database is locked (up to the busy timeout)."""
    import time

    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    delay = 0.005
    while True:
        try:
            step()
            return
        except (sqlite3.OperationalError, StoreError) as e:
            if "locked" not in str(e) and "busy" not in str(e):
                raise
            if time.monotonic() >= deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.1)


def _error(path: Path, e: sqlite3.Error) -> StoreError:
    text = str(e).lower()
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        what = "is not a readable cardcli database (corrupt or another file)"
        todo = "move it aside to start a fresh history; your decks are untouched"
    elif "locked" in text or "busy" in text:
        what = "is locked by another program"
        todo = "close other cardcli sessions (or whatever holds it) and try again"
    elif "readonly" in text or "read-only" in text or "unable to open" in text or "permission" in text:
        what = "cannot be opened for writing"
        todo = "check the permissions of the file and its folder (or set CARDCLI_HOME elsewhere)"
    else:
        what = f"failed: {e}"
        todo = "move it aside to start a fresh history; your decks are untouched"
    return StoreError(f"review history {path} {what}; {todo}")
