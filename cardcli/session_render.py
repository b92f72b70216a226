"""What a study session shows: the card panel, the revealed answer, the rating lines and the summary.

Every function takes the data it shows (and a rich ``Console`` where it prints); none reads keys
or writes the store - that is :mod:`cardcli.session`. Deck text goes through ``safe_text``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from cardcli.model import Card, CardType, back_text
from cardcli.safetext import safe_text
from cardcli.scheduler import RATING_LABELS, format_interval
from cardcli.studyday import StudyDay

__all__ = ["RATING_PROMPT", "CRAM_BANNER", "Summary", "plural", "render_summary", "card_panel", "reveal",
           "rating_lines", "matrix", "is_matrix"]

RATING_PROMPT = "How well did you know this?"
CRAM_BANNER = "Cram: weakest cards first; ratings are logged, the schedule is unchanged."


# -- the summary ---------------------------------------------------------------------------

@dataclass
class Summary:
    """What a session did."""

    seen: int = 0  # distinct cards rated
    reviews: int = 0  # ratings kept (undone ones are not counted)
    ratings: dict[int, int] = field(default_factory=lambda: {r: 0 for r in range(1, 6)})
    skipped: int = 0
    undone: int = 0
    elapsed: timedelta = timedelta(0)
    due_now: int = 0  # selected cards still due at the end
    next_due: datetime | None = None  # earliest due time among the rest
    cram: bool = False


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def render_summary(s: Summary, console: Console, now: datetime, day: StudyDay | None = None) -> None:
    secs = int(s.elapsed.total_seconds())
    hist = "  ".join(f"{r}: {n}" for r, n in s.ratings.items())
    console.print(Text(f"Session over: {plural(s.seen, 'card')}, {plural(s.reviews, 'rating')} in "
                       f"{secs // 60} min {secs % 60} s"
                       + (" (cram: schedule unchanged)" if s.cram else "")))
    console.print(Text(f"Ratings  {hist}" + (f"   skipped: {s.skipped}" if s.skipped else "")
                       + (f"   undone: {s.undone}" if s.undone else "")))
    if s.due_now:
        console.print(Text(f"Still due now: {plural(s.due_now, 'card')}"))
    if s.next_due is not None:
        wait = s.next_due - now
        when = "now" if wait <= timedelta(0) else f"in {format_interval(wait)}"
        console.print(Text(f"Next due: {when} ({(day or StudyDay()).format(s.next_due)})"))
    elif not s.due_now:
        console.print(Text("Nothing scheduled yet."))


# -- one card ------------------------------------------------------------------------------

def card_panel(card: Card, problem: Any, n: int) -> Panel:
    """The ``n``-th card of the session: a deck card's front, or a generated ``problem``."""
    parts: list[Any] = []
    if problem is not None:
        from cardcli.render import problem_renderable

        parts.append(problem_renderable(problem))
        matrices = {}
    else:
        parts.append(safe_text(card.front))  # clean at load too; again here for cached decks
        matrices = card.matrices
        if card.type is CardType.choice:
            parts.append(safe_text("\n".join(f"  {i}) {o}" for i, o in enumerate(card.options, 1))))
        elif card.type is CardType.truefalse:
            parts.append(Text("  true or false?"))
    for caption, rows in (matrices or {}).items():
        parts.append(matrix(rows, caption))
    title = safe_text(f"#{n}  {card.deck} · {card.topic}")  # Text: a deck name is never markup
    return Panel(Group(*parts), title=title, title_align="left", subtitle=safe_text(card.id),
                 subtitle_align="right")


def reveal(console: Console, card: Card, problem: Any, grade: Any, found: Any = None) -> None:
    """The answer, after the student's attempt: the grade, the likely mistake, the solution."""
    line = None if found is None else found.line
    if problem is not None:
        from cardcli.render import solution_renderable

        console.print(solution_renderable(problem, grade, line))
        return
    if grade is not None:
        mark = "correct" if grade.correct else "wrong"
        detail = getattr(grade, "detail", "") or ""
        if detail.strip().lower() in ("correct", "wrong", "incorrect"):
            detail = ""
        console.print(safe_text(f"{'✓' if grade.correct else '✗'} {mark}" + (f": {detail}" if detail else ""),
                                style="green" if grade.correct else "red"))
        if line:
            console.print(Text(line, style="yellow"))
    wrong_cells = getattr(grade, "wrong_cells", None)
    if grade is not None and not grade.correct and wrong_cells and is_matrix(getattr(grade, "value", None)):
        from cardcli.render import matrix_table

        console.print(matrix_table(grade.value, title="Your answer", wrong_cells=wrong_cells))
    for part in answer_parts(card):
        console.print(part)


def answer_parts(card: Card) -> list[Any]:
    """A deck card's answer side as study reveals it (and ``cardcli show`` prints it): the dispute,
    the expected answer (a matrix as a table), the back, the erratum and the source."""
    parts: list[Any] = []
    if card.disputed:
        parts.append(safe_text(f"Disputed: {card.disputed}", style="yellow"))
    if card.type is not CardType.basic and card.answer is not None:
        if is_matrix(card.answer):
            parts.append(matrix(card.answer, "Answer"))
        else:
            parts.append(safe_text(f"Answer: {_plain(card.answer)}", style="bold"))
    parts.append(safe_text(back_text(card)))
    if card.erratum:
        parts.append(safe_text(f"Erratum: {card.erratum}", style="yellow"))
    if card.source:
        parts.append(safe_text(f"Source: {card.source}", style="dim"))
    return parts


def rating_lines(console: Console, cap: int, preview: dict[int, timedelta] | None) -> None:
    """The rating question, and the interval each rating up to ``cap`` gives (``preview``; None
    in a cram session, which never changes the schedule)."""
    labels = "  ".join(f"{r} {RATING_LABELS[r]}" for r in range(1, 6))
    line = f"{RATING_PROMPT}  {labels}"
    console.print(Text(line if len(line) <= console.width else f"{RATING_PROMPT}\n{labels}"))
    capped = f"(wrong answer: rating capped at {cap})" if cap < 5 else ""
    if preview is None:
        if capped:
            console.print(Text(capped, style="dim"))
    else:
        shown = [r for r in range(1, 6) if r <= cap]
        console.print(Text("  ".join(f"{r}: {format_interval(preview[r])}" for r in shown)
                           + (f"   {capped}" if capped else ""), style="dim"))


# -- helpers -------------------------------------------------------------------------------

def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def is_matrix(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(r, list) for r in value)


def matrix(rows: list, caption: str) -> Any:
    from cardcli.render import matrix_table

    return matrix_table(rows, title=caption)
