"""Start-up: decks seen before come from the parse cache, and then PyYAML is never imported."""

from __future__ import annotations

import subprocess
import sys


def test_decks_from_the_parse_cache_need_no_yaml(tmp_path):
    code = ("import sys; from cardcli.loader import load_collection; col = load_collection(); "
            "print(len(col.cards), 'yaml' in sys.modules)")
    env = {"CARDCLI_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"}
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert first.returncode == 0, first.stderr
    cards, imported = first.stdout.split()
    assert int(cards) > 100 and imported == "True"  # parsed (and cached) on the first run
    again = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.split() == [cards, "False"]
    assert any((tmp_path / "home" / "cache").iterdir())
