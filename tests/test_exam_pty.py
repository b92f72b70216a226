"""In a real pseudo-terminal, one press of `n` adds new cards when the day's limit stopped them."""

from __future__ import annotations

import os
import sys

import pytest
from helpers import logged_ratings

pexpect = pytest.importorskip("pexpect")

DECK = "deck: Pty\ncards:\n" + "".join(
    f"  - id: p{i}\n    front: Question number {i}?\n    back: Answer number {i}.\n    topic: conv\n" for i in range(4))


def test_n_adds_new_cards_at_once(tmp_path, cardcli_home):
    deck = tmp_path / "pty.yaml"
    deck.write_text(DECK)
    env = {k: v for k, v in os.environ.items() if k != "CARDCLI_DECKS"}
    env.update(CARDCLI_HOME=str(cardcli_home), COLUMNS="120", LINES="40", NO_COLOR="1", TERM="dumb",
               PYTHONIOENCODING="utf-8", TZ="UTC")
    child = pexpect.spawn(sys.executable, ["-m", "cardcli", "study", "--decks", str(deck), "--deck", "pty",
                                           "--new", "1"],
                          env=env, encoding="utf-8", timeout=30, dimensions=(40, 120))
    try:
        child.expect("Question number 0")
        child.send(" ")
        child.expect("1-5 rate")
        child.send("5")  # Easy: not re-queued, so the queue is empty now
        child.expect("1 of 1 new cards introduced today — press n for 10 more, or run with --new 21")
        child.expect(r"\(3 unseen cards left in this selection.\)")
        child.send("n")  # one key, no Enter
        child.expect("10 more new cards for today")
        child.expect("Question number 1")
        child.send(" ")
        child.expect("1-5 rate")
        child.send("5")
        child.expect("Question number 2")
        child.send("q")
        child.expect("Session over: 2 cards, 2 ratings")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    assert logged_ratings(cardcli_home) == [("p0", 5), ("p1", 5)]
