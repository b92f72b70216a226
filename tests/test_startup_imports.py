"""Start-up: decks seen before come from the parse cache, and then neither PyYAML nor the deck parser
is imported."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["yaml", "cardcli.deckparse"])
def test_decks_from_the_parse_cache_need_no_yaml_and_no_parser(tmp_path, module):
    """PyYAML and the deck parser (:mod:`cardcli.deckparse`) are imported only for a deck the parse
    cache misses: on a run whose every deck was seen before neither is loaded."""
    code = ("import sys; from cardcli.loader import load_collection; col = load_collection(); "
            f"print(len(col.cards), {module!r} in sys.modules)")
    env = {"CARDCLI_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"}
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert first.returncode == 0, first.stderr
    cards, imported = first.stdout.split()
    assert int(cards) > 100 and imported == "True"  # parsed (and cached) on the first run
    again = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.split() == [cards, "False"]
    assert any((tmp_path / "home" / "cache").iterdir())


def _every_invocation() -> list[list[str]]:
    import typer

    from cardcli.cli import app

    group = typer.main.get_command(app)
    out = []
    for name, cmd in group.commands.items():
        out.append([name, "--help"])
        for sub in getattr(cmd, "commands", {}):
            out.append([name, sub, "--help"])
    return out


def test_the_lean_app_builds_only_the_named_command():
    import typer

    from cardcli.cli import app, app_for

    full = typer.main.get_command(app)
    assert len(full.commands) >= 15
    for name in full.commands:
        lean = typer.main.get_command(app_for([name, "--help"]))
        assert list(lean.commands) == [name]
    assert list(typer.main.get_command(app_for(["exam", "set", "2030-01-01"])).commands) == ["exam"]
    for args in ([], ["--version"], ["stduy"], ["-h"]):  # no command named: the whole table
        assert app_for(args) is app


def test_the_lean_app_parses_exactly_like_the_whole_one(tmp_path, monkeypatch):
    """Every command's and sub-command's help, a usage error and an unknown option: the same text
    and exit code from the one-command copy as from the whole table."""
    from typer.testing import CliRunner

    from cardcli.cli import app, app_for

    monkeypatch.setenv("CARDCLI_HOME", str(tmp_path))
    runner = CliRunner()
    cases = _every_invocation() + [["study", "--new", "-3"], ["due", "--bogus"], ["exam", "set"],
                                   ["export", "anki", "--format", "pdf"], ["study", "--limit"]]
    assert len(cases) > 20
    for args in cases:
        whole = runner.invoke(app, args, prog_name="cardcli")
        lean = runner.invoke(app_for(args), args, prog_name="cardcli")
        assert (lean.exit_code, lean.output) == (whole.exit_code, whole.output), args
        assert whole.exit_code in (0, 2), (args, whole.output)


def test_completion_gets_the_whole_table(monkeypatch):
    from cardcli.cli import app, app_for

    monkeypatch.setenv("_CARDCLI_COMPLETE", "complete_bash")
    assert app_for(["study"]) is app


def test_the_script_ends_at_once_with_every_byte_written_and_the_right_code(tmp_path):
    """``python -m cardcli`` (like the installed script) leaves through ``entry``: os._exit after
    flushing. 2,000 JSON lines through a pipe all arrive, equal to the in-process output; exit
    codes are main's (0, a usage error's 2, a deck error's 2 with its message on stderr)."""
    import json

    from typer.testing import CliRunner

    from cardcli.cli import app

    env = {"CARDCLI_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin", "COLUMNS": "100"}
    args = ["generate", "conv-output-size", "-n", "2000", "--seed", "5"]
    r = subprocess.run([sys.executable, "-m", "cardcli", *args], capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 2000 and [json.loads(x)["id"] for x in lines[:1]]
    assert r.stdout == CliRunner().invoke(app, args).stdout
    bad = subprocess.run([sys.executable, "-m", "cardcli", "study", "--new", "-1"], capture_output=True, text=True,
                         timeout=120, env=env)
    assert bad.returncode == 2 and "--new" in bad.stderr
    deck = tmp_path / "broken.yaml"
    deck.write_text("deck: B\nsource: s\ncards:\n  - {id: x, topic: conv, front: f}\n")
    broken = subprocess.run([sys.executable, "-m", "cardcli", "check", str(deck)], capture_output=True, text=True,
                            timeout=120, env=env)
    assert broken.returncode == 2 and f"{deck}:4" in broken.stderr
