"""gru-step: one step of PyTorch's ``nn.GRUCell`` (gate order r, z, n in ``w_ih``/``w_hh``):

    r = σ(W_ir·x + b_ir + W_hr·h + b_hr)      z = σ(W_iz·x + b_iz + W_hz·h + b_hz)
    n = tanh(W_in·x + b_in + r ⊙ (W_hn·h + b_hn))      h′ = (1 − z) ⊙ n + z ⊙ h
"""

from __future__ import annotations

from typing import Any

import numpy as np

from generators.families._common import FamilySpec, make_draft, rand_int
from generators.families._seq import (
    block_rows,
    listed,
    nonzero,
    row,
    screen,
    sigmoid,
    split,
    typing_note,
    vec,
    well_scaled,
)
from generators.problem import Draft, Mistake

__all__ = ["SPECS", "MISTAKES", "make", "step"]

TOLERANCE = 5e-3


def step(p: dict, *, z_swapped: bool = False, reset_before: bool = False, order_zr: bool = False,
         no_reset: bool = False, no_tanh: bool = False, lines: list[str] | None = None) -> np.ndarray:
    """h′ after one GRUCell step; the flags are the catalog's wrong procedures."""
    x, h = np.asarray(p["x"], dtype=float), np.asarray(p["h"], dtype=float)
    w_ih, w_hh = np.asarray(p["w_ih"], dtype=float), np.asarray(p["w_hh"], dtype=float)
    b_ih, b_hh = np.asarray(p["b_ih"], dtype=float), np.asarray(p["b_hh"], dtype=float)
    H = h.shape[0]
    gi, gh = w_ih @ x + b_ih, w_hh @ h + b_hh
    first, second = (slice(H, 2 * H), slice(0, H)) if order_zr else (slice(0, H), slice(H, 2 * H))
    nn = slice(2 * H, 3 * H)
    r = np.ones(H) if no_reset else sigmoid(gi[first] + gh[first])
    z = sigmoid(gi[second] + gh[second])
    if reset_before:
        hn = w_hh[nn] @ (r * h) + b_hh[nn]
        n_pre = gi[nn] + hn
    else:
        n_pre = gi[nn] + r * gh[nn]
    n = n_pre if no_tanh else np.tanh(n_pre)
    out = z * n + (1 - z) * h if z_swapped else (1 - z) * n + z * h
    if lines is not None:
        lines.append(f"gi = w_ih·x + b_ih = {vec(w_ih @ x)} + {vec(b_ih)} = {vec(gi)}")
        lines.append(f"gh = w_hh·h + b_hh = {vec(w_hh @ h)} + {vec(b_hh)} = {vec(gh)}")
        lines.append(f"({block_rows(0, H)}: r, {block_rows(1, H)}: z, {block_rows(2, H)}: n)")
        lines.append(f"r = σ(gi_r + gh_r) = σ({vec(gi[:H] + gh[:H])}) = {vec(r)}")
        lines.append(f"z = σ(gi_z + gh_z) = σ({vec(gi[H:2 * H] + gh[H:2 * H])}) = {vec(z)}")
        lines.append(f"n = tanh(gi_n + r ⊙ gh_n) = tanh({vec(gi[nn])} + {vec(r)} ⊙ {vec(gh[nn])}) = "
                     f"tanh({vec(n_pre)}) = {vec(n)}")
        lines.append(f"h′ = (1 − z) ⊙ n + z ⊙ h = {vec(1 - z)} ⊙ {vec(n)} + {vec(z)} ⊙ {vec(h)} = {vec(out)}")
    return out


def _draw(rng: np.random.Generator, d: int) -> dict:
    if d == 1:
        H, D, step_, top = 1, rand_int(rng, 1, 2), 0.5, 2
    elif d == 2:
        H, D, step_, top = 2, 2, 0.5, 2
    else:
        H, D, step_, top = rand_int(rng, 2, 3), rand_int(rng, 2, 3), 0.1, 9
    sizes = (D, H, 3 * H * D, 3 * H * H, 3 * H, 3 * H)
    flat = nonzero(rng, sum(sizes), step_, top)
    x, h, w_ih, w_hh, b_ih, b_hh = split(flat, sizes)
    return {"x": x, "h": h, "w_ih": w_ih.reshape(3 * H, D), "w_hh": w_hh.reshape(3 * H, H), "b_ih": b_ih,
            "b_hh": b_hh}


