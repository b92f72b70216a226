"""Cards and generated problems as an Anki text-import file. Pure: data in, text out.

The layout is the one Anki's own *Notes in Plain Text* exporter writes, so Anki reads every
setting from the file headers and the import dialog needs no changes::

    #separator:tab
    #html:true
    #guid column:1
    #notetype column:2
    #deck column:3
    #tags column:6
    <guid> TAB Basic TAB cardcli::<deck> TAB <Front html> TAB <Back html> TAB <tags>

The GUID is a hash of the card id, so importing an updated export updates the existing notes
(Anki matches notes by GUID) instead of adding duplicates.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from cardcli.model import Card, CardType
from cardcli.safetext import inert_markup, no_formula_html

__all__ = [
    "AnkiNote",
    "HEADER",
    "SIGNATURE",
    "NOTETYPE",
    "ROOT_DECK",
    "ProblemLike",
    "card_note",
    "clean_prompt",
    "deck_path",
    "field_csv",
    "guid_for",
    "matrix_html",
    "problem_note",
    "render",
    "tag_word",
    "text_html",
    "value_html",
]

NOTETYPE = "Basic"
ROOT_DECK = "cardcli"
#: the file headers, exactly as Anki's exporter writes them (columns are 1-based)
HEADER = (
    "#separator:tab\n"
    "#html:true\n"
    "#guid column:1\n"
    "#notetype column:2\n"
    "#deck column:3\n"
    "#tags column:6\n"
)
#: the line after the headers that only cardcli writes: ``-o`` replaces an existing file only when it
#: starts with HEADER + SIGNATURE (Anki's own export starts with the same HEADER lines; Anki reads this
#: line as a comment)
SIGNATURE = "#written by cardcli export anki; cardcli replaces this file only while this line is here\n"

_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_B62_PAIRS = [a + b for a in _B62 for b in _B62]  # 62**2 two-digit strings, index = value


class ProblemLike(Protocol):
    """What the exporter needs from a generated problem (``generators.problem.Problem``)."""

    id: str
    family: str
    topics: Any  # sequence of topic names
    prompt: str
    answer: Any
    solution: str
    matrices: Any  # mapping caption -> 2-D list (or array)
    answer_kind: str  # "int", "float", "matrix", "shape", "memory:<unit>", ...
    stem: str  # the prompt without its inline matrix grids ("" when there are none)


@dataclass(frozen=True)
class AnkiNote:
    """One row of the export: fields already in HTML."""

    guid: str
    deck: str
    front: str
    back: str
    tags: tuple[str, ...]
    notetype: str = NOTETYPE


def guid_for(key: str) -> str:
    """A stable 11-character base-62 GUID for ``key`` (64 bits of SHA-256 of ``cardcli:<key>``).

    Only letters and digits, so it never needs quoting and never starts with ``#``.
    """
    n = int.from_bytes(hashlib.sha256(f"cardcli:{key}".encode()).digest()[:8], "big")
    # two base-62 digits per step (the same digits as one at a time, in fewer steps)
    n, r1 = divmod(n, 3844)
    n, r2 = divmod(n, 3844)
    n, r3 = divmod(n, 3844)
    n, r4 = divmod(n, 3844)
    n, r5 = divmod(n, 3844)
    p = _B62_PAIRS
    return _B62[n % 62] + p[r5] + p[r4] + p[r3] + p[r2] + p[r1]


@lru_cache(maxsize=1024)
def deck_path(*names: str) -> str:
    """The Anki deck under the ``cardcli`` parent, e.g. ``cardcli::Quiz 3 CNN``."""
    return "::".join([ROOT_DECK, *(inert_markup(" ".join(n.split())) for n in names)])


@lru_cache(maxsize=4096)
def tag_word(text: str) -> str:
    """A tag as one word: runs of whitespace become ``_``; ``::`` (Anki's tag hierarchy) keeps
    only non-empty levels, so Anki stores the tag exactly as written ("" means no tag)."""
    word = re.sub(r":{2,}", "::", "_".join(inert_markup(text).split()))
    return "::".join(level for level in word.split("::") if level)


def text_html(text: str) -> str:
    """Plain text as HTML: ``<``, ``>``, ``&`` escaped (quotes kept), newlines as ``<br>``."""
    escaped = html.escape(text, quote=False)
    return escaped.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def _number(value: Any) -> str:
    """A number as the question prints it: integers whole, floats to 6 significant figures."""
    from generators.render import fmt

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return fmt(value)
    return str(value)


#: terminal typing instructions in generated prompts; not wanted on an Anki card
_TYPING = [
    re.compile(r"\s*Give 4 significant figures \(e\.g\. [^)]*\) or a fraction like \S+ \(relative tolerance [^)]*\)\."),
    re.compile(r"; give at least 3 significant figures — answers within \S+ are accepted, and other units "
               r"\(.*?\) are converted(?=\.)"),
    re.compile(r", 3 significant figures; relative tolerance [^)]*(?=\))"),
    re.compile(r"\s*\(type e\.g\. [^)]*\)"),
    re.compile(r"\s*Type (the radius then the regime, )?e\.g\. '[^']*'\."),
    re.compile(r"\s*\((?:exact, or )?3–4 significant figures: relative tolerance \S+ per number\)"),
    re.compile(r"; 3–4 significant figures: relative tolerance \S+ per number(?=\))"),
    re.compile(r"\s*Answer with 4 significant figures \([^)]*\)\."),  # optimizer/RNN/LSTM/GRU/attention
]


def clean_prompt(text: str) -> str:
    """A generated prompt without the instructions on how to type the answer in the terminal."""
    for pattern in _TYPING:
        text = pattern.sub("", text)
    return text


def _tolist(value: Any) -> Any:
    """NumPy arrays and scalars as plain Python values (no numpy import needed)."""
    tolist = getattr(value, "tolist", None)
    return tolist() if callable(tolist) else value


TABLE_OPEN = '<table border="1" style="border-collapse: collapse">'


def matrix_html(rows: Any, caption: str | None = None) -> str:
    """A 2-D list (or a 1-D list, shown as one row) as a bordered HTML table with row and column
    indices (counting from 0, as the terminal tables and the questions do)."""
    rows = _tolist(rows)
    if rows and not isinstance(rows[0], (list, tuple)):
        rows = [rows]
    cap = f"<caption>{text_html(caption)}</caption>" if caption else ""
    ncols = max((len(r) for r in rows), default=0)
    head = "<tr><th></th>" + "".join(f"<th>{c}</th>" for c in range(ncols)) + "</tr>"
    body = "".join(
        f"<tr><th>{r}</th>" + "".join(f"<td>{text_html(_number(_tolist(v)))}</td>" for v in row) + "</tr>"
        for r, row in enumerate(rows)
    )
    return f"{TABLE_OPEN}{cap}{head}{body}</table>"


def value_html(value: Any) -> str:
    """An answer value: a number or text inline, a (nested) list as a table, a mapping per line."""
    value = _tolist(value)
    if isinstance(value, Mapping):
        parts = []
        for k, v in value.items():
            v = _tolist(v)
            if isinstance(v, (list, tuple)):
                parts.append(matrix_html(v, str(k)))
            else:
                parts.append(f"{text_html(str(k))} = {text_html(_number(v))}")
        return "<br>".join(parts)
    if isinstance(value, (list, tuple)):
        return matrix_html(value)
    return text_html(_number(value))


def _matrices(matrices: Any) -> list[str]:
    return [matrix_html(rows, str(caption)) for caption, rows in dict(matrices or {}).items()]


def _body(back: str | list[str]) -> str:
    if isinstance(back, list):
        return "<ul>" + "".join(f"<li>{text_html(item)}</li>" for item in back) + "</ul>"
    return text_html(back)


def _tags(*groups: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for group in groups:
        for t in group:
            word = tag_word(t)
            if word:
                seen.setdefault(word, None)
    return tuple(seen)


def card_note(card: Card) -> AnkiNote:
    """One flashcard as a Basic note.

    Front: the question (``(True/False)`` appended for truefalse cards, the numbered options for
    choice cards), then any matrices as tables. Back: for truefalse the verdict, for choice the
    correct option, then the explanation; numeric cards end with the correct value; then a
    ``disputed`` reason, the erratum and the ``source``.
    """
    front = [text_html(card.front)]
    back: list[str] = []
    if card.type is CardType.truefalse:
        front[0] += " (True/False)"
        back.append(f"<b>{'True' if card.answer else 'False'}</b>")
    elif card.type is CardType.choice:
        front.append("<ol>" + "".join(f"<li>{text_html(o)}</li>" for o in card.options) + "</ol>")
        number = card.options.index(card.answer) + 1 if card.answer in card.options else 0
        label = f"{number}. " if number else ""
        back.append(f"<b>{label}{text_html(str(card.answer))}</b>")
    if card.matrices:
        front += _matrices(card.matrices)
    back.append(_body(card.back))
    if card.type is CardType.numeric:
        back.append(f"<b>Answer:</b> {value_html(card.answer)}")
    if card.disputed:
        back.append(f"<i>Disputed: {text_html(card.disputed)}</i>")
    if card.erratum:
        back.append(f"<i>Erratum: {text_html(card.erratum)}</i>")
    if card.source:
        back.append(f"Source: {text_html(card.source)}")
    return AnkiNote(
        guid=guid_for(card.id),
        deck=deck_path(card.deck),
        front="<br>".join(front),
        back="<br>".join(back),
        tags=_tags([ROOT_DECK, card.topic], card.tags),
    )


def _problem_answer(problem: ProblemLike) -> str:
    kind = problem.answer_kind or ""
    answer = _tolist(problem.answer)
    if kind == "shape" and isinstance(answer, (list, tuple)):
        return "×".join(text_html(_number(v)) for v in answer)
    if kind.startswith("memory:"):
        return f"{value_html(answer)} {text_html(kind.split(':', 1)[1])}"
    if kind == "parts" and isinstance(answer, dict):
        from generators.parts import Part, leaf_names, parts_text

        parts = tuple(getattr(problem, "parts", ()) or ()) or tuple(Part(n, n, "float") for n in leaf_names(answer))
        return text_html(parts_text(parts, answer))
    if isinstance(answer, float) and not answer.is_integer():
        from generators.render import fraction_hint

        frac = fraction_hint(answer)
        return value_html(answer) + (f" ({frac})" if frac else "")
    return value_html(answer)


def problem_note(problem: ProblemLike) -> AnkiNote:
    """A generated problem as a Basic note in ``cardcli::Generated::<family>``.

    Front: the prompt (its stem, with the matrices as tables), without the terminal's typing
    instructions (:func:`clean_prompt`). Back: the answer, then the worked
    solution in a whitespace-preserving block (its grids are aligned with spaces). Tagged with
    the family and its topics.
    """
    if problem.matrices and problem.stem:
        front = [text_html(clean_prompt(problem.stem)), *_matrices(problem.matrices)]
    else:
        front = [text_html(clean_prompt(problem.prompt))]
    back = [f"<b>Answer:</b> {_problem_answer(problem)}"]
    if problem.solution:
        back.append(f'<pre style="white-space: pre-wrap">{text_html(problem.solution)}</pre>')
    return AnkiNote(
        guid=guid_for(f"generated:{problem.id}"),
        deck=deck_path("Generated", problem.family),
        front="<br>".join(front),
        back="".join(back),
        tags=_tags([ROOT_DECK, "generated", problem.family], list(problem.topics or ())),
    )


def field_csv(value: str) -> str:
    """A field as written to the file: quoted CSV-style (quotes doubled) when it holds a tab,
    a quote, a line break or starts with ``#`` (which Anki would read as a comment)."""
    if "\t" in value or '"' in value or "\n" in value or "\r" in value or _edgy(value):
        return '"' + value.replace('"', '""') + '"'
    return value


def _edgy(value: str) -> bool:
    """Starts with ``#`` or whitespace, or ends with whitespace (what ``str.strip`` would remove)."""
    return bool(value) and (value[0] == "#" or value[0].isspace() or value[-1].isspace())


def render(notes: Iterable[AnkiNote]) -> str:
    """The whole file: headers, then one line per note.

    Most rows need no quoting: the joined line is checked at once (C-level ``in`` and ``count``:
    no quote or line break, exactly five tabs) and only each field's ends one by one; a row that
    fails is quoted field by field with :func:`field_csv`.
    """
    lines = [HEADER, SIGNATURE]
    for n in notes:
        row = (n.guid, n.notetype, n.deck, no_formula_html(n.front), no_formula_html(n.back), " ".join(n.tags))
        line = "\t".join(row)
        if (line.count("\t") != 5 or '"' in line or "\n" in line or "\r" in line
                or any(map(_edgy, row))):
            line = "\t".join(map(field_csv, row))
        lines.append(line + "\n")
    return "".join(lines)
