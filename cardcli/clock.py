"""The one clock: every "now" in cardcli comes from :func:`now`.

``$CARDCLI_NOW`` (an ISO 8601 timestamp such as ``2026-12-08T09:30:00+01:00`` or
``2026-12-08T08:30Z``; without an offset it is local time in ``$TZ``) stops the clock at that
moment, for tests and demos. Elapsed time inside one process (how long an answer took, a mock
exam's countdown) is measured separately and is not affected.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone

from cardcli.errors import UsageError

__all__ = ["NOW_ENV", "now", "parse_instant", "running"]

NOW_ENV = "CARDCLI_NOW"


def parse_instant(text: str) -> datetime:
    """An ISO 8601 timestamp as an aware UTC datetime (naive = local time); ValueError if it is none."""
    raw = text.strip()
    if raw.endswith(("z", "Z")):
        raw = raw[:-1] + "+00:00"
    moment = datetime.fromisoformat(raw)
    if moment.tzinfo is None:
        try:
            moment = moment.astimezone()  # local time in $TZ
        except (ValueError, OverflowError):  # an offset of a day or more ('TZ=UTC+24'): see studyday
            from cardcli.studyday import local_zone

            moment = moment.replace(tzinfo=local_zone())
    return moment.astimezone(timezone.utc)


def now(environ: Mapping[str, str] | None = None) -> datetime:
    """The current time, aware and in UTC, or ``$CARDCLI_NOW`` when it is set."""
    environ = os.environ if environ is None else environ
    raw = environ.get(NOW_ENV, "").strip()
    if not raw:
        return datetime.now(timezone.utc)
    try:
        return parse_instant(raw)
    except (ValueError, OverflowError):
        raise UsageError(f"{NOW_ENV}={raw[:60]!r}: give an ISO 8601 timestamp such as "
                         f"2026-12-08T09:30:00+01:00 (or unset it for the real time)") from None


def running(environ: Mapping[str, str] | None = None) -> Callable[[], datetime]:
    """A clock that starts at :func:`now` and advances with the monotonic clock: for a countdown,
    which must run under ``$CARDCLI_NOW`` too and must not jump when the wall clock does."""
    start, t0 = now(environ), time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - t0)
