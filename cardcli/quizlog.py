"""Quiz answers count as practice: each one is logged and moves its generated card's schedule.

A ``cardcli quiz`` answer is one row of the review log with kind ``quiz`` on the card
``gen:<family>:d<difficulty>`` (deck ``generated``): the problem's seed and params, whether the
answer was correct, how long it took and, when diagnosed, which known mistake it matched. It is
rated for the scheduler like a study rating of that card - 4 (Good) when correct, 1 (Again) when
wrong - so readiness per topic and the card's next due time follow quiz practice too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cardcli.scheduler import CardState, Policy, review
from cardcli.store import ReviewRecord, Store

__all__ = ["QUIZ_KIND", "RATING_CORRECT", "RATING_WRONG", "gen_card_id", "quiz_record", "log_quiz_answer"]

QUIZ_KIND = "quiz"
RATING_CORRECT = 4
RATING_WRONG = 1
GEN_DECK = "generated"


def gen_card_id(family: str, difficulty: int) -> str:
    """The study card a generated problem belongs to (see :func:`cardcli.session.generated_cards`)."""
    return f"gen:{family}:d{int(difficulty)}"


def quiz_record(
    problem: Any, correct: bool, duration_ms: int | None, now: datetime, before: CardState | None,
    policy: Policy | None = None, mistake: str | None = None,
) -> tuple[ReviewRecord, CardState]:
    """The log row for one answer and the card's state after it (pure).

    ``mistake`` is the diagnosed mistake id of a wrong answer, when there is one.
    """
    from generators.checks import to_plain

    card_id = gen_card_id(problem.family, problem.difficulty)
    rating = RATING_CORRECT if correct else RATING_WRONG
    after = review(before, rating, now, card_id=card_id, policy=policy)
    rec = ReviewRecord(
        card_id=card_id, deck=GEN_DECK, reviewed_at=now, rating=rating,
        duration_ms=None if duration_ms is None else max(0, int(duration_ms)), correct=bool(correct),
        problem_seed=int(problem.seed), problem_params=to_plain(problem.params), kind=QUIZ_KIND,
        state_before=before, mistake=mistake,
    )
    return rec, after


def log_quiz_answer(
    store: Store, problem: Any, correct: bool, duration_ms: int | None, now: datetime,
    policy: Policy | None = None, mistake: str | None = None,
) -> int:
    """Log one quiz answer and update its ``gen:`` card's state, in one commit; returns the row id."""
    before = store.load_state(gen_card_id(problem.family, problem.difficulty))
    rec, after = quiz_record(problem, correct, duration_ms, now, before, policy, mistake)
    return store.record(rec, after)
