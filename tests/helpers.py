"""Small helpers shared by test modules (independent references, bundled-deck loading)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from cardcli.deckparse import load_file
from cardcli.model import Deck
from cardcli.paths import bundled_decks_dir

__all__ = ["load_bundled", "logged_ratings", "numerical_grad"]


def load_bundled(file_name: str) -> Deck:
    """One bundled deck, asserting it loads without a single issue."""
    deck, issues = load_file(bundled_decks_dir() / file_name, bundled=True)
    assert issues == []
    assert deck is not None
    return deck


def numerical_grad(fn, arr: np.ndarray, eps: float = 1e-4) -> np.ndarray:
    """Central differences of the scalar ``fn()`` w.r.t. every entry of ``arr`` (modified in place, restored)."""
    grad = np.zeros_like(arr)
    for idx in np.ndindex(arr.shape):
        old = arr[idx]
        arr[idx] = old + eps
        plus = fn()
        arr[idx] = old - eps
        minus = fn()
        arr[idx] = old
        grad[idx] = (plus - minus) / (2 * eps)
    return grad


def logged_ratings(home: Path) -> list[tuple[str, int]]:
    """(card id, rating) of every row of the review log in ``home``, read with plain SQL."""
    con = sqlite3.connect(str(home / "cardcli.sqlite3"))
    try:
        return con.execute("SELECT card_id, rating FROM reviews ORDER BY id").fetchall()
    finally:
        con.close()
