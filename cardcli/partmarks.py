"""Multi-part answers: reading them and marking them part by part with follow-through.

A problem with ``answer_kind == "parts"`` lists its :class:`~generators.parts.Part` entries in
``problem.parts``; its answer is a nested dict addressed by dotted part names (``grads.x``).

Typed forms (one line, or one part per line):

* the parts in order, separated by ``|`` (or by ``;`` when no part is a matrix):
  ``6 | 1 | -2``;
* named, in any order: ``value = 6 | grads.x = 1 | grads.y = -2`` (a name may be shortened to
  its last component when that is unique: ``x = 1``);
* JSON: ``{"value": 6, "grads": {"x": 1, "y": -2}}``.

Marking, as a person marks (Numbas's adaptive marking): each part is graded with its own kind and
tolerance (:func:`cardcli.answers.grade`). A part that is wrong against the key but right given the
student's *own* earlier answers (``Part.follow(params, given)``) earns its points and is reported
as follow-through. The answer is ``correct`` only when every part is right outright; ``share`` is
the earned fraction of the points (the mock exam's partial credit).

This module is the one place that knows how a parts answer is read, compared and marked (so it
can move beside the solver as a unit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cardcli.answers import Grade, parse_answer, parse_parts, split_parts
from generators.grading import compare_parts, grade, grade_part
from generators.parts import Part, get_part

__all__ = ["PartMark", "PartsGrade", "ENTRY_HELP", "compare_parts", "grade_parts", "mark_problem",
           "parse_parts", "points_line", "read_problem", "split_parts"]

ENTRY_HELP = ("the parts in order separated by | (e.g. '6 | 1 | -2'), or named ('value = 6 | x = 1 | y = -2'), "
              "or JSON")

@dataclass(frozen=True)
class PartMark:
    """The marking of one part: ``earned`` of ``points``; ``followed`` when right only given the
    student's own earlier answers (``follow_value`` is what that gives)."""

    name: str
    prompt: str
    points: float
    earned: float
    correct: bool
    followed: bool
    expected: Any
    value: Any
    detail: str
    follow_value: Any = None


@dataclass(frozen=True)
class PartsGrade(Grade):
    """A :class:`~cardcli.answers.Grade` with the marks of each part."""

    parts: tuple[PartMark, ...] = field(default_factory=tuple)

    @property
    def points(self) -> float:
        return sum(p.points for p in self.parts)

    @property
    def earned(self) -> float:
        return sum(p.earned for p in self.parts)

    @property
    def share(self) -> float:
        return self.earned / self.points if self.points else 0.0

    @property
    def followed(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parts if p.followed)


def read_problem(problem: Any, text: str) -> Any:
    """The student's ``text`` read as an answer to ``problem`` (any kind)."""
    if problem.answer_kind == "parts":
        return parse_parts(text, tuple(problem.parts), problem.answer)
    return parse_answer(text, problem.answer_kind, problem.answer)


# -- comparing and marking ------------------------------------------------------------------------
def _show(v: Any) -> str:
    from generators.parts import parts_text

    return parts_text((Part("x", "", "float"),), {"x": v}).split(" = ", 1)[1]


def grade_parts(value: Any, expected: Any, parts: tuple[Part, ...], params: dict,
                tolerance: float | None = None) -> PartsGrade:
    """Mark every part of ``value`` (see the module doc)."""
    marks: list[PartMark] = []
    given: dict[str, Any] = {}
    slipped = False  # an earlier part was wrong (only then can follow-through differ from the key)
    for p in parts:
        e, v = get_part(expected, p.name), get_part(value, p.name)
        tol = p.tolerance if p.tolerance is not None else tolerance
        g = grade_part(v, e, p.kind, tol)
        followed, follow_value = False, None
        if not g.correct and slipped and p.follow is not None:
            try:
                follow_value = p.follow(params, dict(given))
            except (ValueError, TypeError, KeyError, IndexError, ZeroDivisionError, OverflowError):
                follow_value = None
            if follow_value is not None:
                followed = grade_part(v, follow_value, p.kind, tol).correct
        if g.correct:
            detail = "right"
        elif followed:
            detail = "right given your earlier answers (follow-through)"
        else:
            detail = f"expected {_show(e)}, got {_show(v)}"
            if follow_value is not None:
                detail += f" (given your earlier answers: {_show(follow_value)})"
        marks.append(PartMark(p.name, p.prompt, p.points, p.points if (g.correct or followed) else 0.0,
                              g.correct, followed, e, v, detail, follow_value))
        given[p.name] = v
        slipped = slipped or not g.correct
    total = sum(m.points for m in marks)
    earned = sum(m.earned for m in marks)
    correct = all(m.correct for m in marks)
    if correct:
        detail = "correct"
    else:
        lines = "; ".join(f"{m.name}: {m.detail}" for m in marks if not m.correct)
        detail = f"{_pts(earned)} of {_pts(total)} points — {lines}"
    return PartsGrade(correct, [], detail, value, tuple(marks))


def _pts(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.1f}"


def points_line(parts: tuple[Part, ...], points: float) -> str:
    """How a question's ``points`` are shared by its parts (in proportion to ``Part.points``):
    ``Points per part: f 5, ∂f/∂x 5, … (a part right given your own earlier answers earns its points)``."""
    weight = sum(p.points for p in parts) or 1.0
    shares = ", ".join(f"{p.prompt} {_pts(round(points * p.points / weight, 1))}" for p in parts)
    return f"Points per part: {shares} (a part right given your own earlier answers earns its points)."


def mark_problem(problem: Any, value: Any) -> Grade:
    """Grade a parsed answer to ``problem`` (any kind; parts are marked with follow-through)."""
    if problem.answer_kind == "parts":
        return grade_parts(value, problem.answer, tuple(problem.parts), problem.params, problem.tolerance)
    return grade(value, problem.answer, problem.answer_kind, problem.tolerance)
