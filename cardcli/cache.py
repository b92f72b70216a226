"""A parse cache for deck files, so a large deck seen before loads without re-parsing YAML.

Each deck file's validated result (the deck and its issues) is stored in
``<state dir>/cache/`` as JSON, under a name derived from the file's resolved path. An entry is
used only when the file's size, modification time, inode change time and inode all equal those
recorded with it (and the cardcli version is the same), so an edited deck is always re-parsed:
the cache is never stale. It is safe to delete at any time; an unreadable entry is ignored and
rewritten.

The format is data only: reading an entry can never run code (the cache used to be pickle, which
runs whatever a planted file says; old ``*.pickle`` entries are never opened). Cards are stored
column by column (one JSON array per :class:`~cardcli.model.Card` field, or ``{"same": value}``
when every card has the same value), which ``json`` parses and ``map(Card, ...)`` rebuilds in a
fraction of the YAML parse; a text column with few distinct values (topics, groups) is stored as
``{"values": [...], "index": [...]}``, small integers JSON reads without making a string each. A
result that would not come back equal from JSON (e.g. a YAML date or a non-text mapping key in
``answer``) is simply not cached.
"""

from __future__ import annotations

import json
import os
import sys
import zlib
from itertools import repeat
from pathlib import Path
from typing import Any

from cardcli import __version__
from cardcli.errors import CardcliError, DeckIssue
from cardcli.gcpause import paused_gc
from cardcli.model import NO_MATRICES, Card, CardType, Deck

__all__ = ["cache_dir", "cached_load", "encode", "decode"]

_FORMAT = "cardcli-deck-cache/6"  # 6: few-valued text columns as an index into their values
#: files smaller than this are parsed directly (cheaper than a cache round trip). The bundled
#: decks (9-44 KB) are cached: in one process each, loading the five from the cache took 17-30 ms
#: against 120-250 ms to parse them (the largest single cost of `cardcli study`'s first card)
MIN_SIZE = 4 * 1024
#: a text column of at least this many cards with few distinct values is stored as indices
_CODED_MIN = 64
#: Card fields that must hold text in every card (checked when an entry is read)
_TEXT_FIELDS = ("id", "front", "topic", "deck", "file")
_TYPES = {t.value: t for t in CardType}


def cache_dir() -> Path:
    from cardcli.paths import state_dir

    return state_dir() / "cache"


def _key(given: Path, resolved: Path, st: os.stat_result) -> list:
    return [_FORMAT, __version__, str(given), str(resolved), st.st_size, st.st_mtime_ns, st.st_ctime_ns,
            st.st_ino]


def _entry(path: Path) -> Path:
    """The entry's file, named by two checksums of the deck's resolved path (zlib, already loaded:
    hashlib's OpenSSL module costs every start 2-3 ms). Two paths with one name would only take
    turns in it: the key inside says whose it is."""
    raw = _path_bytes(path)
    return cache_dir() / f"deck-{zlib.crc32(raw):08x}{zlib.adler32(raw):08x}.json"


def _path_bytes(path: Path) -> bytes:
    return str(path).encode("utf-8", "surrogatepass")  # any file name, undecodable bytes too


def cached_load(path: Path, bundled: bool, load) -> tuple[Deck | None, list[DeckIssue]]:
    """``load(path, bundled)`` through the cache. Small files skip the cache (parsing is cheaper)."""
    try:
        resolved = path.resolve()
        st = resolved.stat()
        if st.st_size < MIN_SIZE:
            return load(path, bundled)
        entry = _entry(resolved)
    except (OSError, CardcliError):  # e.g. CARDCLI_HOME is a file: the cache only costs speed
        return load(path, bundled)
    key = _key(path, resolved, st)
    try:
        with open(entry, "rb") as f, paused_gc():
            stored_key, result = decode(f.read())
        if stored_key == key:
            return result
    except Exception:  # missing, truncated, from another version, tampered with: just re-parse
        pass
    result = load(path, bundled)
    _store(entry, key, result, resolved)
    return result


# -- the format ------------------------------------------------------------------------------

def encode(key: list, result: tuple[Deck | None, list[DeckIssue]]) -> bytes:
    deck, issues = result
    payload = [_FORMAT, key, None if deck is None else _deck_json(deck),
               [[i.file, i.line, i.message] for i in issues]]
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=_refuse).encode("utf-8")


def decode(data: bytes) -> tuple[list, tuple[Deck | None, list[DeckIssue]]]:
    """(key, result) from an entry; ValueError (or another exception) if it is not one."""
    fmt, key, deck, issues = json.loads(data)
    if fmt != _FORMAT:
        raise ValueError("another cache format")
    return key, (None if deck is None else _deck(deck), [DeckIssue(str(f), int(n), str(m)) for f, n, m in issues])


