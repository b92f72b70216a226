"""Quiz answers count as practice: each one is logged and moves its generated card's schedule.

A ``cardcli quiz`` answer is one row of the review log with kind ``quiz`` on the card
``gen:<family>:d<difficulty>`` (deck ``generated``): the problem's seed and params, whether the
answer was correct, how long it took and, when diagnosed, which known mistake it matched. It is
rated for the scheduler like a study rating of that card - 4 (Good) when correct, 1 (Again) when
wrong - so readiness per topic and the card's next due time follow quiz practice too.

A solution shown on request (``s`` or an empty answer) is logged as *revealed*: ``correct`` is
NULL (neither right nor wrong), no mistake, rated 1 (Again: the student could not produce it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cardcli import gencards
from cardcli.scheduler import Policy, review
from cardcli.store import ReviewRecord, Store

__all__ = ["QUIZ_KIND", "RATING_CORRECT", "RATING_REVEALED", "RATING_WRONG", "quiz_record",
           "log_quiz_answer"]

QUIZ_KIND = "quiz"
RATING_CORRECT = 4
RATING_WRONG = 1
RATING_REVEALED = 1


def quiz_record(
    problem: Any, correct: bool | None, duration_ms: int | None, now: datetime, policy: Policy | None = None,
    mistake: str | None = None,
) -> ReviewRecord:
    """The log row for one answer (pure). ``correct`` None: the solution was revealed on request;
    ``mistake`` is the diagnosed mistake id of a wrong answer, when there is one; ``policy`` the
    scheduler settings it is rated under."""
    from generators.checks import to_plain

    rating = RATING_REVEALED if correct is None else RATING_CORRECT if correct else RATING_WRONG
    return ReviewRecord(
        card_id=gencards.card_id(problem.family, problem.difficulty), deck=gencards.GEN_DECK, reviewed_at=now,
        rating=rating, duration_ms=None if duration_ms is None else max(0, int(duration_ms)),
        correct=None if correct is None else bool(correct),
        problem_seed=int(problem.seed), problem_params=to_plain(problem.params), kind=QUIZ_KIND,
        mistake=None if correct is None else mistake, policy=policy,
    )


def log_quiz_answer(
    store: Store, problem: Any, correct: bool | None, duration_ms: int | None, now: datetime,
    policy: Policy | None = None, mistake: str | None = None,
) -> int:
    """Log one quiz answer and update its ``gen:`` card's state, in one commit; returns the row id.

    The new state is computed inside the write transaction from the card's state as committed
    then (a study session may be rating the same card), like a study rating.
    """
    rec = quiz_record(problem, correct, duration_ms, now, policy, mistake)
    return store.record(rec, lambda current: review(current, rec.rating, now, card_id=rec.card_id, policy=policy))
