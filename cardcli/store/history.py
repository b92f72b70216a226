"""Store: an open review history (opening, transactions, every write, and the reads of the log,
mock exams and settings; the card-state reads are :mod:`cardcli.store.state_reads`). Connection
settings (busy timeout, retries on a locked file) live here too.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from cardcli.scheduler import CardState, replay_states
from cardcli.store.errors import StoreError, _error
from cardcli.store.integrity import _check_file, _file_key, _mark_verified
from cardcli.store.records import (
    _REVIEW_COLS,
    _STATE_COLS,
    _STATE_MARKS,
    _TIME_GLOB,
    MemoryModel,
    MockExamRecord,
    ReviewRecord,
    _iso,
    _policy_json,
    _review_from_row,
    _state_json,
    _state_values,
    _utc,
)
from cardcli.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from cardcli.store.state_reads import StateReads

__all__ = ["Store", "BUSY_TIMEOUT_MS", "SITTING"]

#: ``mock_exams.stopped`` of an exam being sat (its answers so far committed, its end not yet)
SITTING = "sitting"


#: how long a statement waits for another connection's lock before "locked" (also the retry budget at open)
BUSY_TIMEOUT_MS = 5000


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)


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


class Store(StateReads):
    """An open review history. Use :meth:`Store.open`. Its card-state reads are
    :class:`~cardcli.store.state_reads.StateReads`."""

    def __init__(self, con: sqlite3.Connection, path: Path):
        self._con = con
        self.path = path
        self._left: tuple | None = None  # the file's key after this connection's last write
        self.read_only: str | None = None  # why it was opened read-only (open_for_reading), if it was

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
            _check_file(con, path)  # reads only
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

    @classmethod
    def open_for_reading(cls, path: Path | None = None) -> Store:
        """:meth:`open`, or, when the history cannot be written because the disk is full (or a
        file-size limit is set), the same file opened read-only, so ``stats`` and ``due`` still
        show it (:attr:`read_only` then says why). Any other failure is raised as by :meth:`open`."""
        try:
            return cls.open(path)
        except StoreError as e:
            if "disk is full" not in str(e) and "file-size limit" not in str(e):
                raise
            failure = e
        if path is None:
            from cardcli.paths import db_path

            path = db_path()
        path = Path(path)
        wal = path.with_name(path.name + "-wal")
        # read-only through the WAL index when SQLite can map it; else, when no write is waiting in the
        # WAL, the file alone is the whole history: read it as immutable (nothing to create, no lock)
        modes = ["mode=ro"] + (["mode=ro&immutable=1"] if not wal.exists() or wal.stat().st_size == 0 else [])
        con = None
        for mode in modes:
            try:
                con = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True, isolation_level=None,
                                      timeout=BUSY_TIMEOUT_MS / 1000)
                con.execute("SELECT count(*) FROM sqlite_master").fetchone()
                break
            except sqlite3.Error:
                if con is not None:
                    con.close()
                con = None
        if con is None:
            raise failure
        try:
            if (con.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION
                    or con.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID):
                raise failure
            con.execute("SELECT count(*) FROM card_state").fetchone()
        except sqlite3.Error:
            con.close()
            raise failure from None
        except BaseException:
            con.close()
            raise
        store = cls(con, path)
        store.read_only = str(failure)
        return store

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

    def _migrate(self) -> None:
        def current() -> bool:
            return (self._con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
                    and self._con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID)

        if current():
            return
        from cardcli.progress import progress

        with self._tx("nothing was changed") as con:  # re-read inside the lock: another process may have migrated
            version = con.execute("PRAGMA user_version").fetchone()[0]
            # a bar only for a history big enough to take a while (and only on a terminal)
            with progress("Upgrading the review history", len(MIGRATIONS) - version,
                          show=self.path.stat().st_size > 20 * 2**20) as advance:
                for _name, step in MIGRATIONS[version:]:
                    step(con)
                    advance(1)
            con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            con.execute(f"PRAGMA application_id = {APPLICATION_ID}")  # also for files from before _m3

    @property
    def schema_version(self) -> int:
        return self._read("PRAGMA user_version")[0][0]

    def _review(self, row: tuple) -> ReviewRecord:
        try:
            return _review_from_row(row)
        except (ValueError, TypeError, KeyError, AttributeError) as e:
            raise self._bad_row(f"review {row[0]}", e) from None

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
            cur = _insert_mock(con, exam)
            for r in answers:
                current = self._current(con, r.card_id)
                _insert_review(con, r, current)
                _put_state(con, apply_rating(current, r.rating, r.reviewed_at, card_id=r.card_id, policy=r.policy),
                           r.deck)
            return _row_id(cur)

    def import_reviews(self, reviews: Sequence[tuple[ReviewRecord, str]]) -> list[ReviewRecord]:
        """Append reviews made elsewhere, each with its unique ``source`` (e.g. ``anki:<revlog id>``),
        and replay the cards they touch, in one transaction. Returns the reviews added.

        A review whose source is already in the log is skipped, so importing the same file twice adds
        nothing. Each touched card's state is then replayed from its first non-cram review in time
        order (ties in log order) with :func:`cardcli.scheduler.review`, exactly as its ratings were
        given, and every row's undo snapshot (``state_before``) is rewritten to match.
        """
        added: list[ReviewRecord] = []
        with self._tx("nothing was imported") as con:
            for review, source in reviews:
                if con.execute("SELECT 1 FROM reviews WHERE source = ?", (source,)).fetchone():
                    continue
                _insert_review(con, review, None, source)
                added.append(review)
            for card_id in dict.fromkeys(r.card_id for r in added):
                later = [self._review(r) for r in con.execute(
                    f"SELECT {_REVIEW_COLS} FROM reviews WHERE card_id = ? AND kind != 'cram' "
                    "ORDER BY reviewed_at, id", (card_id,))]
                state: CardState | None = None
                steps = [(r.rating, r.reviewed_at, r.policy) for r in later]
                for r, after in zip(later, replay_states(card_id, steps, None), strict=True):
                    con.execute("UPDATE reviews SET state_before = ? WHERE id = ?", (_state_json(state), r.id))
                    state = after
                if state is not None:
                    _put_state(con, state, later[-1].deck)
        return added

    def kind_counts(self) -> dict[str, int]:
        """Reviews per kind (``review``, ``cram``, ``quiz``, ``mock``, ``anki``), on the kind index."""
        return {k: int(n) for k, n in self._read("SELECT kind, count(*) FROM reviews GROUP BY kind")}

    # -- a mock exam written as it is sat -----------------------------------------------------
    def begin_mock_exam(self, exam: MockExamRecord) -> int:
        """Insert the exam's row as it starts (``stopped`` = :data:`SITTING`); returns its id.
        Each answer then commits on its own (:meth:`record_mock_answer`), the end completes the
        row (:meth:`finish_mock_exam`); a sitting killed before it is closed by
        :meth:`close_abandoned_mock_exams` on a later run."""
        with self._tx("the mock exam was not started") as con:
            return _row_id(_insert_mock(con, replace(exam, stopped=SITTING)))

    def record_mock_answer(self, exam_id: int, progress: MockExamRecord, answer: ReviewRecord) -> int:
        """One answer of a sitting, in one transaction: its log row (moving its card's state from
        the state committed now, as :meth:`record` does) and the exam row's score so far."""
        from cardcli.scheduler import review as apply_rating

        with self._tx("the answer was not saved") as con:
            current = self._current(con, answer.card_id)
            rid = _insert_review(con, answer, current)
            _put_state(con, apply_rating(current, answer.rating, answer.reviewed_at, card_id=answer.card_id,
                                         policy=answer.policy), answer.deck)
            _update_mock(con, exam_id, replace(progress, stopped=SITTING))
            return rid

    def finish_mock_exam(self, exam_id: int, summary: MockExamRecord) -> None:
        """Complete the exam's row: its end, final score, per-topic and per-question details."""
        with self._tx("the mock exam's end was not saved") as con:
            _update_mock(con, exam_id, summary)

    def close_abandoned_mock_exams(self, now: datetime) -> int:
        """Close every sitting whose time ran out without its end being written (the process was
        killed, the machine went down): ``stopped`` becomes ``'cut off'``; the answers it had
        committed stay. A sitting still within its time may be running in another window and is
        left alone. Returns how many were closed."""
        from datetime import timedelta

        rows = self._read("SELECT id, started_at, minutes FROM mock_exams WHERE stopped = ?", (SITTING,))
        gone = [r[0] for r in rows
                if _utc(datetime.fromisoformat(r[1])) + timedelta(minutes=int(r[2]) + 1) <= now]
        if gone:
            with self._tx("nothing was changed") as con:
                con.executemany("UPDATE mock_exams SET stopped = 'cut off' WHERE id = ? AND stopped = ?",
                                [(i, SITTING) for i in gone])
        return len(gone)

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
            if con.execute("SELECT 1 FROM reviews WHERE card_id = ? AND kind = 'anki' LIMIT 1",
                           (rec.card_id,)).fetchone():
                # reviews imported from Anki were replayed in time order (import_reviews): "later" is in time
                later = [self._review(r) for r in con.execute(
                    f"SELECT {_REVIEW_COLS} FROM reviews WHERE card_id = ? AND kind != 'cram' "
                    "AND (reviewed_at > ? OR (reviewed_at = ? AND id > ?)) ORDER BY reviewed_at, id",
                    (rec.card_id, _iso(rec.reviewed_at), _iso(rec.reviewed_at), review_id),
                )]
            else:
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

    def recent_answers(self, n: int) -> list[tuple[str, datetime, int | None, bool]]:
        """(card_id, reviewed_at, duration_ms, first rating of the card?) of the last ``n`` study
        ratings (kinds 'review' and 'cram'), oldest first: the user's own pace (:mod:`cardcli.today`)."""
        # ``+kind``: walk the primary key newest first and stop after n rows; through the kind index
        # SQLite would read and sort every review (about a second on a million reviews)
        rows = self._read("SELECT card_id, reviewed_at, duration_ms, state_before IS NULL AND kind = 'review' "
                          "FROM reviews WHERE +kind IN ('review', 'cram') ORDER BY id DESC LIMIT ?", (int(n),))
        try:
            return [(c, datetime.fromisoformat(at), None if d is None else int(d), bool(f))
                    for c, at, d, f in reversed(rows)]
        except (ValueError, TypeError) as e:
            raise self._bad_row("a review date", e) from None

    def rating_stats(self) -> list[tuple[str, str, int, int]]:
        """(card_id, deck, ratings, ratings recalled: 3-5) per card and deck logged, for retention figures.

        Read from ``review_totals``, which triggers on ``reviews`` keep equal to
        ``SELECT card_id, deck, count(*), sum(rating >= 3) FROM reviews GROUP BY card_id, deck``.
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


def _insert_review(con: sqlite3.Connection, review: ReviewRecord, before: CardState | None,
                   source: str | None = None) -> int:
    cur = con.execute(
        """INSERT INTO reviews (card_id, deck, reviewed_at, rating, duration_ms, correct,
               problem_seed, problem_params, kind, state_before, mistake, policy, source)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            review.card_id, review.deck, _iso(review.reviewed_at), review.rating,
            review.duration_ms, None if review.correct is None else int(review.correct),
            review.problem_seed,
            None if review.problem_params is None else json.dumps(review.problem_params, default=str),
            review.kind, _state_json(before), review.mistake, _policy_json(review.policy), source,
        ),
    )
    return _row_id(cur)


