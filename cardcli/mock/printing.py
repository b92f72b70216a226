"""A mock exam on paper: Markdown (or HTML) with the questions, an answer key and worked solutions.

The document is built once as a list of blocks (heading, paragraph, preformatted text, list) and
written as Markdown or HTML. The "Answer key" section has one line per question,
``Q<n>: <answer>``, in exactly the form the sitting accepts when typed
(:func:`cardcli.mock.marking.key_text`). Text from decks is data: control characters are removed
and, for HTML (and the HTML Markdown lets through), ``&``, ``<`` and ``>`` are escaped.
"""

from __future__ import annotations

import html
import re
from typing import Any

from cardcli.mock.exam import Exam, Question
from cardcli.mock.marking import key_text
from cardcli.safetext import strip_unsafe

__all__ = ["blocks", "to_markdown", "to_html", "render_document", "key_lines"]

Block = tuple[str, Any]  # ("h1" | "h2" | "h3" | "p" | "pre" | "ol", text or items)


def _clean(text: Any) -> str:
    return strip_unsafe(str(text))


def _grid(rows: list[list[Any]]) -> str:
    from generators.render import grid

    return grid(rows, indent="")


def _question_blocks(q: Question) -> list[Block]:
    out: list[Block] = [("h3", f"Q{q.number} ({q.points} point{'s' if q.points != 1 else ''})")]
    if q.problem is not None:
        p = q.problem
        out.append(("p", p.stem or p.prompt))
        for caption, rows in p.matrices.items():
            out.append(("p", f"{caption} ({len(rows)}×{len(rows[0])}):"))
            out.append(("pre", _grid(rows)))
        if getattr(p, "parts", ()):
            from cardcli.partmarks import points_line

            out.append(("p", points_line(tuple(p.parts), q.points)))
    else:
        card = q.card
        assert card is not None
        out.append(("p", card.front))
        for caption, rows in (card.matrices or {}).items():
            out.append(("p", f"{caption}:"))
            out.append(("pre", _grid(rows)))
        if q.kind == "choice":
            out.append(("ol", list(card.options)))
        elif q.kind == "truefalse":
            out.append(("p", "True or false?"))
    return out


def key_lines(exam: Exam) -> list[str]:
    """``Q<n>: <answer>`` for every question."""
    return [f"Q{q.number}: {key_text(q)}" for q in exam.questions]


def _solution_blocks(q: Question) -> list[Block]:
    out: list[Block] = [("h3", f"Q{q.number}")]
    if q.problem is not None:
        out.append(("pre", q.problem.solution))
        return out
    from cardcli.model import back_text

    card = q.card
    assert card is not None
    if q.kind == "truefalse":
        out.append(("p", f"{'True' if card.answer else 'False'}."))
    elif q.kind == "choice":
        out.append(("p", f"Option {key_text(q)}: {card.answer}"))
    out.append(("pre", back_text(card)))
    if card.erratum:
        out.append(("p", f"Erratum: {card.erratum}"))
    if card.source:
        out.append(("p", f"Source: {card.source}"))
    return out


def blocks(exam: Exam) -> list[Block]:
    """The whole document: title, instructions, sections, answer key, worked solutions."""
    n = len(exam.questions)
    out: list[Block] = [
        ("h1", exam.title),
        ("p", f"{n} questions, {exam.total} points, {exam.minutes} minutes. Template {exam.template}, seed "
              f"{exam.seed} (sit the same exam with `cardcli exam mock --seed {exam.seed}`)."),
    ]
    for title, questions in exam.sections:
        points = sum(q.points for q in questions)
        out.append(("h2", f"{title} ({points} points)"))
        for q in questions:
            out.extend(_question_blocks(q))
    out.append(("h2", "Answer key"))
    out.append(("pre", "\n".join(key_lines(exam))))
    out.append(("h2", "Worked solutions"))
    for q in exam.questions:
        out.extend(_solution_blocks(q))
    return out


#: what Markdown reads as markup anywhere in a line: emphasis, code, links and images, raw HTML,
#: entities, tables, strike-through, headings; each is backslash-escaped (CommonMark shows it as itself)
_MD_INLINE = re.compile(r"([\\`*_\[\]!<>&#|~])")
#: what Markdown reads as markup at the start of a line: block quotes, lists, setext underlines, code
_MD_LINE_START = re.compile(r"^([-+=>]|\d{1,9}(?=[.)](?:[ \t]|$)))")


def _md_text(text: str) -> str:
    """Deck text as literal Markdown: no remote image, link, heading, list, quote, fence or raw HTML
    can come from it (every line's leading blanks dropped, so no indented code block either)."""
    lines = []
    for line in _clean(text).split("\n"):
        line = _MD_INLINE.sub(r"\\\1", line.lstrip(" \t"))
        m = _MD_LINE_START.match(line)
        if m:
            line = m.group(1) + "\\" + line[m.end():] if m.group(1)[0].isdigit() else "\\" + line
        lines.append(line)
    return "\n".join(lines)


def _fence(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def to_markdown(doc: list[Block]) -> str:
    parts: list[str] = []
    for kind, value in doc:
        if kind in ("h1", "h2", "h3"):
            parts.append("#" * int(kind[1]) + " " + _md_text(value).replace("\n", " "))
        elif kind == "p":
            parts.append("  \n".join(_md_text(line) for line in str(value).split("\n")))
        elif kind == "pre":
            text = _clean(value)
            fence = _fence(text)
            parts.append(f"{fence}text\n{text}\n{fence}")
        elif kind == "ol":
            parts.append("\n".join(f"{i}. {_md_text(item)}" for i, item in enumerate(value, 1)))
    return "\n\n".join(parts) + "\n"


def to_html(doc: list[Block]) -> str:
    title = next((v for k, v in doc if k == "h1"), "Mock exam")
    body: list[str] = []
    for kind, value in doc:
        if kind in ("h1", "h2", "h3"):
            body.append(f"<{kind}>{html.escape(_clean(value))}</{kind}>")
        elif kind == "p":
            body.append("<p>" + "<br>\n".join(html.escape(_clean(line)) for line in str(value).split("\n")) + "</p>")
        elif kind == "pre":
            body.append(f"<pre>{html.escape(_clean(value))}</pre>")
        elif kind == "ol":
            body.append("<ol>\n" + "\n".join(f"<li>{html.escape(_clean(i))}</li>" for i in value) + "\n</ol>")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{html.escape(_clean(title))}</title>\n"
            "<style>body{font-family:sans-serif;max-width:50em;margin:2em auto}pre{background:#f4f4f4;"
            "padding:.5em}</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n")


def render_document(exam: Exam, html_out: bool = False) -> str:
    """The exam as Markdown (default) or HTML."""
    doc = blocks(exam)
    return to_html(doc) if html_out else to_markdown(doc)