def _refuse(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not cached")


def _deck_json(deck: Deck) -> dict:
    columns: list[Any] = []
    for i, name in enumerate(Card._fields):
        col: list[Any] = [c[i] for c in deck.cards]
        if name == "type":
            col = [t.value for t in col]
        first = col[0] if col else None
        if col and _plain(first) and all(type(v) is type(first) and v == first for v in col):
            columns.append({"same": first})
            continue
        values = list(dict.fromkeys(col)) if len(col) >= _CODED_MIN and set(map(type, col)) <= {str, type(None)} else []
        if 1 < len(values) <= len(col) // 8:  # few distinct texts (topics, groups): an index each
            code = {v: i for i, v in enumerate(values)}
            columns.append({"values": values, "index": [code[v] for v in col]})
        else:
            columns.append(col)
    return {"name": deck.name, "source": deck.source, "file": deck.file, "description": deck.description,
            "bundled": deck.bundled, "n": len(deck.cards), "columns": columns}


def _plain(v: Any) -> bool:
    """A value whose equality means identity once in JSON (so one copy can stand for all)."""
    return v is None or type(v) in (str, bool, int, float) or (type(v) in (tuple, dict) and not v)


def _deck(d: dict) -> Deck:
    n = d["n"]
    if not isinstance(n, int) or len(d["columns"]) != len(Card._fields):
        raise ValueError("bad deck entry")
    cols: dict[str, Any] = {}
    for name, col in zip(Card._fields, d["columns"]):
        if isinstance(col, dict) and "values" in col:
            values, index = col["values"], col["index"]
            if not (isinstance(values, list) and isinstance(index, list) and len(index) == n
                    and set(map(type, values)) <= ({str} if name in _TEXT_FIELDS else {str, type(None)})):
                raise ValueError(f"bad column {name}")
            if name == "topic":
                values = list(map(sys.intern, values))
            elif name == "type":
                values = list(map(_TYPES.__getitem__, values))
            # an index that is not an int in range raises (the entry is then re-parsed): a tampered
            # entry can only pick among the listed texts
            cols[name] = list(map(values.__getitem__, index))
            continue
        if isinstance(col, dict):
            value = col["same"]
            if name == "type":
                value = _TYPES[value]
            elif name in ("tags", "options"):
                value = tuple(value)
            elif name == "matrices" and not value:
                value = NO_MATRICES
            cols[name] = repeat(value, n)
            if name in _TEXT_FIELDS and not isinstance(value, str):
                raise ValueError(f"bad {name}")
            continue
        if not isinstance(col, list) or len(col) != n:
            raise ValueError(f"bad column {name}")
        if name in _TEXT_FIELDS and not set(map(type, col)) <= {str}:  # C-speed type check
            raise ValueError(f"bad {name}")
        if name == "type":
            col = list(map(_TYPES.__getitem__, col))
        elif name == "topic":
            col = list(map(sys.intern, col))
        elif name == "tags":
            col = [tuple(map(sys.intern, t)) for t in col]
        elif name == "options":
            col = list(map(tuple, col))
        elif name == "matrices":
            col = [m or NO_MATRICES for m in col]
        cols[name] = col
    # tuple.__new__ over zipped columns builds the named tuples without a Python-level call per card
    cards = tuple(map(tuple.__new__, repeat(Card), zip(*(cols[name] for name in Card._fields))))
    return Deck(str(d["name"]), str(d["source"]), str(d["file"]), cards, str(d["description"]),
                bool(d["bundled"]))


def _old_entry(path: Path) -> Path:
    """Where cardcli 0.1 before the zlib names kept this deck's entry (removed when it is rewritten)."""
    import hashlib

    return cache_dir() / f"deck-{hashlib.sha1(_path_bytes(path)).hexdigest()[:20]}.json"


def _store(entry: Path, key: list, result: tuple, path: Path) -> None:
    try:
        data = encode(key, result)
        if decode(data) != (key, result):  # not exactly representable: parse this file every time
            return
    except (TypeError, ValueError, OverflowError, RecursionError):
        return
    try:
        import tempfile  # only when an entry is written

        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, entry)
        except BaseException:
            os.unlink(tmp)
            raise
        entry.with_suffix(".pickle").unlink(missing_ok=True)  # this deck's entry from before JSON
        _old_entry(path).unlink(missing_ok=True)  # and from before the zlib names
    except OSError:
        pass  # a read-only state dir only costs speed
