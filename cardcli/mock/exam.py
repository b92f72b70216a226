"""Building a mock exam from a template: generated problems and deck cards, reproducible by seed.

* A problem question of family ``F`` at difficulty ``d`` is problem ``i`` of ``cardcli generate F
  --seed S -d d`` for the exam's seed ``S``: ``i`` counts up from 0 per (family, difficulty) over
  the exam, skipping problems whose answer kind is not the one the template asks for (``answer:
  matrix`` keeps a convolution question to the full output rather than one cell).
* A card draw takes deck cards of the asked types (never a ``disputed`` one, never a numeric card
  whose answer cannot be typed), weakest topics first: topics ordered by the mean predicted recall
  of all their deck cards now (never seen = 0), ties broken by the seeded generator; one card per
  topic in turn, each topic's weakest card first; cards of one source question (``group``) not
  twice while others are left. Recall is FSRS's forgetting curve in fractional days with the
  fitted parameters when ``cardcli optimize`` saved some.

The same seed and the same review history give the same exam.
"""

from __future__ import annotations

import random
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cardcli import gencards
from cardcli.errors import CardcliError, DeckIssue, did_you_mean
from cardcli.mock.template import DrawSpec, ProblemSpec, Template, TemplateError
from cardcli.model import Card, CardType
from cardcli.scheduler import CardState, Policy, recall_forecast

__all__ = ["ExamFillError", "Question", "Exam", "build_exam", "draw_cards", "topic_recall", "MAX_PROBLEM_TRIES"]

#: problem indices tried to find one of the asked answer kind
MAX_PROBLEM_TRIES = 64


class ExamFillError(CardcliError):
    """The decks cannot fill the exam (too few cards of the asked kind for the selection)."""


@dataclass(frozen=True)
class Question:
    """One numbered question: a generated ``problem`` or a deck ``card``, worth ``points``."""

    number: int
    section: str
    points: int
    problem: Any = None
    card: Card | None = None

    @property
    def kind(self) -> str:
        """The answer kind (a problem's ``answer_kind``; ``truefalse``/``choice`` or the numeric kind of a card)."""
        if self.problem is not None:
            return str(self.problem.answer_kind)
        assert self.card is not None
        if self.card.type is CardType.numeric:
            from cardcli.answers import infer_kind

            return infer_kind(self.card.answer) or "text"
        return self.card.type.value

    @property
    def expected(self) -> Any:
        return self.problem.answer if self.problem is not None else self.card.answer  # type: ignore[union-attr]

    @property
    def topic(self) -> str:
        return self.problem.topics[0] if self.problem is not None else self.card.topic  # type: ignore[union-attr]

    @property
    def card_id(self) -> str:
        """The schedule card this question moves: ``gen:<family>:d<k>`` or the deck card's id."""
        if self.problem is not None:
            return gencards.card_id(self.problem.family, self.problem.difficulty)
        return self.card.id  # type: ignore[union-attr]

    @property
    def deck(self) -> str:
        return gencards.GEN_DECK if self.problem is not None else self.card.deck  # type: ignore[union-attr]

    @property
    def label(self) -> str:
        """What to review: the family name or the card id."""
        return self.problem.family if self.problem is not None else self.card.id  # type: ignore[union-attr]


@dataclass(frozen=True)
class Exam:
    title: str
    template: str
    seed: int
    minutes: int
    questions: tuple[Question, ...]

    @property
    def total(self) -> int:
        return sum(q.points for q in self.questions)

    @property
    def sections(self) -> list[tuple[str, list[Question]]]:
        out: list[tuple[str, list[Question]]] = []
        for q in self.questions:
            if not out or out[-1][0] != q.section:
                out.append((q.section, []))
            out[-1][1].append(q)
        return out


def topic_recall(cards: Sequence[Card], states: Mapping[str, CardState], now: datetime,
                 policy: Policy | None = None) -> dict[str, float]:
    """Mean predicted recall now per topic over ``cards`` (never seen = 0; the forgetting curve in
    fractional days, :func:`cardcli.scheduler.recall_forecast`, with the policy's parameters)."""
    sums: dict[str, list[float]] = {}
    for c in cards:
        sums.setdefault(c.topic, []).append(recall_forecast(states.get(c.id), now, policy))
    return {t: sum(v) / len(v) for t, v in sums.items()}


def _typeable(card: Card) -> bool:
    if card.type is CardType.numeric:
        from cardcli.answers import infer_kind

        return infer_kind(card.answer) not in (None, "text")
    return True


