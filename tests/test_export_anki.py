"""`cardcli export anki`, proven by importing the file into a real Anki collection.

The `anki` package (the Anki desktop backend) reads the file exactly as File > Import does:
``get_csv_metadata`` parses the headers, ``import_csv`` imports with them unchanged.
Expected fields are written out by hand from the deck text below.
"""

from __future__ import annotations

import collections
import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cardcli.cli import app
from cardcli.loader import load_collection

anki_collection = pytest.importorskip("anki.collection")

ROOT = Path(__file__).resolve().parent.parent

DECK = r'''
deck: Quiz 3 CNN
source: test
cards:
  - id: q3-tricky
    topic: conv
    tags: [edge case, relu]
    front: "# of params if x < 0 & y > 0?\tcolumns \"quoted\""
    back: "first line\nsecond <b>not bold</b> & done"
  - id: q3-list
    topic: activations
    front: '"Sigmoid" has 3 problems; name them'
    back:
      - saturated neurons kill gradients
      - outputs not zero-centered
  - id: q3-matrix
    topic: pooling
    front: Max-pool the input with a 2x2 window, stride 2.
    back: Take the largest value of each window.
    matrices:
      input: [[1, 2], [3, 4.5]]
  - id: q3-tf
    type: truefalse
    topic: rnn
    front: LSTMs remove the vanishing gradient problem entirely.
    answer: false
    back: They reduce it through the additive cell path.
  - id: q3-choice
    type: choice
    topic: optimization
    front: Which optimiser keeps a running mean of squared gradients?
    options: [SGD, RMSProp, "Nesterov"]
    answer: RMSProp
    back: RMSProp divides by the root of that mean.
  - id: q3-numeric
    type: numeric
    topic: params
    front: Parameters of a 5x5 conv on RGB with one filter?
    answer: 76
    back: 5*5*3 + 1 = 76
    check: {fn: conv_params, args: {in_channels: 3, out_channels: 1, kernel_size: 5, bias: true}}
    erratum: The source says 75 (it forgot the bias).
  - id: q3-numeric-matrix
    type: numeric
    topic: conv
    front: Output of the 1x1 identity conv?
    answer: [[1, 0], [0, 1]]
    back: The input unchanged.
    check: {fn: conv2d_forward, args: {}}
'''

OTHER = """
deck: Other Deck
source: test
cards:
  - id: other-one
    topic: transfer-learning  # a topic without generated problems (loss has softmax-loss, svm-loss)
    front: Softmax loss at initialisation with N classes?
    back: -log(1/N)
"""

# Expected fields, written by hand from DECK (deck, front, back, tags).
EXPECTED = {
    "q3-tricky": (
        "cardcli::Quiz 3 CNN",
        '# of params if x &lt; 0 &amp; y &gt; 0?\tcolumns "quoted"',
        "first line<br>second &lt;b&gt;not bold&lt;/b&gt; &amp; done",
        {"cardcli", "conv", "edge_case", "relu"},
    ),
    "q3-list": (
        "cardcli::Quiz 3 CNN",
        '"Sigmoid" has 3 problems; name them',
        "<ul><li>saturated neurons kill gradients</li><li>outputs not zero-centered</li></ul>",
        {"cardcli", "activations"},
    ),
    "q3-matrix": (
        "cardcli::Quiz 3 CNN",
        "Max-pool the input with a 2x2 window, stride 2.<br>"
        '<table border="1" style="border-collapse: collapse"><caption>input</caption>'
        "<tr><th></th><th>0</th><th>1</th></tr>"
        "<tr><th>0</th><td>1</td><td>2</td></tr><tr><th>1</th><td>3</td><td>4.5</td></tr></table>",
        "Take the largest value of each window.",
        {"cardcli", "pooling"},
    ),
    "q3-tf": (
        "cardcli::Quiz 3 CNN",
        "LSTMs remove the vanishing gradient problem entirely. (True/False)",
        "<b>False</b><br>They reduce it through the additive cell path.",
        {"cardcli", "rnn"},
    ),
    "q3-choice": (
        "cardcli::Quiz 3 CNN",
        "Which optimiser keeps a running mean of squared gradients?<br>"
        "<ol><li>SGD</li><li>RMSProp</li><li>Nesterov</li></ol>",
        "<b>2. RMSProp</b><br>RMSProp divides by the root of that mean.",
        {"cardcli", "optimization"},
    ),
    "q3-numeric": (
        "cardcli::Quiz 3 CNN",
        "Parameters of a 5x5 conv on RGB with one filter?",
        "5*5*3 + 1 = 76<br><b>Answer:</b> 76<br><i>Erratum: The source says 75 (it forgot the bias).</i>",
        {"cardcli", "params"},
    ),
    "q3-numeric-matrix": (
        "cardcli::Quiz 3 CNN",
        "Output of the 1x1 identity conv?",
        "The input unchanged.<br><b>Answer:</b> "
        '<table border="1" style="border-collapse: collapse">'
        "<tr><th></th><th>0</th><th>1</th></tr>"
        "<tr><th>0</th><td>1</td><td>0</td></tr><tr><th>1</th><td>0</td><td>1</td></tr></table>",
        {"cardcli", "conv"},
    ),
    "other-one": (
        "cardcli::Other Deck",
        "Softmax loss at initialisation with N classes?",
        "&#45;log(1/N)",  # Anki shows '-log(1/N)'; a spreadsheet opening the file sees no formula
        {"cardcli", "transfer-learning"},
    ),
}


