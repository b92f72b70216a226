"""`cardcli study` in a real pseudo-terminal: single key presses, no Enter after a rating."""

from __future__ import annotations

import os
import sqlite3
import sys

import pytest
from helpers import logged_ratings

pexpect = pytest.importorskip("pexpect")

DECK = """\
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
  - id: k-three
    front: Is 2 > 1?
    back: Yes.
    type: truefalse
    answer: true
    topic: conv
"""


def test_single_keys_drive_a_session(tmp_path, cardcli_home):
    deck = tmp_path / "pty.yaml"
    deck.write_text(DECK)
    env = {k: v for k, v in os.environ.items() if k != "CARDCLI_DECKS"}
    env.update(CARDCLI_HOME=str(cardcli_home), COLUMNS="100", LINES="40", NO_COLOR="1", TERM="dumb",
               PYTHONIOENCODING="utf-8")
    child = pexpect.spawn(sys.executable, ["-m", "cardcli", "study", "--decks", str(deck), "--deck", "pty"],
                          env=env, encoding="utf-8", timeout=30, dimensions=(40, 100))
    try:
        child.expect("First question")
        child.expect("show answer")
        child.send(" ")  # space reveals
        child.expect("First answer")
        child.expect("How well did you know this")
        child.send("4")  # one key, no Enter
        child.expect("Second question")
        child.expect("show answer")
        child.send("\r")  # Enter reveals
        child.expect("Second answer")
        child.expect("1-5 rate")
        child.send("x")  # an unknown key only re-prompts
        child.expect("Press 1-5")
        child.send("5")
        child.expect(r"Is 2 > 1\?")
        child.expect("Your answer")
        child.sendline("")  # typed cards read a line: empty just reveals
        child.expect("Yes.")
        child.expect("1-5 rate")
        child.send("u")  # undo the 5 of k-two: it comes back first
        child.expect("Undid rating 5 of k-two")
        child.expect("Second question")
        child.expect("show answer")
        child.send(" ")
        child.expect("1-5 rate")
        child.send("3")
        child.expect(r"Is 2 > 1\?")
        child.expect("Your answer")
        child.sendline("q")
        child.expect("Session over: 2 cards, 2 ratings")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    assert logged_ratings(cardcli_home) == [("k-one", 4), ("k-two", 3)]


def test_terminal_mode_is_restored_after_a_key(monkeypatch):
    """TtyKeys puts the terminal back (echo + canonical) after each key, also when the read fails."""
    import pty
    import termios

    import cardcli.terminal as term

    master, slave = pty.openpty()
    try:
        before = termios.tcgetattr(slave)
        keys = term.TtyKeys(slave, open(os.devnull, "w"))
        os.write(master, b"7")
        assert keys.read_key() == "7"
        assert termios.tcgetattr(slave) == before
        os.write(master, b"\r")
        assert keys.read_key() == "\n"

        def interrupted(fd: int, n: int) -> bytes:
            assert not termios.tcgetattr(fd)[3] & termios.ECHO  # cbreak, no echo, while reading
            raise KeyboardInterrupt

        monkeypatch.setattr(term.os, "read", interrupted)
        with pytest.raises(KeyboardInterrupt):
            keys.read_key()
        assert termios.tcgetattr(slave) == before
    finally:
        os.close(master)
        os.close(slave)


EDIT_DECK = """\
deck: Edit
source: tests
cards:
  - id: e-one
    front: Output width of a 3x3 conv on a 14-wide input, stride 1, no padding?
    back: 14 - 3 + 1 = 12.
    type: numeric
    answer: 12
    check: {fn: conv_output_size, args: {input_size: 14, kernel_size: 3}}
    topic: output-size
  - id: e-two
    front: And with a 3x3 conv on a 12-wide input, padding 1?
    back: (12 + 2 - 3) + 1 = 12.
    type: numeric
    answer: 12
    check: {fn: conv_output_size, args: {input_size: 12, kernel_size: 3, padding: 1}}
    topic: output-size
  - id: e-three
    front: Output width of a 2x2 conv on a 346-wide input, stride 1?
    back: 346 - 2 + 1 = 345.
    type: numeric
    answer: 345
    check: {fn: conv_output_size, args: {input_size: 346, kernel_size: 2}}
    topic: output-size
"""
LEFT, UP, HOME, END = "\x1b[D", "\x1b[A", "\x1b[H", "\x1b[F"
CTRL_A, CTRL_E, CTRL_K, CTRL_U = "\x01", "\x05", "\x0b", "\x15"


