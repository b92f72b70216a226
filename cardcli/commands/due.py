"""`cardcli due`: the next cards in study order, optionally with the reason for each."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from rich.text import Text

from cardcli import clock

__all__ = ["run"]

from cardcli.plan import (
    DEFAULT_NEW,  # `due` lists what `study` with its default --new would show
)


def run(*, count: int, explain: bool, decks: list[str], topics: list[str], exam: date | None = None,
        extra: list[Path], new: int = DEFAULT_NEW) -> None:
    """Print the next ``count`` cards `cardcli study` would show now."""
    from cardcli.console import out
    from cardcli.examdate import active_exam
    from cardcli.gcpause import paused_gc
    from cardcli.plan import load_plan
    from cardcli.safetext import clean
    from cardcli.scheduler import (
        days_left,
        effective_due,
        format_interval,
        plan,
        policy_for,
        recall_forecast,
    )
    from cardcli.selection import load_decks, select_cards
    from cardcli.session import empty_reason
    from cardcli.store import Store
    from cardcli.studyday import from_env

    now = clock.now()
    day = from_env()
    cards = select_cards(load_decks(extra), decks, topics)
    with Store.open_for_reading() as store:
        if store.read_only:  # a full disk: the history is shown, nothing is written
            from cardcli.console import message

            message(f"note: {store.read_only}; shown read-only")
        exam, _name = active_exam(store, exam, now, day)
        model = store.memory_model()
        params = model.parameters if model else None
        exam_day = exam is not None and days_left(now, exam, day) == 0
        lazy = exam is None  # states read on demand: only the cards due today are ranked
        with paused_gc():  # bulk rows, no cycles (see gcpause)
            states = store.card_states(on_demand=lazy)
            daily = load_plan(store, cards, states.ids if lazy else states, now, new, exam, day)
            queue = plan(cards, states.ids if lazy else states, now, random.Random(0), new_per_day=new,
                         new_seen_today=daily.introduced, exam=exam, day=day, cram=exam_day, cram_unseen=False,
                         parameters=params, due=states if lazy else None, daily=daily)
        policy = policy_for(now, exam, params, day)
        allowance = queue.new_left
        rows = []
        for _ in range(count):
            card = queue.next()
            if card is None:
                break
            rows.append(card)
        empty = None if rows else empty_reason(queue, states, cards, now, policy)
        shown = {c.id: states[c.id] for c in rows if c.id in states}
    new_n = 0
    if empty is not None:
        lines, limited = empty
        if limited:  # `due` cannot take a key: say what `study` would offer
            lines[0] = lines[0].replace("press n for", "`n` in `cardcli study` adds")
        for line in lines:
            out.print(Text(line))
        return
    from cardcli.layout import ellipsize, hang

    width = out.width
    idw = max(len(c.id) for c in rows)
    for i, card in enumerate(rows, 1):
        st = shown.get(card.id)
        where = clean(f"{card.deck} · {card.topic}")  # data: never markup, escapes visible
        head = Text(f"{i:>3}. ")
        head.append(clean(card.id).ljust(idw), style="bold")
        head.append(f"  {where}")
        room = width - head.cell_len - 2
        if room >= 24:  # the front fits after the id on the same line
            head.append("  ")
            head.append_text(ellipsize(clean(card.front), room))
            out.print(head)
        else:  # narrow: the id, then where and the front on their own indented lines
            out.print(hang(Text.assemble(Text(f"{i:>3}. "), (clean(card.id), "bold")), 0))
            out.print(hang(where, 5))
            out.print(hang(ellipsize(clean(card.front), width - 5), 5))
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
            # a stored state has its review time; a NULL one (a hand-edited history) is left out, not a crash
            on = "" if st.last_review is None else f" on {day.format(st.last_review)[:10]}"
            why = (f"last rated {st.last_rating}{on}, due {day.format(due)} "
                   f"({when}), predicted recall {recall_forecast(st, now, policy):.0%}")
        out.print(hang(why, 7 if width >= 60 else 5, style="dim"))
