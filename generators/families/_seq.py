"""Helpers shared by the optimizer, recurrent-cell and attention families: vectors as text and
as 1×n answer matrices, the activations, and the draw-level check that every mistake of the
catalog that can happen gives an answer the grader tells apart from the right one.

Vectors are answered as 1×n matrices (``[[a, b]]``, typed ``a b``): the ``matrix`` answer kind
reads them and grades each cell with the problem's relative tolerance.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from generators.families._common import plain
from generators.problem import Mistake
from generators.render import fmt

__all__ = ["MARGIN", "all_distinct", "block_rows", "distinct", "listed", "mat_text", "nonzero", "row", "screen",
           "sigmoid", "split", "typing_note", "vec", "well_scaled"]

#: a mistake counts as distinguishable when some cell differs by more than MARGIN × the tolerance
#: (relative): a right answer rounded to 4 significant figures never matches a mistake's
MARGIN = 3.0


def sigmoid(x: Any) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def nonzero(rng: np.random.Generator, n: int, step: float, top: int) -> np.ndarray:
    """``n`` non-zero multiples of ``step`` in [−top·step, top·step] (one draw for all)."""
    k = (rng.random(n) * (2 * top)).astype(np.int64)  # 0 … 2·top − 1, one draw for magnitude and sign
    return (np.where(k < top, -(k + 1), k - top + 1) * step).round(10)


def block_rows(k: int, h: int) -> str:
    """Which rows of a stacked gate matrix block ``k`` (of height ``h``) is: ``row 2`` or ``rows 4–5``."""
    return f"row {k * h}" if h == 1 else f"rows {k * h}–{(k + 1) * h - 1}"


def _num(v: float) -> str:
    """:func:`~generators.render.fmt` for a finite float (rounded to 12 decimals first), faster."""
    v = round(v, 12)
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.6g}" if v == v and abs(v) != float("inf") else fmt(v)


def vec(x: Any) -> str:
    """``[1, -0.5, 0.25]``: a vector with every number as :func:`~generators.render.fmt` writes it."""
    return "[" + ", ".join(_num(v) for v in np.asarray(x, dtype=float).ravel().tolist()) + "]"


def split(flat: np.ndarray, sizes: tuple[int, ...]) -> list[np.ndarray]:
    """``flat`` cut into consecutive pieces of the given sizes (``np.split`` without its overhead)."""
    out, at = [], 0
    for n in sizes:
        out.append(flat[at:at + n])
        at += n
    return out


def mat_text(x: Any) -> str:
    """``[[1, 2], [3, 4]]`` on one line."""
    a = np.asarray(x, dtype=float)
    if a.ndim == 1:
        return vec(a)
    return "[" + ", ".join(vec(r) for r in a) + "]"


def listed(p: dict) -> dict:
    """``p`` with its NumPy arrays as nested lists (draws are tried as arrays, kept as JSON)."""
    return {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in p.items()}


def typing_note(tolerance: float, extra: str = "") -> str:
    """The last sentence of a prompt: how to type the answer (the Anki export strips it)."""
    more = f"; {extra}" if extra else ""
    return f" Answer with 4 significant figures (relative tolerance {tolerance:g} per entry{more})."


def row(x: Any) -> list:
    """A vector as the 1×n matrix the ``matrix`` answer kind grades."""
    return [plain(np.asarray(x, dtype=float).ravel())]


def well_scaled(x: Any, lo: float = 0.05) -> bool:
    """Every cell is 0 exactly or at least ``lo`` in size: a relative tolerance on a cell near 0
    would ask for more digits than a hand computation keeps."""
    a = np.abs(np.asarray(x, dtype=float))
    return bool(np.all((a == 0) | (a >= lo)) and np.all(np.isfinite(a)))


def distinct(wrong: Any, right: Any, tolerance: float) -> bool:
    """Whether the grader (relative ``tolerance`` per cell) tells ``wrong`` from ``right``, with
    :data:`MARGIN` to spare; ``None`` (the mistake cannot happen) counts as distinct."""
    if wrong is None:
        return True
    if isinstance(wrong, np.ndarray) and isinstance(right, np.ndarray) and wrong.shape == right.shape:
        return bool((np.abs(wrong - right) > np.where(right == 0, 1e-6, MARGIN * tolerance * np.abs(right))).any()
                    or not np.isfinite(wrong).all())
    if isinstance(right, dict):
        return any(distinct(wrong.get(k), v, tolerance) for k, v in right.items()) if isinstance(wrong, dict) else True
    w, r = np.asarray(wrong, dtype=float), np.asarray(right, dtype=float)
    if w.shape != r.shape:
        return True
    if not np.all(np.isfinite(w)):
        return True
    gap = np.abs(w - r)
    need = np.where(r == 0, 1e-6, MARGIN * tolerance * np.abs(r))
    return bool(np.any(gap > need))


def screen(variants: Iterable[Any], right: Any, tolerance: float) -> bool:
    """:func:`all_distinct` for wrong procedures given as callables returning arrays (no conversion
    to answer lists: the fast path of a draw's screening)."""
    return all(distinct(v(), right, tolerance) for v in variants)


def all_distinct(mistakes: Iterable[Mistake], params: dict, right: Any, tolerance: float) -> bool:
    """Every mistake that can happen with ``params`` gives an answer distinct from ``right``."""
    for m in mistakes:
        try:
            wrong = m.answer(params)
        except (ValueError, TypeError, KeyError, IndexError, ZeroDivisionError, FloatingPointError):
            wrong = None
        if not distinct(wrong, right, tolerance):
            return False
    return True