def make(rng: np.random.Generator, d: int) -> Draft:
    for _ in range(1000):
        p = _draw(rng, d)
        out = step(p)
        if well_scaled(out, 0.05) and screen([lambda f=f, p=p: step(p, **f) for f in _SCREEN], out, TOLERANCE):
            break
    p = listed(p)
    answer = row(step(p))
    H, D = len(p["h"]), len(p["x"])
    lines: list[str] = []
    step(p, lines=lines)
    stem = (f"One step of PyTorch's nn.GRUCell, input size {D}, hidden size {H}: x = {vec(p['x'])}, "
            f"h = {vec(p['h'])}. The weights stack the gates in the order r, z, n ({block_rows(0, H)}: reset r, "
            f"{block_rows(1, H)}: update z, {block_rows(2, H)}: candidate n): b_ih = {vec(p['b_ih'])}, "
            f"b_hh = {vec(p['b_hh'])}. r = σ(W_ir·x + b_ir + W_hr·h + b_hr), z likewise, "
            f"n = tanh(W_in·x + b_in + r ⊙ (W_hn·h + b_hn)), h′ = (1 − z) ⊙ n + z ⊙ h. Give h′ as a row of "
            f"{H} number{'s' if H > 1 else ''}." + typing_note(TOLERANCE))
    sol = "\n".join(lines) + f"\nAnswer: {vec(answer[0])}"
    return make_draft(p, stem, answer, sol, "matrix", matrices={"w_ih (r; z; n)": p["w_ih"],
                                                               "w_hh (r; z; n)": p["w_hh"]}, tolerance=TOLERANCE)


#: each mistake's flags for :func:`step`
_FLAGS: dict[str, dict[str, Any]] = {
    "gru-z-swapped": {"z_swapped": True}, "gru-reset-before-matmul": {"reset_before": True},
    "gru-gate-order": {"order_zr": True}, "reset-gate-ignored": {"no_reset": True},
    "candidate-tanh-forgotten": {"no_tanh": True},
}


def _m(mid: str) -> Any:
    return lambda p: row(step(p, **_FLAGS[mid]))


MISTAKES: tuple[Mistake, ...] = (
    Mistake("gru-z-swapped", "z and 1 − z swapped in h′",
            "PyTorch keeps the old state with weight z: h′ = (1 − z) ⊙ n + z ⊙ h; your answer is z ⊙ n + (1 − z) ⊙ h",
            _m("gru-z-swapped")),
    Mistake("gru-reset-before-matmul", "reset gate applied to h before W_hn (the reset_after=False form)",
            "PyTorch's GRUCell multiplies r into (W_hn·h + b_hn), after the product and with its bias; your answer "
            "uses W_hn·(r ⊙ h) + b_hn", _m("gru-reset-before-matmul")),
    Mistake("gru-gate-order", "gate order mixed up (PyTorch stacks r, z, n)",
            "the first block of rows of w_ih/w_hh is the reset gate r, the second the update gate z; your answer "
            "reads them the other way round", _m("gru-gate-order")),
    Mistake("reset-gate-ignored", "reset gate left out of the candidate",
            "n = tanh(W_in·x + b_in + r ⊙ (W_hn·h + b_hn)): the hidden part is scaled by r", _m("reset-gate-ignored")),
    Mistake("candidate-tanh-forgotten", "tanh left out of the candidate n",
            "the candidate state is n = tanh(…), squashed into (−1, 1) before it is mixed with h",
            _m("candidate-tanh-forgotten")),
)

#: every mistake's flags in the order draws are screened (the most often too close to the answer first)
_SCREEN = [_FLAGS[m] for m in ("reset-gate-ignored", "candidate-tanh-forgotten", "gru-reset-before-matmul",
                               "gru-gate-order", "gru-z-swapped")]

SPECS = {"gru-step": FamilySpec(make, MISTAKES)}
