"""The review history: the only module with SQL.

One SQLite file (:func:`cardcli.paths.db_path`) in WAL mode with a busy timeout, so two
sessions on the same state dir both work. STRICT tables:

* ``reviews`` - append-only log: one row per rating, with the raw 1-5, duration, graded
  correctness, the generated problem's seed and params, ``kind`` ('review', 'cram' or 'mock'),
  ``state_before`` (the card state the rating replaced, for undo) and ``policy`` (the
  scheduler settings it was rated under, so the log can be replayed).
* ``card_state`` - the current FSRS state per card id, as columns (state, step, stability,
  difficulty, due, last review; times in the canonical UTC text of :func:`_iso`, which sorts as
  time; each column under a ``CHECK``). Rows are never dropped when a card leaves the decks; the
  card resumes where it was if its id comes back. A covering index on ``due`` lets study rank
  the cards due today without reading the others (:class:`StateIndex`).
* ``review_totals`` - ratings and ratings >= 4 per (card, deck), kept equal to the log by
  triggers on ``reviews`` (stats' retention without scanning the log).
* ``memory_model`` - at most one row: the FSRS parameters `cardcli optimize` fitted and saved.
* ``mock_exams`` - one row per sat mock exam (``cardcli exam mock``): when, seed, template,
  score of max, how it ended, per-topic and per-question JSON. Its answers are ``reviews`` rows
  of kind ``'mock'`` written in the same transaction.
* ``settings`` - small remembered values (the exam date and name): key -> text.

Review kinds: ``review`` (study), ``cram`` (logged, never changes the state), ``quiz``
(``cardcli quiz`` answers: rating 4 if correct, 1 if wrong, state of the ``gen:`` card updated) and
``mock`` (``cardcli exam mock`` answers: 4 with full points, 1 otherwise; the card's state updated).

Each rating is its own short transaction (:meth:`Store.record`), committed before the next
card shows. The new state is computed inside that transaction from the card's state as
committed at that moment, so two sessions rating the same card never write from a stale copy;
undo restores what the rating replaced, or replays the card's later ratings when another
session rated it since. Invariant: every card's state is :func:`cardcli.scheduler.replay` of
its non-cram reviews.

Before the first write, :meth:`Store.open` checks the file's integrity and identity (``PRAGMA
application_id``, or the cardcli tables of files made before it was set) and that it can be
written; a file failing any of these is left byte-for-byte untouched (no WAL switch, no
migration) and reported as a one-line :class:`StoreError`. Integrity: cheap header checks always;
``PRAGMA quick_check`` (O(file size)) for files under :data:`FULL_CHECK_BELOW` and for any file
not exactly as cardcli last left it (size, mtime, inode and WAL size recorded in a
``.verified`` sidecar when a session closes a file its own last commit left). The schema version
is ``PRAGMA user_version``; :data:`MIGRATIONS` are applied in order, so a fresh file and an old
one go through the same path. The file is never
overwritten or deleted.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Collection, Iterator, MutableMapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from cardcli.errors import CardcliError
from cardcli.scheduler import Brief, CardState, Policy, replay_states

__all__ = ["StoreError", "ReviewRecord", "MemoryModel", "MockExamRecord", "Store", "StateIndex", "MIGRATIONS",
           "SCHEMA_VERSION", "APPLICATION_ID", "FULL_CHECK_BELOW"]

BUSY_TIMEOUT_MS = 5000
#: ``PRAGMA application_id`` of a cardcli history (the bytes "card")
APPLICATION_ID = 0x63617264
#: the tables by which a history made before APPLICATION_ID was set is recognised
_OWN_TABLES = frozenset({"reviews", "card_state"})
#: a file smaller than this always gets the full ``PRAGMA quick_check`` at open (milliseconds at
#: this size); a bigger one only when it is not as cardcli last left it (see Store._needs_full_check)
FULL_CHECK_BELOW = 8 << 20
#: suffix of the sidecar recording the file as cardcli last left it (size, mtime, inode)
VERIFIED_SUFFIX = ".verified"


class StoreError(CardcliError):
    """The review history cannot be read or written."""


@dataclass(frozen=True)
class MemoryModel:
    """FSRS parameters fitted to this history by ``cardcli optimize`` (at most one row)."""

    parameters: tuple[float, ...]
    fitted_at: datetime
    reviews: int
    evaluation: dict[str, Any]  # the held-out figures that justified saving them


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
    policy: Policy | None = None  # the scheduler settings of the rating (None: the defaults)
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


def _m4(con: sqlite3.Connection) -> None:
    con.execute(f"PRAGMA application_id = {APPLICATION_ID}")


def _m5(con: sqlite3.Connection) -> None:
    con.execute("ALTER TABLE reviews ADD COLUMN policy TEXT")


def _memory_model(con: sqlite3.Connection) -> None:
    con.execute(
        """CREATE TABLE memory_model (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            parameters TEXT NOT NULL,
            fitted_at TEXT NOT NULL,
            reviews INTEGER NOT NULL,
            evaluation TEXT NOT NULL
        ) STRICT"""
    )


def _m_settings(con: sqlite3.Connection) -> None:
    con.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT")
    con.execute("CREATE INDEX reviews_kind ON reviews (kind, card_id)")


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
#: the canonical UTC time text (``_iso``) every time column of card_state holds; it sorts as time
_TIME_GLOB = ("'[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]"
              ".[0-9][0-9][0-9][0-9][0-9][0-9]+00:00'")
#: rows converted per batch by the card_state migration (bounded memory on a big history)
MIGRATION_BATCH = 20_000


def _m_state_columns(con: sqlite3.Connection) -> None:
    """card_state as columns (state, step, stability, difficulty, due, last_review) instead of one
    FSRS JSON per row; per-(card, deck) rating totals kept by triggers; indexes for study and stats.

    Runs inside the migration transaction: a killed run leaves the old table as it was and the next
    open starts it again (the half-built table never becomes visible).
    """
    con.execute("DROP TABLE IF EXISTS card_state_new")
    con.execute(
        f"""CREATE TABLE card_state_new (
            card_id TEXT PRIMARY KEY,
            deck TEXT NOT NULL DEFAULT '',
            state INTEGER NOT NULL CHECK (state IN (1, 2, 3)),
            step INTEGER CHECK (step >= 0),
            stability REAL CHECK (stability > 0),
            difficulty REAL,
            due TEXT NOT NULL CHECK (due GLOB {_TIME_GLOB}),
            last_review TEXT CHECK (last_review GLOB {_TIME_GLOB}),
            last_rating INTEGER CHECK (last_rating BETWEEN 1 AND 5),
            reps INTEGER NOT NULL DEFAULT 0,
            lapses INTEGER NOT NULL DEFAULT 0,
            first_review TEXT CHECK (first_review GLOB {_TIME_GLOB})
        ) STRICT"""
    )
    cur = con.execute("SELECT card_id, fsrs, deck, last_rating, reps, lapses, first_review FROM card_state")
    while rows := cur.fetchmany(MIGRATION_BATCH):
        con.executemany(f"INSERT INTO card_state_new ({_STATE_COLS}, deck) VALUES ({_STATE_MARKS}, ?)",
                        [_migrated_row(r) for r in rows])
    con.execute("DROP TABLE card_state")
    con.execute("ALTER TABLE card_state_new RENAME TO card_state")
    # covering: study ranks the due cards from the index alone
    con.execute("CREATE INDEX card_state_due ON card_state (due, card_id, last_review, stability)")
    con.execute("CREATE INDEX card_state_first ON card_state (first_review)")
    con.execute("CREATE INDEX reviews_mistake ON reviews (card_id, deck, mistake) WHERE mistake IS NOT NULL")
    con.execute(
        """CREATE TABLE review_totals (
            card_id TEXT NOT NULL,
            deck TEXT NOT NULL,
            n INTEGER NOT NULL,
            good INTEGER NOT NULL,
            PRIMARY KEY (card_id, deck)
        ) STRICT"""
    )
    con.execute("""INSERT INTO review_totals SELECT card_id, deck, count(*), sum(rating >= 4)
                   FROM reviews GROUP BY card_id, deck""")
    con.execute(
        """CREATE TRIGGER review_totals_insert AFTER INSERT ON reviews BEGIN
            INSERT INTO review_totals VALUES (new.card_id, new.deck, 1, new.rating >= 4)
            ON CONFLICT (card_id, deck) DO UPDATE SET n = n + 1, good = good + excluded.good;
        END"""
    )
    con.execute(
        """CREATE TRIGGER review_totals_delete AFTER DELETE ON reviews BEGIN
            UPDATE review_totals SET n = n - 1, good = good - (old.rating >= 4)
                WHERE card_id = old.card_id AND deck = old.deck;
            DELETE FROM review_totals WHERE card_id = old.card_id AND deck = old.deck AND n <= 0;
        END"""
    )
    con.execute(
        """CREATE TRIGGER review_totals_update AFTER UPDATE OF card_id, deck, rating ON reviews BEGIN
            UPDATE review_totals SET n = n - 1, good = good - (old.rating >= 4)
                WHERE card_id = old.card_id AND deck = old.deck;
            DELETE FROM review_totals WHERE card_id = old.card_id AND deck = old.deck AND n <= 0;
            INSERT INTO review_totals VALUES (new.card_id, new.deck, 1, new.rating >= 4)
            ON CONFLICT (card_id, deck) DO UPDATE SET n = n + 1, good = good + excluded.good;
        END"""
    )


def _migrated_row(row: tuple) -> tuple:
    """A card_state row of schema v2 (FSRS JSON) as the columns of the new card_state."""
    card_id, memory, deck, last_rating, reps, lapses, first = row
    try:
        import fsrs

        card = fsrs.Card.from_json(memory)
        st = CardState(card_id=card_id, memory=card, last_rating=last_rating, reps=reps or 0,
                       lapses=lapses or 0, first_review=_utc(datetime.fromisoformat(first)) if first else None)
        return (*_state_values(st), deck)
    except (ValueError, TypeError, KeyError, AttributeError) as e:
        detail = " ".join(f"{type(e).__name__}: {e}".split())[:100]
        raise StoreError(f"the state of card {card_id!r} is unreadable ({detail}); the history was not "
                         "upgraded and cardcli has not changed it: restore a backup, or move it aside "
                         "to start a fresh history") from None


#: ordered, named migrations; entry i brings the schema from version i to i + 1
MIGRATIONS: list[tuple[str, Callable[[sqlite3.Connection], None]]] = [
    ("create reviews and card_state", _m1),
    ("review details, kinds and undo snapshots", _m2),
    ("mistake diagnosed for a wrong answer", _m3),
    ("mark the file as a cardcli history (application_id)", _m4),
    ("scheduler policy per rating, so the log can be replayed", _m5),
    ("fitted FSRS parameters (cardcli optimize)", _memory_model),
    ("settings (remembered exam date) and a kind index for quiz figures", _m_settings),
    ("mock exams (cardcli exam mock) with their scores", _m_mock_exams),
    ("card state as columns (no JSON per row), rating totals, indexes for study and stats", _m_state_columns),
]
SCHEMA_VERSION = len(MIGRATIONS)


def _iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)


class Store:
    """An open review history. Use :meth:`Store.open`."""

    def __init__(self, con: sqlite3.Connection, path: Path):
        self._con = con
        self.path = path
        self._left: tuple | None = None  # the file's key after this connection's last write

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path | None = None) -> Store:
        """Open (creating or migrating as needed) the history at ``path`` (default: db_path()).

        Checks integrity, identity and writability first and changes nothing in a file that
        fails one of them (see the module docstring).
        """
        if path is None:
            from cardcli.paths import db_path

            path = db_path()
        path = Path(path)
        store = None
        try:
            con = _connect(path)
            store = cls(con, path)
            con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            con.execute("PRAGMA foreign_keys = ON")
            store._check()  # reads only
            _retry_locked(store._probe_write)
            # Switching to WAL needs an exclusive lock and SQLite does not call the busy handler
            # for it: when two sessions start at once on a new file, retry for a while.
            _retry_locked(lambda: con.execute("PRAGMA journal_mode = WAL").fetchone())
            con.execute("PRAGMA synchronous = NORMAL")
            _retry_locked(store._migrate)
            store._left = _file_key(path)
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
        """Close; if the file is as this connection's last commit left it, record so (sidecar)."""
        ours = self._left is not None and _file_key(self.path) == self._left
        self._con.close()
        if ours:
            _mark_verified(self.path)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check(self) -> None:
        """Integrity and identity, before anything is written: StoreError if either fails."""
        con = self._con
        problems = [row[0] for row in con.execute("PRAGMA quick_check").fetchall()] if (
            _needs_full_check(self.path)) else ["ok"]
        if problems != ["ok"]:
            lines = [ln.strip() for row in problems for ln in str(row).splitlines()
                     if ln.strip() and not ln.startswith("***")]  # "*** in database main ***"
            first = " ".join(lines[0].split())[:80] if lines else "failed"
            raise StoreError(
                f"review history {self.path} is damaged (SQLite integrity check: {first}); "
                "cardcli has not changed it: restore a backup, or move it aside to start a fresh "
                "history (your decks are untouched)"
            )
        app_id = con.execute("PRAGMA application_id").fetchone()[0]
        version = con.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
        empty = not tables and version == 0  # a new (or empty) file: nothing to protect
        legacy = _OWN_TABLES <= tables and version >= 1  # a cardcli history from before application_id
        if not (app_id == APPLICATION_ID or (app_id == 0 and (empty or legacy))):
            raise StoreError(
                f"{self.path} is not a cardcli review history (an SQLite file of another program); "
                "cardcli has not changed it: move it aside, or set CARDCLI_HOME to another folder"
            )
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: the review history has schema version {version}, newer than this "
                f"cardcli understands ({SCHEMA_VERSION}); upgrade cardcli"
            )

    def _probe_write(self) -> None:
        """Fail now, before a card is shown, if the file cannot be written (a write, rolled back)."""
        con = self._con
        con.execute("BEGIN IMMEDIATE")
        try:
            version = con.execute("PRAGMA user_version").fetchone()[0]
            con.execute(f"PRAGMA user_version = {int(version)}")
        finally:
            con.execute("ROLLBACK")

    @contextmanager
    def _tx(self, lost: str = "") -> Iterator[sqlite3.Connection]:
        """One short write transaction (BEGIN IMMEDIATE ... COMMIT), errors as StoreError.

        ``lost`` says what a failure means for the user (e.g. "the rating was not saved").
        """
        con = self._con
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                if con.in_transaction:  # SQLite may have rolled back already (e.g. SQLITE_FULL)
                    con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
            self._left = _file_key(self.path)
        except sqlite3.Error as e:
            if con.in_transaction:
                try:
                    con.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            raise _error(self.path, e, lost) from None

    def _read(self, sql: str, params: tuple = ()) -> list[tuple]:
        try:
            return self._con.execute(sql, params).fetchall()
        except sqlite3.Error as e:
            raise _error(self.path, e) from None

    def _migrate(self) -> None:
        def current() -> bool:
            return (self._con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
                    and self._con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID)

        if current():
            return
        with self._tx("nothing was changed") as con:  # re-read inside the lock: another process may have migrated
            version = con.execute("PRAGMA user_version").fetchone()[0]
            for _name, step in MIGRATIONS[version:]:
                step(con)
            con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            con.execute(f"PRAGMA application_id = {APPLICATION_ID}")  # also for files from before _m3

    @property
    def schema_version(self) -> int:
        return self._read("PRAGMA user_version")[0][0]

    # -- card state ------------------------------------------------------------------------
    def load_states(self) -> dict[str, CardState]:
        """Every card's state, in one query (decoded with the cyclic GC paused: see gcpause)."""
        from cardcli.gcpause import paused_gc

        with paused_gc():
            rows = self._read(f"SELECT {_STATE_COLS} FROM card_state")
            return {row[0]: self._state(row) for row in rows}

    def state_index(self) -> StateIndex:
        """The card states, read on demand (see :class:`StateIndex`): what study and due use."""
        return StateIndex(self)

    def load_state(self, card_id: str) -> CardState | None:
        rows = self._read(f"SELECT {_STATE_COLS} FROM card_state WHERE card_id = ?", (card_id,))
        return self._state(rows[0]) if rows else None

    def _state(self, row: tuple) -> CardState:
        try:
            return _state_from_row(row)
        except (ValueError, TypeError, KeyError, AttributeError) as e:
            raise self._bad_row(f"the state of card {row[0]!r}", e) from None

    def _review(self, row: tuple) -> ReviewRecord:
        try:
            return _review_from_row(row)
        except (ValueError, TypeError, KeyError, AttributeError) as e:
            raise self._bad_row(f"review {row[0]}", e) from None

    def _bad_row(self, what: str, e: Exception) -> StoreError:
        detail = " ".join(f"{type(e).__name__}: {e}".split())[:100]
        return StoreError(f"review history {self.path}: {what} is unreadable ({detail}); cardcli has not "
                          "changed the file: restore a backup, or move it aside to start a fresh history")

    # -- writing ---------------------------------------------------------------------------
    def record(
        self, review: ReviewRecord,
        new_state: Callable[[CardState | None], CardState] | CardState | None,
    ) -> int:
        """Append ``review`` and update the card's state, in one transaction; returns the row id.

        ``new_state`` is normally a function from the card's *current* state (read inside the
        transaction, None for a card never rated) to its new state: another session may have
        rated the card since this one loaded it. A plain CardState is written as given (for
        seeding a history); None (cram) leaves the state alone. The row's ``state_before`` is
        the state read in the transaction, whatever ``review.state_before`` says.
        """
        with self._tx("the rating was not saved") as con:
            current = self._current(con, review.card_id)
            after = new_state(current) if callable(new_state) else new_state
            rid = _insert_review(con, review, current)
            if after is not None:
                _put_state(con, after, review.deck)
            return rid

    def _current(self, con: sqlite3.Connection, card_id: str) -> CardState | None:
        rows = con.execute(f"SELECT {_STATE_COLS} FROM card_state WHERE card_id = ?", (card_id,)).fetchall()
        return self._state(rows[0]) if rows else None

    def record_mock_exam(self, exam: MockExamRecord, answers: list[ReviewRecord]) -> int:
        """Log a sat mock exam: its summary row and every answer (kind 'mock'), each moving its
        card's state from the state committed now (as :meth:`record` does), in one transaction.
        Returns the exam's row id."""
        from cardcli.scheduler import review as apply_rating

        with self._tx("the mock exam was not saved") as con:
            cur = con.execute(
                """INSERT INTO mock_exams (started_at, finished_at, seed, template, score, max, minutes,
                       stopped, topics, questions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (_iso(exam.started_at), _iso(exam.finished_at), int(exam.seed), exam.template, float(exam.score),
                 int(exam.max), int(exam.minutes), exam.stopped, json.dumps(exam.topics),
                 json.dumps(exam.questions, default=str)),
            )
            for r in answers:
                current = self._current(con, r.card_id)
                _insert_review(con, r, current)
                _put_state(con, apply_rating(current, r.rating, r.reviewed_at, card_id=r.card_id, policy=r.policy),
                           r.deck)
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
        """Delete review ``review_id`` and undo what it changed, in one transaction.

        If no other non-cram rating of the card came after it, the card gets back the state the
        rating replaced; otherwise the later ratings are replayed on that state (and their undo
        snapshots updated), so ratings another session gave since are kept. Returns the deleted
        record, or None if it was already gone.
        """
        with self._tx("the undo was not saved") as con:
            rows = con.execute(f"SELECT {_REVIEW_COLS} FROM reviews WHERE id = ?", (review_id,)).fetchall()
            if not rows:
                return None
            rec = self._review(rows[0])
            con.execute("DELETE FROM reviews WHERE id = ?", (review_id,))
            if rec.kind == "cram":
                return rec
            later = [self._review(r) for r in con.execute(
                f"SELECT {_REVIEW_COLS} FROM reviews WHERE card_id = ? AND id > ? AND kind != 'cram' ORDER BY id",
                (rec.card_id, review_id),
            )]
            state = rec.state_before
            steps = [(r.rating, r.reviewed_at, r.policy) for r in later]
            for r, after in zip(later, replay_states(rec.card_id, steps, state)):
                con.execute("UPDATE reviews SET state_before = ? WHERE id = ?", (_state_json(state), r.id))
                state = after
            if state is None:
                con.execute("DELETE FROM card_state WHERE card_id = ?", (rec.card_id,))
            else:
                _put_state(con, state, later[-1].deck if later else rec.deck)
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
        return [self._review(r) for r in rows]

    def review_count(self) -> int:
        return int(self._read("SELECT count(*) FROM reviews")[0][0])

    def new_seen_since(self, since: datetime) -> int:
        """Cards whose first (non-cram) review is at or after ``since`` (new cards seen today)."""
        return int(self._read("SELECT count(*) FROM card_state WHERE first_review >= ?", (_iso(since),))[0][0])

    def first_reviewed_since(self, since: datetime) -> set[str]:
        """The cards whose first (non-cram) review is at or after ``since`` (on the first_review index)."""
        return {r[0] for r in self._read("SELECT card_id FROM card_state WHERE first_review >= ?", (_iso(since),))}

    def rating_stats(self) -> list[tuple[str, str, int, int]]:
        """(card_id, deck, ratings, ratings >= 4) per card and deck logged, for retention figures.

        Read from ``review_totals``, which triggers on ``reviews`` keep equal to
        ``SELECT card_id, deck, count(*), sum(rating >= 4) FROM reviews GROUP BY card_id, deck``.
        """
        return self._read("SELECT card_id, deck, n, good FROM review_totals")

    def stage_rows(self, bounds: Sequence[datetime], mastered: float) -> dict[str, tuple[int, int]]:
        """card id -> (stage, day), computed in SQL for stats.

        Stage: 1 learning (FSRS learning or relearning), 2 review, 3 mastered (stability at least
        ``mastered`` days), as :func:`cardcli.scheduler.stage`. Day: how many of ``bounds`` (the
        ascending starts of the coming study days, see :func:`cardcli.stats.due_bounds`) are at
        or before the card's due time: 0 due today, k due on the k-th study day after today.
        """
        days = " ".join(f"WHEN due < ? THEN {k}" for k in range(len(bounds)))
        rows = self._read(
            f"""SELECT card_id, CASE WHEN state != 2 THEN 1 WHEN coalesce(stability, 0) >= ? THEN 3 ELSE 2 END,
                       CASE {days} ELSE {len(bounds)} END
                FROM card_state""",
            (float(mastered), *map(_iso, bounds)),
        )
        return {r[0]: (r[1], r[2]) for r in rows}

    def review_times(self, since: datetime) -> list[datetime]:
        """When each review at or after ``since`` happened (UTC), for per-day figures in local time."""
        rows = self._read("SELECT reviewed_at FROM reviews WHERE reviewed_at >= ?", (_iso(since),))
        try:
            return [datetime.fromisoformat(r[0]) for r in rows]
        except (ValueError, TypeError) as e:
            raise self._bad_row("a review date", e) from None

    def quiz_counts(self) -> list[tuple[str, int, int]]:
        """(card_id, quiz answers, correct ones) per ``gen:`` card, from the log's ``quiz`` rows."""
        return [
            (r[0], int(r[1]), int(r[2] or 0))
            for r in self._read(
                "SELECT card_id, count(*), sum(correct) FROM reviews WHERE kind = 'quiz' GROUP BY card_id"
            )
        ]

    # -- settings --------------------------------------------------------------------------
    def get_setting(self, key: str) -> str | None:
        rows = self._read("SELECT value FROM settings WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def set_settings(self, values: dict[str, str | None]) -> None:
        """Set (or, for None, delete) several settings in one transaction."""
        with self._tx() as con:
            for key, value in values.items():
                if value is None:
                    con.execute("DELETE FROM settings WHERE key = ?", (key,))
                else:
                    con.execute("INSERT INTO settings (key, value) VALUES (?, ?) "
                                "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))

    def recall_attempts(self, kinds: tuple[str, ...]) -> list[tuple[str, datetime, int]]:
        """(card_id, reviewed_at, raw rating) of the log rows of these ``kinds``, oldest first."""
        marks = ", ".join("?" * len(kinds))
        rows = self._read(
            f"SELECT card_id, reviewed_at, rating FROM reviews WHERE kind IN ({marks}) ORDER BY reviewed_at, id",
            tuple(kinds),
        )
        return [(c, datetime.fromisoformat(at), int(r)) for c, at, r in rows]

    # -- the fitted memory model -----------------------------------------------------------
    def memory_model(self) -> MemoryModel | None:
        """The saved fitted parameters, or None (the scheduler then uses FSRS's defaults)."""
        rows = self._read("SELECT parameters, fitted_at, reviews, evaluation FROM memory_model WHERE id = 1")
        if not rows:
            return None
        params, at, n, evaluation = rows[0]
        return MemoryModel(tuple(float(w) for w in json.loads(params)), datetime.fromisoformat(at),
                           int(n), json.loads(evaluation))

    def save_memory_model(self, model: MemoryModel) -> None:
        with self._tx() as con:
            con.execute(
                """INSERT INTO memory_model (id, parameters, fitted_at, reviews, evaluation)
                   VALUES (1, ?, ?, ?, ?)
                   ON CONFLICT (id) DO UPDATE SET parameters = excluded.parameters,
                       fitted_at = excluded.fitted_at, reviews = excluded.reviews,
                       evaluation = excluded.evaluation""",
                (json.dumps(list(model.parameters)), _iso(model.fitted_at), model.reviews,
                 json.dumps(model.evaluation)),
            )

    def reset_memory_model(self) -> bool:
        """Forget the fitted parameters (back to FSRS's defaults). True if there were any."""
        with self._tx() as con:
            return con.execute("DELETE FROM memory_model").rowcount > 0

    def mistake_counts(self) -> list[tuple[str, str, str, int]]:
        """(card_id, deck, mistake, times) for every logged wrong answer a known mistake matched."""
        return [
            (r[0], r[1], r[2], int(r[3]))
            for r in self._read(
                "SELECT card_id, deck, mistake, count(*) FROM reviews WHERE mistake IS NOT NULL "
                "GROUP BY card_id, deck, mistake"
            )
        ]

    def reviews_per_day(self, days: Sequence[tuple[date, datetime]], end: datetime) -> dict[date, int]:
        """Reviews per study day (only days with reviews), each one count on the time index.

        ``days``: (day, its start in UTC), ascending; each runs to the next one's start, the last
        to ``end``. Times are compared as cardcli's canonical UTC text (:func:`_iso`); a review
        time at or after ``end`` that is not in that form (nothing sorts there in a sound
        history) is a one-line error.
        """
        if not days:
            return {}
        bounds = [_iso(start) for _, start in days] + [_iso(end)]
        counts = " , ".join("(SELECT count(*) FROM reviews WHERE reviewed_at >= ? AND reviewed_at < ?)" for _ in days)
        rows = self._read(
            f"SELECT (SELECT count(*) FROM reviews WHERE reviewed_at >= ? AND NOT reviewed_at GLOB {_TIME_GLOB}), "
            f"{counts}",
            (bounds[-1], *(b for i in range(len(days)) for b in (bounds[i], bounds[i + 1]))),
        )[0]
        if rows[0]:
            raise self._bad_row("a review date", ValueError("not a UTC time in cardcli's form"))
        return {d: int(n) for (d, _), n in zip(days, rows[1:]) if n}

    def daily_counts(self, since: datetime) -> dict[date, int]:
        """Reviews per UTC day from ``since`` on."""
        rows = self._read(
            "SELECT substr(reviewed_at, 1, 10), count(*) FROM reviews WHERE reviewed_at >= ? GROUP BY 1",
            (_iso(since),),
        )
        try:
            return {date.fromisoformat(d): int(n) for d, n in rows}
        except (ValueError, TypeError) as e:
            raise self._bad_row("a review date", e) from None


_REVIEW_COLS = ("id, card_id, deck, reviewed_at, rating, duration_ms, correct, problem_seed, "
                "problem_params, kind, state_before, mistake, policy")
_STATE_COLS = ("card_id, state, step, stability, difficulty, due, last_review, last_rating, reps, lapses, "
               "first_review")
_STATE_MARKS = ", ".join("?" * len(_STATE_COLS.split(",")))


def _review_from_row(row: tuple) -> ReviewRecord:
    (rid, card_id, deck, at, rating, dur, correct, seed, params, kind, before, mistake, policy) = row
    return ReviewRecord(
        id=rid, card_id=card_id, deck=deck, reviewed_at=_utc(datetime.fromisoformat(at)), rating=rating,
        duration_ms=dur, correct=None if correct is None else bool(correct), problem_seed=seed,
        problem_params=json.loads(params) if params else None, kind=kind,
        state_before=CardState.from_dict(json.loads(before)) if before else None, mistake=mistake,
        policy=_policy_from_json(policy) if policy else None,
    )


def _utc(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        raise ValueError(f"time {dt.isoformat()} has no time zone")
    return dt.astimezone(timezone.utc)


def _state_json(st: CardState | None) -> str | None:
    return None if st is None else json.dumps(st.to_dict())


def _policy_json(policy: Policy | None) -> str | None:
    if policy is None:
        return None
    # what changes a card's state; the exam date only moves due times at planning
    d: dict[str, Any] = {"desired_retention": policy.desired_retention, "maximum_interval": policy.maximum_interval}
    if policy.parameters is not None:  # fitted by `cardcli optimize`
        d["parameters"] = list(policy.parameters)
    return json.dumps(d)


def _policy_from_json(text: str) -> Policy:
    d = json.loads(text)
    if d.get("parameters") is not None:
        d["parameters"] = tuple(float(w) for w in d["parameters"])
    return Policy(**d)


def _state_from_row(row: tuple) -> CardState:
    import fsrs

    card_id, state, step, stability, difficulty, due, last_review, last_rating, reps, lapses, first = row
    memory = fsrs.Card(card_id=0, state=fsrs.State(state), step=step, stability=stability,
                       difficulty=difficulty, due=_utc(datetime.fromisoformat(due)),
                       last_review=_utc(datetime.fromisoformat(last_review)) if last_review else None)
    return CardState(card_id=card_id, memory=memory, last_rating=last_rating, reps=reps or 0,
                     lapses=lapses or 0, first_review=_utc(datetime.fromisoformat(first)) if first else None)


def _state_values(st: CardState) -> tuple:
    """The card_state columns (_STATE_COLS) of ``st``; times in the canonical UTC text of _iso."""
    m = st.memory
    return (
        st.card_id, int(m.state.value), m.step, m.stability, m.difficulty, _iso(m.due),
        _iso(m.last_review) if m.last_review else None, st.last_rating, st.reps, st.lapses,
        _iso(st.first_review) if st.first_review else None,
    )


def _insert_review(con: sqlite3.Connection, review: ReviewRecord, before: CardState | None) -> int:
    cur = con.execute(
        """INSERT INTO reviews (card_id, deck, reviewed_at, rating, duration_ms, correct,
               problem_seed, problem_params, kind, state_before, mistake, policy)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            review.card_id, review.deck, _iso(review.reviewed_at), review.rating,
            review.duration_ms, None if review.correct is None else int(review.correct),
            review.problem_seed,
            None if review.problem_params is None else json.dumps(review.problem_params, default=str),
            review.kind, _state_json(before), review.mistake, _policy_json(review.policy),
        ),
    )
    return int(cur.lastrowid)


def _put_state(con: sqlite3.Connection, st: CardState, deck: str) -> None:
    updates = ", ".join(f"{c} = excluded.{c}" for c in _STATE_COLS.split(", ")[1:])
    con.execute(
        f"""INSERT INTO card_state ({_STATE_COLS}, deck) VALUES ({_STATE_MARKS}, ?)
            ON CONFLICT (card_id) DO UPDATE SET {updates}, deck = excluded.deck""",
        (*_state_values(st), deck),
    )


class StateIndex(MutableMapping[str, CardState]):
    """Card states read on demand: study and due on a big history never decode every card.

    Opening it reads only the ids of the cards that have a state (one query on the primary key
    index). A card's full state is read (one primary-key lookup) and kept the first time it is
    asked for; states the session sets are kept here and win over the file. :meth:`due_before`
    gives the ranking columns of the cards due before a time (one query on the ``due`` index),
    :meth:`due_summary` the end-of-session figures.
    """

    def __init__(self, store: Store):
        self._store = store
        self._ids = {r[0] for r in store._read("SELECT card_id FROM card_state")}
        self._cache: dict[str, CardState] = {}
        self._set: dict[str, CardState] = {}  # set by the session (already committed by it)
        self._due: tuple[datetime, dict[str, Brief]] | None = None  # the last due_before

    def __contains__(self, key: object) -> bool:
        return key in self._ids

    def __getitem__(self, key: str) -> CardState:
        st = self._cache.get(key)
        if st is not None:
            return st
        if key not in self._ids:
            raise KeyError(key)
        st = self._store.load_state(key)
        if st is None:  # gone since (another session undid its only rating)
            raise KeyError(key)
        self._cache[key] = st
        return st

    def __setitem__(self, key: str, st: CardState) -> None:
        self._cache[key] = self._set[key] = st
        self._ids.add(key)

    def __delitem__(self, key: str) -> None:
        if key not in self._ids:
            raise KeyError(key)
        self._ids.discard(key)
        self._cache.pop(key, None)
        self._set.pop(key, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def ids(self) -> set[str]:
        """The ids of the cards with a state (do not modify)."""
        return self._ids

    def due_before(self, horizon: datetime) -> dict[str, Brief]:
        """The ranking columns (due, last review, stability) of every card due before ``horizon``.

        Kept: :meth:`due_summary` at the end of the session starts from it.
        """
        out: dict[str, Brief] = {}
        parse = datetime.fromisoformat  # canonical UTC text (see _iso): already UTC
        try:
            for cid, due, last, stability in self._store._read(
                    "SELECT card_id, due, last_review, stability FROM card_state WHERE due < ?", (_iso(horizon),)):
                out[cid] = Brief(parse(due), parse(last) if last else None, stability)
        except (ValueError, TypeError) as e:
            raise self._store._bad_row(f"the state of card {cid!r}", e) from None
        for key, st in self._set.items():
            out.pop(key, None)
            if st.due < horizon:
                out[key] = Brief(st.due, st.last_review, st.stability)
        self._due = (horizon, out)
        return out

    def due_summary(self, ids: Collection[str], now: datetime) -> tuple[set[str], datetime | None]:
        """Of the cards ``ids``: those due at ``now``, and the earliest due time of the others.

        From the states as loaded (the :meth:`due_before` of this session) and as the session set
        them, like a session working on loaded states; the file is read only past that horizon.
        """
        horizon, briefs = self._due if self._due is not None else (None, {})
        due: set[str] = set()
        nxt: datetime | None = None
        for key, b in briefs.items():
            if key in ids and key not in self._set:
                if b.due <= now:
                    due.add(key)
                elif nxt is None or b.due < nxt:
                    nxt = b.due
        for key, st in self._set.items():
            if key in ids and key in self._ids:
                if st.due <= now:
                    due.add(key)
                elif nxt is None or st.due < nxt:
                    nxt = st.due
        if horizon is None or now >= horizon or nxt is None or nxt >= horizon:
            # past what was loaded (in due order, from its horizon): the due ones, then the next one
            try:
                cur = self._store._con.execute("SELECT card_id, due FROM card_state WHERE due >= ? ORDER BY due",
                                               ("" if horizon is None else _iso(horizon),))
                for cid, text in cur:
                    if cid in ids and cid not in self._set and cid not in briefs:
                        d = datetime.fromisoformat(text)
                        if d <= now:
                            due.add(cid)
                            continue
                        nxt = d if nxt is None or d < nxt else nxt
                        break
                cur.close()
            except sqlite3.Error as e:
                raise _error(self._store.path, e) from None
            except (ValueError, TypeError) as e:
                raise self._store._bad_row("a due time", e) from None
        return due, nxt


    def earliest_due(self, ids: Collection[str]) -> datetime | None:
        """The earliest due time among the cards ``ids`` (None if none has a state)."""
        nxt: datetime | None = None
        for key, st in self._set.items():
            if key in ids and key in self._ids and (nxt is None or st.due < nxt):
                nxt = st.due
        try:
            cur = self._store._con.execute("SELECT card_id, due FROM card_state ORDER BY due")
            for cid, text in cur:
                if cid in ids and cid not in self._set:
                    d = datetime.fromisoformat(text)
                    nxt = d if nxt is None or d < nxt else nxt
                    break
            cur.close()
        except sqlite3.Error as e:
            raise _error(self._store.path, e) from None
        except (ValueError, TypeError) as e:
            raise self._store._bad_row("a due time", e) from None
        return nxt


def _file_key(path: Path) -> tuple | None:
    """What identifies the file's bytes as cardcli left them: size, mtime (ns), inode, device."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)


def _verified_path(path: Path) -> Path:
    return path.with_name(path.name + VERIFIED_SUFFIX)


def _wal_size(path: Path) -> int:
    try:
        return os.stat(path.with_name(path.name + "-wal")).st_size
    except OSError:
        return 0


def _mark_verified(path: Path) -> None:
    """Record (sidecar) that ``path`` is as cardcli left it; best effort, only for big files."""
    key = _file_key(path)
    if key is None or key[0] < FULL_CHECK_BELOW:
        return
    side = _verified_path(path)
    tmp = side.with_name(side.name + ".tmp")
    try:
        tmp.write_text(json.dumps({"file": list(key), "wal": _wal_size(path)}))
        os.replace(tmp, side)
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass


def _needs_full_check(path: Path) -> bool:
    """False only for a big file whose header is sane and which is exactly as cardcli left it.

    Cheap structural checks always run: the SQLite header (magic, page size) and, when the header's
    page count is valid, page count x page size against the file size. A small file, a file
    changed by anything but cardcli (size, mtime, inode, a leftover WAL) or a failed check gets
    the full ``PRAGMA quick_check``.
    """
    key = _file_key(path)
    if key is None or key[0] < FULL_CHECK_BELOW:
        return True
    try:
        with open(path, "rb") as f:
            head = f.read(100)
        side = json.loads(_verified_path(path).read_text())
    except (OSError, ValueError):
        return True
    if len(head) < 100 or not head.startswith(b"SQLite format 3\x00"):
        return True
    page = int.from_bytes(head[16:18], "big")
    page = 65536 if page == 1 else page
    pages = int.from_bytes(head[28:32], "big")
    if head[24:28] == head[92:96] and pages * page != key[0]:
        return True
    return not (isinstance(side, dict) and side.get("file") == list(key) and side.get("wal") == _wal_size(path))


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


def _error(path: Path, e: sqlite3.Error, lost: str = "") -> StoreError:
    """One line for an SQLite failure: what happened, what it cost (``lost``), what to do."""
    name = getattr(e, "sqlite_errorname", "") or ""
    text = str(e).lower()
    if name == "SQLITE_FULL" or "disk is full" in text:
        what = "cannot be written: the disk is full"
        todo = "free some disk space and try again (the history itself is intact)"
    elif name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")) or "not a database" in text or "malformed" in text:
        what = "is not a readable cardcli database (corrupt or another file)"
        todo = "cardcli has not changed it: move it aside to start a fresh history; your decks are untouched"
    elif name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text or "busy" in text:
        what = "is locked by another program"
        todo = "close other cardcli sessions (or whatever holds it) and try again"
    elif (name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH"))
          or "readonly" in text or "unable to open" in text or "permission" in text):
        what = "cannot be opened for writing"
        todo = "check the permissions of the file and its folder (or set CARDCLI_HOME elsewhere)"
    else:
        what = f"failed ({' '.join(str(e).split())[:100]})"
        todo = "try again; if it keeps failing, check the disk"
    return StoreError(f"review history {path} {what}; {lost + '; ' if lost else ''}{todo}")
