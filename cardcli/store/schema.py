"""The schema: ordered, named migrations (``PRAGMA user_version`` counts those applied).

Entry i of :data:`MIGRATIONS` brings a file from version i to i + 1; a fresh file and an old one go
through the same path. A new migration goes at the end, with a descriptive name.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime

from cardcli.scheduler import CardState
from cardcli.store.errors import StoreError
from cardcli.store.records import _STATE_COLS, _STATE_MARKS, _TIME_GLOB, _state_values, _utc

__all__ = ["APPLICATION_ID", "MIGRATIONS", "SCHEMA_VERSION", "MIGRATION_BATCH"]


#: ``PRAGMA application_id`` of a cardcli history (the bytes "card")
APPLICATION_ID = 0x63617264


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
    # v1 kept no counters: derive them from the log it did keep. The index comes first: each card's
    # subqueries then seek its rows (linear in the log) instead of scanning the whole log per card.
    con.execute("CREATE INDEX reviews_card ON reviews (card_id, id)")
    con.execute(
        """UPDATE card_state SET
            reps = (SELECT count(*) FROM reviews r WHERE r.card_id = card_state.card_id),
            last_rating = (SELECT rating FROM reviews r WHERE r.card_id = card_state.card_id
                           ORDER BY reviewed_at DESC, id DESC LIMIT 1),
            first_review = (SELECT min(reviewed_at) FROM reviews r WHERE r.card_id = card_state.card_id),
            last_review = (SELECT max(reviewed_at) FROM reviews r WHERE r.card_id = card_state.card_id)"""
    )
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


def _m_review_source(con: sqlite3.Connection) -> None:
    """Where an imported review came from (``anki:<revlog id>``): importing a file twice adds nothing."""
    con.execute("ALTER TABLE reviews ADD COLUMN source TEXT")
    con.execute("CREATE UNIQUE INDEX reviews_source ON reviews (source) WHERE source IS NOT NULL")


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


def _m_recalled(con: sqlite3.Connection) -> None:
    """``review_totals.good`` counts the ratings recalled as the scheduler means it: 3-5 (FSRS Hard,
    Good, Easy; :data:`cardcli.scheduler.RECALLED_MIN`), no longer 4-5; the triggers likewise."""
    for name in ("review_totals_insert", "review_totals_delete", "review_totals_update"):
        con.execute(f"DROP TRIGGER IF EXISTS {name}")
    con.execute("DELETE FROM review_totals")
    con.execute("""INSERT INTO review_totals SELECT card_id, deck, count(*), sum(rating >= 3)
                   FROM reviews GROUP BY card_id, deck""")
    con.execute(
        """CREATE TRIGGER review_totals_insert AFTER INSERT ON reviews BEGIN
            INSERT INTO review_totals VALUES (new.card_id, new.deck, 1, new.rating >= 3)
            ON CONFLICT (card_id, deck) DO UPDATE SET n = n + 1, good = good + excluded.good;
        END"""
    )
    con.execute(
        """CREATE TRIGGER review_totals_delete AFTER DELETE ON reviews BEGIN
            UPDATE review_totals SET n = n - 1, good = good - (old.rating >= 3)
                WHERE card_id = old.card_id AND deck = old.deck;
            DELETE FROM review_totals WHERE card_id = old.card_id AND deck = old.deck AND n <= 0;
        END"""
    )
    con.execute(
        """CREATE TRIGGER review_totals_update AFTER UPDATE OF card_id, deck, rating ON reviews BEGIN
            UPDATE review_totals SET n = n - 1, good = good - (old.rating >= 3)
                WHERE card_id = old.card_id AND deck = old.deck;
            DELETE FROM review_totals WHERE card_id = old.card_id AND deck = old.deck AND n <= 0;
            INSERT INTO review_totals VALUES (new.card_id, new.deck, 1, new.rating >= 3)
            ON CONFLICT (card_id, deck) DO UPDATE SET n = n + 1, good = good + excluded.good;
        END"""
    )


def _us(column: str) -> str:
    """SQL for the canonical UTC text of ``column`` (see records._iso) as whole microseconds since
    the epoch: the whole seconds (no fraction, so SQLite cannot round them) and the six digits."""
    return (f"(CAST(strftime('%s', substr({column}, 1, 19)) AS INTEGER) * 1000000"
            f" + CAST(substr({column}, 21, 6) AS INTEGER))")


def _m_time_numbers(con: sqlite3.Connection) -> None:
    """The due time and the last review also as whole microseconds since the epoch, generated by
    SQLite from the text (so they can never disagree with it) and kept in the study index: ranking
    the due cards at every start reads numbers and parses no dates (a third of the ranking's time
    on a 100k-card history). An SQLite without generated columns (before 3.31) gets nothing: the
    store then reads the text, as before."""
    if sqlite3.sqlite_version_info < (3, 31, 0):
        return
    con.execute(f"ALTER TABLE card_state ADD COLUMN due_us INTEGER GENERATED ALWAYS AS ({_us('due')}) VIRTUAL")
    con.execute(f"ALTER TABLE card_state ADD COLUMN last_us INTEGER GENERATED ALWAYS AS ({_us('last_review')}) "
                "VIRTUAL")
    con.execute("DROP INDEX IF EXISTS card_state_due")
    # last_review stays in it: a text SQLite cannot read as a time (a file edited by hand) is seen
    # as such (coalesce(last_us, last_review) gives the text) without a read of the table
    con.execute("CREATE INDEX card_state_due ON card_state (due, card_id, last_us, stability, due_us, last_review)")


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
    ("rating totals count 3-5 as recalled (the scheduler's meaning)", _m_recalled),
    ("the source of an imported review (cardcli import-reviews), unique", _m_review_source),
    ("due and last review as microseconds (generated) in the study index", _m_time_numbers),
]
SCHEMA_VERSION = len(MIGRATIONS)
