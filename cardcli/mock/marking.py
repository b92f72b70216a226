"""Marking a mock exam: points per question with partial credit, per-topic totals, the answer key.

Partial credit (a share of the question's points, rounded to 0.1 point):

* a matrix: the share of cells right (3 of 4 cells right on a 20-point question: 15 points);
* a shape: the share of dimensions right (56×56×128 for 56×56×256: 2/3 of the points);
* a multi-part answer: the share of the parts' points earned, follow-through included (a part
  right given the student's own wrong earlier value earns its points; :mod:`cardcli.partmarks`);
* a spectral radius and regime: half for the radius (within the stated tolerance), half for the
  regime (so the radius right but the regime wrong earns half);
* anything else (numbers, memory, verdicts, true/false, choices): all or nothing.

A blank or unanswered question scores 0. :func:`key_text` is the answer exactly as the sitting
accepts it typed (``1 2; 3 4``, ``56x56x256``, ``1.75 exploding``, ``true``, an option number).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cardcli.answers import AnswerFormatError, Grade, grade, grade_card_answer
from cardcli.mock.exam import Exam, Question
from cardcli.partmarks import PartsGrade, mark_problem, read_problem

__all__ = ["Mark", "Marking", "credit_note", "key_text", "mark_answer", "mark_exam", "read_answer", "share",
           "fmt_points"]


@dataclass(frozen=True)
class Mark:
    """The marking of one question: ``score`` of ``question.points``; ``text`` None when blank."""

    question: Question
    text: str | None
    score: float
    grade: Grade | None = None
    mistake: str | None = None  # the diagnosed mistake id(s), comma-separated
    diagnosis: str | None = None  # the ``Likely mistake:`` line

    @property
    def full(self) -> bool:
        return self.score >= self.question.points

    @property
    def status(self) -> str:
        if self.text is None:
            return "blank"
        if self.full:
            return "right"
        return "partial" if self.score > 0 else "wrong"


@dataclass(frozen=True)
class Marking:
    marks: tuple[Mark, ...]

    @property
    def score(self) -> float:
        return round(sum(m.score for m in self.marks), 1)

    @property
    def total(self) -> int:
        return sum(m.question.points for m in self.marks)

    def by_topic(self) -> dict[str, tuple[float, int]]:
        """topic -> (score, points), topics in order of first appearance."""
        out: dict[str, list[float]] = {}
        for m in self.marks:
            s = out.setdefault(m.question.topic, [0.0, 0])
            s[0] += m.score
            s[1] += m.question.points
        return {t: (round(v[0], 1), int(v[1])) for t, v in out.items()}

    def to_review(self) -> list[Mark]:
        """Questions that lost points, the biggest loss first."""
        lost = [m for m in self.marks if not m.full]
        return sorted(lost, key=lambda m: (-(m.question.points - m.score), m.question.number))


def fmt_points(x: float) -> str:
    """``15``, ``13.3``: points as shown (at most one decimal)."""
    r = round(float(x), 1)
    return str(int(r)) if r == int(r) else f"{r:.1f}"


def key_text(q: Question) -> str:
    """The answer to ``q`` in a form the sitting accepts when typed."""
    from generators.render import fmt

    kind, answer = q.kind, q.expected
    if kind == "truefalse":
        return "true" if answer else "false"
    if kind == "choice":
        from cardcli.answers import _norm_text  # the grader's own comparison of option texts

        options = [_norm_text(o) for o in q.card.options]  # type: ignore[union-attr]
        return str(options.index(_norm_text(answer)) + 1)
    if kind == "matrix":
        return "; ".join(" ".join(fmt(v) for v in row) for row in answer)
    if kind == "shape":
        return "x".join(str(int(v)) for v in answer)
    if kind == "radius-verdict":
        return f"{fmt(answer['radius'])} {answer['regime']}"
    if kind == "parts":
        from generators.parts import parts_text

        return parts_text(tuple(q.problem.parts), answer)
    if kind.startswith("memory"):
        unit = kind.split(":", 1)[1] if ":" in kind else "MB"
        return f"{fmt(answer)} {unit}"
    if kind == "int":
        return str(int(answer))
    return fmt(answer)


def read_answer(q: Question, text: str) -> Any:
    """Check that ``text`` can be read as an answer to ``q``; raises :class:`AnswerFormatError`."""
    if q.problem is not None:
        return read_problem(q.problem, text)
    g = grade_card_answer(q.card, text)
    if g is None:
        raise AnswerFormatError("expected an answer, got nothing")
    return g.value


def share(kind: str, g: Grade, expected: Any, tolerance: float | None = None) -> float:
    """The share of the points a graded answer earns (see the module doc)."""
    if g.correct:
        return 1.0
    if kind == "matrix" and isinstance(expected, list) and expected:
        cells = len(expected) * len(expected[0])
        return max(0.0, 1 - len(g.wrong_cells) / cells)
    if kind == "shape" and isinstance(expected, list) and expected:
        return max(0.0, 1 - len(g.wrong_cells) / len(expected))
    if kind == "parts" and isinstance(g, PartsGrade):
        return g.share
    if kind == "radius-verdict" and isinstance(g.value, dict):
        radius_ok = grade(g.value["radius"], expected["radius"], "float", tolerance).correct
        regime_ok = str(g.value["regime"]).lower() == str(expected["regime"]).lower()
        return 0.5 * radius_ok + 0.5 * regime_ok
    return 0.0


def credit_note(m: Mark) -> str | None:
    """Why a partly right answer earned what it did (None unless partial)."""
    if m.status != "partial" or m.grade is None:
        return None
    q, g = m.question, m.grade
    if q.kind == "matrix":
        cells = len(q.expected) * len(q.expected[0])
        return f"{cells - len(g.wrong_cells)} of {cells} cells right"
    if q.kind == "shape":
        n = len(q.expected)
        return f"{n - len(g.wrong_cells)} of {n} dimensions right"
    if q.kind == "parts" and isinstance(g, PartsGrade):
        right = [m.name for m in g.parts if m.correct]
        followed = [m.name for m in g.parts if m.followed]
        note = f"{len(right) + len(followed)} of {len(g.parts)} parts earned"
        if followed:
            note += f"; {', '.join(followed)} right given your own earlier answers (follow-through)"
        return note
    if q.kind == "radius-verdict" and isinstance(g.value, dict):
        regime_ok = str(g.value["regime"]).lower() == str(q.expected["regime"]).lower()
        return "regime right, radius wrong" if regime_ok else "radius right, regime wrong"
    return None


def mark_answer(q: Question, text: str | None) -> Mark:
    """Mark one answer (``None`` or blank text: 0 points)."""
    if text is None or not text.strip():
        return Mark(q, None, 0.0)
    try:
        if q.problem is not None:
            g: Grade | None = mark_problem(q.problem, read_problem(q.problem, text))
        else:
            g = grade_card_answer(q.card, text)
    except (AnswerFormatError, ValueError):
        return Mark(q, text, 0.0, Grade(False, [], "could not read the answer"))
    if g is None:
        return Mark(q, None, 0.0)
    tolerance = q.problem.tolerance if q.problem is not None else q.card.tolerance  # type: ignore[union-attr]
    score = round(q.points * share(q.kind, g, q.expected, tolerance), 1)
    found = None
    if not g.correct:
        from cardcli.diagnosis import diagnose_card, diagnose_problem

        found = diagnose_problem(q.problem, g.value) if q.problem is not None else diagnose_card(q.card, g.value)
    return Mark(q, text, score, g, None if found is None else found.mistake, None if found is None else found.line)


def mark_exam(exam: Exam, answers: Mapping[int, str]) -> Marking:
    """Every question marked (``answers`` maps a question number to its typed text)."""
    return Marking(tuple(mark_answer(q, answers.get(q.number)) for q in exam.questions))
