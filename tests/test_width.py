"""Every command fits the terminal: 60, 80 and 120 columns, in-process and in a real pty.

No line may be wider than the terminal, and no name may be cut: every topic of the vocabulary
that a command lists (every topic a bundled card has), every deck name and every deck file name appears whole.
"""

from __future__ import annotations

import os
import re
import sys
from io import StringIO

import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text
from typer.testing import CliRunner

from cardcli.cli import app
from cardcli.layout import Column, ellipsize, fit_table, hang
from cardcli.loader import load_collection
from cardcli.topics import TOPICS

WIDTHS = [60, 80, 120]
STUDY_KEYS = "\n4\n\n3\n\n1\n\n5\nq\n"  # reveal (or empty answer) then a rating, four times


def whole(name: str, text: str) -> bool:
    """``name`` appears in ``text`` not cut and not glued to other word characters."""
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text) is not None


def widest(text: str) -> int:
    return max((cell_len(line) for line in text.splitlines()), default=0)


@pytest.fixture
def at_width(monkeypatch):
    """Point every command's console at a StringIO console of the given width."""
    import cardcli.commands.check as check_cmd
    import cardcli.commands.decks as decks_cmd
    import cardcli.console as common

    def make(width: int) -> StringIO:
        buf = StringIO()
        con = Console(file=buf, width=width, color_system=None, highlight=False)
        for module in (common, check_cmd, decks_cmd):
            monkeypatch.setattr(module, "out", con)
        return buf

    return make


def invoke(*args: str, stdin: str = "") -> str:
    r = CliRunner().invoke(app, list(args), input=stdin)
    assert r.exit_code == 0, (r.output, r.exception)
    return r.stdout


# -- the layout helpers ------------------------------------------------------------------------

ROWS = [["transfer-learning", "10", "3", "4", "1", "2", "25", "71%", "100%"],
        ["linear-classifiers", "8", "8", "0", "0", "0", "0", "-", "0%"]]
COLS = [Column("topic"), Column("cards", "right"), Column("new", "right", drop=3),
        Column("learning", "right", drop=4), Column("due", "right"), Column("mastered", "right", drop=2),
        Column("reviews", "right", drop=5), Column("retention", "right", drop=1), Column("ready 12-10", "right")]


def render(renderable, width: int) -> str:
    buf = StringIO()
    Console(file=buf, width=width, color_system=None).print(renderable)
    return buf.getvalue()


def header(table: str) -> str:
    return next(line for line in table.splitlines() if "topic" in line)


def test_fit_table_drops_the_least_useful_columns_first():
    # full table: 18+5+3+8+3+8+7+9+11 = 72 cells + 3*9+1 = 28 of borders/padding = 100 columns
    assert "reviews" in render(fit_table(100, COLS, ROWS), 100)
    at_99 = render(fit_table(99, COLS, ROWS), 99)
    head = header(at_99)
    assert "reviews" not in head and "learning" in head  # drop=5 goes first (100 - 7 - 3 = 90)
    at_60 = render(fit_table(60, COLS, ROWS), 60)
    # 90 - learning (11) = 79; - new (6) = 73; - mastered (11) = 62; - retention (12) = 50 <= 60
    head = header(at_60)
    assert [h in head for h in ("new", "learning", "mastered", "retention")] == [False] * 4
    assert all(h in head for h in ("topic", "cards", "due", "ready 12-10"))
    assert whole("transfer-learning", at_60) and whole("linear-classifiers", at_60) and "100%" in at_60
    assert widest(at_60) == 50


def test_fit_table_stacks_rows_when_even_the_kept_columns_do_not_fit():
    out = render(fit_table(40, COLS, ROWS), 40)
    assert widest(out) <= 40
    lines = out.splitlines()
    assert lines[0] == "transfer-learning"
    assert lines[1].startswith("  cards 10   new 3   learning 4")
    assert whole("linear-classifiers", out)


def test_hang_wraps_at_words_under_the_indent_and_ellipsize_marks_the_cut():
    out = render(hang("alpha beta gamma delta epsilon", 4), 16)
    assert out.splitlines() == ["    alpha beta", "    gamma delta", "    epsilon"]
    assert ellipsize("a  long\nfront text", 9).plain == "a long f…"
    assert ellipsize("short", 9).plain == "short"
    assert ellipsize(Text("exactly9!"), 9).plain == "exactly9!"


# -- every command, in-process --------------------------------------------------------------------

