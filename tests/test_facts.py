"""Facts a teacher reviews: `disputed` and `source` shown (study, Anki), `check --facts`, bad types,
and a user deck whose numeric answer the solver disputes (warned about, graded with the solver's value)."""

from __future__ import annotations

import io
import os
import random
import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import yaml
from rich.console import Console
from typer.testing import CliRunner

from cardcli import scheduler as S
from cardcli.answers import grade_card_answer
from cardcli.cli import app
from cardcli.export_anki import card_note
from cardcli.model import Card, CardType
from cardcli.paths import bundled_decks_dir
from cardcli.session import Session
from cardcli.store import Store
from cardcli.terminal import ScriptedKeys

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
REASON = "the front gives no input [bold]x[/bold] <b>"


def _session(store: Store, cards: list[Card], keys: list[str]) -> tuple[Session, Console]:
    states = store.load_states()
    q = S.plan(cards, states, T0, random.Random(0), 20, 0)
    console = Console(file=io.StringIO(), width=100, color_system=None)
    t = [T0]

    def clock() -> datetime:
        t[0] += timedelta(seconds=3)
        return t[0]

    return Session(q, store, console, ScriptedKeys(keys), states, cards, rng=random.Random(0), clock=clock), console


# -- disputed and source in study --------------------------------------------------------------

def test_disputed_numeric_card_is_self_rated_and_never_capped(tmp_path):
    card = Card("d", "dL/dx of the layer?", "Depends on x.", "backprop", "D", type=CardType.numeric,
                answer=3, check={"fn": "conv_output_size", "args": {"input_size": 5, "kernel_size": 3}},
                disputed=REASON, erratum="The document says 4.", source="CS231n notes, Backprop")
    with Store.open(tmp_path / "h.sqlite3") as store:
        # no answer is asked: Enter reveals, 5 is kept (no cap)
        s, console = _session(store, [card], ["", "5"])
        s.run()
        [r] = store.reviews()
    assert (r.card_id, r.rating, r.correct) == ("d", 5, None)
    out = console.file.getvalue()
    assert "Your answer" not in out and "capped" not in out
    assert f"Disputed: {REASON}" in out  # literal: markup-like text not interpreted
    lines = out.splitlines()
    at = {key: next(i for i, line in enumerate(lines) if line.startswith(key))
          for key in ("Disputed:", "Answer: 3", "Depends on x.", "Erratum:", "Source: CS231n notes, Backprop")}
    assert (at["Disputed:"] < at["Answer: 3"] < at["Depends on x."] < at["Erratum:"]
            < at["Source: CS231n notes, Backprop"])


def test_disputed_card_is_never_auto_graded():
    tf = Card("t", "f", "b", "conv", "D", type=CardType.truefalse, answer=True, disputed="ambiguous")
    assert grade_card_answer(tf, "false") is None
    assert grade_card_answer(tf._replace(disputed=None), "false").correct is False


def test_source_follows_the_erratum_for_a_graded_card(tmp_path):
    card = Card("w", "Whitening divides each dimension by?", "The square root of its eigenvalue.", "data", "D",
                type=CardType.truefalse, answer=False, erratum='The document says "by its eigenvalue".',
                source="CS231n notes, Neural Networks Part 2: Whitening")
    with Store.open(tmp_path / "h.sqlite3") as store:
        s, console = _session(store, [card], ["true", "\n", "5"])  # Enter at the typo offer shows the answer
        s.run()
        [r] = store.reviews()
    assert (r.rating, r.correct) == (2, False)  # a graded card is still capped when wrong
    out = console.file.getvalue()
    assert out.index("Erratum: The document says") < out.index("Source: CS231n notes, Neural Networks Part 2")


