"""svm-loss: CS231n's multiclass SVM (hinge) loss, L = (1/N) Σ_i Σ_{j≠y_i} max(0, s_j − s_{y_i} + Δ)
(mean over N, no division by C), or its gradient with respect to the scores.

No margin sits exactly at the hinge (s_j − s_y + Δ ≠ 0), so the gradient is defined.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from generators.families._common import FamilySpec, make_draft, pick, rand_int
from generators.families._grad import TOL, answer_of, redraw, row_text
from generators.problem import Draft, Mistake
from generators.render import fmt, grid

__all__ = ["SPECS", "MISTAKES", "make"]


def _parse(params: dict) -> tuple[np.ndarray, np.ndarray, float]:
    return (np.asarray(params["scores"], dtype=float), np.asarray(params["labels"], dtype=int),
            float(params["margin"]))


def _margins(s: np.ndarray, y: np.ndarray, delta: float) -> np.ndarray:
    rows = np.arange(len(y))
    return s - s[rows, y][:, None] + delta


def _loss(s: np.ndarray, y: np.ndarray, delta: float, *, own: bool = False, clip: bool = True) -> float:
    m = _margins(s, y, delta)
    m = np.maximum(m, 0) if clip else m
    if not own:
        m[np.arange(len(y)), y] = 0
    return float(m.sum() / len(y))


def _grad(s: np.ndarray, y: np.ndarray, delta: float, *, label: bool = True) -> np.ndarray:
    rows = np.arange(len(y))
    active = (_margins(s, y, delta) > 0).astype(float)
    active[rows, y] = 0
    g = active.copy()
    if label:
        g[rows, y] = -active.sum(axis=1)
    return g / len(y)


def solve(params: dict) -> Any:
    s, y, delta = _parse(params)
    return answer_of(_loss(s, y, delta) if params["wrt"] == "loss" else _grad(s, y, delta))


def _row(rng: np.random.Generator, c: int, d: int, delta: float, wrt: str) -> tuple[list[float], int]:
    """One sample's scores and label: no margin on a hinge (s_j − s_y ≠ −Δ; for the gradient also ≠ +Δ,
    the margin-sign mistake's hinge), at least one active and (with 3+ classes) one inactive term."""
    for _ in range(500):
        s = rng.integers(-3, 6, size=c).tolist() if d < 3 else (rng.integers(-8, 11, size=c) / 2).tolist()
        y = int(rng.integers(0, c))
        diffs = [s[j] - s[y] for j in range(c) if j != y]
        if any(abs(x + delta) < 1e-9 or (wrt == "scores" and abs(x - delta) < 1e-9) for x in diffs):
            continue
        active = sum(x + delta > 0 for x in diffs)
        if active >= 1 and (c < 3 or active < len(diffs)):
            return [float(v) for v in s], y
    raise RuntimeError("no SVM row drawn")  # pragma: no cover


def _draw(rng: np.random.Generator, d: int) -> tuple[dict, Any]:
    n = {1: pick(rng, (1, 2)), 2: rand_int(rng, 2, 3), 3: rand_int(rng, 3, 4)}[d]
    c = {1: 3, 2: rand_int(rng, 3, 4), 3: rand_int(rng, 4, 5)}[d]
    delta = 1.0 if d == 1 else float(pick(rng, (1.0, 1.0, 2.0, 0.5)))
    wrt = "loss" if rng.random() < 0.5 else "scores"
    rows = [_row(rng, c, d, delta, wrt) for _ in range(n)]
    params = {"scores": answer_of([r[0] for r in rows]), "labels": [r[1] for r in rows], "margin": answer_of(delta),
              "wrt": wrt}
    return params, solve(params)


