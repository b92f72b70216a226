"""activation-backward: ∂L/∂x through an elementwise activation (sigmoid, tanh, ReLU, leaky ReLU
with ``slope``) given the upstream gradient ∂L/∂out of the same shape. No x sits on a kink (x ≠ 0
for ReLU and leaky ReLU).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from generators.families._common import FamilySpec, make_draft, pick
from generators.families._grad import TOL, TOL_TEXT, answer_of, redraw
from generators.problem import Draft, Mistake
from generators.render import fmt, grid

__all__ = ["SPECS", "MISTAKES", "make", "forward", "local"]


def _xg(params: dict) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(params["x"], dtype=float), np.asarray(params["grad_output"], dtype=float)


def forward(fn: str, x: np.ndarray, slope: float = 0.01) -> np.ndarray:
    if fn == "sigmoid":
        return 1 / (1 + np.exp(-x))
    if fn == "tanh":
        return np.tanh(x)
    if fn == "relu":
        return np.maximum(x, 0)
    return np.where(x > 0, x, slope * x)


def local(fn: str, x: np.ndarray, slope: float = 0.01) -> np.ndarray:
    """The right local derivative ∂out/∂x."""
    if fn == "sigmoid":
        s = forward(fn, x)
        return s * (1 - s)
    if fn == "tanh":
        return 1 - np.tanh(x) ** 2
    if fn == "relu":
        return (x > 0).astype(float)
    return np.where(x > 0, 1.0, slope)


def _slope(params: dict) -> float:
    return float(params.get("slope", 0.01))


def solve(params: dict) -> Any:
    x, g = _xg(params)
    return answer_of(g * local(params["fn"], x, _slope(params)))


def _draw(rng: np.random.Generator, d: int) -> tuple[dict, Any]:
    fn = pick(rng, ("sigmoid", "tanh", "relu", "leaky_relu"))
    shape = {1: pick(rng, ((1, 3), (1, 4), (2, 2))), 2: pick(rng, ((2, 3), (3, 2))), 3: pick(rng, ((3, 3), (2, 4)))}[d]
    if fn in ("relu", "leaky_relu"):
        x = rng.choice([v for v in range(-4, 6) if v != 0], size=shape).astype(float)
    else:
        x = rng.integers(-4, 5, size=shape) / 2
    g = rng.choice([v for v in range(-3, 4) if v != 0], size=shape).astype(float)
    params: dict[str, Any] = {"fn": fn, "x": answer_of(x), "grad_output": answer_of(g)}
    if fn == "leaky_relu":
        params["slope"] = float(pick(rng, (0.1, 0.2, 0.01) if d > 1 else (0.1, 0.2)))
    return params, solve(params)


def make(rng: np.random.Generator, d: int) -> Draft:
    params, answer = redraw(lambda: _draw(rng, d), MISTAKES)
    fn = params["fn"]
    x, g = _xg(params)
    r, c = x.shape
    exact = fn == "relu"
    name = {"sigmoid": "sigmoid σ(x) = 1/(1 + e^(−x))", "tanh": "tanh", "relu": "ReLU max(x, 0)",
            "leaky_relu": f"leaky ReLU (x if x > 0 else {fmt(_slope(params))}·x)"}[fn]
    stem = (f"out = {name}, applied elementwise to x ({r}×{c}). The upstream gradient G = ∂L/∂out is given. "
            f"Compute ∂L/∂x ({r}×{c}; " + ("whole numbers)." if exact else f"{TOL_TEXT})."))
    loc = local(fn, x, _slope(params))
    rule = {"sigmoid": "∂L/∂x = G · σ(x)(1 − σ(x)) (the derivative written with the output σ(x))",
            "tanh": "∂L/∂x = G · (1 − tanh²(x)) (with the output tanh(x))",
            "relu": "∂L/∂x = G where x > 0, 0 where x < 0",
            "leaky_relu": f"∂L/∂x = G where x > 0, {fmt(_slope(params))}·G where x < 0"}[fn]
    out = forward(fn, x, _slope(params))
    lines = []
    for i in range(r):
        for j in range(c):
            xv, gv, ov = fmt(x[i, j]), fmt(g[i, j]), fmt(float(f"{out[i, j]:.6g}"))
            po = f"({ov})" if ov.startswith("-") else ov  # a negative output in parentheses inside a product
            if fn == "sigmoid":
                lines.append(f"[{i}, {j}]: σ({xv}) = {ov}; {_wrap(gv)}·{po}·(1 − {po}) = {fmt(answer[i][j])}")
            elif fn == "tanh":
                lines.append(f"[{i}, {j}]: tanh({xv}) = {ov}; {_wrap(gv)}·(1 − {po}²) = {fmt(answer[i][j])}")
            else:
                lines.append(f"[{i}, {j}]: x = {xv} {'> 0' if x[i, j] > 0 else '< 0'}: {_wrap(gv)}·{fmt(loc[i, j])} "
                             f"= {fmt(answer[i][j])}")
    solution = f"{rule}.\n" + "\n".join(lines) + f"\n∂L/∂x:\n{grid(answer)}"
    return make_draft(params, stem, answer, solution, "matrix", tolerance=None if exact else TOL,
                      matrices={"x": params["x"], "G = ∂L/∂out": params["grad_output"]})


def _wrap(s: str) -> str:
    return f"({s})" if s.startswith("-") else s


# -- mistakes -----------------------------------------------------------------------------------
def _at_input(params: dict) -> Any:
    x, g = _xg(params)
    if params["fn"] == "sigmoid":
        return answer_of(g * x * (1 - x))
    if params["fn"] == "tanh":
        return answer_of(g * (1 - x ** 2))
    return None


def _upstream_ignored(params: dict) -> Any:
    x, g = _xg(params)
    return answer_of(local(params["fn"], x, _slope(params)))


def _mask_inverted(params: dict) -> Any:
    if params["fn"] not in ("relu", "leaky_relu"):
        return None
    x, g = _xg(params)
    s = _slope(params) if params["fn"] == "leaky_relu" else 0.0
    return answer_of(g * np.where(x > 0, s, 1.0))


def _slope_ignored(params: dict) -> Any:
    if params["fn"] != "leaky_relu":
        return None
    x, g = _xg(params)
    return answer_of(g * (x > 0))


def _output_given(params: dict) -> Any:
    x, g = _xg(params)
    return answer_of(g * forward(params["fn"], x, _slope(params)))


def _tanh_not_squared(params: dict) -> Any:
    if params["fn"] not in ("sigmoid", "tanh"):
        return None
    x, g = _xg(params)
    y = forward(params["fn"], x)
    return answer_of(g * (1 - y))


MISTAKES: tuple[Mistake, ...] = (
    Mistake("derivative-at-input", "sigmoid/tanh derivative taken at the input instead of the output",
            "σ'(x) = σ(x)(1 − σ(x)) and tanh'(x) = 1 − tanh²(x) use the gate's output; your answer puts x in "
            "their place", _at_input),
    Mistake("upstream-ignored", "upstream gradient not multiplied in",
            "∂L/∂x = G · ∂out/∂x; your answer is the local derivative alone", _upstream_ignored),
    Mistake("relu-mask-inverted", "ReLU mask inverted",
            "the gradient passes where x > 0 (times the slope where x < 0 for leaky ReLU); your answer passes "
            "it where x < 0", _mask_inverted),
    Mistake("leaky-slope-ignored", "leaky slope ignored (treated as ReLU)",
            "leaky ReLU passes {slope}·G where x < 0; your answer passes 0 there", _slope_ignored),
    Mistake("forward-output-used", "forward output used as the local gradient",
            "the local gradient is the derivative ∂out/∂x, not out itself", _output_given),
    Mistake("derivative-factor-missing", "a factor missing from the derivative (1 − out instead of out(1 − out) "
            "or 1 − out²)", "σ' = σ(1 − σ) and tanh' = 1 − tanh²; your answer multiplies G by 1 − out only",
            _tanh_not_squared),
)

SPECS = {"activation-backward": FamilySpec(make, MISTAKES)}
