"""Fit FSRS to the student's own reviews, and prove the fit on held-out reviews.

* **What is fitted on**: the log rows whose ``kind`` is in :data:`RECALL_KINDS` - scheduled
  recall attempts. Cram ratings are left out: a cram rating never changes the card's state
  (the scheduler does not see it), so a model trained on histories that include them would
  be applied to histories that do not; Anki's optimizer drops cram reviews from filtered decks
  that do not reschedule for the same reason.
* **Ratings**: the raw 1-5 goes through the scheduler's mapping
  (:data:`cardcli.scheduler.RATING_MAP`: 1, 2 -> Again; 3 -> Hard; 4 -> Good; 5 -> Easy).
* **Days**: FSRS counts whole days between reviews; the study day is the UTC day, as in the
  scheduler. Same-day reviews (learning steps) stay in a card's history with ``delta_t = 0``;
  each review on a later day than the card's previous one is one thing to predict (an *item*).
* **Held-out check**: items ordered by time are cut into ``N_SPLITS + 1`` segments; for each
  of the last ``N_SPLITS`` segments the parameters are fitted on everything before it and both
  parameter sets are scored on it with the library's ``evaluate`` (log loss and RMSE(bins)).
  The figures are the segment-size-weighted mean log loss and the root of the weighted mean
  squared RMSE(bins). The parameters finally offered are fitted on all items; they are saved
  only when the fitted figures beat the defaults on both measures.
* Fewer than :data:`MIN_REVIEWS` recall attempts (or fewer than :data:`MIN_ITEMS` of them on a
  later day than the card's previous review): :class:`NotEnoughHistory`, never a silent
  fallback to the defaults.

The fitting library (``fsrs-rs-python``) is imported inside :func:`fit` only, so no other
command loads it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from cardcli.errors import CardcliError

__all__ = [
    "RECALL_KINDS",
    "MIN_REVIEWS",
    "MIN_ITEMS",
    "N_SPLITS",
    "NotEnoughHistory",
    "Figures",
    "FitResult",
    "fsrs_rating",
    "items_from_attempts",
    "time_series_folds",
    "fit",
]

#: log kinds that are real, scheduled recall attempts (kinds not in the log are simply absent)
RECALL_KINDS: tuple[str, ...] = ("review", "quiz", "mock")
#: fewer recall attempts than this: refuse to fit
MIN_REVIEWS = 400
#: ... of which at least this many must come on a later day than the card's previous review
MIN_ITEMS = 100
#: time-series folds for the held-out check
N_SPLITS = 5

Attempt = tuple[str, datetime, int]  # (card_id, reviewed_at, raw 1-5 rating)
Item = tuple[datetime, tuple[tuple[int, int], ...]]  # (time of the predicted review, ((rating, delta_t), ...))


class NotEnoughHistory(CardcliError):
    """Too few reviews to fit the memory model."""


@dataclass(frozen=True)
class Figures:
    log_loss: float
    rmse_bins: float

    def as_json(self) -> dict[str, float]:
        return {"log_loss": round(self.log_loss, 4), "rmse_bins": round(self.rmse_bins, 4)}


@dataclass(frozen=True)
class FitResult:
    reviews: int  # recall attempts read from the log
    items: int  # reviews on a later day than the card's previous one (what FSRS predicts)
    held_out: int  # items scored in the held-out segments
    default: Figures
    fitted: Figures
    parameters: tuple[float, ...]  # fitted on all items

    @property
    def better(self) -> bool:
        """True when the fitted parameters beat the defaults on held-out reviews, on both measures."""
        return self.fitted.log_loss < self.default.log_loss and self.fitted.rmse_bins < self.default.rmse_bins

    def as_json(self, saved: bool) -> dict[str, Any]:
        return {
            "reviews": self.reviews,
            "held_out": self.held_out,
            "default": self.default.as_json(),
            "fitted": self.fitted.as_json(),
            "saved": saved,
            "parameters": [round(w, 6) for w in self.parameters],
        }


def fsrs_rating(raw: int) -> int:
    """cardcli's 1-5 -> FSRS's 1-4 (Again, Hard, Good, Easy), through the scheduler's mapping."""
    from cardcli.scheduler import RATING_MAP

    return int(RATING_MAP[raw])


