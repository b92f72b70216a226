"""Brainscape: the printed/copied card list, and its CSV export (question, answer).

A printout repeats, per card::

    <number>
    Q
    <question lines>
    A
    <answer lines>
    How well did you know this?
    1
    Not at all
    2 … 5
    Perfectly

The rating block and the card numbers are dropped; the first line before the first card is
the deck's title.
"""

from __future__ import annotations

import csv
import io
import re

from cardcli.errors import DeckIssue
from cardcli.importing.model import Pair, Parsed

__all__ = ["looks_like", "parse", "parse_csv"]

_RATING = "how well did you know this?"
_RATING_WORDS = {"not at all", "perfectly"}


def looks_like(text: str) -> bool:
    lines = {line.strip() for line in text.split("\n")}
    return "Q" in lines and "A" in lines and any(x.lower() == _RATING for x in lines)


def parse(text: str, file: str) -> Parsed:
    out = Parsed()
    lines = list(enumerate(text.split("\n"), 1))
    kept: list[tuple[int, str]] = []
    k = 0
    while k < len(lines):  # drop the rating blocks
        i, line = lines[k]
        if line.strip().lower() == _RATING:
            k += 1
            while k < len(lines):
                word = lines[k][1].strip()
                if not (re.fullmatch(r"[1-5]", word) or word.lower() in _RATING_WORDS or not word):
                    out.warnings.append(DeckIssue(file, lines[k][0], "rating block ends early"))
                    break
                k += 1
                if word.lower() == "perfectly":
                    break
            continue
        kept.append((i, line))
        k += 1
    # cards are numbered 1, 2, 3, ...: split on the next expected number
    cards: list[list[tuple[int, str]]] = []
    expected = 1
    for i, line in kept:
        if line.strip() == str(expected):
            cards.append([])
            expected += 1
        elif cards:
            cards[-1].append((i, line))
        elif line.strip() and out.title is None:
            out.title = line.strip()
    for body in cards:
        _card(body, file, out)
    return out


def _card(body: list[tuple[int, str]], file: str, out: Parsed) -> None:
    words = [x.strip() for _, x in body]
    if "Q" in words and "A" in words[words.index("Q"):]:
        q_at = words.index("Q")
        a_at = words.index("A", q_at)
        question, answer = body[q_at + 1:a_at], body[a_at + 1:]
    else:  # the short form: question line, then answer lines
        text = [(i, x) for i, x in body if x.strip()]
        question, answer = text[:1], text[1:]
    question = [(i, x) for i, x in question if x.strip()]
    front = "\n".join(x.strip() for _, x in question)
    back = "\n".join(x.rstrip() for _, x in answer).strip()
    line = question[0][0] if question else (body[0][0] if body else 1)
    if front and back:
        out.pairs.append(Pair(front, back, line))
    else:
        out.warnings.append(DeckIssue(file, line, f"card without {'an answer' if front else 'a question'}: skipped"))


#: a field holding HTML markup or entities (what Anki, Quizlet and Brainscape put in rich-text fields)
_HTML = re.compile(r"<(?:br|div|p|b|i|u|s|span|ul|ol|li|sup|sub|img|a|font|strong|em|code|pre|table|tr|td|th|hr)"
                   r"\b[^>]*>|</[a-z]+>|&(?:amp|lt|gt|nbsp|quot|apos|#\d+|#x[0-9a-f]+);", re.IGNORECASE)


def _plain(field: str) -> str:
    """A CSV field as text: HTML (tags or entities) read as Anki imports read it, else unchanged
    (so ``x < 0`` stays as written)."""
    if _HTML.search(field) is None:
        return field
    from cardcli.importing.text import html_to_text

    return html_to_text(field)


def parse_csv(text: str, file: str, delimiter: str = ",") -> Parsed:
    """Two-column CSV (question, answer), quoted fields may hold line breaks; HTML becomes text."""
    out = Parsed()
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < 2 or not row[0].strip() or not row[1].strip():
                out.warnings.append(DeckIssue(file, line, "row without both a question and an answer: skipped"))
                continue
            if len(row) > 2 and any(c.strip() for c in row[2:]):
                out.warnings.append(DeckIssue(file, line, f"{len(row)} columns: columns after the 2nd ignored"))
            out.pairs.append(Pair(_plain(row[0]).strip(), _plain(row[1]).strip(), line))
    except csv.Error as e:
        out.warnings.append(DeckIssue(file, reader.line_num, f"CSV error: {e}; the rest is skipped"))
    return out
