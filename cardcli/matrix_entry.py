"""A matrix typed one row per line, forgivingly: the entry state, independent of the terminal.

The first row is typed at the answer prompt; :func:`start` decides whether more rows follow
(see :func:`cardcli.answers.needs_more_rows`). Then each :meth:`MatrixEntry.feed` takes one line:

* a row of numbers is the next row; a row of the wrong length is refused with a message (and
  typed again), so one slip never loses the rows before it;
* an empty line does not end the entry: it returns a note saying which rows are still missing
  (the caller shows the rows so far);
* ``r<i>: 1 2 3`` (or ``r<i> 1 2 3``) retypes row ``i``, counting from 0 as the tables do.

Entry is done when every row is there; :meth:`MatrixEntry.text` is then the answer text.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["MatrixEntry", "start", "RETYPE_HELP"]

RETYPE_HELP = "r<i>: … retypes row i"
# at most 6 digits: "r" and 5,000 digits is no row number (and no slow or failing int())
_RETYPE = re.compile(r"^r\s*(\d{1,6})(?!\d)\s*[:>=]?\s*(.*)$", re.IGNORECASE | re.DOTALL)


def _width(line: str) -> int:
    return len(line.replace(",", " ").split())


class MatrixEntry:
    """Rows typed so far of an ``nrows``×``ncols`` matrix."""

    def __init__(self, nrows: int, ncols: int, first: str):
        self.nrows = nrows
        self.ncols = ncols
        self.rows: list[str] = [first.strip()]

    @property
    def done(self) -> bool:
        return len(self.rows) >= self.nrows

    def prompt(self) -> str:
        """The prompt for the next row: ``r2> `` (its index, counting from 0)."""
        return f"r{len(self.rows)}> "

    def missing(self) -> str:
        k = len(self.rows)
        left = f"row {k}" if k == self.nrows - 1 else f"rows {k}–{self.nrows - 1}"
        return f"{k} of {self.nrows} rows typed; type {left} ({RETYPE_HELP})"

    def feed(self, line: str) -> str | None:
        """Take one typed line; returns a note to show, or None when the line was simply a row."""
        text = line.strip()
        if not text:
            return self.missing()
        m = _RETYPE.match(text)
        index = len(self.rows)
        if m:
            index = int(m.group(1))
            text = m.group(2).strip()
            if index > len(self.rows) or index >= self.nrows:
                return (f"there is no row {index} to retype yet: rows {0}–{len(self.rows) - 1} are typed "
                        f"(the matrix has rows 0–{self.nrows - 1})")
        n = _width(text)
        if n != self.ncols:
            return f"row {index} needs {self.ncols} numbers, that line has {n}; type it again"
        if index == len(self.rows):
            self.rows.append(text)
            return None if not m else f"row {index} typed"
        self.rows[index] = text
        return f"row {index} replaced"

    def table_rows(self) -> list[list[str]]:
        """The rows so far as cells (for showing them in a table)."""
        return [text.replace(",", " ").split() for text in self.rows]

    def text(self) -> str:
        return "\n".join(self.rows)


def start(first: str, expected: Any) -> MatrixEntry | None:
    """A row-by-row entry when ``first`` is the first row of a matrix answer, else None."""
    from cardcli.answers import needs_more_rows

    if not needs_more_rows([first], expected):
        return None
    return MatrixEntry(len(expected), len(expected[0]), first)
