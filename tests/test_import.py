"""`cardcli import`: each format from fixtures written for these tests, Anki files made by the
real `anki` package, round trips through `cardcli export anki`, ids, topics and safety."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cardcli.cli import app
from cardcli.deckparse import load_file
from cardcli.importing import import_file
from cardcli.importing.build import card_id, guess_topic
from cardcli.loader import load_collection

FIX = Path(__file__).parent / "fixtures" / "import"


def _cards(path: Path, **kw):
    imported = import_file(path, **kw)
    return imported, [{k: v for k, v in c.items() if k != "id"} for c in imported.cards]


def _cli(*args: str):
    return CliRunner().invoke(app, list(args))


def _main(*args: str) -> subprocess.CompletedProcess:
    """The real entry point (its one error boundary turns usage errors into exit 2)."""
    return subprocess.run([sys.executable, "-m", "cardcli", *args], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "COLUMNS": "200"})


def _flat(text: str) -> str:
    return " ".join(text.split())


# -- formats ---------------------------------------------------------------------------------

def test_brainscape_printout_drops_rating_blocks_and_numbers():
    imported, cards = _cards(FIX / "brainscape-printout.txt")
    assert imported.format == "brainscape" and imported.name == "Week 2 Review"
    assert [(c["front"], c["back"]) for c in cards] == [
        ("What does a pooling layer reduce?", "The spatial size of the representation.\nIt has no parameters."),
        ("Max pooling keeps which value of each window? (True/False: the largest)", "The largest one."),
        ("What is the stride of a 2x2 pool in VGG?", "2"),  # the short form: number, question, answer
        ("Name two activation functions", ["ReLU", "tanh"]),  # bullets kept as a list
    ]
    assert imported.warnings == []


def test_brainscape_csv_with_quoted_fields_and_a_bad_row():
    imported, cards = _cards(FIX / "brainscape.csv")
    assert imported.format == "csv"
    assert [(c["front"], c["back"]) for c in cards] == [
        ("What is 2+2, in words?", "four"),
        ("Multi-line answer", "line one\nline two"),
    ]
    assert [(w.line, "without both") for w in imported.warnings] == [(4, "without both")]
    assert "without both a question and an answer" in imported.warnings[0].message


def test_quizlet_tabs_detected_and_a_line_without_separator_continues_the_definition():
    imported, cards = _cards(FIX / "quizlet-tab.txt")
    assert imported.format == "quizlet"
    assert [(c["front"], c["back"]) for c in cards] == [  # Quizlet writes a definition's line breaks as is
        ("ReLU", "max(0, x)"), ("Sigmoid", "1 / (1 + exp(-x))\nno separator here"),
        ("Dropout", "Randomly zeroes activations during training"),
    ]
    assert imported.warnings == []


def test_quizlet_custom_separators():
    imported, cards = _cards(FIX / "quizlet-custom.txt", term_sep=" :: ", row_sep=";")
    assert [(c["front"], c["back"]) for c in cards] == [
        ("Stride", "step of the kernel"),
        ("Padding", "zeros around the input\nadded on each side"),
        ("Dilation", "gaps between kernel taps"),
    ]


def test_quizlet_comma_uses_csv_quoting(tmp_path):
    f = tmp_path / "q.txt"
    f.write_text('ReLU,"max(0, x), elementwise"\n"Leaky, ReLU","max(0.01x, x)"\n', encoding="utf-8")
    _, cards = _cards(f, fmt="quizlet", term_sep="comma")
    assert [(c["front"], c["back"]) for c in cards] == [
        ("ReLU", "max(0, x), elementwise"), ("Leaky, ReLU", "max(0.01x, x)")]


def test_plain_qa_dump_types_lists_and_ambiguity():
    imported, cards = _cards(FIX / "qa-dump.txt")
    assert imported.format == "qa" and imported.name == "Optimisation Notes"
    assert cards[0]["front"] == "What does momentum add to SGD?"
    assert cards[0]["back"] == "A velocity term that accumulates past gradients\n- it damps oscillations"
    assert cards[1] == {"topic": "optimization", "type": "truefalse",
                        "front": "Adam combines momentum with per-parameter step sizes?", "answer": True,
                        "back": "True. It keeps running averages of the gradient and of its square."}
    assert (cards[2]["type"], cards[2]["front"], cards[2]["answer"]) == (
        "truefalse", "Dropout is used at test time.", False)
    assert cards[3]["type"] == "choice"
    assert cards[3]["options"] == ["SGD", "RMSProp", "Plain momentum"] and cards[3]["answer"] == "RMSProp"
    assert cards[4]["back"] == ["forward pass", "backward pass", "parameter update"]
    # two question lines in a row: one question, and the place is reported, not guessed silently
    assert cards[5]["front"] == "Why do we anneal the learning rate?\nIs the loss still going down?"
    assert [w.line for w in imported.warnings] == [19]
    assert "read as one question" in imported.warnings[0].message
    assert len(cards) == 6


def test_alternating_terms_with_title_and_suspicious_definition():
    imported, cards = _cards(FIX / "alternating.txt")
    assert imported.name == "Vision Terms"
    assert [c["front"] for c in cards] == [
        "Receptive field", "Feature map", "Why are conv nets translation equivariant?", "Stride"]
    assert cards[3]["back"] == "How far does the kernel move between positions?"
    assert [w.line for w in imported.warnings] == [9]


# -- Anki, made by the real anki package -----------------------------------------------------

anki_collection = pytest.importorskip("anki.collection")


def _anki_export(tmp_path: Path, notes: list[tuple[str, str, list[str], str]], with_html: bool = True) -> Path:
    folder = tmp_path / "anki"
    folder.mkdir(exist_ok=True)
    col = anki_collection.Collection(str(folder / "collection.anki2"))
    try:
        model = col.models.by_name("Basic")
        for front, back, tags, deck in notes:
            note = col.new_note(model)
            note["Front"], note["Back"] = front, back
            note.tags = tags
            col.add_note(note, col.decks.id(deck))
        out = folder / "notes.txt"
        col.export_note_csv(out_path=str(out), limit=None, with_html=with_html, with_tags=True,
                            with_deck=True, with_notetype=True, with_guid=True)
    finally:
        col.close()
    return out


def test_anki_notes_in_plain_text_with_html_quotes_tabs_and_newlines(tmp_path):
    path = _anki_export(tmp_path, [
        ('What is <b>ReLU</b>?\tA "rectifier"', "max(0, x)<br>two lines<ul><li>a</li><li>b &amp; c</li></ul>",
         ["act", "week1"], "Course::Week 1"),
        ("Is x &lt; 0 negative?", "yes<div>always</div>", [], "Course::Week 1"),
    ])
    imported, cards = _cards(path)
    assert imported.format == "anki"
    assert imported.name == "Course::Week 1"  # the deck name is kept
    assert cards[0]["front"] == 'What is ReLU? A "rectifier"'  # tab inside a quoted field, quotes
    assert cards[0]["back"] == "max(0, x)\ntwo lines\n- a\n- b & c"
    assert cards[0]["tags"] == ["act", "week1"]
    assert cards[1]["front"] == "Is x < 0 negative?" and cards[1]["back"] == "yes\nalways"


def test_anki_export_round_trips_every_flashcard(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert _cli("export", "anki", "-o", "all.txt").exit_code == 0
    result = _cli("import", "all.txt")
    assert result.exit_code == 0, result.output
    deck, issues = load_file(tmp_path / "all.yaml")
    assert issues == [] and deck is not None
    imported = {c.front: c for c in deck.cards}
    original = load_collection([], include_bundled=True).cards
    checked = 0
    for card in original:
        if card.type.value == "numeric":  # their matrices join the front as table text
            continue
        got = imported[card.front]
        assert (got.back, got.type, got.answer, got.options, got.erratum, got.source, got.disputed) == (
            card.back, card.type, card.answer, card.options, card.erratum, card.source, card.disputed), card.id
        checked += 1
    assert checked == len(original) - sum(c.type.value == "numeric" for c in original) > 200


def test_anki_without_html(tmp_path):
    path = _anki_export(tmp_path, [("Front <i>x</i>", "Back", ["t"], "Default")], with_html=False)
    imported, cards = _cards(path)
    assert (cards[0]["front"], cards[0]["back"]) == ("Front x", "Back")


# -- ids and topics -------------------------------------------------------------------------

def test_ids_are_stable_across_exports_and_collisions_get_suffixes(tmp_path):
    old = tmp_path / "v1.txt"
    old.write_text("Deck\nWhat is a stride?\nThe step.\nWhat is padding?\nZeros around.\n", encoding="utf-8")
    new = tmp_path / "v2.txt"  # one card edited, one added, the stride card unchanged (other spacing)
    new.write_text("Deck\nWhat is a  stride?\nThe step (in pixels).\nWhat is padding, exactly?\n"
                   "Zeros.\nWhat is a stride?\nAgain.\n", encoding="utf-8")
    ids1 = [c["id"] for c in import_file(old).cards]
    imported2 = import_file(new)
    ids2 = [c["id"] for c in imported2.cards]
    assert ids1[0] == ids2[0] == card_id("Deck", "What is a stride?")
    assert ids1[1] != ids2[1]
    assert ids2[2] == ids2[0] + "-2"
    assert any("the same question again" in w.message for w in imported2.warnings)
    assert ids1[0].startswith("deck-what-is-a-stride-")


def test_topic_guess_and_fallback(tmp_path):
    assert guess_topic("What does max pooling do?", "takes the max") == "pooling"
    assert guess_topic("Why use Adam?", "adaptive learning rate") == "optimization"
    assert guess_topic("Capital of France?", "Paris") is None
    f = tmp_path / "t.txt"
    f.write_text("What does max pooling do?\nKeeps the max.\nCapital of France?\nParis.\n", encoding="utf-8")
    imported = import_file(f)
    assert [c["topic"] for c in imported.cards] == ["pooling", "misc"]
    assert (imported.guessed, imported.fallback) == (1, 1)
    forced = import_file(f, topic="course")
    assert {c["topic"] for c in forced.cards} == {"course"}


# -- the command: writing safely --------------------------------------------------------------

def test_written_deck_passes_check_and_loads(tmp_path):
    out = tmp_path / "opt.yaml"
    result = _cli("import", str(FIX / "qa-dump.txt"), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "6 cards (2 true/false, 1 choice, 3 basic)" in _flat(result.output)
    check = _cli("check", str(out))
    assert check.exit_code == 0 and "ok: 6 cards in 1 decks" in check.output


def test_never_overwrites_without_force_and_dry_run_writes_nothing(tmp_path):
    out = tmp_path / "d.yaml"
    out.write_text("mine", encoding="utf-8")
    result = _cli("import", str(FIX / "alternating.txt"), "-o", str(out))
    assert result.exit_code == 2 and "exists; use --force" in result.output
    assert out.read_text(encoding="utf-8") == "mine"
    dry = _cli("import", str(FIX / "alternating.txt"), "-o", str(tmp_path / "new.yaml"), "--dry-run")
    assert dry.exit_code == 0 and "Receptive field" in dry.output and "dry run, not written" in _flat(dry.output)
    assert not (tmp_path / "new.yaml").exists()
    forced = _cli("import", str(FIX / "alternating.txt"), "-o", str(out), "--force")
    assert forced.exit_code == 0 and out.read_text(encoding="utf-8").startswith("deck: Vision Terms")


def test_symlink_target_is_never_replaced(tmp_path):
    victim = tmp_path / "victim.yaml"
    victim.write_text("keep", encoding="utf-8")
    link = tmp_path / "link.yaml"
    os.symlink(victim, link)
    result = _cli("import", str(FIX / "alternating.txt"), "-o", str(link), "--force")
    assert result.exit_code == 2 and "symbolic link" in result.output
    assert link.is_symlink() and victim.read_text(encoding="utf-8") == "keep"


@pytest.mark.parametrize("name, message", [
    ("latin1.txt", "not UTF-8 (byte 0xe9 at offset 3)"),
    ("binary.bin", "a binary file"),
    ("empty.txt", "empty file"),
])
def test_unreadable_inputs_are_one_line_errors(tmp_path, name, message):
    shutil.copy(FIX / name, tmp_path / name)
    result = _cli("import", str(tmp_path / name), "-o", str(tmp_path / "out.yaml"))
    assert result.exit_code == 2
    lines = [x for x in result.output.splitlines() if x.strip()]
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.output
    assert not (tmp_path / "out.yaml").exists()


def test_bad_options_are_usage_errors(tmp_path):
    r = _main("import", str(FIX / "qa-dump.txt"), "--topic", "convv")
    assert r.returncode == 2 and "did you mean 'conv'?" in r.stderr
    assert _main("import", str(FIX / "qa-dump.txt"), "--format", "pdf").returncode == 2
    r = _main("import", str(FIX / "qa-dump.txt"), str(FIX / "alternating.txt"), "-o", str(tmp_path / "x.yaml"))
    assert r.returncode == 2 and "give a folder instead" in r.stderr
    assert not (tmp_path / "x.yaml").exists()


def test_control_characters_never_reach_the_deck(tmp_path):
    f = tmp_path / "evil.txt"
    f.write_text("What is \x1b]52;c;aGk=\x07this?\nAn \x1b[2Janswer\x9b.\n", encoding="utf-8")
    imported = import_file(f)
    assert "\x1b" not in imported.yaml and "\x9b" not in imported.yaml and "\x07" not in imported.yaml
    assert imported.cards[0]["front"] == "What is ]52;c;aGk=this?"


def test_anki_text_with_a_quote_as_separator_is_split_on_it():
    # Python 3.13's csv refuses delimiter == quotechar; a quote separator means no quoting at all
    from cardcli.importing import anki

    parsed = anki.parse('#separator:"\n#html:false\nWhat is 2+2?"four\nA "B"?"yes\n', "q.txt")
    # every quote splits: the second note has four fields, the first is the front, the rest the back
    assert [(p.front, p.back, p.line) for p in parsed.pairs] == [("What is 2+2?", "four", 3), ("A", "B\n?\nyes", 4)]
    assert parsed.warnings == []
