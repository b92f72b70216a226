"""`cardcli study/due/stats` as subprocesses: piped sessions, kill -9, two sessions, corrupt DB."""

from __future__ import annotations

import json
import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

DECK = """\
deck: Drill
source: tests
cards:
  - id: q-stride
    front: What does the stride of a convolution set?
    back: How far the filter moves between applications.
    topic: conv
  - id: q-pad
    front: Why zero-pad?
    back: To keep the spatial size.
    topic: conv
  - id: q-relu
    front: ReLU of -3?
    back: "0"
    topic: activations
  - id: q-pool
    front: Max pooling has parameters.
    back: No, it has none.
    type: truefalse
    answer: false
    topic: pooling
    erratum: The slide claiming otherwise is a typo.
"""
IDS = ["q-stride", "q-pad", "q-relu", "q-pool"]


@pytest.fixture
def deck(tmp_path) -> Path:
    p = tmp_path / "drill.yaml"
    p.write_text(DECK)
    return p


def env(home: Path) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if k not in ("CARDCLI_DECKS", "PYTHONUNBUFFERED")}
    e.update(CARDCLI_HOME=str(home), COLUMNS="100", NO_COLOR="1", TERM="dumb", PYTHONIOENCODING="utf-8")
    return e


def cli(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cardcli", *args], input=stdin, capture_output=True,
                          text=True, env=env(home), timeout=60)


def rows(home: Path) -> list[tuple]:
    con = sqlite3.connect(str(home / "cardcli.sqlite3"))
    try:
        return con.execute("SELECT card_id, rating, kind FROM reviews ORDER BY id").fetchall()
    finally:
        con.close()


def states(home: Path) -> dict[str, tuple]:
    con = sqlite3.connect(str(home / "cardcli.sqlite3"))
    try:
        sql = ("SELECT card_id, json_array(state, step, stability, difficulty, due, last_review), reps "
               "FROM card_state")
        return {r[0]: r[1:] for r in con.execute(sql)}
    finally:
        con.close()


def test_piped_session_writes_the_right_rows(cardcli_home, deck):
    r = cli(cardcli_home, "study", "--decks", str(deck), "--deck", "drill", stdin="\n5\n\n3\nq\n")
    assert r.returncode == 0, r.stderr
    assert rows(cardcli_home) == [("q-stride", 5, "review"), ("q-pad", 3, "review")]
    out = r.stdout
    assert "What does the stride" in out and "How far the filter moves" in out
    assert "How well did you know this?" in out and "1: 1 min  2: 1 min  3: 6 min  4: 10 min  5: 8 d" in out
    assert "Session over: 2 cards, 2 ratings" in out
    assert "Ratings  1: 0  2: 0  3: 1  4: 0  5: 1" in out


def test_typed_answer_reveal_erratum_and_eof(cardcli_home, deck):
    # stride 5, pad 5, relu 5, then the truefalse card: empty answer just reveals; EOF ends cleanly
    r = cli(cardcli_home, "study", "--decks", str(deck), "--deck", "drill", stdin="\n5\n\n5\n\n5\n\n4\n")
    assert r.returncode == 0, r.stderr
    assert "Erratum: The slide claiming otherwise is a typo." in r.stdout
    assert [x[0] for x in rows(cardcli_home)] == IDS
    assert "Session over: 4 cards, 4 ratings" in r.stdout


def test_undo_removes_exactly_the_last_rating(cardcli_home, deck):
    r = cli(cardcli_home, "study", "--decks", str(deck), "--deck", "drill", stdin="\n5\n\n4\nu\n\n2\nq\n")
    assert r.returncode == 0, r.stderr
    assert "Undid rating 4 of q-pad" in r.stdout
    assert rows(cardcli_home) == [("q-stride", 5, "review"), ("q-pad", 2, "review")]
    assert states(cardcli_home)["q-pad"][1] == 1


def test_rating_one_returns_in_the_same_session(cardcli_home, deck):
    r = cli(cardcli_home, "study", "--decks", str(deck), "--deck", "drill",
            stdin="\n1\n\n5\n\n5\n\n4\n" + "\n4\n" + "q\n")
    assert r.returncode == 0, r.stderr
    # rated 1, two other cards, then it comes back (before the 4th new card)
    assert [x[:2] for x in rows(cardcli_home)] == [
        ("q-stride", 1), ("q-pad", 5), ("q-relu", 5), ("q-stride", 4), ("q-pool", 4)]


