"""``cardcli import``: flashcards exported from other apps become checked YAML decks.

One module per input format (:mod:`.brainscape`, :mod:`.quizlet`, :mod:`.anki`, :mod:`.qa`),
each turning text into question/answer :class:`~cardcli.importing.model.Pair` s;
:mod:`.build` types them and gives them ids and topics; :mod:`.deckfile` writes the deck.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cardcli.errors import DeckIssue, UsageError
from cardcli.importing import anki, brainscape, qa, quizlet
from cardcli.importing.build import build_cards
from cardcli.importing.deckfile import deck_parts
from cardcli.importing.model import ImportFileError, Parsed
from cardcli.importing.text import read_text

__all__ = ["FORMATS", "Imported", "ImportFileError", "detect", "import_file"]

FORMATS = ("auto", "brainscape", "quizlet", "anki", "csv", "qa")


@dataclass
class Imported:
    """One input file made into a deck (not yet written)."""

    source: Path
    format: str
    name: str
    cards: list[dict[str, Any]]
    yaml: str
    warnings: list[DeckIssue] = field(default_factory=list)
    guessed: int = 0
    head: str = ""  # ``yaml`` in parts: head + batch is a deck of that batch's cards (checked batch by batch)
    batches: list[str] = field(default_factory=list)
    fallback: int = 0

    def count(self, kind: str) -> int:
        return sum(1 for c in self.cards if c.get("type", "basic") == kind)


def detect(text: str, path: Path) -> str:
    """The format of ``text``: Anki headers, a Brainscape rating block, a CSV file, tab-separated
    rows (Quizlet), else a plain question/answer dump."""
    if anki.looks_like(text):
        return "anki"
    if brainscape.looks_like(text):
        return "brainscape"
    if path.suffix.lower() == ".csv":
        return "csv"
    if quizlet.looks_like(text):
        return "quizlet"
    return "qa"


def _parse(text: str, fmt: str, file: str, term_sep: str | None, row_sep: str | None) -> Parsed:
    if fmt == "anki":
        return anki.parse(text, file)
    if fmt == "brainscape":
        return brainscape.parse(text, file)
    if fmt == "csv":
        return brainscape.parse_csv(text, file)
    if fmt == "quizlet":
        return quizlet.parse(text, file, term_sep or "tab", row_sep or "newline")
    return qa.parse(text, file)


def _deck_name(parsed: Parsed, path: Path) -> str:
    title = (parsed.title or "").strip().lstrip("#").strip()
    if title.startswith("cardcli::"):  # a deck cardcli exported: its own name again
        title = title[len("cardcli::"):]
    return title or path.stem


def import_file(
    path: Path,
    fmt: str = "auto",
    deck: str | None = None,
    topic: str | None = None,
    term_sep: str | None = None,
    row_sep: str | None = None,
) -> Imported:
    """Read ``path`` and build its deck. Raises ImportFileError for files that cannot be read."""
    if fmt not in FORMATS:
        raise UsageError(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
    if (term_sep or row_sep) and fmt not in ("auto", "quizlet"):
        raise UsageError("--term-sep/--row-sep go with --format quizlet")
    text = read_text(path)
    chosen = "quizlet" if fmt == "auto" and (term_sep or row_sep) else (detect(text, path) if fmt == "auto" else fmt)
    file = str(path)
    parsed = _parse(text, chosen, file, term_sep, row_sep)
    name = " ".join((deck or _deck_name(parsed, path)).split())
    if len({p.deck for p in parsed.pairs if p.deck}) > 1:  # several source decks: keep each as a tag
        parsed.pairs = [replace(p, tags=(*p.tags, "_".join(p.deck.split()))) if p.deck else p
                        for p in parsed.pairs]
    from cardcli.progress import progress

    with progress(f"Importing {len(parsed.pairs):,} cards", len(parsed.pairs), min_total=20_000) as advance:
        built = build_cards(parsed.pairs, name, file, topic, advance)
    if not built.cards:
        raise ImportFileError(f"{path}: no question/answer pairs found (read as {chosen}; "
                              "try --format, see `cardcli import --help`)")
    head, batches = deck_parts(name, path.name, f"Imported from {path.name} ({chosen}) by cardcli import",
                               built.cards)
    return Imported(source=path, format=chosen, name=name, cards=built.cards, yaml=head + "".join(batches),
                    head=head, batches=batches,
                    warnings=parsed.warnings + built.warnings, guessed=built.guessed, fallback=built.fallback)
