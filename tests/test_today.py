"""Today at a glance: the pace measured from the user's own answers, `cardcli today`, the study banner."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from cardcli.plan import DailyPlan
from cardcli.today import DEFAULT_PER_NEW, DEFAULT_SECONDS, Today, pace, today_lines

UTC = timezone.utc
T0 = datetime(2026, 12, 1, 10, tzinfo=UTC)


def test_pace_from_own_answers_by_hand():
    answers = []
    # 5 new cards, each rated 3 times that day (first rating flagged), 8 s each; 10 reviews of 20 s;
    # one 40-minute walk-away capped at 300 s
    for i in range(5):
        for k in range(3):
            answers.append((f"n{i}", T0 + timedelta(minutes=10 * i + k), 8000, k == 0))
    answers += [(f"r{i}", T0 + timedelta(hours=2, minutes=i), 20000, False) for i in range(10)]
    answers.append(("r0", T0 + timedelta(hours=3), 2_400_000, False))
    p = pace(answers)
    # 26 durations: 15 of 8 s, 10 of 20 s, 1 of 300 s -> sorted, the 13th and 14th are both 8 s
    assert (p.seconds_per_rating, p.ratings_per_new, p.sample) == (8.0, 3.0, 26)
    plan = DailyPlan(day=date(2026, 12, 1), target=12, introduced=2, unseen_at_start=60, per_day=5, days_left=5)
    t = Today(reviews_due=30, plan=plan, pace=p)
    assert t.minutes == 8  # (30 + 10 * 3) ratings * 8 s = 480 s
    assert today_lines(t)[0] == "Today: 30 reviews due, 10 new cards to introduce — about 8 min"
    assert "median of your last 26" in today_lines(t)[1]


def test_too_few_answers_use_the_defaults_and_say_so():
    p = pace([("a", T0, 5000, True)] * 3)
    assert (p.seconds_per_rating, p.ratings_per_new, p.sample) == (DEFAULT_SECONDS, DEFAULT_PER_NEW, 0)
    plan = DailyPlan(day=date(2026, 12, 1), target=20, introduced=0, unseen_at_start=100, per_day=20)
    lines = today_lines(Today(reviews_due=1, plan=plan, pace=p))
    assert lines[0] == "Today: 1 review due, 20 new cards to introduce — about 21 min"  # (1 + 60) * 20 s
    assert "default pace" in lines[1]


DECK = "deck: Tiny\nsource: tests\ncards:\n" + "".join(
    f"  - id: t{i}\n    front: Q{i}?\n    back: A{i}.\n    topic: conv\n" for i in range(6))


def _cli(home: Path, now: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CARDCLI_DECKS"}
    env.update(CARDCLI_HOME=str(home), CARDCLI_NOW=now, TZ="UTC", COLUMNS="200", NO_COLOR="1", TERM="dumb")
    return subprocess.run([sys.executable, "-m", "cardcli", *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=60)


def test_today_command_and_the_progress_line(tmp_path, cardcli_home):
    deck = tmp_path / "tiny.yaml"
    deck.write_text(DECK)
    r = _cli(cardcli_home, "2026-12-01T10:00Z", "study", "--decks", str(deck), "--deck", "tiny", "--new", "2",
             stdin="\n5\n\n5\n")
    assert r.returncode == 0, r.stderr
    assert "Today: 0 reviews due, 2 new cards to introduce" in r.stdout  # the study banner
    # after each rating: how many are left today (the 2 new cards of the plan, then none)
    assert "Recorded 5 (Perfectly) · back in" in r.stdout and " · 1 left today" in r.stdout
    assert " · 0 left today" in r.stdout
    t = _cli(cardcli_home, "2026-12-01T11:00Z", "today", "--decks", str(deck), "--new", "2")
    assert t.returncode == 0, t.stderr
    lines = t.stdout.splitlines()
    assert lines[0].startswith("Today: 0 reviews due, 0 new cards to introduce — about 0 min")
    assert lines[2] == "New cards today: 2 of 2 introduced (--new 2)"
    assert "Nothing left for today" in t.stdout
    h = _cli(cardcli_home, "2026-12-01T11:00Z", "--help")
    assert "today" in h.stdout


def test_a_session_quit_with_cards_left_says_how_to_go_on(tmp_path):
    import io
    import random

    from rich.console import Console

    from cardcli import scheduler as S
    from cardcli.model import Card
    from cardcli.session import Session
    from cardcli.store import Store
    from cardcli.terminal import ScriptedKeys

    cards = [Card(f"c{i}", f"Front {i}", "b", "conv", "D") for i in range(5)]
    with Store.open(tmp_path / "h.sqlite3") as store:
        q = S.plan(cards, {}, T0, random.Random(0), new_per_day=5, new_seen_today=0)
        out = Console(file=io.StringIO(), width=120, color_system=None)
        Session(q, store, out, ScriptedKeys(["", "4", "", "5", "q"]), {}, cards, clock=lambda: T0).run()
    text = out.file.getvalue()
    assert "Recorded 4 (Well) · back in 10 min (later this session) · 5 left today" in text  # 4 new + c0 back
    assert "Recorded 5 (Perfectly) · back in 8 d · 4 left today" in text
    # quit on c2: c2 itself, the two new cards after it and c0 coming back
    assert text.rstrip().endswith("Stopped before the end: 4 cards still to do today. "
                                  "`cardcli study` goes on where you left off.")


def test_the_pace_median_is_the_statistics_median():
    """today's own median (kept off start-up's imports) against :func:`statistics.median`."""
    import random
    import statistics

    from cardcli.today import _median

    rng = random.Random(4)
    for n in [1, 2, 3, 4, 19, 20, 500]:
        for _ in range(20):
            values = [rng.choice([rng.random() * 90, float(rng.randrange(1, 60)), 0.001]) for _ in range(n)]
            assert _median(values) == statistics.median(values)
