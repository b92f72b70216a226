"""The exam a run plans for: the date (and name) ``cardcli exam set`` remembers, or ``--exam``.

``study``, ``due``, ``stats``, ``quiz``, ``generate`` and ``mock`` plan for :func:`active_exam`;
``study`` and ``exam`` print the status (:func:`print_status`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Container, Mapping

    from cardcli.loader import Collection
    from cardcli.model import Card
    from cardcli.scheduler import CardState
    from cardcli.store import Store
    from cardcli.studyday import StudyDay

__all__ = ["active_exam", "check_exam", "parse_date", "clean_name", "status_cards", "stored_exam", "print_status",
           "EXAM_DATE_KEY", "EXAM_NAME_KEY", "NAME_MAX"]

EXAM_DATE_KEY = "exam_date"
EXAM_NAME_KEY = "exam_name"
NAME_MAX = 60


def parse_date(text: str, what: str) -> date:
    """The one date parser of the command line (``YYYY-MM-DD``); ``what`` names the option in the error."""
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
    from cardcli.safetext import strip_unsafe

    name = " ".join(strip_unsafe(text, " ", breaks=True).split())
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

            from cardcli.console import err

            err.print(Text(f"note: the exam on {when.isoformat()} has passed and is ignored; "
                           "`cardcli exam clear` forgets it, `cardcli exam set DATE` sets the next one"))
        return None, None
    return when, name


def status_cards(col: Collection, states: Container[str]) -> list[Card]:
    """The cards readiness is measured over: what a plain ``cardcli study`` schedules (every deck
    card and one generated card per problem family at difficulty 1) plus any generated card
    practised at difficulty 2 or 3."""
    from cardcli.session import generated_cards

    return list(col.cards) + [g for g in generated_cards(difficulties=(1, 2, 3))
                              if g.id.endswith(":d1") or g.id in states]


def print_status(exam: date, name: str | None, col: Collection, states: Mapping[str, CardState], now: datetime,
                 day: StudyDay,
                 parameters: tuple[float, ...] | None = None) -> None:
    from rich.text import Text

    from cardcli.console import out
    from cardcli.readiness import exam_status, status_lines

    status = exam_status(status_cards(col, states), states, now, exam, name, day, parameters)
    for line in status_lines(status, day):
        out.print(Text(line))
