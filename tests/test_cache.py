"""The parse cache: used when a file is unchanged, never stale, safe to delete or corrupt."""

from __future__ import annotations

import os

import pytest

from cardcli import cache
from cardcli.loader import load_collection

DECK = "deck: Cached\nsource: s\ncards:\n  - {{id: c-1, topic: conv, front: '{front}', back: b}}\n"


@pytest.fixture(autouse=True)
def _cache_everything(monkeypatch):
    monkeypatch.setattr(cache, "MIN_SIZE", 0)


def calls(monkeypatch):
    counter = {"n": 0}
    real = cache._store

    def spy(*args):
        counter["n"] += 1
        return real(*args)

    monkeypatch.setattr(cache, "_store", spy)
    return counter


def test_second_load_comes_from_cache_and_is_equal(tmp_path, monkeypatch):
    p = tmp_path / "d.yaml"
    p.write_text(DECK.format(front="first"))
    stores = calls(monkeypatch)
    a = load_collection([p], include_bundled=False)
    b = load_collection([p], include_bundled=False)
    assert stores["n"] == 1  # parsed once, then served from the cache
    assert a.decks == b.decks and a.cards[0].front == "first"
    assert list(cache.cache_dir().glob("deck-*.pickle"))


def test_edit_with_same_size_is_never_stale(tmp_path):
    p = tmp_path / "d.yaml"
    p.write_text(DECK.format(front="AAAAA"))
    assert load_collection([p], include_bundled=False).cards[0].front == "AAAAA"
    st = p.stat()
    p.write_text(DECK.format(front="BBBBB"))  # same size
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))  # even with the old mtime restored
    assert load_collection([p], include_bundled=False).cards[0].front == "BBBBB"


def test_deleting_or_corrupting_the_cache_is_safe(tmp_path):
    p = tmp_path / "d.yaml"
    p.write_text(DECK.format(front="x"))
    load_collection([p], include_bundled=False)
    (entry,) = cache.cache_dir().glob("deck-*.pickle")
    entry.write_bytes(b"garbage")
    assert load_collection([p], include_bundled=False).cards[0].front == "x"
    for f in cache.cache_dir().iterdir():
        f.unlink()
    assert load_collection([p], include_bundled=False).cards[0].front == "x"


def test_issues_are_cached_too(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("deck: X\nsource: s\ncards:\n  - {id: a, topic: nope, front: f, back: b}\n")
    first = load_collection([p], include_bundled=False).issues
    second = load_collection([p], include_bundled=False).issues
    assert first == second and "unknown topic 'nope'" in first[0].message
