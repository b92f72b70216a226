"""`cardcli exam`, study/stats/quiz/generate with a remembered exam, as subprocesses (TZ pinned)."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

DECKS = {
    "drill.yaml": "deck: Drill\ncards:\n" + "".join(
        f"  - id: d{i}\n    front: Drill question {i}?\n    back: Answer {i}.\n    topic: conv\n" for i in range(4)),
    "other.yaml": "deck: Other\ncards:\n" + "".join(
        f"  - id: o{i}\n    front: Other question {i}?\n    back: Answer {i}.\n    topic: rnn\n" for i in range(3)),
}


@pytest.fixture
def decks(tmp_path) -> Path:
    folder = tmp_path / "decks"
    folder.mkdir()
    for name, text in DECKS.items():
        (folder / name).write_text(text)
    return folder


def env(home: Path, tz: str = "UTC") -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if k not in ("CARDCLI_DECKS", "PYTHONUNBUFFERED")}
    e.update(CARDCLI_HOME=str(home), COLUMNS="120", NO_COLOR="1", TERM="dumb", PYTHONIOENCODING="utf-8",
             TZ=tz, CARDCLI_DAY_STARTS="0")
    return e


def cli(home: Path, *args: str, stdin: str = "", tz: str = "UTC") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cardcli", *args], input=stdin, capture_output=True,
                          text=True, env=env(home, tz), timeout=60)


def today() -> date:
    return datetime.now(timezone.utc).date()  # TZ=UTC and days from midnight in these tests


def rows(home: Path, sql: str) -> list[tuple]:
    con = sqlite3.connect(str(home / "cardcli.sqlite3"))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_exam_set_status_clear_and_used_by_study_and_stats(cardcli_home, decks):
    exam = today() + timedelta(days=6)
    r = cli(cardcli_home, "exam")
    assert r.returncode == 0 and "No exam date set" in r.stdout
    r = cli(cardcli_home, "exam", "set", exam.isoformat(), "--name", "Midterm\x1b[31m 2")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0].startswith(f"Midterm [31m 2 in 6 days ({exam:%a %Y-%m-%d};")  # ESC dropped
    assert "\x1b" not in r.stdout
    # the date is remembered: plain `study` shows the status first and plans for it
    s = cli(cardcli_home, "study", "--decks", str(decks), "--deck", "drill", stdin="q\n")
    lines = s.stdout.splitlines()
    assert lines[0].startswith("Midterm [31m 2 in 6 days") and lines[1].startswith("Readiness: 0%")
    assert "Target retention" in s.stdout
    j = json.loads(cli(cardcli_home, "stats", "--json", "--decks", str(decks)).stdout)
    assert j["exam"] == exam.isoformat() and j["readiness_overall"] == 0.0
    # --exam overrides for one run
    j = json.loads(cli(cardcli_home, "stats", "--json", "--exam", (exam + timedelta(days=1)).isoformat()).stdout)
    assert j["exam"] == (exam + timedelta(days=1)).isoformat()
    r = cli(cardcli_home, "exam", "clear")
    assert r.returncode == 0 and f"Forgot the exam on {exam.isoformat()}" in r.stdout
    assert "exam" not in json.loads(cli(cardcli_home, "stats", "--json").stdout)


def test_exam_dates_are_checked(cardcli_home):
    r = cli(cardcli_home, "exam", "set", (today() - timedelta(days=1)).isoformat())
    assert r.returncode == 2 and "exam set:" in r.stderr and "is in the past" in r.stderr
    assert cli(cardcli_home, "exam", "set", "soon").returncode == 2
    r = cli(cardcli_home, "exam", "set", today().isoformat())  # the exam day itself is valid
    assert r.returncode == 0 and "is today" in r.stdout


def test_exam_morning_study_reviews_weakest_and_keeps_the_schedule(cardcli_home, decks):
    cli(cardcli_home, "study", "--decks", str(decks), "--deck", "drill", "--new", "2", stdin="\n5\n\n5\nx\n")
    before = rows(cardcli_home, "SELECT card_id, json_array(state, step, stability, difficulty, due, last_review) FROM card_state ORDER BY card_id")
    cli(cardcli_home, "exam", "set", today().isoformat())
    r = cli(cardcli_home, "study", "--decks", str(decks), "--deck", "drill", stdin="\n3\n\n4\n")
    assert "Exam morning: your weakest cards first" in r.stdout
    assert rows(cardcli_home, "SELECT card_id, kind FROM reviews WHERE kind = 'cram' ORDER BY id") == [
        ("d0", "cram"), ("d1", "cram")]  # the two seen cards, no new ones
    assert rows(cardcli_home, "SELECT card_id, json_array(state, step, stability, difficulty, due, last_review) FROM card_state ORDER BY card_id") == before


def test_selection_gets_new_cards_after_the_general_allowance(cardcli_home, decks):
    r = cli(cardcli_home, "study", "--decks", str(decks), "--new", "2", stdin="\n5\n\n5\nx\n")
    assert "2 of 2 new cards introduced today — press n for 10 more, or run with --new 22" in r.stdout
    r = cli(cardcli_home, "study", "--decks", str(decks), "--new", "2", stdin="x\n")
    assert "2 of 2 new cards introduced today" in r.stdout  # the general allowance is used up
    seen = {c for (c,) in rows(cardcli_home, "SELECT card_id FROM reviews")}
    other_new = [f"o{i}" for i in range(3) if f"o{i}" not in seen]
    r = cli(cardcli_home, "study", "--decks", str(decks), "--deck", "other", "--new", "2", stdin="\n4\nq\n")
    assert r.returncode == 0
    assert other_new[0] in r.stdout  # the explicit selection still introduces its own new cards


def test_cram_on_never_seen_cards_is_not_empty(cardcli_home, decks):
    r = cli(cardcli_home, "study", "--decks", str(decks), "--deck", "other", "--cram", stdin="\n5\n\n5\n\n5\n")
    assert r.returncode == 0
    assert rows(cardcli_home, "SELECT card_id, kind FROM reviews ORDER BY id") == [
        ("o0", "cram"), ("o1", "cram"), ("o2", "cram")]  # unseen first, in deck order
    assert "Nothing left to cram" in r.stdout
    assert rows(cardcli_home, "SELECT count(*) FROM card_state") == [(0,)]


def _size_answer(params: dict) -> int:
    """Independent formula for a conv-output-size problem."""
    i, k, s, p, d = (params[n] for n in ("input_size", "kernel_size", "stride", "padding", "dilation"))
    return (i + 2 * p - d * (k - 1) - 1) // s + 1


def test_quiz_answers_are_logged_and_counted(cardcli_home):
    gen = cli(cardcli_home, "generate", "--topic", "conv-output-size", "-n", "3", "--seed", "11")
    records = [json.loads(line) for line in gen.stdout.splitlines()]
    answers = [str(_size_answer(r["params"])) for r in records]
    answers[1] = str(int(answers[1]) + 1)  # one wrong
    r = cli(cardcli_home, "quiz", "--topic", "conv-output-size", "-n", "3", "--seed", "11",
            stdin="\n".join(answers) + "\n")
    assert r.returncode == 0 and "Score: 2/3" in r.stdout
    got = rows(cardcli_home, "SELECT card_id, kind, rating, correct, problem_seed, problem_params, duration_ms "
                             "FROM reviews ORDER BY id")
    assert [g[:5] for g in got] == [("gen:conv-output-size:d1", "quiz", 4, 1, 11),
                                    ("gen:conv-output-size:d1", "quiz", 1, 0, 11),
                                    ("gen:conv-output-size:d1", "quiz", 4, 1, 11)]
    assert [json.loads(g[5]) for g in got] == [rec["params"] for rec in records]
    assert all(g[6] is not None and g[6] >= 0 for g in got)
    assert rows(cardcli_home, "SELECT reps FROM card_state WHERE card_id = 'gen:conv-output-size:d1'") == [(3,)]
    exam = (today() + timedelta(days=3)).isoformat()
    j = json.loads(cli(cardcli_home, "stats", "--json", "--exam", exam).stdout)
    assert j["quiz"] == {"output-size": {"attempts": 3, "correct": 2}}
    assert j["readiness"]["output-size"] > 0
    text = cli(cardcli_home, "stats").stdout
    assert re.search(r"│ output-size .*│\s+2/3 │", text) and "Quiz answers: 3, 67% correct" in text


def _asked(home: Path, seed: str) -> list[str]:
    """The problem ids `generate` prints without a family, checked against the quiz's header."""
    gen = cli(home, "generate", "-n", "5", "--seed", seed)
    ids = [json.loads(line)["id"] for line in gen.stdout.splitlines()]
    families = [i.rsplit("-d1-", 1)[0] for i in ids]
    q = cli(home, "quiz", "-n", "5", "--seed", seed, stdin="q\n")
    from generators.catalog import CATALOG

    assert f"5 problems from {', '.join(families)} (weakest first; {len(CATALOG) - 5} more families next time)" in \
        " ".join(q.stdout.split())
    assert ids[0] in q.stdout  # the first problem asked is generate's first
    return families