def _put_state(con: sqlite3.Connection, st: CardState, deck: str) -> None:
    updates = ", ".join(f"{c} = excluded.{c}" for c in _STATE_COLS.split(", ")[1:])
    con.execute(
        f"""INSERT INTO card_state ({_STATE_COLS}, deck) VALUES ({_STATE_MARKS}, ?)
            ON CONFLICT (card_id) DO UPDATE SET {updates}, deck = excluded.deck""",
        (*_state_values(st), deck),
    )


def _mock_values(exam: MockExamRecord) -> tuple:
    return (_iso(exam.started_at), _iso(exam.finished_at), int(exam.seed), exam.template, float(exam.score),
            int(exam.max), int(exam.minutes), exam.stopped, json.dumps(exam.topics),
            json.dumps(exam.questions, default=str))


def _row_id(cur: sqlite3.Cursor) -> int:
    """The id of the row the cursor's INSERT added (sqlite3 sets it after every INSERT)."""
    assert cur.lastrowid is not None
    return int(cur.lastrowid)


def _insert_mock(con: sqlite3.Connection, exam: MockExamRecord) -> sqlite3.Cursor:
    return con.execute(
        """INSERT INTO mock_exams (started_at, finished_at, seed, template, score, max, minutes,
               stopped, topics, questions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", _mock_values(exam))


def _update_mock(con: sqlite3.Connection, exam_id: int, exam: MockExamRecord) -> None:
    con.execute(
        """UPDATE mock_exams SET started_at = ?, finished_at = ?, seed = ?, template = ?, score = ?, max = ?,
               minutes = ?, stopped = ?, topics = ?, questions = ? WHERE id = ?""", (*_mock_values(exam), exam_id))
