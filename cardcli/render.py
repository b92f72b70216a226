"""Rich renderables for matrices, generated problems and their worked solutions.

Nothing here prints: every function returns a renderable for the caller's ``Console``.
Highlighted cells (the patch a conv/pool cell uses) are styled and listed in the caption;
wrong cells are styled and marked ``✗`` so they show without colour too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from cardcli.safetext import clean, safe_text
from generators.render import fmt

__all__ = ["matrix_table", "highlight_cells", "highlight_description", "answer_text", "entry_help",
           "problem_renderable", "solution_renderable", "cell_working"]

HIGHLIGHT_STYLE = "bold black on yellow"
WRONG_STYLE = "bold red"


def highlight_cells(highlight: dict | Iterable[tuple[int, int]] | None) -> set[tuple[int, int]]:
    """Cells of a highlight spec (see :mod:`generators.problem`) in padded coordinates."""
    if highlight is None:
        return set()
    if not isinstance(highlight, dict):
        return {(int(r), int(c)) for r, c in highlight}
    (r0, r1), (c0, c1) = highlight["rows"], highlight["cols"]
    sr, sc = highlight.get("step", (1, 1))
    return {(r, c) for r in range(r0, r1 + 1, sr) for c in range(c0, c1 + 1, sc)}


def _pad_rows(rows: list[list[Any]], pad: tuple[int, int], value: Any = 0) -> list[list[Any]]:
    ph, pw = pad
    if not ph and not pw:
        return rows
    width = len(rows[0]) + 2 * pw
    blank = [[value] * width for _ in range(ph)]
    return blank + [[value] * pw + list(r) + [value] * pw for r in rows] + [list(b) for b in blank]


#: a matrix larger than this is shown cut, with a note (rendering 10^6 cells would take minutes)
MAX_SHOWN_ROWS = 40
MAX_SHOWN_COLS = 24
MAX_CELL_CHARS = 24


def matrix_table(
    rows: list[list[Any]],
    title: str | None = None,
    highlight: dict | Iterable[tuple[int, int]] | None = None,
    wrong_cells: Iterable[tuple[int, int]] | None = None,
) -> Table:
    """A 2-D list as a compact right-aligned table with row/column indices.

    ``highlight``: a highlight dict (rows/cols/step, in the coordinates of ``rows``) or an
    iterable of (row, col); ``wrong_cells``: (row, col) pairs drawn in red with ``✗``.
    At most :data:`MAX_SHOWN_ROWS` x :data:`MAX_SHOWN_COLS` cells are drawn; the caption says
    how much was left out.
    """
    marked = highlight_cells(highlight)
    wrong = {(int(r), int(c)) for r, c in (wrong_cells or [])}
    nrows = len(rows)
    ncols = max((len(r) for r in rows[:MAX_SHOWN_ROWS] if isinstance(r, (list, tuple))), default=0)
    shown_cols = min(ncols, MAX_SHOWN_COLS)
    table = Table(title=None if title is None else safe_text(title), box=box.SIMPLE_HEAD, show_header=True,
                  pad_edge=False, padding=(0, 1), title_justify="left")
    table.add_column("", style="dim", justify="right")
    for c in range(shown_cols):
        table.add_column(str(c), justify="right", header_style="dim")
    for r, row in enumerate(rows[:MAX_SHOWN_ROWS]):
        cells: list[Text] = [Text(str(r))]
        for c, v in enumerate(row[:shown_cols] if isinstance(row, (list, tuple)) else [row]):
            text = fmt(v)
            if len(text) > MAX_CELL_CHARS:
                text = text[: MAX_CELL_CHARS - 1] + "…"
            style = ""
            if (r, c) in marked:
                style = HIGHLIGHT_STYLE
            if (r, c) in wrong:
                text += " ✗"
                style = WRONG_STYLE
            cells.append(Text(clean(text), style=style))
        table.add_row(*cells)
    notes = []
    if wrong:
        notes.append(f"✗ = wrong ({len(wrong)})")
    if nrows > MAX_SHOWN_ROWS or ncols > shown_cols:
        notes.append(f"showing {min(nrows, MAX_SHOWN_ROWS)} of {nrows} rows, {shown_cols} of {ncols} columns")
    if notes:
        table.caption = Text("; ".join(notes))
        table.caption_justify = "left"
    return table


def highlight_description(highlight: dict | Iterable[tuple[int, int]]) -> str:
    """``rows 1–3, columns 0–2`` for the highlighted cells."""
    marked = highlight_cells(highlight)
    rs, cs = sorted({r for r, _ in marked}), sorted({c for _, c in marked})
    return f"rows {_span(rs)}, columns {_span(cs)}"


def _span(values: list[int]) -> str:
    if len(values) == 1:
        return str(values[0])
    step = values[1] - values[0]
    if all(b - a == step for a, b in zip(values, values[1:])):
        return f"{values[0]}–{values[-1]}" + (f" (every {step})" if step > 1 else "")
    return ", ".join(map(str, values))


def answer_text(answer: Any, kind: str) -> str:
    """An expected answer as one line of text (matrices excluded: use :func:`matrix_table`)."""
    if kind == "shape":
        return "×".join(str(int(v)) for v in answer)
    if kind.startswith("memory"):
        unit = kind.split(":", 1)[1] if ":" in kind else "MB"
        return f"{fmt(answer)} {unit}"
    if kind == "radius-verdict":
        return f"ρ = {fmt(answer['radius'])}, {answer['regime']}"
    if kind == "parts" and isinstance(answer, dict):
        from generators.parts import Part, leaf_names, parts_text

        return parts_text(tuple(Part(n, n, "float") for n in leaf_names(answer)), answer)
    if isinstance(answer, list):
        return "; ".join(" ".join(fmt(v) for v in row) for row in answer)
    return fmt(answer)


_ENTRY_HELP = {
    "int": "a whole number (1,234 and 1.5e6 are fine)",
    "float": "a number (decimals, 7/4 or 1.5e-3)",
    "matrix": "a matrix: one row per line, or '1 2; 3 4', or [[1, 2], [3, 4]]",
    "shape": "a shape such as 56x56x256",
    "verdict": "vanishing, exploding or neither",
    "radius-verdict": "the radius then the regime, e.g. '1.75 exploding'",
    "parts": "the parts in order separated by | (e.g. '6 | 1 | -2'), or named ('value = 6 | x = 1 | y = -2')",
}


def entry_help(kind: str) -> str:
    """How to type an answer of ``kind``."""
    if kind.startswith("memory"):
        unit = kind.split(":", 1)[1] if ":" in kind else "MB"
        return f"an amount in {unit} (or with a unit: '12.5 MB', '3 GiB', '1048576 bytes')"
    return _ENTRY_HELP.get(kind, "your answer")


def _tables_side_by_side(tables: list[Table]) -> RenderableType:
    if len(tables) == 1:
        return tables[0]
    from rich.columns import Columns

    return Columns(tables, padding=(0, 3))


def problem_renderable(problem: Any) -> RenderableType:
    """The question: header, stem text and the matrices as tables."""
    header = Text(f"{problem.id}", style="bold cyan")
    header.append(f"  [{', '.join(problem.topics)}] difficulty {problem.difficulty}", style="dim")
    parts: list[RenderableType] = [header]
    if problem.matrices:
        parts.append(Text(problem.stem or problem.prompt))
        parts.append(_tables_side_by_side([matrix_table(rows, title=caption)
                                           for caption, rows in problem.matrices.items()]))
    else:
        parts.append(Text(problem.prompt))
    return Group(*parts)


def cell_working(solution: str, cell: tuple[int, int]) -> str | None:
    """The worked solution cut to one cell: its first line (the rule with this problem's numbers),
    then the lines that work out ``cell`` (``out[1, 2] = …``, ``dL/dx[1, 2] = …`` and their indented
    continuations). None when the solution has no line for that cell (it is then shown whole)."""
    import re

    lines = solution.split("\n")
    start = re.compile(rf"^\S*\[{cell[0]}, {cell[1]}\] =")
    for n, line in enumerate(lines[1:], 1):
        if start.match(line):
            end = n + 1
            while end < len(lines) and lines[end][:1] in (" ", "\t") and lines[end].strip():
                end += 1
            return "\n".join([lines[0], *lines[n:end]])
    return None


def solution_renderable(problem: Any, grade: Any = None, diagnosis: str | None = None) -> RenderableType:
    """The verdict (when ``grade`` is given), the ``diagnosis`` line (``Likely mistake: …``), the
    expected answer, the worked solution and, for a cell question, the input with the patch
    highlighted; wrong matrix cells are marked."""
    parts: list[RenderableType] = []
    if grade is not None:
        if grade.correct:
            parts.append(Text("✓ correct", style="bold green"))
        else:
            parts.append(safe_text(f"✗ incorrect: {grade.detail}", style="bold red"))
    if diagnosis:
        parts.append(Text(diagnosis, style="yellow"))
    kind = problem.answer_kind
    if kind == "matrix":
        tables = []
        if grade is not None and not grade.correct and grade.value is not None:
            tables.append(matrix_table(grade.value, title="Your answer", wrong_cells=grade.wrong_cells))
        tables.append(matrix_table(problem.answer, title="Expected"))
        parts.append(_tables_side_by_side(tables))
    else:
        parts.append(Text(f"Answer: {answer_text(problem.answer, kind)}", style="bold"))
    hl = problem.highlight
    if hl:
        captions = hl.get("matrices") or [hl.get("matrix")]
        pad = tuple(hl.get("pad", (0, 0)))
        tables = []
        for caption in captions:
            if caption in problem.matrices:
                value = hl.get("pad_value", 0)
                rows = _pad_rows(problem.matrices[caption], pad, value)
                title = caption + (f" (padded with {fmt(value)})" if any(pad) else "")
                tables.append(matrix_table(rows, title=title, highlight=hl))
        if tables:
            where = "padded input" if any(pad) else "input"
            parts.append(Text(f"Highlighted: the patch at {highlight_description(hl)} of the {where} "
                              f"(counting from 0)."))
            parts.append(_tables_side_by_side(tables))
    parts.append(Text("Worked solution", style="bold underline"))
    parts.append(Text(problem.solution))
    return Group(*parts)
