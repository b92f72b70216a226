"""Reading an Anki collection (a foreign SQLite file): its tables, notes and review log.

The one place cardcli runs SQL on a file it did not write: ``cardcli import-reviews`` hands it a
temporary copy (the user's file is never opened), and it only reads.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

__all__ = ["AnkiCollectionError", "read_collection"]


class AnkiCollectionError(Exception):
    """The file is not an SQLite database, or not one Anki wrote (the message says which)."""


def read_collection(db: Path) -> tuple[set[str], dict[int, str], list[tuple[int, int, int, int, int]]]:
    """The table names, ``{note id: guid}`` and the review log as ``(review id, note id, ease,
    milliseconds taken, review type)`` rows, oldest first. Without the notes, cards and revlog
    tables only the table names are read."""
    try:
        con = sqlite3.connect(str(db))
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"notes", "cards", "revlog"} <= tables:
                return tables, {}, []
            guids = {int(nid): str(guid) for nid, guid in con.execute("SELECT id, guid FROM notes")}
            rows = [(int(rid), int(nid), int(ease), int(taken or 0), int(kind)) for rid, nid, ease, taken, kind in
                    con.execute("SELECT r.id, c.nid, r.ease, r.time, r.type FROM revlog r "
                                "JOIN cards c ON c.id = r.cid ORDER BY r.id")]
        finally:
            con.close()
    except sqlite3.DatabaseError as e:
        raise AnkiCollectionError(" ".join(str(e).split())[:80]) from None
    return tables, guids, rows
