"""spectral-radius: the spectral radius of an RNN W_hh and the vanishing/exploding verdict, and the common mistakes."""

from __future__ import annotations

from typing import Any

import numpy as np

from generators.families._common import FamilySpec, example, make_draft, num, pick, rand_ints, solve
from generators.problem import Draft, Mistake
from generators.render import fmt

__all__ = ["SPECS", "MISTAKES", "make", "RULE"]


_HALVES = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0)


def _draw_rnn_matrix(rng: np.random.Generator, d: int) -> list[list[float]]:
    if d == 1:
        kind = pick(rng, ("constant", "diagonal", "triangular"))
        a = pick(rng, _HALVES) * pick(rng, (1, -1))
        if kind == "constant":
            return [[a, a], [a, a]]
        b = pick(rng, (0.0, *_HALVES)) * pick(rng, (1, -1))
        if kind == "diagonal":
            return [[a, 0.0], [0.0, b]]
        c = pick(rng, _HALVES)
        return [[a, c], [0.0, b]]
    if d == 2:  # real eigenvalues, not symmetric (so σ_max ≠ ρ: the two must be told apart)
        for _ in range(100):
            a, c = (pick(rng, (-2, -1, 0, 1, 2, 3, 4)) for _ in range(2))
            b, e = (pick(rng, (-2, -1, 1, 2, 3)) for _ in range(2))
            if b != e and (a - c) ** 2 + 4 * b * e >= 0:
                return [[float(a), float(b)], [float(e), float(c)]]
        return [[float(a), float(b)], [0.0, float(c)]]
    if rng.random() < 0.5:  # rotation-scaling: complex eigenvalues a ± bi
        a, b = pick(rng, (-2, -1, 1, 2, 3)), pick(rng, (1, 2, 3))
        return [[float(a), float(-b)], [float(b), float(a)]]
    m = rand_ints(rng, (3, 3), -2, 3).astype(float)
    m[np.tril_indices(3, -1)] = 0.0
    return m.tolist()


RULE = ("Pascanu, Mikolov & Bengio (2013): with γ = max|f'| (sigmoid 1/4, tanh and ReLU 1), "
        "γ·σ_max(W_hh) < 1 is sufficient for vanishing and γ·σ_max > 1 only necessary for exploding. "
        "The spectral radius ρ decides where σ_max cannot: for a triangular or normal W_hh (symmetric, diagonal, "
        "rotation-scaling) γ·ρ < 1 ⇒ vanishing; for any W_hh γ·ρ > 1 ⇒ the gradient can explode (the product "
        "(γ·W_hhᵀ)ⁿ at the steepest point grows like (γρ)ⁿ — the course's spectral-radius heuristic)")


