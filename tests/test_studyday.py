"""The study day in local time: zone and start hour passed explicitly (pure), and from the env."""

from __future__ import annotations

import random
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import fsrs
import pytest

from cardcli import scheduler as S
from cardcli.errors import UsageError
from cardcli.model import Card
from cardcli.studyday import StudyDay, from_env

UTC = timezone.utc
LA = ZoneInfo("America/Los_Angeles")
LA_DAY = StudyDay(LA, 4)


def test_day_boundaries_in_los_angeles():
    # 2026-11-22 is PST (UTC-8): 4 am local = 12:00 UTC
    assert LA_DAY.start_of(date(2026, 11, 22)) == datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    # 16:30 UTC = 08:30 local: that day
    assert LA_DAY.date_of(datetime(2026, 11, 22, 16, 30, tzinfo=UTC)) == date(2026, 11, 22)
    # 10:59 UTC = 02:59 local: still the evening before's study day (a UTC day would roll at 4 pm local)
    assert LA_DAY.date_of(datetime(2026, 11, 23, 10, 59, tzinfo=UTC)) == date(2026, 11, 22)
    assert LA_DAY.date_of(datetime(2026, 11, 23, 12, 0, tzinfo=UTC)) == date(2026, 11, 23)
    now = datetime(2026, 11, 23, 10, 59, tzinfo=UTC)
    assert S.day_start(now, LA_DAY) == datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    assert S.day_end(now, LA_DAY) == datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    # without a study day: plain UTC days (what the pure functions did before)
    assert S.day_start(now) == datetime(2026, 11, 23, tzinfo=UTC)


def test_daylight_saving_day_is_23_hours():
    # 2026-03-08: clocks go forward in Los Angeles; 4 am PDT = 11:00 UTC, the day before 4 am PST = 12:00 UTC
    assert LA_DAY.start_of(date(2026, 3, 8)) == datetime(2026, 3, 8, 11, 0, tzinfo=UTC)
    assert LA_DAY.start_of(date(2026, 3, 7)) == datetime(2026, 3, 7, 12, 0, tzinfo=UTC)


def test_format_shows_local_time_and_zone():
    assert LA_DAY.format(datetime(2026, 11, 22, 12, 49, tzinfo=UTC)) == "2026-11-22 04:49 PST"
    assert StudyDay().format(datetime(2026, 11, 22, 12, 49, tzinfo=UTC)) == "2026-11-22 12:49 UTC"


def test_due_today_follows_the_local_day():
    now = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)  # 12:00 local
    mem = fsrs.Card(card_id=0, state=fsrs.State.Review, stability=5.0, difficulty=5.0,
                    due=datetime(2026, 11, 23, 6, 0, tzinfo=UTC), last_review=now - timedelta(days=3))
    st = S.CardState("x", mem, last_rating=4, reps=2)
    # due 22:00 local: today in Los Angeles, tomorrow in UTC
    assert S.is_due(st, now, S.policy_for(now, day=LA_DAY))
    assert not S.is_due(st, now)


def test_days_left_and_exam_day_policy():
    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # 02:00 on the 23rd local = study day 22nd
    assert S.days_left(now, date(2026, 11, 28), LA_DAY) == 6
    assert S.days_left(now, date(2026, 11, 28)) == 5
    assert S.days_left(now, date(2026, 11, 22), LA_DAY) == 0  # the exam day itself
    assert S.exam_morning(date(2026, 11, 28), LA_DAY) == datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    # new cards per day before the exam: ceil(30 unseen / 6 days) = 5 -> the 20 default wins; 300 -> 50
    assert S.new_per_day_target(20, 30, now, date(2026, 11, 28), LA_DAY) == 20
    assert S.new_per_day_target(20, 300, now, date(2026, 11, 28), LA_DAY) == 50


def test_new_cards_today_counted_from_the_local_day():
    cards = [Card(f"n{i}", "f", "b", "conv", "D") for i in range(5)]
    q = S.plan(cards, {}, datetime(2026, 11, 22, 20, 0, tzinfo=UTC), random.Random(0), new_per_day=3,
               new_seen_today=1, day=LA_DAY)
    assert (q.new_per_day, q.new_before, q.new_left) == (3, 1, 2)


def test_from_env_reads_tz_and_day_start():
    day = from_env({"TZ": "America/Los_Angeles", "CARDCLI_DAY_STARTS": "6"})
    assert day.zone == LA and day.starts == 6
    assert from_env({"TZ": "UTC"}).starts == 4
    for bad in ("24", "-1", "four"):
        with pytest.raises(UsageError, match="CARDCLI_DAY_STARTS"):
            from_env({"TZ": "UTC", "CARDCLI_DAY_STARTS": bad})


def test_posix_tz_rule_honoured_in_a_fresh_process():
    """A TZ the zone database does not name (a POSIX rule) still gives the right offset (tzset)."""
    code = ("from datetime import datetime, timezone; from cardcli.studyday import from_env; "
            "print(from_env().format(datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)))")
    out = subprocess.run([sys.executable, "-c", code], env={"TZ": "XST+5", "PATH": ""}, capture_output=True,
                         text=True, check=True).stdout.strip()
    assert out == "2026-11-22 07:00 XST"
