"""The card-state reads of a review history: every state, states on demand, and the due cards
ranked for study (in SQLite, or as their ranking columns). :class:`StateReads` is mixed into
:class:`~cardcli.store.Store`, which owns the connection.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from itertools import repeat
from pathlib import Path

from cardcli.scheduler import Brief, CardState, micros
from cardcli.scheduler.states import CardStates, LoadedStates
from cardcli.store.errors import StoreError, _error
from cardcli.store.records import _STATE_COLS, _iso, _state_from_row
from cardcli.store.state_index import StateIndex

__all__ = ["StateReads"]

#: rows fetched past ``k`` by :meth:`StateReads.due_ranking` to find the cards that tie with the k-th
_TIE_ROWS = 32


class StateReads:
    """The card-state reads of :class:`~cardcli.store.Store` (its connection and path)."""

    _con: sqlite3.Connection
    path: Path

    def _read(self, sql: str, params: tuple = ()) -> list[tuple]:
        try:
            return self._con.execute(sql, params).fetchall()
        except sqlite3.Error as e:
            raise _error(self.path, e) from None

    def load_states(self) -> LoadedStates:
        """Every card's state, in one query (decoded with the cyclic GC paused: see gcpause)."""
        from cardcli.gcpause import paused_gc

        with paused_gc():
            rows = self._read(f"SELECT {_STATE_COLS} FROM card_state")
            return LoadedStates({row[0]: self._state(row) for row in rows})

    def state_index(self) -> StateIndex:
        """The card states, read on demand (see :class:`StateIndex`): what study and due use."""
        return StateIndex(self)

    def card_states(self, on_demand: bool) -> CardStates:
        """The card states through the one interface: read on demand (a plain study or due on a
        big history) or every state loaded (exam readiness, cram, stats)."""
        return self.state_index() if on_demand else self.load_states()

    def state_ids(self) -> set[str]:
        """The ids of the cards with a state (one query on the primary key).

        One JSON array rather than a row per card: SQLite builds it from the covering index and
        json.loads makes the strings in C, about half the time on 100k cards (JSON text is exact
        for any id)."""
        try:
            text = self._con.execute("SELECT json_group_array(card_id) FROM card_state").fetchone()[0]
        except sqlite3.OperationalError:  # an SQLite without JSON (before 3.38), or an error _read reports
            return {r[0] for r in self._read("SELECT card_id FROM card_state")}
        return set(json.loads(text))

    def due_briefs(self, horizon: datetime) -> dict[str, Brief]:
        """The ranking columns (due, last review, stability) of every card due before ``horizon``.

        The times come as whole microseconds from the ``due_us``/``last_us`` columns SQLite
        generates from the text (read from the study index: no date is parsed); on a file made
        where SQLite had no generated columns (before 3.31), from the text."""
        try:
            # a text that is no time gives no number: coalesce shows the text, refused below
            rows = self._con.execute(
                "SELECT card_id, coalesce(due_us, due), coalesce(last_us, last_review), stability FROM card_state "
                "WHERE due < ?", (_iso(horizon),)).fetchall()
            numbers = True
        except sqlite3.OperationalError as e:
            if "due_us" not in str(e):
                raise _error(self.path, e) from None
            rows = self._read("SELECT card_id, due, last_review, stability FROM card_state WHERE due < ?",
                              (_iso(horizon),))
            numbers = False
        except sqlite3.Error as e:
            raise _error(self.path, e) from None
        if not rows:
            return {}
        # column by column, the named tuples made by map and zip in C (tens of thousands of due
        # cards on a big history)
        ids, dues, lasts, stabilities = zip(*rows)
        if numbers:
            if not set(map(type, dues)) <= {int} or not set(map(type, lasts)) <= {int, type(None)}:
                bad = next(r for r in rows if type(r[1]) is not int or type(r[2]) not in (int, type(None)))
                text = bad[1] if type(bad[1]) is not int else bad[2]
                raise self._bad_row(f"the state of card {bad[0]!r}", ValueError(f"not a time: {text!r:.40}"))
        else:
            parse = datetime.fromisoformat  # canonical UTC text (see _iso): already UTC
            try:
                dues = tuple(map(micros, map(parse, dues)))
                lasts = tuple(None if t is None else micros(parse(t)) for t in lasts)
            except (ValueError, TypeError) as e:
                bad = next(r[0] for r in rows if not _parses(r[1]) or (r[2] is not None and not _parses(r[2])))
                raise self._bad_row(f"the state of card {bad!r}", e) from None
        return dict(zip(ids, map(tuple.__new__, repeat(Brief), zip(dues, lasts, stabilities))))

    def due_ranking(self, horizon: datetime, now_us: int, decay: float, factor: float,
                    k: int) -> tuple[int, list[tuple[str, float, int]]] | None:
        """The cards due before ``horizon`` most forgotten at ``now_us``: (how many are due, the
        first ``k`` of them as (card id, predicted recall, due in microseconds), lowest recall then
        earliest due first, with every card that ties with the last one). None when SQLite cannot
        do it here (no generated time columns, no ``pow``) or a row is not as cardcli writes it:
        the caller then ranks :meth:`due_briefs` itself.

        The recall is the forgetting curve of :mod:`cardcli.scheduler` (``(1 + factor * days /
        stability) ** decay``, days = whole microseconds / US_PER_DAY, never below 0; 0 with no
        stability) in the same floating-point operations in the same order, so SQLite's value is
        the float the scheduler computes (tests hold them equal); only the ``k`` rows become Python
        objects, where :meth:`due_briefs` makes one per due card (tens of thousands).
        """
        at = _iso(horizon)
        sql = ("SELECT card_id, CASE WHEN stability IS NULL OR last_us IS NULL THEN 0.0 "
               "ELSE pow(1 + :factor * max(0.0, (:now - last_us) / 86400000000.0) / stability, :decay) END AS r, "
               "due_us FROM card_state WHERE due < :horizon ORDER BY r, due_us LIMIT :k")
        try:
            # with the count, the rows whose text SQLite could not read as a time (a hand-edited
            # file): if any, due_briefs names the first in its one-line error
            count, bad = self._con.execute(
                "SELECT count(*), total(due_us IS NULL OR (last_review IS NOT NULL AND last_us IS NULL)) "
                "FROM card_state WHERE due < ?", (at,)).fetchone()
            if bad:
                return None
            rows = self._con.execute(sql, {"factor": factor, "now": now_us, "decay": decay, "horizon": at,
                                           "k": k + _TIE_ROWS}).fetchall()
        except sqlite3.OperationalError as e:
            if "due_us" in str(e) or "last_us" in str(e) or "pow" in str(e):
                return None
            raise _error(self.path, e) from None
        except sqlite3.Error as e:
            raise _error(self.path, e) from None
        if not all(type(r[1]) is float and type(r[2]) is int for r in rows):
            return None  # not as cardcli writes it: due_briefs says which
        if len(rows) > k:
            last = rows[k - 1][1:]
            rows = rows[:k] + [r for r in rows[k:] if r[1:] == last]
            if len(rows) == k + _TIE_ROWS:  # more ties than fetched: rank them all the long way
                return None
        return count, rows

    def due_ids(self, until: datetime) -> set[str]:
        """The ids of the cards due at or before ``until`` (one JSON array from the due index)."""
        try:
            text = self._con.execute("SELECT json_group_array(card_id) FROM card_state WHERE due <= ?",
                                     (_iso(until),)).fetchone()[0]
        except sqlite3.OperationalError:  # an SQLite without JSON, or an error _read reports
            return {r[0] for r in self._read("SELECT card_id FROM card_state WHERE due <= ?", (_iso(until),))}
        return set(json.loads(text))

    def states_by_due(self, since: datetime | None) -> Iterator[tuple[str, datetime]]:
        """(card id, due time) of the stored states due at or after ``since`` (all when None),
        earliest first, read lazily through the ``due`` index; SQLite errors as StoreError."""
        try:
            cur = self._con.execute("SELECT card_id, due FROM card_state WHERE due >= ? ORDER BY due",
                                    ("" if since is None else _iso(since),))
            try:
                for cid, text in cur:
                    try:
                        due = datetime.fromisoformat(text)
                    except (ValueError, TypeError) as e:
                        raise self._bad_row("a due time", e) from None
                    yield cid, due
            finally:
                cur.close()
        except sqlite3.Error as e:
            raise _error(self.path, e) from None

    def load_state(self, card_id: str) -> CardState | None:
        rows = self._read(f"SELECT {_STATE_COLS} FROM card_state WHERE card_id = ?", (card_id,))
        return self._state(rows[0]) if rows else None

    def _state(self, row: tuple) -> CardState:
        try:
            return _state_from_row(row)
        except (ValueError, TypeError, KeyError, AttributeError) as e:
            raise self._bad_row(f"the state of card {row[0]!r}", e) from None

    def _bad_row(self, what: str, e: Exception) -> StoreError:
        detail = " ".join(f"{type(e).__name__}: {e}".split())[:100]
        return StoreError(f"review history {self.path}: {what} is unreadable ({detail}); cardcli has not "
                          "changed the file: restore a backup, or move it aside to start a fresh history")


def _parses(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except (ValueError, TypeError):
        return False
    return True
