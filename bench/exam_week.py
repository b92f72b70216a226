"""The simulated exam week of docs/exam-week.md: real `cardcli` runs at fixed CARDCLI_NOW moments.

    python bench/exam_week.py > week.txt

A fresh history in a temporary CARDCLI_HOME, the bundled decks, TZ=UTC (study days start at 04:00);
the exam is set on Tuesday 2026-12-01 for Sunday 2026-12-06 09:00; two or three `cardcli study`
sessions a day with ratings piped in (mixed 1-5, mostly 3-4), Thursday skipped. Each session's first
and last lines are printed, and per study day the cards introduced and the ratings given.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import subprocess
import sys
import tempfile
from datetime import date, timedelta

WEEK = [
    ("2026-12-01", ["2026-12-01T09:00Z", "2026-12-01T13:00Z", "2026-12-01T20:00Z"], [60, 100, 2000]),
    ("2026-12-02", ["2026-12-02T10:00Z", "2026-12-02T21:00Z"], [120, 2000]),
    ("2026-12-04", ["2026-12-04T08:00Z", "2026-12-04T12:00Z", "2026-12-05T01:30Z"], [100, 150, 2000]),
    ("2026-12-05", ["2026-12-05T10:00Z", "2026-12-05T19:00Z"], [150, 2000]),
]


def run(home: str, at: str, *args: str, stdin: str = "") -> str:
    env = {k: v for k, v in os.environ.items() if k != "CARDCLI_DECKS"}
    env.update(CARDCLI_HOME=home, CARDCLI_NOW=at, TZ="UTC", COLUMNS="100", NO_COLOR="1", TERM="dumb")
    r = subprocess.run([sys.executable, "-m", "cardcli", *args], input=stdin, capture_output=True, text=True,
                       env=env, timeout=300)
    if r.returncode:
        sys.exit(r.stderr)
    return r.stdout


def keys(seed: int) -> str:
    ratings = itertools.cycle("4341532443")
    for _ in range(seed):
        next(ratings)
    return "".join(f"\n{next(ratings)}\n" for _ in range(3000))


def show(cmd: str, out: str, head: int | None = None, tail: int | None = None) -> None:
    lines = [ln for ln in out.splitlines() if not ln.startswith(">")]  # the echoed piped keys
    print(f"$ {cmd}")
    if head is not None and tail is not None and len(lines) > head + tail:
        lines = lines[:head] + ["…"] + lines[-tail:]
    print("\n".join(lines))


def main() -> None:
    home = tempfile.mkdtemp(prefix="cardcli-week-")
    show("cardcli exam set 2026-12-06 09:00 --name Midterm",
         run(home, WEEK[0][1][0], "exam", "set", "2026-12-06", "09:00", "--name", "Midterm"))
    for n, (d, times, limits) in enumerate(WEEK):
        print(f"\n# study day {d}")
        show("cardcli today", run(home, times[0], "today"))
        for k, (at, lim) in enumerate(zip(times, limits, strict=True)):
            show(f"cardcli study --limit {lim}    # {at}", run(home, at, "study", "--limit", str(lim),
                                                             stdin=keys(n * 3 + k)), head=7, tail=8)
        start, end = f"{d}T04:00", f"{date.fromisoformat(d) + timedelta(days=1)}T04:00"
        con = sqlite3.connect(os.path.join(home, "cardcli.sqlite3"))
        new = con.execute("SELECT count(*) FROM card_state WHERE first_review >= ? AND first_review < ?",
                          (start, end)).fetchone()[0]
        rated = con.execute("SELECT count(*) FROM reviews WHERE reviewed_at >= ? AND reviewed_at < ?",
                            (start, end)).fetchone()[0]
        con.close()
        print(f"# {d}: {new} cards introduced, {rated} ratings")
    print("\n# exam day")
    show("cardcli exam    # 02:30", run(home, "2026-12-06T02:30Z", "exam"))
    show("cardcli study --limit 5    # 07:30", run(home, "2026-12-06T07:30Z", "study", "--limit", "5", stdin=keys(0)),
         head=8, tail=6)
    con = sqlite3.connect(os.path.join(home, "cardcli.sqlite3"))
    seen = con.execute("SELECT count(*) FROM card_state WHERE first_review < '2026-12-06T04:00'").fetchone()[0]
    con.close()
    print(f"# cards first seen before the exam day: {seen}")
    show("cardcli stats --calibration", run(home, "2026-12-06T07:45Z", "stats", "--calibration"))


if __name__ == "__main__":
    main()
