"""The exam a run plans for: the remembered date, time of day and name (``cardcli exam set DATE
[HH:MM]``), or ``--exam``. ``study``, ``due``, ``stats``, ``quiz``, ``generate`` and ``mock`` plan
for :func:`active_exam`; ``study`` and ``exam`` print the status
(:func:`cardcli.readiness.print_status`).

Stored as three settings: ``exam_date`` (YYYY-MM-DD), ``exam_time`` (HH:MM, local time) and
``exam_name``. A history written before the exam had a time has no ``exam_time``: it reads as
:data:`DEFAULT_TIME` (09:00), so old stored dates keep working without a migration.

:func:`exam_moment` is when the exam starts (UTC); readiness and the countdown are measured at it,
and on the exam day the countdown is in hours and minutes (:func:`countdown`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING

from cardcli.errors import UsageError
from cardcli.studyday import StudyDay

if TYPE_CHECKING:
    from collections.abc import Container

    from cardcli.loader import Collection
    from cardcli.model import Card
    from cardcli.store import Store

__all__ = ["EXAM_DATE_KEY", "EXAM_NAME_KEY", "EXAM_TIME_KEY", "DEFAULT_TIME", "NAME_MAX", "Resolved",
           "active_exam", "check_exam", "clean_name", "countdown", "exam_moment", "parse_date", "parse_time",
           "resolve", "status_cards", "stored_exam", "stored_time"]

EXAM_DATE_KEY = "exam_date"
EXAM_NAME_KEY = "exam_name"
EXAM_TIME_KEY = "exam_time"
DEFAULT_TIME = time(9, 0)
NAME_MAX = 60
UTC = timezone.utc


def parse_time(text: str, what: str = "exam set") -> time:
    """``HH:MM`` (24-hour clock) as a time; a one-line UsageError otherwise."""
    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", text)
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise UsageError(f"{what}: {text[:20]!r} is not a time; use HH:MM on a 24-hour clock, e.g. 09:00 or 14:30")
    return time(int(m.group(1)), int(m.group(2)))


def parse_date(text: str, what: str) -> date:
    """The one date parser of the command line (``YYYY-MM-DD``); ``what`` names the option in the error."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{what}: {text!r} is not a date; use YYYY-MM-DD") from None


def check_exam(exam: date | None, now: datetime, day: StudyDay, what: str = "--exam") -> None:
    """An exam date must be today (the study day of ``now``) or later."""
    if exam is not None and exam < day.date_of(now):
        raise UsageError(f"{what}: {exam.isoformat()} is in the past (today is {day.date_of(now).isoformat()})")


def clean_name(text: str | None) -> str | None:
    """The exam name as stored: control characters dropped, whitespace collapsed, at most NAME_MAX."""
    if text is None:
        return None
    from cardcli.safetext import strip_unsafe

    name = " ".join(strip_unsafe(text, " ", breaks=True).split())
    if len(name) > NAME_MAX:
        raise UsageError(f"--name: at most {NAME_MAX} characters (got {len(name)})")
    return name or None


def stored_exam(store: Store) -> tuple[date | None, str | None]:
    """The remembered exam date and name (None, None when none or unreadable)."""
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


def stored_time(store: Store, exam: date | None = None) -> time:
    """The remembered exam's time of day; :data:`DEFAULT_TIME` when none was stored (an old
    history), unreadable, or ``exam`` is another date than the remembered one (``--exam``)."""
    when, _ = stored_exam(store)
    if exam is not None and exam != when:
        return DEFAULT_TIME
    text = store.get_setting(EXAM_TIME_KEY)
    if not text:
        return DEFAULT_TIME
    try:
        return parse_time(text)
    except UsageError:
        return DEFAULT_TIME


@dataclass(frozen=True)
class Resolved:
    """The exam a run plans for (None: none), and a remembered one that has passed (to mention)."""

    exam: date | None
    name: str | None
    passed: date | None = None


def resolve(store: Store, flag: date | None, now: datetime, day: StudyDay) -> Resolved:
    """``--exam`` if given (today or later), else the remembered exam if not past."""
    when, name = stored_exam(store)
    today = day.date_of(now)
    if flag is not None:
        if flag < today:
            raise UsageError(f"--exam: {flag.isoformat()} is in the past (today is {today.isoformat()})")
        return Resolved(flag, name if flag == when else None)
    if when is not None and when < today:
        return Resolved(None, None, passed=when)
    return Resolved(when, name)


def exam_moment(exam: date, at: time = DEFAULT_TIME, day: StudyDay | None = None) -> datetime:
    """When the exam starts, in UTC: ``at`` o'clock local time on ``exam``."""
    return datetime.combine(exam, at, tzinfo=(day or StudyDay()).zone).astimezone(UTC)


def countdown(now: datetime, moment: datetime, day: StudyDay | None = None) -> str:
    """``in 3 days`` (calendar days, local), ``in 6 h 30 min`` within the last 24 hours, ``under way
    or over (started 20 min ago)`` after the start."""
    day = day or StudyDay()
    wait = moment - now
    if wait <= timedelta(0):
        mins = int(-wait.total_seconds() // 60)
        return f"started {mins // 60} h {mins % 60:02d} min ago" if mins >= 60 else f"started {mins} min ago"
    if wait < timedelta(hours=24):
        mins = int(wait.total_seconds() // 60)
        return f"in {mins // 60} h {mins % 60:02d} min" if mins >= 60 else f"in {max(1, mins)} min"
    days = (day.local(moment).date() - day.local(now).date()).days
    return f"in {days} day{'s' if days != 1 else ''}"


def active_exam(
    store: Store, flag: date | None, now: datetime, day: StudyDay, quiet: bool = False
) -> tuple[date | None, str | None]:
    """The exam this run plans for: ``--exam`` if given, else the remembered one if not past (a
    passed one is mentioned on stderr unless ``quiet``)."""
    r = resolve(store, flag, now, day)
    if r.passed is not None and not quiet:
        from rich.text import Text

        from cardcli.console import err

        err.print(Text(f"note: the exam on {r.passed.isoformat()} has passed and is ignored; "
                       "`cardcli exam clear` forgets it, `cardcli exam set DATE` sets the next one"))
    return r.exam, r.name


def status_cards(col: Collection, states: Container[str]) -> list[Card]:
    """The cards readiness is measured over: what a plain ``cardcli study`` schedules (every deck
    card and one generated card per problem family at difficulty 1) plus any generated card
    practised at difficulty 2 or 3."""
    from cardcli.gencards import generated_cards, parse

    return list(col.cards) + [g for g in generated_cards(difficulties=(1, 2, 3))
                              if ((parsed := parse(g.id)) is not None and parsed[1] == 1) or g.id in states]
