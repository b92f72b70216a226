"""``cardcli exam``: remember the exam date (and name) in the history database.

``cardcli exam`` shows the status (the countdown, readiness at the exam's start, weakest topics,
today's new cards), ``cardcli exam set DATE [HH:MM] [--name TEXT]`` remembers the exam (09:00 local
unless a time is given), ``cardcli exam clear`` forgets it. The storage and the exam moment are
core logic: :mod:`cardcli.examdate`.
``study``, ``due``, ``stats`` and ``quiz`` use the remembered date (:func:`active_exam`);
their ``--exam`` overrides it for one run.

The sub-app is defined here (only ``typer`` is imported at start-up) so further exam commands
are added beside these: ``@exam_app.command("name")``.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from cardcli import clock

if TYPE_CHECKING:
    from cardcli.store import Store
    from cardcli.studyday import StudyDay

__all__ = ["exam_app", "active_exam", "check_exam", "parse_date", "clean_name", "status_cards", "stored_exam",
           "EXAM_DATE_KEY", "EXAM_NAME_KEY", "EXAM_TIME_KEY", "NAME_MAX"]

from cardcli.examdate import (
    EXAM_DATE_KEY,
    EXAM_NAME_KEY,
    EXAM_TIME_KEY,
    NAME_MAX,
    clean_name,
    stored_exam,
)

exam_app = typer.Typer(
    help="Remember the exam date: `cardcli exam set DATE`, `cardcli exam` (status), `cardcli exam clear`.",
    add_completion=False,
    rich_markup_mode=None,
)


@exam_app.callback(invoke_without_command=True)
def _exam(ctx: typer.Context) -> None:
    """Days left, readiness on the exam morning, weakest topics, new cards a day needed."""
    if ctx.invoked_subcommand is None:
        run_status()


@exam_app.command("set")
def _set(
    when: Annotated[str, typer.Argument(metavar="DATE", help="Exam date, YYYY-MM-DD (today or later).")],
    at: Annotated[str | None, typer.Argument(metavar="[HH:MM]", help="When it starts, local time "
                                             "(default 09:00): readiness and the countdown are measured then.",
                                             show_default=False)] = None,
    name: Annotated[str | None, typer.Option("--name", help="What the exam is called, e.g. 'Midterm 2'.")] = None,
) -> None:
    """Remember the exam date, time (and name); study, due, stats and quiz then plan for it."""
    run_set(when, name, at)


@exam_app.command("clear")
def _clear() -> None:
    """Forget the remembered exam date."""
    run_clear()


# -- helpers shared with study, due, stats, quiz ------------------------------------------------

def parse_date(text: str, what: str) -> date:
    from cardcli.errors import UsageError

    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{what}: {text!r} is not a date; use YYYY-MM-DD") from None


def check_exam(exam: date | None, now: datetime, day: StudyDay, what: str = "--exam") -> None:
    """An exam date must be today (the study day of ``now``) or later."""
    from cardcli.errors import UsageError

    if exam is not None and exam < day.date_of(now):
        raise UsageError(f"{what}: {exam.isoformat()} is in the past (today is {day.date_of(now).isoformat()})")


def active_exam(
    store: Store, flag: date | None, now: datetime, day: StudyDay, quiet: bool = False
) -> tuple[date | None, str | None]:
    """The exam this run plans for: ``--exam`` if given, else the remembered one if not past."""
    from cardcli.examdate import resolve

    r = resolve(store, flag, now, day)
    if r.passed is not None and not quiet:
        from rich.text import Text

        from cardcli.commands._common import err

        err.print(Text(f"note: the exam on {r.passed.isoformat()} has passed and is ignored; "
                       "`cardcli exam clear` forgets it, `cardcli exam set DATE` sets the next one"))
    return r.exam, r.name


def status_cards(col, states) -> list:
    """The cards readiness is measured over: what a plain ``cardcli study`` schedules (every deck
    card and one generated card per problem family at difficulty 1) plus any generated card
    practised at difficulty 2 or 3."""
    from cardcli.session import generated_cards

    return list(col.cards) + [g for g in generated_cards(difficulties=(1, 2, 3))
                              if g.id.endswith(":d1") or g.id in states]


# -- the commands ---------------------------------------------------------------------------------

def _now_and_day() -> tuple[datetime, StudyDay]:

    from cardcli.studyday import from_env

    return clock.now(), from_env()


def print_status(exam: date, name: str | None, col, states, now: datetime, day: StudyDay,
                 parameters: tuple[float, ...] | None = None, plan=None, at=None) -> None:
    """The exam status lines; ``plan`` (a :class:`cardcli.plan.DailyPlan`) gives today's new-card line,
    ``at`` the exam's time of day (default 09:00)."""
    from rich.text import Text

    from cardcli.commands._common import out
    from cardcli.readiness import exam_status, status_lines

    status = exam_status(status_cards(col, states), states, now, exam, name, day, parameters, at=at)
    for line in status_lines(status, day, plan=plan):
        out.print(Text(line))


