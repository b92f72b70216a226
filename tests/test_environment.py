"""No traceback from the environment (issue 23): a non-UTF-8 terminal, odd TZ values, a file-size limit
(EFBIG), a full disk at start-up (named as such; stats and due still shown, read-only)."""

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

runner = CliRunner()
NOW = "2026-12-01T09:00:00+00:00"


def _run(home: Path, *args: str, input: str = "", env: dict[str, str] | None = None, preexec=None,
         cwd: Path | None = None) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if k not in ("CARDCLI_DECKS", "PYTHONIOENCODING", "PYTHONUTF8")}
    full.update(CARDCLI_HOME=str(home), NO_COLOR="1", COLUMNS="100", CARDCLI_NOW=NOW, **(env or {}))
    return subprocess.run([sys.executable, "-m", "cardcli", *args], input=input.encode("latin-1"),
                          capture_output=True, env=full, timeout=120, preexec_fn=preexec, cwd=cwd)


# -- a terminal that cannot show every character ---------------------------------------------------------------
LATIN1 = {"PYTHONIOENCODING": "iso-8859-1"}


@pytest.mark.parametrize("argv", [["stats"], ["due"], ["decks"], ["exam"], ["generate", "--list"]])
def test_display_commands_fall_back_to_ascii_on_a_latin1_terminal(cardcli_home, argv):
    r = _run(cardcli_home, *argv, env=LATIN1)
    assert r.returncode == 0, r.stderr.decode("latin-1")
    assert b"Traceback" not in r.stderr and b"UnicodeEncodeError" not in r.stderr
    text = r.stdout.decode("latin-1")
    assert text.strip() and not set(text) & set("\u2014\u2212\u03a3\u2192")


def test_a_mock_exam_on_a_latin1_terminal_is_sat_and_kept(cardcli_home):
    r = _run(cardcli_home, "exam", "mock", "--seed", "3", input="\n" * 8, env=LATIN1)  # Midterm II: 8 questions
    assert r.returncode == 0, r.stderr.decode("latin-1")
    out = r.stdout.decode("latin-1")
    assert "Score: 0/120 -- 0 of 8 answered" in out  # '—' as '--'
    con = sqlite3.connect(cardcli_home / "cardcli.sqlite3")
    try:
        assert con.execute("SELECT count(*) FROM reviews WHERE kind = 'mock'").fetchone() == (8,)
        assert con.execute("SELECT stopped FROM mock_exams").fetchall() == [("done",)]
    finally:
        con.close()


def test_data_outputs_stay_lossless_on_a_latin1_terminal(cardcli_home):
    utf8 = _run(cardcli_home, "generate", "conv-forward", "-n", "2", env={"PYTHONIOENCODING": "utf-8"})
    latin = _run(cardcli_home, "generate", "conv-forward", "-n", "2", env=LATIN1)
    assert latin.returncode == 0, latin.stderr
    parse = lambda b, enc: [json.loads(x) for x in b.decode(enc).splitlines()]  # noqa: E731
    assert parse(latin.stdout, "latin-1") == parse(utf8.stdout, "utf-8")  # \u escapes, nothing replaced
    doc = _run(cardcli_home, "exam", "mock", "--seed", "3", "--print", "-", env=LATIN1)
    assert doc.returncode == 0 and "\u2212" in doc.stdout.decode("utf-8")  # the document is UTF-8 as a file is


def test_stand_ins():
    from cardcli.charset import stand_in

    assert [stand_in(c) for c in "\u2014\u2212\u03a3\u00d7\u00e9\u4e2d"] == ["--", "-", "Sum", "x", "e", "?"]


# -- odd time zones -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("tz", ["UTC+24", "UTC-24", "XYZ+25", "<+1430>-14:30", ":no/such/zone", "A-24B,M3.2.0,M11.1.0"])
def test_history_commands_work_in_any_posix_time_zone(cardcli_home, tz):
    r = _run(cardcli_home, "quiz", "-n", "1", "--seed", "1", input="0\n", env={"TZ": tz})
    assert r.returncode == 0, r.stderr.decode()
    for argv in (["stats"], ["due", "-n", "1"], ["exam", "mock", "--seed", "1", "--print", "-"]):
        r = _run(cardcli_home, *argv, env={"TZ": tz})
        assert r.returncode == 0 and b"Traceback" not in r.stderr, (tz, argv, r.stderr.decode())


def test_a_day_long_offset_keeps_the_local_date(monkeypatch):
    """TZ=UTC+24 is local = UTC - 24 h: the nearest zone Python has (a minute short) gives yesterday."""
    from datetime import datetime, timezone

    from cardcli.studyday import local_zone

    monkeypatch.setenv("TZ", "UTC+24")
    zone = local_zone()
    noon = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
    assert noon.astimezone(zone).date().isoformat() == "2026-11-30"


# -- a file-size limit (EFBIG) and a full disk -----------------------------------------------------------------
def _no_file_growth() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_FSIZE, (0, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX limits")
def test_a_file_size_limit_is_one_line_and_reading_still_works(cardcli_home, tmp_path):
    r = _run(cardcli_home, "quiz", "-n", "1", "--seed", "1", input="0\n")
    assert r.returncode == 0
    for side in cardcli_home.glob("*.sqlite3-*"):
        side.unlink()  # a clean close: everything is in the main file
    r = _run(cardcli_home, "export", "anki", "-o", str(tmp_path / "x.txt"), preexec=_no_file_growth)
    assert r.returncode == 1 and r.stderr.decode().count("\n") == 1 and "ulimit -f" in r.stderr.decode()
    assert not (tmp_path / "x.txt").exists() and list(tmp_path.glob(".x.txt*")) == []
    r = _run(cardcli_home, "quiz", "-n", "1", "--seed", "1", input="0\n", preexec=_no_file_growth)
    assert r.returncode == 1 and b"Traceback" not in r.stderr and b"ulimit -f" in r.stderr
    r = _run(cardcli_home, "stats", preexec=_no_file_growth)
    assert r.returncode == 0, r.stderr.decode()
    assert b"shown read-only" in r.stderr and b"1 reviews" in r.stdout
    r = _run(cardcli_home, "generate", "conv-forward", "-n", "5", preexec=_no_file_growth, env={})
    assert r.returncode == 0  # a pipe is not a file: no limit there


def test_a_full_disk_at_start_up_is_named_and_stats_still_shows(cardcli_home, monkeypatch):
    r = runner.invoke(app, ["quiz", "-n", "1", "--seed", "1"], input="0\n", env={"CARDCLI_NOW": NOW})
    assert r.exit_code == 0, r.output
    from cardcli.store import errors, history

    def full(self) -> None:  # SQLite cannot grow its shared-memory file: it says only "disk I/O error"
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(history.Store, "_probe_write", full)
    monkeypatch.setattr(errors, "_disk_full", lambda path: True)
    monkeypatch.setattr(errors, "_size_limit", lambda: None)
    r = runner.invoke(app, ["quiz", "-n", "1", "--seed", "2"], input="0\n")
    assert r.exit_code != 0 and "the disk is full" in str(r.exception)
    r = runner.invoke(app, ["stats"], env={"CARDCLI_NOW": NOW})
    assert r.exit_code == 0, r.output
    assert "the disk is full" in r.output and "shown read-only" in r.output and "1 reviews" in r.output
    r = runner.invoke(app, ["due", "-n", "1"], env={"CARDCLI_NOW": NOW})
    assert r.exit_code == 0, r.output
