"""Moved: the consoles are :mod:`cardcli.console`, ``load_decks`` is :mod:`cardcli.selection`.

Kept only so branches written against the old path merge; nothing in cardcli imports it (a
command importing ``cardcli.commands.*`` fails tests/test_layering.py). Delete after the merge.
"""

from __future__ import annotations

from cardcli.console import err, message, out
from cardcli.selection import load_decks

__all__ = ["out", "err", "load_decks", "message"]
