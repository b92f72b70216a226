"""Shell completion (typer's own) and whole `--help` summaries.

Completion is exercised the way a shell does it: the script `--show-completion` prints is sourced
in a real bash, which calls cardcli with typer's environment protocol; zsh and fish through the same
protocol directly.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DECK = """\
deck: My Own Deck
source: tests
cards:
  - id: own-1
    topic: conv
    front: Q?
    back: A.
"""


def cardcli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "cardcli", *args], capture_output=True, text=True, env=full,
                          timeout=120)


def bin_dir() -> str:
    return str(Path(sys.executable).parent)


SCRIPT_MARKERS = {"bash": "complete -o default -F _cardcli_completion cardcli",
                  "zsh": "compdef _cardcli_completion cardcli",
                  "fish": "complete --command cardcli"}


def show_completion(shell: str) -> str:
    """`cardcli --show-completion` run from ``shell`` (typer detects the shell from its parent process)."""
    env = {**os.environ, "PATH": bin_dir() + os.pathsep + os.environ.get("PATH", "")}
    r = subprocess.run([shell, "-c", "cardcli --show-completion"], capture_output=True, text=True, env=env,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.mark.parametrize("shell", list(SCRIPT_MARKERS))
def test_completion_scripts_are_produced(shell):
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    script = show_completion(shell)
    assert SCRIPT_MARKERS[shell] in script and "_CARDCLI_COMPLETE" in script


def test_install_completion_writes_the_script_and_sources_it(tmp_path):
    r = cardcli("--install-completion", "bash", env={"HOME": str(tmp_path), "SHELL": "/bin/bash"})
    assert r.returncode == 0, r.stderr
    script = tmp_path / ".bash_completions" / "cardcli.sh"
    assert "_cardcli_completion" in script.read_text()
    assert f"source '{script}'" in (tmp_path / ".bashrc").read_text()


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize("words, expected", [
    ("cardcli st", ["study", "stats"]),
    ("cardcli import-", ["import-reviews"]),
    ("cardcli study --topic po", ["pooling", "pool-backward", "pool-forward", "pool-output-size"]),
    ("cardcli generate conv-", ["conv-backward", "conv-forward", "conv-output-size"]),
    ("cardcli due --deck my", ["my-deck"]),
    ("cardcli search --deck gen", ["generated"]),
    ("cardcli show own", ["own-1"]),
])
def test_real_bash_completes_commands_topics_families_and_decks(tmp_path, words, expected):
    deck = tmp_path / "my-deck.yaml"
    deck.write_text(DECK)
    script = show_completion("bash")
    (tmp_path / "c.sh").write_text(script)
    n = len(words.split()) - 1
    prog = (f"source {tmp_path / 'c.sh'}; COMP_WORDS=({words}); COMP_CWORD={n}; _cardcli_completion cardcli; "
            'printf "%s\\n" "${COMPREPLY[@]}"')
    env = {**os.environ, "PATH": bin_dir() + os.pathsep + os.environ.get("PATH", ""), "CARDCLI_DECKS": str(deck)}
    r = subprocess.run(["bash", "-c", prog], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == expected


def test_zsh_protocol_describes_decks_by_display_name(tmp_path):
    deck = tmp_path / "my-deck.yaml"
    deck.write_text(DECK)
    r = cardcli(env={"_CARDCLI_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "cardcli study --deck my",
                     "CARDCLI_DECKS": str(deck)})
    assert '"my-deck":"My Own Deck"' in r.stdout


MODULES = """
import sys
from cardcli.cli import app
app._add_completion = {flag}
sys.argv = ["cardcli", *{args!r}]
try:
    app()
except SystemExit:
    pass
print(",".join(sorted(sys.modules)), file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["--version"], ["decks"], ["export", "anki", "--help"]])
def test_completion_costs_plain_commands_no_import(args, tmp_path):
    """The modules a plain command loads are the same with completion switched on and off."""
    sets = []
    # a first run fills the parse cache (the bundled decks are cached), so both measured runs read it
    subprocess.run([sys.executable, "-c", MODULES.format(flag=False, args=args)], capture_output=True, timeout=120,
                   cwd=tmp_path)
    for flag in (False, True):
        r = subprocess.run([sys.executable, "-c", MODULES.format(flag=flag, args=args)], capture_output=True,
                           text=True, timeout=120, cwd=tmp_path)
        sets.append(set(r.stderr.strip().splitlines()[-1].split(",")))
    assert sets[0] == sets[1]
    assert "cardcli.completion" not in sets[1]


def test_help_summaries_are_whole_at_140_columns():
    from cardcli.cli import app

    for group in ([], ["exam"], ["export"]):
        r = cardcli(*group, "--help", env={"COLUMNS": "140"})
        assert r.returncode == 0, r.stderr
        body = "\n".join(line for line in r.stdout.splitlines() if not line.startswith("Usage:"))
        assert "..." not in body and "…" not in body
        assert max(len(line) for line in r.stdout.splitlines()) <= 140
    # every top-level command's first sentence, whole, on its own line
    r = cardcli("--help", env={"COLUMNS": "140"})
    lines = [" ".join(line.split()) for line in r.stdout.splitlines()]
    for info in app.registered_commands:
        doc = info.callback.__doc__ or ""
        first = " ".join(doc.split("\n\n")[0].split())
        first = first[: first.index(". ") + 1] if ". " in first else first
        name = info.name or info.callback.__name__
        assert f"{name} {first}" in lines, name


def test_help_summaries_wrap_rather_than_cut_at_60_columns():
    r = cardcli("--help", env={"COLUMNS": "60"})
    assert "..." not in r.stdout.split("\n", 1)[1]  # after the Usage line ("[ARGS]...")
    assert "Bring back reviews done in Anki on cards exported by cardcli (Again 1, Hard 3, Good 4, Easy 5)." in \
        " ".join(r.stdout.split())
