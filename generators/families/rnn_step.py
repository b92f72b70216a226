"""rnn-step: a vanilla tanh RNN run over T steps, h_t = tanh(w_xh·x_t + w_hh·h_(t−1) + b): the
last state h_T, or the backprop-through-time gradient of L = grad_output·h_T with respect to h0,
w_hh, w_xh or b (``torch.autograd`` on the same loop gives the same numbers).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from generators.families._common import FamilySpec, make_draft, pick, plain, rand_int
from generators.families._seq import distinct, listed, mat_text, nonzero, row, typing_note, vec, well_scaled
from generators.problem import Draft, Mistake

__all__ = ["SPECS", "MISTAKES", "make", "forward", "backward"]

TOLERANCE = 5e-3
WRT = ("forward", "h0", "w_hh", "w_xh", "b")


def _arrays(p: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    return (np.asarray(p["x"], dtype=float), np.asarray(p["h0"], dtype=float), np.asarray(p["w_xh"], dtype=float),
            np.asarray(p["w_hh"], dtype=float), np.asarray(p["b"], dtype=float))


def forward(p: dict, *, no_tanh: bool = False, whh_transposed: bool = False, no_bias: bool = False,
            zero_h0: bool = False, lines: list[str] | None = None) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """``(pre-activations a_1..a_T, states h_0..h_T)``; the flags are the catalog's wrong procedures."""
    x, h, wxh, whh, b = _arrays(p)
    if zero_h0:
        h = np.zeros_like(h)
    if whh_transposed:
        whh = whh.T
    if no_bias:
        b = np.zeros_like(b)
    pre, states = [], [h]
    for t in range(x.shape[0]):
        ux, wh = wxh @ x[t], whh @ h
        a = ux + wh + b
        h = a if no_tanh else np.tanh(a)
        pre.append(a)
        states.append(h)
        if lines is not None:
            lines.append(f"t = {t + 1}: a = w_xh·x_{t + 1} + w_hh·h_{t} + b = {vec(ux)} + {vec(wh)} + {vec(b)} "
                         f"= {vec(a)}")
            lines.append(f"       h_{t + 1} = tanh(a) = {vec(h)}")
    return pre, states


def backward(p: dict, *, no_derivative: bool = False, derivative_at_input: bool = False, truncated: bool = False,
             not_transposed: bool = False, lines: list[str] | None = None) -> np.ndarray:
    """The gradient asked by ``p["wrt"]`` of L = grad_output·h_T (backprop through time)."""
    x, _, wxh, whh, _ = _arrays(p)
    pre, states = forward(p)
    T = x.shape[0]
    dh = np.asarray(p["grad_output"], dtype=float)
    grads = {"w_hh": np.zeros_like(whh), "w_xh": np.zeros_like(wxh), "b": np.zeros(whh.shape[0])}
    back = whh if not_transposed else whh.T
    for t in range(T, 0, -1):
        h_t, h_prev = states[t], states[t - 1]
        if no_derivative:
            local = np.ones_like(h_t)
        elif derivative_at_input:
            local = 1 - pre[t - 1] ** 2
        else:
            local = 1 - h_t ** 2
        da = dh * local
        if p["wrt"] == "b":
            grads["b"] = grads["b"] + da
        elif p["wrt"] == "w_xh":
            grads["w_xh"] = grads["w_xh"] + np.outer(da, x[t - 1])
        elif p["wrt"] == "w_hh":
            grads["w_hh"] = grads["w_hh"] + np.outer(da, h_prev)
        new_dh = back @ da
        if lines is not None:
            lines.append(f"t = {t}: dL/dh_{t} = {vec(dh)}; da_{t} = dL/dh_{t} ⊙ (1 − h_{t}²) = {vec(dh)} ⊙ "
                         f"{vec(1 - h_t ** 2)} = {vec(da)}")
            parts = []
            if p["wrt"] == "w_hh":
                parts.append(f"dL/dw_hh += da_{t}·h_{t - 1}ᵀ = {mat_text(np.outer(da, h_prev))}")
            elif p["wrt"] == "w_xh":
                parts.append(f"dL/dw_xh += da_{t}·x_{t}ᵀ = {mat_text(np.outer(da, x[t - 1]))}")
            elif p["wrt"] == "b":
                parts.append(f"dL/db += da_{t} = {vec(da)}")
            if t > 1 or p["wrt"] == "h0":
                parts.append(f"dL/dh_{t - 1} = w_hhᵀ·da_{t} = {vec(new_dh)}")
            lines.append("       " + "; ".join(parts))
        dh = new_dh
        if truncated:
            break
    return dh if p["wrt"] == "h0" else grads[p["wrt"]]


