"""The parse cache: used when a file is unchanged, never stale, safe to delete or corrupt."""

from __future__ import annotations

import os

import pytest

from cardcli import cache
from cardcli.loader import load_collection
from cardcli.model import CardType

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
    assert list(cache.cache_dir().glob("deck-*.json"))


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
    (entry,) = cache.cache_dir().glob("deck-*.json")
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


# -- the format cannot run code (issue 10, item 7) --------------------------------------------

class _Payload:
    """Unpickling this creates ``marker``: what a planted pickle could do (or worse)."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_planted_pickle_is_never_run(tmp_path):
    import pickle

    p = tmp_path / "d.yaml"
    p.write_text(DECK.format(front="real"))
    marker = tmp_path / "PWNED"
    entry = cache._entry(p.resolve())
    entry.parent.mkdir(parents=True, exist_ok=True)
    st = p.stat()
    bomb = pickle.dumps((("any-key",), _Payload(marker)))
    # at the old pickle name, and at the new name, for the current and the old key layout
    entry.with_suffix(".pickle").write_bytes(bomb)
    entry.write_bytes(bomb)
    col = load_collection([p], include_bundled=False)
    assert col.cards[0].front == "real"
    assert not marker.exists()
    data = entry.read_bytes()  # rewritten as a JSON entry
    assert data.startswith(b'["cardcli-deck-cache/') and b"real" in data
    assert not entry.with_suffix(".pickle").exists()  # the stale pickle is dropped, never opened
    assert st.st_size == p.stat().st_size
    assert load_collection([p], include_bundled=False).cards[0].front == "real" and not marker.exists()


def test_corrupted_or_tampered_entry_is_ignored_and_rewritten(tmp_path, monkeypatch):
    import json

    p = tmp_path / "d.yaml"
    p.write_text(DECK.format(front="x"))
    load_collection([p], include_bundled=False)
    (entry,) = cache.cache_dir().glob("deck-*.json")
    good = entry.read_bytes()
    doc = json.loads(good)
    bad_type = json.loads(good)
    bad_type[2]["columns"][1] = [12345]  # a front that is not text, under the right key
    stores = calls(monkeypatch)
    for n, broken in enumerate((good[: len(good) // 2], b"\xff\xfe", json.dumps(bad_type).encode(),
                                json.dumps([doc[0], doc[1], {"n": 5, "columns": []}, []]).encode()), 1):
        entry.write_bytes(broken)
        assert load_collection([p], include_bundled=False).cards[0].front == "x"
        assert stores["n"] == n and entry.read_bytes() == good  # re-parsed and rewritten


RICH = """deck: Rich
source: s
description: every field
cards:
  - {id: r-1, topic: conv, front: 'F1 «ü»', back: [one, two], tags: [a, b], group: g}
  - id: r-2
    topic: conv
    type: numeric
    front: f2
    back: b2
    answer: [[1, 2.5], [3, -4]]
    check: {fn: conv2d, args: {x: [[1]], w: [[1]], stride: 1}}
    matrices: {"X": [[1, 2], [3, 4]]}
    tolerance: 0.01
    erratum: doc says 3
    source: CS231n notes
  - {id: r-3, topic: conv, type: truefalse, front: f3, back: b3, answer: true, disputed: ambiguous}
  - {id: r-4, topic: conv, type: choice, front: f4, back: b4, options: [x, 'y', 3], answer: 3}
  - {id: r-5, topic: nope, front: f5, back: b5}
