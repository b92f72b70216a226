"""The spectral-radius family's verdicts checked by simulation: long products of step Jacobians.

Backprop through one step of h_t = f(W_hh h_(t−1) + …) multiplies by J_t = W_hhᵀ·diag(f'(a_t)),
0 ≤ f'(a_t) ≤ γ (γ = 1/4 for sigmoid, 1 for tanh and ReLU). The family asks for the regime "over
many backward steps": vanishing if every such product shrinks to 0, exploding if one can grow
without bound. Here NumPy multiplies 300 step Jacobians for each drawn matrix:

* a "vanishing" key must survive an adversary: random derivatives, every corner of [0, γ]^n at
  every step (the products over a convex set are largest at its corners), and a greedy choice of
  the corner that makes the current product largest — all must shrink below 1e-6;
* an "exploding" key must have a product that grows: f' = γ at every step (the steepest point).

Independently of the solver: the regimes come only from these products.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from generators.families import generate
from generators.families.spectral_radius import make

GAMMA = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0}
STEPS = 300


def _log_norm_of_product(w: np.ndarray, gamma: float, choose) -> float:
    """log ||J_STEPS … J_1|| with J_t = Wᵀ·diag(choose(t, current product)), renormalised each step."""
    n = len(w)
    prod, log_scale = np.eye(n), 0.0
    for t in range(STEPS):
        prod = (w.T * choose(t, prod)) @ prod  # Wᵀ·diag(f')·prod
        norm = float(np.linalg.norm(prod))  # Frobenius: within √n of the 2-norm
        if norm == 0.0:
            return -np.inf
        log_scale += np.log(norm)
        prod /= norm
    return log_scale


def _worst_vanishing_growth(w: np.ndarray, gamma: float, rng: np.random.Generator) -> float:
    """The largest log-norm an adversary reaches (it must stay far below 0 for a vanishing key)."""
    n = len(w)
    corners = [gamma * np.array(c, dtype=float) for c in itertools.product((0, 1), repeat=n)]

    def greedy(t: int, prod: np.ndarray) -> np.ndarray:
        return max(corners, key=lambda c: float(np.linalg.norm((w.T * c) @ prod)))

    results = [
        _log_norm_of_product(w, gamma, lambda t, prod: np.full(n, gamma)),
        _log_norm_of_product(w, gamma, lambda t, prod: rng.uniform(0, gamma, n)),
        _log_norm_of_product(w, gamma, lambda t, prod: corners[int(rng.integers(len(corners)))]),
        _log_norm_of_product(w, gamma, greedy),
    ]
    # periodic corner patterns of period 2 (alternating which units are steep)
    for a, b in itertools.product(corners[1:], repeat=2):
        results.append(_log_norm_of_product(w, gamma, lambda t, prod, a=a, b=b: a if t % 2 else b))
    return max(results)


def _draws(n: int):
    for d in (1, 2, 3):
        for seed in range(n):
            yield d, make(np.random.default_rng(seed), d)


def test_every_key_agrees_with_the_products_of_step_jacobians():
    rng = np.random.default_rng(0)
    seen = {"vanishing": 0, "exploding": 0, "vanishing with γ·σ_max ≥ 1": 0}
    done = set()
    for _, draft in _draws(100):
        w = np.asarray(draft.params["weight"], dtype=float)
        gamma = GAMMA[draft.params["activation"]]
        if (key := (str(w.tolist()), gamma)) in done:
            continue
        done.add(key)
        regime = draft.answer["regime"]
        if regime == "vanishing":
            assert _worst_vanishing_growth(w, gamma, rng) < np.log(1e-6), (w.tolist(), gamma)
            if gamma * np.linalg.norm(w, 2) >= 1:
                seen["vanishing with γ·σ_max ≥ 1"] += 1
        else:
            assert regime == "exploding", regime
            steepest = np.full(len(w), gamma)
            assert _log_norm_of_product(w, gamma, lambda t, prod, f=steepest: f) > np.log(1e6), w
        seen[regime] += 1
    assert all(seen.values()), seen  # every kind of verdict was drawn and simulated


def test_triangular_matrix_below_the_spectral_bound_vanishes():
    """The audit's case: γρ < 1 ≤ γσ_max for a triangular W_hh. The sufficient condition is silent,
    yet every product of step Jacobians vanishes: the key is "vanishing", not "neither"."""
    from generators.rnn import rnn_gradient

    w = np.array([[0.5, 3.0], [0.0, -0.5]])
    assert 0.25 * 4 * 0.5 < 1 <= np.linalg.norm(w, 2)  # tanh: γρ = 0.5, γσ_max ≈ 3.1
    info = rnn_gradient(w.tolist(), "tanh")
    assert info["regime"] == "vanishing" and info["structure"] == "triangular"
    assert _worst_vanishing_growth(w, 1.0, np.random.default_rng(1)) < np.log(1e-6)


def test_a_non_normal_matrix_in_the_gap_is_not_keyed():
    """A general W_hh with γρ < 1 ≤ γσ_max: Pascanu's conditions do not decide it, so the solver says
    "neither" and the family never draws such a matrix."""
    from generators.rnn import rnn_gradient

    w = [[0.5, 2.0], [0.1, 0.5]]  # eigenvalues 0.5 ± √0.2 ≈ 0.947, 0.053; σ_max ≈ 2.2
    assert rnn_gradient(w, "tanh")["regime"] == "neither"
    for d in (1, 2, 3):
        for p in generate("spectral-radius", 40, 7, d):
            assert p.answer["regime"] in ("vanishing", "exploding")


@pytest.mark.parametrize("seed", [3, 4])
def test_the_prompt_states_the_rule_as_the_literature_does(seed):
    draft = make(np.random.default_rng(seed), 1)
    assert "sufficient for vanishing" in draft.prompt
    assert "only necessary for exploding" in draft.prompt
    assert "heuristic" in draft.prompt
    assert "bound × ρ > 1 ⇒ exploding" not in draft.prompt