def _answer(p: dict, value: np.ndarray) -> list:
    return row(value) if value.ndim == 1 else plain(value)


def solve(p: dict) -> list:
    if p["wrt"] == "forward":
        return row(forward(p)[1][-1])
    return _answer(p, backward(p))


# -- drawing ------------------------------------------------------------------------------------
def _draw(rng: np.random.Generator, d: int) -> dict:
    wrt = pick(rng, WRT) if d > 1 else pick(rng, ("forward", "forward", "h0", "w_hh", "w_xh", "b"))
    if d == 1:
        T, H, D, step, top = 2, (rand_int(rng, 1, 2) if wrt == "forward" else 1), rand_int(rng, 1, 2), 0.5, 2
    elif d == 2:
        T, H, D, step, top = rand_int(rng, 2, 3), 2, 2, 0.5, 2
    else:
        T, H, D, step, top = rand_int(rng, 3, 4), rand_int(rng, 2, 3), rand_int(rng, 2, 3), 0.1, 9
    sizes = (T * D, H, H * D, H * H, H)
    flat = nonzero(rng, sum(sizes), step, top)
    cut = np.cumsum(sizes)
    x, h0, wxh, whh, b = np.split(flat, cut[:-1])
    if d == 1:  # weights ±0.5: |a| stays small, the products are easy by hand
        wxh, whh, b = (np.sign(a) * 0.5 for a in (wxh, whh, b))
    p: dict[str, Any] = {"x": x.reshape(T, D), "h0": h0, "w_xh": wxh.reshape(H, D), "w_hh": whh.reshape(H, H),
                         "b": b, "wrt": wrt}
    if wrt != "forward":
        p["grad_output"] = [float(pick(rng, (-2, -1, 1, 2))) for _ in range(H)]
    return p


def make(rng: np.random.Generator, d: int) -> Draft:
    for _ in range(1000):
        p = _draw(rng, d)
        pre, states = forward(p)
        if max(float(np.abs(a).max()) for a in pre) > 2.0 or min(float(np.abs(a).min()) for a in pre) < 0.05:
            continue  # no saturated tanh, no state that is 0 by accident
        right = states[-1] if p["wrt"] == "forward" else backward(p)
        if well_scaled(right, 0.05 if p["wrt"] == "forward" else 0.02) and \
                all(distinct(raw(p), right, TOLERANCE) for raw in _RAW):
            break
    p = listed(p)
    x = np.asarray(p["x"])
    T, D = x.shape
    H = len(p["h0"])
    lines: list[str] = []
    forward(p, lines=lines)
    matrices = {"x (T×D, row t = x_t)": p["x"], "w_xh": p["w_xh"], "w_hh": p["w_hh"]}
    stem = (f"A vanilla RNN with hidden size {H} runs over T = {T} inputs of size {D}: "
            f"h_t = tanh(w_xh·x_t + w_hh·h_(t−1) + b), h0 = {vec(p['h0'])}, b = {vec(p['b'])}; "
            f"x_1..x_{T} are the rows of x. ")
    if p["wrt"] == "forward":
        stem += f"Give h_{T} as a row of {H} number{'s' if H > 1 else ''}"
        head = "Forward, one step at a time:"
    else:
        what = {"h0": f"dL/dh0 (a row of {H})", "w_hh": f"dL/dw_hh ({H}×{H})", "w_xh": f"dL/dw_xh ({H}×{D})",
                "b": f"dL/db (a row of {H})"}[p["wrt"]]
        stem += (f"The loss is L = g·h_{T} with g = dL/dh_{T} = {vec(p['grad_output'])}. Backpropagate through "
                 f"time and give {what}")
        back: list[str] = []
        backward(p, lines=back)
        what_sum = "" if p["wrt"] == "h0" else "; the weights are shared, so each step's contribution is added"
        lines = ["Forward (keep every h_t):", *lines,
                 f"Backward: da_t = dL/dh_t ⊙ tanh'(a_t) with tanh'(a_t) = 1 − h_t²; "
                 f"dL/dh_(t−1) = w_hhᵀ·da_t{what_sum}:", *back]
        head = ""
    stem += "." + typing_note(TOLERANCE, "keep 5 digits on the way")
    answer = solve(p)
    shown = mat_text(answer) if len(answer) > 1 else vec(answer[0])
    sol = (head + "\n" if head else "") + "\n".join(lines) + f"\nAnswer: {shown}"
    return make_draft(p, stem, answer, sol, "matrix", matrices=matrices, tolerance=TOLERANCE)


