"""Pure scheduling: what a rating does to a card, and in which order cards come.

The memory model is FSRS (the ``fsrs`` package, py-fsrs); this module only adapts it:

* Ratings are the 1-5 confidence the student gives. They map to FSRS as
  1, 2 -> Again; 3 -> Hard; 4 -> Good; 5 -> Easy (see :data:`RATING_MAP`). So 3-5 mean *recalled*
  (:data:`RECALLED_MIN`): that is what every rate cardcli shows (stats retention, calibration) counts. The raw 1-5 is
  what the review log keeps, so a schedule can be recomputed under another mapping.
* The FSRS parameters are py-fsrs's defaults unless :attr:`Policy.parameters` carries the ones
  fitted to the student's own reviews by ``cardcli optimize`` (:mod:`cardcli.optimize`).
* Nothing here reads the clock or a global random generator: ``now`` (timezone-aware UTC)
  and ``rng`` (:class:`random.Random`) are arguments. FSRS fuzzing (which uses the global
  ``random``) is switched off.

Ordering (:func:`plan` builds a :class:`StudyQueue`):

* Due cards (due before the end of the current study day: see :mod:`cardcli.studyday`; UTC
  midnight unless a :class:`~cardcli.studyday.StudyDay` is given) come lowest predicted recall first,
  then earliest due, then in an order drawn for the session, then deck order.
* New cards are introduced up to the per-day limit, one after every ``NEW_EVERY - 1`` reviews.
* Cards with the same :attr:`cardcli.model.Card.group_key` are never shown back to back
  while another card is available.
* After a rating whose next due time is within :data:`LEARN_AHEAD` (learning steps: 1-2
  always, 3-4 on a card still in learning), the card returns in the same session after
  :data:`REQUEUE_GAP` other cards.

Exam mode (``exam`` date): the target retention rises as the exam nears,
``r(d) = 0.90 + 0.07 * clamp((30 - d) / 27, 0, 1)`` for ``d`` days left (0.90 a month or
more away, 0.97 in the last three days); intervals are capped at ``d - 1`` days so every card
is due again before the exam day; seen cards whose predicted recall on the exam morning is below
the target are pulled forward to the day before the exam at the latest; and new cards are
introduced at least ``ceil(unseen / d)`` a day so every card is seen in time.

Cram mode: every card of the selection, weakest (lowest predicted recall) first - unseen cards,
the weakest of all, first; the session does not persist cram ratings into the card state (see
:mod:`cardcli.session`).

The exam day itself (0 days left): a review of the seen cards, weakest first (``plan`` with
``cram=True, cram_unseen=False``; the command decides that).

Modules: :mod:`~cardcli.scheduler.memory` (what a rating does to a card: the FSRS adapter,
policies, recall, due times) and :mod:`~cardcli.scheduler.queue` (the order: :func:`plan`,
:class:`StudyQueue`). The names below are re-exports.
"""

from __future__ import annotations

from cardcli.scheduler.memory import (
    MASTERED_STABILITY_DAYS,
    RATING_LABELS,
    RATING_MAP,
    RECALLED_MIN,
    US_PER_DAY,
    Brief,
    CardState,
    Policy,
    brief_of,
    day_end,
    day_start,
    days_left,
    effective_due,
    exam_morning,
    exam_retention,
    format_interval,
    from_micros,
    is_due,
    micros,
    new_allowance,
    new_per_day_target,
    policy_for,
    preview_intervals,
    recall_forecast,
    replay,
    replay_states,
    retrievability,
    retrievability_at,
    review,
    stage,
)
from cardcli.scheduler.queue import (
    LEARN_AHEAD,
    NEW_EVERY,
    REQUEUE_GAP,
    StudyQueue,
    plan,
)

__all__ = [
    "RATING_MAP",
    "RATING_LABELS",
    "LEARN_AHEAD",
    "REQUEUE_GAP",
    "NEW_EVERY",
    "MASTERED_STABILITY_DAYS",
    "RECALLED_MIN",
    "Policy",
    "CardState",
    "Brief",
    "brief_of",
    "micros",
    "from_micros",
    "US_PER_DAY",
    "StudyQueue",
    "policy_for",
    "exam_retention",
    "review",
    "replay",
    "replay_states",
    "preview_intervals",
    "retrievability",
    "retrievability_at",
    "recall_forecast",
    "is_due",
    "effective_due",
    "stage",
    "day_start",
    "day_end",
    "new_allowance",
    "new_per_day_target",
    "days_left",
    "exam_morning",
    "plan",
    "format_interval",
]
