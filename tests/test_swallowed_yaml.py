"""A plain (unquoted) YAML text continues over more-indented lines, so a list item or a key written
one level too deep silently becomes part of the text (the slip issue 24 found in a deck: a card's
last answer bullet folded into its ``source``). The deck parser reports it with the swallowed line;
``cardcli check`` fails on it; every other command warns and still loads the card."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cardcli.deckparse import parse_text

SLIP = """\
deck: Slips
source: doc.txt
cards:
  - id: s-one
    topic: rnn
    front: Why sum the gradients of a shared W?
    back:
      - "one copy of W per time step"
      - "all copies are the same parameter"
    source: Goodfellow et al. §10.2.2
      - "the last bullet, one level too deep"
"""


def issues(text: str) -> list[tuple[int, str]]:
    _, found = parse_text(textwrap.dedent(text), "deck.yaml")
    return [(i.line, i.message) for i in found]


def test_a_list_item_folded_into_source_is_reported_at_its_line():
    deck, found = parse_text(SLIP, "deck.yaml")
    assert [(i.line, i.message.split(" (")[0]) for i in found] == [(11, "'source' swallowed a list item")]
    assert deck is not None and deck.cards[0].source == (
        'Goodfellow et al. §10.2.2 - "the last bullet, one level too deep"')  # what YAML made of it


@pytest.mark.parametrize("field,slip,what", [
    ("front", "front: What is\n      - 'a list?'", "a list item"),
    ("options", "options:\n      - one\n        - 'two'", "a list item"),
    ("erratum", "erratum: The document says\n      - \"x\"", "a list item"),
    ("back", "back:\n      - item one\n        - \"nested slip\"", "a list item"),
])
def test_every_prose_field_is_checked(field, slip, what):
    text = """\
    deck: D
    source: s
    cards:
      - id: c
        topic: conv
        front: q
        back: a
    """
    text = textwrap.dedent(text).replace(f"    {field}: " + ("q" if field == "front" else "a"), "    " + slip) \
        if field in ("front", "back") else textwrap.dedent(text) + "    " + slip + "\n"
    found = [m for _, m in issues(text) if "swallowed" in m]
    assert len(found) == 1 and f"'{field}' swallowed {what}" in found[0], found


@pytest.mark.parametrize("fine", [
    'source: "quoted text\n      - stays text on purpose"',
    "source: >\n      folded block\n      - with a dash line",
    "source: a long plain text that simply\n      continues on the next line",
    "source: text with - a dash inside a line",
    # a YAML writer wrapping a long text may start a continuation with "- which…": not a slip
    "source: How peaky these probabilities are depends on the strength λ\n      - which you set",
])

def test_quoted_block_and_ordinary_continuations_are_fine(fine):
    text = "deck: D\nsource: s\ncards:\n  - id: c\n    topic: conv\n    front: q\n    back: a\n    " + fine + "\n"
    assert issues(text) == []


def test_check_fails_with_file_and_line(tmp_path: Path):
    deck = tmp_path / "slips.yaml"
    deck.write_text(SLIP, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "cardcli", "check", str(deck)], capture_output=True, text=True,
                            env={**os.environ, "COLUMNS": "300", "NO_COLOR": "1"}, timeout=120)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert f"{deck}:11: 'source' swallowed a list item" in result.stderr


def test_the_bundled_decks_have_no_slip():
    from cardcli.loader import load_collection

    col = load_collection([], include_bundled=True, use_cache=False)
    assert [str(i) for i in col.issues if "swallowed" in str(i)] == []
    card = {c.id: c for c in col.cards}["mt2-rnn-cell-graph"]
    assert card.source is not None and " - " not in card.source
    assert "reverse graph" in card.back[-1]


def test_an_unquoted_item_at_the_column_of_the_cards_bullets_is_a_slip():
    text = ("deck: D\nsource: s\ncards:\n  - id: c\n    topic: conv\n    front: q\n    back:\n      - a\n"
            "      - b\n    source: S\n      - unquoted, at the bullets' column\n")
    assert [(line, m.split(" (")[0]) for line, m in issues(text)] == [(11, "'source' swallowed a list item")]