def test_generate_without_family_prints_what_quiz_asks(cardcli_home):
    from cardcli.render import answer_text
    from generators.families import problem

    first = _asked(cardcli_home, "4")
    assert len(set(first)) == 5
    # practise the first two families (correct answers, as the solution prints them)
    answers = [answer_text(p.answer, p.answer_kind) for p in (problem(f, 9, 1, 0) for f in first[:2])]
    r = cli(cardcli_home, "quiz", "--topic", first[0], "--topic", first[1], "-n", "2", "--seed", "9",
            stdin="\n".join(answers) + "\n")
    assert "Score: 2/2" in r.stdout
    again = _asked(cardcli_home, "4")  # same seed, new history: still what generate prints
    assert first[0] not in again and first[1] not in again  # practised families go to the back
    assert again[:3] == first[2:]  # the others keep their seeded order


def test_local_times_follow_tz(cardcli_home, decks):
    cli(cardcli_home, "study", "--decks", str(decks), "--deck", "drill", "--new", "1", stdin="\n5\nx\n")
    r = cli(cardcli_home, "study", "--decks", str(decks), "--deck", "drill", "--new", "1", stdin="x\n",
            tz="Asia/Kolkata")
    assert re.search(r"Next due: in \d+ d \(\d{4}-\d\d-\d\d \d\d:\d\d IST\)", r.stdout)
    d = cli(cardcli_home, "due", "--decks", str(decks), "--deck", "drill", "--explain", tz="Asia/Kolkata")
    assert "UTC" not in d.stdout


def test_a_tampered_exam_name_is_shown_as_text(cardcli_home):
    exam = today() + timedelta(days=2)
    assert cli(cardcli_home, "exam", "set", exam.isoformat()).returncode == 0
    con = sqlite3.connect(str(cardcli_home / "cardcli.sqlite3"))
    con.execute("INSERT INTO settings (key, value) VALUES ('exam_name', ?)", ("Final\x1b]0;pwned\x07",))
    con.commit()
    con.close()
    r = cli(cardcli_home, "exam")
    assert r.returncode == 0 and "\x1b" not in r.stdout and "\x07" not in r.stdout
    assert r.stdout.startswith("Final\\x1b]0;pwned\\x07 in 2 days")
