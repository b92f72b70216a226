"""``cardcli exam``: remember the exam date (and name) in the history database.

``cardcli exam`` shows the status (days left, readiness, weakest topics, new cards a day needed),
``cardcli exam set DATE [--name TEXT]`` remembers the exam, ``cardcli exam clear`` forgets it.
``study``, ``due``, ``stats`` and ``quiz`` use the remembered date (:func:`active_exam`);
their ``--exam`` overrides it for one run.

The sub-app is defined here (only ``typer`` is imported at start-up) so further exam commands
are added beside these: ``@exam_app.command("name")``.
"""

from __future__ import annotations

import re
import sys
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from cardcli import clock

if TYPE_CHECKING:
    from cardcli.store import Store
    from cardcli.studyday import StudyDay

__all__ = ["exam_app", "active_exam", "check_exam", "parse_date", "clean_name", "status_cards",
           "EXAM_DATE_KEY", "EXAM_NAME_KEY", "NAME_MAX"]

EXAM_DATE_KEY = "exam_date"
EXAM_NAME_KEY = "exam_name"
NAME_MAX = 60

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
    name: Annotated[str | None, typer.Option("--name", help="What the exam is called, e.g. 'Midterm 2'.")] = None,
) -> None:
    """Remember the exam date (and name); study, due, stats and quiz then plan for it."""
    run_set(when, name)


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


def clean_name(text: str | None) -> str | None:
    """The exam name as stored: control characters dropped, whitespace collapsed, at most NAME_MAX."""
    if text is None:
        return None
    from cardcli.errors import UsageError

    name = " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]", " ", text).split())
    if len(name) > NAME_MAX:
        raise UsageError(f"--name: at most {NAME_MAX} characters (got {len(name)})")
    return name or None


def check_exam(exam: date | None, now: datetime, day: StudyDay, what: str = "--exam") -> None:
    """An exam date must be today (the study day of ``now``) or later."""
    from cardcli.errors import UsageError

    if exam is not None and exam < day.date_of(now):
        raise UsageError(f"{what}: {exam.isoformat()} is in the past (today is {day.date_of(now).isoformat()})")


def stored_exam(store: Store) -> tuple[date | None, str | None]:
    text = store.get_setting(EXAM_DATE_KEY)
    if not text:
        return None, None
    try:
        when = date.fromisoformat(text)
    except ValueError:
        return None, None
    name = store.get_setting(EXAM_NAME_KEY)
    if name is not None:  # stored by `exam set` already clean; a file edited by hand may not be
        from cardcli.safetext import one_line

        name = one_line(name)[:NAME_MAX]
    return when, name


def active_exam(
    store: Store, flag: date | None, now: datetime, day: StudyDay, quiet: bool = False
) -> tuple[date | None, str | None]:
    """The exam this run plans for: ``--exam`` if given, else the remembered one if not past."""
    when, name = stored_exam(store)
    if flag is not None:
        check_exam(flag, now, day)
        return flag, name if flag == when else None
    if when is not None and when < day.date_of(now):
        if not quiet:
            from rich.text import Text

            from cardcli.commands._common import err

            err.print(Text(f"note: the exam on {when.isoformat()} has passed and is ignored; "
                           "`cardcli exam clear` forgets it, `cardcli exam set DATE` sets the next one"))
        return None, None
    return when, name


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
                 parameters: tuple[float, ...] | None = None) -> None:
    from rich.text import Text

    from cardcli.commands._common import out
    from cardcli.readiness import exam_status, status_lines

    status = exam_status(status_cards(col, states), states, now, exam, name, day, parameters)
    for line in status_lines(status, day):
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
    print_status(exam, name, load_decks([]), states, now, day, model.parameters if model else None)


def run_set(when: str, name: str | None) -> None:
    from cardcli.store import Store

    exam = parse_date(when, "exam set")
    name = clean_name(name)
    now, day = _now_and_day()
    check_exam(exam, now, day, "exam set")
    with Store.open() as store:
        store.set_settings({EXAM_DATE_KEY: exam.isoformat(), EXAM_NAME_KEY: name})
    run_status()


def run_clear() -> None:
    from rich.text import Text

    from cardcli.commands._common import out
    from cardcli.store import Store

    with Store.open() as store:
        when, _ = stored_exam(store)
        store.set_settings({EXAM_DATE_KEY: None, EXAM_NAME_KEY: None})
    out.print(Text(f"Forgot the exam on {when.isoformat()}." if when else "No exam date was set."))
    sys.stdout.flush()
