"""Honest sessions and forgiving matrix entry, driven in-process with scripted keys.

Expected values are worked by hand: the recorded line's interval is read independently from the
card state the store holds, the cram schedule from the store being untouched.
"""

from __future__ import annotations

import random
from datetime import datetime, timezone
from io import StringIO

import pytest
from rich.console import Console

from cardcli.matrix_entry import MatrixEntry, start
from cardcli.model import Card, CardType
from cardcli.scheduler import format_interval, plan
from cardcli.session import CRAM_BANNER, Session
from cardcli.store import Store
from cardcli.terminal import ScriptedKeys

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
MATRIX = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]


def _card(cid: str, **kw) -> Card:
    base = dict(front=f"Question {cid}?", back=f"Answer {cid}.", topic="conv", deck="T")
    base.update(kw)
    return Card(id=cid, **base)


def run(cards: list[Card], keys: list[str], *, cram: bool = False, states=None, width: int = 80):
    buf = StringIO()
    console = Console(file=buf, width=width, color_system=None)
    with Store.open() as store:
        states = store.load_states() if states is None else states
        queue = plan(cards, states, NOW, random.Random(0), new_per_day=20, new_seen_today=0, cram=cram)
        session = Session(queue, store, console, ScriptedKeys(keys), states, cards, cram=cram,
                          rng=random.Random(0), clock=lambda: NOW)
        summary = session.run()
        log = store.reviews()
        after = store.load_states()
    return buf.getvalue(), summary, log, after


# -- matrix entry (pure) ------------------------------------------------------------------------

def test_blank_line_keeps_rows_and_says_what_is_missing():
    e = MatrixEntry(3, 3, "1 2 3")
    assert e.prompt() == "r1> "
    assert e.feed("") == "1 of 3 rows typed; type rows 1–2 (r<i>: … retypes row i)"
    assert e.feed("4 5 6") is None and not e.done
    assert e.feed("   ").startswith("2 of 3 rows typed; type row 2 (")
    assert e.feed("7 8 9") is None and e.done
    assert e.text() == "1 2 3\n4 5 6\n7 8 9"


def test_a_row_can_be_retyped_and_a_short_row_is_refused():
    e = MatrixEntry(3, 3, "1 2 30")
    assert e.feed("4 5") == "row 1 needs 3 numbers, that line has 2; type it again"
    assert e.rows == ["1 2 30"]
    assert e.feed("r0: 1 2 3") == "row 0 replaced"
    assert e.feed("R1 4,5,6") == "row 1 typed"  # the next row may be typed with its label too
    assert e.feed("r5: 1 2 3").startswith("there is no row 5 to retype yet")
    assert e.feed("7 8 9") is None
    assert e.done and e.text() == "1 2 3\n4,5,6\n7 8 9"


def test_start_only_for_a_first_row_of_the_right_width():
    assert start("1 2 3", MATRIX) is not None
    assert start("1 2 3; 4 5 6; 7 8 9", MATRIX) is None  # one-line form
    assert start("1 2", MATRIX) is None  # wrong width: the parser explains the shape
    assert start("12", 12) is None


# -- sessions ------------------------------------------------------------------------------------

def test_matrix_card_survives_a_blank_line_and_a_retyped_row():
    card = _card("m", type=CardType.numeric, answer=MATRIX)
    out, summary, log, _ = run([card], ["1 2 3", "", "4 5 7", "r1: 4 5 6", "7 8 9", "5", "q"])
    assert "1 of 3 rows typed" in out and "Rows so far" in out
    assert "row 1 replaced" in out
    assert "✓ correct" in out
    assert [(r.card_id, r.rating, r.correct) for r in log] == [("m", 5, True)]


