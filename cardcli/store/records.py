"""The log's records (dataclasses) and how they and card states are coded as rows and JSON.

Times are stored as the canonical UTC text of :func:`_iso` (microseconds, ``+00:00``), which sorts as
time; ``_TIME_GLOB`` matches exactly that text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from cardcli.scheduler import CardState, Policy

__all__ = ["MemoryModel", "ReviewRecord", "MockExamRecord"]


@dataclass(frozen=True)
class MemoryModel:
    """FSRS parameters fitted to this history by ``cardcli optimize`` (at most one row)."""

    parameters: tuple[float, ...]
    fitted_at: datetime
    reviews: int
    evaluation: dict[str, Any]  # the held-out figures that justified saving them


@dataclass(frozen=True)
class ReviewRecord:
    """One row of the review log."""

    card_id: str
    deck: str
    reviewed_at: datetime
    rating: int
    duration_ms: int | None = None
    correct: bool | None = None
    problem_seed: int | None = None
    problem_params: dict[str, Any] | None = None
    kind: str = "review"  # 'review', 'cram' (never changes card_state) or 'mock' (a mock-exam answer)
    state_before: CardState | None = None
    id: int | None = None
    policy: Policy | None = None  # the scheduler settings of the rating (None: the defaults)
    mistake: str | None = None  # the catalog id(s) a wrong answer matched, comma-separated


@dataclass(frozen=True)
class MockExamRecord:
    """One sat mock exam. ``topics``: topic -> [score, points]; ``questions``: one dict per question."""

    started_at: datetime
    finished_at: datetime
    seed: int
    template: str
    score: float
    max: int
    minutes: int
    stopped: str  # 'done', 'quit', 'time', 'eof' or 'interrupt'
    topics: dict[str, Any]
    questions: list[dict[str, Any]]
    id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "started_at": _iso(self.started_at), "finished_at": _iso(self.finished_at),
                "seed": self.seed, "template": self.template, "score": self.score, "max": self.max,
                "minutes": self.minutes, "stopped": self.stopped, "topics": self.topics,
                "questions": self.questions}


def _iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).isoformat(timespec="microseconds")


#: the canonical UTC time text (``_iso``) every time column of card_state holds; it sorts as time
_TIME_GLOB = ("'[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]"
              ".[0-9][0-9][0-9][0-9][0-9][0-9]+00:00'")
_REVIEW_COLS = ("id, card_id, deck, reviewed_at, rating, duration_ms, correct, problem_seed, "
                "problem_params, kind, state_before, mistake, policy")
_STATE_COLS = ("card_id, state, step, stability, difficulty, due, last_review, last_rating, reps, lapses, "
               "first_review")
_STATE_MARKS = ", ".join("?" * len(_STATE_COLS.split(",")))


def _review_from_row(row: tuple) -> ReviewRecord:
    (rid, card_id, deck, at, rating, dur, correct, seed, params, kind, before, mistake, policy) = row
    return ReviewRecord(
        id=rid, card_id=card_id, deck=deck, reviewed_at=_utc(datetime.fromisoformat(at)), rating=rating,
        duration_ms=dur, correct=None if correct is None else bool(correct), problem_seed=seed,
        problem_params=json.loads(params) if params else None, kind=kind,
        state_before=CardState.from_dict(json.loads(before)) if before else None, mistake=mistake,
        policy=_policy_from_json(policy) if policy else None,
    )


def _utc(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        raise ValueError(f"time {dt.isoformat()} has no time zone")
    return dt.astimezone(timezone.utc)


def _state_json(st: CardState | None) -> str | None:
    return None if st is None else json.dumps(st.to_dict())


def _policy_json(policy: Policy | None) -> str | None:
    if policy is None:
        return None
    # what changes a card's state; the exam date only moves due times at planning
    d: dict[str, Any] = {"desired_retention": policy.desired_retention, "maximum_interval": policy.maximum_interval}
    if policy.parameters is not None:  # fitted by `cardcli optimize`
        d["parameters"] = list(policy.parameters)
    return json.dumps(d)


def _policy_from_json(text: str) -> Policy:
    d = json.loads(text)
    if d.get("parameters") is not None:
        d["parameters"] = tuple(float(w) for w in d["parameters"])
    return Policy(**d)


def _state_from_row(row: tuple) -> CardState:
    import fsrs

    card_id, state, step, stability, difficulty, due, last_review, last_rating, reps, lapses, first = row
    memory = fsrs.Card(card_id=0, state=fsrs.State(state), step=step, stability=stability,
                       difficulty=difficulty, due=_utc(datetime.fromisoformat(due)),
                       last_review=_utc(datetime.fromisoformat(last_review)) if last_review else None)
    return CardState(card_id=card_id, memory=memory, last_rating=last_rating, reps=reps or 0,
                     lapses=lapses or 0, first_review=_utc(datetime.fromisoformat(first)) if first else None)


def _state_values(st: CardState) -> tuple:
    """The card_state columns (_STATE_COLS) of ``st``; times in the canonical UTC text of _iso."""
    m = st.memory
    return (
        st.card_id, int(m.state.value), m.step, m.stability, m.difficulty, _iso(m.due),
        _iso(m.last_review) if m.last_review else None, st.last_rating, st.reps, st.lapses,
        _iso(st.first_review) if st.first_review else None,
    )
