"""Help when stuck, in a real pseudo-terminal (issue 24): `?` hint and `s` reveal in `quiz` and
`study`, the reveal logged as revealed (correct NULL, no mistake), and the typo retype offered only
before the answer is shown."""

from __future__ import annotations

import os
import sqlite3
import sys

import pytest

pexpect = pytest.importorskip("pexpect")

DECK = """\
deck: Stuck
source: tests
cards:
  - id: st-size
    topic: conv
    type: numeric
    front: A 3×3 kernel, stride 1, no padding on a 7×7 input. Output size?
    answer: 5
    back: 7 − 3 + 1 = 5
    check: {fn: conv_output_size, args: {input_size: 7, kernel_size: 3}}
"""


def _env(home):
    env = {k: v for k, v in os.environ.items() if k != "CARDCLI_DECKS"}
    env.update(CARDCLI_HOME=str(home), COLUMNS="120", LINES="40", NO_COLOR="1", TERM="dumb",
               PYTHONIOENCODING="utf-8", CARDCLI_NOW="2026-11-20T10:00:00+00:00")
    return env


def _rows(home):
    con = sqlite3.connect(str(home / "cardcli.sqlite3"))
    try:
        return con.execute("SELECT card_id, kind, correct, mistake, rating FROM reviews ORDER BY id").fetchall()
    finally:
        con.close()


def test_quiz_hint_then_reveal_in_a_terminal(cardcli_home):
    child = pexpect.spawn(sys.executable, ["-m", "cardcli", "quiz", "--topic", "pool-output-size", "-n", "1",
                                           "--seed", "3"], env=_env(cardcli_home), encoding="utf-8", timeout=30,
                          dimensions=(40, 120))
    try:
        child.expect("answer> ")
        child.sendline("?")
        child.expect(r"Hint: out = floor\(\(i \+ 2p − k\)/s\) \+ 1 with i = ")
        child.expect("answer> ")
        child.sendline("s")
        child.expect("Solution shown on request")
        child.expect("Worked solution")
        child.expect(r"Score: 0/1 \(1 solution revealed\)")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert _rows(cardcli_home) == [("gen:pool-output-size:d1", "quiz", None, None, 1)]


def test_study_typo_before_reveal_and_hint_in_a_terminal(tmp_path, cardcli_home):
    deck = tmp_path / "stuck.yaml"
    deck.write_text(DECK, encoding="utf-8")
    child = pexpect.spawn(sys.executable, ["-m", "cardcli", "study", "--decks", str(deck), "--deck", "stuck"],
                          env=_env(cardcli_home), encoding="utf-8", timeout=30, dimensions=(40, 120))
    try:
        child.expect("Output size")
        child.expect("Your answer")
        child.sendline("?")
        child.expect("No hint for a deck card")
        child.sendline("6")  # wrong
        child.expect("not right")
        child.expect("t typo")
        child.send("t")  # a typo: retype before anything is shown
        child.expect("Retype your answer")
        child.sendline("5")
        child.expect(r"correct \(retyped\)")
        child.expect("1-5 rate")
        assert "t typo" not in child.before  # no second retype once the answer is shown
        child.send("4")
        child.expect("Recorded 4")
        child.expect("Your answer")  # a new card in learning comes back this session
        child.sendline("q")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert _rows(cardcli_home) == [("st-size", "review", 1, None, 4)]
