"""`cardcli today`: today at a glance - reviews due, new cards planned, minutes at your pace."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from cardcli import clock

__all__ = ["run"]


def run(*, new: int, exam: date | None, extra: list[Path]) -> None:
    """Print what a plain `cardcli study` has for today and about how long it takes."""
    from rich.text import Text

    from cardcli.console import err, out
    from cardcli.examdate import resolve
    from cardcli.gcpause import paused_gc
    from cardcli.gencards import generated_cards
    from cardcli.plan import plan_line
    from cardcli.selection import load_decks
    from cardcli.store import Store
    from cardcli.studyday import from_env
    from cardcli.today import load_today, today_lines

    now = clock.now()
    day = from_env()
    col = load_decks(extra)
    cards = list(col.cards) + generated_cards()  # what a plain `cardcli study` schedules
    with Store.open() as store, paused_gc():
        r = resolve(store, exam, now, day)
        if r.passed is not None:
            err.print(Text(f"note: the exam on {r.passed.isoformat()} has passed and is ignored"))
        model = store.memory_model()
        t = load_today(store, cards, now, new, r.exam, day, model.parameters if model else None)
    for line in today_lines(t):
        out.print(Text(line))
    out.print(Text(plan_line(t.plan)))
    if t.reviews_due == 0 and t.plan.new_left == 0:
        out.print(Text("Nothing left for today: `cardcli study --cram` (weakest first) or `cardcli quiz` for more."))