def test_new_limit_and_due_explain(cardcli_home, deck):
    r = cli(cardcli_home, "study", "--decks", str(deck), "--deck", "drill", "--new", "2", stdin="\n5\n\n1\n\n2\n\n3\n")
    assert r.returncode == 0
    # two new cards only; q-pad (learning) keeps coming back as the only card left
    assert [x[:2] for x in rows(cardcli_home)] == [("q-stride", 5), ("q-pad", 1), ("q-pad", 2), ("q-pad", 3)]
    d = cli(cardcli_home, "due", "--decks", str(deck), "--deck", "drill", "--explain", "-n", "5")
    assert d.returncode == 0, d.stderr
    lines = d.stdout.splitlines()
    assert lines[0].split()[:2] == ["1.", "q-pad"]  # learning, due in minutes: before new cards
    assert "last rated 3" in lines[1] and "predicted recall" in lines[1]
    assert any("new card, never seen" in line for line in lines)


def test_cram_does_not_touch_card_state(cardcli_home, deck):
    cli(cardcli_home, "study", "--decks", str(deck), "--deck", "drill", stdin="\n5\n\n5\n\n5\n\n\n5\n")
    before = states(cardcli_home)
    r = cli(cardcli_home, "study", "--decks", str(deck), "--deck", "drill", "--cram", stdin="\n1\n\n2\nq\n")
    assert r.returncode == 0, r.stderr
    assert states(cardcli_home) == before
    assert [x[2] for x in rows(cardcli_home)][-2:] == ["cram", "cram"]
    assert "cram: schedule unchanged" in r.stdout


