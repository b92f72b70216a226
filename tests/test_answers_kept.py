"""Every answer kept as it is given (issue 23): seeds bounded at the option, mock answers committed
one by one, SIGHUP / SIGTERM / a closed terminal end a session like Ctrl-C, a killed sitting recovered."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import sys
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from cardcli.cli import app
from cardcli.clock import parse_instant
from cardcli.limits import SEED_MAX
from cardcli.store import SITTING, Store

pexpect = pytest.importorskip("pexpect")
runner = CliRunner()
NOW = "2026-12-01T09:00:00+00:00"


def _env(home) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CARDCLI_DECKS"}
    env.update(CARDCLI_HOME=str(home), NO_COLOR="1", TERM="xterm", PYTHONIOENCODING="utf-8", CARDCLI_NOW=NOW)
    return env


def _history(home):
    paths = list(home.glob("*.sqlite3"))
    assert len(paths) == 1, paths
    return paths[0]


def _rows(home, sql: str) -> list[tuple]:
    con = sqlite3.connect(_history(home))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


# -- seeds: bounded at the option, the same everywhere ---------------------------------------------------
@pytest.mark.parametrize("argv", [
    ["exam", "mock"], ["quiz"], ["generate", "conv-forward"], ["export", "anki", "-o", "-"],
])
def test_a_seed_past_what_the_history_stores_is_refused_at_the_option(argv):
    for bad in (str(SEED_MAX + 1), "-1"):
        r = runner.invoke(app, [*argv, "--seed", bad], input="\n" * 10)
        assert r.exit_code == 2, (argv, bad, r.output)
        assert "--seed" in r.output and "Traceback" not in r.output
    assert SEED_MAX == 2**63 - 1  # SQLite's INTEGER: the largest seed a logged answer can carry


def test_the_largest_seed_is_sat_and_logged(cardcli_home, monkeypatch):
    monkeypatch.setenv("CARDCLI_NOW", NOW)
    r = runner.invoke(app, ["exam", "mock", "--seed", str(SEED_MAX)], input="\n" * 8)  # Midterm II: 8 questions
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["quiz", "--seed", str(SEED_MAX), "-n", "1"], input="0\n")
    assert r.exit_code == 0, r.output
    with Store.open() as store:
        (exam,) = store.mock_exams()
        kinds = sorted(r.kind for r in store.reviews())
        seeds = {r.problem_seed for r in store.reviews() if r.problem_seed is not None}
    assert exam.seed == SEED_MAX and exam.stopped == "done"
    assert kinds == ["mock"] * 8 + ["quiz"] and seeds == {SEED_MAX}


# -- mock answers committed one by one ------------------------------------------------------------------
def _spawn_mock(home, seed: int = 5) -> pexpect.spawn:
    return pexpect.spawn(sys.executable, ["-m", "cardcli", "exam", "mock", "--seed", str(seed), "--minutes", "30"],
                         env=_env(home), encoding="utf-8", timeout=60, dimensions=(30, 100))


def _answer_two(child: pexpect.spawn) -> None:
    child.expect(r"Q1> ")
    child.sendline("")  # Q1 left blank
    child.expect("Left blank")
    child.expect(r"Q2> ")
    child.sendline("")
    child.expect("Left blank")
    child.expect(r"Q3> ")


def _check_two_kept(home, stopped: str | tuple[str, ...]) -> None:
    mock = _rows(home, "SELECT card_id, rating FROM reviews WHERE kind = 'mock' ORDER BY id")
    assert len(mock) == 2 and all(r == 1 for _, r in mock)
    (row,) = _rows(home, "SELECT stopped, score, max, questions FROM mock_exams")
    assert row[0] in ((stopped,) if isinstance(stopped, str) else stopped) and (row[1], row[2]) == (0, 120)
    assert row[3].count('"blank"') == 2 and row[3].count('"not attempted"') == 6


def test_each_mock_answer_is_committed_before_the_next_question(cardcli_home):
    child = _spawn_mock(cardcli_home)
    try:
        _answer_two(child)
        # the sitting is still running: both answers and the exam's row are already in the file
        mock = _rows(cardcli_home, "SELECT count(*) FROM reviews WHERE kind = 'mock'")
        assert mock == [(2,)]
        assert _rows(cardcli_home, "SELECT stopped FROM mock_exams") == [(SITTING,)]
        child.sendline("q")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    _check_two_kept(cardcli_home, "quit")


@pytest.mark.parametrize("sig", ["SIGHUP", "SIGTERM"])
def test_a_signal_mid_mock_ends_it_like_ctrl_c_and_keeps_the_answers(cardcli_home, sig):
    child = _spawn_mock(cardcli_home)
    try:
        _answer_two(child)
        child.kill(getattr(signal, sig))
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 128 + getattr(signal, sig), (child.exitstatus, child.signalstatus)
    _check_two_kept(cardcli_home, "interrupt")


def test_a_closed_terminal_mid_mock_keeps_the_answers(cardcli_home):
    child = _spawn_mock(cardcli_home)
    _answer_two(child)
    os.close(child.child_fd)  # the window is closed: the kernel hangs up the terminal
    child.child_fd = -1
    _pid, _status = os.waitpid(child.pid, 0)
    child.terminated = True
    # the read sees the end of input and the kernel sends SIGHUP: whichever comes first ends it
    _check_two_kept(cardcli_home, ("eof", "interrupt"))


def test_a_killed_sitting_keeps_its_answers_and_is_closed_after_its_time(cardcli_home):
    child = _spawn_mock(cardcli_home)
    try:
        _answer_two(child)
        child.kill(signal.SIGKILL)
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.signalstatus == signal.SIGKILL
    _check_two_kept(cardcli_home, SITTING)
    start = parse_instant(NOW)
    with Store.open() as store:
        assert store.close_abandoned_mock_exams(start + timedelta(minutes=20)) == 0  # may still be running
        assert store.close_abandoned_mock_exams(start + timedelta(minutes=40)) == 1
    _check_two_kept(cardcli_home, "cut off")
    # the next `exam mock` closes it too, and `stats` lists it with what it kept
    r = runner.invoke(app, ["stats"], env={"CARDCLI_NOW": "2026-12-01T12:00:00+00:00"})
    assert r.exit_code == 0, r.output
    assert re.search(r"seed 5\s+0/120.*cut off", r.output), r.output


def test_the_next_mock_closes_a_sitting_whose_time_is_over(cardcli_home, monkeypatch):
    child = _spawn_mock(cardcli_home)
    try:
        _answer_two(child)
        child.kill(signal.SIGKILL)
        child.expect(pexpect.EOF)
    finally:
        child.close()
    monkeypatch.setenv("CARDCLI_NOW", "2026-12-01T12:00:00+00:00")
    r = runner.invoke(app, ["exam", "mock", "--seed", "6"], input="q\n")
    assert r.exit_code == 0, r.output
    assert _rows(cardcli_home, "SELECT seed, stopped FROM mock_exams ORDER BY id") == [(5, "cut off"), (6, "quit")]


# -- quiz and study: the signal ends them like Ctrl-C ----------------------------------------------------
def test_sigterm_mid_quiz_keeps_the_answers(cardcli_home):
    child = pexpect.spawn(sys.executable, ["-m", "cardcli", "quiz", "--seed", "1", "-n", "3"],
                          env=_env(cardcli_home), encoding="utf-8", timeout=60, dimensions=(30, 100))
    try:
        child.expect(r"> ")
        child.sendline("0")
        child.expect("Problem 2/3")
        child.expect(r"> ")
        child.kill(signal.SIGTERM)
        child.expect("Score: 0/1 \\(interrupted\\)")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 128 + signal.SIGTERM
    assert _rows(cardcli_home, "SELECT kind, rating FROM reviews") == [("quiz", 1)]


STUDY_DECK = """\
deck: Pty
source: tests
cards:
  - id: k-one
    front: First question?
    back: First answer.
    topic: conv
  - id: k-two
    front: Second question?
    back: Second answer.
    topic: conv
"""


@pytest.mark.parametrize("sig", ["SIGHUP", "SIGTERM"])
def test_a_signal_mid_study_ends_it_like_ctrl_c(tmp_path, cardcli_home, sig):
    deck = tmp_path / "pty.yaml"
    deck.write_text(STUDY_DECK)
    child = pexpect.spawn(sys.executable, ["-m", "cardcli", "study", "--decks", str(deck), "--deck", "pty"],
                          env=_env(cardcli_home), encoding="utf-8", timeout=60, dimensions=(40, 100))
    try:
        child.expect("First question")
        child.expect("show answer")
        child.send(" ")
        child.expect("How well did you know this")
        child.send("4")
        child.expect("Second question")
        child.expect("show answer")
        child.kill(getattr(signal, sig))
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.signalstatus is None  # it ended itself (a session summary), not killed by the signal
    assert _rows(cardcli_home, "SELECT card_id, rating FROM reviews") == [("k-one", 4)]
