"""StoreError and the one-line message for an SQLite failure (what happened, what it cost, what to do)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from cardcli.errors import CardcliError

__all__ = ["StoreError"]


class StoreError(CardcliError):
    """The review history cannot be read or written."""


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
