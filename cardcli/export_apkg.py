"""Cards and generated problems as an Anki package (``.apkg``) with cardcli's own note types.

Built with `genanki <https://github.com/kerrickstaley/genanki>`_ (pure Python, ~0.3 MB with its
three small dependencies), imported only here, and only by ``cardcli export anki --format apkg``.

Two note types, with fixed ids so a re-export updates the same note types:

* ``cardcli Basic`` — fields Front, Back, Solution, Erratum, Source (one card: Front -> Back).
* ``cardcli Typed answer`` — fields Front, Answer, Back, Solution, Erratum, Source; the card asks
  for the answer with Anki's ``{{type:Answer}}`` (numeric cards with one number, true/false cards).

The worked solution, the erratum and the source each have a field of their own (shown under the
answer when not empty). Matrices, and any text aligned with runs of spaces, are monospace blocks
(``<pre>``), which Anki's proportional font would otherwise collapse. Every field is HTML-escaped
text; deck names and tags are escaped the same way. GUIDs are those of the text export
(:func:`cardcli.export_anki.guid_for`), so either export updates the same notes.
"""

from __future__ import annotations

import hashlib
import html
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cardcli.export_anki import (
    ROOT_DECK,
    ProblemLike,
    _number,
    _problem_answer,
    _tags,
    _tolist,
    clean_prompt,
    deck_path,
    guid_for,
    text_html,
)
from cardcli.model import Card, CardType
from cardcli.safetext import clean, one_line

__all__ = [
    "BASIC",
    "TYPED",
    "FIELDS",
    "ApkgNote",
    "MARKER",
    "is_cardcli_package",
    "apkg_card_note",
    "apkg_problem_note",
    "matrix_pre",
    "text_block",
    "build_package",
    "model_id",
]

BASIC = "cardcli Basic"
TYPED = "cardcli Typed answer"
FIELDS: dict[str, tuple[str, ...]] = {
    BASIC: ("Front", "Back", "Solution", "Erratum", "Source"),
    TYPED: ("Front", "Answer", "Back", "Solution", "Erratum", "Source"),
}

PRE = '<pre style="font-family: monospace; white-space: pre-wrap; text-align: left">'
CSS = """.card { font-family: sans-serif; font-size: 20px; text-align: left; color: black; background: white; }
pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; white-space: pre-wrap; }
.extra { margin-top: 0.8em; font-size: 85%; }
.erratum { font-style: italic; }
.nightMode .card, .night_mode .card { color: white; background: black; }
"""
_EXTRAS = (
    "{{#Solution}}<div class=extra><b>Worked solution</b>{{Solution}}</div>{{/Solution}}"
    "{{#Erratum}}<div class='extra erratum'>Erratum: {{Erratum}}</div>{{/Erratum}}"
    "{{#Source}}<div class=extra>Source: {{Source}}</div>{{/Source}}"
)
TEMPLATES: dict[str, dict[str, str]] = {
    BASIC: {"name": "Card 1", "qfmt": "{{Front}}",
            "afmt": "{{FrontSide}}<hr id=answer>{{Back}}" + _EXTRAS},
    TYPED: {"name": "Typed", "qfmt": "{{Front}}<br><br>{{type:Answer}}",
            "afmt": "{{Front}}<hr id=answer>{{type:Answer}}<br>{{Back}}" + _EXTRAS},
}


def model_id(name: str) -> int:
    """A fixed Anki id for a note type or deck name, in genanki's recommended range [2**30, 2**31)."""
    return (1 << 30) + int.from_bytes(hashlib.sha256(f"cardcli:id:{name}".encode()).digest()[:4], "big") % (1 << 30)


@dataclass(frozen=True)
class ApkgNote:
    """One note of the package: the note type, its fields (HTML, in FIELDS order), deck and tags."""

    guid: str
    notetype: str
    fields: tuple[str, ...]
    deck: str
    tags: tuple[str, ...]


def _aligned(text: str) -> bool:
    """Text laid out with spaces (a grid, an indented block): it needs a monospace font."""
    return any("  " in line.strip() or line.startswith("  ") for line in text.splitlines()) or "\t" in text


def text_block(text: str) -> str:
    """Plain text as HTML: a ``<pre>`` block when it is aligned with spaces, else escaped with ``<br>``."""
    text = clean(text.replace("\r\n", "\n")) if text else ""
    if _aligned(text):
        return PRE + html.escape(text.expandtabs(4), quote=False) + "</pre>"
    return text_html(text)


def matrix_pre(rows: Any, caption: str | None = None) -> str:
    """A 2-D list (or a 1-D list, one row) as a monospace block, columns right-aligned, after its caption."""
    rows = _tolist(rows)
    if rows and not isinstance(rows[0], (list, tuple)):
        rows = [rows]
    cells = [[_number(_tolist(v)) for v in row] for row in rows]
    ncols = max((len(r) for r in cells), default=0)
    widths = [max((len(r[c]) for r in cells if c < len(r)), default=0) for c in range(ncols)]
    lines = ["[ " + "  ".join(v.rjust(widths[c]) for c, v in enumerate(r)) + " ]" for r in cells]
    cap = f"{text_html(caption)}:" if caption else ""
    return cap + PRE + html.escape("\n".join(lines), quote=False) + "</pre>"


def _matrices(matrices: Any) -> list[str]:
    return [matrix_pre(rows, str(caption)) for caption, rows in dict(matrices or {}).items()]


