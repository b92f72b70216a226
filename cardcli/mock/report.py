"""The marked exam on screen: each question with its points, verdict, diagnosis and worked solution,
then the total, a per-topic table and what to review next. Nothing here prints itself: every
function takes the caller's ``Console``."""

from __future__ import annotations

from datetime import timedelta

from rich.console import Console
from rich.text import Text

from cardcli.mock.exam import Exam
from cardcli.mock.marking import Mark, Marking, credit_note, fmt_points, key_text
from cardcli.studyday import StudyDay

__all__ = ["render_marking", "review_next", "history_lines"]

_STATUS = {"right": "✓", "partial": "~", "wrong": "✗", "blank": "–"}


def _question(m: Mark, console: Console) -> None:
    q = m.question
    console.print()
    console.rule(Text(f"Q{q.number} · {q.label} · {fmt_points(m.score)}/{q.points}"))
    if m.text is None:
        console.print(Text("– not answered (0 points)", style="bold"))
    note = credit_note(m)
    if note:
        console.print(Text(f"Partial credit: {fmt_points(m.score)} of {q.points} points ({note})", style="bold yellow"))
    if q.problem is not None:
        from dataclasses import replace

        from cardcli.render import cell_working, solution_renderable

        problem = q.problem
        wrong = list(getattr(m.grade, "wrong_cells", None) or [])
        if wrong:  # a slip in one cell: the working of the first wrong cell, not of all of them
            cell = min(wrong)
            short = cell_working(problem.solution, cell)
            if short is not None:
                more = len(wrong) - 1
                note = (f"(the working of the first wrong cell, [{cell[0]}, {cell[1]}]"
                        + (f"; {more} more wrong, worked the same way" if more else "")
                        + "; the printed exam's solutions have every cell)")
                problem = replace(problem, solution=f"{short}\n{note}")
        console.print(solution_renderable(problem, m.grade, m.diagnosis))
        return
    from cardcli.model import back_text

    card = q.card
    assert card is not None
    if m.grade is not None:
        style = "bold green" if m.grade.correct else "bold red"
        detail = "" if m.grade.correct else f": {m.grade.detail}"
        console.print(Text(f"{'✓ correct' if m.grade.correct else '✗ incorrect'}{detail}", style=style))
    if m.diagnosis:
        console.print(Text(m.diagnosis, style="yellow"))
    answer = card.answer if q.kind != "choice" else f"{key_text(q)}) {card.answer}"
    if q.kind == "truefalse":
        answer = "true" if card.answer else "false"
    console.print(Text(f"Answer: {answer}", style="bold"))
    console.print(Text(back_text(card)))
    if card.erratum:
        console.print(Text(f"Erratum: {card.erratum}", style="yellow"))


def review_next(marking: Marking, attempted: set[int] | None = None) -> list[str]:
    """Lines naming the families and cards to review (biggest loss first), with the command; only
    questions ``attempted`` (answered or left blank) when given: one never reached says nothing."""
    lines = []
    seen: set[str] = set()
    for m in marking.to_review():
        q = m.question
        if q.label in seen or (attempted is not None and q.number not in attempted):
            continue
        seen.add(q.label)
        lost = fmt_points(q.points - m.score)
        if q.problem is not None:
            cmd = f"cardcli quiz --topic {q.problem.family} -d {q.problem.difficulty}"
            lines.append(f"{q.problem.family} (lost {lost}): {cmd}")
        else:
            lines.append(f"{q.card.id} [{q.topic}] (lost {lost}): cardcli study --topic {q.topic}")  # type: ignore[union-attr]
    return lines


def render_marking(exam: Exam, marking: Marking, console: Console, elapsed: timedelta | None = None,
                   stopped: str = "done", attempted: set[int] | None = None) -> None:
    console.print()
    console.rule(Text("Marking", style="bold"))
    for m in marking.marks:
        _question(m, console)
    console.print()
    from cardcli.layout import Column, fit_table

    width = console.width
    columns = [Column("Q", "right"), Column("question"), Column("topic", drop=1), Column("points", "right"),
               Column("", drop=2)]
    rows: list[list[str | Text]] = [[str(m.question.number), Text(m.question.label), m.question.topic,
             f"{fmt_points(m.score)}/{m.question.points}", _STATUS[m.status]] for m in marking.marks]
    console.print(fit_table(width, columns, rows, title="Points per question"))
    by_topic = sorted(marking.by_topic().items(), key=lambda kv: (kv[1][0] / kv[1][1], kv[0]))
    console.print(fit_table(width, [Column("topic"), Column("points", "right"), Column("share", "right")],
                            [[t, f"{fmt_points(s)}/{p}", f"{s / p:.0%}"] for t, (s, p) in by_topic],
                            title="Per topic"))
    answered = sum(m.text is not None for m in marking.marks)
    took = ""
    if elapsed is not None:
        secs = int(elapsed.total_seconds())
        took = f" in {secs // 60} min {secs % 60} s"
    note = {"time": " (time ran out)", "quit": " (ended early)", "eof": " (ended early)",
            "interrupt": " (interrupted)"}.get(stopped, "")
    console.print(Text(f"Score: {fmt_points(marking.score)}/{marking.total}{note} — {answered} of "
                       f"{len(marking.marks)} answered{took}", style="bold"))
    todo = review_next(marking, attempted)
    if todo:
        console.print(Text("Review next:"))
        from cardcli.layout import hang

        for line in todo:
            console.print(hang(Text(line), 2))


def history_lines(records: list, day: StudyDay) -> list[str]:
    """One line per past mock exam (a :class:`~cardcli.store.MockExamRecord`), oldest first:
    when (in the user's zone, :meth:`StudyDay.format`), template, seed, score, and the weakest topic."""
    lines = []
    for r in records:
        note = {"time": ", time ran out", "quit": ", ended early", "eof": ", ended early",
                "interrupt": ", interrupted", "cut off": ", cut off (the answers given are kept)",
                "sitting": ", in progress"}.get(r.stopped, "")
        weakest = ""
        shares = [(s / p, t) for t, (s, p) in r.topics.items() if p]
        if shares:
            share, topic = min(shares)
            weakest = f"; weakest {topic} {share:.0%}"
        lines.append(f"{day.format(r.started_at)}  {r.template}  seed {r.seed}  "
                     f"{fmt_points(r.score)}/{r.max}{note}{weakest}")
    return lines
