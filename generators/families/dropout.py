"""dropout: inverted dropout with a given mask (1 = kept) and drop probability p_drop, as
``nn.Dropout`` scales: training out = x·mask/(1 − p_drop), gradient G·mask/(1 − p_drop); eval mode
is the identity (out = x, gradient G).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from generators.families._common import FamilySpec, make_draft, pick
from generators.families._grad import TOL, TOL_TEXT, answer_of, redraw
from generators.problem import Draft, Mistake
from generators.render import fmt, grid

__all__ = ["SPECS", "MISTAKES", "make"]


def _arrays(params: dict) -> tuple[np.ndarray, np.ndarray, float]:
    v = params["grad_output"] if params["wrt"] == "x" else params["x"]
    return np.asarray(v, dtype=float), np.asarray(params["mask"], dtype=float), float(params["p_drop"])


def solve(params: dict) -> Any:
    v, mask, p = _arrays(params)
    return answer_of(v * mask / (1 - p) if params["mode"] == "train" else v)


def _draw(rng: np.random.Generator, d: int) -> tuple[dict, Any]:
    shape = {1: pick(rng, ((1, 4), (2, 2), (2, 3))), 2: pick(rng, ((2, 3), (3, 3))), 3: pick(rng, ((3, 4), (4, 3)))}[d]
    p = float(pick(rng, (0.2, 0.25, 0.75, 0.8) if d == 1 else (0.2, 0.25, 0.3, 0.4, 0.6, 0.75, 0.8)))
    x = rng.choice([v for v in range(-4, 7) if v != 0], size=shape)
    mask = (rng.random(shape) >= p).astype(int)
    mode = "train" if d == 1 or rng.random() < 0.7 else "eval"
    wrt = pick(rng, ("forward", "x"))
    params: dict[str, Any] = {"x": answer_of(x), "mask": answer_of(mask), "p_drop": p, "mode": mode, "wrt": wrt}
    if wrt == "x":
        params["grad_output"] = answer_of(rng.choice([v for v in range(-3, 4) if v != 0], size=shape))
    return params, solve(params)


def make(rng: np.random.Generator, d: int) -> Draft:
    params, answer = redraw(lambda: _draw(rng, d), MISTAKES)
    v, mask, p = _arrays(params)
    r, c = v.shape
    train = params["mode"] == "train"
    what = (f"out ({r}×{c})" if params["wrt"] == "forward"
            else f"∂L/∂x ({r}×{c}) given the upstream gradient G = ∂L/∂out")
    stem = (f"Inverted dropout (PyTorch nn.Dropout) with p_drop = {fmt(p)} in {params['mode']} mode, on x ({r}×{c}). "
            + ("The sampled mask (1 = kept, 0 = dropped) is given. " if train else
               "(The mask drawn in training is shown but in eval mode no unit is dropped.) ")
            + f"Compute {what} ({TOL_TEXT}).")
    src = "x" if params["wrt"] == "forward" else "G"
    if train:
        solution = (f"Training: kept units are scaled by 1/(1 − p_drop) = 1/{fmt(1 - p)} = {fmt(1 / (1 - p))} so the "
                    f"expected output equals x; dropped units give 0. The gradient follows the same mask and scale.\n"
                    f"{'out' if src == 'x' else '∂L/∂x'} = {src}·mask·{fmt(1 / (1 - p))}:\n{grid(answer)}")
    else:
        solution = (f"Eval mode: inverted dropout already scaled in training, so at eval time it is the identity: "
                    f"{'out = x' if src == 'x' else '∂L/∂x = G'} (no mask, no scaling).\n{grid(answer)}")
    matrices = {"x": params["x"], "mask": params["mask"]}
    if params["wrt"] == "x":
        matrices["G = ∂L/∂out"] = params["grad_output"]
    return make_draft(params, stem, answer, solution, "matrix", matrices=matrices, tolerance=TOL)


# -- mistakes -----------------------------------------------------------------------------------
def _train_variant(fn: Any) -> Any:
    def answer(params: dict) -> Any:
        if params["mode"] != "train":
            return None
        v, mask, p = _arrays(params)
        return answer_of(fn(v, mask, p))
    return answer


def _eval_variant(fn: Any) -> Any:
    def answer(params: dict) -> Any:
        if params["mode"] != "eval":
            return None
        v, mask, p = _arrays(params)
        return answer_of(fn(v, mask, p))
    return answer


def _backward_variant(fn: Any) -> Any:
    def answer(params: dict) -> Any:
        if params["mode"] != "train" or params["wrt"] != "x":
            return None
        v, mask, p = _arrays(params)
        return answer_of(fn(v, mask, p))
    return answer


MISTAKES: tuple[Mistake, ...] = (
    Mistake("dropout-scaled-by-p", "scaled by p_drop instead of 1/(1 − p_drop)",
            "inverted dropout divides the kept units by the keep probability 1 − {p_drop}; your answer "
            "multiplies them by p_drop", _train_variant(lambda v, m, p: v * m * p)),
    Mistake("dropout-divided-by-p", "divided by p_drop instead of 1 − p_drop",
            "the scale is 1/(1 − p_drop) (the keep probability), not 1/p_drop",
            _train_variant(lambda v, m, p: v * m / p)),
    Mistake("dropout-not-scaled", "kept units not scaled (plain dropout)",
            "inverted dropout scales the kept units by 1/(1 − {p_drop}) in training",
            _train_variant(lambda v, m, p: v * m)),
    Mistake("dropout-mask-inverted", "mask read the wrong way (1 = dropped)",
            "mask 1 means kept; your answer keeps the units whose mask is 0",
            _train_variant(lambda v, m, p: v * (1 - m) / (1 - p))),
    Mistake("dropout-scaled-at-eval", "scaled at eval time",
            "inverted dropout scaled in training, so eval mode is the identity; your answer multiplies by the keep "
            "probability 1 − {p_drop}", _eval_variant(lambda v, m, p: v * (1 - p))),
    Mistake("dropout-at-eval", "units dropped at eval time",
            "at eval no unit is dropped and nothing is scaled; your answer applies the mask and scale as in training",
            _eval_variant(lambda v, m, p: v * m / (1 - p))),
    Mistake("dropout-grad-unmasked", "gradient not masked",
            "dropped units had no effect on the output, so their gradient is 0; your answer scales G everywhere",
            _backward_variant(lambda v, m, p: v / (1 - p))),
)

SPECS = {"dropout": FamilySpec(make, MISTAKES)}