def test_typed_answers_edit_like_a_shell(tmp_path, cardcli_home):
    """readline at the answer prompt: Left-arrow fixes a typo, Up recalls an earlier answer,
    Ctrl-U/A/E/K and Home/End edit the line; each edited answer is graded correct."""
    deck = tmp_path / "edit.yaml"
    deck.write_text(EDIT_DECK)
    env = {k: v for k, v in os.environ.items() if k not in ("CARDCLI_DECKS", "COLUMNS", "LINES")}
    env.update(CARDCLI_HOME=str(cardcli_home), NO_COLOR="1", TERM="xterm", PYTHONIOENCODING="utf-8",
               INPUTRC=os.devnull)  # readline's defaults, whatever the machine's ~/.inputrc says
    child = pexpect.spawn(sys.executable, ["-m", "cardcli", "study", "--decks", str(deck), "--deck", "edit"],
                          env=env, encoding="utf-8", timeout=30, dimensions=(40, 100))
    try:
        child.expect("Output width of a 3x3 conv")
        child.expect("Your answer")
        child.send("2" + LEFT + "1" + "\r")  # typed "2", went back one, inserted "1": 12
        child.expect("✓ correct")
        child.expect("1-5 rate")
        child.send("4")
        child.expect("padding 1")
        child.expect("Your answer")
        child.send("99" + CTRL_U + UP + "\r")  # clear the line, recall the earlier answer (12)
        child.expect("✓ correct")
        child.expect("1-5 rate")
        child.send("5")
        child.expect("346-wide")
        child.expect("Your answer")
        # "45", Ctrl-A "3": "345"; Ctrl-E "9": "3459"; Left, Ctrl-K: "345";
        # Home "0": "0345" (a leading zero reads as 345 too); End "7", Left, Ctrl-K: "0345"
        child.send("45" + CTRL_A + "3" + CTRL_E + "9" + LEFT + CTRL_K + HOME + "0" + END + "7" + LEFT + CTRL_K + "\r")
        child.expect("✓ correct")
        child.expect("1-5 rate")
        child.send("4")
        child.expect("Recorded 4")
        child.expect("Your answer")  # a learning card comes back; typing q ends the session
        child.sendline("q")
        child.expect("Session over")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    con = sqlite3.connect(str(cardcli_home / "cardcli.sqlite3"))
    got = con.execute("SELECT card_id, rating, correct FROM reviews ORDER BY id").fetchall()
    con.close()
    assert got == [("e-one", 4, 1), ("e-two", 5, 1), ("e-three", 4, 1)]


def test_session_ended_by_its_limit_says_so_in_a_terminal(tmp_path, cardcli_home):
    """--limit 3 counts ratings (a card coming back counts again); the last lines say why the
    session stopped and how to go on, and the last card is not promised "later this session"."""
    deck = tmp_path / "pty.yaml"
    deck.write_text(DECK.split("  - id: k-three")[0])  # the two basic cards
    env = {k: v for k, v in os.environ.items() if k != "CARDCLI_DECKS"}
    env.update(CARDCLI_HOME=str(cardcli_home), COLUMNS="120", LINES="40", NO_COLOR="1", TERM="dumb",
               PYTHONIOENCODING="utf-8", CARDCLI_NOW="2026-12-01T10:00Z", TZ="UTC")
    child = pexpect.spawn(sys.executable, ["-m", "cardcli", "study", "--decks", str(deck), "--deck", "pty",
                                           "--limit", "3"], env=env, encoding="utf-8", timeout=30,
                          dimensions=(40, 120))
    try:
        child.expect("First question")
        child.send(" ")
        child.expect("1-5 rate")
        child.send("1")  # back in 1 min: shown again in this session
        child.expect(r"Recorded 1 \(Not at all\) · back in 1 min \(later this session\) · 2 left today")
        child.expect("Second question")
        child.send(" ")
        child.expect("1-5 rate")
        child.send("1")
        child.expect(r"back in 1 min \(later this session\) · 2 left today")
        child.expect("First question")  # the re-queued card, third rating
        child.send(" ")
        child.expect("1-5 rate")
        child.send("1")
        child.expect(r"Recorded 1 \(Not at all\) · back in 1 min \(next session: --limit reached\) · 2 left today")
        child.expect("Session over: 2 cards, 3 ratings")
        child.expect(r"Stopped: this session reached its --limit of 3 ratings; 2 cards still to do today\.")
        child.expect(r"Go on with `cardcli study` \(a new session\), or `cardcli study --limit 6` for a longer one\.")
        child.expect(pexpect.EOF)
        tail = child.before
    finally:
        child.close()
    assert child.exitstatus == 0
    assert "later this session" not in tail
    assert logged_ratings(cardcli_home) == [("k-one", 1), ("k-two", 1), ("k-one", 1)]
