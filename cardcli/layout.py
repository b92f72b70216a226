"""Width-aware layout: tables that drop columns or stack, hanging indents, ellipsis.

Every command prints through a rich ``Console`` whose width is the terminal's (``COLUMNS`` when
piped; 80 by default). These helpers keep every line within that width without cutting names:

* :func:`fit_table` - a table whose name-like columns are never cut. When it does not fit, the
  least useful columns (highest ``drop``) go first; when even the essential ones do not fit, each
  row becomes a short block (the name, then ``header value`` pairs wrapped at spaces).
* :func:`hang` - text wrapped at word boundaries under an indent.
* :func:`ellipsize` - one line cut to a width, ending in ``…``.

Pure apart from rich measuring text; nothing here prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

__all__ = ["Column", "fit_table", "hang", "ellipsize"]


@dataclass(frozen=True)
class Column:
    """One column of :func:`fit_table`.

    ``drop``: 0 = always shown; otherwise columns are dropped highest first while the table is
    too wide. ``wrap``: values may wrap at spaces (lists such as topics); other columns are never
    cut or wrapped.
    """

    header: str
    justify: str = "left"
    drop: int = 0
    wrap: bool = False


_BOX = box.HEAVY_HEAD


def _plain(value: str | Text) -> str:
    return value.plain if isinstance(value, Text) else str(value)


def _needed(columns: Sequence[Column], index: Sequence[int], rows: Sequence[Sequence[str | Text]]) -> int:
    """Narrowest width at which no unwrappable cell is cut (box edges and padding included)."""
    total = 3 * len(index) + 1  # a border before each column and at the end, one space each side
    for i in index:
        col = columns[i]
        cells = [col.header] + [_plain(r[i]) for r in rows]
        if col.wrap:
            total += max(cell_len(w) for c in cells for w in (c.split() or [""]))
        else:
            total += max(cell_len(line) for c in cells for line in (c.splitlines() or [""]))
    return total


def _table(columns: Sequence[Column], index: Sequence[int], rows: Sequence[Sequence[str | Text]],
           title: str | None) -> Table:
    table = Table(title=title, title_justify="left", box=_BOX)
    for i in index:
        col = columns[i]
        table.add_column(col.header, justify=col.justify, no_wrap=not col.wrap,  # type: ignore[arg-type]
                         overflow="fold" if col.wrap else "ellipsis")
    for row in rows:
        table.add_row(*(row[i] if isinstance(row[i], Text) else Text(str(row[i])) for i in index))
    return table


def _stacked(columns: Sequence[Column], rows: Sequence[Sequence[str | Text]], title: str | None) -> Group:
    parts: list[RenderableType] = []
    if title:
        parts.append(Text(title, style="italic"))
    for row in rows:
        name = row[0] if isinstance(row[0], Text) else Text(str(row[0]))
        parts.append(Text.assemble(name, style="bold"))
        pairs = Text()
        for col, value in zip(columns[1:], row[1:]):
            text = value if isinstance(value, Text) else Text(str(value))
            if col.wrap:  # a list: on its own lines
                parts.append(hang(Text.assemble((f"{col.header}: ", "dim"), text), 2))
                continue
            if pairs:
                pairs.append("   ")
            pairs.append(f"{col.header} ", style="dim")
            pairs.append_text(text)
        if pairs:
            parts.insert(len(parts) - sum(1 for c in columns[1:] if c.wrap), hang(pairs, 2))
    return Group(*parts)


def fit_table(width: int, columns: Sequence[Column], rows: Sequence[Sequence[str | Text]],
              title: str | None = None) -> RenderableType:
    """A table of ``rows`` that fits ``width`` columns without cutting an unwrappable cell.

    The first column is the row's name (used as the heading when rows are stacked).
    """
    index = list(range(len(columns)))
    levels = sorted({c.drop for c in columns if c.drop}, reverse=True)
    for level in [None, *levels]:
        if level is not None:
            index = [i for i in index if columns[i].drop != level]
        if _needed(columns, index, rows) <= width:
            return _table(columns, index, rows, title)
    return _stacked(columns, rows, title)


class _Hanging:
    """Text wrapped at word boundaries to the width left after an indent; no trailing padding."""

    def __init__(self, text: Text, indent: int):
        self.text = text
        self.indent = indent

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        room = max(1, options.max_width - self.indent)
        pad = Segment(" " * self.indent)
        for line in self.text.wrap(console, room):
            line.rstrip()
            yield pad
            yield from line.render(console)
            yield Segment.line()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        words = self.text.plain.split() or [""]
        longest = max(cell_len(w) for w in words)
        widest = max(cell_len(line) for line in self.text.plain.splitlines() or [""])
        return Measurement(self.indent + longest, self.indent + widest)


def hang(text: str | Text, indent: int, style: str = "") -> RenderableType:
    """``text`` wrapped at word boundaries, every line indented by ``indent`` spaces."""
    body = text if isinstance(text, Text) else Text(text, style=style)
    return _Hanging(body, indent)


def ellipsize(text: str | Text, width: int) -> Text:
    """``text`` on one line (runs of whitespace collapsed), cut to ``width`` cells with ``…``."""
    body = text.copy() if isinstance(text, Text) else Text(" ".join(str(text).split()))
    if cell_len(body.plain) > width:
        body.truncate(max(1, width), overflow="ellipsis")
    return body