def test_recorded_line_names_rating_and_return_time():
    cards = [_card("a"), _card("b")]
    out, _, log, after = run(cards, ["\n", "4", "\n", "1", "q"])
    assert [(r.card_id, r.rating) for r in log] == [("a", 4), ("b", 1)]
    wait_a = format_interval(after["a"].due - NOW)
    wait_b = format_interval(after["b"].due - NOW)
    assert f"Recorded 4 (Well) · back in {wait_a}" in out
    assert f"Recorded 1 (Not at all) · back in {wait_b} (later this session)" in out


def test_cram_has_a_banner_no_interval_hints_and_says_not_scheduled():
    cards = [_card("a")]
    run(cards, ["\n", "4", "q"])  # seen once, so cram has something to drill
    with Store.open() as store:
        before = store.load_states()
    out, _, log, after = run(cards, ["\n", "2", "q"], cram=True)
    assert out.splitlines()[0] == CRAM_BANNER
    session = out.split("Session over")[0]
    assert "1: " not in session and " min" not in session  # no interval preview
    assert "Recorded 2 (Barely) · cram: not scheduled" in out
    assert log[-1].kind == "cram" and after == before


def test_a_typo_is_retyped_once_and_regraded():
    card = _card("n", type=CardType.numeric, answer=12)
    out, _, log, _ = run([card], ["13", "t", "12", "5", "q"])
    assert "✗ not right." in out and "t typo: retype your answer once" in out
    before = out.split("✓ correct (retyped)")[0]
    assert "12" not in before.split("✗ not right.")[1].replace("13", "")  # nothing revealed before the retype
    assert "✓ correct (retyped)" in out
    assert [(r.rating, r.correct) for r in log] == [(5, True)]  # not capped: the retyped answer is right


def test_typo_offered_once_then_the_cap_holds():
    card = _card("n", type=CardType.numeric, answer=12)
    out, _, log, _ = run([card], ["13", "t", "14", "t", "5", "q"])
    assert "✗ still incorrect (retyped)" in out
    assert out.count("t typo: retype your answer once") == 1  # offered once only
    assert "Press 1-5 to rate" in out  # a second t is just an unknown key
    assert [(r.rating, r.correct) for r in log] == [(2, False)]


def test_the_typo_retype_cannot_copy_a_shown_answer():
    """Once the answer is shown (Enter at the typo offer), no retype is offered: the cap holds."""
    card = _card("n", type=CardType.numeric, answer=12)
    out, _, log, _ = run([card], ["13", "\n", "t", "5", "q"])
    shown = out.split("Answer: 12")[1]
    assert "t typo" not in shown and "Retype" not in shown
    assert [(r.rating, r.correct) for r in log] == [(2, False)]


def test_question_mark_hint_and_s_reveal_in_study():
    card = _card("n", type=CardType.numeric, answer=12)
    out, _, log, _ = run([card], ["?", "s", "3", "q"])
    assert "No hint for a deck card" in out and "Answer: 12" in out
    assert "✗" not in out
    assert [(r.rating, r.correct, r.mistake) for r in log] == [(3, None, None)]  # revealed, not a mistake


def test_generated_problem_hint_in_study():
    from cardcli.session import generated_cards

    gen = [c for c in generated_cards(("conv-output-size",), (1,))]
    out, _, log, _ = run(gen[:1], ["?", "", "2", "q"])
    assert "Hint: out = floor((i + 2p − d·(k − 1) − 1)/s) + 1 with i = " in " ".join(out.split())
    assert [(r.correct, r.mistake) for r in log] == [(None, None)]


@pytest.mark.parametrize("width", [60, 80, 120])
def test_session_lines_fit_the_width(width):
    cards = [_card("long", front="word " * 60, back="answer " * 50), _card("n", type=CardType.numeric, answer=MATRIX)]
    out, *_ = run(cards, ["\n", "3", "1 2 3", "", "4 5 6", "7 8 0", "t", "1 2 3; 4 5 6; 7 8 9", "4", "q"],
                  width=width)
    assert max(len(line) for line in out.splitlines()) <= width
    assert "How well did you know this?" in out and "Perfectly" in out
