"""Never overwrite what cardcli did not write, and inert everywhere (issue 23): one writer for every
output (`exam mock --print`, `export anki -o`, `import -o`), exclusive creation, signatures only cardcli
writes, the import race closed with real processes; deck names, tags and formula prefixes in the
Anki export (checked in the real `anki` package); Markdown in `--print` (checked with markdown-it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cardcli.cli import app
from cardcli.export_anki import HEADER

runner = CliRunner()


def _cardcli(home: Path, *args: str, cwd: Path | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "CARDCLI_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "200"}
    env.pop("CARDCLI_DECKS", None)
    return subprocess.run([sys.executable, "-m", "cardcli", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=timeout)


# -- exam mock --print -----------------------------------------------------------------------------------
def test_print_does_not_replace_notes_that_mention_the_command(tmp_path):
    notes = tmp_path / "notes.md"
    mine = "# My notes\n\nTo practise: `cardcli exam mock --seed 3`, then review.\n"
    notes.write_text(mine)
    r = runner.invoke(app, ["exam", "mock", "--seed", "3", "--print", str(notes)])
    assert r.exit_code != 0 and "not a mock exam cardcli printed" in str(r.exception)
    assert notes.read_text() == mine
    r = runner.invoke(app, ["exam", "mock", "--seed", "3", "--print", str(notes), "--force"])
    assert r.exit_code == 0, r.output
    assert "## Answer key" in notes.read_text()


def test_print_replaces_its_own_document_and_leaves_no_temp_file(tmp_path):
    for name in ("exam.md", "exam.html"):
        doc = tmp_path / name
        for seed in ("3", "4"):
            r = runner.invoke(app, ["exam", "mock", "--seed", seed, "--print", str(doc)])
            assert r.exit_code == 0, r.output
        assert f"seed {4}" in doc.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cardcli-home", "exam.html", "exam.md"]
    assert (tmp_path / "exam.html").read_text().startswith("<!DOCTYPE html>\n<!-- written by cardcli")


def test_print_never_follows_a_link(tmp_path):
    target = tmp_path / "target.md"
    r = runner.invoke(app, ["exam", "mock", "--seed", "3", "--print", str(target)])
    assert r.exit_code == 0
    before = target.read_text()
    link = tmp_path / "link.md"
    link.symlink_to(target)
    r = runner.invoke(app, ["exam", "mock", "--seed", "4", "--print", str(link), "--force"])
    assert r.exit_code != 0 and "symbolic link" in str(r.exception)
    assert link.is_symlink() and target.read_text() == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_print_to_a_fifo_is_refused_without_waiting(tmp_path, cardcli_home):
    fifo = tmp_path / "exam.md"
    os.mkfifo(fifo)
    r = _cardcli(cardcli_home, "exam", "mock", "--seed", "3", "--print", str(fifo), timeout=30)
    assert r.returncode == 2 and "not a regular file" in r.stderr and "Traceback" not in r.stderr


# -- export anki -o ----------------------------------------------------------------------------------------
def test_export_does_not_replace_a_file_anki_itself_exported(tmp_path, cardcli_home):
    # Anki's "Notes in Plain Text" export starts with the very same header lines
    anki_file = tmp_path / "from-anki.txt"
    theirs = HEADER + "abc123\tBasic\tMy deck\tfront\tback\tmytag\n"
    anki_file.write_text(theirs)
    r = _cardcli(cardcli_home, "export", "anki", "-o", str(anki_file))
    assert r.returncode == 2 and "not an export cardcli wrote" in r.stderr
    assert anki_file.read_text() == theirs
    r = _cardcli(cardcli_home, "export", "anki", "-o", str(anki_file), "--force")
    assert r.returncode == 0, r.stderr
    r = _cardcli(cardcli_home, "export", "anki", "-o", str(anki_file))  # now cardcli's own: replaced
    assert r.returncode == 0, r.stderr


# -- import -o: two processes racing for one name ------------------------------------------------------------
def test_concurrent_imports_to_one_name_one_wins_the_other_is_told(tmp_path, cardcli_home):
    out = tmp_path / "same.yaml"
    inputs = []
    for i in range(4):
        src = tmp_path / f"cards{i}.txt"
        src.write_text("".join(f"term {i}-{k}\tdefinition {k}\n" for k in range(300)))
        inputs.append(src)
    env = {**os.environ, "CARDCLI_HOME": str(cardcli_home), "NO_COLOR": "1"}
    procs = [subprocess.Popen([sys.executable, "-m", "cardcli", "import", str(src), "-o", str(out),
                               "--format", "quizlet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=env) for src in inputs]
    results = [(p.wait(timeout=120), p.stdout.read() + p.stderr.read()) for p in procs]  # type: ignore[union-attr]
    ok = [text for code, text in results if code == 0]
    refused = [text for code, text in results if code != 0]
    assert len(ok) == 1, results
    assert all("exists" in text and "Traceback" not in text for text in refused), refused
    winner = next(i for i in range(4) if f"term {i}-0" in out.read_text())
    assert f"cards{winner}.txt" in ok[0] or "wrote" in ok[0].lower() or ok[0]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temp file left


def test_import_replaces_a_deck_only_with_force(tmp_path):
    src = tmp_path / "cards.txt"
    src.write_text("a\tb\nc\td\n")
    out = tmp_path / "deck.yaml"
    out.write_text("my deck, edited by hand\n")
    r = runner.invoke(app, ["import", str(src), "-o", str(out), "--format", "quizlet"])
    assert r.exit_code != 0 and out.read_text() == "my deck, edited by hand\n"
    r = runner.invoke(app, ["import", str(src), "-o", str(out), "--format", "quizlet", "--force"])
    assert r.exit_code == 0, r.output
    assert "cards:" in out.read_text()


# -- the Anki export is inert in every column --------------------------------------------------------------
EVIL_DECK = """deck: '<img src=x onerror=alert(1)>'
source: test
cards:
  - id: evil-1
    type: basic
    topic: misc
    front: '=HYPERLINK("http://evil/","click")'
    back: '@SUM(1+1)*cmd|'' /C calc''!A0'
    tags: ['<svg/onload=alert(1)>', '"><script>x</script>', "a&b"]
