"""Vanishing / exploding gradients in a vanilla RNN ``h_t = f(W_hh h_{t-1} + W_xh x_t)``.

Backprop through one step multiplies by ``diag(f'(a_t)) W_hh^T``, so after n steps

    || dh_n / dh_0 || <= (max|f'| * sigma_max(W_hh))^n = rate^n

rate < 1 guarantees vanishing (a sufficient condition). The course's argument for exploding uses
the spectral radius instead: if max|f'| * rho(W_hh) > 1 the bound (max|f'| rho)^n grows — a
heuristic (the derivative is only *bounded* by max|f'|, so this is not a guarantee).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from generators._args import as_float_array

__all__ = ["DERIVATIVE_BOUNDS", "rnn_gradient"]

#: max |f'(a)| over all a
DERIVATIVE_BOUNDS: dict[str, float] = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0, "linear": 1.0, "identity": 1.0}
#: margin around 1 so round-off (e.g. sigma_max of an orthogonal matrix = 0.9999999999999998) cannot flip a verdict
EPS = 1e-9


def rnn_gradient(weight: Any, activation: str = "sigmoid") -> dict[str, Any]:
    """Spectral radius, largest singular value and the vanishing/exploding verdict for ``W_hh``.

    Returns ``{radius, sigma_max, derivative_bound, rate, regime, reason}`` where
    ``rate = derivative_bound * sigma_max`` and ``regime`` is "vanishing" if rate < 1
    (sufficient), else "exploding" if ``derivative_bound * radius > 1`` (course heuristic), else
    "neither" (inconclusive). Comparisons with 1 use a 1e-9 margin against round-off.
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
    if rate < 1 - EPS:
        regime = "vanishing"
        reason = (
            f"max|f'| * sigma_max = {bound:g} * {sigma_max:.6g} = {rate:.6g} < 1, so every backprop step "
            f"shrinks the gradient by at least that factor: vanishing is guaranteed (sufficient condition)"
        )
    elif growth > 1 + EPS:
        regime = "exploding"
        reason = (
            f"max|f'| * spectral radius = {bound:g} * {radius:.6g} = {growth:.6g} > 1, so the bound "
            f"({growth:.6g})^n grows with n: exploding by the course's heuristic (not a guarantee — "
            f"f' is only bounded by {bound:g}); nor is vanishing guaranteed: the sufficient condition "
            f"max|f'| * sigma_max < 1 does not hold ({rate:.6g})"
        )
    else:
        regime = "neither"
        reason = (
            f"inconclusive: max|f'| * sigma_max = {rate:.6g} >= 1, so vanishing is not guaranteed "
            f"(that test is sufficient only), and max|f'| * spectral radius = {growth:.6g} <= 1, so the "
            f"course's exploding heuristic does not apply either"
        )
    return {
        "radius": radius,
        "sigma_max": sigma_max,
        "derivative_bound": bound,
        "rate": rate,
        "regime": regime,
        "reason": reason,
    }
