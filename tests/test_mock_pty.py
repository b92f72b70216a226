"""`cardcli exam mock` in a real pseudo-terminal: the top-line countdown ticks, q ends, the screen is restored."""

from __future__ import annotations

import os
import sys

import pytest

pexpect = pytest.importorskip("pexpect")


def test_countdown_ticks_on_the_top_line_and_q_ends(cardcli_home):
    env = {k: v for k, v in os.environ.items() if k != "CARDCLI_DECKS"}
    env.update(CARDCLI_HOME=str(cardcli_home), NO_COLOR="1", TERM="xterm", PYTHONIOENCODING="utf-8")
    child = pexpect.spawn(sys.executable, ["-m", "cardcli", "exam", "mock", "--seed", "3", "--minutes", "20"],
                          env=env, encoding="utf-8", timeout=30, dimensions=(30, 100))
    try:
        child.expect(r"\x1b\[2;30r")  # the scroll region leaves the top line to the countdown
        child.expect(r"\x1b7\x1b\[1;1H\x1b\[2K\x1b\[7mMidterm II \(mock\) · (20:00|19:5\d) left")
        child.expect(r"\[(20:00|19:5\d) left\] Q1> ")
        # the timer redraws the top line every second (bounded wait on the real clock)
        child.expect(r"\x1b\[1;1H\x1b\[2K\x1b\[7mMidterm II \(mock\) · 19:5\d left\x1b\[0m\x1b8", timeout=5)
        child.sendline("q")
        child.expect("Exam ended early: 0 of 8 questions answered")
        child.expect(r"\x1b\[r")  # the whole screen scrolls again before the marking
        child.expect("Score: 0/120")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