# -- helpers --------------------------------------------------------------------------------


@pytest.fixture
def decks(tmp_path: Path) -> Path:
    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "quiz3.yaml").write_text(DECK, encoding="utf-8")
    (folder / "other.yaml").write_text(OTHER, encoding="utf-8")
    return folder


@pytest.fixture
def col(tmp_path: Path):
    """A fresh, empty Anki collection (it has the stock "Basic" note type)."""
    (tmp_path / "anki").mkdir()
    c = anki_collection.Collection(str(tmp_path / "anki" / "collection.anki2"))
    yield c
    c.close()


def import_file(col, path: Path):
    """What Anki's File > Import does with a text file whose headers set everything."""
    from anki.import_export_pb2 import ImportCsvRequest

    metadata = col.get_csv_metadata(str(path), None)
    return col.import_csv(ImportCsvRequest(path=str(path), metadata=metadata)).log


def notes_by_front(col) -> dict[str, tuple[str, str, str, set[str]]]:
    """front -> (deck, front, back, tags) for every note in the collection."""
    result = {}
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        decks = {col.decks.name(card.did) for card in note.cards()}
        assert len(decks) == 1
        result[note["Front"]] = (decks.pop(), note["Front"], note["Back"], set(note.tags))
    return result


def export(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "cardcli", "export", "anki", *args], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=120)


# -- the file itself ------------------------------------------------------------------------


def test_file_layout_is_anki_exporter_layout(decks, tmp_path):
    r = export(["--decks", str(decks), "--deck", "Other Deck", "-o", "out.txt"], tmp_path)
    assert r.returncode == 0, r.stderr
    text = (tmp_path / "out.txt").read_bytes().decode("utf-8")
    lines = text.split("\n")
    assert lines[:6] == ["#separator:tab", "#html:true", "#guid column:1", "#notetype column:2",
                         "#deck column:3", "#tags column:6"]
    assert lines[6].startswith("#written by cardcli export anki")  # the signature: a comment to Anki
    assert lines[-1] == "" and len(lines) == 9  # one note, newline-terminated
    cols = lines[7].split("\t")
    assert cols[1:] == ["Basic", "cardcli::Other Deck", "Softmax loss at initialisation with N classes?",
                        "&#45;log(1/N)", "cardcli transfer-learning"]  # a leading '-' would be a formula
    assert cols[0].isalnum() and len(cols[0]) >= 8
    assert "wrote 1 notes (1 cards) to" in r.stderr and "out.txt" in r.stderr


def test_tricky_field_is_quoted_with_doubled_quotes(decks, tmp_path):
    r = export(["--decks", str(decks), "--deck", "quiz3", "--topic", "conv", "-o", "-"], tmp_path)
    assert r.returncode == 0, r.stderr
    row = next(line for line in r.stdout.splitlines() if "params if x" in line)
    assert '\t"# of params if x &lt; 0 &amp; y &gt; 0?\tcolumns ""quoted"""\t' in row


# -- importing into Anki --------------------------------------------------------------------


def test_import_every_card_with_deck_fields_and_tags(decks, tmp_path, col):
    r = export(["--decks", str(decks), "--deck", "Quiz 3 CNN", "--deck", "other", "-o", "export.txt"], tmp_path)
    assert r.returncode == 0, r.stderr
    log = import_file(col, tmp_path / "export.txt")
    assert len(log.new) == len(EXPECTED)
    assert not (log.missing_notetype or log.missing_deck or log.conflicting or log.empty_first_field)
    got = notes_by_front(col)
    assert got == {front: (deck, front, back, tags) for deck, front, back, tags in EXPECTED.values()}


