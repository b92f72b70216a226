"""softmax-loss: the mean softmax cross-entropy of a batch of class scores, or its gradient
with respect to the scores (∂L/∂s = (softmax(s) − onehot(y)) / N).

Checked against ``F.cross_entropy`` (mean reduction) and autograd in the tests.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from generators.families._common import FamilySpec, make_draft, pick, rand_int
from generators.families._grad import TOL, TOL_TEXT, answer_of, redraw, row_text
from generators.problem import Draft, Mistake
from generators.render import fmt, grid

__all__ = ["SPECS", "MISTAKES", "make", "softmax"]


def softmax(s: np.ndarray) -> np.ndarray:
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _sy(params: dict) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(params["scores"], dtype=float), np.asarray(params["labels"], dtype=int)


def _losses(s: np.ndarray, y: np.ndarray, log: Any = np.log) -> np.ndarray:
    p = softmax(s)
    return -log(p[np.arange(len(y)), y])


def _grad(s: np.ndarray, y: np.ndarray) -> np.ndarray:
    g = softmax(s)
    g[np.arange(len(y)), y] -= 1
    return g / len(y)


def solve(params: dict) -> Any:
    s, y = _sy(params)
    if params["wrt"] == "loss":
        return answer_of(_losses(s, y).mean())
    return answer_of(_grad(s, y))


def _draw(rng: np.random.Generator, d: int) -> tuple[dict, Any]:
    n = {1: pick(rng, (1, 2)), 2: rand_int(rng, 2, 3), 3: rand_int(rng, 3, 4)}[d]
    c = {1: 3, 2: rand_int(rng, 3, 4), 3: rand_int(rng, 4, 5)}[d]
    if d < 3:
        s = rng.integers(-2, 4, size=(n, c)).astype(float)
    else:
        s = rng.integers(-6, 7, size=(n, c)) / 2
    y = rng.integers(0, c, size=n)
    params = {"scores": answer_of(s), "labels": [int(v) for v in y],
              "wrt": "loss" if rng.random() < 0.5 else "scores"}
    return params, solve(params)


def make(rng: np.random.Generator, d: int) -> Draft:
    params, answer = redraw(lambda: _draw(rng, d), MISTAKES)
    s, y = _sy(params)
    n, c = s.shape
    p = softmax(s)
    lines = []
    for i in range(n):
        es = ", ".join(f"e^{fmt(v)}" for v in s[i])
        total = fmt(float(np.exp(s[i]).sum()))
        lines.append(f"sample {i} (label {y[i]}): p = softmax({row_text(s[i])}) = ({es}) / {total}"
                     f" = {row_text(np.round(p[i], 6))}")
    head = (f"Scores s ({n}×{c}, one row per sample), labels y = {params['labels']} (classes counted from 0). "
            f"Softmax classifier, loss L = (1/N) Σ_i −ln softmax(s_i)[y_i] (natural log, mean over the "
            f"N = {n} samples).\n")
    if params["wrt"] == "loss":
        stem = head + f"Compute the loss L ({TOL_TEXT})."
        li = _losses(s, y)
        terms = " + ".join(f"−ln {fmt(float(p[i, y[i]]))}" for i in range(n))
        solution = ("\n".join(lines) + f"\nL = (1/{n})·({terms}) = (1/{n})·{fmt(float(li.sum()))} = {fmt(answer)}")
        kind = "float"
    else:
        stem = head + f"Compute ∂L/∂s, the {n}×{c} gradient with respect to the scores ({TOL_TEXT})."
        solution = ("\n".join(lines) + "\n∂L/∂s_ij = (p_ij − [j = y_i]) / N: subtract 1 at each label, "
                    f"divide by N = {n}.\n"
                    f"∂L/∂s:\n{grid(answer)}")
        kind = "matrix"
    return make_draft(params, stem, answer, solution, kind, matrices={"Scores s": params["scores"]}, tolerance=TOL)


# -- mistakes -----------------------------------------------------------------------------------
def _loss_only(fn: Any) -> Any:
    def answer(params: dict) -> Any:
        return answer_of(fn(*_sy(params))) if params["wrt"] == "loss" else None
    return answer


def _grad_only(fn: Any) -> Any:
    def answer(params: dict) -> Any:
        return answer_of(fn(*_sy(params))) if params["wrt"] == "scores" else None
    return answer


def _not_divided(params: dict) -> Any:
    s, y = _sy(params)
    if len(y) < 2:
        return None
    return answer_of(_losses(s, y).sum() if params["wrt"] == "loss" else _grad(s, y) * len(y))


def _label_dropped(s: np.ndarray, y: np.ndarray) -> float:
    return float(np.log(np.exp(s).sum(axis=1)).mean())


def _no_label(s: np.ndarray, y: np.ndarray) -> np.ndarray:
    return softmax(s) / len(y)


def _sign(s: np.ndarray, y: np.ndarray) -> np.ndarray:
    return -_grad(s, y)


def _label_column_only(s: np.ndarray, y: np.ndarray) -> np.ndarray:
    g = np.zeros_like(s)
    rows = np.arange(len(y))
    g[rows, y] = (softmax(s)[rows, y] - 1) / len(y)
    return g


MISTAKES: tuple[Mistake, ...] = (
    Mistake("not-divided-by-n", "sum over the batch not divided by N",
            "the loss is the mean over the N samples, so the loss and every gradient row are divided by N; "
            "your answer is N times too large", _not_divided),
    Mistake("log-base-10", "log base 10 instead of the natural log",
            "cross-entropy uses ln; your answer uses log₁₀ (a calculator's log key)",
            _loss_only(lambda s, y: _losses(s, y, np.log10).mean())),
    Mistake("label-score-dropped", "the label's score left out of the loss",
            "L_i = −s_y + ln Σ_j e^(s_j); your answer keeps only ln Σ_j e^(s_j)", _loss_only(_label_dropped)),
    Mistake("label-not-subtracted", "1 not subtracted at the label",
            "∂L_i/∂s_j = p_j − [j = y_i]: at the label column subtract 1; your answer is softmax/N everywhere",
            _grad_only(_no_label)),
    Mistake("grad-sign-flipped", "gradient sign flipped (onehot − p)",
            "∂L/∂s = (p − onehot(y))/N; your answer is its negative", _grad_only(_sign)),
    Mistake("label-column-only", "gradient only at the label",
            "every class's score gets p_j/N, not just the label's (p_y − 1)/N", _grad_only(_label_column_only)),
)

SPECS = {"softmax-loss": FamilySpec(make, MISTAKES)}
