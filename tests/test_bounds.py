"""Bounds before work (issue 23): templates only from regular files with a cap, documented maxima for
counts, `generate` streaming, `import` linear and limited while reading, the v1 upgrade linear.
Linear is checked by counting SQLite's virtual-machine steps or calls, never by the wall clock."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cardcli.cli import app
from cardcli.limits import EXPORT_GENERATED_MAX, GENERATE_MAX, QUIZ_MAX

runner = CliRunner()
FIXTURES = Path(__file__).parent / "fixtures"


def _cardcli(home: Path, *args: str, timeout: float = 60, **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "CARDCLI_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "200"}
    env.pop("CARDCLI_DECKS", None)
    return subprocess.run([sys.executable, "-m", "cardcli", *args], capture_output=True, text=True, env=env,
                          timeout=timeout, **kw)


# -- --template: a regular file, read with a cap ------------------------------------------------------------
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_template_from_a_device_is_refused_without_reading_it(cardcli_home, device):
    if not Path(device).exists():
        pytest.skip(f"no {device}")
    r = _cardcli(cardcli_home, "exam", "mock", "--template", device, "--print", "-", timeout=30)
    assert r.returncode != 0 and "not a regular file" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_template_from_a_fifo_is_refused_without_waiting(tmp_path, cardcli_home):
    fifo = tmp_path / "t.yaml"
    os.mkfifo(fifo)  # nobody writes to it: opening it for reading would wait forever
    r = _cardcli(cardcli_home, "exam", "mock", "--template", str(fifo), "--print", "-", timeout=30)
    assert r.returncode != 0 and "not a regular file" in r.stderr


def test_template_from_a_pipe_is_refused(tmp_path, cardcli_home):
    r = subprocess.run(f"yes 'title: x' | {sys.executable} -m cardcli exam mock --template /dev/stdin --print -",
                       shell=True, capture_output=True, text=True, timeout=30,
                       env={**os.environ, "CARDCLI_HOME": str(cardcli_home)})
    assert r.returncode != 0 and "not a regular file" in r.stderr


def test_a_huge_template_file_is_refused_by_size(tmp_path):
    from cardcli.limits import TEMPLATE_MAX_BYTES

    big = tmp_path / "big.yaml"
    big.write_text("# " + "x" * TEMPLATE_MAX_BYTES + "\n")
    r = runner.invoke(app, ["exam", "mock", "--template", str(big), "--print", "-"])
    assert r.exit_code != 0 and f"bytes; at most {TEMPLATE_MAX_BYTES:,}" in str(r.exception)


# -- documented maxima for counts --------------------------------------------------------------------------
@pytest.mark.parametrize("argv,limit", [
    (["quiz", "-n"], QUIZ_MAX), (["generate", "conv-forward", "-n"], GENERATE_MAX),
    (["export", "anki", "-o", "-", "--generated"], EXPORT_GENERATED_MAX),
])
def test_counts_past_their_maximum_are_a_usage_error(argv, limit):
    r = runner.invoke(app, [*argv, str(limit + 1)], input="q\n")
    assert r.exit_code == 2 and f"{limit}" in r.output and "Traceback" not in r.output


def test_generate_prints_each_problem_as_it_is_made(monkeypatch):
    """The third problem fails to be made: the first two are already out (old code built all first)."""
    import generators.families as fam

    real = fam.problem
    calls = []

    def problem(family, seed, difficulty, index):
        calls.append(index)
        if index == 2:
            raise RuntimeError("stop here")
        return real(family, seed, difficulty, index)

    monkeypatch.setattr(fam, "problem", problem)
    r = runner.invoke(app, ["generate", "conv-forward", "-n", str(GENERATE_MAX)])
    assert isinstance(r.exception, RuntimeError) and calls == [0, 1, 2]
    lines = r.stdout.splitlines()
    assert [json.loads(x)["id"] for x in lines] == ["conv-forward-d1-s0-0", "conv-forward-d1-s0-1"]


# -- import: linear, limits while reading -----------------------------------------------------------------
def test_quizlet_line_numbers_are_counted_once(tmp_path, monkeypatch):
    """Line numbers come from one pass: str.count is called a bounded number of times per row."""
    from cardcli.importing import quizlet

    rows = 2000
    text = "".join(f"term {i}\tdefinition {i}\n" if i % 500 else f"no separator {i}\n" for i in range(rows))
    parsed = quizlet.parse(text, "f.txt")
    # only the first line has no card before it; a later line without a separator continues the
    # definition above it (Quizlet writes a definition's line breaks as they are)
    assert [w.line for w in parsed.warnings] == [1]
    assert [p.line for p in parsed.pairs[:3]] == [2, 3, 4]
    assert parsed.pairs[498].line == 500 and parsed.pairs[498].back == "definition 499\nno separator 500"
    scanned = []

    class Counting(str):
        def count(self, sub, *args):  # type: ignore[override]
            start = args[0] if args else 0
            end = args[1] if len(args) > 1 else len(self)
            scanned.append(end - start)
            return str.count(self, sub, *args)

        def split(self, *a, **k):  # type: ignore[override]
            return [Counting(x) for x in str.split(self, *a, **k)]

    quizlet.parse(Counting(text), "f.txt")
    assert sum(scanned) <= 2 * len(text)  # linear: the old code rescanned from the start for every row


def test_topic_guess_matches_a_keyword_by_keyword_count():
    import random
    import re

    from cardcli.importing.build import KEYWORDS, guess_topic

    def naive(front: str, back: str) -> str | None:  # one regex per keyword, as the docs describe it
        f, b = front.casefold(), back.casefold()
        best, best_score = None, 0
        for topic, words in KEYWORDS.items():
            score = sum(2 * len(re.findall(r"(?<![a-z0-9])" + re.escape(w), f))
                        + len(re.findall(r"(?<![a-z0-9])" + re.escape(w), b)) for w in words)
            if score > best_score:
                best, best_score = topic, score
        return best

    words = [w for ws in KEYWORDS.values() for w in ws] + ["x", "a1", "-", "é", " ", ""]
    rng = random.Random(7)
    for _ in range(2000):
        front = rng.choice(["", " ", "-", "a"]).join(rng.choice(words) for _ in range(rng.randint(0, 10)))
        back = " ".join(rng.choice(words) for _ in range(rng.randint(0, 4)))
        assert guess_topic(front, back) == naive(front, back), (front, back)


def test_topic_guess_is_one_regex_pass_per_text(monkeypatch):
    import re

    from cardcli.importing import build

    calls = []
    real = re.findall
    monkeypatch.setattr(re, "findall", lambda *a, **k: calls.append(a) or real(*a, **k))
    assert build.guess_topic("What does the stride of a convolution do to the output size?", "It divides it.") \
        == "conv"
    assert calls == []  # the old guess ran ~165 findall calls per text


def test_a_huge_line_is_rejected_before_the_file_is_read(tmp_path, monkeypatch):
    from cardcli.importing import text as text_mod
    from cardcli.importing.model import ImportFileError

    path = tmp_path / "huge.txt"
    size = 8 * text_mod.MAX_LINE_BYTES
    path.write_bytes(b"q\ta\n" + b"x" * size + b"\n")
    reads = []
    real_read = text_mod._CHUNK
    monkeypatch.setattr(text_mod, "_CHUNK", 64 * 1024)
    del real_read

    import io

    real_open = os.fdopen

    def counting_fdopen(fd, mode="r", *a, **k):
        f = real_open(fd, mode, *a, **k)
        if "b" in mode:
            orig = f.read

            class Wrapped(io.BufferedReader):
                pass

            def read(n=-1):
                data = orig(n)
                reads.append(len(data))
                return data

            f.read = read  # type: ignore[method-assign]
        return f

    monkeypatch.setattr(os, "fdopen", counting_fdopen)
    with pytest.raises(ImportFileError, match=r"huge.txt:2: a line longer than 400,000 bytes"):
        text_mod.read_text(path)
    assert sum(reads) <= text_mod.MAX_LINE_BYTES + 3 * 64 * 1024 < size  # stopped early, not at the end


def test_import_bad_separator_escape_is_one_line(tmp_path):
    src = tmp_path / "c.txt"
    src.write_text("a\tb\n")
    for bad in ("\\x", "\\u12", "\\N{nope}"):
        r = runner.invoke(app, ["import", str(src), "--term-sep", bad, "--dry-run"])
        assert r.exit_code == 2 and f"separator {bad!r}" in r.output, (bad, r.output, r.exception)
        assert isinstance(r.exception, SystemExit)  # a one-line message, not a traceback
    r = runner.invoke(app, ["import", str(src), "--term-sep", "\\x1f", "--row-sep", "\\u2028", "--dry-run"])
    assert "separator '" not in r.output and "escape" not in r.output


# -- the schema-v1 upgrade is linear -----------------------------------------------------------------------
def _v1_file(path: Path, cards: int) -> Path:
    con = sqlite3.connect(str(path))
    con.executescript((FIXTURES / "schema_v1.sql").read_text())
    fsrs = ('{"card_id": 0, "state": 2, "step": null, "stability": 12.5, "difficulty": 4.2, '
            '"due": "2026-10-13T09:10:00+00:00", "last_review": "2026-10-01T09:10:00+00:00"}')
    con.executemany("INSERT INTO card_state (card_id, fsrs, due) VALUES (?, ?, ?)",
                    [(f"c{i}", fsrs, "2026-10-13T09:10:00.000000+00:00") for i in range(cards)])
    con.executemany("INSERT INTO reviews (card_id, reviewed_at, rating) VALUES (?, ?, ?)",
                    [(f"c{i}", f"2026-10-01T09:{k:02d}:00.000000+00:00", 3) for i in range(cards) for k in range(3)])
    con.commit()
    con.close()
    return path


def _upgrade_steps(path: Path, monkeypatch) -> int:
    from cardcli.store import Store, history

    steps = [0]
    real = history._connect

    def connect(p):
        con = real(p)

        def tick() -> int:
            steps[0] += 1
            return 0

        con.set_progress_handler(tick, 100)
        return con

    monkeypatch.setattr(history, "_connect", connect)
    with Store.open(path) as store:
        assert store.schema_version >= 9 and store.review_count() > 0
    return steps[0]


def test_the_v1_upgrade_is_linear_in_the_history(tmp_path, monkeypatch):
    small = _upgrade_steps(_v1_file(tmp_path / "small.sqlite3", 500), monkeypatch)
    big = _upgrade_steps(_v1_file(tmp_path / "big.sqlite3", 4000), monkeypatch)
    # 8 times the cards: about 8 times the SQLite steps (the old order, index after the query, was ~64 times)
    assert big < 12 * small, (small, big)


def test_the_v1_upgrade_derives_counters_with_the_index():
    con = sqlite3.connect(":memory:")
    con.executescript((FIXTURES / "schema_v1.sql").read_text())
    from cardcli.store.schema import MIGRATIONS

    plans: list[str] = []

    def explain(sql: str) -> None:
        if sql.lstrip().startswith("UPDATE card_state"):
            plans.extend(r[3] for r in con.execute("EXPLAIN QUERY PLAN " + sql).fetchall())

    con.set_trace_callback(explain)
    MIGRATIONS[1][1](con)
    con.set_trace_callback(None)
    assert plans and all("reviews" not in p or "INDEX" in p for p in plans), plans
    assert not any(p.startswith("SCAN r") for p in plans), plans


# -- long work shows a progress bar, on a terminal only -------------------------------------------------------
def test_progress_bar_only_on_a_terminal():
    from io import StringIO

    from rich.console import Console

    from cardcli.progress import progress

    piped = StringIO()
    with progress("Importing 50,000 cards", 50, console=Console(file=piped, width=80)) as advance:
        advance(50)
    assert piped.getvalue() == ""
    tty = StringIO()
    console = Console(file=tty, width=80, force_terminal=True, color_system=None)
    with progress("Importing 50,000 cards", 50, console=console) as advance:
        advance(25)
    seen = tty.getvalue()
    assert "Importing 50,000 cards" in seen and "/50" in seen
    small = StringIO()
    with progress("x", 5, min_total=10, console=Console(file=small, force_terminal=True)) as advance:
        advance(5)
    assert small.getvalue() == ""


def test_optimize_advances_once_per_fit(monkeypatch):
    """The bar of `optimize` moves after each of the N_SPLITS + 1 fits."""
    from datetime import datetime, timedelta, timezone

    from cardcli.optimize import N_SPLITS, fit

    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    attempts = [(f"c{i % 60}", start + timedelta(days=i // 60, hours=i % 7), 1 + (i * 7) % 4) for i in range(1200)]
    steps: list[int] = []
    from fsrs.scheduler import DEFAULT_PARAMETERS

    fit(attempts, DEFAULT_PARAMETERS, advance=steps.append)
    assert steps == [1] * (N_SPLITS + 1)
