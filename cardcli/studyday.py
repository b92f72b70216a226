"""The study day in the user's local time zone.

Times are stored in UTC; what a "day" is (new cards per day, due today, reviews per day, days
left to the exam) follows the user's clock: a study day starts at ``starts`` o'clock local time
(4 am by default, like Anki), so a late session after midnight still counts for the evening
before. :class:`StudyDay` is a pure value (zone + hour); :func:`from_env` is the only place that
reads the environment (``TZ`` and ``CARDCLI_DAY_STARTS``).

The default ``StudyDay()`` is UTC with days starting at midnight: pure functions that are not
given a study day keep plain UTC days.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from cardcli.errors import UsageError

__all__ = ["StudyDay", "from_env", "local_zone", "DEFAULT_DAY_STARTS", "DAY_STARTS_ENV"]

UTC = timezone.utc
DEFAULT_DAY_STARTS = 4
DAY_STARTS_ENV = "CARDCLI_DAY_STARTS"


@dataclass(frozen=True)
class StudyDay:
    """Where study days begin: at hour ``starts`` (0-23) in time zone ``zone``."""

    zone: tzinfo = UTC
    starts: int = 0

    def date_of(self, when: datetime) -> date:
        """The study day ``when`` belongs to (before ``starts`` o'clock it is still yesterday)."""
        if when.tzinfo is None:
            raise ValueError("times must be timezone-aware")
        return (when.astimezone(self.zone) - timedelta(hours=self.starts)).date()

    def start_of(self, day: date) -> datetime:
        """When study day ``day`` begins, in UTC."""
        return datetime.combine(day, time(self.starts), tzinfo=self.zone).astimezone(UTC)

    def start(self, now: datetime) -> datetime:
        """The beginning of the study day containing ``now`` (UTC)."""
        return self.start_of(self.date_of(now))

    def end(self, now: datetime) -> datetime:
        """The beginning of the next study day (UTC)."""
        return self.start_of(self.date_of(now) + timedelta(days=1))

    def local(self, when: datetime) -> datetime:
        return when.astimezone(self.zone)

    def format(self, when: datetime) -> str:
        """``2026-11-21 23:02 PST``: a stored UTC time as the user reads it."""
        loc = self.local(when)
        name = loc.tzname() or loc.strftime("%z")
        return f"{loc:%Y-%m-%d %H:%M} {name}"


def local_zone(environ: Mapping[str, str] | None = None) -> tzinfo:
    """The user's time zone: ``$TZ`` when it names a zone, else the system's local zone."""
    environ = os.environ if environ is None else environ
    name = environ.get("TZ", "").lstrip(":")
    if name:
        from zoneinfo import ZoneInfo

        try:
            return ZoneInfo(name)
        except (ValueError, OSError, KeyError):
            pass  # a POSIX rule such as 'EST+5': let the C library interpret it below
    if not name:
        try:
            from zoneinfo import ZoneInfo

            with open("/etc/localtime", "rb") as f:
                return ZoneInfo.from_file(f)
        except (OSError, ValueError):
            pass
    import time as _time

    if hasattr(_time, "tzset"):
        _time.tzset()
    try:
        return datetime.now().astimezone().tzinfo or UTC
    except (ValueError, OverflowError):
        # POSIX allows offsets of 24 hours and more ('UTC+24'); Python's zones stop short of a day:
        # the nearest one Python has (a minute less) keeps every day boundary within that minute
        limit = 24 * 3600 - 60
        offset = max(-limit, min(limit, int(_time.localtime().tm_gmtoff)))
        return timezone(timedelta(seconds=offset), (_time.tzname[0] or "local")[:20])


def from_env(environ: Mapping[str, str] | None = None) -> StudyDay:
    """The user's study day: local zone, starting at ``$CARDCLI_DAY_STARTS`` (default 4) o'clock."""
    environ = os.environ if environ is None else environ
    raw = environ.get(DAY_STARTS_ENV, "").strip()
    hour = DEFAULT_DAY_STARTS
    if raw:
        try:
            hour = int(raw)
        except ValueError:
            hour = -1
        if not 0 <= hour <= 23:
            raise UsageError(f"{DAY_STARTS_ENV}={raw!r}: give the hour the study day starts, 0-23 "
                             f"(default {DEFAULT_DAY_STARTS})")
    return StudyDay(zone=local_zone(environ), starts=hour)
