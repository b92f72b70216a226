"""``cardcli exam``: remember the exam date (and name) in the history database.

``cardcli exam`` shows the status (days left, readiness, weakest topics, new cards a day needed),
``cardcli exam set DATE [--name TEXT]`` remembers the exam, ``cardcli exam clear`` forgets it.
The sub-commands are registered in :mod:`cardcli.cli` with the others; the exam date itself
(:func:`cardcli.examdate.active_exam`) is shared by study, due, stats, quiz and mock.
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import TYPE_CHECKING

from cardcli import clock
from cardcli.examdate import (
    EXAM_DATE_KEY,
    EXAM_NAME_KEY,
    active_exam,
    check_exam,
    clean_name,
    parse_date,
    print_status,
    stored_exam,
)

if TYPE_CHECKING:
    from cardcli.studyday import StudyDay

__all__ = ["run_status", "run_set", "run_clear"]


def _now_and_day() -> tuple[datetime, StudyDay]:

    from cardcli.studyday import from_env

    return clock.now(), from_env()


def run_status() -> None:
    from rich.text import Text

    from cardcli.console import out
    from cardcli.selection import load_decks
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

    from cardcli.console import out
    from cardcli.store import Store

    with Store.open() as store:
        when, _ = stored_exam(store)
        store.set_settings({EXAM_DATE_KEY: None, EXAM_NAME_KEY: None})
    out.print(Text(f"Forgot the exam on {when.isoformat()}." if when else "No exam date was set."))
    sys.stdout.flush()
