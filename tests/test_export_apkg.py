"""`cardcli export anki --format apkg`, proven by importing the package into a real Anki collection.

The `anki` package (the Anki desktop backend) imports the file exactly as File > Import does.
Expected fields are written out by hand from the deck text below.
"""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cardcli.cli import app

anki_collection = pytest.importorskip("anki.collection")

DECK = r'''
deck: "Quiz <i>3</i> & co"
source: test
cards:
  - id: a-basic
    topic: conv
    tags: [edge case]
    front: "Is <b>this</b> bold & safe?"
    back: "No: it is text."
    source: Lecture 5 slide 12
  - id: a-tf
    type: truefalse
    topic: rnn
    front: LSTMs remove the vanishing gradient problem entirely.
    answer: false
    back: They reduce it through the additive cell path.
  - id: a-num
    type: numeric
    topic: params
    front: Parameters of a 5x5 conv on RGB with one filter?
    answer: 76
    back: 5*5*3 + 1 = 76
    check: {fn: conv_params, args: {in_channels: 3, out_channels: 1, kernel_size: 5, bias: true}}
    erratum: The source says 75 (it forgot the bias).
  - id: a-grid
    topic: pooling
    front: Max-pool the input with a 2x2 window, stride 2.
    back: "The result:\n  4   8\n 12  16"
    matrices:
      input: [[1, 2], [3, 14.5]]
'''

PRE = '<pre style="font-family: monospace; white-space: pre-wrap; text-align: left">'
# the deck 'Quiz <i>3</i> & co': Anki inserts deck names into cards raw ({{Deck}}), so <, > and & become
# full-width look-alikes (as in the text export, cardcli.safetext.inert_markup)
DECK_NAME = "cardcli::Quiz \uff1ci\uff1e3\uff1c/i\uff1e \uff06 co"

# note type, fields by name: written by hand from DECK
EXPECTED = {
    "a-basic": ("cardcli Basic", {
        "Front": "Is &lt;b&gt;this&lt;/b&gt; bold &amp; safe?", "Back": "No: it is text.",
        "Solution": "", "Erratum": "", "Source": "Lecture 5 slide 12"}),
    "a-tf": ("cardcli Typed answer", {
        "Front": "LSTMs remove the vanishing gradient problem entirely. (True/False)", "Answer": "False",
        "Back": "They reduce it through the additive cell path.", "Solution": "", "Erratum": "", "Source": ""}),
    "a-num": ("cardcli Typed answer", {
        "Front": "Parameters of a 5x5 conv on RGB with one filter?", "Answer": "76", "Back": "5*5*3 + 1 = 76",
        "Solution": "", "Erratum": "The source says 75 (it forgot the bias).", "Source": ""}),
    "a-grid": ("cardcli Basic", {
        "Front": "Max-pool the input with a 2x2 window, stride 2.<br>input:" + PRE + "[ 1     2 ]\n[ 3  14.5 ]</pre>",
        "Back": PRE + "The result:\n  4   8\n 12  16</pre>", "Solution": "", "Erratum": "", "Source": ""}),
}


def guid(card_id: str) -> str:
    """The text export's GUID, computed independently: 64 bits of SHA-256, 11 base-62 digits."""
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    n = int.from_bytes(hashlib.sha256(f"cardcli:{card_id}".encode()).digest()[:8], "big")
    out = ""
    for _ in range(11):
        n, r = divmod(n, 62)
        out = digits[r] + out
    return out


@pytest.fixture
def decks(tmp_path: Path) -> Path:
    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "a.yaml").write_text(DECK, encoding="utf-8")
    return folder


def export(decks: Path, out: Path, fmt: str = "apkg") -> None:
    r = CliRunner().invoke(app, ["export", "anki", "--format", fmt, "--decks", str(decks), "--deck", "a.yaml",
                                 "-o", str(out)])
    assert r.exit_code == 0, r.output


def import_package(tmp_path: Path, package: Path):
    from anki.import_export_pb2 import ImportAnkiPackageRequest

    folder = tmp_path / "anki"
    folder.mkdir(exist_ok=True)
    col = anki_collection.Collection(str(folder / "collection.anki2"))
    log = col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package))).log
    return col, log


