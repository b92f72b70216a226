"""Why a study session has nothing left, or stopped with cards still to do, and how to go on.

:func:`empty_reason` explains an empty queue - the day's new-card limit (then ``n`` adds
:data:`MORE_NEW` more at once), or nothing due until a given local time; :func:`stop_lines` are
the last lines of a session stopped by ``--limit`` or ``q``/Ctrl-D with cards still to do today.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from datetime import datetime, timedelta
from operator import attrgetter

from cardcli.model import Card
from cardcli.scheduler import CardState, Policy, StudyQueue, format_interval
from cardcli.scheduler.states import CardStates, card_states
from cardcli.session_render import plural

__all__ = ["MORE_NEW", "empty_reason", "stop_lines"]

#: new cards one press of ``n`` adds when the day's limit is reached
MORE_NEW = 10


def stop_lines(stopped: str, left: int, limit: int) -> list[str]:
    """The last lines of a session that stopped with ``left`` cards still to do today:
    ``stopped`` is ``'limit'`` (``--limit`` ratings given) or ``'quit'`` (``q``, Ctrl-D, Ctrl-C)."""
    if left <= 0:
        return []
    todo = f"{plural(left, 'card')} still to do today"
    if stopped == "limit":
        return [f"Stopped: this session reached its --limit of {plural(limit, 'rating')}; {todo}.",
                f"Go on with `cardcli study` (a new session), or `cardcli study --limit {limit + max(limit, left)}` "
                f"for a longer one."]
    return [f"Stopped before the end: {todo}. `cardcli study` goes on where you left off."]


def empty_reason(
    queue: StudyQueue, states: CardStates | MutableMapping[str, CardState], cards: Sequence[Card], now: datetime,
    policy: Policy, cram: bool = False,
) -> tuple[list[str], bool]:
    """Lines saying why ``queue`` has nothing left and how to get more; True when the day's
    new-card limit is what stopped it (more new cards can be added)."""
    unseen = len(queue.new)
    if cram:
        return ["Nothing left to cram: every card of this selection has been rated in this session."], False
    if unseen and queue.new_left <= 0:
        introduced = queue.new_before + queue.new_taken
        limit = queue.new_per_day
        return [f"{introduced} of {limit} new cards introduced today — press n for {MORE_NEW} more, "
                f"or run with --new {limit + 20}",
                f"({plural(unseen, 'unseen card')} left in this selection.)"], True
    states = card_states(states)
    ids = list(map(attrgetter("id"), cards))
    nxt = states.earliest_due(set(ids), policy)  # a big history: from the due index
    seen = sum(map(states.ids.__contains__, ids))
    lines = []
    if nxt is not None:
        wait = nxt - now
        when = "now" if wait <= timedelta(0) else f"in {format_interval(wait)}"
        lines.append(f"Nothing more due today: the next card is due {policy.day.format(nxt)} ({when}).")
    lines.append(f"Every card of this selection has been seen ({plural(seen, 'card')}); for more now: "
                 "`cardcli study --cram` (weakest first, schedule untouched) or `cardcli quiz` "
                 "(fresh problems).")
    return lines, False
