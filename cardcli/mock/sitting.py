"""Sitting a mock exam: each question in turn, answers typed as in ``quiz``, a countdown, no reveals.

Pure apart from its arguments: lines come from a key source (``read_line``, see
:mod:`cardcli.terminal`), time from ``clock`` (tests pass a fake one), output goes to a rich
``Console``. Nothing is graded or shown until the end (:mod:`cardcli.mock.marking`).

* Every prompt shows the time left (``[74:12 left] Q3>``).
* An answer that cannot be read (a wrong matrix shape, a word for a number) is explained and asked
  again; an empty line leaves the question blank (0 points) and moves on; ``q`` ends the exam early.
  A matrix is typed as in ``quiz``: one row per line (``r<i>: …`` retypes row i) or ``1 2; 3 4``.
* At the deadline the exam ends: an answer entered after it is not counted, and every question
  not answered scores 0. The command also raises :class:`TimeUp` from a timer while the student is
  typing, which ends the sitting the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.text import Text

from cardcli.answers import AnswerFormatError
from cardcli.clock import running
from cardcli.mock.exam import Exam, Question
from cardcli.terminal import KeySource

__all__ = ["Sitting", "TimeUp", "sit", "format_left", "question_renderable", "QUIT_WORDS"]

QUIT_WORDS = ("q", "quit", "exit")


class TimeUp(Exception):
    """The exam's time ran out while an answer was being typed."""


@dataclass
class Sitting:
    """What happened: the accepted answer texts by question number, and how it ended
    (``done``, ``quit``, ``time``, ``eof`` or ``interrupt``)."""

    started_at: datetime
    deadline: datetime
    answers: dict[int, str] = field(default_factory=dict)
    attempted: list[int] = field(default_factory=list)  # answered or left blank (not: quit or time out at it)
    stopped: str = "done"
    ended_at: datetime | None = None
    late: int | None = None  # the question whose answer came after the deadline (not counted)



def format_left(left: timedelta) -> str:
    """``74:12``: whole minutes and seconds left (rounded down, never negative; 90 minutes is ``90:00``)."""
    secs = max(0, int(left.total_seconds()))
    return f"{secs // 60}:{secs % 60:02d}"


_CARD_HELP = {
    "truefalse": "true or false (t/f)",
    "choice": "an option number (or the option's text)",
}


def entry_help(q: Question) -> str:
    from cardcli.render import entry_help as problem_help

    if q.problem is None and q.kind in _CARD_HELP:
        return _CARD_HELP[q.kind]
    return problem_help(q.kind)


def question_renderable(q: Question) -> RenderableType:
    """The question as shown while sitting (no answer, no solution)."""
    if q.problem is not None:
        from cardcli.render import matrix_table

        p = q.problem
        parts: list[RenderableType] = [Text(p.stem or p.prompt)]
        for caption, rows in p.matrices.items():
            parts.append(matrix_table(rows, title=caption))
        if getattr(p, "parts", ()):
            from cardcli.partmarks import points_line

            parts.append(Text(points_line(tuple(p.parts), q.points)))
        return Group(*parts)
    from cardcli.render import matrix_table

    card = q.card
    assert card is not None
    parts = [Text(card.front)]
    for caption, rows in (card.matrices or {}).items():
        parts.append(matrix_table(rows, title=caption))
    if q.kind == "choice":
        parts.append(Text("\n".join(f"  {i}) {o}" for i, o in enumerate(card.options, 1))))
    elif q.kind == "truefalse":
        parts.append(Text("  True or false?"))
    return Group(*parts)


class _Stop(Exception):
    def __init__(self, reason: str):
        self.reason = reason


