"""`cardcli show ID-OR-WORDS`: one card, found by id or words, printed as study shows it."""

from __future__ import annotations

import json
from pathlib import Path

from cardcli import clock
from cardcli.errors import CardcliError

__all__ = ["run"]

#: how many other matching ids `show` names when the words match several cards
OTHERS_NAMED = 5


def run(query: list[str], json_out: bool, extra: list[Path]) -> None:
    from rich.text import Text

    from cardcli.console import out
    from cardcli.safetext import safe_text
    from cardcli.search import card_json, card_renderable, find, select
    from cardcli.selection import load_decks
    from cardcli.store import Store
    from cardcli.studyday import from_env

    text = " ".join(query)
    if not text.strip():
        raise CardcliError("show: give a card id or some words from the card")
    now = clock.now()
    day = from_env()
    matches = find(select(load_decks(extra), [], []), text)
    if not matches:
        raise CardcliError(f"no card has the id or the words {text!r} (`cardcli search` looks more widely: "
                           "--deck, --topic)")
    card = matches[0].card
    with Store.open() as store:
        state = store.load_state(card.id)
    if json_out:
        out.print_json(json.dumps(card_json(card, state, day)))
        return
    out.print(card_renderable(card, state, now, day))
    if len(matches) > 1:
        ids = ", ".join(m.card.id for m in matches[1:1 + OTHERS_NAMED])
        rest = len(matches) - 1 - OTHERS_NAMED
        out.print(safe_text(f"{len(matches) - 1} other card{'s' if len(matches) > 2 else ''} match: {ids}"
                            + (f" and {rest} more" if rest > 0 else "")
                            + " (cardcli search lists them all)", style="dim"))
    elif not matches[0].exact_id:
        out.print(Text("(the only card with these words)", style="dim"))