def run_status() -> None:
    from rich.text import Text

    from cardcli.commands._common import load_decks, out
    from cardcli.store import Store

    now, day = _now_and_day()
    with Store.open() as store:
        exam, name = active_exam(store, None, now, day)
        if exam is None:
            out.print(Text("No exam date set: `cardcli exam set YYYY-MM-DD [--name TEXT]` remembers one."))
            return
        states = store.load_states()
        model = store.memory_model()  # fitted by `cardcli optimize`, if saved
        col = load_decks([])
        from cardcli.examdate import stored_time
        from cardcli.plan import DEFAULT_NEW, load_plan
        from cardcli.session import generated_cards

        daily = load_plan(store, list(col.cards) + generated_cards(), states, now, DEFAULT_NEW, exam, day)
        at = stored_time(store, exam)
        params = model.parameters if model else None
        mocks = store.mock_exams()
        log = store.reviews() if mocks else []
    print_status(exam, name, col, states, now, day, params, plan=daily, at=at)
    _print_forecast(col, states, now, day, exam, at, params, mocks, log)


def _print_forecast(col, states, now: datetime, day: StudyDay, exam: date, at, params, mocks, log) -> None:
    """The mock-exam score forecast at the exam's start (:mod:`cardcli.forecast`), and the last mock
    exam's forecast (made from the log before it) against its score."""
    from rich.text import Text

    from cardcli.calibration import attempts
    from cardcli.commands._common import out
    from cardcli.examdate import exam_moment
    from cardcli.forecast import forecast, forecast_line, past_mocks, template_items
    from cardcli.mock.template import load_template
    from cardcli.scheduler import Policy

    policy = Policy(parameters=params)
    start = max(exam_moment(exam, at, day), now)
    items, notes = template_items(load_template(), list(col.cards), states, start, policy)
    out.print(Text(forecast_line(forecast(items)) + " (each question's card or problem family, predicted recall "
                   "then; `cardcli stats --calibration` checks such predictions)"))
    for note in notes:
        out.print(Text(f"  (left out: {note})", style="dim"))
    if mocks:
        checks, _ = past_mocks(mocks[-1:], attempts(log), policy)
        c = checks[0]
        out.print(Text(f"Last mock exam ({day.format(c.started_at)}): predicted {c.forecast.expected:.0f} "
                       f"(90% interval {c.forecast.low}-{c.forecast.high}), actual {c.actual:g} of {c.max}"))


def run_set(when: str, name: str | None, at: str | None = None) -> None:
    from cardcli.examdate import DEFAULT_TIME, parse_time
    from cardcli.store import Store

    exam = parse_date(when, "exam set")
    start = DEFAULT_TIME if at is None else parse_time(at)
    name = clean_name(name)
    now, day = _now_and_day()
    check_exam(exam, now, day, "exam set")
    with Store.open() as store:
        store.set_settings({EXAM_DATE_KEY: exam.isoformat(), EXAM_TIME_KEY: f"{start:%H:%M}", EXAM_NAME_KEY: name})
    run_status()


def run_clear() -> None:
    from rich.text import Text

    from cardcli.commands._common import out
    from cardcli.store import Store

    with Store.open() as store:
        when, _ = stored_exam(store)
        store.set_settings({EXAM_DATE_KEY: None, EXAM_TIME_KEY: None, EXAM_NAME_KEY: None})
    out.print(Text(f"Forgot the exam on {when.isoformat()}." if when else "No exam date was set."))
    sys.stdout.flush()
