"""linear-backward: the gradient of a fully connected layer y = x·w + b (x N×D, w D×M, b [M]) with
respect to x (G·wᵀ), w (xᵀ·G) or b (Σ over the batch of G), given the upstream gradient G = ∂L/∂y.

Integer inputs, so every answer is an exact integer matrix (∂L/∂b as a 1×M row).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from generators.families._common import FamilySpec, make_draft, pick, plain, rand_int
from generators.families._grad import redraw
from generators.problem import Draft, Mistake
from generators.render import grid, product

__all__ = ["SPECS", "MISTAKES", "make"]


def _arrays(params: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    return (np.asarray(params["x"], dtype=np.int64), np.asarray(params["w"], dtype=np.int64),
            np.asarray(params["b"], dtype=np.int64), np.asarray(params["grad_output"], dtype=np.int64))


def grads(x: np.ndarray, w: np.ndarray, g: np.ndarray) -> dict[str, np.ndarray]:
    return {"x": g @ w.T, "w": x.T @ g, "b": g.sum(axis=0, keepdims=True)}


def solve(params: dict) -> Any:
    x, w, _b, g = _arrays(params)
    return plain(grads(x, w, g)[params["wrt"]])


def _draw(rng: np.random.Generator, d: int) -> tuple[dict, Any]:
    n = {1: 2, 2: rand_int(rng, 2, 3), 3: rand_int(rng, 3, 4)}[d]
    dim = {1: 2, 2: rand_int(rng, 2, 3), 3: rand_int(rng, 2, 4)}[d]
    m = dim if rng.random() < 0.5 else {1: pick(rng, (2, 3)), 2: rand_int(rng, 2, 3), 3: rand_int(rng, 2, 4)}[d]
    lo, hi = (-2, 3) if d == 1 else (-3, 4)
    x, w = rng.integers(lo, hi + 1, size=(n, dim)), rng.integers(lo, hi + 1, size=(dim, m))
    b, g = rng.integers(lo, hi + 1, size=m), rng.integers(lo, hi + 1, size=(n, m))
    params = {"x": plain(x), "w": plain(w), "b": [int(v) for v in b], "grad_output": plain(g),
              "wrt": pick(rng, ("x", "w", "b"))}
    return params, solve(params)


def make(rng: np.random.Generator, d: int) -> Draft:
    params, answer = redraw(lambda: _draw(rng, d), MISTAKES, tol=1e-9)
    x, w, b, g = _arrays(params)
    n, dim = x.shape
    m = w.shape[1]
    wrt = params["wrt"]
    shape = {"x": f"{n}×{dim}", "w": f"{dim}×{m}", "b": f"1×{m} (one row)"}[wrt]
    stem = (f"A fully connected layer computes y = x·w + b with x {n}×{dim}, w {dim}×{m}, b of length {m} "
            f"(added to every row). The upstream gradient G = ∂L/∂y ({n}×{m}) is given. "
            f"Compute ∂L/∂{wrt} ({shape}, whole numbers).")
    lines = []
    if wrt == "x":
        rule = "∂L/∂x = G·wᵀ: ∂L/∂x[i, k] = Σ_j G[i, j]·w[k, j]"
        for i in range(n):
            for k in range(dim):
                terms = " + ".join(product(int(g[i, j]), int(w[k, j])) for j in range(m))
                lines.append(f"∂L/∂x[{i}, {k}] = {terms} = {int(answer[i][k])}")
    elif wrt == "w":
        rule = "∂L/∂w = xᵀ·G: ∂L/∂w[k, j] = Σ_i x[i, k]·G[i, j] (a sum over the batch)"
        for k in range(dim):
            for j in range(m):
                terms = " + ".join(product(int(x[i, k]), int(g[i, j])) for i in range(n))
                lines.append(f"∂L/∂w[{k}, {j}] = {terms} = {int(answer[k][j])}")
    else:
        rule = "∂L/∂b = Σ_i G[i, :]: b is added to every row, so its gradient sums G over the batch"
        for j in range(m):
            terms = " + ".join(str(int(g[i, j])) if g[i, j] >= 0 else f"({int(g[i, j])})" for i in range(n))
            lines.append(f"∂L/∂b[{j}] = {terms} = {int(answer[0][j])}")
    solution = f"{rule}.\n" + "\n".join(lines) + f"\n∂L/∂{wrt}:\n{grid(answer)}"
    matrices = {"x": params["x"], "w": params["w"], "b (as a row)": [params["b"]], "G = ∂L/∂y": params["grad_output"]}
    return make_draft(params, stem, answer, solution, "matrix", matrices=matrices)


# -- mistakes -----------------------------------------------------------------------------------
def _not_transposed(params: dict) -> Any:
    x, w, _b, g = _arrays(params)
    if params["wrt"] == "x" and w.shape[0] == w.shape[1]:
        return plain(g @ w)  # G·w instead of G·wᵀ (only the same shape when w is square)
    if params["wrt"] == "w" and x.shape[1] == g.shape[1]:
        return plain((x.T @ g).T)  # Gᵀ·x: the right matrix transposed
    return None


def _upstream_ignored(params: dict) -> Any:
    x, w, _b, g = _arrays(params)
    return plain(grads(x, w, np.ones_like(g))[params["wrt"]])


def _averaged(params: dict) -> Any:
    x, w, _b, g = _arrays(params)
    if params["wrt"] == "x" or x.shape[0] < 2:
        return None
    return plain(grads(x, w, g)[params["wrt"]] / x.shape[0])


def _one_sample(params: dict) -> Any:
    x, w, _b, g = _arrays(params)
    if params["wrt"] == "x" or x.shape[0] < 2:
        return None
    return plain(grads(x[:1], w, g[:1])[params["wrt"]])


MISTAKES: tuple[Mistake, ...] = (
    Mistake("weight-not-transposed", "a transpose missing (G·w instead of G·wᵀ, or Gᵀ·x instead of xᵀ·G)",
            "∂L/∂x = G·wᵀ and ∂L/∂w = xᵀ·G; your answer is what the untransposed product gives", _not_transposed),
    Mistake("upstream-ignored", "upstream gradient not multiplied in",
            "the chain rule multiplies the local gradient by G = ∂L/∂y; your answer uses a G of ones",
            _upstream_ignored),
    Mistake("batch-averaged", "summed over the batch, then divided by N",
            "∂L/∂w and ∂L/∂b add up the N samples' contributions (G already carries any 1/N of the loss); "
            "your answer divides by N", _averaged),
    Mistake("one-sample-only", "only the first sample's contribution",
            "∂L/∂w and ∂L/∂b sum over every row of the batch; your answer keeps only row 0", _one_sample),
)

SPECS = {"linear-backward": FamilySpec(make, MISTAKES)}