def items_from_attempts(attempts: Sequence[Attempt]) -> list[Item]:
    """Each card's history cut at every review on a later UTC day than its previous review.

    Returned oldest predicted review first (the order a time-series split needs).
    """
    by_card: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    for card_id, at, raw in attempts:
        by_card[card_id].append((at.astimezone(timezone.utc), fsrs_rating(raw)))
    items: list[Item] = []
    for history in by_card.values():
        history.sort(key=lambda h: h[0])
        reviews: list[tuple[int, int]] = []
        last_day = history[0][0].date()
        for at, rating in history:
            delta_t = (at.date() - last_day).days
            reviews.append((rating, delta_t))
            last_day = at.date()
            if delta_t > 0:
                items.append((at, tuple(reviews)))
    items.sort(key=lambda it: it[0])
    return items


def time_series_folds(n: int, n_splits: int = N_SPLITS) -> list[tuple[int, int]]:
    """``(test_start, test_end)`` per fold: train on ``[0, test_start)``, test on the segment.

    ``n`` items make ``n_splits + 1`` equal segments (the last takes the remainder); empty when
    a segment would be empty.
    """
    seg = n // (n_splits + 1)
    if seg == 0:
        return []
    return [((k + 1) * seg, n if k == n_splits - 1 else (k + 2) * seg) for k in range(n_splits)]


def fit(attempts: Sequence[Attempt], defaults: Sequence[float], min_reviews: int = MIN_REVIEWS,
        advance: Callable[[int], None] | None = None) -> FitResult:
    """Fit FSRS to ``attempts`` and score it against ``defaults`` on held-out reviews; ``advance(1)`` is
    called after each of the N_SPLITS + 1 fits (a progress bar)."""
    n = len(attempts)
    if n < min_reviews:
        raise NotEnoughHistory(
            f"optimize: your history has {n} review{'s' if n != 1 else ''}; fitting your own memory "
            f"model needs at least {min_reviews} (the default FSRS parameters stay in use)"
        )
    items = items_from_attempts(attempts)
    folds = time_series_folds(len(items))
    if len(items) < MIN_ITEMS or not folds:
        raise NotEnoughHistory(
            f"optimize: only {len(items)} of your {n} reviews come on a later day than the card's "
            f"previous review; fitting needs at least {MIN_ITEMS} such reviews "
            f"(the default FSRS parameters stay in use)"
        )
    import fsrs_rs_python as fr

    objs = [fr.FSRSItem([fr.FSRSReview(r, d) for r, d in reviews]) for _, reviews in items]
    sums = {"default": [0.0, 0.0], "fitted": [0.0, 0.0]}
    held_out = 0
    try:
        for start, end in folds:
            train, test = objs[:start], objs[start:end]
            fitted = fr.FSRS([]).compute_parameters(train)
            for name, params in (("default", list(defaults)), ("fitted", fitted)):
                ev = fr.FSRS(params).evaluate(test)
                sums[name][0] += len(test) * ev.log_loss
                sums[name][1] += len(test) * ev.rmse_bins ** 2
            held_out += len(test)
            if advance is not None:
                advance(1)
        parameters = tuple(float(w) for w in fr.FSRS([]).compute_parameters(objs))
        if advance is not None:
            advance(1)
    except (ValueError, RuntimeError) as e:  # the library's "not enough data" and friends
        raise CardcliError(f"optimize: fitting failed: {e}") from None
    figures = {k: Figures(v[0] / held_out, (v[1] / held_out) ** 0.5) for k, v in sums.items()}
    return FitResult(reviews=n, items=len(items), held_out=held_out, default=figures["default"],
                     fitted=figures["fitted"], parameters=parameters)
