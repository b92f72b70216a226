"""What ``cardcli quiz`` asks: the selected families weakest first, drawn round-robin.

``cardcli generate`` without a family prints exactly these problems for the same options.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cardcli.store import Store
    from cardcli.studyday import StudyDay

__all__ = ["family_weakness", "planned_problems"]


def family_weakness(
    store: Store, families: list[str], difficulty: int, now: datetime, exam: date | None, day: StudyDay
) -> dict[str, tuple[float, int]]:
    """family -> (predicted recall of its ``gen:`` card now, or on the exam morning; times practised)."""
    from cardcli import gencards
    from cardcli.scheduler import Policy, exam_morning, recall_forecast

    at = now if exam is None else max(now, exam_morning(exam, day))
    states = store.load_states()
    model = store.memory_model()  # fitted by `cardcli optimize`, if saved
    policy = Policy(parameters=model.parameters if model else None)
    practised: dict[str, int] = {}
    for card_id, _deck, n, _good in store.rating_stats():
        practised[card_id] = practised.get(card_id, 0) + n
    out = {}
    for fam in families:
        cid = gencards.card_id(fam, difficulty)
        out[fam] = (recall_forecast(states.get(cid), at, policy), practised.get(cid, 0))
    return out


def planned_problems(
    store: Store, topics: list[str], count: int, seed: int, difficulty: int, exam: date | None,
    now: datetime, day: StudyDay, lazy: bool = False,
) -> tuple[list[str], Any, date | None]:
    """(families, the problems the quiz asks, the exam planned for) for these options and history.
    With ``lazy`` the problems are an iterator, each made when it is taken (``cardcli generate``)."""
    from cardcli.examdate import active_exam
    from cardcli.quiz import plan, plan_iter
    from cardcli.topics import TOPICS
    from generators.catalog import resolve

    families = resolve(topics, TOPICS)
    exam, _name = active_exam(store, exam, now, day, quiet=True)
    weak = family_weakness(store, families, difficulty, now, exam, day)
    make = plan_iter if lazy else plan
    return families, make(families, count, seed, difficulty, weak), exam
