"""The study loop, independent of the terminal: show a card, read the answer, record the rating.

:class:`Session` takes a :class:`~cardcli.scheduler.StudyQueue`, a
:class:`~cardcli.store.Store`, a rich ``Console`` and a key source (``read_key``/``read_line``,
see :mod:`cardcli.terminal`) and returns a :class:`Summary`. Every rating is committed to the
store before the next card is shown; ``u`` undoes the last one.

Generated problems take part as pseudo-cards ``gen:<family>:d<difficulty>``
(:mod:`cardcli.gencards`); each appearance is a fresh problem whose seed is drawn from the
session's ``rng`` and logged with its params.

Cram sessions (``cram=True``) log their ratings with kind ``'cram'`` but never write the card
state: the long-term schedule is exactly as it was before the cram. They start with a banner and
show no interval hints.

After each rating one line says what was recorded, when the card returns and how many cards are
left today (reviews due, cards coming back in the session, new cards of the day's plan); a card
rated at the ``--limit`` is never promised "later this session". A wrong graded answer caps the
rating at :data:`WRONG_CAP`, unless it was a typo (:mod:`cardcli.session_input`).

A session never ends silently: when the queue runs dry it says why and how to get more
(:func:`empty_reason`; ``n`` adds :data:`MORE_NEW` new cards at once); when it stops with cards
still to do today (``--limit`` reached, ``q``/Ctrl-D) its last lines say how to go on
(:func:`stop_lines`).

The parts live by concept: the ``gen:`` card identity in :mod:`cardcli.gencards`, what is shown in
:mod:`cardcli.session_render`, what is read from the student in :mod:`cardcli.session_input`,
the empty-queue and stop lines in :mod:`cardcli.emptyqueue`; this module keeps the loop, the
record and the undo, and re-exports the names its callers use.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from rich.console import Console
from rich.text import Text

from cardcli.clock import now
from cardcli.emptyqueue import MORE_NEW, empty_reason, stop_lines
from cardcli.gencards import GEN_DECK, GEN_PREFIX, generated_cards, instantiate, is_generated
from cardcli.model import Card, CardType, Selection, id_set_of, ids_of
from cardcli.scheduler import (
    LEARN_AHEAD,
    RATING_LABELS,
    CardState,
    Policy,
    StudyQueue,
    effective_due,
    format_interval,
    preview_intervals,
    review,
)
from cardcli.scheduler.states import CardStates, LoadedStates, card_states
from cardcli.session_input import Prompter, Quit, Skip, Undo, diagnose
from cardcli.session_render import CRAM_BANNER, Summary, card_panel, rating_lines, render_summary, reveal
from cardcli.store import ReviewRecord, Store
from cardcli.terminal import KeySource

__all__ = ["GEN_PREFIX", "GEN_DECK", "CRAM_BANNER", "Summary", "Session", "generated_cards", "is_generated",
           "render_summary", "empty_reason", "stop_lines", "MORE_NEW", "DEFAULT_LIMIT"]

#: wrong auto-graded answers cap the rating here
WRONG_CAP = 2
#: ratings after which a session stops (``cardcli study --limit``)
DEFAULT_LIMIT = 200


# -- the loop ------------------------------------------------------------------------------

@dataclass
class _Done:
    review_id: int
    card: Card
    before: CardState | None
    rating: int


class Session:
    """One study session. Call :meth:`run`."""

    def __init__(
        self,
        queue: StudyQueue,
        store: Store,
        console: Console,
        keys: KeySource,
        states: CardStates | MutableMapping[str, CardState],
        cards: Sequence[Card] = (),
        *,
        limit: int = DEFAULT_LIMIT,
        cram: bool = False,
        policy: Policy | None = None,
        rng: random.Random | None = None,
        clock: Callable[[], datetime] = now,
        cram_banner: bool = True,
    ):
        self.queue = queue
        self.store = store
        self.console = console
        self.keys = keys
        self.io = Prompter(console, keys)
        self.persisted = card_states(states)
        self.states = LoadedStates(self.persisted.items()) if cram else self.persisted  # cram: a private copy
        self.cards = cards if isinstance(cards, Selection) else list(cards)  # a Selection keeps its id memos
        self.limit = limit
        self.cram = cram
        self.policy = policy or Policy()
        self.rng = rng or random.Random()
        self.clock = clock
        self.cram_banner = cram_banner  # False when the caller already said it (the exam-day banner)
        self.summary = Summary(cram=cram)
        self._done: list[_Done] = []
        self._seen: Counter[str] = Counter()
        self._n = 0
        self._current: Card | None = None

    # -- driving ---------------------------------------------------------------------------
    def run(self) -> Summary:
        start = self.clock()
        if self.cram and self.cram_banner:
            self.console.print(Text(CRAM_BANNER, style="bold yellow"))
        stopped = "quit"
        try:
            while True:
                if self._rated() >= self.limit:
                    stopped = "limit"
                    break
                card = self.queue.next()
                if card is None and self._more_new():
                    card = self.queue.next()
                if card is None:
                    stopped = "empty"
                    break
                self._n += 1
                self._current = card  # on screen until rated (counted as still to do if the session stops)
                try:
                    self._one(card)
                    self._current = None
                except Skip:
                    self.summary.skipped += 1
                    self._current = None
                except Undo:
                    self._undo(current=card)
                    self._current = None  # put back in the queue
        except (Quit, EOFError, KeyboardInterrupt):
            pass
        end = self.clock()
        self._finish(end - start, end)
        self.console.print()
        render_summary(self.summary, self.console, end, self.policy.day)
        if stopped != "empty" and not self.cram:
            on_screen = 1 if self._current is not None else 0
            for line in stop_lines(stopped, len(self.queue) + on_screen, self.limit):
                self.console.print(Text(line, style="bold"))
        self.io.flush()
        return self.summary

    def _rated(self) -> int:
        """Ratings kept so far in this session (what ``--limit`` counts; undone ones are not)."""
        return len(self._done)

    def _more_new(self) -> bool:
        """The queue is empty: say why; True when the user asked for more new cards (``n``)."""
        now = self.clock()
        lines, limited = empty_reason(self.queue, self.persisted, self.cards, now, self.policy, self.cram)
        for line in lines:
            self.console.print(Text(line))
        if not limited:
            return False
        self.io.prompt(f"n: {MORE_NEW} more new cards now   any other key: end the session")
        self.io.flush()
        try:
            key = self.keys.read_key()
        except EOFError:
            return False
        if key.lower() != "n":
            return False
        self.queue.new_left += MORE_NEW
        self.queue.new_per_day += MORE_NEW
        self.console.print(Text(f"{MORE_NEW} more new cards for today."))
        return True

    def _finish(self, elapsed: timedelta, now: datetime) -> None:
        s = self.summary
        s.elapsed = elapsed
        s.seen = len(self._seen)
        s.reviews = sum(s.ratings.values())
        pool = self.cards or [d.card for d in self._done]
        # on a big history (StateIndex) the two figures come from the due index, not every state
        due_ids, s.next_due = self.persisted.due_summary(id_set_of(pool), now, self.policy)
        # due_ids are ids of the pool; a Selection has each once, a list of rated cards may repeat one
        s.due_now = len(due_ids) if isinstance(pool, Selection) else sum(map(due_ids.__contains__, ids_of(pool)))

    # -- one card --------------------------------------------------------------------------
    def _one(self, card: Card) -> None:
        shown_at = self.clock()
        problem = instantiate(card, self.rng) if is_generated(card.id) else None
        self.console.print(card_panel(card, problem, self._n))
        grade = None
        if problem is not None or (card.type is not CardType.basic and not card.disputed):
            grade = self.io.typed_answer(card, problem)  # a disputed card is self-rated, never graded
        else:
            self.io.prompt("Enter/space: show answer   s skip   u undo   q quit")
            while True:
                key = self.io.key()
                if key in ("\n", " "):
                    break
                self.io.prompt("Press Enter or space to show the answer (s skip, u undo, q quit)")
        if grade is not None and not grade.correct and self.io.typo_asked():
            grade = self.io.retype(card, problem, grade)  # one retype, before anything is revealed
        found = diagnose(card, problem, grade)
        reveal(self.console, card, problem, grade, found)
        wrong = grade is not None and not grade.correct
        rating = self._rating(card, WRONG_CAP if wrong else 5)
        self._record(card, rating, shown_at, grade, problem, None if found is None else found.mistake)
        self._recorded(card, rating)

    def _recorded(self, card: Card, rating: int) -> None:
        """One line: what was recorded and when the card returns."""
        if self.cram:
            when = "cram: not scheduled"
        else:
            wait = effective_due(self.states[card.id], self.policy) - self.clock()
            when = f"back in {format_interval(wait)}"
            if wait <= LEARN_AHEAD:
                when += " (later this session)" if self._rated() < self.limit else " (next session: --limit reached)"
        left = len(self.queue)
        self.console.print(Text(f"Recorded {rating} ({RATING_LABELS[rating]}) · {when}"
                                + ("" if self.cram else f" · {left} left today"), style="dim"))

    def _rating(self, card: Card, cap: int, typo: bool = False) -> int:
        """The rating 1-5 (at most ``cap``); 0 when ``typo`` is offered and ``t`` pressed."""
        preview = None if self.cram else preview_intervals(self.states.get(card.id), self.clock(), self.policy)
        rating_lines(self.console, cap, preview)  # cram never changes the schedule: no intervals to preview
        return self.io.rate(cap, typo)

    # -- persistence -------------------------------------------------------------------------
    def _record(self, card: Card, rating: int, shown_at: datetime, grade: Any, problem: Any,
                mistake: str | None = None) -> None:
        now = self.clock()
        before = self.states.get(card.id)
        rec = ReviewRecord(
            card_id=card.id, deck=card.deck, reviewed_at=now, rating=rating,
            duration_ms=max(0, int((now - shown_at).total_seconds() * 1000)),
            correct=None if grade is None else bool(grade.correct),
            problem_seed=None if problem is None else int(problem.seed),
            problem_params=None if problem is None else _jsonable(problem.params),
            kind="cram" if self.cram else "review",
            mistake=mistake,
            policy=self.policy,  # state_before: the store records the state it actually replaced
        )
        if self.cram:  # the schedule is left alone: the rating only moves the private copy
            after = review(before, rating, now, card_id=card.id, policy=self.policy)
            rid = self.store.record(rec, None)
        else:
            # computed inside the write transaction from the state as committed now: another
            # session may have rated this card since we loaded it (committed before the next card)
            written: list[tuple[CardState | None, CardState]] = []  # (before, after) of the last call

            def compute(current: CardState | None) -> CardState:
                written[:] = [(current, review(current, rating, now, card_id=card.id, policy=self.policy))]
                return written[0][1]

            rid = self.store.record(rec, compute)
            before, after = written[0]
        self.states[card.id] = after
        self._seen[card.id] += 1
        self.summary.ratings[rating] += 1
        self._done.append(_Done(rid, card, before, rating))
        self.queue.rated(card, rating, after, now)

    def _undo(self, current: Card | None) -> None:
        if current is not None:
            self.queue.push_front(current)  # the card on screen comes back after the undone one
            self._n -= 1
        if not self._done:
            self.console.print(Text("Nothing to undo in this session."))
            return
        last = self._done.pop()
        self.store.undo(last.review_id)
        # the store restored (or replayed, if another session rated the card since) its state
        restored = last.before if self.cram else self.store.load_state(last.card.id)
        if restored is None:
            if last.card.id in self.states:
                del self.states[last.card.id]
        else:
            self.states[last.card.id] = restored
        self._seen[last.card.id] -= 1
        if self._seen[last.card.id] <= 0:
            del self._seen[last.card.id]
        self.summary.ratings[last.rating] -= 1
        self.summary.undone += 1
        self.queue.undo(last.card)
        self._n = max(0, self._n - 1)
        self.console.print(Text(f"Undid rating {last.rating} of {last.card.id}."))


def _jsonable(value: Any) -> Any:
    from generators.checks import to_plain

    return to_plain(value)