def test_anki_back_shows_disputed_erratum_and_source_escaped():
    card = Card("d", "Front", "Back", "conv", "D", erratum="Doc said 4.", disputed=REASON,
                source="Goodfellow et al. <ch. 8> & notes")
    back = card_note(card).back
    assert back == ("Back<br><i>Disputed: the front gives no input [bold]x[/bold] &lt;b&gt;</i>"
                    "<br><i>Erratum: Doc said 4.</i><br>Source: Goodfellow et al. &lt;ch. 8&gt; &amp; notes")
    assert card_note(card._replace(disputed=None, source=None, erratum=None)).back == "Back"


# -- check --facts -----------------------------------------------------------------------------

FACTS_DECK = """\
deck: Facts
source: tests
cards:
  - id: f-plain
    topic: conv
    front: A
    back: a
  - id: f-erratum
    topic: conv
    front: B
    back: b
    erratum: |
      The document says "[red]by the eigenvalue[/red]",
      over two lines.
    source: CS231n notes
  - id: f-both
    topic: conv
    front: C
    back: c
    erratum: Doc says 5.
    disputed: the front omits the stride
"""


def test_check_facts_lists_errata_and_disputes_with_file_line(tmp_path):
    deck = tmp_path / "facts.yaml"
    deck.write_text(FACTS_DECK)
    r = CliRunner().invoke(app, ["check", "--facts", str(deck)])
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines() == [
        f'{deck}:8: f-erratum: erratum: The document says "[red]by the eigenvalue[/red]", over two lines.',
        f"{deck}:16: f-both: erratum: Doc says 5.",
        f"{deck}:16: f-both: disputed: the front omits the stride",
        "2 cards to review: 2 with an erratum, 1 disputed (of 3 cards in 1 deck)",
    ]


def test_check_facts_on_bundled_decks_agrees_with_the_yaml(tmp_path):
    """The count line equals what a plain YAML read of cards/*.yaml finds."""
    errata = disputed = cards = 0
    for path in sorted(bundled_decks_dir().glob("*.yaml")):
        for c in yaml.safe_load(path.read_text(encoding="utf-8"))["cards"]:
            errata += bool(c.get("erratum"))
            disputed += bool(c.get("disputed"))
            cards += bool(c.get("erratum") or c.get("disputed"))
    r = CliRunner().invoke(app, ["check", "--facts"])
    assert r.exit_code == 0, r.output
    assert f"{cards} cards to review: {errata} with an erratum, {disputed} disputed" in r.stdout.splitlines()[-1]
    assert len(r.stdout.splitlines()) == errata + disputed + 1


def test_source_and_disputed_of_the_wrong_type_are_check_errors(tmp_path):
    deck = tmp_path / "bad.yaml"
    deck.write_text(textwrap.dedent("""\
        deck: Bad
        source: tests
        cards:
          - id: b1
            topic: conv
            front: A
            back: a
            source: [CS231n, notes]
          - id: b2
            topic: conv
            front: B
            back: b
            disputed: 3
          - id: b3
            topic: conv
            front: C
            back: c
            disputed: "  "
        """))
    r = _cli(tmp_path / "home", "check", str(deck))
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        f"{deck}:8: 'source' must be non-empty text",
        f"{deck}:13: 'disputed' must be non-empty text",
        f"{deck}:18: 'disputed' must be non-empty text",
    ]


# -- a user deck's answer that the solver disputes -----------------------------------------------

USER_DECK = """\
deck: Mine
source: tests
cards:
  - id: my-width
    topic: conv
    type: numeric
    front: Output width of a 3x3 convolution (stride 1, no padding) on an 18-wide input?
    back: (18 - 3) / 1 + 1
    answer: 17
    check: {fn: conv_output_size, args: {input_size: 18, kernel_size: 3}}
  - id: my-ok
    topic: conv
    type: numeric
    front: Output width of a 3x3 convolution (stride 1, no padding) on a 5-wide input?
    back: (5 - 3) / 1 + 1
    answer: 3
    check: {fn: conv_output_size, args: {input_size: 5, kernel_size: 3}}
"""


