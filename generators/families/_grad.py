"""Helpers shared by the backprop, loss and layer families: the tolerance, clean answers, and the
check that every mistake of a draw can be told apart from the right answer.

Difficulty 1 is drawn without the package-level redraw (see :mod:`generators.families`), so these
families redraw themselves until every mistake that can happen gives an answer the grader tells
apart from the right one — with a margin of twice the stated tolerance, so the check never
depends on how the grader rounds (no ``cardcli`` import: ``generators`` is a library).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from generators.families._common import plain
from generators.problem import Mistake
from generators.render import grid

__all__ = ["TOL", "TOL_TEXT", "answer_of", "differs", "clear", "distinct", "mat_text", "redraw", "row_text"]

#: relative tolerance of every non-integer answer of these families (hand computation with exp/log)
TOL = 1e-2
TOL_TEXT = "3–4 significant figures: relative tolerance 1e-2 per number"


def answer_of(a: Any) -> Any:
    """A plain answer: nested lists of ints/floats, rounded to 10 decimals (so a value that is 0 but
    for floating-point error is exactly 0, and a student's 0 matches), whole numbers as ints."""
    return _ints((np.round(np.asarray(a, dtype=float), 10) + 0.0).tolist())


def _ints(x: Any) -> Any:
    if isinstance(x, float):
        return int(x) if x.is_integer() and abs(x) < 2**53 else x
    return [_ints(v) for v in x]


def differs(a: Any, b: Any, tol: float = TOL) -> bool:
    """Whether ``a`` is told apart from the right answer ``b`` with a margin (``2·tol`` relative, or
    1e-6 absolute at 0). Dicts compare leaf by leaf (one differing leaf suffices)."""
    if isinstance(b, dict):
        return not isinstance(a, dict) or any(differs(a.get(k), v, tol) for k, v in b.items())
    if a is None:
        return True
    if isinstance(b, (int, float)) and isinstance(a, (int, float)):
        return abs(a - b) > (1e-6 if b == 0 else 2 * tol * abs(b))
    try:
        x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return True
    if x.shape != y.shape:
        return True
    gap = np.abs(x - y)
    bound = np.where(y == 0, 1e-6, 2 * tol * np.abs(y))
    return bool((gap > bound).any())


def distinct(mistakes: tuple[Mistake, ...], params: dict, answer: Any, tol: float = TOL) -> bool:
    """True when every mistake that can happen with ``params`` is told apart from ``answer``."""
    for m in mistakes:
        wrong = m.answer(params)
        if wrong is not None and not differs(wrong, answer, tol):
            return False
    return True


def mat_text(name: str, a: Any) -> str:
    arr = np.asarray(a, dtype=float)
    rows = arr.reshape(1, -1) if arr.ndim == 1 else arr
    return f"{name} =\n{grid(plain(rows))}"


def row_text(a: Any) -> str:
    from generators.render import fmt

    return "[" + ", ".join(fmt(v) for v in np.asarray(a, dtype=float).ravel()) + "]"


def redraw(draw: Callable[[], tuple[dict, Any]], mistakes: tuple[Mistake, ...], tries: int = 200,
           tol: float = TOL) -> tuple[dict, Any]:
    """``draw()`` -> (params, answer), repeated until :func:`distinct` (the last draw if none is)."""
    params, answer = draw()
    for _ in range(tries - 1):
        if clear(answer) and distinct(mistakes, params, answer, tol):
            break
        params, answer = draw()
    return params, answer


def clear(answer: Any) -> bool:
    """No number of the answer is a near-cancellation (0 < |v| < 1e-3): a value that is 0 but for ε
    or rounding would fail a student who rightly writes 0."""
    arr = np.abs(np.asarray(answer, dtype=float))
    return not bool(((arr > 0) & (arr < 1e-3)).any())
