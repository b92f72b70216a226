"""``cardcli exam mock``: build a mock exam from a template, sit it (or print it), mark it, log it.

The sitting reads lines from the terminal (or a pipe) with the time left in every prompt; in a
terminal the top line counts down every second (:mod:`cardcli.mock.countdown`) and a timer
(``SIGALRM``) ends the exam at the deadline while an answer is being typed.
``--print FILE`` writes the same exam (same seed, same history) as Markdown or HTML instead.
"""

from __future__ import annotations

import random
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from cardcli import clock

__all__ = ["run", "run_templates", "templates_table", "write_document", "PRINT_SIGNATURE", "Alarm", "signed"]

#: the first line of every printed exam (Markdown; HTML has it after the doctype): only a file that
#: begins so is replaced without --force
PRINT_SIGNATURE = ("<!-- written by cardcli exam mock --print; cardcli replaces this file only while this line "
                   "is here -->\n")
_HTML_START = "<!DOCTYPE html>\n"


def signed(text: str) -> str:
    """The printed document with its signature line."""
    if text.startswith(_HTML_START):
        return _HTML_START + PRINT_SIGNATURE + text[len(_HTML_START):]
    return PRINT_SIGNATURE + text


def write_document(text: str, target: str, force: bool = False) -> Path | None:
    """Write ``text`` to ``target`` (``-``: stdout) with :func:`cardcli.fileout.write_output`:
    a new file exclusively; an existing one only if it is a printed exam (or with ``force``)."""
    from cardcli.fileout import starts_with, write_output

    if target == "-":  # the document as UTF-8, like the file, whatever the terminal's encoding
        sys.stdout.flush()
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is not None:
            buffer.write(text.encode("utf-8"))
            buffer.flush()
        else:
            sys.stdout.write(text)
        return None
    path = Path(target).expanduser()
    write_output(path, signed(text).encode("utf-8"), force=force, flag="--print",
                 signature=starts_with(PRINT_SIGNATURE.encode(), (_HTML_START + PRINT_SIGNATURE).encode()),
                 refuse=f"--print: {path} exists and is not a mock exam cardcli printed; choose another name, "
                        "or use --force to replace it",
                 special_hint="use --print - for standard output")
    return path


class Alarm:
    """In a terminal, raise :class:`~cardcli.mock.sitting.TimeUp` at the deadline (Unix)."""

    def __init__(self, seconds: float, enabled: bool):
        self.active = False
        import signal

        if not (enabled and hasattr(signal, "setitimer")):
            return
        from cardcli.mock.sitting import TimeUp

        def _ring(signum: int, frame: object) -> None:
            raise TimeUp

        self._old = signal.signal(signal.SIGALRM, _ring)
        signal.setitimer(signal.ITIMER_REAL, max(0.01, seconds))
        self.active = True

    def cancel(self) -> None:
        if self.active:
            import signal

            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._old)
            self.active = False


def _policy(store, now: datetime):
    """The scheduler settings answers are rated under, as in ``quiz``: the fitted parameters
    (``cardcli optimize``) and the remembered exam date (``cardcli exam set``), if any."""
    from cardcli.examdate import active_exam
    from cardcli.scheduler import policy_for
    from cardcli.studyday import from_env

    day = from_env()
    exam, _name = active_exam(store, None, now, day, quiet=True)
    model = store.memory_model()
    return policy_for(now, exam, model.parameters if model else None, day)


def templates_table() -> Any:
    """The shipped templates as a rich ``Table``: name, title, minutes, points, questions, open problems."""
    from rich.table import Table
    from rich.text import Text

    from cardcli.mock.template import DEFAULT, shipped_templates

    table = Table(title="Mock-exam templates (cardcli exam mock --template NAME)", title_justify="left")
    for col in ("name", "title", "minutes", "points", "questions", "open problems"):
        numeric = col in ("minutes", "points", "questions")
        table.add_column(col, justify="right" if numeric else "left", no_wrap=numeric,
                         overflow="fold")
    for tpl in shipped_templates():
        families = [p.family for s in tpl.sections for p in s.problems]
        count = len(families) + sum(s.draw.count for s in tpl.sections if s.draw)
        name = tpl.name + (" (default)" if tpl.name == DEFAULT else "")
        table.add_row(Text(name), Text(tpl.title), str(tpl.minutes), str(tpl.total), str(count),
                      Text(", ".join(families)))
    return table


