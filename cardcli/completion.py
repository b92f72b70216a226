"""Shell completion of option values: topics, problem families and deck names.

Loaded only while the shell asks for completions (``_CARDCLI_COMPLETE`` set by the script that
``cardcli --install-completion`` installs), never when a command runs: :mod:`cardcli.cli` imports
this module inside its completion callbacks.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["topics", "families", "decks", "card_ids"]


def _starts(text: str, incomplete: str) -> bool:
    return text.casefold().startswith(incomplete.casefold())


def families(incomplete: str) -> list[tuple[str, str]]:
    """Problem families (with their one-line description) starting with ``incomplete``."""
    from generators.catalog import CATALOG

    return [(name, desc) for name, (_topics, desc) in sorted(CATALOG.items()) if _starts(name, incomplete)]


def topics(incomplete: str) -> list[tuple[str, str]]:
    """Topics, then problem families: what ``--topic`` accepts."""
    from cardcli.topics import TOPICS

    return [(t, "topic") for t in sorted(TOPICS) if _starts(t, incomplete)] + families(incomplete)


def decks(incomplete: str, extra: list[Path] | None = None) -> list[tuple[str, str]]:
    """Deck file names (no spaces, so no shell quoting needed; ``--deck`` accepts them), described by
    their display names, for the decks a command would load; ``generated`` for generated problems."""
    from cardcli.gencards import GEN_DECK
    from cardcli.loader import load_collection
    from cardcli.paths import user_deck_paths

    col = load_collection(user_deck_paths(extra or []))
    found = []
    for d in col.decks:
        stem = Path(d.file).stem
        if _starts(stem, incomplete) or _starts(d.name, incomplete):
            found.append((stem, d.name))
    if _starts(GEN_DECK, incomplete):
        found.append((GEN_DECK, "generated problems"))
    return found


def card_ids(incomplete: str, extra: list[Path] | None = None, limit: int = 200) -> list[tuple[str, str]]:
    """Card ids starting with ``incomplete`` (for ``cardcli show``), each described by its deck."""
    from cardcli.loader import load_collection
    from cardcli.paths import user_deck_paths

    col = load_collection(user_deck_paths(extra or []))
    return [(c.id, c.deck) for d in col.decks for c in d.cards if _starts(c.id, incomplete)][:limit]
