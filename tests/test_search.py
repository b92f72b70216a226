"""`cardcli show` and `cardcli search`: matching, the printed card (in-process Console and a real
pty at 60 and 120 columns), schedule state and due date, --json."""

from __future__ import annotations

import json
import os
import re
import sys
from datetime import datetime, timezone
from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from cardcli.cli import app
from cardcli.loader import load_collection
from cardcli.search import card_renderable, find
from cardcli.studyday import StudyDay

pexpect = pytest.importorskip("pexpect")

DECK = """\
deck: Find Me
source: tests
cards:
  - id: f-pool
    topic: pooling
    front: What does max pooling keep from each window?
    back: The largest value.
  - id: f-stride
    topic: conv
    front: Output width of a conv with stride 2?
    back: (W - F + 2P)/2 + 1, rounded down; pooling halves it too.
  - id: f-tf
    type: truefalse
    topic: rnn
    front: "LSTMs <b>remove</b> the vanishing gradient problem entirely."
    answer: false
    back: They reduce it.
    erratum: The slide says they remove it.
  - id: f-matrix
    type: numeric
    topic: conv
    front: Output of the 1x1 identity conv?
    answer: [[1, 0], [0, 1]]
    back: The input unchanged.
    check: {fn: conv2d_forward, args: {}}
"""
NOW = "2026-11-10T12:00:00+00:00"


@pytest.fixture
def deck(tmp_path: Path) -> Path:
    p = tmp_path / "find.yaml"
    p.write_text(DECK, encoding="utf-8")
    return p


def cards(deck: Path):
    return load_collection([deck]).decks[-1].cards


def test_find_by_id_and_by_all_words_ranked_front_first(deck):
    cs = cards(deck)
    assert [m.card.id for m in find(cs, "F-TF")] == ["f-tf"]  # an id, any case
    # "pooling": f-pool has it in the front (100), f-stride only in the back (10)
    assert [(m.card.id, m.score) for m in find(cs, "pooling")] == [("f-pool", 100), ("f-stride", 10)]
    assert [m.card.id for m in find(cs, "slide SAYS")] == ["f-tf"]  # erratum words
    assert [m.card.id for m in find(cs, "false lstm")] == ["f-tf"]  # the true/false answer counts
    assert find(cs, "pooling giraffe") == []  # every word must occur
    assert find(cs, "   ") == []


def flat(text: str) -> str:
    """The printed words on one line: panel borders dropped, wrapping undone."""
    return " ".join(text.replace("│", " ").split())


def nows(text: str) -> str:
    return "".join(text.split())


def render(card, state, width: int) -> str:
    buf = StringIO()
    Console(file=buf, width=width, color_system=None, highlight=False).print(
        card_renderable(card, state, datetime(2026, 11, 10, 12, tzinfo=timezone.utc), StudyDay()))
    return buf.getvalue()


@pytest.mark.parametrize("width", [60, 120])
def test_card_printed_as_study_shows_it(deck, width):
    card = {c.id: c for c in cards(deck)}["f-tf"]
    text = render(card, None, width)
    lines = text.splitlines()
    assert all(len(line) <= width for line in lines)
    assert nows(text).startswith(nows(f"{deck}:12 · new · not studied yet"))
    flat_text = flat(text)
    assert "LSTMs <b>remove</b> the vanishing gradient problem entirely." in flat_text  # text, not markup
    assert "true or false?" in flat_text and "Answer: false" in flat_text and "They reduce it." in flat_text
    assert flat_text.endswith("Answer: false They reduce it. Erratum: The slide says they remove it.")
    assert re.search(r"╭─ Find Me · rnn ─+╮", text)


def test_matrix_answer_as_a_table(deck):
    card = {c.id: c for c in cards(deck)}["f-matrix"]
    text = render(card, None, 60)
    rows = [line.split() for line in text.splitlines()]
    assert ["Answer"] in rows and ["0", "1", "0"] in rows and ["1", "0", "1"] in rows


def test_schedule_state_and_due_after_a_review(deck, monkeypatch):
    from cardcli.scheduler import review
    from cardcli.store import ReviewRecord, Store

    at = datetime(2026, 11, 9, 10, tzinfo=timezone.utc)
    with Store.open() as store:
        store.record(ReviewRecord(card_id="f-pool", deck="Find Me", reviewed_at=at, rating=4),
                     lambda cur: review(cur, 4, at, card_id="f-pool"))
        due = store.load_state("f-pool").due
    monkeypatch.setenv("CARDCLI_NOW", NOW)
    monkeypatch.setenv("TZ", "UTC")
    r = CliRunner().invoke(app, ["show", "max", "pooling", "keep", "from", "--decks", str(deck), "--json"])
    data = json.loads(r.output)
    assert data["id"] == "f-pool" and data["stage"] == "learning" and data["reps"] == 1
    assert data["due"] == due.isoformat() and data["file"] == str(deck) and data["line"] == 4
    r = CliRunner().invoke(app, ["search", "pooling", "--decks", str(deck), "--deck", "find", "--json",
                                 "--topic", "conv"])
    data = json.loads(r.output)
    assert data["matches"] == 1 and [c["id"] for c in data["cards"]] == ["f-stride"]
    assert data["cards"][0]["stage"] == "new" and data["cards"][0]["due"] is None


def pty_run(args: list[str], width: int, home: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k != "CARDCLI_DECKS"}
    env.update(CARDCLI_HOME=str(home), COLUMNS=str(width), LINES="60", NO_COLOR="1", TERM="dumb",
               PYTHONIOENCODING="utf-8", CARDCLI_NOW=NOW)
    child = pexpect.spawn(sys.executable, ["-m", "cardcli", *args], env=env, encoding="utf-8", timeout=60,
                          dimensions=(60, width))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    return child.before.replace("\r\n", "\n")


@pytest.mark.parametrize("width", [60, 120])
def test_show_and_search_in_a_pty(deck, width, cardcli_home):
    text = pty_run(["show", "f-stride", "--decks", str(deck)], width, cardcli_home)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    assert nows(text).startswith(nows(f"{deck}:8 · new · not studied yet"))
    words = flat(text)
    assert "Output width of a conv with stride 2?" in words and "(W - F + 2P)/2 + 1, rounded down" in words
    text = pty_run(["search", "pooling", "--deck", "find", "--decks", str(deck)], width, cardcli_home)
    words = flat(text)
    assert words.index("What does max pooling keep") < words.index("Output width of a conv")
    assert words.endswith("2 cards match")
    assert max(len(line) for line in text.splitlines()) <= width


def test_errors_are_one_line(deck):
    r = CliRunner().invoke(app, ["search", "giraffe", "--decks", str(deck)])
    assert r.exit_code == 1 and "no card matches 'giraffe'" in str(r.exception)
    r = CliRunner().invoke(app, ["search", "pooling", "--topic", "nope", "--decks", str(deck)])
    from cardcli.errors import UsageError

    assert isinstance(r.exception, UsageError) and "unknown topic 'nope'" in str(r.exception)
