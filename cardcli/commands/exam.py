"""``cardcli exam``: remember the exam date, time (and name) in the history database.

``cardcli exam`` shows the status (the countdown, readiness at the exam's start, weakest topics,
today's new cards, the mock-exam forecast), ``cardcli exam set DATE [HH:MM] [--name TEXT]``
remembers the exam (09:00 local unless a time is given), ``cardcli exam clear`` forgets it.
The sub-commands are registered in :mod:`cardcli.cli` with the others; the exam itself
(:func:`cardcli.examdate.active_exam`, its moment and status) is core logic shared by study, due,
stats, quiz and mock.
"""

from __future__ import annotations

import sys
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from cardcli import clock
from cardcli.examdate import (
    EXAM_DATE_KEY,
    EXAM_NAME_KEY,
    EXAM_TIME_KEY,
    active_exam,
    check_exam,
    clean_name,
    parse_date,
    stored_exam,
)

if TYPE_CHECKING:
    from cardcli.loader import Collection
    from cardcli.studyday import StudyDay

__all__ = ["run_status", "run_set", "run_clear"]


def _now_and_day() -> tuple[datetime, StudyDay]:
    from cardcli.studyday import from_env

    return clock.now(), from_env()


def run_status() -> None:
    from rich.text import Text

    from cardcli.console import out
    from cardcli.examdate import stored_time
    from cardcli.gencards import generated_cards
    from cardcli.plan import DEFAULT_NEW, load_plan
    from cardcli.readiness import print_status
    from cardcli.selection import load_decks
    from cardcli.store import Store

    now, day = _now_and_day()
    with Store.open() as store:
        exam, name = active_exam(store, None, now, day)
        if exam is None:
            out.print(Text("No exam date set: `cardcli exam set YYYY-MM-DD [HH:MM] [--name TEXT]` remembers one."))
            return
        states = store.load_states()
        model = store.memory_model()  # fitted by `cardcli optimize`, if saved
        col = load_decks([])
        daily = load_plan(store, list(col.cards) + generated_cards(), states, now, DEFAULT_NEW, exam, day)
        at = stored_time(store, exam)
        params = model.parameters if model else None
        mocks = store.mock_exams()
        log = store.reviews() if mocks else []
    print_status(exam, name, col, states, now, day, params, plan=daily, at=at)
    _print_forecast(col, states, now, day, exam, at, params, mocks, log)


def _print_forecast(col: Collection, states: Any, now: datetime, day: StudyDay, exam: date, at: time,
                    params: tuple[float, ...] | None, mocks: list, log: list) -> None:
    """The mock-exam score forecast at the exam's start (:mod:`cardcli.forecast`), and the last mock
    exam's forecast (made from the log before it) against its score."""
    from rich.text import Text

    from cardcli.calibration import attempts
    from cardcli.console import out
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

    from cardcli.console import out
    from cardcli.store import Store

    with Store.open() as store:
        when, _ = stored_exam(store)
        store.set_settings({EXAM_DATE_KEY: None, EXAM_TIME_KEY: None, EXAM_NAME_KEY: None})
    out.print(Text(f"Forgot the exam on {when.isoformat()}." if when else "No exam date was set."))
    sys.stdout.flush()
