"""The one clock: CARDCLI_NOW overrides it, in every form ISO 8601 allows, and a bad value is one line."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from cardcli import clock
from cardcli.errors import UsageError

UTC = timezone.utc


@pytest.mark.parametrize("text, expected", [
    ("2026-12-08T09:30:00+01:00", datetime(2026, 12, 8, 8, 30, tzinfo=UTC)),
    ("2026-12-08T08:30Z", datetime(2026, 12, 8, 8, 30, tzinfo=UTC)),
    ("2026-12-08T08:30:15.250000z", datetime(2026, 12, 8, 8, 30, 15, 250000, tzinfo=UTC)),
    ("2026-12-08 23:59:59-08:00", datetime(2026, 12, 9, 7, 59, 59, tzinfo=UTC)),
])
def test_cardcli_now_sets_the_clock(text, expected):
    assert clock.now({"CARDCLI_NOW": text}) == expected


def test_a_naive_cardcli_now_is_local_time(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    try:
        # 9:30 in Los Angeles in December (PST, UTC-8) is 17:30 UTC
        assert clock.now({"CARDCLI_NOW": "2026-12-08T09:30"}) == datetime(2026, 12, 8, 17, 30, tzinfo=UTC)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_without_cardcli_now_the_clock_is_the_real_time():
    before = datetime.now(UTC)
    got = clock.now({})
    after = datetime.now(UTC)
    assert got.tzinfo is not None and before <= got <= after


@pytest.mark.parametrize("bad", ["tomorrow", "2026-13-01T00:00Z", "12/08/2026"])
def test_a_bad_cardcli_now_is_a_usage_error(bad):
    with pytest.raises(UsageError, match="CARDCLI_NOW"):
        clock.now({"CARDCLI_NOW": bad})


def test_a_bad_cardcli_now_is_one_line_from_the_cli(cardcli_home):
    env = {"CARDCLI_HOME": str(cardcli_home), "CARDCLI_NOW": "next tuesday", "PATH": "/usr/bin:/bin"}
    r = subprocess.run([sys.executable, "-m", "cardcli", "due"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "CARDCLI_NOW='next tuesday'" in r.stderr
    assert "Traceback" not in r.stderr


def test_the_running_clock_starts_at_cardcli_now_and_moves_forward():
    start = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
    tick = clock.running({"CARDCLI_NOW": start.isoformat()})
    first, second = tick(), tick()
    assert start <= first <= second < start + timedelta(minutes=1)


def test_every_command_takes_now_from_the_clock(cardcli_home):
    # the exam set for 2 days after CARDCLI_NOW is "in 2 days", whatever the real date is
    env = {"CARDCLI_HOME": str(cardcli_home), "CARDCLI_NOW": "2031-03-10T12:00Z", "TZ": "UTC",
           "PATH": "/usr/bin:/bin", "NO_COLOR": "1", "COLUMNS": "120"}
    run = [sys.executable, "-m", "cardcli"]
    r = subprocess.run(run + ["exam", "set", "2031-03-12"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    r = subprocess.run(run + ["exam"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0 and "2031-03-12" in r.stdout and "in 2 days" in r.stdout, r.stdout
