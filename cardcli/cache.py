"""A parse cache for deck files, so a large deck seen before loads without re-parsing YAML.

Each deck file's validated result (the deck and its issues) is stored in
``<state dir>/cache/`` under a name derived from the file's resolved path. An entry is used only
when the file's size, modification time and inode change time all equal those recorded with it
(and the cardcli version is the same), so an edited deck is always re-parsed: the cache is never
stale. It is safe to delete at any time; an unreadable entry is ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from cardcli import __version__
from cardcli.errors import DeckIssue
from cardcli.gcpause import paused_gc
from cardcli.model import Deck

__all__ = ["cache_dir", "cached_load"]

_FORMAT = 3  # 3: strings made terminal-safe and size limits checked at load (issue 10)
#: files smaller than this are parsed directly (cheaper than a cache round trip)
MIN_SIZE = 256 * 1024


def cache_dir() -> Path:
    from cardcli.paths import state_dir

    return state_dir() / "cache"


def _key(given: Path, resolved: Path, st: os.stat_result) -> tuple:
    return (_FORMAT, __version__, str(given), str(resolved), st.st_size, st.st_mtime_ns, st.st_ctime_ns,
            st.st_ino)


def _entry(path: Path) -> Path:
    digest = hashlib.sha1(str(path).encode("utf-8", "surrogatepass")).hexdigest()[:20]
    return cache_dir() / f"deck-{digest}.pickle"


def cached_load(path: Path, bundled: bool, load) -> tuple[Deck | None, list[DeckIssue]]:
    """``load(path, bundled)`` through the cache. Small files skip the cache (parsing is cheaper)."""
    try:
        resolved = path.resolve()
        st = resolved.stat()
    except OSError:
        return load(path, bundled)
    if st.st_size < MIN_SIZE:
        return load(path, bundled)
    key = _key(path, resolved, st)
    entry = _entry(resolved)
    try:
        with open(entry, "rb") as f, paused_gc():
            stored_key, result = pickle.load(f)
        if stored_key == key:
            return result
    except Exception:  # missing, truncated, from another version: just re-parse
        pass
    result = load(path, bundled)
    _store(entry, key, result)
    return result


def _store(entry: Path, key: tuple, result: tuple) -> None:
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump((key, result), f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, entry)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass  # a read-only state dir only costs speed
