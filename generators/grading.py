"""Comparing an answer value with the expected one: the tolerance rule every grade uses.

A value here is already parsed (numbers, nested lists, dicts); reading a student's *text* is the
application's concern (``cardcli.answers``). The mistake catalogs use the same comparison
(:func:`same_answer`) to tell a mistake's answer from the right one, so "matches a mistake" means
exactly what "correct" means.

Tolerance (the promise a question prints is the rule applied): integers are exact; a float
answer ``v`` matches a non-zero expected ``e`` when ``|v − e| <= tol·|e|``, with ``tol`` the stated
relative tolerance (default :data:`DEFAULT_TOLERANCE` = 1e-3) and nothing added. Only an expected
value of exactly 0 has an absolute floor: ``|v| <= ZERO_FLOOR`` (1e-9).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from generators.parts import Part, get_part, leaf_names
from generators.render import fmt

__all__ = ["CANONICAL_UNITS", "DEFAULT_TOLERANCE", "Grade", "ZERO_FLOOR", "compare_parts", "grade", "grade_part",
           "matrix_shape", "norm_text",
           "same_answer", "unit_of"]

DEFAULT_TOLERANCE = 1e-3
#: the absolute tolerance for an expected value of exactly 0 (and only for it)
ZERO_FLOOR = 1e-9
#: the units a ``memory:<unit>`` kind may name, in bytes
CANONICAL_UNITS = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30}


@dataclass(frozen=True)
class Grade:
    """The verdict on one answer. ``wrong_cells`` are 0-based (row, col) of a matrix answer
    (``(0, i)`` for the i-th number of a shape); ``value`` is the parsed answer."""

    correct: bool
    wrong_cells: list[tuple[int, int]] = field(default_factory=list)
    detail: str = ""
    value: Any = None


def unit_of(kind: str) -> str:
    """The canonical unit of a ``memory`` / ``memory:<unit>`` kind (plain ``memory`` means MB)."""
    unit = kind.split(":", 1)[1] if ":" in kind else "MB"
    for name in CANONICAL_UNITS:
        if name.lower() == unit.lower():
            return name
    raise ValueError(f"unknown memory unit {unit!r} in answer kind {kind!r}")


def _close(value: float, expected: float, tolerance: float | None) -> bool:
    """``|v − e| <= tol·|e|`` exactly as stated; the absolute :data:`ZERO_FLOOR` only when ``e == 0``."""
    v, e = float(value), float(expected)
    if not (math.isfinite(v) and math.isfinite(e)):
        return v == e
    if e == 0:
        return abs(v) <= ZERO_FLOOR
    tol = DEFAULT_TOLERANCE if tolerance is None else tolerance
    return abs(v - e) <= tol * abs(e)


def _tolerance_text(expected: float, tolerance: float | None) -> str:
    if float(expected) == 0:
        return f"within {ZERO_FLOOR:g}"
    return f"within {DEFAULT_TOLERANCE if tolerance is None else tolerance:g} relative"


def _num_ok(value: Any, expected: Any, exact: bool, tolerance: float | None) -> bool:
    if exact:
        return value == expected  # Python compares int and float exactly
    return _close(value, expected, tolerance)


def _show(x: Any) -> str:
    return fmt(x)


def grade(value: Any, expected: Any, kind: str, tolerance: float | None = None) -> Grade:
    """Compare a parsed ``value`` with ``expected`` (see the module doc for the tolerance rule)."""
    if kind == "int":
        ok = value == expected
        return Grade(ok, [], "correct" if ok else f"expected {_show(expected)}, got {_show(value)}", value)
    if kind == "float" or kind == "memory" or kind.startswith("memory:"):
        ok = _close(value, expected, tolerance)
        unit = f" {unit_of(kind)}" if kind.startswith("memory") else ""
        return Grade(ok, [], "correct" if ok else f"expected {_show(expected)}{unit} "
                     f"({_tolerance_text(expected, tolerance)}), got {_show(value)}{unit}", value)
    if kind == "matrix":
        wrong = []
        for r, (vrow, erow) in enumerate(zip(value, expected, strict=False)):
            for c, (v, e) in enumerate(zip(vrow, erow, strict=False)):
                exact = tolerance is None and isinstance(e, int)
                if not _num_ok(v, e, exact, tolerance):
                    wrong.append((r, c))
        total = len(expected) * len(expected[0])
        if not wrong:
            return Grade(True, [], "correct", value)
        where = ", ".join(f"[{r}, {c}]" for r, c in wrong[:8]) + (" …" if len(wrong) > 8 else "")
        return Grade(False, wrong, f"{len(wrong)} of {total} cells wrong at [row, column], counting from 0: {where}",
                     value)
    if kind == "shape":
        wrong = [(0, i) for i, (v, e) in enumerate(zip(value, expected, strict=False)) if int(v) != int(e)]
        if len(value) != len(expected):
            wrong = [(0, i) for i in range(len(expected))]
        ok = not wrong
        return Grade(ok, wrong, "correct" if ok else
                     f"expected {'×'.join(map(str, expected))}, got {'×'.join(map(str, value))}", value)
    if kind == "verdict":
        ok = str(value).lower() == str(expected).lower()
        return Grade(ok, [], "correct" if ok else f"expected {expected}, got {value}", value)
    if kind == "radius-verdict":
        r_ok = _close(value["radius"], expected["radius"], tolerance)
        v_ok = str(value["regime"]).lower() == str(expected["regime"]).lower()
        parts = []
        if not r_ok:
            parts.append(f"radius: expected {_show(expected['radius'])}, got {_show(value['radius'])}")
        if not v_ok:
            parts.append(f"regime: expected {expected['regime']}, got {value['regime']}")
        return Grade(r_ok and v_ok, [], "; ".join(parts) or "correct", value)
    if kind == "parts":  # a plain part-by-part comparison; follow-through: cardcli.partmarks.grade_parts
        return compare_parts(value, expected, tolerance)
    if kind == "text":
        ok = norm_text(value) == norm_text(expected)
        return Grade(ok, [], "correct" if ok else f"expected {expected}", value)
    raise ValueError(f"unknown answer kind {kind!r}")


def norm_text(x: Any) -> str:
    """Text compared as a person would: case, surrounding space, runs of spaces and a final period ignored."""
    return re.sub(r"\s+", " ", str(x).strip().lower().rstrip("."))


def matrix_shape(m: Any) -> tuple[int, int] | None:
    """``(rows, columns)`` of a rectangular list of lists, else None."""
    if isinstance(m, list) and m and all(isinstance(r, list) for r in m):
        widths = {len(r) for r in m}
        return (len(m), widths.pop()) if len(widths) == 1 else None
    return None


def same_answer(value: Any, reference: Any, kind: str, tolerance: float | None) -> bool:
    """Whether ``value`` grades as ``reference`` (the grader's rule and the stated tolerance).

    A ``radius-verdict`` reference with ``regime`` None compares the radii only.
    """
    if value is None or reference is None:
        return False
    try:
        if kind == "radius-verdict" and (reference.get("regime") is None or value.get("regime") is None):
            return grade(value["radius"], reference["radius"], "float", tolerance).correct
        if kind == "matrix" and (matrix_shape(value) is None or matrix_shape(value) != matrix_shape(reference)):
            return False
        return grade(value, reference, kind, tolerance).correct
    except (TypeError, ValueError, KeyError, IndexError, AttributeError):
        return False


# -- multi-part answers: each part compared with its own kind and tolerance ----------------------
def _leaf_kind(expected: Any, tolerance: float | None) -> str:
    if isinstance(expected, list):
        return "matrix"
    if isinstance(expected, int) and tolerance is None:
        return "int"
    return "float"


def _vector(v: Any) -> Any:
    """A flat list as a one-row matrix (vectors are compared cell by cell with the tolerance)."""
    return [v] if isinstance(v, list) and (not v or not isinstance(v[0], list)) else v


def grade_part(value: Any, expected: Any, kind: str, tolerance: float | None) -> Grade:
    """One part of a multi-part answer (a vector is compared as a one-row matrix)."""
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
            ok = grade_part(v, e, kind, tol).correct
        except (TypeError, ValueError, KeyError, IndexError):
            ok = False
        if not ok:
            wrong.append(name)
    return Grade(not wrong, [], "correct" if not wrong else f"wrong: {', '.join(wrong)}", value)
