"""`cardcli search WORDS`: every card whose front, answer or erratum holds all the words."""

from __future__ import annotations

import json
from pathlib import Path

from cardcli import clock
from cardcli.errors import CardcliError

__all__ = ["run"]


def run(words: list[str], decks: list[str], topics: list[str], json_out: bool, limit: int,
        extra: list[Path]) -> None:
    from rich.text import Text

    from cardcli.console import out
    from cardcli.search import card_json, card_renderable, find, select
    from cardcli.selection import load_decks
    from cardcli.store import Store
    from cardcli.studyday import from_env

    query = " ".join(words)
    if not query.strip():
        raise CardcliError("search: give some words (or a card id) to look for")
    now = clock.now()
    day = from_env()
    cards = select(load_decks(extra), decks, topics)
    matches = find(cards, query)
    shown = matches[:limit]
    with Store.open() as store:
        states = {m.card.id: store.load_state(m.card.id) for m in shown}
    if json_out:
        out.print_json(json.dumps({"query": query, "matches": len(matches),
                                   "cards": [card_json(m.card, states[m.card.id], day, m.score) for m in shown]}))
        return
    if not matches:
        raise CardcliError(f"no card matches {query!r}" + (" in this --deck/--topic selection" if decks or topics
                                                         else ""))
    for m in shown:
        out.print(card_renderable(m.card, states[m.card.id], now, day))
    more = f"; showing the first {limit} (--limit N for more)" if len(matches) > limit else ""
    out.print(Text(f"{len(matches)} card{'s' if len(matches) != 1 else ''} match{more}", style="dim"))