def make(rng: np.random.Generator, d: int) -> Draft:
    for _ in range(1000):
        w = _draw_rnn_matrix(rng, d)
        act = pick(rng, ("sigmoid", "tanh")) if d < 3 else pick(rng, ("sigmoid", "tanh", "relu"))
        info = solve("rnn_gradient", w, act)
        radius, bound, rate = float(info["radius"]), float(info["derivative_bound"]), float(info["rate"])
        # "neither" is no regime (the conditions do not decide it): such a matrix cannot be keyed
        if radius > 0.1 and abs(bound * radius - 1) >= 0.05 and abs(rate - 1) >= 0.05 \
                and info["regime"] != "neither":
            break
    eig = np.linalg.eigvals(np.asarray(w))
    def eig_str(e: complex) -> str:
        if abs(e.imag) < 1e-12:
            return fmt(e.real)
        return f"{fmt(e.real)} {'+' if e.imag > 0 else '−'} {fmt(abs(e.imag))}i"

    eig_text = ", ".join(eig_str(complex(e)) for e in eig)
    answer = {"radius": num(radius), "regime": str(info["regime"])}
    params = {"weight": w, "activation": act}
    shown = example(("0.5 vanishing", "2.5 exploding"),
                    lambda e: abs(float(e.split()[0]) - radius) <= 5e-3 * radius and e.split()[1] == answer["regime"])
    stem = (f"A vanilla RNN h_t = {act}(W_hh h_(t−1) + W_xh x_t) has the recurrent weight matrix W_hh below. "
            f"Give its spectral radius ρ (largest |eigenvalue|, 3 significant figures; relative tolerance 0.5%) "
            f"and the gradient regime over many backward steps: vanishing (every product of step Jacobians "
            f"W_hhᵀ·diag(f') shrinks to 0) or exploding (it can grow without bound). {RULE}. "
            f"Type the radius then the regime, e.g. '{shown}'.")
    gb = fmt(bound)
    lines = [f"eigenvalues of W_hh: {eig_text} → ρ = {fmt(radius)}",
             f"largest singular value σ_max = {fmt(float(info['sigma_max']))}",
             f"γ = max {act}' = {gb}: γ·σ_max = {gb} × {fmt(float(info['sigma_max']))} = {fmt(rate)}; "
             f"γ·ρ = {gb} × {fmt(radius)} = {fmt(bound * radius)}"]
    if info["regime"] == "vanishing" and rate >= 1:
        lines.append(f"W_hh is {info['structure']}: γ·ρ < 1 decides it (γ·σ_max ≥ 1 leaves the sufficient "
                     f"condition silent)")
    lines.append(f"Verdict: {info['regime']}. {info['reason']}")
    return make_draft(params, stem, answer, "\n".join(lines), "radius-verdict", matrices={"W_hh": w},
                      tolerance=5e-3)


# -- mistakes -----------------------------------------------------------------------------------
# A mistake about the radius leaves the verdict open (regime None: any); a mistake about the
# verdict keeps the right radius.
def _radius(value: Any) -> Any:
    def answer(params: dict) -> Any:
        return {"radius": num(float(value(np.asarray(params["weight"], dtype=float)))), "regime": None}

    return answer


def _sigma_max(params: dict) -> Any:
    w = np.asarray(params["weight"], dtype=float)
    if np.allclose(w @ w.T, w.T @ w):
        return None  # a normal matrix (symmetric, rotation-scaling…): σ_max = ρ, nothing to tell apart
    return {"radius": num(float(np.linalg.norm(w, 2))), "regime": None}


def _bound_forgotten(params: dict) -> Any:
    if params.get("activation", "sigmoid") != "sigmoid":
        return None  # tanh and ReLU have derivative bound 1: nothing to forget
    right = solve("rnn_gradient", params["weight"], "sigmoid")
    unbounded = solve("rnn_gradient", params["weight"], "tanh")  # bound 1: the sigmoid's 1/4 left out
    return {"radius": num(float(right["radius"])), "regime": str(unbounded["regime"])}


MISTAKES: tuple[Mistake, ...] = (
    Mistake("sigma-max", "largest singular value taken instead of the spectral radius",
            "ρ is the largest |eigenvalue|; σ_max (largest singular value) only bounds it from above",
            _sigma_max),
    Mistake("largest-entry", "largest entry taken instead of the spectral radius",
            "ρ is the largest |eigenvalue| of W_hh, not its largest |entry|", _radius(lambda w: np.abs(w).max())),
    Mistake("trace", "trace taken instead of the spectral radius",
            "the trace is the sum of the eigenvalues; ρ is the largest of their absolute values",
            _radius(np.trace)),
    Mistake("sum-of-entries", "sum of the entries taken instead of the spectral radius",
            "ρ is the largest |eigenvalue| of W_hh, not the sum of its entries", _radius(np.sum)),
    Mistake("derivative-bound-forgotten", "the activation's derivative bound forgotten in the verdict",
            "the verdict compares γ·σ_max and γ·ρ with 1, γ = max|f'|; sigmoid' ≤ 1/4", _bound_forgotten),
)


def _from_check(args: dict) -> dict:
    return {"weight": args["weight"], "activation": args.get("activation", "sigmoid")}


SPECS = {"spectral-radius": FamilySpec(make, MISTAKES, {"rnn_gradient": _from_check})}
