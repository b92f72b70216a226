"""Deck validation: each error class reported as file:line, all at once, never a traceback."""

from __future__ import annotations

import textwrap

from cardcli.deckparse import load_file, parse_text
from cardcli.errors import DeckIssue
from cardcli.loader import load_collection

GOOD = """\
deck: Good deck
source: doc.txt
cards:
  - id: g-one
    topic: conv
    front: What does a conv layer compute?
    back: A cross-correlation.
  - id: g-two
    topic: backprop
    type: truefalse
    front: Gradients from several paths are summed.
    answer: true
    back: Yes, by the multivariate chain rule.
  - id: g-three
    topic: pooling
    type: choice
    front: Which pooling keeps the largest value?
    options: [max, average]
    answer: max
    back: Max pooling.
"""


def issues_of(text: str) -> list[tuple[int, str]]:
    _, issues = parse_text(textwrap.dedent(text), "deck.yaml")
    assert all(i.file == "deck.yaml" for i in issues)
    return [(i.line, i.message) for i in issues]


def test_good_deck_loads_every_field():
    deck, issues = parse_text(GOOD, "good.yaml")
    assert issues == []
    assert deck is not None and deck.name == "Good deck" and deck.source == "doc.txt"
    one, two, three = deck.cards
    assert (one.id, one.topic, one.type.value, one.line) == ("g-one", "conv", "basic", 4)
    assert two.answer is True and two.type.value == "truefalse"
    assert three.options == ("max", "average") and three.answer == "max"


def test_list_back_stays_a_list():
    deck, issues = parse_text(GOOD.replace("back: A cross-correlation.", "back: [a, b]"), "x.yaml")
    assert issues == [] and deck.cards[0].back == ["a", "b"]


def test_yaml_syntax_error_has_line():
    text = "deck: X\nsource: y\ncards:\n  - id: a\n    front: [unclosed\n    back: b\n"
    issues = issues_of(text)
    assert len(issues) == 1
    line, message = issues[0]
    assert message.startswith("YAML syntax error") and line in (5, 6, 7)


def test_wrong_top_level_shape():
    assert issues_of("- just\n- a list\n") == [
        (1, "top level must be a mapping with 'deck', 'source' and 'cards'")
    ]


def test_missing_front_back_id_each_reported_at_card_line():
    issues = issues_of("""\
        deck: X
        source: y
        cards:
          - topic: conv
            back: b
          - id: b
            topic: conv
            front: f
        """)
    assert (4, "card is missing 'id'") in issues
    assert (4, "card is missing 'front'") in issues
    assert (6, "card is missing 'back'") in issues


def test_unknown_key_with_did_you_mean():
    issues = issues_of("""\
        deck: X
        source: y
        cards:
          - id: a
            topic: conv
            front: f
            bakc: b
        """)
    assert (7, "unknown card key 'bakc' (did you mean 'back'?)") in issues


def test_unknown_top_level_key_with_hint():
    issues = issues_of("deck: X\nsoruce: y\ncards:\n  - {id: a, topic: conv, front: f, back: b}\n")
    assert issues == [(2, "unknown top-level key 'soruce' (did you mean 'source'?)")]


def test_wrong_type():
    issues = issues_of("""\
        deck: X
        source: y
        cards:
          - id: a
            topic: conv
            type: truefals
            front: f
            back: b
        """)
    assert len(issues) == 1 and issues[0][0] == 6
    assert "unknown card type 'truefals' (did you mean 'truefalse'?)" in issues[0][1]


def test_truefalse_without_boolean():
    issues = issues_of("""\
        deck: X
        source: y
        cards:
          - id: a
            topic: conv
            type: truefalse
            front: f
            answer: "yes"
            back: b
        """)
    assert issues == [(8, "a truefalse card needs 'answer: true' or 'answer: false'")]


def test_choice_answer_not_among_options():
    issues = issues_of("""\
        deck: X
        source: y
        cards:
          - id: a
            topic: conv
            type: choice
            front: f
            options: [one, two]
            answer: three
            back: b
        """)
    assert issues == [(9, "choice answer 'three' is not one of the options")]


