"""`cardcli due`: the next cards in study order, optionally with the reason for each."""

from __future__ import annotations

import random
from datetime import datetime, timezone
from pathlib import Path

from rich.text import Text

__all__ = ["run"]

#: `due` lists what `study` with its default --new would show
DEFAULT_NEW = 20


def run(*, count: int, explain: bool, decks: list[str], topics: list[str], extra: list[Path]) -> None:
    """Print the next ``count`` cards `cardcli study` would show now."""
    from cardcli.commands._common import load_decks, out
    from cardcli.commands.study import select_cards
    from cardcli.scheduler import (
        day_start,
        effective_due,
        format_interval,
        plan,
        policy_for,
        retrievability,
    )
    from cardcli.store import Store

    now = datetime.now(timezone.utc)
    cards = select_cards(load_decks(extra), decks, topics)
    with Store.open() as store:
        states = store.load_states()
        seen_today = store.new_seen_since(day_start(now))
        model = store.memory_model()
    params = model.parameters if model else None
    queue = plan(cards, states, now, random.Random(0), new_per_day=DEFAULT_NEW, new_seen_today=seen_today,
                 parameters=params)
    policy = policy_for(now, parameters=params)
    allowance = queue.new_left
    rows = []
    new_n = 0
    for _ in range(count):
        card = queue.next()
        if card is None:
            break
        rows.append(card)
    if not rows:
        out.print("Nothing due now and no new cards left for today.")
        return
    from cardcli.layout import ellipsize, hang

    width = out.width
    idw = max(len(c.id) for c in rows)
    for i, card in enumerate(rows, 1):
        st = states.get(card.id)
        where = f"{card.deck} · {card.topic}"
        head = Text(f"{i:>3}. ")
        head.append(card.id.ljust(idw), style="bold")
        head.append(f"  {where}")
        room = width - head.cell_len - 2
        if room >= 24:  # the front fits after the id on the same line
            head.append("  ")
            head.append_text(ellipsize(card.front, room))
            out.print(head)
        else:  # narrow: the id, then where and the front on their own indented lines
            out.print(hang(Text.assemble(Text(f"{i:>3}. "), (card.id, "bold")), 0))
            out.print(hang(where, 5))
            out.print(hang(ellipsize(card.front, width - 5), 5))
        if not explain:
            continue
        if st is None:
            new_n += 1
            why = f"new card, never seen ({new_n} of {allowance} new still allowed today; decks taken in turn)"
        else:
            due = effective_due(st, policy)
            late = now - due
            when = (f"{format_interval(late)} overdue" if late.total_seconds() > 0
                    else f"in {format_interval(-late)}")
            why = (f"last rated {st.last_rating} on {st.last_review:%Y-%m-%d}, due {due:%Y-%m-%d %H:%M} UTC "
                   f"({when}), predicted recall {retrievability(st, now, policy):.0%}")
        out.print(hang(why, 7 if width >= 60 else 5, style="dim"))
