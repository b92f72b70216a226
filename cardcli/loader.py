"""The deck collection: deck files and folders expanded, every deck loaded, duplicate card ids
dropped (and reported), cards selected by deck name and topic.

A deck comes from the parse cache (:mod:`cardcli.cache`) when it can; the parser
(:mod:`cardcli.deckparse`) is imported only for a deck the cache misses, so a run whose decks
were all seen before never loads it (nor PyYAML).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path

from cardcli.errors import DeckIssue
from cardcli.model import Card, Deck

__all__ = ["Collection", "deck_key", "deck_keys", "expand_paths", "load_collection"]


def expand_paths(paths: list[Path]) -> tuple[list[Path], list[DeckIssue]]:
    """Files as given; folders become their ``*.yaml``/``*.yml`` files (sorted, recursive)."""
    files: list[Path] = []
    issues: list[DeckIssue] = []
    for p in paths:
        if p.is_dir():
            files += sorted(q for q in p.rglob("*") if q.suffix in (".yaml", ".yml") and q.is_file())
        elif p.is_file():
            files.append(p)
        else:
            issues.append(DeckIssue(str(p), 1, "no such deck file or folder"))
    return files, issues


def deck_key(name: str) -> str:
    """How a ``--deck`` value is matched: case-insensitive, a ``.yaml``/``.yml`` suffix ignored."""
    key = " ".join(name.split()).casefold()
    for suffix in (".yaml", ".yml"):
        if key.endswith(suffix):
            return key[: -len(suffix)]
    return key


def deck_keys(deck: Deck) -> set[str]:
    """The names a deck answers to: its display name and its file name (with or without .yaml)."""
    return {deck_key(deck.name), deck_key(Path(deck.file).name)}


@dataclass
class Collection:
    """Every loaded deck, and every problem found on the way."""

    decks: list[Deck] = field(default_factory=list)
    issues: list[DeckIssue] = field(default_factory=list)

    @property
    def cards(self) -> list[Card]:
        return [c for d in self.decks for c in d.cards]

    def select(self, decks: list[str] | None = None, topics: list[str] | None = None) -> list[Card]:
        """Cards of the named decks (see :func:`deck_key`) and topics."""
        return [c for group in self.select_by_deck(decks, topics) for c in group]

    def select_by_deck(self, decks: list[str] | None = None, topics: list[str] | None = None) -> list[list[Card]]:
        """:meth:`select`, one list per deck (decks with no selected card left out)."""
        wanted = {deck_key(d) for d in decks or []}
        chosen = [d for d in self.decks if not wanted or deck_keys(d) & wanted]
        groups = [list(d.cards) if not topics else [c for c in d.cards if c.topic in topics] for d in chosen]
        return [g for g in groups if g]


def load_collection(
    paths: list[Path] | None = None, include_bundled: bool = True, use_cache: bool = True
) -> Collection:
    """Load the bundled decks (unless excluded) and the given user paths.

    A broken deck does not stop the others: its problems land in ``issues``.
    A card whose id was already seen is dropped (the first one wins) and reported,
    naming both places. Large files go through the parse cache (:mod:`cardcli.cache`).
    """
    from cardcli.gcpause import paused_gc

    with paused_gc():  # parsing allocates many long-lived objects: GC passes would make it superlinear
        return _load_collection(paths, include_bundled, use_cache)


def _load_collection(paths: list[Path] | None, include_bundled: bool, use_cache: bool) -> Collection:
    from cardcli.cache import cached_load
    from cardcli.paths import bundled_decks_dir

    def parse(path: Path, bundled: bool) -> tuple[Deck | None, list[DeckIssue]]:
        """:func:`cardcli.deckparse.load_file`, the parser imported only when a deck misses the cache."""
        from cardcli.deckparse import load_file

        return load_file(path, bundled)

    col = Collection()
    sources: list[tuple[Path, bool]] = []
    if include_bundled:
        bundled, _ = expand_paths([bundled_decks_dir()])
        sources += [(p, True) for p in bundled]
    user, issues = expand_paths(list(paths or []))
    col.issues += issues
    seen_files: set[Path] = set()
    for p, is_bundled in sources + [(p, False) for p in user]:
        key = p.resolve()
        if key in seen_files:
            continue
        seen_files.add(key)
        if use_cache:
            deck, problems = cached_load(p, is_bundled, parse)
        else:
            deck, problems = parse(p, is_bundled)
        col.issues += problems
        if deck is not None:
            col.decks.append(deck)
    _dedupe(col)
    return col


def _dedupe(col: Collection) -> None:
    unique: set[str] = set()
    for d in col.decks:
        unique.update(map(attrgetter("id"), d.cards))  # in C: 100k cards in a few milliseconds
    if len(unique) == sum(len(d.cards) for d in col.decks):  # the usual case: nothing to rebuild
        return
    first: dict[str, Card] = {}
    decks: list[Deck] = []
    for deck in col.decks:
        keep: list[Card] = []
        for card in deck.cards:
            prev = first.get(card.id)
            if prev is not None:
                col.issues.append(DeckIssue(
                    card.file, card.line,
                    f"duplicate card id '{card.id}' (first defined at {prev.file}:{prev.line})",
                ))
                continue
            first[card.id] = card
            keep.append(card)
        decks.append(Deck(deck.name, deck.source, deck.file, tuple(keep), deck.description, deck.bundled))
    col.decks = decks