"""


def _export_evil(tmp_path: Path, cardcli_home: Path) -> Path:
    deck = tmp_path / "evil.yaml"
    deck.write_text(EVIL_DECK)
    out = tmp_path / "evil.txt"
    r = _cardcli(cardcli_home, "export", "anki", "--decks", str(deck), "--deck", "evil", "-o", str(out))
    assert r.returncode == 0, r.stderr
    return out


def test_export_rows_hold_no_markup_and_no_formula(tmp_path, cardcli_home):
    out = _export_evil(tmp_path, cardcli_home)
    row = out.read_text(encoding="utf-8").splitlines()[-1]
    fields = row.split("\t")
    assert "<" not in row.replace("<br>", "") and ">" not in row.replace("<br>", "")
    for field in fields:
        assert not field.lstrip('"').startswith(("=", "+", "-", "@")), field


def test_evil_deck_and_tags_are_plain_text_in_anki(tmp_path, cardcli_home):
    anki_collection = pytest.importorskip("anki.collection")
    from anki.import_export_pb2 import ImportCsvRequest

    out = _export_evil(tmp_path, cardcli_home)
    (tmp_path / "anki").mkdir()
    col = anki_collection.Collection(str(tmp_path / "anki" / "collection.anki2"))
    try:
        metadata = col.get_csv_metadata(str(out), None)
        log = col.import_csv(ImportCsvRequest(path=str(out), metadata=metadata)).log
        assert len(log.new) == 1
        note = col.get_note(col.find_notes("")[0])
        deck = col.decks.name(note.cards()[0].did)
        # what {{Deck}} and {{Tags}} put into the card, unescaped: no tag can open
        for text in (deck, " ".join(note.tags)):
            assert not set("<>\"'&") & set(text), text
        assert "onerror=alert(1)" in deck and any("onload=alert(1)" in t for t in note.tags)
        # the fields: a spreadsheet sees no formula, Anki shows the text
        assert note["Front"].startswith("&#61;") and note["Back"].startswith("&#64;")
        import html

        assert html.unescape(note["Front"]) == '=HYPERLINK("http://evil/","click")'
    finally:
        col.close()


# -- --print: deck text is literal Markdown ------------------------------------------------------------------
MD_DECK = """deck: Tricky
source: test
cards:
  - id: md-1
    type: truefalse
    answer: true
    topic: misc
    front: "![tracker](http://evil.example/p.png) and [a link](http://evil.example/)"
    back: "x"
  - id: md-2
    type: truefalse
    answer: false
    topic: misc
    front: "# Fake heading\\n```\\nswallow the rest\\n1. fake list\\n- item\\n> quote\\n<b>bold</b>"
    back: "y"
  - id: md-3
    type: truefalse
    answer: true
    topic: misc
    front: "Third question, still its own"
    back: "z"
