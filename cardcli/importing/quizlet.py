"""Quizlet's export: term and definition separated by a tab (or comma, or a custom
separator), rows separated by a newline (or semicolon, or a custom separator)."""

from __future__ import annotations

from cardcli.errors import DeckIssue
from cardcli.importing.brainscape import parse_csv
from cardcli.importing.model import Pair, Parsed

__all__ = ["looks_like", "parse", "SEPARATORS"]

#: names accepted by --term-sep/--row-sep, as Quizlet's export dialog calls them
SEPARATORS = {"tab": "\t", "comma": ",", "newline": "\n", "semicolon": ";"}


def looks_like(text: str) -> bool:
    """Most non-empty lines hold a tab."""
    lines = [x for x in text.split("\n") if x.strip()]
    return bool(lines) and sum("\t" in x for x in lines) > 0.5 * len(lines)


def _sep(value: str) -> str:
    """A separator by name (``tab``...), or as typed with Python escapes (``\\t``, ``\\x1f``)."""
    if value.lower() in SEPARATORS:
        return SEPARATORS[value.lower()]
    if "\\" not in value:
        return value
    try:
        return value.encode("latin-1", "backslashreplace").decode("unicode_escape")
    except UnicodeDecodeError as e:
        from cardcli.errors import UsageError

        raise UsageError(f"separator {value!r}: {e.reason} (use escapes such as \\t, \\n, \\x1f or \\u2028)") from None


def parse(text: str, file: str, term_sep: str = "tab", row_sep: str = "newline") -> Parsed:
    term, row = _sep(term_sep), _sep(row_sep)
    if not term or not row or term == row:
        from cardcli.errors import UsageError

        raise UsageError("--term-sep and --row-sep must be two different, non-empty separators")
    if term == "," and row == "\n":
        return parse_csv(text, file)  # CSV quoting: definitions may hold commas and line breaks
    out = Parsed()
    last_line = 0  # the line of the last card read (a line without a separator continues it)
    blank = False  # a blank chunk since the last card
    next_line = 1  # the line each chunk starts on, counted as we go (linear in the file)
    row_lines = row.count("\n")
    for chunk in text.split(row):
        line = next_line
        next_line += chunk.count("\n") + row_lines
        if not chunk.strip():
            blank = True
            continue
        offset = len(chunk) - len(chunk.lstrip())
        line += chunk.count("\n", 0, offset)
        if term not in chunk:
            if row == "\n" and out.pairs and out.pairs[-1].line == last_line:
                # Quizlet writes a definition's line breaks as they are: this line continues it
                prev = out.pairs[-1]
                out.pairs[-1] = Pair(prev.front, prev.back + ("\n\n" if blank else "\n") + chunk.strip(), prev.line)
                blank = False
                continue
            out.warnings.append(DeckIssue(file, line, f"no term/definition separator {term!r}: skipped"))
            continue
        blank = False
        front, back = chunk.split(term, 1)
        if not front.strip() or not back.strip():
            out.warnings.append(DeckIssue(file, line, "empty term or definition: skipped"))
            continue
        out.pairs.append(Pair(front.strip(), back.strip(), line))
        last_line = line
    return out
