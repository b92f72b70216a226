"""lstm-step: one step of PyTorch's ``nn.LSTMCell`` (gate order i, f, g, o in ``w_ih``/``w_hh``):

    [i; f; g; o] = w_ih·x + b_ih + w_hh·h + b_hh
    c′ = σ(f) ⊙ c + σ(i) ⊙ tanh(g)        h′ = σ(o) ⊙ tanh(c′)

A two-part answer ``{"c": c′, "h": h′}`` (the keys ``h`` and ``c`` are the interface) marked with
follow-through: c′ first, then h′, which earns its point when it is right given the student's own c′
(``Part.follow``).
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
from generators.parts import Part
from generators.problem import Draft, Mistake

__all__ = ["SPECS", "MISTAKES", "PARTS", "make", "step", "h_given_c"]

TOLERANCE = 5e-3


def _gates(p: dict, *, one_bias: bool = False) -> np.ndarray:
    x, h = np.asarray(p["x"], dtype=float), np.asarray(p["h"], dtype=float)
    w_ih, w_hh = np.asarray(p["w_ih"], dtype=float), np.asarray(p["w_hh"], dtype=float)
    b_ih, b_hh = np.asarray(p["b_ih"], dtype=float), np.asarray(p["b_hh"], dtype=float)
    return w_ih @ x + b_ih + w_hh @ h + (0.0 if one_bias else b_hh)


def step(p: dict, *, cs231n_order: bool = False, forget_on_h: bool = False, no_cell_tanh: bool = False,
         g_sigmoid: bool = False, one_bias: bool = False, no_output_gate: bool = False,
         lines: list[str] | None = None) -> dict[str, np.ndarray]:
    """``{"h": h′, "c": c′}`` after one step; the flags are the catalog's wrong procedures."""
    a = _gates(p, one_bias=one_bias)
    H = len(p["h"])
    blocks = [a[k * H:(k + 1) * H] for k in range(4)]
    ai, af, ag, ao = (blocks[0], blocks[1], blocks[3], blocks[2]) if cs231n_order else blocks
    sg = sigmoid(a)  # every block through σ at once; g's block is replaced by tanh below
    sb = [sg[k * H:(k + 1) * H] for k in range(4)]
    i, f, o = (sb[0], sb[1], sb[2]) if cs231n_order else (sb[0], sb[1], sb[3])
    g = (sb[3] if cs231n_order else sb[2]) if g_sigmoid else np.tanh(ag)
    c, h = np.asarray(p["c"], dtype=float), np.asarray(p["h"], dtype=float)
    c_new = f * (h if forget_on_h else c) + i * g
    tc = c_new if no_cell_tanh else np.tanh(c_new)
    h_new = tc if no_output_gate else o * tc
    if lines is not None:
        x = np.asarray(p["x"], dtype=float)
        lines.append(f"a = w_ih·x + b_ih + w_hh·h + b_hh = {vec(np.asarray(p['w_ih'], dtype=float) @ x)} + "
                     f"{vec(p['b_ih'])} + {vec(np.asarray(p['w_hh'], dtype=float) @ h)} + {vec(p['b_hh'])} = {vec(a)}")
        lines.append(f"({block_rows(0, H)}: i, {block_rows(1, H)}: f, {block_rows(2, H)}: g, {block_rows(3, H)}: o)")
        lines.append(f"i = σ({vec(ai)}) = {vec(i)}; f = σ({vec(af)}) = {vec(f)}")
        lines.append(f"g = tanh({vec(ag)}) = {vec(g)}; o = σ({vec(ao)}) = {vec(o)}")
        lines.append(f"c′ = f ⊙ c + i ⊙ g = {vec(f)} ⊙ {vec(c)} + {vec(i)} ⊙ {vec(g)} = {vec(c_new)}")
        lines.append(f"h′ = o ⊙ tanh(c′) = {vec(o)} ⊙ {vec(tc)} = {vec(h_new)}")
    return {"h": h_new, "c": c_new}


def _output_gate(p: dict) -> np.ndarray:
    H = len(p["h"])
    return sigmoid(_gates(p)[3 * H:4 * H])


def h_given_c(p: dict, given: dict[str, Any]) -> Any:
    """Follow-through for h′: o ⊙ tanh(c′) with the student's own c′ (None when it is not a row)."""
    try:
        c = np.asarray(given["c"], dtype=float).ravel()
    except (KeyError, TypeError, ValueError):
        return None
    if c.shape != (len(p["h"]),):
        return None
    return row(_output_gate(p) * np.tanh(c))


def _answer(out: dict[str, np.ndarray]) -> dict[str, list]:
    return {"c": row(out["c"]), "h": row(out["h"])}  # the order the parts are asked in


def _parts(H: int) -> tuple[Part, ...]:
    return (
        Part("c", f"c′, the new cell state (a row of {H})", "matrix", 1.0, TOLERANCE),
        Part("h", f"h′ = o ⊙ tanh(c′), the new hidden state (a row of {H})", "matrix", 1.0, TOLERANCE, h_given_c),
    )


PARTS = _parts  # the parts of a problem with hidden size H