"""


def test_every_card_field_round_trips_exactly(tmp_path):
    p = tmp_path / "rich.yaml"
    p.write_text(RICH)
    parsed = load_collection([p], include_bundled=False, use_cache=False)
    first = load_collection([p], include_bundled=False)
    second = load_collection([p], include_bundled=False)  # from the JSON entry
    assert list(cache.cache_dir().glob("deck-*.json"))
    assert second.decks == parsed.decks == first.decks and second.issues == parsed.issues
    cards = {c.id: c for c in second.cards}
    assert cards["r-1"].tags == ("a", "b") and cards["r-1"].back == ["one", "two"]
    assert cards["r-2"].answer == [[1, 2.5], [3, -4]] and type(cards["r-2"].answer[0][1]) is float
    assert cards["r-4"].options == ("x", "y", "3") and cards["r-3"].answer is True
    assert [type(v) for v in (cards["r-1"].tags, cards["r-4"].options)] == [tuple, tuple]
    assert "unknown topic 'nope'" in second.issues[0].message


def test_values_json_cannot_hold_exactly_are_not_cached(tmp_path):
    p = tmp_path / "d.yaml"
    # a YAML date and an integer mapping key: JSON would change them, so this file is parsed each time
    p.write_text("deck: D\nsource: s\ncards:\n  - {id: n-1, topic: conv, type: numeric, front: f, back: b,"
                 " answer: {1: 2}, check: {fn: f, args: {when: 2024-01-02}}}\n")
    col = load_collection([p], include_bundled=False)
    assert col.cards[0].answer == {1: 2}
    assert not list(cache.cache_dir().glob("deck-*"))
    assert load_collection([p], include_bundled=False).cards[0].answer == {1: 2}


def test_few_valued_text_columns_are_stored_as_indices_and_checked(tmp_path, monkeypatch):
    """80 cards over three topics and four groups (some none): the entry holds each column's few
    values once and an index per card, comes back equal to the parse, and an index that is not an
    int in range (or values that are not text) makes the entry be re-parsed and rewritten."""
    import json

    lines = ["deck: Many\nsource: s\ncards:\n"]
    for i in range(80):
        group = "" if i % 5 == 0 else f", group: g{i % 4}"
        kind = ", type: truefalse, answer: true" if i % 7 == 0 else ""
        topic = ["conv", "pooling", "rnn"][i % 3]
        lines.append(f"  - {{id: m-{i}, topic: {topic}, front: f{i}, back: b{i}{group}{kind}}}\n")
    p = tmp_path / "many.yaml"
    p.write_text("".join(lines))
    parsed = load_collection([p], include_bundled=False, use_cache=False)
    load_collection([p], include_bundled=False)
    (entry,) = cache.cache_dir().glob("deck-*.json")
    good = entry.read_bytes()
    doc = json.loads(good)
    columns = dict(zip(cache.Card._fields, doc[2]["columns"]))
    assert columns["topic"]["values"] == ["conv", "pooling", "rnn"] and columns["topic"]["index"][:4] == [0, 1, 2, 0]
    assert set(columns["group"]["values"]) == {None, "g0", "g1", "g2", "g3"}
    assert columns["type"]["values"] == ["truefalse", "basic"]
    again = load_collection([p], include_bundled=False)
    assert again.decks == parsed.decks and [c.topic for c in again.cards][:3] == ["conv", "pooling", "rnn"]
    assert [c.type for c in again.cards][:2] == [CardType.truefalse, CardType.basic]
    stores = calls(monkeypatch)
    topic_at = cache.Card._fields.index("topic")
    for n, (where, bad) in enumerate([("index", 7), ("index", 1.0), ("values", [1, 2, 3])], 1):
        tampered = json.loads(good)
        coded = tampered[2]["columns"][topic_at]
        if where == "index":
            coded["index"][5] = bad
        else:
            coded["values"] = bad
        entry.write_bytes(json.dumps(tampered).encode())
        assert load_collection([p], include_bundled=False).decks == parsed.decks
        assert stores["n"] == n and entry.read_bytes() == good


def test_an_entry_under_the_old_sha1_name_is_removed_when_the_deck_is_cached_again(tmp_path):
    import hashlib

    p = tmp_path / "d.yaml"
    p.write_text(DECK.format(front="x"))
    old = cache.cache_dir() / f"deck-{hashlib.sha1(str(p.resolve()).encode()).hexdigest()[:20]}.json"
    old.parent.mkdir(parents=True, exist_ok=True)
    old.write_bytes(b"an entry from before")
    load_collection([p], include_bundled=False)
    assert not old.exists() and len(list(cache.cache_dir().glob("deck-*.json"))) == 1