def _value(value: Any) -> str:
    value = _tolist(value)
    if isinstance(value, dict):
        return "<br>".join(matrix_pre(v, str(k)) if isinstance(_tolist(v), (list, tuple))
                           else f"{text_html(str(k))} = {text_html(_number(_tolist(v)))}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return matrix_pre(value)
    return text_html(_number(value))


def _body(back: str | list[str]) -> str:
    if isinstance(back, list):
        return "<ul>" + "".join(f"<li>{text_html(item)}</li>" for item in back) + "</ul>"
    return text_block(back)


def _deck(text: str) -> str:
    """A deck name as inert text: HTML-escaped, control characters removed."""
    return html.escape(one_line(text), quote=False)


def _safe_tags(tags: Iterable[str]) -> tuple[str, ...]:
    return tuple(html.escape(one_line(t), quote=True) for t in tags)


def _typed(card: Card) -> bool:
    if card.type is CardType.truefalse:
        return True
    return card.type is CardType.numeric and isinstance(_tolist(card.answer), (int, float)) and not card.disputed


def apkg_card_note(card: Card) -> ApkgNote:
    """A flashcard as a note: typed-answer for true/false and one-number numeric cards, else basic."""
    front = [text_block(card.front)]
    back: list[str] = []
    if card.type is CardType.choice:
        front.append("<ol>" + "".join(f"<li>{text_html(o)}</li>" for o in card.options) + "</ol>")
        number = card.options.index(card.answer) + 1 if card.answer in card.options else 0
        back.append(f"<b>{f'{number}. ' if number else ''}{text_html(str(card.answer))}</b>")
    if card.matrices:
        front += _matrices(card.matrices)
    typed = _typed(card)
    answer = ""
    if card.type is CardType.truefalse:
        front[0] += " (True/False)"
        answer = "True" if card.answer else "False"
    elif typed:
        answer = _number(_tolist(card.answer))
    if card.type is CardType.numeric and not typed:
        back.append(f"<b>Answer:</b> {_value(card.answer)}")
    back.append(_body(card.back))
    if card.disputed:
        back.append(f"<i>Disputed: {text_html(card.disputed)}</i>")
    solution = getattr(card, "solution", None)
    extras = (text_block(solution) if solution else "", text_html(card.erratum or ""), text_html(card.source or ""))
    common = ("<br>".join(front), "<br>".join(back))
    fields = (common[0], html.escape(answer, quote=False), common[1], *extras) if typed else (*common, *extras)
    return ApkgNote(guid=guid_for(card.id), notetype=TYPED if typed else BASIC, fields=fields,
                    deck=_deck(deck_path(card.deck)), tags=_safe_tags(_tags([ROOT_DECK, card.topic], card.tags)))


def apkg_problem_note(problem: ProblemLike) -> ApkgNote:
    """A generated problem as a basic note (its answer may be a matrix or carry units)."""
    if problem.matrices and problem.stem:
        front = [text_block(clean_prompt(problem.stem)), *_matrices(problem.matrices)]
    else:
        front = [text_block(clean_prompt(problem.prompt))]
    back = f"<b>Answer:</b> {_problem_answer(problem)}"
    solution = PRE + html.escape(problem.solution, quote=False) + "</pre>" if problem.solution else ""
    return ApkgNote(guid=guid_for(f"generated:{problem.id}"), notetype=BASIC,
                    fields=("<br>".join(front), back, solution, "", ""),
                    deck=_deck(deck_path("Generated", problem.family)),
                    tags=_safe_tags(_tags([ROOT_DECK, "generated", problem.family], list(problem.topics or ()))))


def build_package(notes: Iterable[ApkgNote]) -> bytes:
    """The ``.apkg`` file's bytes (genanki writes it; loaded here, never at start-up)."""
    import genanki

    models = {name: genanki.Model(model_id(name), name, fields=[{"name": f} for f in fields],
                                  templates=[TEMPLATES[name]], css=CSS, sort_field_index=0)
              for name, fields in FIELDS.items()}
    decks: dict[str, Any] = {}
    for n in notes:
        deck = decks.get(n.deck)
        if deck is None:
            deck = decks[n.deck] = genanki.Deck(model_id("deck:" + n.deck), n.deck)
        deck.add_note(genanki.Note(model=models[n.notetype], fields=list(n.fields), guid=n.guid, tags=list(n.tags)))
    fd, tmp = tempfile.mkstemp(suffix=".apkg")
    os.close(fd)
    try:
        genanki.Package(list(decks.values())).write_to_file(tmp)
        return _signed(Path(tmp).read_bytes())
    finally:
        Path(tmp).unlink(missing_ok=True)


#: the first member of every package cardcli writes: what lets a later export replace it (an .apkg
#: Anki or another tool wrote has no such member and is never replaced without --force). Anki's
#: importer reads only the collection and media members.
MARKER = "cardcli-export.txt"


def _signed(package: bytes) -> bytes:
    """``package`` rewritten with :data:`MARKER` as its first member (the members themselves unchanged)."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        dst.writestr(zipfile.ZipInfo(MARKER, date_time=(2020, 1, 1, 0, 0, 0)),
                     b"Written by cardcli export anki --format apkg.\n")
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename))
    return out.getvalue()


def is_cardcli_package(head: bytes) -> bool:
    """Whether a file's first bytes are a zip whose first member is :data:`MARKER` (see :func:`_signed`)."""
    name = MARKER.encode()
    return head.startswith(b"PK\x03\x04") and head[30:30 + len(name)] == name