def _env(home: Path) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if k not in ("CARDCLI_DECKS", "PYTHONUNBUFFERED")}
    e.update(CARDCLI_HOME=str(home), COLUMNS="100", NO_COLOR="1", TERM="dumb", PYTHONIOENCODING="utf-8")
    return e


def _cli(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cardcli", *args], input=stdin, capture_output=True,
                          text=True, env=_env(home), timeout=60)


def test_study_warns_and_grades_against_the_solver(tmp_path):
    # (18 − 3)/1 + 1 = 16 by hand; the deck says 17
    deck = tmp_path / "mine.yaml"
    deck.write_text(USER_DECK)
    home = tmp_path / "home"
    r = _cli(home, "study", "--decks", str(deck), "--deck", "Mine", "--new", "1", stdin="16\n5\nq\n")
    assert r.returncode == 0, r.stderr
    assert r.stderr.splitlines() == [
        f"warning: {deck}:4: card 'my-width': answer 17 disagrees with the solver (16); "
        "graded against the solver's value"
    ]
    assert "✓ correct" in r.stdout and "Answer: 16" in r.stdout and "capped" not in r.stdout
    con = sqlite3.connect(str(home / "cardcli.sqlite3"))
    try:
        rows = con.execute("SELECT card_id, rating, correct FROM reviews").fetchall()
    finally:
        con.close()
    assert rows == [("my-width", 5, 1)]


def test_export_carries_the_solver_value_and_check_still_fails(tmp_path):
    deck = tmp_path / "mine.yaml"
    deck.write_text(USER_DECK)
    r = _cli(tmp_path / "home", "export", "anki", "--decks", str(deck), "--deck", "Mine", "-o", "-")
    assert r.returncode == 0, r.stderr
    assert f"{deck}:4: card 'my-width': answer 17 disagrees with the solver (16)" in r.stderr
    [line] = [x for x in r.stdout.splitlines() if "18-wide" in x]
    assert "<b>Answer:</b> 16" in line
    r = _cli(tmp_path / "home", "check", str(deck))
    assert r.returncode == 2
    assert r.stderr.splitlines() == [f"{deck}:4: card 'my-width': answer 17 disagrees with the solver (16)"]


def test_solver_value_keeps_the_keys_of_a_mapping_answer():
    from cardcli.deckparse import parse_text
    from cardcli.loader import Collection
    from cardcli.verify import adopt_solver_answers

    text = textwrap.dedent("""\
        deck: R
        source: t
        cards:
          - id: r1
            topic: rnn
            type: numeric
            front: ρ and regime for W_hh = [[2, 0], [0, 1]] with tanh?
            back: ρ = 2
            answer: {radius: 3.0, regime: exploding}
            check: {fn: rnn_gradient, args: {weight: [[2, 0], [0, 1]], activation: tanh}}
        """)
    deck, issues = parse_text(text, "r.yaml")
    assert issues == [] and deck is not None
    col = Collection(decks=[deck])
    [warning] = adopt_solver_answers(col)
    assert warning.line == 4 and "r1" in warning.message
    # eigenvalues 2 and 1 -> ρ = 2; tanh' <= 1 and 1·ρ = 2 > 1 -> exploding
    assert col.cards[0].answer == {"radius": 2.0, "regime": "exploding"}


def test_no_numpy_at_start_when_user_decks_have_no_check(tmp_path):
    plain = tmp_path / "plain.yaml"
    plain.write_text("deck: P\nsource: t\ncards:\n  - {id: p1, topic: conv, front: a, back: b}\n")
    code = ("import sys; from pathlib import Path; from cardcli.selection import load_decks; "
            f"load_decks([Path({str(plain)!r})], solver_answers=True); print('numpy' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                       env=_env(tmp_path / "home"))
    assert (r.returncode, r.stdout.strip()) == (0, "False"), r.stderr