def _draw(rng: np.random.Generator, d: int) -> dict:
    if d == 1:
        H, D, step_, top = 1, rand_int(rng, 1, 2), 0.5, 2
    elif d == 2:
        H, D, step_, top = 2, 2, 0.5, 2
    else:
        H, D, step_, top = rand_int(rng, 2, 3), rand_int(rng, 2, 3), 0.1, 9
    sizes = (D, H, H, 4 * H * D, 4 * H * H, 4 * H, 4 * H)
    flat = nonzero(rng, sum(sizes), step_, top)
    x, h, c, w_ih, w_hh, b_ih, b_hh = split(flat, sizes)
    if d == 1:  # c in ±1.5, ±2, h in ±0.5, ±1: "forget gate on h" always differs
        c = np.sign(c) * (1.0 + np.abs(c))
    return {"x": x, "h": h, "c": c, "w_ih": w_ih.reshape(4 * H, D), "w_hh": w_hh.reshape(4 * H, H), "b_ih": b_ih,
            "b_hh": b_hh}


def make(rng: np.random.Generator, d: int) -> Draft:
    for _ in range(1000):
        p = _draw(rng, d)
        out = step(p)
        if well_scaled(out["h"], 0.05) and well_scaled(out["c"], 0.05) and \
                screen([lambda f=f, p=p: step(p, **f) for f in _SCREEN], out, TOLERANCE):
            break
    p = listed(p)
    H, D = len(p["h"]), len(p["x"])
    lines: list[str] = []
    step(p, lines=lines)
    stem = (f"One step of PyTorch's nn.LSTMCell, input size {D}, hidden size {H}: x = {vec(p['x'])}, "
            f"h = {vec(p['h'])}, c = {vec(p['c'])}. The weights stack the gates in PyTorch's order i, f, g, o "
            f"({block_rows(0, H)}: input gate i, {block_rows(1, H)}: forget gate f, {block_rows(2, H)}: cell "
            f"candidate g, {block_rows(3, H)}: output gate o): b_ih = {vec(p['b_ih'])}, b_hh = {vec(p['b_hh'])}. "
            f"i, f, o = σ(…), g = tanh(…), c′ = f ⊙ c + i ⊙ g, h′ = o ⊙ tanh(c′). Give two parts: c′ then h′, each "
            f"a row of {H} number{'s' if H > 1 else ''}; h′ is marked against your own c′ as well."
            + typing_note(TOLERANCE, "type c′ | h′"))
    answer = _answer(step(p))
    sol = "\n".join(lines) + f"\nAnswer: c′ = {vec(answer['c'][0])}, h′ = {vec(answer['h'][0])}"
    draft = make_draft(p, stem, answer, sol, "parts", tolerance=TOLERANCE,
                       matrices={"w_ih (i; f; g; o)": p["w_ih"], "w_hh (i; f; g; o)": p["w_hh"]})
    return Draft(**{**draft.__dict__, "parts": _parts(H)})


#: each mistake's flags for :func:`step`
_FLAGS: dict[str, dict[str, Any]] = {
    "lstm-gate-order": {"cs231n_order": True}, "forget-gate-on-h": {"forget_on_h": True},
    "cell-tanh-forgotten": {"no_cell_tanh": True}, "candidate-sigmoid": {"g_sigmoid": True},
    "one-bias-only": {"one_bias": True}, "output-gate-forgotten": {"no_output_gate": True},
}


def _m(mid: str) -> Any:
    return lambda p: _answer(step(p, **_FLAGS[mid]))


MISTAKES: tuple[Mistake, ...] = (
    Mistake("lstm-gate-order", "gate order mixed up (PyTorch stacks i, f, g, o)",
            "nn.LSTMCell's rows are i, f, g, o; your answer reads them as CS231n's assignment does, i, f, o, g",
            _m("lstm-gate-order")),
    Mistake("forget-gate-on-h", "forget gate applied to h instead of c",
            "the forget gate scales the old cell state: c′ = f ⊙ c + i ⊙ g, with c = {c}", _m("forget-gate-on-h")),
    Mistake("cell-tanh-forgotten", "tanh missing on c′ in h′",
            "h′ = o ⊙ tanh(c′): the new cell state is squashed before the output gate", _m("cell-tanh-forgotten")),
    Mistake("candidate-sigmoid", "sigmoid used for the cell candidate g",
            "i, f and o are sigmoids, but the candidate g is tanh (values in (−1, 1))", _m("candidate-sigmoid")),
    Mistake("one-bias-only", "one of the two biases left out",
            "nn.LSTMCell adds both b_ih and b_hh = {b_hh} to the gate pre-activations", _m("one-bias-only")),
    Mistake("output-gate-forgotten", "output gate left out of h′",
            "h′ = o ⊙ tanh(c′): the output gate o scales the squashed cell state", _m("output-gate-forgotten")),
)

#: every mistake's flags in the order draws are screened (the most often too close to the answer first)
_SCREEN = [_FLAGS[m] for m in ("candidate-sigmoid", "cell-tanh-forgotten", "lstm-gate-order", "forget-gate-on-h",
                               "one-bias-only", "output-gate-forgotten")]

SPECS = {"lstm-step": FamilySpec(make, MISTAKES)}