def draw_cards(spec: DrawSpec, cards: Sequence[Card], states: Mapping[str, CardState], now: datetime,
               rng: random.Random, *, taken: Container[str] = frozenset(), extra_topics: Sequence[str] = (),
               section: str = "", file: str = "", policy: Policy | None = None) -> list[Card]:
    """``spec.count`` cards for a draw section (see the module doc); raises :class:`ExamFillError`."""
    topics = set(spec.topics)
    if extra_topics:
        topics = (topics & set(extra_topics)) if topics else set(extra_topics)
    decks = {d.casefold() for d in spec.decks}
    matching = [c for c in cards if c.type.value in spec.types and (not topics or c.topic in topics)
                and (not decks or c.deck.casefold() in decks) and c.id not in taken]
    pool = [c for c in matching if not c.disputed and _typeable(c)]
    if len(pool) < spec.count:
        what = "/".join(spec.types)
        where = f" on topic{'s' if len(topics) > 1 else ''} {', '.join(sorted(topics))}" if topics else ""
        if decks:
            where += f" in deck{'s' if len(decks) > 1 else ''} {', '.join(spec.decks)}"
        left_out = len(matching) - len(pool)
        note = f" ({left_out} disputed or untypeable card{'s' if left_out != 1 else ''} left out)" if left_out else ""
        at = f" ({file}:{spec.line})" if file else ""
        raise ExamFillError(
            f"cannot fill the section {section!r}{at}: it needs {spec.count} {what} cards{where}, "
            f"but the decks hold {len(pool)}{note}; choose other --topic values or lower 'count' in a template")
    recall = topic_recall(cards, states, now, policy)
    by_topic: dict[str, list[tuple[float, float, Card]]] = {}
    for c in pool:
        by_topic.setdefault(c.topic, []).append((recall_forecast(states.get(c.id), now, policy), rng.random(), c))
    order = sorted(by_topic, key=lambda t: (recall.get(t, 0.0), rng.random()))
    queues = {t: sorted(by_topic[t], key=lambda x: (x[0], x[1])) for t in order}
    chosen: list[Card] = []
    groups: set[str] = set()
    for allow_siblings in (False, True):
        while len(chosen) < spec.count:
            added = False
            for t in order:
                if len(chosen) >= spec.count:
                    break
                q = queues[t]
                for i, (_, _, c) in enumerate(q):
                    if allow_siblings or c.group_key not in groups:
                        chosen.append(c)
                        groups.add(c.group_key)
                        del q[i]
                        added = True
                        break
            if not added:
                break
    return chosen


def _problem(spec: ProblemSpec, seed: int, start: int, file: str) -> tuple[Any, int]:
    """The first problem from index ``start`` with the asked answer kind, and the index after it."""
    from generators.families import problem

    for i in range(start, start + MAX_PROBLEM_TRIES):
        p = problem(spec.family, seed, spec.difficulty, i)
        kind = str(p.answer_kind)
        if spec.answer is None or kind == spec.answer or (spec.answer == "memory" and kind.startswith("memory")):
            return p, i + 1
    raise TemplateError([DeckIssue(file, spec.line, f"{spec.family} at difficulty {spec.difficulty} does not ask "
                                                    f"for a {spec.answer!r} answer; remove 'answer' or pick "
                                                    f"another kind")])


def build_exam(template: Template, seed: int, cards: Sequence[Card], states: Mapping[str, CardState],
               now: datetime, topics: Sequence[str] = (), policy: Policy | None = None) -> Exam:
    """The exam of ``template`` for ``seed``: problems from the generators, draws from ``cards``.

    ``topics`` (``--topic``) narrows every card draw to those topics; unknown names are an error.
    ``policy`` carries the fitted FSRS parameters the recall is predicted with (None: defaults).
    """
    from cardcli.errors import UsageError
    from cardcli.topics import TOPICS

    bad = [t for t in topics if t not in TOPICS]
    if bad:
        raise UsageError(f"--topic: unknown topic {bad[0]!r}{did_you_mean(bad[0], list(TOPICS))}; "
                         f"topics: {', '.join(sorted(TOPICS))}")
    known = {c.deck.casefold() for c in cards}
    for s in template.sections:
        if s.draw is not None:
            missing = [d for d in s.draw.decks if d.casefold() not in known]
            if missing:
                names = sorted({c.deck for c in cards})
                raise TemplateError([DeckIssue(template.file, s.draw.line,
                                               f"no deck named {missing[0]!r}{did_you_mean(missing[0], names)}; "
                                               f"decks: {', '.join(names)}")])
    questions: list[Question] = []
    next_index: dict[tuple[str, int], int] = {}
    taken: set[str] = set()
    for si, s in enumerate(template.sections):
        for spec in s.problems:
            key = (spec.family, spec.difficulty)
            p, next_index[key] = _problem(spec, seed, next_index.get(key, 0), template.file)
            questions.append(Question(len(questions) + 1, s.title, spec.points, problem=p))
        if s.draw is not None:
            rng = random.Random(f"cardcli-mock:{seed}:{si}")
            for c in draw_cards(s.draw, cards, states, now, rng, taken=taken, extra_topics=topics,
                                section=s.title, file=template.file, policy=policy):
                taken.add(c.id)
                questions.append(Question(len(questions) + 1, s.title, s.draw.points, card=c))
    return Exam(title=template.title, template=template.name or template.file, seed=int(seed),
                minutes=template.minutes, questions=tuple(questions))
