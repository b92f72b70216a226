"""The study loop, independent of the terminal.

:class:`Session` takes a :class:`~cardcli.scheduler.StudyQueue`, a
:class:`~cardcli.store.Store`, a rich ``Console`` and a key source (``read_key``/``read_line``,
see :mod:`cardcli.terminal`) and returns a :class:`Summary`. Every rating is committed to the
store before the next card is shown.

Generated problems take part as pseudo-cards with ids ``gen:<family>:d<difficulty>``
(:func:`generated_cards`); each appearance is a fresh problem whose seed is drawn from the
session's ``rng`` and logged with its params.

Cram sessions (``cram=True``) log their ratings with kind ``'cram'`` but never write the card
state: the long-term schedule is exactly as it was before the cram. They start with a banner and
show no interval hints.

After each rating one line says what was recorded and when the card returns. A wrong graded
answer caps the rating at :data:`WRONG_CAP`, unless the student marks it as a typo (``t``, once
per card, offered *before* the answer is shown, so it cannot be used to copy it): the answer is
typed again and graded again.

Help when stuck, at the answer prompt: ``?`` shows a hint (a generated problem's formula with its
numbers), ``s`` or an empty answer shows the solution; that is logged as revealed (``correct``
NULL, no mistake), never as a wrong answer.

A session never ends silently: when the queue runs dry it says why (:func:`empty_reason`) -
the day's new-card limit (then ``n`` adds :data:`MORE_NEW` more at once), or nothing due until
a given local time - and how to get more. When it stops with cards still to do today - the
``--limit`` of ratings reached, or ``q``/Ctrl-D - its last lines say so and how to go on
(:func:`stop_lines`); a card rated at the limit is never promised "later this session".
After each rating the line says how many cards are left today (reviews due, cards coming back
in the session, new cards of the day's plan).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from operator import attrgetter
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from cardcli.clock import now
from cardcli.errors import CardcliError
from cardcli.model import Card, CardType, back_text
from cardcli.safetext import clean, safe_text
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
from cardcli.store import ReviewRecord, Store
from cardcli.studyday import StudyDay
from cardcli.terminal import KeySource

__all__ = [
    "GEN_PREFIX",
    "GEN_DECK",
    "Summary",
    "Session",
    "generated_cards",
    "is_generated",
    "render_summary",
    "empty_reason",
    "stop_lines",
    "MORE_NEW",
    "DEFAULT_LIMIT",
]

GEN_PREFIX = "gen:"
GEN_DECK = "generated"
RATING_PROMPT = "How well did you know this?"
CRAM_BANNER = "Cram: weakest cards first; ratings are logged, the schedule is unchanged."
#: wrong auto-graded answers cap the rating here
WRONG_CAP = 2
#: new cards one press of ``n`` adds when the day's limit is reached
MORE_NEW = 10
#: ratings after which a session stops (``cardcli study --limit``)
DEFAULT_LIMIT = 200



# -- generated problems as cards -----------------------------------------------------------

def is_generated(card_id: str) -> bool:
    return card_id.startswith(GEN_PREFIX)


def generated_cards(topics: Sequence[str] = (), difficulties: Sequence[int] | None = None) -> list[Card]:
    """One pseudo-card per (family, difficulty) of the problem generators.

    Without ``topics`` every family at difficulty 1; with topics, the families whose topics
    (or name) match, at difficulties 1-3. Uses the NumPy-free catalog: nothing heavy is imported
    until a generated card is actually shown.
    """
    from generators.catalog import CATALOG

    wanted = set(topics)
    levels = tuple(difficulties) if difficulties else ((1, 2, 3) if wanted else (1,))
    cards: list[Card] = []
    for name, (fam_topics, _) in CATALOG.items():
        if wanted and not (wanted & set(fam_topics) or name in wanted):
            continue
        for d in levels:
            cards.append(Card(
                id=f"{GEN_PREFIX}{name}:d{d}", front=f"Generated problem: {name} (difficulty {d})",
                back="", topic=fam_topics[0], deck=GEN_DECK, type=CardType.numeric,
                group=f"{GEN_PREFIX}{name}",
            ))
    return cards


def _instantiate(card: Card, rng: random.Random) -> Any:
    """A fresh problem for a ``gen:`` card (seed drawn from ``rng``)."""
    from generators.families import generate

    _, family, level = card.id.split(":")
    seed = rng.randrange(2**31)
    return generate(family, 1, seed, int(level.lstrip("d")))[0]


# -- the summary ---------------------------------------------------------------------------

@dataclass
class Summary:
    """What a session did."""

    seen: int = 0  # distinct cards rated
    reviews: int = 0  # ratings kept (undone ones are not counted)
    ratings: dict[int, int] = field(default_factory=lambda: {r: 0 for r in range(1, 6)})
    skipped: int = 0
    undone: int = 0
    elapsed: timedelta = timedelta(0)
    due_now: int = 0  # selected cards still due at the end
    next_due: datetime | None = None  # earliest due time among the rest
    cram: bool = False


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def render_summary(s: Summary, console: Console, now: datetime, day: StudyDay | None = None) -> None:
    secs = int(s.elapsed.total_seconds())
    hist = "  ".join(f"{r}: {n}" for r, n in s.ratings.items())
    console.print(Text(f"Session over: {_count(s.seen, 'card')}, {_count(s.reviews, 'rating')} in "
                       f"{secs // 60} min {secs % 60} s"
                       + (" (cram: schedule unchanged)" if s.cram else "")))
    console.print(Text(f"Ratings  {hist}" + (f"   skipped: {s.skipped}" if s.skipped else "")
                       + (f"   undone: {s.undone}" if s.undone else "")))
    if s.due_now:
        console.print(Text(f"Still due now: {_count(s.due_now, 'card')}"))
    if s.next_due is not None:
        wait = s.next_due - now
        when = "now" if wait <= timedelta(0) else f"in {format_interval(wait)}"
        console.print(Text(f"Next due: {when} ({(day or StudyDay()).format(s.next_due)})"))
    elif not s.due_now:
        console.print(Text("Nothing scheduled yet."))


# -- the loop ------------------------------------------------------------------------------

class _Quit(Exception):
    pass


class _Skip(Exception):
    pass


class _Undo(Exception):
    pass


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
        self.persisted = card_states(states)
        self.states = LoadedStates(self.persisted.items()) if cram else self.persisted  # cram: a private copy
        self.cards = list(cards)
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
                except _Skip:
                    self.summary.skipped += 1
                    self._current = None
                except _Undo:
                    self._undo(current=card)
                    self._current = None  # put back in the queue
        except (_Quit, EOFError, KeyboardInterrupt):
            pass
        end = self.clock()
        self._finish(end - start, end)
        self.console.print()
        render_summary(self.summary, self.console, end, self.policy.day)
        if stopped != "empty" and not self.cram:
            on_screen = 1 if self._current is not None else 0
            for line in stop_lines(stopped, len(self.queue) + on_screen, self.limit):
                self.console.print(Text(line, style="bold"))
        self._flush()
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
        self._prompt(f"n: {MORE_NEW} more new cards now   any other key: end the session")
        self._flush()
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

    def _flush(self) -> None:
        try:
            self.console.file.flush()
        except (AttributeError, OSError, ValueError):
            pass

    def _finish(self, elapsed: timedelta, now: datetime) -> None:
        s = self.summary
        s.elapsed = elapsed
        s.seen = len(self._seen)
        s.reviews = sum(s.ratings.values())
        pool = self.cards or [d.card for d in self._done]
        # on a big history (StateIndex) the two figures come from the due index, not every state
        ids = list(map(attrgetter("id"), pool))
        due_ids, s.next_due = self.persisted.due_summary(set(ids), now, self.policy)
        s.due_now = sum(map(due_ids.__contains__, ids))

    # -- one card --------------------------------------------------------------------------
    def _one(self, card: Card) -> None:
        shown_at = self.clock()
        problem = _instantiate(card, self.rng) if is_generated(card.id) else None
        self.console.print(self._panel(card, problem))
        grade = None
        if problem is not None or (card.type is not CardType.basic and not card.disputed):
            grade = self._typed_answer(card, problem)  # a disputed card is self-rated, never graded
        else:
            self._prompt("Enter/space: show answer   s skip   u undo   q quit")
            while True:
                key = self._key()
                if key in ("\n", " "):
                    break
                self._prompt("Press Enter or space to show the answer (s skip, u undo, q quit)")
        if grade is not None and not grade.correct and self._typo_asked():
            grade = self._retype(card, problem, grade)  # one retype, before anything is revealed
        found = _diagnose(card, problem, grade)
        self._reveal(card, problem, grade, found)
        wrong = grade is not None and not grade.correct
        rating = self._rating(card, WRONG_CAP if wrong else 5)
        self._record(card, rating, shown_at, grade, problem, None if found is None else found.mistake)
        self._recorded(card, rating)

    def _typo_asked(self) -> bool:
        """After a wrong answer, before the answer is shown: ``t`` retypes it (a typo), any other key
        shows the answer. Offered here only, so a shown answer can never be copied in a retype."""
        self.console.print(Text("✗ not right.", style="red"))
        self._prompt("t typo: retype your answer once   Enter: show the answer   u undo   q quit")
        self._flush()
        key = self.keys.read_key().lower()
        if key == "q":
            raise _Quit
        if key == "u":
            raise _Undo
        return key == "t"

    def _key(self) -> str:
        self._flush()
        key = self.keys.read_key()
        k = key.lower()
        if k == "q":
            raise _Quit
        if k == "s":
            raise _Skip
        if k == "u":
            raise _Undo
        return key

    def _prompt(self, text: str) -> None:
        self.console.print(Text(text, style="dim"))
        self._flush()

    def _panel(self, card: Card, problem: Any) -> Panel:
        parts: list[Any] = []
        if problem is not None:
            from cardcli.render import problem_renderable

            parts.append(problem_renderable(problem))
            matrices = {}
        else:
            parts.append(safe_text(card.front))  # clean at load too; again here for cached decks
            matrices = card.matrices
            if card.type is CardType.choice:
                parts.append(safe_text("\n".join(f"  {i}) {o}" for i, o in enumerate(card.options, 1))))
            elif card.type is CardType.truefalse:
                parts.append(Text("  true or false?"))
        for caption, rows in (matrices or {}).items():
            parts.append(_matrix(rows, caption))
        n = self._n
        title = safe_text(f"#{n}  {card.deck} · {card.topic}")  # Text: a deck name is never markup
        return Panel(Group(*parts), title=title, title_align="left", subtitle=safe_text(card.id),
                     subtitle_align="right")

    def _typed_answer(self, card: Card, problem: Any, retype: bool = False) -> Any:
        if problem is not None:
            from cardcli.render import entry_help

            self._prompt(entry_help(problem.answer_kind))
        if retype:
            self._prompt("Retype your answer; it is graded again (Enter keeps the first one):")
        else:
            self._prompt("Your answer (? hint; s or Enter shows the answer; u undo, q quit):")
        while True:
            self._flush()
            text = self.keys.read_line("> ")
            cmd = text.strip().lower()
            if cmd == "q":
                raise _Quit
            if cmd == "u":
                raise _Undo
            if cmd == "?" and not retype:
                hint = getattr(problem, "hint", "") if problem is not None else ""
                self.console.print(safe_text(f"Hint: {hint}" if hint else
                                             "No hint for a deck card: s or Enter shows the answer.", style="cyan"))
                continue
            if not cmd or (cmd == "s" and not retype):
                return None  # shown on request: logged as revealed (correct NULL), not as a mistake
            rows = self._more_rows(text, problem.answer if problem is not None else card.answer)
            if rows is None:
                return None
            try:
                return _grade(card, problem, rows)
            except (ValueError, CardcliError) as e:  # the text could not be read as an answer
                self._prompt(clean(f"Could not read that: {e}. Try again (or Enter to show the answer)."))

    def _more_rows(self, first: str, expected: Any) -> str | None:
        """A matrix typed one row per line: read the remaining rows (see :mod:`cardcli.matrix_entry`)."""
        from cardcli.matrix_entry import start

        entry = start(first, expected)
        if entry is None:
            return first
        while not entry.done:
            self._flush()
            line = self.keys.read_line(entry.prompt())
            cmd = line.strip().lower()
            if cmd == "s":
                return None  # show the answer, as at the first row
            if cmd in ("q", "u"):
                raise {"q": _Quit, "u": _Undo}[cmd]
            note = entry.feed(line)
            if note:
                self.console.print(_matrix(entry.table_rows(), "Rows so far"))
                self._prompt(note)
        return entry.text()

    def _retype(self, card: Card, problem: Any, first: Any) -> Any:
        """A typo: read the answer again and grade it (Enter keeps the first grade)."""
        grade = self._typed_answer(card, problem, retype=True)
        if grade is None:
            return first
        detail = "" if grade.correct else f": {grade.detail}"
        self.console.print(safe_text(f"{'✓ correct' if grade.correct else '✗ still incorrect'} (retyped){detail}",
                                     style="green" if grade.correct else "red"))
        return grade

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

    def _reveal(self, card: Card, problem: Any, grade: Any, found: Any = None) -> None:
        line = None if found is None else found.line
        if problem is not None:
            from cardcli.render import solution_renderable

            self.console.print(solution_renderable(problem, grade, line))
            return
        if grade is not None:
            mark = "correct" if grade.correct else "wrong"
            detail = getattr(grade, "detail", "") or ""
            if detail.strip().lower() in ("correct", "wrong", "incorrect"):
                detail = ""
            self.console.print(safe_text(f"{'✓' if grade.correct else '✗'} {mark}" + (f": {detail}" if detail else ""),
                                         style="green" if grade.correct else "red"))
            if line:
                self.console.print(Text(line, style="yellow"))
        wrong_cells = getattr(grade, "wrong_cells", None)
        if grade is not None and not grade.correct and wrong_cells and _is_matrix(getattr(grade, "value", None)):
            from cardcli.render import matrix_table

            self.console.print(matrix_table(grade.value, title="Your answer", wrong_cells=wrong_cells))
        if card.disputed:
            self.console.print(Text(f"Disputed: {card.disputed}", style="yellow"))
        if card.type is not CardType.basic and card.answer is not None:
            if _is_matrix(card.answer):
                self.console.print(_matrix(card.answer, "Answer"))
            else:
                self.console.print(safe_text(f"Answer: {_plain(card.answer)}", style="bold"))
        self.console.print(safe_text(back_text(card)))
        if card.erratum:
            self.console.print(safe_text(f"Erratum: {card.erratum}", style="yellow"))
        if card.source:
            self.console.print(safe_text(f"Source: {card.source}", style="dim"))

    def _rating(self, card: Card, cap: int, typo: bool = False) -> int:
        """The rating 1-5 (at most ``cap``); 0 when ``typo`` is offered and ``t`` pressed."""
        labels = "  ".join(f"{r} {RATING_LABELS[r]}" for r in range(1, 6))
        line = f"{RATING_PROMPT}  {labels}"
        self.console.print(Text(line if len(line) <= self.console.width else f"{RATING_PROMPT}\n{labels}"))
        capped = f"(wrong answer: rating capped at {cap})" if cap < 5 else ""
        if self.cram:  # cram never changes the schedule: no intervals to preview
            if capped:
                self.console.print(Text(capped, style="dim"))
        else:
            preview = preview_intervals(self.states.get(card.id), self.clock(), self.policy)
            shown = [r for r in range(1, 6) if r <= cap]
            self.console.print(Text("  ".join(f"{r}: {format_interval(preview[r])}" for r in shown)
                                    + (f"   {capped}" if capped else ""), style="dim"))
        self._prompt("1-5 rate   " + ("t typo: retype the answer   " if typo else "") + "u undo   s skip   q quit")
        while True:
            key = self._key()
            if typo and key.lower() == "t":
                return 0
            if key in ("1", "2", "3", "4", "5"):
                r = int(key)
                if r > cap:
                    self.console.print(Text(f"Rated {cap}: a wrong answer caps the rating at {cap}."))
                return min(r, cap)
            self._prompt("Press 1-5 to rate (u undo, s skip, q quit)")

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
            written: list[CardState] = []

            def compute(current: CardState | None) -> CardState:
                written[:] = [current, review(current, rating, now, card_id=card.id, policy=self.policy)]
                return written[1]

            rid = self.store.record(rec, compute)
            before, after = written
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


# -- why a session stopped ----------------------------------------------------------------

def stop_lines(stopped: str, left: int, limit: int) -> list[str]:
    """The last lines of a session that stopped with ``left`` cards still to do today:
    ``stopped`` is ``'limit'`` (``--limit`` ratings given) or ``'quit'`` (``q``, Ctrl-D, Ctrl-C)."""
    if left <= 0:
        return []
    todo = f"{_count(left, 'card')} still to do today"
    if stopped == "limit":
        return [f"Stopped: this session reached its --limit of {_count(limit, 'rating')}; {todo}.",
                f"Go on with `cardcli study` (a new session), or `cardcli study --limit {limit + max(limit, left)}` "
                f"for a longer one."]
    return [f"Stopped before the end: {todo}. `cardcli study` goes on where you left off."]


# -- why a queue is empty -----------------------------------------------------------------

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
                f"({_count(unseen, 'unseen card')} left in this selection.)"], True
    states = card_states(states)
    ids = list(map(attrgetter("id"), cards))
    nxt = states.earliest_due(set(ids), policy)  # a big history: from the due index
    seen = sum(map(states.ids.__contains__, ids))
    lines = []
    if nxt is not None:
        wait = nxt - now
        when = "now" if wait <= timedelta(0) else f"in {format_interval(wait)}"
        lines.append(f"Nothing more due today: the next card is due {policy.day.format(nxt)} ({when}).")
    lines.append(f"Every card of this selection has been seen ({_count(seen, 'card')}); for more now: "
                 "`cardcli study --cram` (weakest first, schedule untouched) or `cardcli quiz` "
                 "(fresh problems).")
    return lines, False


# -- helpers -------------------------------------------------------------------------------

def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _jsonable(value: Any) -> Any:
    from generators.checks import to_plain

    return to_plain(value)


def _grade(card: Card, problem: Any, text: str) -> Any:
    from cardcli import answers

    if problem is not None:
        from cardcli.partmarks import mark_problem, read_problem

        return mark_problem(problem, read_problem(problem, text))
    return answers.grade_card_answer(card, text)


def _diagnose(card: Card, problem: Any, grade: Any) -> Any:
    """The ``Likely mistake`` of a wrong graded answer (generated problem or deck card with a check)."""
    if grade is None or grade.correct:
        return None
    from cardcli.diagnosis import diagnose_card, diagnose_problem

    if problem is not None:
        return diagnose_problem(problem, grade.value)
    return diagnose_card(card, grade.value)


def _is_matrix(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(r, list) for r in value)


def _matrix(rows: list, caption: str) -> Any:
    from cardcli.render import matrix_table

    return matrix_table(rows, title=caption)