@pytest.mark.parametrize("width", WIDTHS)
def test_every_command_fits_in_process(width, at_width):
    col = load_collection()
    deck_topics = {t for d in col.decks for t in d.topics}
    buf = at_width(width)
    echo = invoke("study", "--topic", "pooling", "--new", "4", stdin=STUDY_KEYS)
    study = buf.getvalue()
    assert "Recorded 4 (Well)" in study and widest(study) <= width and widest(echo) <= width

    outputs = {}
    for args in (["decks"], ["check"], ["due", "--explain", "-n", "8"], ["stats", "--exam", "2099-01-01"],
                 ["quiz", "--topic", "conv", "-n", "2", "-d", "3", "--seed", "5"]):
        buf.seek(0)
        buf.truncate()
        echo = invoke(*args, stdin="1\n" * 20 + "q\n")
        outputs[args[0]] = buf.getvalue()
        assert widest(outputs[args[0]]) <= width, (args, outputs[args[0]])
        assert widest(echo) <= width
    for deck in col.decks:
        assert whole(deck.name, outputs["decks"]) and whole(deck.name, outputs["stats"])
        assert deck.file.split("/")[-1] in outputs["decks"]
    assert all(whole(t, outputs["decks"]) for t in deck_topics)
    card_topics = {c.topic for c in col.cards}
    assert card_topics <= set(TOPICS) and len(card_topics) > 20
    assert all(whole(t, outputs["stats"]) for t in card_topics)  # the readiness table lists every topic
    assert re.search(r"ready 01-01", outputs["stats"])  # the column a student wants is kept
    assert "Score:" in outputs["quiz"] and "ok:" in outputs["check"]
    due_lines = outputs["due"].splitlines()
    assert any("predicted recall" in line or "new card" in line for line in due_lines)


# -- every command, in a pseudo-terminal ------------------------------------------------------------

pexpect = pytest.importorskip("pexpect")
_ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|[=>]|\][^\x07]*\x07)")


DRIVER = """\
import sys
from cardcli.cli import app
for args in {commands!r}:
    print("=== " + args[0], flush=True)
    try:
        app(args, prog_name="cardcli")
    except SystemExit as e:
        if e.code:
            raise
"""
PTY_COMMANDS = [["study", "--topic", "pooling", "--new", "3"], ["decks"], ["check"], ["due", "--explain", "-n", "6"],
                ["stats", "--exam", "2099-01-01"], ["quiz", "--topic", "pooling", "-n", "1", "-d", "3", "--seed", "2"]]


def _lines(text: str) -> list[str]:
    text = _ANSI.sub("", text)
    return [line.split("\r")[-1] for line in text.split("\r\n")]


@pytest.mark.parametrize("width", WIDTHS)
def test_every_command_fits_in_a_pty(width, cardcli_home):
    """The terminal's own size (no COLUMNS) sets the width. One process runs every command in turn
    (as `cardcli <command>` would), the study session and the quiz driven by keys."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "CARDCLI_DECKS")}
    env.update(CARDCLI_HOME=str(cardcli_home), NO_COLOR="1", TERM="xterm", PYTHONIOENCODING="utf-8")
    child = pexpect.spawn(sys.executable, ["-c", DRIVER.format(commands=PTY_COMMANDS)], env=env,
                          encoding="utf-8", timeout=30, dimensions=(50, width))
    seen = []
    try:
        for rating in "431":
            child.expect(["show answer", "Your answer"])
            seen.append(child.before + child.after)
            child.send("\r")  # reveal, or an empty answer
            child.expect("1-5 rate")
            seen.append(child.before + child.after)
            child.send(rating)
            child.expect("Recorded")
            seen.append(child.before + child.after)
        child.expect(["show answer", "Your answer"])
        seen.append(child.before + child.after)
        child.send("q")  # a key (basic card) or the start of a line (typed answer)
        child.send("\r")
        child.expect("answer> ")  # the quiz, after decks, check, due and stats
        seen.append(child.before + child.after)
        child.sendline("q")
        child.expect(pexpect.EOF)
        seen.append(child.before)
    finally:
        child.close()
    assert child.exitstatus == 0
    text = "\n".join(_lines("".join(seen)))
    assert widest(text) <= width, text
    parts = dict(part.split("\n", 1) for part in text.split("=== ")[1:])
    assert set(parts) == {"study", "decks", "check", "due", "stats", "quiz"}
    assert "Session over: 3 cards" in parts["study"] and "Score: 0/0" in parts["quiz"]
    assert all(whole(t, parts["stats"]) for t in {c.topic for c in load_collection().cards})
    assert all(whole(d.name, parts["decks"]) for d in load_collection().decks)
    assert "predicted recall" in parts["due"]
