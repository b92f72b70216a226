"""What is checked before the first write: the file's integrity and identity.

Cheap header checks always; ``PRAGMA quick_check`` (O(file size)) for files under
:data:`FULL_CHECK_BELOW` and for any file not exactly as cardcli last left it, which a ``.verified``
sidecar records (size, mtime, inode and WAL size) when a session closes a file its own last commit left.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from cardcli.store.errors import StoreError
from cardcli.store.schema import APPLICATION_ID, SCHEMA_VERSION

__all__ = ["FULL_CHECK_BELOW", "VERIFIED_SUFFIX"]


#: the tables by which a history made before APPLICATION_ID was set is recognised
_OWN_TABLES = frozenset({"reviews", "card_state"})
#: a file smaller than this always gets the full ``PRAGMA quick_check`` at open (milliseconds at
#: this size); a bigger one only when it is not as cardcli last left it (see _needs_full_check)
FULL_CHECK_BELOW = 8 << 20
#: suffix of the sidecar recording the file as cardcli last left it (size, mtime, inode)
VERIFIED_SUFFIX = ".verified"


def _check_file(con: sqlite3.Connection, path: Path) -> None:
    """Integrity and identity, before anything is written: StoreError if either fails."""
    problems = [row[0] for row in con.execute("PRAGMA quick_check").fetchall()] if (
        _needs_full_check(path)) else ["ok"]
    if problems != ["ok"]:
        lines = [ln.strip() for row in problems for ln in str(row).splitlines()
                 if ln.strip() and not ln.startswith("***")]  # "*** in database main ***"
        first = " ".join(lines[0].split())[:80] if lines else "failed"
        raise StoreError(
            f"review history {path} is damaged (SQLite integrity check: {first}); "
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
            f"{path} is not a cardcli review history (an SQLite file of another program); "
            "cardcli has not changed it: move it aside, or set CARDCLI_HOME to another folder"
        )
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: the review history has schema version {version}, newer than this "
            f"cardcli understands ({SCHEMA_VERSION}); upgrade cardcli"
        )


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