# -- mistakes -----------------------------------------------------------------------------------
def _fwd(ok: Any, **flags: Any) -> Any:
    """A forward mistake's h_T as an array (None when it cannot happen in ``p``)."""
    return lambda p: forward(p, **flags)[1][-1] if p["wrt"] == "forward" and ok(p) else None


def _bwd(ok: Any, **flags: Any) -> Any:
    """A backward mistake's gradient as an array (None when it cannot happen in ``p``)."""
    return lambda p: backward(p, **flags) if p["wrt"] != "forward" and ok(p) else None


def _as_answer(raw: Any) -> Any:
    def answer(p: dict) -> Any:
        value = raw(p)
        return None if value is None else _answer(p, value)

    return answer


def _asym(p: dict) -> bool:
    w = np.asarray(p["w_hh"], dtype=float)
    return w.shape[0] > 1 and not np.allclose(w, w.T)


def _any(key: str) -> Any:
    return lambda p: bool(np.any(np.asarray(p[key], dtype=float)))


_TABLE: tuple[tuple[str, str, str, Any], ...] = (
    ("tanh-forgotten", "tanh left out (a linear recurrence)",
            "every step applies tanh: h_t = tanh(a_t), and the next step uses that h_t", _fwd(lambda p: True,
                                                                                               no_tanh=True)),
    ("w-hh-transposed", "w_hh transposed in the forward pass",
            "the recurrent term is w_hh·h_(t−1) (row i of w_hh feeds unit i); your answer uses w_hhᵀ·h_(t−1)",
            _fwd(_asym, whh_transposed=True)),
    ("bias-forgotten", "bias forgotten", "the bias {b} is added at every step before tanh",
            _fwd(_any("b"), no_bias=True)),
    ("h0-ignored", "initial state h0 taken as zeros",
            "the first step uses h0 = {h0} in w_hh·h0; your answer starts from zeros", _fwd(_any("h0"), zero_h0=True)),
    ("tanh-derivative-forgotten", "tanh's derivative left out of the backward pass",
            "each step multiplies the gradient by tanh'(a_t) = 1 − h_t² before it reaches the weights and h_(t−1)",
            _bwd(lambda p: True, no_derivative=True)),
    ("tanh-derivative-at-input", "tanh's derivative taken as 1 − a² (at the input) instead of 1 − h²",
            "tanh'(a) = 1 − tanh(a)² = 1 − h_t²: square the output h_t, not the pre-activation a_t",
            _bwd(lambda p: True, derivative_at_input=True)),
    ("bptt-truncated", "backpropagation stopped after the last step (not through time)",
            "the weights are shared by all T steps: the gradient flows back through every step and the "
            "per-step contributions add up", _bwd(lambda p: len(p["x"]) > 1, truncated=True)),
    ("w-hh-not-transposed", "w_hh not transposed in the backward pass",
            "dL/dh_(t−1) = w_hhᵀ·da_t (the transpose sends each unit's gradient back along its weights); your "
            "answer uses w_hh·da_t", _bwd(lambda p: _asym(p) and (len(p["x"]) > 1 or p["wrt"] == "h0"),
                                          not_transposed=True)),
)

#: each mistake's wrong procedure as arrays (the fast path of a draw's screening)
_RAW = tuple(raw for *_, raw in _TABLE)
MISTAKES: tuple[Mistake, ...] = tuple(Mistake(mid, name, step, _as_answer(raw)) for mid, name, step, raw in _TABLE)


SPECS = {"rnn-step": FamilySpec(make, MISTAKES)}
