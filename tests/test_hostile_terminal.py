"""Deck text never drives the terminal (issue 10, item 2): every command, run as a real process on a
deck full of escape sequences and rich markup, writes no ESC (0x1b) and no C1 CSI (U+009B), and
shows the brackets literally."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console

sys.path.insert(0, str(Path(__file__).parent))
from hostile import ESCAPES_DECK  # noqa: E402

SHOWN = r"\x1b]52;c;aGVsbG8=\x1b\ \x1b]0;owned\x07 \x1b[2J \x9b31m"  # how the sequences must appear


@pytest.fixture
def evil(tmp_path) -> Path:
    path = tmp_path / "evil.yaml"
    path.write_text(ESCAPES_DECK, encoding="utf-8")
    return path


def run(home: Path, *args: str, stdin: bytes = b"") -> tuple[int, str]:
    env = {**os.environ, "CARDCLI_HOME": str(home), "COLUMNS": "400", "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    env.pop("CARDCLI_DECKS", None)
    r = subprocess.run([sys.executable, "-m", "cardcli", *args], input=stdin, capture_output=True, env=env,
                       timeout=60)
    return r.returncode, (r.stdout + r.stderr).decode("utf-8")


def assert_inert(text: str) -> None:
    assert "\x1b" not in text and "\x9b" not in text and "\x07" not in text, repr(text[:2000])
    assert "Traceback" not in text


def test_decks_shows_name_literally(evil, cardcli_home):
    code, text = run(cardcli_home, "decks", "--decks", str(evil))
    assert code == 0
    assert_inert(text)
    assert "[link=file:///etc/passwd]x[/link]" in text and "CS231N [draft] Lists [/]" in text
    assert SHOWN.split(" ")[0] in text


def test_due_and_stats(evil, cardcli_home):
    code, text = run(cardcli_home, "due", "--decks", str(evil), "--deck", "evil")
    assert code == 0
    assert_inert(text)
    assert f"front {SHOWN} [bold]B[/bold]"[:60] in text and "CS231N [draft]" in text
    code, text = run(cardcli_home, "stats", "--decks", str(evil))
    assert code == 0
    assert_inert(text)
    assert "Lists [/]" in text


def test_check_messages_echo_file_content_inertly(evil, tmp_path, cardcli_home):
    code, text = run(cardcli_home, "check", str(evil))
    assert code == 0 and "ok: 2 cards in 1 decks" in text
    broken = tmp_path / "broken\x1b[2J.yaml"  # even the file name
    broken.write_text('deck: "B \\e]0;t\\a"\nsource: s\ncards:\n'
                      '  - {id: b, topic: "conv\\e[2J[bold]", front: f, back: b, "k\\x9bey": 1}\n')
    code, text = run(cardcli_home, "check", str(broken))
    assert code == 2
    assert_inert(text)
    lines = text.splitlines()
    assert len(lines) == 2 and all(line.startswith(str(broken).replace("\x1b", "\\x1b") + ":4: ") for line in lines)
    assert "unknown card key 'k\\x9bey'" in text and "unknown topic 'conv\\\\x1b[2J[bold]'" in text


def test_study_with_typed_escapes(evil, cardcli_home):
    # a typed answer full of escapes (a format error: asked again), then option 2, rate 4; reveal, rate 3
    keys = "\x1b[2Jplain\x9b31m\n2\n4\n\n3\nq\n".encode()
    code, text = run(cardcli_home, "study", "--decks", str(evil), "--deck", "evil", stdin=keys)
    assert code == 0
    assert_inert(text)
    assert "CS231N [draft] Lists [/]" in text  # the panel title, not markup
    assert "[bold]caption" in text and "\\x1b[2J \\x9b31m" in text  # the matrix caption (wrapped to the table)
    assert f"opt {SHOWN} [red]" in text and "\\x1b[2Jplain\\x9b31m" in text  # typed answer echoed inertly
    assert "Session over: 2 cards, 2 ratings" in text


def test_quiz_typed_escapes(cardcli_home):
    code, text = run(cardcli_home, "quiz", "--seed", "1", "-n", "1", stdin="\x1b]0;x\x07 \x9b2J\nq\n".encode())
    assert code == 0
    assert_inert(text)
    assert "\\x1b]0;x\\x07 \\x9b2J" in text


def test_export_to_stdout(evil, cardcli_home):
    code, text = run(cardcli_home, "export", "anki", "--decks", str(evil), "--deck", "evil", "-o", "-")
    assert code == 0
    assert_inert(text)
    assert "\\x1b]52;c;" in text


def test_render_matrix_caption_and_cells_are_not_markup():
    from cardcli.render import matrix_table

    buf = StringIO()
    Console(file=buf, width=80, color_system=None).print(matrix_table([[1, "[red]x"]], title="Lists [/] \x1b[2J"))
    out = buf.getvalue()
    assert "Lists [/]" in out and "\\x1b[2J" in out and "[red]x" in out and "\x1b" not in out


def test_study_in_a_real_terminal(evil, cardcli_home):
    """With colours on (TERM=xterm-256color), rich's own styling is the only escape: no OSC (title,
    clipboard, hyperlink), no screen clear, no C1 CSI from the deck."""
    pexpect = pytest.importorskip("pexpect")
    env = {k: v for k, v in os.environ.items() if k not in ("CARDCLI_DECKS", "NO_COLOR")}
    env.update(CARDCLI_HOME=str(cardcli_home), TERM="xterm-256color", COLUMNS="160", LINES="50",
               PYTHONIOENCODING="utf-8")
    log = StringIO()
    child = pexpect.spawn(sys.executable, ["-m", "cardcli", "study", "--decks", str(evil), "--deck", "evil"],
                          env=env, encoding="utf-8", timeout=30, dimensions=(50, 160))
    child.logfile_read = log
    try:
        child.expect("Your answer")
        child.sendline("plain")
        child.expect("1-5 rate")
        child.send("4")
        child.expect("show answer")
        child.send(" ")
        child.expect("1-5 rate")
        child.send("q")
        child.expect("Session over")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    out = log.getvalue()
    assert child.exitstatus == 0
    for bad in ("\x1b]", "\x1b[2J", "\x9b", "\x07", "\x1bP", "\x1b_"):
        assert bad not in out, (bad, out[:3000])
    assert "[link=file:///etc/passwd]" in out


def test_session_cleans_cards_that_did_not_come_through_the_loader():
    """A card built elsewhere (e.g. a planted parse-cache entry) is still shown inertly."""
    import random
    from datetime import datetime, timezone

    from cardcli.model import Card, CardType
    from cardcli.scheduler import plan
    from cardcli.session import Session
    from cardcli.store import Store
    from cardcli.terminal import ScriptedKeys

    now = datetime(2026, 11, 20, 9, tzinfo=timezone.utc)
    cards = [Card(id="raw", front="F \x1b[2J", back="B \x1b]0;t\x07", topic="conv", deck="D [/] \x9b",
                  type=CardType.choice, options=("o \x1b[31m", "p"), answer="p", erratum="E \x1b]52;c;x\x1b\\",
                  matrices={"[bold]M \x1b[2J": [[1, "\x1b[2J"]]})]
    buf = StringIO()
    with Store.open() as store:
        queue = plan(cards, {}, now, random.Random(0), new_per_day=20, new_seen_today=0)
        Session(queue, store, Console(file=buf, width=100, color_system=None), ScriptedKeys(["2", "3", "q"]), {},
                cards, rng=random.Random(0), clock=lambda: now).run()
    out = buf.getvalue()
    assert "\x1b" not in out and "\x9b" not in out and "\x07" not in out
    for shown in ("F \\x1b[2J", "B \\x1b]0;t\\x07", "D [/] \\x9b", "o \\x1b[31m", "E \\x1b]52;c;x\\x1b\\", "[bold]M"):
        assert shown in out, shown


def test_a_huge_matrix_is_shown_cut_with_a_note():

    from cardcli.render import MAX_SHOWN_COLS, MAX_SHOWN_ROWS, matrix_table

    rows = [[r * 1000 + c for c in range(1000)] for r in range(1000)]  # 10^6 cells: allowed in a deck
    buf = StringIO()
    Console(file=buf, width=250, color_system=None).print(matrix_table(rows, title="M"))
    lines = buf.getvalue().splitlines()
    assert f"showing {MAX_SHOWN_ROWS} of 1000 rows, {MAX_SHOWN_COLS} of 1000 columns" in lines[-1]
    header, *body = [line.split() for line in lines if line.strip() and line.split()[0].isdigit()]
    assert header == [str(c) for c in range(MAX_SHOWN_COLS)]
    assert len(body) == MAX_SHOWN_ROWS and body[-1][:3] == [str(MAX_SHOWN_ROWS - 1), str((MAX_SHOWN_ROWS - 1) * 1000),
                                                            str((MAX_SHOWN_ROWS - 1) * 1000 + 1)]


def test_a_long_cell_is_cut():
    from cardcli.render import matrix_table

    buf = StringIO()
    Console(file=buf, width=200, color_system=None).print(matrix_table([["w" * 100, 1]]))
    assert "w" * 23 + "…" in buf.getvalue() and "w" * 24 not in buf.getvalue()
