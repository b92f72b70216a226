"""The daily plan over a simulated exam week, through the real CLI (`cardcli study` as a subprocess at
fixed CARDCLI_NOW moments): several sessions a day, mixed ratings, one skipped day.

Expected targets are worked out here from the log itself (plain SQL): ceil(unseen at the start of
the study day / days left), at least --new.
"""

from __future__ import annotations

import itertools
import math
import os
import re
import sqlite3
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from cardcli.model import Card
from cardcli.plan import daily_plan, new_target, plan_line

UTC = timezone.utc
N = 90
NEW = 5
EXAM = date(2026, 12, 6)
#: (study day, session times as CARDCLI_NOW, --limit of each); 12-03 is skipped; the 01:30 session
#: on 12-05 still belongs to the study day of 12-04 (days start at 04:00)
WEEK = [
    (date(2026, 12, 1), ["2026-12-01T09:00Z", "2026-12-01T13:00Z", "2026-12-01T20:00Z"], [12, 20, 500]),
    (date(2026, 12, 2), ["2026-12-02T10:00Z", "2026-12-02T21:00Z"], [25, 500]),
    (date(2026, 12, 4), ["2026-12-04T08:00Z", "2026-12-04T12:00Z", "2026-12-05T01:30Z"], [15, 30, 500]),
    (date(2026, 12, 5), ["2026-12-05T10:00Z", "2026-12-05T19:00Z"], [40, 500]),
]
BANNER = re.compile(r"New cards today: (\d+) of (\d+) introduced")


def _deck(path: Path) -> None:
    lines = ["deck: Week", "source: tests", "cards:"]
    for i in range(N):
        lines += [f"  - id: w{i:02d}", f"    front: Week card {i}?", f"    back: Answer {i}.", "    topic: conv"]
    path.write_text("\n".join(lines) + "\n")


def _keys(seed: int) -> str:
    """Enter (show the answer) then a rating, many times; ratings mixed 1-5, mostly 3-4."""
    ratings = itertools.cycle("4341532443")
    for _ in range(seed):
        next(ratings)
    return "".join(f"\n{next(ratings)}\n" for _ in range(1500))


def _run(home: Path, at: str, *args: str, stdin: str = "") -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("CARDCLI_DECKS", "PYTHONUNBUFFERED")}
    env.update(CARDCLI_HOME=str(home), CARDCLI_NOW=at, TZ="UTC", COLUMNS="200", NO_COLOR="1", TERM="dumb",
               PYTHONIOENCODING="utf-8")
    r = subprocess.run([sys.executable, "-m", "cardcli", *args], input=stdin, capture_output=True, text=True,
                       env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout


def _first_reviews(home: Path) -> list[datetime]:
    con = sqlite3.connect(str(home / "cardcli.sqlite3"))
    try:
        return [datetime.fromisoformat(r[0]) for r in con.execute("SELECT first_review FROM card_state")]
    finally:
        con.close()


def test_exam_week_plan_holds_and_every_card_is_seen_in_time(tmp_path, cardcli_home):
    deck = tmp_path / "week.yaml"
    _deck(deck)
    _run(cardcli_home, WEEK[0][1][0], "exam", "set", EXAM.isoformat())
    report = []
    for n_day, (day, times, limits) in enumerate(WEEK):
        start = datetime(day.year, day.month, day.day, 4, tzinfo=UTC)  # the study day starts at 04:00
        before = [t for t in _first_reviews(cardcli_home) if t < start]
        left = (EXAM - day).days
        expected = max(NEW, math.ceil((N - len(before)) / left))  # worked out independently
        banners = []
        for k, (at, limit) in enumerate(zip(times, limits, strict=True)):
            introduced = sum(1 for t in _first_reviews(cardcli_home) if t >= start)
            due = _run(cardcli_home, at, "due", "--decks", str(deck), "--deck", "week", "--explain", "-n", "500",
                       "--new", str(NEW))
            allowed = re.findall(r"new card, never seen \(1 of (\d+) new still allowed today", due)
            assert [int(a) for a in allowed[:1]] == ([expected - introduced] if expected > introduced else [])
            out = _run(cardcli_home, at, "study", "--decks", str(deck), "--deck", "week", "--new", str(NEW),
                       "--limit", str(limit), stdin=_keys(n_day * 3 + k))
            m = BANNER.search(out)
            assert m, out[:2000]
            banners.append((int(m.group(1)), int(m.group(2))))
            assert int(m.group(1)) == introduced
            if k < len(times) - 1:  # ended by its limit: it says so and how to go on
                assert f"Stopped: this session reached its --limit of {limit} ratings" in out
                assert "Go on with `cardcli study`" in out
        targets = {t for _, t in banners}
        assert targets == {expected}, banners  # every session of the day shows the day's first target
        introduced = sum(1 for t in _first_reviews(cardcli_home) if t >= start)
        assert introduced == expected or len(_first_reviews(cardcli_home)) == N
        report.append((day, expected, introduced))
    firsts = _first_reviews(cardcli_home)
    assert len(firsts) == N  # every card introduced ...
    assert max(firsts) < datetime(2026, 12, 6, 4, tzinfo=UTC)  # ... before the exam day
    # the skipped day (12-03) shows: 12-04's target covers two days' worth of what was left
    targets = dict((d, t) for d, t, _ in report)
    assert targets[date(2026, 12, 1)] == 18 and targets[date(2026, 12, 4)] > targets[date(2026, 12, 2)]
    print(report)


def _cards(n: int) -> list[Card]:
    return [Card(f"c{i}", "f", "b", "conv", "D") for i in range(n)]


def test_plan_counts_the_day_start_not_the_cards_left():
    now = datetime(2026, 12, 1, 12, tzinfo=UTC)
    cards = _cards(258)
    seen = {f"c{i}" for i in range(40)}  # 40 seen, 30 of them first rated today
    first_today = {f"c{i}" for i in range(10, 40)} | {"elsewhere"}  # a card outside the selection
    p = daily_plan(cards, seen, first_today, now, 20, date(2026, 12, 6))
    # unseen at day start: 218 unseen now + 30 introduced today = 248; 248 / 5 days -> 49.6 -> 50
    assert (p.unseen_at_start, p.target, p.introduced, p.new_left, p.days_left) == (248, 50, 30, 20, 5)
    assert plan_line(p) == ("New cards today: 30 of 50 introduced (fixed at the start of the day: "
                            "248 unseen / 5 days left, rounded up)")
    # a later session the same day after 20 more: the same target, nothing left
    later = daily_plan(cards, seen | {f"c{i}" for i in range(40, 60)}, first_today | {f"c{i}" for i in range(40, 60)},
                       now + timedelta(hours=8), 20, date(2026, 12, 6))
    assert (later.target, later.new_left) == (50, 0)


@pytest.mark.parametrize("per_day,unseen,left,expected", [
    (20, 30, 6, 20), (20, 300, 6, 50), (0, 7, 1, 7), (5, 9, 0, 9), (20, 100, None, 20), (3, 10, -1, 3),
])
def test_new_target_by_hand(per_day, unseen, left, expected):
    assert new_target(per_day, unseen, left) == expected
