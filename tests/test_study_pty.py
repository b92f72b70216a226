"""`cardcli study` in a real pseudo-terminal: single key presses, no Enter after a rating."""

from __future__ import annotations

import os
import sqlite3
import sys

import pytest

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
    con = sqlite3.connect(str(cardcli_home / "cardcli.sqlite3"))
    got = con.execute("SELECT card_id, rating FROM reviews ORDER BY id").fetchall()
    con.close()
    assert got == [("k-one", 4), ("k-two", 3)]


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
