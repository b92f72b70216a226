"""The exam has a time: `exam set DATE [HH:MM]`, countdown and readiness at that moment, old stored dates."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import date, datetime, time, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cardcli.errors import UsageError
from cardcli.examdate import countdown, exam_moment, parse_time
from cardcli.studyday import StudyDay

UTC = timezone.utc
LA = StudyDay(ZoneInfo("America/Los_Angeles"), 4)


def cli(home: Path, now: str, *args: str, tz: str = "UTC") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CARDCLI_DECKS"}
    env.update(CARDCLI_HOME=str(home), CARDCLI_NOW=now, TZ=tz, COLUMNS="200", NO_COLOR="1", TERM="dumb")
    return subprocess.run([sys.executable, "-m", "cardcli", *args], capture_output=True, text=True, env=env,
                          timeout=60)


def test_moment_is_local_time_on_the_exam_day():
    assert exam_moment(date(2026, 12, 6), time(9, 0), LA) == datetime(2026, 12, 6, 17, 0, tzinfo=UTC)
    assert exam_moment(date(2026, 12, 6)) == datetime(2026, 12, 6, 9, 0, tzinfo=UTC)  # default 09:00


@pytest.mark.parametrize("now,expected", [
    (datetime(2026, 12, 6, 2, 30, tzinfo=UTC), "in 6 h 30 min"),  # 02:30 on the exam day: not "in 1 day"
    (datetime(2026, 12, 6, 8, 45, tzinfo=UTC), "in 15 min"),
    (datetime(2026, 12, 5, 9, 1, tzinfo=UTC), "in 23 h 59 min"),
    (datetime(2026, 12, 5, 8, 0, tzinfo=UTC), "in 1 day"),
    (datetime(2026, 12, 1, 23, 0, tzinfo=UTC), "in 5 days"),
    (datetime(2026, 12, 6, 10, 20, tzinfo=UTC), "started 1 h 20 min ago"),
])
def test_countdown_by_hand(now, expected):
    assert countdown(now, datetime(2026, 12, 6, 9, 0, tzinfo=UTC)) == expected


@pytest.mark.parametrize("bad", ["9", "24:00", "09:60", "nine", "9:5"])
def test_bad_times_are_one_line_errors(bad):
    with pytest.raises(UsageError, match="HH:MM"):
        parse_time(bad)


def test_exam_set_with_a_time_and_the_countdown_on_exam_day(cardcli_home):
    r = cli(cardcli_home, "2026-12-01T10:00Z", "exam", "set", "2026-12-06", "14:30", "--name", "Midterm")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == "Midterm in 5 days (Sun 2026-12-06 14:30 UTC; readiness measured then)"
    r = cli(cardcli_home, "2026-12-06T02:30Z", "exam")  # before the study day starts (04:00)
    assert r.stdout.splitlines()[0] == ("Midterm is today, in 12 h 00 min (Sun 2026-12-06 14:30 UTC; "
                                        "readiness measured then)")
    assert "in 1 day" not in r.stdout
    r = cli(cardcli_home, "2026-12-01T10:00Z", "exam", "set", "2026-12-06", "25:00")
    assert r.returncode == 2 and "HH:MM" in r.stderr and "Traceback" not in r.stderr


def test_an_old_stored_date_without_a_time_reads_as_nine(cardcli_home):
    assert cli(cardcli_home, "2026-12-01T10:00Z", "exam", "clear").returncode == 0  # creates the database
    con = sqlite3.connect(str(cardcli_home / "cardcli.sqlite3"))  # what an older cardcli stored: the date only
    with con:
        con.execute("INSERT INTO settings (key, value) VALUES ('exam_date', '2026-12-06')")
    con.close()
    r = cli(cardcli_home, "2026-12-06T07:00Z", "exam")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == ("Exam is today, in 2 h 00 min (Sun 2026-12-06 09:00 UTC; "
                                        "readiness measured then)")