def test_package_imports_with_cardcli_note_types_fields_and_guids(decks, tmp_path):
    export(decks, tmp_path / "out.apkg")
    col, log = import_package(tmp_path, tmp_path / "out.apkg")
    try:
        assert len(log.new) == 4 and col.note_count() == 4
        basic, typed = col.models.by_name("cardcli Basic"), col.models.by_name("cardcli Typed answer")
        assert [f["name"] for f in basic["flds"]] == ["Front", "Back", "Solution", "Erratum", "Source"]
        assert [f["name"] for f in typed["flds"]] == ["Front", "Answer", "Back", "Solution", "Erratum", "Source"]
        assert "{{type:Answer}}" in typed["tmpls"][0]["qfmt"]
        by_guid = {col.get_note(nid).guid: col.get_note(nid) for nid in col.find_notes("")}
        assert set(by_guid) == {guid(i) for i in EXPECTED}
        for card_id, (notetype, fields) in EXPECTED.items():
            note = by_guid[guid(card_id)]
            assert note.note_type()["name"] == notetype, card_id
            assert dict(note.items()) == fields, card_id
            assert {col.decks.name(c.did) for c in note.cards()} == {DECK_NAME}
        assert set(by_guid[guid("a-basic")].tags) == {"cardcli", "conv", "edge_case"}
        # Anki renders the typed card with its type-in placeholder, and the erratum under the answer
        card = by_guid[guid("a-num")].cards()[0]
        assert "[[type:Answer]]" in card.question()  # the reviewer turns this into the answer box
        assert "Erratum: The source says 75" in card.answer()
    finally:
        col.close()


def test_same_guids_as_text_export_and_reexport_updates(decks, tmp_path):
    export(decks, tmp_path / "out.txt", fmt="txt")
    text_guids = {line.split("\t")[0] for line in (tmp_path / "out.txt").read_text().splitlines()
                  if line and not line.startswith("#")}
    assert text_guids == {guid(i) for i in EXPECTED}
    export(decks, tmp_path / "out.apkg")
    col, _ = import_package(tmp_path, tmp_path / "out.apkg")
    col.close()
    export(decks, tmp_path / "again.apkg")  # re-exported: the same notes, updated not duplicated
    col, log = import_package(tmp_path, tmp_path / "again.apkg")
    try:
        assert col.note_count() == 4 and not log.new
    finally:
        col.close()


def test_refuses_to_overwrite_a_file_that_is_not_a_package(decks, tmp_path):
    victim = tmp_path / "notes.apkg"
    victim.write_text("my notes")
    r = CliRunner().invoke(app, ["export", "anki", "--format", "apkg", "--decks", str(decks), "-o", str(victim)])
    assert r.exit_code != 0 and victim.read_text() == "my notes"
    export(decks, tmp_path / "out.apkg")
    export(decks, tmp_path / "out.apkg")  # an earlier package may be replaced


def test_default_name_and_genanki_only_in_this_command(decks, tmp_path, monkeypatch):
    import subprocess
    import sys

    monkeypatch.chdir(tmp_path)
    code = ("import sys; from cardcli.cli import app; sys.argv=['cardcli', 'export', 'anki', '--decks', %r, "
            "'--deck', 'a.yaml', '--format', '%s']\ntry: app()\nexcept SystemExit: pass\n"
            "print('genanki' in sys.modules)")
    for fmt, loaded in (("txt", "False"), ("apkg", "True")):
        r = subprocess.run([sys.executable, "-c", code % (str(decks), fmt)], capture_output=True, text=True,
                           timeout=120)
        assert r.stdout.strip().splitlines()[-1] == loaded, r.stderr
    assert (tmp_path / "cardcli-a-yaml.apkg").exists()


ALLOWED_TAGS = re.compile(r'<br>|<pre style="[^"]*">|</pre>')


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(front=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60)
       .filter(lambda s: s.strip()),
       back=st.sampled_from(["<script>alert(1)</script>", "a  b\n c   d", "x < 0 & y > 1",
                             "{{Front}} {{type:Answer}}"]))
def test_any_text_stays_inert_through_anki(tmp_path_factory, front, back):
    """Whatever the card says, Anki stores only cardcli's own tags; unescaped, the field is the text."""
    from cardcli.export_apkg import apkg_card_note, build_package
    from cardcli.model import Card
    from cardcli.safetext import clean

    card = Card(id="h-1", front=front, back=back, topic="conv", deck="Hostile")
    folder = tmp_path_factory.mktemp("hyp")
    (folder / "h.apkg").write_bytes(build_package([apkg_card_note(card)]))
    col, _ = import_package(folder, folder / "h.apkg")
    try:
        (nid,) = col.find_notes("")
        note = col.get_note(nid)
        for field, text in (("Front", front), ("Back", back)):
            stored = note[field]
            assert "<" not in ALLOWED_TAGS.sub("", stored)
            plain = html.unescape(ALLOWED_TAGS.sub(lambda m: "\n" if m.group() == "<br>" else "", stored))
            want = clean(text.replace("\r\n", "\n"))
            assert plain == (want.expandtabs(4) if "<pre" in stored else want)
        if back.startswith("{{"):  # template syntax in a card is data: shown as written, never run
            assert "{{Front}} {{type:Answer}}" in note.cards()[0].answer()
    finally:
        col.close()
