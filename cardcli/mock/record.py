"""What a mock exam writes to the history (pure: the caller stores it).

* Every question attempted (answered or left blank) is one ``reviews`` row of kind ``mock`` on its schedule card
  (``gen:<family>:d<k>`` for a generated problem, the deck card's id otherwise), rated for the
  scheduler like a quiz answer: 4 (Good) when it earned full points, 1 (Again) otherwise (partial
  credit, wrong or blank). So the card's next due time and the readiness per topic follow the
  mock exam. Questions never reached (time out, ``q``) are not logged: they were not attempted.
* One ``mock_exams`` row: start and end, seed, template, score of max, how it ended, the
  per-topic ``{topic: [score, points]}`` and per-question details.

The command writes them as the exam is sat (:meth:`cardcli.store.Store.begin_mock_exam`, then
one transaction per answer with :func:`answer_record` and the :func:`summary_record` so far, then
the end), so a sitting ended by a closed window or a crash keeps every answer given.
"""

from __future__ import annotations

from datetime import datetime

from cardcli.mock.exam import Exam
from cardcli.mock.marking import Mark, Marking
from cardcli.mock.sitting import Sitting
from cardcli.scheduler import Policy
from cardcli.store import MockExamRecord, ReviewRecord

__all__ = ["MOCK_KIND", "RATING_FULL", "RATING_LOST", "mock_records", "answer_record", "summary_record"]

MOCK_KIND = "mock"
RATING_FULL = 4
RATING_LOST = 1


def answer_record(m: Mark, now: datetime, policy: Policy | None = None) -> ReviewRecord:
    """The log row of one attempted question."""
    from generators.checks import to_plain

    q = m.question
    p = q.problem
    return ReviewRecord(
        card_id=q.card_id, deck=q.deck, reviewed_at=now, rating=RATING_FULL if m.full else RATING_LOST,
        duration_ms=None, correct=m.full, problem_seed=None if p is None else int(p.seed),
        problem_params=None if p is None else to_plain(p.params), kind=MOCK_KIND,
        mistake=m.mistake, policy=policy,
    )


def summary_record(exam: Exam, marking: Marking, sitting: Sitting, now: datetime) -> MockExamRecord:
    """The exam's row as it stands: the questions attempted so far count, the others are 'not attempted'."""
    shown = set(sitting.attempted)
    questions = []
    for m in marking.marks:
        q = m.question
        questions.append({"n": q.number, "card_id": q.card_id, "label": q.label, "topic": q.topic,
                          "points": q.points, "score": m.score,
                          "status": m.status if q.number in shown else "not attempted",
                          "answer": m.text})
    return MockExamRecord(
        started_at=sitting.started_at, finished_at=sitting.ended_at or now, seed=exam.seed, template=exam.template,
        score=marking.score, max=marking.total, minutes=exam.minutes, stopped=sitting.stopped,
        topics={t: [s, p] for t, (s, p) in marking.by_topic().items()}, questions=questions,
    )


def mock_records(exam: Exam, marking: Marking, sitting: Sitting, now: datetime,
                 policy: Policy | None = None) -> tuple[MockExamRecord, list[ReviewRecord]]:
    """The exam's summary row and its answers' log rows (the store moves each card's state from
    the state committed when it writes them: :meth:`cardcli.store.Store.record_mock_exam`)."""
    shown = set(sitting.attempted)
    answers = [answer_record(m, now, policy) for m in marking.marks if m.question.number in shown]
    return summary_record(exam, marking, sitting, now), answers
