"""The foundation commands from the outside: version, help, decks, check, the wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import cardcli
from cardcli.loader import load_collection
from cardcli.paths import bundled_decks_dir

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = ["decks", "check", "study", "due", "stats", "optimize", "quiz", "generate", "export", "export anki",
            "show", "search", "import-reviews"]


def run(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "cardcli", *args], capture_output=True, text=True,
                          cwd=cwd, env=full_env, timeout=120)


def test_version():
    r = run("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"cardcli {cardcli.__version__}"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    r = run(*command.split(), "--help")
    assert r.returncode == 0, r.stderr
    assert "Usage:" in r.stdout and len(r.stdout.splitlines()) > 3


def test_decks_lists_bundled_decks_with_counts(tmp_path):
    col = load_collection()
    r = run("decks", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert f"{len(col.cards)} cards in {len(col.decks)} decks" in r.stdout
    for deck in col.decks:
        assert deck.name in r.stdout


def test_check_clean_bundled_decks_exit_0():
    r = run("check")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("ok:")


def test_check_bad_file_reports_file_line_exit_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("deck: X\nsource: y\ncards:\n  - id: a\n    topic: conv\n    front: f\n    bakc: b\n")
    r = run("check", str(bad))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert f"{bad}:7: unknown card key 'bakc' (did you mean 'back'?)" in r.stderr.splitlines()
    assert f"{bad}:4: card is missing 'back'" in r.stderr.splitlines()


def test_user_deck_via_option_and_env(tmp_path):
    deck = tmp_path / "mine.yaml"
    deck.write_text("deck: My own deck\nsource: notes\ncards:\n  - {id: mine-1, topic: knn, front: f, back: b}\n")
    r = run("decks", "--decks", str(deck))
    assert "My own deck" in r.stdout
    r = run("decks", env={"CARDCLI_DECKS": os.pathsep.join([str(tmp_path), str(tmp_path / "missing")])})
    assert "My own deck" in r.stdout
    assert "no such deck file or folder" in r.stderr  # warned, and the others still listed


def test_broken_user_deck_warns_and_goes_on(tmp_path):
    (tmp_path / "bad.yaml").write_text("deck: [\n")
    r = run("decks", "--decks", str(tmp_path))
    assert r.returncode == 0
    assert "warning:" in r.stderr and "bad.yaml:" in r.stderr and "Traceback" not in r.stderr
    assert "Quiz 3" in r.stdout


def test_bundled_ids_unique_and_every_deck_validates():
    col = load_collection()
    assert col.issues == []
    ids = [c.id for c in col.cards]
    assert len(ids) == len(set(ids))
    assert len(col.decks) == 5


def test_nothing_reads_shared():
    """The project is self-contained: no code or test refers to the shared seed folder."""
    needle = "shared" + "/seeds"
    for path in list(ROOT.glob("cardcli/**/*.py")) + list(ROOT.glob("generators/**/*.py")) + list(
        ROOT.glob("tests/**/*.py")
    ):
        assert needle not in path.read_text(encoding="utf-8"), path


def test_wheel_ships_decks_and_finds_them_from_any_directory(tmp_path):
    """Build a real (non-editable) wheel, unpack it, and run `cardcli decks` from elsewhere."""
    pytest.importorskip("hatchling")
    out = tmp_path / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(out), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = out.glob("cardcli-*.whl")
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        z.extractall(tmp_path / "site")
    bundled = sorted(p.name for p in bundled_decks_dir().glob("*.yaml"))
    assert sorted(Path(n).name for n in names if n.startswith("cardcli/_cards/")) == bundled
    assert "cardcli/data/midterm.yaml" in names  # the default mock-exam template
    assert "cardcli/data/cs231n.yaml" in names  # the CS231N-style one (exam mock --template cs231n)
    for sub in ("store/history.py", "scheduler/queue.py", "importing/anki.py", "mock/exam.py", "fileout.py"):
        assert f"cardcli/{sub}" in names  # the subpackages ship too
    assert "generators/families/conv_forward.py" in names
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"PYTHONPATH": str(tmp_path / "site")}
    r = subprocess.run(
        [sys.executable, "-c", "import cardcli.paths as p; print(p.bundled_decks_dir())"],
        capture_output=True, text=True, cwd=elsewhere, env={**os.environ, **env}, timeout=60,
    )
    assert r.stdout.strip() == str(tmp_path / "site" / "cardcli" / "_cards")
    r = run("decks", cwd=elsewhere, env=env)
    assert r.returncode == 0, r.stderr
    col = load_collection()
    assert f"{len(col.cards)} cards in {len(col.decks)} decks" in r.stdout
    r = run("exam", "mock", "--seed", "1", "--print", "-", cwd=elsewhere, env=env)  # the shipped template
    assert r.returncode == 0 and "# Midterm II (mock)" in r.stdout and "## Answer key" in r.stdout, r.stderr


def test_study_and_help_start_without_numpy():
    """Start-up stays light: NumPy and the solver load only when a problem is generated."""
    code = (
        "import sys; import cardcli.cli, cardcli.commands.study, cardcli.commands.due, cardcli.session, "
        "cardcli.scheduler, cardcli.store, cardcli.loader, cardcli.deckparse; "
        "from cardcli.session import generated_cards; cards = generated_cards(); assert cards; "
        "print(sorted(m for m in ('numpy', 'generators.families', 'pydantic') if m in sys.modules))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def test_native_windows_is_declared_unsupported_in_one_line(monkeypatch, capsys):
    import cardcli.cli as cli

    monkeypatch.setattr(cli.sys, "platform", "win32")
    with pytest.raises(SystemExit) as e:
        cli.main()
    assert e.value.code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not supported" in err and "WSL" in err and "Traceback" not in err