def sit(exam: Exam, keys: KeySource, console: Console, clock: Callable[[], datetime] | None = None,
        read_answer: Callable[[Question, str], Any] | None = None,
        on_start: Callable[[Sitting], None] | None = None,
        on_stop: Callable[[], None] | None = None,
        on_answer: Callable[[Sitting, Question], None] | None = None) -> Sitting:
    """Sit ``exam``: show the header, then every question until the end, ``q`` or the deadline.

    ``on_start`` is called with the new :class:`Sitting` (its deadline set) once the header is
    shown; ``on_answer`` after each question is answered or left blank (the command commits the
    answer there, before the next question shows); ``on_stop`` as soon as the questions end (the
    command stops its timer there).
    """
    if read_answer is None:
        from cardcli.mock.marking import read_answer as default_read_answer

        read_answer = default_read_answer

    if clock is None:
        clock = running()
    start = clock()
    s = Sitting(started_at=start, deadline=start + timedelta(minutes=exam.minutes))
    n = len(exam.questions)
    console.print(Text(f"{exam.title}: {n} question{'s' if n != 1 else ''}, {exam.total} points, "
                       f"{exam.minutes} minutes (seed {exam.seed})", style="bold"))
    console.print(Text("Answers are marked at the end. Enter on an empty line leaves a question blank; "
                       "q ends the exam early. Matrices: one row per line, or '1 2; 3 4'.", style="dim"))
    if on_start is not None:
        on_start(s)
    try:
        for q in exam.questions:
            if clock() >= s.deadline:
                raise _Stop("time")
            console.print()
            console.rule(Text(f"Q{q.number}/{n} · {q.section} · {q.points} point{'s' if q.points != 1 else ''} "
                              f"· {format_left(s.deadline - clock())} left"))
            console.print(question_renderable(q))
            console.print(Text(f"Answer with {entry_help(q)}.", style="dim"))
            text = _ask(q, s, keys, console, clock, read_answer)
            s.attempted.append(q.number)
            if text is not None:
                s.answers[q.number] = text
            if on_answer is not None:
                try:
                    on_answer(s, q)
                except BaseException:  # not saved (interrupted mid-commit): not counted as attempted
                    s.attempted.pop()
                    s.answers.pop(q.number, None)
                    raise
            console.print(Text("Answer recorded." if text is not None else "Left blank.", style="dim"))
    except _Stop as stop:
        s.stopped = stop.reason
    except TimeUp:
        s.stopped = "time"
    except EOFError:
        s.stopped = "eof"
    except KeyboardInterrupt:
        s.stopped = "interrupt"
    if on_stop is not None:
        on_stop()
    s.ended_at = clock()
    try:
        console.print()
        if s.stopped == "time":
            late = f" (the answer to Q{s.late} came after the end and is not counted)" if s.late else ""
            console.print(Text(f"Time is up{late}: unanswered questions score 0.", style="bold yellow"))
        elif s.stopped in ("quit", "eof", "interrupt"):
            console.print(Text(f"Exam ended early: {len(s.answers)} of {n} questions answered.", style="bold"))
    except OSError:  # the terminal is gone (a closed window): the command still writes the end
        pass
    return s


def _ask(q: Question, s: Sitting, keys: KeySource, console: Console, clock: Callable[[], datetime],
         read_answer: Callable[[Question, str], Any]) -> str | None:
    from cardcli.matrix_entry import start
    from cardcli.render import matrix_table

    def line(prompt: str) -> str:
        _flush(console)
        text = keys.read_line(prompt)
        if clock() >= s.deadline:
            s.late = q.number if text.strip() else s.late
            raise _Stop("time")
        if text.strip().lower() in QUIT_WORDS:
            raise _Stop("quit")
        return text

    while True:
        first = line(f"[{format_left(s.deadline - clock())} left] Q{q.number}> ")
        if not first.strip():
            return None
        entry = start(first, q.expected) if q.kind == "matrix" else None
        # Row-by-row entry as in quiz: ends after the last row; a blank line shows the rows so far.
        while entry is not None and not entry.done:
            note = entry.feed(line(entry.prompt()))
            if note:
                console.print(matrix_table(entry.table_rows(), title="Rows so far"))
                console.print(Text(note, style="dim"))
        text = entry.text() if entry is not None else first
        try:
            read_answer(q, text)
        except (AnswerFormatError, ValueError) as e:
            console.print(Text(f"Could not read that: {e}. Try again (empty line: leave blank).", style="yellow"))
            continue
        return text


def _flush(console: Console) -> None:
    try:
        console.file.flush()
    except (AttributeError, OSError, ValueError):
        pass
