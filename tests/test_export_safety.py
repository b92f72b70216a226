"""`cardcli export anki -o` against FIFOs, symlinks, a full disk; `--deck generated` (issue 10, item 8)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cardcli.export_anki import HEADER


def run(home: Path, *args: str, cwd: Path | None = None, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    env = {**os.environ, "CARDCLI_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "200"}
    env.pop("CARDCLI_DECKS", None)
    return subprocess.run([sys.executable, "-m", "cardcli", "export", "anki", *args], stdout=stdout,
                          stderr=subprocess.PIPE, text=True, env=env, cwd=cwd, timeout=20)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_refused_without_waiting(tmp_path, cardcli_home):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    r = run(cardcli_home, "-o", str(fifo))  # timeout=20: a hang fails the test
    assert r.returncode == 2
    assert r.stderr == f"cardcli: {fifo} is not a regular file (a FIFO, device or socket); use -o - to write to " \
                       f"standard output\n"


def test_symlink_is_refused_and_left_alone(tmp_path, cardcli_home):
    target = tmp_path / "elsewhere.txt"
    target.write_text(HEADER + "an earlier export, owned by someone else\n")
    link = tmp_path / "cards.txt"
    link.symlink_to(target)
    r = run(cardcli_home, "-o", str(link))
    assert r.returncode == 2 and "is a symbolic link" in r.stderr and r.stderr.count("\n") == 1
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == HEADER + "an earlier export, owned by someone else\n"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_stdout_on_a_full_disk_is_one_line(cardcli_home):
    with open("/dev/full", "w") as full:
        r = run(cardcli_home, "-o", "-", stdout=full)
    assert r.returncode == 1
    assert r.stderr == "cardcli: cannot write to standard output: No space left on device\n"


def test_stdout_closed_early_is_one_line(cardcli_home):
    env = {**os.environ, "CARDCLI_HOME": str(cardcli_home)}
    p = subprocess.Popen([sys.executable, "-m", "cardcli", "export", "anki", "-o", "-"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env)
    p.stdout.close()  # the reader is gone before anything was written (like `| head -0`)
    _, err = p.communicate(timeout=20)
    assert p.returncode == 1 and err.decode() == "cardcli: cannot write to standard output: Broken pipe\n"


def test_deck_generated_exports_one_problem_per_family(tmp_path, cardcli_home):
    from generators.catalog import CATALOG

    r = run(cardcli_home, "--deck", "generated", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = tmp_path / "cardcli-generated.txt"
    rows = [line.split("\t") for line in out.read_text().splitlines() if not line.startswith("#")]
    assert len(rows) == len(CATALOG)  # no deck card, one problem for each family
    assert sorted(row[2] for row in rows) == sorted(f"cardcli::Generated::{name}" for name in CATALOG)
    assert r.stderr.startswith(f"wrote {len(CATALOG)} notes (0 cards and {len(CATALOG)} generated problems)")


def test_deck_generated_with_a_topic_and_count(tmp_path, cardcli_home):
    r = run(cardcli_home, "--deck", "generated", "--topic", "pooling", "--generated", "2", "-o", "-")
    assert r.returncode == 0, r.stderr
    decks = [line.split("\t")[2] for line in r.stdout.splitlines() if not line.startswith("#")]
    from generators.catalog import CATALOG

    pooling = [name for name, (topics, _) in CATALOG.items() if "pooling" in topics]
    assert pooling and sorted(decks) == sorted(f"cardcli::Generated::{n}" for n in pooling for _ in range(2))


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_any_command_on_a_full_disk_is_one_line(cardcli_home):
    env = {**os.environ, "CARDCLI_HOME": str(cardcli_home)}
    with open("/dev/full", "w") as full:
        r = subprocess.run([sys.executable, "-m", "cardcli", "decks"], stdout=full, stderr=subprocess.PIPE,
                           text=True, env=env, timeout=20)
    assert r.returncode == 1 and r.stderr == "cardcli: cannot write output: the disk is full\n"