def test_second_import_adds_nothing_and_update_changes_the_note(decks, tmp_path, col):
    out = tmp_path / "export.txt"
    assert export(["--decks", str(decks), "--deck", "quiz3", "-o", str(out)], tmp_path).returncode == 0
    first = import_file(col, out)
    assert len(first.new) == 7
    again = import_file(col, out)
    assert len(again.new) == 0 and len(again.updated) == 0
    assert col.note_count() == 7

    # same card ids, one front and back changed, one card added: the changed note is updated in place
    changed = DECK.replace("back: They reduce it through the additive cell path.",
                           "back: They only ease it (additive cell path).")
    changed = changed.replace("problem entirely.", "problem completely.")
    changed += "  - id: q3-added\n    topic: conv\n    front: New?\n    back: Yes.\n"
    (decks / "quiz3.yaml").write_text(changed, encoding="utf-8")
    assert export(["--decks", str(decks), "--deck", "quiz3", "-o", str(out)], tmp_path).returncode == 0
    third = import_file(col, out)
    assert (len(third.new), len(third.updated)) == (1, 1)
    assert col.note_count() == 8
    got = notes_by_front(col)
    assert EXPECTED["q3-tf"][1] not in got
    assert got["LSTMs remove the vanishing gradient problem completely. (True/False)"][2] == (
        "<b>False</b><br>They only ease it (additive cell path).")
    assert got["New?"][2] == "Yes."


def test_all_bundled_decks_import(tmp_path, col):
    bundled = load_collection()
    r = export([], tmp_path)
    assert r.returncode == 0, r.stderr
    out = tmp_path / "cardcli-all.txt"
    assert out.is_file(), r.stderr
    log = import_file(col, out)
    assert len(log.new) == len(bundled.cards) == col.note_count()
    assert not (log.missing_notetype or log.missing_deck or log.conflicting or log.duplicate)
    per_deck = collections.Counter(col.decks.name(col.get_card(cid).did) for cid in col.find_cards(""))
    assert per_deck == collections.Counter(f"cardcli::{c.deck}" for c in bundled.cards)
    fronts = [col.get_note(nid)["Front"] for nid in col.find_notes("")]
    for card in bundled.cards:  # every card's question text arrives, HTML-escaped
        text = html.escape(card.front, quote=False).replace("\n", "<br>")
        assert any(f.startswith(text) for f in fronts), card.id
    tags = collections.Counter(t for nid in col.find_notes("") for t in col.get_note(nid).tags)
    for topic, n in collections.Counter(c.topic for c in bundled.cards).items():
        assert tags[topic] >= n
    assert len(import_file(col, out).new) == 0


# -- the command ----------------------------------------------------------------------------


