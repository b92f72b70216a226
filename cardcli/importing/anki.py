"""Anki's *Notes in Plain Text* export, read by its ``#`` headers.

Headers (``#key:value`` lines at the top) give the separator, whether fields are HTML and
which columns hold the GUID, note type, deck and tags; the rest are the note's fields (the
first is the front, the others the back). Fields use CSV quoting, so they may hold the
separator, quotes and line breaks.
"""

from __future__ import annotations

import csv
import io

from cardcli.errors import DeckIssue
from cardcli.importing.model import Pair, Parsed
from cardcli.importing.text import html_to_text

__all__ = ["looks_like", "parse"]

_SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "space": " ", "colon": ":"}
_META = ("guid", "notetype", "deck", "tags")


def looks_like(text: str) -> bool:
    first = text.lstrip().split("\n", 1)[0].lower()
    return first.startswith(("#separator:", "#html:", "#notetype", "#deck", "#tags", "#guid", "#columns:"))


def parse(text: str, file: str) -> Parsed:
    out = Parsed()
    headers: dict[str, str] = {}
    lines = text.split("\n")
    n = 0
    while n < len(lines) and lines[n].startswith("#"):
        key, _, value = lines[n][1:].partition(":")
        headers[key.strip().lower()] = value.strip()
        n += 1
    sep_name = headers.get("separator", "tab")
    sep = _SEPARATORS.get(sep_name.lower(), sep_name[:1] or "\t")
    is_html = headers.get("html", "false").lower() == "true"
    meta: dict[int, str] = {}
    for name in _META:
        column = headers.get(f"{name} column")
        if column is not None:
            if not column.isdigit() or int(column) < 1:
                out.warnings.append(DeckIssue(file, 1, f"header '#{name} column:{column}' is not a column number"))
                continue
            meta[int(column) - 1] = name
    # a quote as the separator leaves no quote character (Python 3.13 refuses delimiter == quotechar)
    quoting: dict = {"quoting": csv.QUOTE_NONE, "quotechar": None} if sep == '"' else {"quotechar": '"'}
    try:
        reader = csv.reader(io.StringIO("\n".join(lines[n:])), delimiter=sep, **quoting)
    except (TypeError, ValueError):  # a line break or other character csv cannot split on
        out.warnings.append(DeckIssue(file, 1, f"header '#separator:{sep_name}' cannot be used as a separator"))
        return out
    start = 1
    try:
        for row in reader:
            line = n + start
            start = reader.line_num + 1
            if not any(c.strip() for c in row):
                continue
            fields = [c for i, c in enumerate(row) if i not in meta]
            if is_html:
                fields = [html_to_text(f) for f in fields]
            fields = [f.strip() for f in fields]
            if len(fields) < 2 or not fields[0] or not any(fields[1:]):
                out.warnings.append(DeckIssue(file, line, "note without both a front and a back: skipped"))
                continue
            info = {name: row[i] for i, name in meta.items() if i < len(row)}
            tags = tuple(t for t in info.get("tags", "").split() if t)
            out.pairs.append(Pair(fields[0], "\n".join(f for f in fields[1:] if f), line,
                                  tags=tags, deck=info.get("deck") or None))
    except csv.Error as e:
        out.warnings.append(DeckIssue(file, n + start, f"CSV error: {e}; the rest is skipped"))
    decks = {p.deck for p in out.pairs if p.deck}
    if len(decks) == 1:
        out.title = decks.pop()
    return out
