"""Plain question/answer dumps, like text copied out of a course's flashcard page.

Where a question starts (documented in README, "Import your own cards"):

* **blocks** — when blank lines split the text into blocks of two or more lines, each block is
  one card: its first line the question, the rest the answer;
* **questions** — otherwise, a line is a question when it ends with ``?``, holds
  ``(True/False)`` or ``(T/F)``, starts with ``T/F:``, ``True or false:`` or ``Q:``, or is
  numbered like ``Q3.`` / ``3.`` / ``3)`` followed by text; the lines up to the next question are
  its answer (``-`` bullets kept as a list);
* **alternating** — when the text after the title does not start with a question, lines are
  read as term, definition, term, definition (one line each).

The first line is the title when it is not a question and (alternating) the lines after it
pair up, or (questions) a question follows it. Places the rules cannot settle — question lines
in a row, an answer line that reads like a question, a term without a definition — are
reported as warnings with their line, never guessed silently.
"""

from __future__ import annotations

import re

from cardcli.errors import DeckIssue
from cardcli.importing.model import Pair, Parsed

__all__ = ["is_question", "parse"]

_QUESTION = re.compile(
    r"""( \?\s*["”’')\]]*\s*$                       # ends with a question mark
        | \((?:true\s*/\s*false|t\s*/\s*f)\)      # (True/False), (T/F)
        | ^\s*(?:t\s*/\s*f|true\s+or\s+false|q)\s*[:.]\s*\S   # T/F: …, True or false: …, Q: …
        | ^\s*q?\d{1,3}\s*[.)]\s+\S                 # numbered: 3. …, 3) …, Q3. …
    )""",
    re.IGNORECASE | re.VERBOSE,
)


def is_question(line: str) -> bool:
    return bool(_QUESTION.search(line))


def parse(text: str, file: str) -> Parsed:
    numbered = [(i, line) for i, line in enumerate(text.split("\n"), 1)]
    blocks = _blocks(numbered)
    if len(blocks) >= 2 and all(len(b) >= 2 for b in blocks):
        return _from_blocks(blocks, file)
    lines = [(i, x) for i, x in numbered if x.strip()]
    if not lines:
        return Parsed()
    title: str | None = None
    first_i, first = lines[0]
    body = lines
    if not is_question(first) and len(first) <= 100 and len(lines) > 1:
        rest = lines[1:]
        if is_question(rest[0][1]) or len(rest) % 2 == 0:
            title, body = first.strip(), rest
    if body and is_question(body[0][1]):
        out = _by_questions(body, file)
    else:
        out = _alternating(body, file)
    out.title = title
    return out


def _blocks(numbered: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    blocks: list[list[tuple[int, str]]] = [[]]
    for i, line in numbered:
        if line.strip():
            blocks[-1].append((i, line))
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def _from_blocks(blocks: list[list[tuple[int, str]]], file: str) -> Parsed:
    out = Parsed()
    for block in blocks:
        (i, q), rest = block[0], block[1:]
        out.pairs.append(Pair(q.strip(), "\n".join(x for _, x in rest).strip(), i))
    return out


def _by_questions(body: list[tuple[int, str]], file: str) -> Parsed:
    out = Parsed()
    q: list[tuple[int, str]] = []
    a: list[str] = []

    def flush() -> None:
        if not q:
            return
        if not a:
            out.warnings.append(DeckIssue(file, q[0][0], "question without an answer: skipped"))
            return
        out.pairs.append(Pair("\n".join(x.strip() for _, x in q), "\n".join(a).strip(), q[0][0]))

    for i, line in body:
        if is_question(line):
            if q and not a:  # question lines in a row: one question, and say so
                out.warnings.append(DeckIssue(
                    file, i, f"question line follows question line {q[-1][0]} with no answer between: "
                    "read as one question"))
                q.append((i, line))
                continue
            flush()
            q, a = [(i, line)], []
        else:
            a.append(line.rstrip())
    flush()
    return out


def _alternating(body: list[tuple[int, str]], file: str) -> Parsed:
    out = Parsed()
    for k in range(0, len(body) - 1, 2):
        (i, term), (j, definition) = body[k], body[k + 1]
        if is_question(definition) and not is_question(term):
            out.warnings.append(DeckIssue(
                file, j, "reads like a question but is taken as the answer to the line before "
                "(term and definition alternate in this file)"))
        out.pairs.append(Pair(term.strip(), definition.strip(), i))
    if len(body) % 2:
        i, term = body[-1]
        out.warnings.append(DeckIssue(file, i, "last term has no definition: skipped"))
    return out