def test_stats_json(cardcli_home, deck):
    cli(cardcli_home, "study", "--decks", str(deck), "--deck", "drill", stdin="\n5\n\n4\n\n1\nq\n")
    r = cli(cardcli_home, "stats", "--decks", str(deck), "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["reviews"] == 3
    drill = data["decks"]["Drill"]
    assert (drill["cards"], drill["new"], drill["reviews"], drill["good"]) == (4, 1, 3, 2)
    assert drill["retention"] == pytest.approx(2 / 3, abs=1e-4)
    assert data["topics"]["conv"]["reviews"] == 2
    assert {"cards", "due", "new"} <= set(data)
    text = cli(cardcli_home, "stats", "--decks", str(deck), "--exam", "2099-01-01")
    assert text.returncode == 0 and "Reviews per day" in text.stdout and "ready 01-01" in text.stdout


@pytest.mark.parametrize("command", [["study"], ["due"], ["stats"]])
def test_corrupt_db_one_line_error_and_file_untouched(cardcli_home, deck, command):
    db = cardcli_home / "cardcli.sqlite3"
    garbage = bytes(range(256)) * 64
    db.write_bytes(garbage)
    r = cli(cardcli_home, *command, "--decks", str(deck), stdin="\n5\n")
    assert r.returncode != 0
    err = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(err) == 1 and str(db) in err[0] and "move it aside" in err[0]
    assert "Traceback" not in r.stderr
    assert db.read_bytes() == garbage


def test_exam_in_the_past_is_a_usage_error(cardcli_home, deck):
    r = cli(cardcli_home, "study", "--decks", str(deck), "--exam", "2001-01-01")
    assert r.returncode == 2 and "is in the past" in r.stderr


# -- live processes: kill -9 and two sessions ---------------------------------------------

class Live:
    """A `cardcli study` process fed line by line; reads stdout up to a marker (no sleeps)."""

    def __init__(self, home: Path, deck: Path):
        self.p = subprocess.Popen([sys.executable, "-m", "cardcli", "study", "--decks", str(deck), "--deck", "drill"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  env=env(home))
        self.buf = b""

    def until(self, marker: str, timeout: float = 30.0) -> str:
        end = time.monotonic() + timeout
        m = marker.encode()
        fd = self.p.stdout.fileno()
        while m not in self.buf:
            left = end - time.monotonic()
            assert left > 0, f"timed out waiting for {marker!r}; got {self.buf[-500:]!r}"
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 65536)
                assert chunk, f"process ended before {marker!r}: {self.buf[-500:]!r} {self.p.stderr.read()!r}"
                self.buf += chunk
        i = self.buf.index(m) + len(m)
        seen, self.buf = self.buf[:i], self.buf[i:]
        return seen.decode()

    def send(self, text: str) -> None:
        self.p.stdin.write(text.encode())
        self.p.stdin.flush()

    def close(self) -> None:
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait(timeout=30)
        for f in (self.p.stdin, self.p.stdout, self.p.stderr):
            f.close()


def test_kill_9_loses_no_rating(cardcli_home, deck):
    live = Live(cardcli_home, deck)
    try:
        live.until("#1 ")
        live.send("\n")
        live.until("How well")
        live.send("4\n")
        live.until("#2 ")  # the next card shows only after the rating is committed
        live.send("\n")
        live.until("How well")
        live.send("2\n")
        live.until("#3 ")
        os.kill(live.p.pid, signal.SIGKILL)
        assert live.p.wait(timeout=30) == -signal.SIGKILL
    finally:
        live.close()
    assert rows(cardcli_home) == [("q-stride", 4, "review"), ("q-pad", 2, "review")]


def test_two_concurrent_sessions_both_commit(cardcli_home, deck):
    a, b = Live(cardcli_home, deck), Live(cardcli_home, deck)
    try:
        a.until("#1 ")
        b.until("#1 ")
        for n, (ra, rb) in enumerate([(5, 4), (3, 5), (4, 3)], start=2):
            a.send(f"\n{ra}\n")
            b.send(f"\n{rb}\n")
            a.until(f"#{n} ")
            b.until(f"#{n} ")
        a.send("q\n")
        b.send("q\n")
        a.until("Session over")
        b.until("Session over")
        assert a.p.wait(timeout=30) == 0 and b.p.wait(timeout=30) == 0
    finally:
        a.close()
        b.close()
    got = rows(cardcli_home)
    assert len(got) == 6
    assert sorted(r[:2] for r in got) == sorted([("q-stride", 5), ("q-stride", 4), ("q-pad", 3), ("q-pad", 5),
                                                 ("q-relu", 4), ("q-relu", 3)])


def test_matrix_answer_typed_row_by_row_marks_wrong_cells(cardcli_home, tmp_path):
    """A numeric deck card with a matrix answer: rows typed one per line, the wrong cell is shown."""
    deck = tmp_path / "m.yaml"
    deck.write_text(
        "deck: Matrices\nsource: t\ncards:\n"
        "  - id: m-conv\n    topic: conv\n    type: numeric\n    front: Correlate.\n    back: See the table.\n"
        "    answer: [[1, 2], [3, 4]]\n"
        "    check: {fn: conv2d, args: {input: [[1, 2], [3, 4]], weight: [[1]]}}\n"
    )
    r = cli(cardcli_home, "study", "--deck", "Matrices", "--decks", str(deck), stdin="1 2\n3 5\n\n1\nq\n")
    assert r.returncode == 0, r.stderr
    assert "1 of 4 cells wrong at [row, column], counting from 0: [1, 1]" in r.stdout
    assert "5 ✗" in r.stdout
    assert rows(cardcli_home) == [("m-conv", 1, "review")]


def test_unknown_topic_is_a_one_line_error_with_a_hint(cardcli_home):
    r = cli(cardcli_home, "study", "--topic", "poling")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.startswith("cardcli: --topic: unknown topic 'poling' (did you mean 'pooling'?)")
    assert len(r.stderr.strip().splitlines()) == 1


def test_new_cards_come_from_every_deck_in_turn(tmp_path):
    from cardcli.loader import load_collection
    from cardcli.selection import select_cards

    a = tmp_path / "a.yaml"
    b = tmp_path / "b.yaml"
    a.write_text("deck: A\nsource: s\ncards:\n" + "".join(
        f"  - {{id: a{i}, topic: conv, front: f, back: b}}\n" for i in range(1, 4)))
    b.write_text("deck: B\nsource: s\ncards:\n  - {id: b1, topic: conv, front: f, back: b}\n")
    col = load_collection([a, b], include_bundled=False)
    ids = [c.id for c in select_cards(col, ["A", "B"], [])]
    assert ids == ["a1", "b1", "a2", "a3"]


def test_interleave_and_spread_orders(tmp_path):
    """Decks of 3, 1 and 2 cards in turn; 3 generated cards spread among the 6.

    step = 6 / (3 + 1) = 1.5, so the generated cards follow the first round(1.5) = 2,
    round(3.0) = 3 and round(4.5) = 4 (round half to even) deck cards.
    """
    from cardcli.loader import load_collection
    from cardcli.selection import select_cards

    for name, n in (("a", 3), ("b", 1), ("c", 2)):
        (tmp_path / f"{name}.yaml").write_text(f"deck: {name.upper()}\nsource: s\ncards:\n" + "".join(
            f"  - {{id: {name}{i}, topic: memory, front: f, back: b}}\n" for i in range(1, n + 1)))
    col = load_collection([tmp_path], include_bundled=False)
    ids = [c.id for c in select_cards(col, [], ["memory"])]
    # memory has one generated family (activation-memory) at difficulties 1-3 when --topic is given
    assert ids == ["a1", "b1", "gen:activation-memory:d1", "c1", "gen:activation-memory:d2", "a2",
                   "gen:activation-memory:d3", "c2", "a3"]
