"""batchnorm: training-mode batch normalization of x (N×D) over the batch — mean and biased
(population) variance per feature, x̂ = (x − μ)/√(σ² + ε), out = γ·x̂ + β — or its gradient with
respect to x, γ or β given the upstream gradient G (N×D).

∂L/∂x = γ/√(σ² + ε) · (G − mean_N(G) − x̂·mean_N(G·x̂)) (the paths through μ and σ² included);
∂L/∂γ = Σ_N G·x̂; ∂L/∂β = Σ_N G (1×D rows).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from generators.families._common import FamilySpec, make_draft, pick, rand_int
from generators.families._grad import TOL, TOL_TEXT, answer_of, redraw, row_text
from generators.problem import Draft, Mistake
from generators.render import fmt, grid

__all__ = ["SPECS", "MISTAKES", "make"]


def _arrays(params: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    return (np.asarray(params["x"], dtype=float), np.asarray(params["gamma"], dtype=float),
            np.asarray(params["beta"], dtype=float), float(params["eps"]))


def _g(params: dict) -> np.ndarray:
    return np.asarray(params["grad_output"], dtype=float)


def _stats(x: np.ndarray, eps: float, *, unbiased: bool = False, axis: int = 0) -> tuple[np.ndarray, ...]:
    mu = x.mean(axis=axis, keepdims=True)
    n = x.shape[axis]
    var = ((x - mu) ** 2).sum(axis=axis, keepdims=True) / (n - 1 if unbiased else n)
    std = np.sqrt(var + eps)
    return mu, var, std, (x - mu) / std


def _backward(params: dict, *, unbiased: bool = False, paths: str = "all", use_gamma: bool = True) -> np.ndarray:
    x, gamma, _beta, eps = _arrays(params)
    g = _g(params)
    _mu, _var, std, xh = _stats(x, eps, unbiased=unbiased)
    scale = (gamma if use_gamma else 1.0) / std
    if paths == "none":
        return scale * g
    if paths == "mean":
        return scale * (g - g.mean(axis=0))
    n = x.shape[0]
    # dσ²/dx_i = 2(x_i − μ)/n (or /(n − 1) for the sample variance): the variance path's divisor
    return scale * (g - g.mean(axis=0) - xh * (g * xh).sum(axis=0) / (n - 1 if unbiased else n))


def solve(params: dict) -> Any:
    x, gamma, beta, eps = _arrays(params)
    wrt = params["wrt"]
    if wrt == "forward":
        return answer_of(gamma * _stats(x, eps)[3] + beta)
    if wrt == "x":
        return answer_of(_backward(params))
    g, xh = _g(params), _stats(x, eps)[3]
    return answer_of((g * xh if wrt == "gamma" else g).sum(axis=0, keepdims=True))


def _draw(rng: np.random.Generator, d: int) -> tuple[dict, Any]:
    n = {1: pick(rng, (3, 4)), 2: rand_int(rng, 3, 4), 3: rand_int(rng, 4, 5)}[d]
    dim = {1: pick(rng, (1, 2)), 2: 2, 3: rand_int(rng, 2, 3)}[d]
    for _ in range(100):
        x = rng.integers(-3, 6, size=(n, dim)).astype(float)
        if np.all(x.std(axis=0) > 0.4):
            break
    gamma = rng.choice([1.0, 2.0, 0.5, -1.0, 3.0], size=dim) if d > 1 else rng.choice([1.0, 2.0, 3.0], size=dim)
    beta = rng.integers(-2, 3, size=dim).astype(float)
    wrt = pick(rng, ("forward", "x", "gamma", "beta"))
    params: dict[str, Any] = {"x": answer_of(x), "gamma": answer_of(gamma), "beta": answer_of(beta), "eps": 1e-5,
                              "wrt": wrt}
    if wrt != "forward":
        params["grad_output"] = answer_of(rng.choice([v for v in range(-3, 4) if v != 0], size=(n, dim)))
    return params, solve(params)


def make(rng: np.random.Generator, d: int) -> Draft:
    params, answer = redraw(lambda: _draw(rng, d), MISTAKES)
    x, gamma, beta, eps = _arrays(params)
    n, dim = x.shape
    wrt = params["wrt"]
    mu, var, std, xh = _stats(x, eps)
    feats = f"{dim} feature{'s' if dim > 1 else ''}"
    head = (f"Batch normalization in training mode on x ({n}×{dim}: {n} samples, {feats}), "
            f"γ = {row_text(gamma)}, β = {row_text(beta)}, ε = {fmt(eps)}: per feature, μ and the biased (population) "
            f"variance σ² over the batch (divide by N = {n}), x̂ = (x − μ)/√(σ² + ε), out = γ·x̂ + β.\n")
    what = {"forward": f"Compute out ({n}×{dim})", "x": f"The upstream gradient G = ∂L/∂out is given. Compute ∂L/∂x "
            f"({n}×{dim}), with the paths through μ and σ²", "gamma": f"The upstream gradient G = ∂L/∂out is given. "
            f"Compute ∂L/∂γ (1×{dim}, one row)", "beta": f"The upstream gradient G = ∂L/∂out is given. Compute ∂L/∂β "
            f"(1×{dim}, one row)"}[wrt]
    stem = head + f"{what} ({TOL_TEXT})."
    stats = (f"μ = {row_text(mu)}; σ² = mean((x − μ)²) = {row_text(var)}; √(σ² + ε) = {row_text(std)}\n"
             f"{_mat('x̂ = (x − μ)/√(σ² + ε)', xh)}")
    if wrt == "forward":
        body = f"out = γ·x̂ + β (per column: ×{row_text(gamma)}, +{row_text(beta)})"
    elif wrt == "x":
        g = _g(params)
        body = (f"mean_N(G) = {row_text(g.mean(axis=0))}; mean_N(G·x̂) = {row_text((g * xh).mean(axis=0))}\n"
                f"∂L/∂x = γ/√(σ² + ε) · (G − mean_N(G) − x̂·mean_N(G·x̂)), with γ/√(σ² + ε) = {row_text(gamma / std)}")
    elif wrt == "gamma":
        body = f"∂L/∂γ = Σ_N G·x̂ (column sums of G·x̂)\n{_mat('G·x̂', _g(params) * xh)}"
    else:
        body = "∂L/∂β = Σ_N G (column sums of G); x̂ plays no part"
    name = {"forward": "out", "x": "∂L/∂x", "gamma": "∂L/∂γ", "beta": "∂L/∂β"}[wrt]
    solution = f"{stats}\n{body}\n{name}:\n{grid(answer)}"
    matrices = {"x": params["x"]}
    if wrt != "forward":
        matrices["G = ∂L/∂out"] = params["grad_output"]
    return make_draft(params, stem, answer, solution, "matrix", matrices=matrices, tolerance=TOL)


def _mat(name: str, a: np.ndarray) -> str:
    return f"{name}:\n{grid(answer_of(a))}"


# -- mistakes -----------------------------------------------------------------------------------
def _sample_var(params: dict) -> Any:
    x, gamma, beta, eps = _arrays(params)
    wrt = params["wrt"]
    if wrt == "beta":
        return None
    xh = _stats(x, eps, unbiased=True)[3]
    if wrt == "forward":
        return answer_of(gamma * xh + beta)
    if wrt == "x":
        return answer_of(_backward(params, unbiased=True))
    return answer_of((_g(params) * xh).sum(axis=0, keepdims=True))


def _paths(kind: str) -> Any:
    def answer(params: dict) -> Any:
        return answer_of(_backward(params, paths=kind)) if params["wrt"] == "x" else None
    return answer


def _forward_variant(fn: Any) -> Any:
    def answer(params: dict) -> Any:
        if params["wrt"] != "forward":
            return None
        x, gamma, beta, eps = _arrays(params)
        return fn(x, gamma, beta, eps)
    return answer


def _gamma_ignored(params: dict) -> Any:
    x, gamma, beta, eps = _arrays(params)
    if params["wrt"] == "x":
        return answer_of(_backward(params, use_gamma=False))
    if params["wrt"] == "forward":
        return answer_of(_stats(x, eps)[3] + beta)
    return None


def _over_features(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> Any:
    if x.shape[1] < 2:
        return None
    return answer_of(gamma * _stats(x, eps, axis=1)[3] + beta)


def _var_not_rooted(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> Any:
    mu, var, _std, _xh = _stats(x, eps)
    return answer_of(gamma * (x - mu) / (var + eps) + beta)


def _swapped(params: dict) -> Any:
    x, _gamma, _beta, eps = _arrays(params)
    if params["wrt"] not in ("gamma", "beta"):
        return None
    g, xh = _g(params), _stats(x, eps)[3]
    return answer_of((g if params["wrt"] == "gamma" else g * xh).sum(axis=0, keepdims=True))


def _averaged(params: dict) -> Any:
    if params["wrt"] not in ("gamma", "beta"):
        return None
    x, _gamma, _beta, eps = _arrays(params)
    g, xh = _g(params), _stats(x, eps)[3]
    return answer_of((g * xh if params["wrt"] == "gamma" else g).mean(axis=0, keepdims=True))


MISTAKES: tuple[Mistake, ...] = (
    Mistake("sample-variance", "sample variance (÷ N − 1) instead of the batch's population variance (÷ N)",
            "training-mode batch norm normalizes with the biased variance mean((x − μ)²); your answer divides by N − 1",
            _sample_var),
    Mistake("bn-mean-var-paths-dropped", "the paths through the mean and variance dropped",
            "μ and σ² depend on every x, so ∂L/∂x = γ/√(σ² + ε)·(G − mean(G) − x̂·mean(G·x̂)); your answer is "
            "γ/√(σ² + ε)·G alone", _paths("none")),
    Mistake("bn-variance-path-dropped", "the path through the variance dropped",
            "∂L/∂x has a term −x̂·mean(G·x̂) from σ²; your answer keeps only the mean's −mean(G)", _paths("mean")),
    Mistake("gamma-ignored", "γ left out", "out = γ·x̂ + β, so γ also scales ∂L/∂x; your answer leaves γ out",
            _gamma_ignored),
    Mistake("bn-normalized-over-features", "normalized over the features (a row) instead of the batch (a column)",
            "batch norm takes μ and σ² per feature over the N samples; your answer normalizes each sample's row "
            "(layer norm)", _forward_variant(_over_features)),
    Mistake("bn-variance-not-rooted", "divided by σ² + ε instead of √(σ² + ε)",
            "x̂ divides by the standard deviation √(σ² + ε); your answer divides by the variance",
            _forward_variant(_var_not_rooted)),
    Mistake("gamma-beta-grads-swapped", "∂L/∂γ and ∂L/∂β swapped",
            "∂L/∂γ = Σ G·x̂ and ∂L/∂β = Σ G; your answer is the other one", _swapped),
    Mistake("batch-averaged", "summed over the batch, then divided by N",
            "∂L/∂γ and ∂L/∂β add up the N samples' contributions; your answer divides by N", _averaged),
)

SPECS = {"batchnorm": FamilySpec(make, MISTAKES)}