def test_stdout_via_clirunner_matches_file(decks, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["export", "anki", "--decks", str(decks), "--deck", "quiz3", "-o", "-"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("#separator:tab\n")
    assert sum(1 for line in result.stdout.splitlines() if not line.startswith("#")) == 7
    assert list(tmp_path.glob("cardcli-*.txt")) == []
    r = export(["--decks", str(decks), "--deck", "quiz3"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "cardcli-quiz3.txt").read_text(encoding="utf-8") == result.stdout


def test_default_name_follows_selection_and_overwrites_earlier_export(decks, tmp_path):
    for _ in range(2):
        r = export(["--decks", str(decks), "--deck", "Quiz 3 CNN", "--topic", "conv"], tmp_path)
        assert r.returncode == 0, r.stderr
    out = tmp_path / "cardcli-quiz-3-cnn-conv.txt"
    assert out.is_file()
    assert len(out.read_text(encoding="utf-8").splitlines()) == 7 + 2  # q3-tricky, q3-numeric-matrix
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file left


def test_refuses_to_clobber_a_file_that_is_not_an_export(decks, tmp_path):
    precious = tmp_path / "notes.txt"
    precious.write_text("my notes\n", encoding="utf-8")
    r = export(["--decks", str(decks), "-o", str(precious)], tmp_path)
    assert r.returncode == 2
    assert "not an export cardcli wrote" in r.stderr
    assert precious.read_text(encoding="utf-8") == "my notes\n"


def test_unknown_deck_and_topic_name_valid_values(decks, tmp_path):
    r = export(["--decks", str(decks), "--deck", "quizz3", "--topic", "convolution"], tmp_path)
    assert r.returncode == 2
    assert "unknown deck 'quizz3'" in r.stderr and "Quiz 3 CNN" in r.stderr and "Other Deck" in r.stderr
    assert "unknown topic 'convolution'" in r.stderr and "pooling" in r.stderr
    assert "Traceback" not in r.stderr
    assert list(tmp_path.glob("cardcli-*.txt")) == []


def test_empty_selection_is_an_error(decks, tmp_path):
    r = export(["--decks", str(decks), "--deck", "other", "--topic", "conv"], tmp_path)
    assert r.returncode == 2 and "nothing to export" in r.stderr


# -- generated problems ---------------------------------------------------------------------


def _table(rows, caption: str = "") -> str:
    """A bordered table with 0-based row/column index headers (integer cells)."""
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    head = "<tr><th></th>" + "".join(f"<th>{c}</th>" for c in range(len(rows[0]))) + "</tr>"
    body = "".join(f"<tr><th>{r}</th>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>" for r, row in enumerate(rows))
    return '<table border="1" style="border-collapse: collapse">' + cap + head + body + "</table>"


def test_generated_problems_import_with_answer_solution_and_tags(decks, tmp_path, col):
    import generators.families as families
    args = ["--decks", str(decks), "--deck", "other", "--topic", "transfer-learning", "--topic", "pool-backward",
            "--generated", "3", "--seed", "7"]
    r = export([*args, "-o", "gen.txt"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert "wrote 4 notes (1 cards and 3 generated problems)" in r.stderr
    log = import_file(col, tmp_path / "gen.txt")
    assert len(log.new) == 4
    notes = {f: v for f, v in notes_by_front(col).items() if v[0] != "cardcli::Other Deck"}
    problems = families.generate("pool-backward", 3, 7, difficulty=1)
    assert len(notes) == 3
    for p in problems:  # front: stem, then each given matrix as a table; all values integers here
        # the typing hint's examples change with the answer (never equal to it): drop the sentence
        stem = re.sub(r" Give 4 significant figures \(e\.g\. [0-9.]+\) or a fraction like [0-9/]+ "
                      r"\(relative tolerance 1e-3\)\.", "", p.stem)
        front = "<br>".join([html.escape(stem, quote=False).replace("\n", "<br>"),
                             *(_table(rows, caption) for caption, rows in p.matrices.items())])
        assert front in notes, (front, list(notes))
        deck, _, back, tags = notes[front]
        assert deck == "cardcli::Generated::pool-backward"
        assert tags == {"cardcli", "generated", "pool-backward", "pooling", "backprop"}
        solution = html.escape(p.solution, quote=False).replace("\n", "<br>")
        assert back == f'<b>Answer:</b> {_table(p.answer)}<pre style="white-space: pre-wrap">{solution}</pre>'

    # the same seed again: same notes, nothing added; another seed: three new notes
    r2 = export([*args, "-o", "gen2.txt"], tmp_path)
    assert (tmp_path / "gen2.txt").read_bytes() == (tmp_path / "gen.txt").read_bytes()
    assert len(import_file(col, tmp_path / "gen2.txt").new) == 0
    r3 = export([*args[:-1], "8", "-o", "gen3.txt"], tmp_path)
    assert r2.returncode == r3.returncode == 0
    assert len(import_file(col, tmp_path / "gen3.txt").new) == 3


def test_every_family_imports(decks, tmp_path, col):
    import generators.families as families
    r = export(["--decks", str(decks), "--deck", "other", "--generated", "1", "-o", "fam.txt"], tmp_path)
    assert r.returncode == 0, r.stderr
    log = import_file(col, tmp_path / "fam.txt")
    assert not (log.missing_notetype or log.missing_deck or log.conflicting or log.empty_first_field)
    names = families.resolve([])
    assert len(log.new) == 1 + len(names)
    decks_seen = {col.decks.name(col.get_card(cid).did) for cid in col.find_cards("")}
    assert decks_seen == {"cardcli::Other Deck"} | {f"cardcli::Generated::{n}" for n in names}
    for nid in col.find_notes("tag:generated"):
        note = col.get_note(nid)
        assert note["Back"].startswith("<b>Answer:</b> ") and "<pre" in note["Back"]


# -- any text survives the round trip -------------------------------------------------------

_CHARS = list("ab xyz019#<>&\"'\t\n;,|:éλ×−") + ["\u00a0", "\u3000", "→"]
_TEXT = st.text(alphabet=st.sampled_from(_CHARS), min_size=1, max_size=40).filter(lambda s: s.strip())
_TAG = st.text(alphabet=st.sampled_from([c for c in _CHARS if c != ":"]), min_size=1, max_size=20).filter(
    lambda s: s.strip())  # ':' is Anki's hierarchy mark: see test_tag_words


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(front=_TEXT, back=st.one_of(_TEXT, st.lists(_TEXT, min_size=1, max_size=3)), tag=_TAG)
def test_any_text_round_trips_through_anki(tmp_path_factory, front, back, tag):
    from cardcli.export_anki import card_note, render
    from cardcli.model import Card

    card = Card(id="prop-card", front=front, back=back, topic="conv", deck="Prop", tags=(tag,))
    folder = tmp_path_factory.mktemp("prop")
    path = folder / "export.txt"
    path.write_bytes(render([card_note(card)]).encode("utf-8"))
    c = anki_collection.Collection(str(folder / "collection.anki2"))
    try:
        log = import_file(c, path)
        assert len(log.new) == 1
        note = c.get_note(c.find_notes("")[0])
        esc = lambda s: html.escape(s, quote=False).replace("\n", "<br>")  # noqa: E731
        assert html.unescape(note["Front"]) == html.unescape(esc(front))  # the same text shown
        expected_back = (esc(back) if isinstance(back, str)
                         else "<ul>" + "".join(f"<li>{esc(b)}</li>" for b in back) + "</ul>")
        assert html.unescape(note["Back"]) == html.unescape(expected_back)
        assert not note["Front"].startswith(tuple("=+-@")) and not note["Back"].startswith(tuple("=+-@"))
        lookalike = str.maketrans({"<": "\uff1c", ">": "\uff1e", "&": "\uff06", '"': "\uff02", "'": "\uff07"})
        assert set(note.tags) == {"cardcli", "conv", "_".join(tag.translate(lookalike).split())}
        assert col_deck(c, note) == "cardcli::Prop"
    finally:
        c.close()


def col_deck(c, note) -> str:
    return c.decks.name(note.cards()[0].did)


def test_tag_words():
    from cardcli.export_anki import tag_word

    assert tag_word("edge case") == "edge_case"
    assert tag_word("  a \t b\u3000c ") == "a_b_c"
    assert tag_word("course::quiz 3") == "course::quiz_3"
    assert tag_word("a:::b") == "a::b"  # Anki would store 'a::blank::b'
    assert tag_word("::a::") == "a"
    assert tag_word("a:b") == "a:b"
    assert tag_word("::") == ""


# -- clean fields for generated problems ------------------------------------------------------


def test_generated_fronts_have_no_typing_instructions():
    """The terminal's typing hints (tolerances, accepted forms, 'type e.g.') never reach Anki;
    the question itself (e.g. which cell to give, the unit to answer in) stays."""
    import generators.families as families
    from cardcli.export_anki import problem_note

    hints = ("accepted", "tolerance", "type e.g", "significant figures", "fractions like")
    for name in families.resolve([]):
        for d in (1, 2, 3):
            for p in families.generate(name, 4, 11, d):
                front = problem_note(p).front.lower()
                assert not [h for h in hints if h in front], (name, d, front)
                if "cell" in p.params:  # which cell to give is part of the question
                    r, c = p.params["cell"]
                    assert f"[{r}, {c}] (row {r}, column {c}, counting from 0)" in front
    p = families.generate("activation-memory", 1, 3, 2)[0]
    unit = p.answer_kind.split(":", 1)[1]
    assert f"answer in {unit.lower()} (" in problem_note(p).front.lower()


def test_numbers_print_as_the_question_does():
    from cardcli.export_anki import matrix_html, value_html

    assert value_html(2 / 9) == "0.222222"  # 6 significant figures, as the terminal prints
    assert value_html(1.0) == "1" and value_html(138357544) == "138357544"
    cells = matrix_html([[2 / 9, 0.5]])
    assert "<td>0.222222</td><td>0.5</td>" in cells and "0.2222222" not in cells


def test_float_problem_answer_shows_its_fraction():
    from types import SimpleNamespace

    from cardcli.export_anki import problem_note

    prob = SimpleNamespace(id="x", family="pool-forward", topics=("pooling",), prompt="Give out[0, 0].",
                           answer=-0.5, solution="", matrices={}, answer_kind="float", stem="")
    assert problem_note(prob).back == "<b>Answer:</b> -0.5 (-1/2)"