def test_unknown_topic_with_hint():
    issues = issues_of("deck: X\nsource: y\ncards:\n  - id: a\n    topic: pooling2\n    front: f\n    back: b\n")
    assert issues == [(5, "unknown topic 'pooling2' (did you mean 'pooling'?)")]


def test_all_problems_reported_at_once():
    issues = issues_of("""\
        deck: X
        source: y
        cards:
          - id: a
            topic: nope
            front: f
            back: b
          - id: b
            topic: conv
            front: f
            back: b
            extra: 1
          - id: c
            type: truefalse
            topic: conv
            front: f
            back: b
        """)
    assert [line for line, _ in issues] == [5, 12, 13]


def test_unsafe_python_tag_is_an_error_and_never_runs(tmp_path):
    marker = tmp_path / "pwned"
    text = f"""\
deck: X
source: y
cards:
  - id: a
    topic: conv
    front: !!python/object/apply:os.system ["touch {marker}"]
    back: b
"""
    _, issues = parse_text(text, "evil.yaml")
    assert not marker.exists()
    assert len(issues) == 1 and issues[0].line == 6
    assert "unsafe or unknown YAML tag" in issues[0].message


def test_unsafe_tag_at_top_level(tmp_path):
    marker = tmp_path / "pwned2"
    _, issues = parse_text(f'!!python/object/apply:os.system ["touch {marker}"]\n', "evil.yaml")
    assert not marker.exists() and issues and issues[0].line == 1


def test_empty_file(tmp_path):
    p = tmp_path / "empty.yaml"
    p.write_text("\n  \n")
    deck, issues = load_file(p)
    assert deck is None
    assert issues == [DeckIssue(str(p), 1, "empty file: expected a mapping with 'deck', 'source' and 'cards'")]


def test_comment_only_file_is_empty(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("# nothing here\n")
    _, issues = load_file(p)
    assert issues and issues[0].message.startswith("empty file")


def test_non_utf8_bytes_reports_line(tmp_path):
    p = tmp_path / "latin1.yaml"
    p.write_bytes(b"deck: X\nsource: y\ncards:\n  - id: a\n    front: caf\xe9\n")
    deck, issues = load_file(p)
    assert deck is None and len(issues) == 1
    assert issues[0].line == 5 and "not UTF-8" in issues[0].message and "0xe9" in issues[0].message


def test_duplicate_ids_name_both_places(tmp_path):
    a = tmp_path / "a.yaml"
    b = tmp_path / "b.yaml"
    a.write_text("deck: A\nsource: s\ncards:\n  - {id: dup, topic: conv, front: f, back: b}\n")
    b.write_text("deck: B\nsource: s\ncards:\n  - {id: other, topic: conv, front: f, back: b}\n"
                 "  - {id: dup, topic: conv, front: f, back: b}\n")
    col = load_collection([a, b], include_bundled=False)
    assert [str(i) for i in col.issues] == [f"{b}:5: duplicate card id 'dup' (first defined at {a}:4)"]
    assert [c.id for c in col.cards] == ["dup", "other"]  # the first one wins; nothing else lost


def test_broken_user_deck_does_not_stop_the_others(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    bad = tmp_path / "bad.yaml"
    bad.write_text("deck: [\n")
    col = load_collection([tmp_path], include_bundled=False)
    assert [d.name for d in col.decks] == ["Good deck"]
    assert len(col.issues) == 1 and col.issues[0].file == str(bad)


def test_missing_path_is_reported(tmp_path):
    col = load_collection([tmp_path / "nope.yaml"], include_bundled=False)
    assert col.issues[0].message == "no such deck file or folder"


def test_select_by_deck_name_file_stem_and_topic(tmp_path):
    p = tmp_path / "good.yaml"
    p.write_text(GOOD)
    col = load_collection([p], include_bundled=False)
    assert len(col.select(decks=["good deck"])) == 3
    assert len(col.select(decks=["good"])) == 3
    assert [c.id for c in col.select(topics=["pooling"])] == ["g-three"]
    assert col.select(decks=["other"]) == []


def test_numeric_card_needs_answer_and_check():
    issues = issues_of("""\
        deck: X
        source: y
        cards:
          - id: a
            topic: params
            type: numeric
            front: f
            back: b
        """)
    assert (4, "a numeric card needs an 'answer'") in issues
    assert any("needs 'check" in m for _, m in issues)
