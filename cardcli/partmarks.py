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

import json
import re
from dataclasses import dataclass, field
from typing import Any

from cardcli.answers import AnswerFormatError, Grade, grade, parse_answer
from generators.parts import Part, get_part, leaf_names, put_part

__all__ = ["PartMark", "PartsGrade", "ENTRY_HELP", "compare_parts", "grade_parts", "mark_problem",
           "parse_parts", "points_line", "read_problem", "split_parts"]

ENTRY_HELP = ("the parts in order separated by | (e.g. '6 | 1 | -2'), or named ('value = 6 | x = 1 | y = -2'), "
              "or JSON")

_LABEL = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*[=:]\s*(.*)$", re.S)


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


# -- reading ------------------------------------------------------------------------------------
def _short_names(parts: tuple[Part, ...]) -> dict[str, str]:
    """Accepted label -> part name: the full dotted name, and its last component when unique."""
    out = {p.name.lower(): p.name for p in parts}
    last: dict[str, list[str]] = {}
    for p in parts:
        last.setdefault(p.name.rsplit(".", 1)[-1].lower(), []).append(p.name)
    for short, names in last.items():
        if len(names) == 1:
            out.setdefault(short, names[0])
    return out


def split_parts(text: str, parts: tuple[Part, ...]) -> list[str]:
    """The segments of a typed parts answer (``|`` or new lines; ``;`` too when no part is a matrix)."""
    t = text.strip()
    seps = r"[|\n]"
    if "|" not in t and "\n" not in t and not any(p.kind == "matrix" for p in parts):
        seps = r"[|\n;]"
    return [s.strip() for s in re.split(seps, t) if s.strip()]


def parse_parts(text: str, parts: tuple[Part, ...], expected: Any) -> dict:
    """``text`` read as a nested answer dict (every part read with its own kind); raises
    :class:`AnswerFormatError` naming the part that cannot be read or the parts expected."""
    from cardcli.answers import _check_length

    _check_length(text)
    names = [p.name for p in parts]
    listing = ", ".join(names)
    t = text.strip()
    if not t:
        raise AnswerFormatError(f"expected {len(parts)} parts ({listing}), got nothing")
    raw: dict[str, str] = {}
    if t.startswith("{"):
        try:
            data = json.loads(t)
        except json.JSONDecodeError as e:
            raise AnswerFormatError(f"could not read the JSON answer: {e.msg}") from None
        except (ValueError, RecursionError):  # a number too long for int(); nesting deeper than the parser goes
            raise AnswerFormatError("could not read the JSON answer") from None
        for p in parts:
            leaf = get_part(data, p.name)
            if leaf is None or isinstance(leaf, (bool, dict, str)):
                raise AnswerFormatError(f"the JSON answer has no number for {p.name!r}; parts: {listing}")
            raw[p.name] = json.dumps(leaf)
    else:
        segments = split_parts(t, parts)
        labels = _short_names(parts)
        matches = [_LABEL.match(s) for s in segments]
        labelled = [m is not None and m.group(1).lower() in labels for m in matches]
        if all(labelled):
            for m in matches:
                assert m is not None
                name = labels[m.group(1).lower()]
                if name in raw:
                    raise AnswerFormatError(f"the part {name!r} is given twice")
                raw[name] = m.group(2)
            missing = [n for n in names if n not in raw]
            if missing:
                raise AnswerFormatError(f"missing part{'s' if len(missing) > 1 else ''}: {', '.join(missing)} "
                                        f"(parts: {listing})")
        elif any(labelled):
            raise AnswerFormatError(f"name every part or none (parts in order: {listing})")
        else:
            if len(segments) != len(parts):
                raise AnswerFormatError(f"expected {len(parts)} parts separated by | ({listing}), "
                                        f"got {len(segments)}")
            raw = dict(zip(names, segments, strict=True))
    out: dict = {}
    for p in parts:
        exp = get_part(expected, p.name)
        try:
            if p.kind == "matrix" and isinstance(exp, list) and exp and not isinstance(exp[0], list):
                value = parse_answer(raw[p.name], "matrix", [exp])[0]  # a vector: one row
            else:
                value = parse_answer(raw[p.name], p.kind, exp)
        except AnswerFormatError as e:
            raise AnswerFormatError(f"{p.name}: {e}") from None
        put_part(out, p.name, value)
    return out


def read_problem(problem: Any, text: str) -> Any:
    """The student's ``text`` read as an answer to ``problem`` (any kind)."""
    if problem.answer_kind == "parts":
        return parse_parts(text, tuple(problem.parts), problem.answer)
    return parse_answer(text, problem.answer_kind, problem.answer)


# -- comparing and marking ------------------------------------------------------------------------
def _leaf_kind(expected: Any, tolerance: float | None) -> str:
    if isinstance(expected, list):
        return "matrix"
    if isinstance(expected, int) and tolerance is None:
        return "int"
    return "float"


def _vector(v: Any) -> Any:
    """A flat list as a one-row matrix (vectors are compared cell by cell with the tolerance)."""
    return [v] if isinstance(v, list) and (not v or not isinstance(v[0], list)) else v


def _one(value: Any, expected: Any, kind: str, tolerance: float | None) -> Grade:
    if kind == "matrix" or (kind != "shape" and isinstance(expected, list)):
        value, expected = _vector(value), _vector(expected)
        if not isinstance(value, list) or len(value) != len(expected) or any(
                not isinstance(r, list) or len(r) != len(e) for r, e in zip(value, expected, strict=True)):
            return Grade(False, [], "the shape differs", value)
        return grade(value, expected, "matrix", tolerance)
    return grade(value, expected, kind, tolerance)


def compare_parts(value: Any, expected: Any, tolerance: float | None,
                  parts: tuple[Part, ...] | None = None) -> Grade:
    """Plain part-by-part comparison (no follow-through): correct when every part grades right.
    Without ``parts`` the leaves of ``expected`` are the parts (kind from the value's type)."""
    names = [p.name for p in parts] if parts else leaf_names(expected)
    by_name = {p.name: p for p in parts or ()}
    wrong = []
    for name in names:
        e, v = get_part(expected, name), get_part(value, name)
        part = by_name.get(name)
        tol = part.tolerance if part is not None and part.tolerance is not None else tolerance
        kind = part.kind if part is not None else _leaf_kind(e, tolerance)
        if v is None or e is None:
            wrong.append(name)
            continue
        try:
            ok = _one(v, e, kind, tol).correct
        except (TypeError, ValueError, KeyError, IndexError):
            ok = False
        if not ok:
            wrong.append(name)
    return Grade(not wrong, [], "correct" if not wrong else f"wrong: {', '.join(wrong)}", value)


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
        g = _one(v, e, p.kind, tol)
        followed, follow_value = False, None
        if not g.correct and slipped and p.follow is not None:
            try:
                follow_value = p.follow(params, dict(given))
            except (ValueError, TypeError, KeyError, IndexError, ZeroDivisionError, OverflowError):
                follow_value = None
            if follow_value is not None:
                followed = _one(v, follow_value, p.kind, tol).correct
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
