"""Shared fixtures: no test ever touches the real home directory."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """Point CARDCLI_HOME at a fresh tmp dir and clear CARDCLI_DECKS for every test."""
    home = tmp_path / "cardcli-home"
    home.mkdir()
    monkeypatch.setenv("CARDCLI_HOME", str(home))
    monkeypatch.delenv("CARDCLI_DECKS", raising=False)
    return home


@pytest.fixture
def cardcli_home(_isolated_home):
    """The per-test state dir (same as $CARDCLI_HOME)."""
    return _isolated_home