def run_templates() -> None:
    """``cardcli exam templates``: the shipped templates, one row each, and where their files are."""
    from rich.text import Text

    from cardcli.console import out
    from cardcli.mock.template import DEFAULT, SHIPPED, shipped_template_path

    out.print(templates_table())
    for name, about in SHIPPED.items():
        out.print(Text(f"{name}: {about}"))
    out.print(Text(f"Files: {shipped_template_path(DEFAULT).parent} — copy one, edit it and pass "
                   f"--template FILE."))


def run(*, seed: int | None, minutes: int | None, template: str | Path | None, topics: list[str],
        print_to: str | None, extra: list[Path], force: bool = False) -> None:
    import typer
    from rich.text import Text

    from cardcli.console import out
    from cardcli.mock.exam import build_exam
    from cardcli.mock.template import load_template
    from cardcli.selection import load_decks
    from cardcli.store import Store

    tpl = load_template(template)
    if minutes is not None:
        tpl = replace(tpl, minutes=minutes)
    if seed is None:
        seed = random.SystemRandom().randrange(1_000_000)
    col = load_decks(extra)
    now = clock.now()
    with Store.open() as store:
        states = store.load_states()
        policy = _policy(store, now)
    exam = build_exam(tpl, seed, col.cards, states, now, topics, policy)
    if print_to is not None:
        from cardcli.mock.printing import render_document

        html_out = print_to.lower().endswith((".html", ".htm"))
        path = write_document(render_document(exam, html_out=html_out), print_to, force)
        if path is not None:
            out.print(Text(f"Wrote {path}: {exam.title}, {len(exam.questions)} questions, {exam.total} points, "
                           f"{exam.minutes} minutes, seed {exam.seed}; answer key and worked solutions at the end."))
        return

    from cardcli.interrupts import as_interrupt, deferred, exit_code, received
    from cardcli.mock.countdown import StatusLine
    from cardcli.mock.marking import mark_exam
    from cardcli.mock.record import answer_record, summary_record
    from cardcli.mock.report import render_marking
    from cardcli.mock.sitting import Question, Sitting, sit
    from cardcli.terminal import key_source

    status: list[StatusLine] = []
    exam_id: list[int] = []
    sat: list[Sitting] = []
    running = clock.running()

    # Every answer is committed as it is given; SIGHUP (window closed) and SIGTERM end the sitting
    # like Ctrl-C, and the end is written before anything else is shown (the terminal may be gone).
    with as_interrupt(), Store.open() as store:
        store.close_abandoned_mock_exams(clock.now())
        policy = _policy(store, clock.now())

        def started(s: Sitting) -> None:
            sat.append(s)
            exam_id.append(store.begin_mock_exam(summary_record(exam, mark_exam(exam, {}), s, s.started_at)))
            line = StatusLine(sys.stdout, s.deadline, exam.title, running)
            if line.start():
                status.append(line)

        def answered(s: Sitting, q: Question) -> None:
            at = running()
            marking = mark_exam(exam, s.answers)
            mark = next(m for m in marking.marks if m.question.number == q.number)
            store.record_mock_answer(exam_id[0], summary_record(exam, marking, s, at), answer_record(mark, at, policy))

        alarm = Alarm(exam.minutes * 60, enabled=sys.stdin.isatty())
        try:
            sitting = sit(exam, key_source(sys.stdin, sys.stdout), out, running, on_start=started,
                          on_stop=alarm.cancel, on_answer=answered)
        except KeyboardInterrupt:  # a signal as the sitting ended (e.g. a closed window: end of input, then SIGHUP)
            if not sat:
                raise
            sitting = sat[0]
            sitting.ended_at = sitting.ended_at or running()
            if received() is not None and sitting.stopped == "done":
                sitting.stopped = "interrupt"
        finally:
            with deferred():
                alarm.cancel()
                for line in status:
                    line.stop()
        with deferred():  # the end is written whole, whatever signal comes now
            marking = mark_exam(exam, sitting.answers)
            if exam_id:
                store.finish_mock_exam(exam_id[0], summary_record(exam, marking, sitting, running()))
    end = sitting.ended_at or running()
    logged = len(sitting.attempted)
    render_marking(exam, marking, out, end - sitting.started_at, sitting.stopped, set(sitting.attempted))
    out.print(Text(f"Logged: {logged} answer{'s' if logged != 1 else ''} (kind mock) and the score; "
                   f"`cardcli stats` lists your mock exams.", style="dim"))
    if sitting.stopped == "interrupt" or received() is not None:
        raise typer.Exit(exit_code())
