"""StoreError and the one-line message for an SQLite failure (what happened, what it cost, what to do)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from cardcli.errors import CardcliError

__all__ = ["StoreError"]


class StoreError(CardcliError):
    """The review history cannot be read or written."""


def _disk_full(path: Path) -> bool:
    """No space left for this user on the file system of ``path``'s folder."""
    import os

    try:
        st = os.statvfs(path.parent if path.parent.exists() else Path.cwd())
    except (OSError, AttributeError):
        return False
    return st.f_bavail * st.f_frsize < 64 * 1024


def _size_limit() -> int | None:
    """The file-size limit (``ulimit -f``) in bytes, if there is one."""
    try:
        import resource

        soft, _hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    except (ImportError, OSError, ValueError, AttributeError):
        return None
    return None if soft == resource.RLIM_INFINITY else int(soft)


def _error(path: Path, e: sqlite3.Error, lost: str = "") -> StoreError:
    """One line for an SQLite failure: what happened, what it cost (``lost``), what to do.

    SQLite reports a full disk met while growing its shared-memory or journal file, and a write
    refused by the file-size limit (``EFBIG``), as a plain "disk I/O error": those are told apart
    here by looking at the file system's free space and at ``ulimit -f``.
    """
    name = getattr(e, "sqlite_errorname", "") or ""
    text = str(e).lower()
    io_error = name.startswith("SQLITE_IOERR") or "disk i/o error" in text
    limit = _size_limit() if (io_error or name == "SQLITE_FULL") else None
    if (io_error or name == "SQLITE_FULL") and limit is not None and limit < 1 << 40:
        what = f"cannot be written: a file-size limit of {limit:,} bytes is set (`ulimit -f`)"
        todo = "raise the limit (`ulimit -f unlimited`) and try again (the history itself is intact)"
    elif name == "SQLITE_FULL" or "disk is full" in text or (io_error and _disk_full(path)):
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
