"""`cardcli study`: the spaced-repetition session (the card selection is :mod:`cardcli.selection`)."""

from __future__ import annotations

import random
import sys
from datetime import date
from pathlib import Path

from cardcli import clock

__all__ = ["run"]


def run(*, decks: list[str], topics: list[str], new: int, limit: int, exam: date | None,
        cram: bool, extra: list[Path]) -> None:
    """Study the selected cards until the queue is empty, the limit is hit, or `q`."""
    from rich.text import Text

    from cardcli.console import out
    from cardcli.examdate import active_exam, stored_time
    from cardcli.gcpause import keep_until_exit, paused_gc
    from cardcli.plan import load_plan
    from cardcli.scheduler import days_left, plan, policy_for
    from cardcli.selection import load_decks, select_cards
    from cardcli.session import Session
    from cardcli.store import Store
    from cardcli.studyday import from_env
    from cardcli.terminal import key_source

    now = clock.now()
    day = from_env()
    col = load_decks(extra, solver_answers=True)
    cards = select_cards(col, decks, topics)
    rng = random.Random()
    with Store.open() as store:
        exam, name = active_exam(store, exam, now, day)
        exam_day = exam is not None and days_left(now, exam, day) == 0
        model = store.memory_model()  # parameters fitted by `cardcli optimize`, if saved
        params = model.parameters if model else None
        lazy = exam is None and not cram
        # lazy: states read on demand, only the cards due today are ranked (see StateIndex);
        # exam readiness and cram need every seen card's state
        with paused_gc():  # bulk rows, no cycles (see gcpause)
            states = store.card_states(on_demand=lazy)
        daily = load_plan(store, cards, states.ids if lazy else states, now, new, exam, day)
        if exam is not None:
            from cardcli.readiness import print_status

            print_status(exam, name, col, states, now, day, params, plan=daily, at=stored_time(store, exam))
            if not exam_day:
                out.print(Text(f"Target retention {policy_for(now, exam, params, day).desired_retention:.0%}; "
                               f"no interval reaches past the exam."))
        with paused_gc():
            queue = plan(cards, states.ids if lazy else states, now, rng, new_per_day=new,
                         new_seen_today=daily.introduced, exam=exam, cram=cram or exam_day, day=day,
                         cram_unseen=not exam_day, parameters=params, due=states if lazy else None, daily=daily)
        if not (cram or exam_day):
            from cardcli.today import PACE_WINDOW, today, today_lines

            out.print(Text(today_lines(today(queue.due_count(), daily, store.recent_answers(PACE_WINDOW), day))[0]))
        session = Session(queue, store, out, key_source(sys.stdin, sys.stdout), states, cards,
                          limit=limit, cram=cram or exam_day, policy=policy_for(now, exam, params, day),
                          rng=rng, cram_banner=not (exam_day and not cram))
        from cardcli.interrupts import as_interrupt

        keep_until_exit(col, cards, states, queue, session)  # freed by the process exit at once
        with as_interrupt():  # a closed window or `kill` ends the session like Ctrl-C (ratings are committed)
            session.run()
