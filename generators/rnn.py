"""Vanishing / exploding gradients in a vanilla RNN ``h_t = f(W_hh h_{t-1} + W_xh x_t)``.

Backprop through one step multiplies by the step Jacobian ``J_t = W_hh^T diag(f'(a_t))`` with
``0 <= f'(a_t) <= gamma`` (gamma = max|f'|: 1/4 for sigmoid, 1 for tanh and ReLU), so after n steps

    || J_n ... J_1 || <= (gamma * sigma_max(W_hh))^n

The rule as Pascanu, Mikolov & Bengio (2013, "On the difficulty of training recurrent neural
networks", section 2.1) state it: ``gamma * sigma_max < 1`` is *sufficient* for vanishing; ``gamma *
sigma_max > 1`` is only *necessary* for exploding. The course's argument with the spectral radius
rho ("gamma * rho > 1: exploding likely") is a heuristic: it describes the product at the steepest
point (every f' = gamma), ``(gamma W_hh^T)^n``, which grows like ``(gamma rho)^n``.

:func:`rnn_gradient` answers "over many steps, do the products of step Jacobians vanish, or can they
grow?" and says "neither" (inconclusive) only where these facts do not decide it:

- vanishing: ``gamma * sigma_max < 1`` (Pascanu's sufficient condition), or ``gamma * rho < 1`` for a
  triangular or normal W_hh (then every product of step Jacobians is triangular, resp. sigma_max =
  rho, and the joint spectral radius of the step Jacobians is ``gamma * rho``);
- exploding (can explode): ``gamma * rho > 1`` — the product at the steepest point grows without bound
  (the necessary condition ``gamma * sigma_max > 1`` holds since sigma_max >= rho); it need not grow
  for every input, since saturated units shrink f';
- neither: ``gamma * rho <= 1 <= gamma * sigma_max`` for a W_hh that is neither triangular nor normal.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from generators._args import as_float_array

__all__ = ["DERIVATIVE_BOUNDS", "rnn_gradient", "structure"]

#: max |f'(a)| over all a
DERIVATIVE_BOUNDS: dict[str, float] = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0, "linear": 1.0, "identity": 1.0}
#: margin around 1 so round-off (e.g. sigma_max of an orthogonal matrix = 0.9999999999999998) cannot flip a verdict
EPS = 1e-9


def structure(w: np.ndarray) -> str | None:
    """``"triangular"``, ``"normal"`` (W Wᵀ = Wᵀ W: symmetric, diagonal, rotation-scaling…) or ``None``:
    the structures for which the spectral radius decides the regime exactly."""
    if not np.any(np.tril(w, -1)) or not np.any(np.triu(w, 1)):  # exact zeros: a proof, not an estimate
        return "triangular"
    if np.allclose(w @ w.T, w.T @ w):
        return "normal"
    return None


def rnn_gradient(weight: Any, activation: str = "sigmoid") -> dict[str, Any]:
    """Spectral radius, largest singular value and the vanishing/exploding verdict for ``W_hh``.

    Returns ``{radius, sigma_max, derivative_bound, rate, regime, reason, structure}`` where
    ``rate = derivative_bound * sigma_max`` and ``regime`` is, as the module docstring derives:
    "vanishing" if rate < 1 (Pascanu's sufficient condition) or, for a triangular or normal W_hh,
    ``derivative_bound * radius < 1``; else "exploding" if ``derivative_bound * radius > 1`` (the
    product at the steepest point grows); else "neither" (the conditions do not decide).
    Comparisons with 1 use a 1e-9 margin against round-off.
    """
    w = as_float_array(weight, "weight", (0, 1, 2))
    if w.ndim == 0:
        w = w.reshape(1, 1)
    if w.ndim != 2 or w.shape[0] != w.shape[1]:
        raise ValueError(f"weight (W_hh) must be a square matrix, got shape {w.shape}")
    if not np.all(np.isfinite(w)):
        raise ValueError("weight (W_hh) must contain only finite numbers")
    key = str(activation).strip().lower()
    if key not in DERIVATIVE_BOUNDS:
        raise ValueError(f"unknown activation {activation!r}; known: {', '.join(DERIVATIVE_BOUNDS)}")
    bound = DERIVATIVE_BOUNDS[key]
    radius = float(np.max(np.abs(np.linalg.eigvals(w))))
    # sigma_max^2 = largest eigenvalue of the symmetric PSD matrix W^T W
    sigma_max = float(np.sqrt(max(float(np.linalg.eigvalsh(w.T @ w)[-1]), 0.0)))
    rate = bound * sigma_max
    growth = bound * radius
    shape = structure(w)
    if rate < 1 - EPS:
        regime = "vanishing"
        reason = (
            f"γ·σ_max = {bound:g} × {sigma_max:.6g} = {rate:.6g} < 1: every backward step shrinks the gradient "
            f"by at least that factor, so it vanishes (Pascanu et al.'s sufficient condition)"
        )
    elif growth < 1 - EPS and shape is not None:
        regime = "vanishing"
        reason = (
            f"γ·σ_max = {rate:.6g} ≥ 1, so the sufficient condition does not apply; but W_hh is {shape}, so "
            f"every product of step Jacobians is governed by its eigenvalues: γ·ρ = {bound:g} × {radius:.6g} = "
            f"{growth:.6g} < 1, and the products vanish"
        )
    elif growth > 1 + EPS:
        regime = "exploding"
        reason = (
            f"γ·ρ = {bound:g} × {radius:.6g} = {growth:.6g} > 1: while the units stay at their steepest point "
            f"(f' = {bound:g}) the product (γ·W_hhᵀ)ⁿ grows like {growth:.6g}ⁿ, so the gradient can explode; "
            f"the necessary condition γ·σ_max = {rate:.6g} > 1 holds and the sufficient condition for "
            f"vanishing (γ·σ_max < 1) does not. This is the course's spectral-radius heuristic: a "
            f"possibility, not a certainty, since saturated units (f' → 0) shrink the factor"
        )
    else:
        regime = "neither"
        reason = (
            f"inconclusive: γ·σ_max = {rate:.6g} ≥ 1, so vanishing is not guaranteed (that condition is "
            f"sufficient only), and γ·ρ = {growth:.6g} ≤ 1, so the steepest-point product does not grow"
        )
    return {
        "radius": radius,
        "sigma_max": sigma_max,
        "derivative_bound": bound,
        "rate": rate,
        "regime": regime,
        "reason": reason,
        "structure": shape,
    }