"""
MD_TEMPLATE = """title: Tricky
minutes: 5
sections:
  - title: Cards
    draw:
      count: 3
      points: 5
      decks: [Tricky]
"""


def test_print_markdown_escapes_deck_text(tmp_path):
    from markdown_it import MarkdownIt

    deck = tmp_path / "tricky.yaml"
    deck.write_text(MD_DECK)
    tpl = tmp_path / "t.yaml"
    tpl.write_text(MD_TEMPLATE)
    doc = tmp_path / "exam.md"
    r = runner.invoke(app, ["exam", "mock", "--template", str(tpl), "--decks", str(deck), "--seed", "1",
                            "--print", str(doc)])
    assert r.exit_code == 0, r.output
    tokens = MarkdownIt("commonmark").parse(doc.read_text())
    kinds = {t.type for t in tokens} | {c.type for t in tokens for c in (t.children or [])}
    assert not kinds & {"image", "link_open", "html_inline", "blockquote_open", "bullet_list_open"}, kinds
    h3 = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h3"]
    assert h3[:3] == ["Q1 (5 points)", "Q2 (5 points)", "Q3 (5 points)"]  # no fence swallowed a question
    h1 = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h1"]
    assert h1 == ["Tricky"]
    text = "".join(c.content for t in tokens for c in (t.children or []) if c.type == "text")
    assert "![tracker](http://evil.example/p.png)" in text and "# Fake heading" in text


def test_a_deck_that_came_in_through_import_is_inert_in_the_export(tmp_path, cardcli_home):
    """An Anki file with a scripted tag and deck name: `cardcli import`, then `cardcli export anki`."""
    src = tmp_path / "notes.txt"
    src.write_text(HEADER + "abcdefghij\tBasic\t<img src=x onerror=alert(1)>\tWhat is a stride?\t"
                   "The step of the kernel.\t<svg/onload=alert(1)> conv\n", encoding="utf-8")
    deck = tmp_path / "imported.yaml"
    r = _cardcli(cardcli_home, "import", str(src), "-o", str(deck), "--format", "anki")
    assert r.returncode == 0, r.stderr
    out = tmp_path / "out.txt"
    r = _cardcli(cardcli_home, "export", "anki", "--decks", str(deck), "--deck", "imported", "-o", str(out))
    if r.returncode != 0:  # the deck's name is what the import chose: select it by file name instead
        r = _cardcli(cardcli_home, "export", "anki", "--decks", str(deck), "--deck", deck.name, "-o", str(out))
    assert r.returncode == 0, r.stderr
    (row,) = [line for line in out.read_text(encoding="utf-8").splitlines() if "stride" in line]
    cols = row.split("\t")
    assert "<" not in cols[2] and ">" not in cols[2]
    assert "<" not in cols[5] and ">" not in cols[5] and "onload=alert(1)" in cols[5]


def test_without_hard_links_a_new_file_is_still_created_exclusively(tmp_path, monkeypatch):
    import errno

    from cardcli import fileout
    from cardcli.errors import UsageError

    def no_links(src, dst):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(fileout.os, "link", no_links)
    target = tmp_path / "deck.yaml"
    fileout.write_output(target, b"first\n", signature=None)
    assert target.read_bytes() == b"first\n"
    with pytest.raises(UsageError, match="exists"):
        fileout.write_output(target, b"second\n", signature=None)
    assert target.read_bytes() == b"first\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cardcli-home", "deck.yaml"]


def test_a_file_swapped_in_while_writing_is_not_replaced(tmp_path, monkeypatch):
    """The file checked for the signature must still be the one at the name when it is replaced."""
    from cardcli import fileout
    from cardcli.errors import UsageError

    target = tmp_path / "exam.md"
    target.write_bytes(b"SIGNED old exam\n")
    real_temp = fileout._temp

    def swap_then_temp(path, data, mode):
        other = tmp_path / "other.md"
        other.write_bytes(b"someone's notes\n")
        os.replace(other, target)  # another program puts its own file at the name meanwhile
        return real_temp(path, data, mode)

    monkeypatch.setattr(fileout, "_temp", swap_then_temp)
    with pytest.raises(UsageError, match="changed while cardcli was writing"):
        fileout.write_output(target, b"new exam\n", signature=fileout.starts_with(b"SIGNED"))
    assert target.read_bytes() == b"someone's notes\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