def make(rng: np.random.Generator, d: int) -> Draft:
    params, answer = redraw(lambda: _draw(rng, d), MISTAKES)
    s, y, delta = _parse(params)
    n, c = s.shape
    m = _margins(s, y, delta)
    lines = []
    for i in range(n):
        terms = [f"max(0, {fmt(s[i, j])} − {fmt(s[i, y[i]])} + {fmt(delta)}) = {fmt(max(m[i, j], 0))}"
                 for j in range(c) if j != y[i]]
        lines.append(f"sample {i} (label {y[i]}, s_y = {fmt(s[i, y[i]])}): " + "; ".join(terms)
                     + f"; L_{i} = {fmt(float(np.maximum(m[i], 0).sum() - delta))}")
    head = (f"Scores s ({n}×{c}, one row per sample), labels y = {params['labels']} (classes from 0), margin "
            f"Δ = {fmt(delta)}. Multiclass SVM loss L = (1/N) Σ_i Σ_(j≠y_i) max(0, s_ij − s_(i,y_i) + Δ) "
            f"(mean over the N = {n} samples, not divided by the number of classes).\n")
    if params["wrt"] == "loss":
        stem = head + "Compute the loss L (exact, or 3–4 significant figures: relative tolerance 1e-2 per number)."
        solution = "\n".join(lines) + f"\nL = (1/{n})·{fmt(_loss(s, y, delta) * n)} = {fmt(answer)}"
        kind = "float"
    else:
        stem = head + (f"Compute ∂L/∂s, the {n}×{c} gradient with respect to the scores "
                       f"(exact, or 3–4 significant figures: relative tolerance 1e-2 per number).")
        active = [f"sample {i}: classes with a positive margin "
                  f"{row_text([j for j in range(c) if j != y[i] and m[i, j] > 0])}" for i in range(n)]
        solution = ("\n".join(lines) + "\n" + "\n".join(active)
                    + f"\n∂L/∂s_ij = 1/N for each j ≠ y_i with a positive margin; ∂L/∂s_(i,y_i) = −(their count)/N; "
                      f"N = {n}.\n∂L/∂s:\n{grid(answer)}")
        kind = "matrix"
    return make_draft(params, stem, answer, solution, kind, matrices={"Scores s": params["scores"]}, tolerance=TOL)


# -- mistakes -----------------------------------------------------------------------------------
def _own(params: dict) -> Any:
    if params["wrt"] != "loss":
        return None  # the own term's gradient is 0 (s_y − s_y): only the loss shows it
    s, y, delta = _parse(params)
    return answer_of(_loss(s, y, delta, own=True))


def _sign(params: dict) -> Any:
    s, y, delta = _parse(params)
    return answer_of(_loss(s, y, -delta) if params["wrt"] == "loss" else _grad(s, y, -delta))


def _not_divided(params: dict) -> Any:
    s, y, delta = _parse(params)
    if len(y) < 2:
        return None
    return answer_of(_loss(s, y, delta) * len(y) if params["wrt"] == "loss" else _grad(s, y, delta) * len(y))


def _by_c(params: dict) -> Any:
    s, y, delta = _parse(params)
    c = s.shape[1]
    return answer_of(_loss(s, y, delta) / c if params["wrt"] == "loss" else _grad(s, y, delta) / c)


def _not_clipped(params: dict) -> Any:
    if params["wrt"] != "loss":
        return None
    s, y, delta = _parse(params)
    return answer_of(_loss(s, y, delta, clip=False))


def _label_missing(params: dict) -> Any:
    if params["wrt"] != "scores":
        return None
    s, y, delta = _parse(params)
    return answer_of(_grad(s, y, delta, label=False))


MISTAKES: tuple[Mistake, ...] = (
    Mistake("svm-own-class-counted", "the correct class's own term counted",
            "the sum runs over j ≠ y only; your answer adds max(0, s_y − s_y + Δ) = Δ = {margin} per sample", _own),
    Mistake("margin-sign", "the margin's sign flipped (s_j − s_y − Δ)",
            "the hinge is max(0, s_j − s_y + Δ) with Δ = {margin} added; your answer subtracts it", _sign),
    Mistake("not-divided-by-n", "sum over the batch not divided by N",
            "the loss is the mean over the N samples, so the loss and every gradient row are divided by N; "
            "your answer is N times too large", _not_divided),
    Mistake("divided-by-c", "divided by the number of classes",
            "CS231n's SVM loss sums over the classes j ≠ y (no division by C); your answer divides by C", _by_c),
    Mistake("hinge-not-clipped", "negative margins not clipped at 0",
            "each term is max(0, s_j − s_y + Δ): a negative margin adds 0; your answer adds it", _not_clipped),
    Mistake("svm-label-grad-missing", "no gradient at the correct class",
            "s_y appears (with −1) in every active term, so ∂L/∂s_y = −(number of active terms)/N; your "
            "answer leaves it 0", _label_missing),
)

SPECS = {"svm-loss": FamilySpec(make, MISTAKES)}
