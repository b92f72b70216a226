"""How well cardcli's predictions of recall matched what the user then did.

**Predictions made without the review they predict.** The log is replayed in time order
(:func:`predictions`): before each recall attempt (kinds ``review``, ``quiz``, ``mock``; cram
ratings never change a card's state and are left out) the card's predicted recall is taken from
its state *before* that rating - FSRS's forgetting curve at the moment of the rating, in fractional
days (:func:`cardcli.scheduler.recall_forecast`), with the parameters the rating was scheduled
with (the log's policy column; the defaults when none) - and only then is the rating applied.
The outcome is *recalled*: a rating of 3-5 (:data:`cardcli.scheduler.RECALLED_MIN`). A card's
first rating has nothing to predict it from, and a rating on the same study day as the card's
previous one (a learning step) is not counted unless ``same_day`` - as in ``cardcli optimize``,
one prediction per card per later day.

**Reliability** (:func:`reliability`): the predictions in ten bins of predicted recall
(0-10 %, ..., 90-100 %), each with its count, mean prediction and observed recall rate;

* log loss = -mean(y·ln p + (1 - y)·ln(1 - p)), p clipped to [1e-6, 1 - 1e-6];
* RMSE(bins) = sqrt(Σ_b n_b (mean p_b - observed_b)² / N): the count-weighted root mean square gap
  between predicted and observed recall over the bins (FSRS's benchmark bins by interval, reps and
  lapses; here by predicted recall, which is what a reliability diagram shows).

Outcomes may be fractions (a mock-exam question's score / points), and the same figures apply.
Pure: the log is an argument.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from cardcli.scheduler import RECALLED_MIN, CardState, Policy, recall_forecast, review
from cardcli.studyday import StudyDay

__all__ = ["Attempt", "attempts", "Prediction", "Bin", "Reliability", "predictions", "states_at", "reliability",
           "reliability_rows", "N_BINS", "CLIP", "RECALL_KINDS"]

N_BINS = 10
CLIP = 1e-6
RECALL_KINDS = ("review", "quiz", "mock")

#: (card_id, reviewed_at, raw rating 1-5, policy of the rating or None), in time order
Attempt = tuple[str, datetime, int, "Policy | None"]


def attempts(records: Iterable[object]) -> list[Attempt]:
    """The recall attempts among log records (:class:`cardcli.store.ReviewRecord`), oldest first."""
    rows = [r for r in records if getattr(r, "kind", "review") in RECALL_KINDS]
    rows.sort(key=lambda r: (r.reviewed_at, r.id or 0))  # type: ignore[attr-defined]
    return [(r.card_id, r.reviewed_at, int(r.rating), r.policy) for r in rows]  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Prediction:
    card_id: str
    at: datetime
    p: float  # predicted recall just before the rating
    outcome: float  # 1.0 recalled (3-5), 0.0 forgotten (1-2); a fraction for a mock question


def predictions(attempts: Iterable[Attempt], day: StudyDay | None = None,
                same_day: bool = False) -> Iterator[Prediction]:
    """Replay ``attempts`` (oldest first) and yield each prediction before applying its rating."""
    day = day or StudyDay()
    states: dict[str, CardState] = {}
    for card_id, at, rating, policy in attempts:
        st = states.get(card_id)
        if st is not None and st.last_review is not None and (
                same_day or day.date_of(st.last_review) < day.date_of(at)):
            yield Prediction(card_id, at, recall_forecast(st, at, policy), 1.0 if rating >= RECALLED_MIN else 0.0)
        states[card_id] = review(st, rating, at, card_id=card_id, policy=policy)


def states_at(attempts: Iterable[Attempt], when: datetime) -> dict[str, CardState]:
    """Every card's state just before ``when``: the attempts before it replayed (oldest first)."""
    states: dict[str, CardState] = {}
    for card_id, at, rating, policy in attempts:
        if at >= when:
            break
        states[card_id] = review(states.get(card_id), rating, at, card_id=card_id, policy=policy)
    return states


@dataclass(frozen=True)
class Bin:
    lo: float
    hi: float
    n: int
    predicted: float | None  # mean prediction in the bin
    observed: float | None  # mean outcome in the bin


@dataclass(frozen=True)
class Reliability:
    bins: tuple[Bin, ...]
    n: int
    log_loss: float | None
    rmse_bins: float | None
    mean_predicted: float | None
    mean_observed: float | None


def reliability(pairs: Iterable[tuple[float, float]], n_bins: int = N_BINS) -> Reliability:
    """Reliability of (predicted p, outcome) pairs: bins, log loss, RMSE(bins) (see the module doc)."""
    sums = [[0, 0.0, 0.0] for _ in range(n_bins)]
    n, loss, tp, ty = 0, 0.0, 0.0, 0.0
    for p, y in pairs:
        b = min(n_bins - 1, max(0, int(p * n_bins)))
        sums[b][0] += 1
        sums[b][1] += p
        sums[b][2] += y
        q = min(1 - CLIP, max(CLIP, p))
        loss -= y * math.log(q) + (1 - y) * math.log(1 - q)
        n += 1
        tp += p
        ty += y
    bins = tuple(Bin(i / n_bins, (i + 1) / n_bins, int(k), s / k if k else None, o / k if k else None)
                 for i, (k, s, o) in enumerate(sums))
    if not n:
        return Reliability(bins, 0, None, None, None, None)
    sq = sum(b.n * (b.predicted - b.observed) ** 2 for b in bins if b.predicted is not None and b.observed is not None)
    return Reliability(bins, n, loss / n, math.sqrt(sq / n), tp / n, ty / n)


def reliability_rows(r: Reliability) -> list[tuple[str, str, str, str]]:
    """(bin, count, mean predicted, observed) per non-empty bin, as text."""
    return [(f"{b.lo:.0%}-{b.hi:.0%}", str(b.n), f"{b.predicted:.1%}", f"{b.observed:.1%}")
            for b in r.bins if b.n and b.predicted is not None and b.observed is not None]

