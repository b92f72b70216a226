"""conv-backward: the gradient of a conv layer with respect to its input (dL/dx) or its weights (dL/dW).

Drawing, worked solution (which upstream gradients meet which weights or inputs) and the common
mistakes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from generators.families._common import (
    FamilySpec,
    at_cell,
    cell_ask,
    make_draft,
    num,
    out_len,
    pad_note,
    pick,
    plain,
    rand_int,
    rand_ints,
    solve,
    sum_text,
)
from generators.families.conv_forward import geometry_text
from generators.problem import Draft, Mistake
from generators.render import fmt, grid, product

__all__ = ["SPECS", "MISTAKES", "make"]


def make(rng: np.random.Generator, d: int) -> Draft:
    for _ in range(1000):
        if d == 1:
            h = w = rand_int(rng, 3, 4)
            k, s, p, dil = 2, 1, 0, 1
        elif d == 2:
            h = w = rand_int(rng, 4, 5)
            k, s, p, dil = pick(rng, (2, 3)), pick(rng, (1, 2)), pick(rng, (0, 1, 1)), 1
        else:
            h, w = rand_int(rng, 4, 6), rand_int(rng, 4, 6)
            k, s, p, dil = pick(rng, (2, 3)), pick(rng, (1, 2)), pick(rng, (0, 1, 1)), pick(rng, (1, 2))
        (sh, oh), (sw, ow) = out_len(h, k, s, p, dil), out_len(w, k, s, p, dil)
        if sh >= 0 and sw >= 0 and sh % s == 0 and sw % s == 0 and oh >= 2 and ow >= 2:
            break
    x = rand_ints(rng, (h, w), -3, 5)
    kern = rand_ints(rng, (k, k), -2, 2)
    gout = rand_ints(rng, (oh, ow), -2, 2)
    while not kern.any():
        kern = rand_ints(rng, (k, k), -2, 2)
    while not gout.any():
        gout = rand_ints(rng, (oh, ow), -2, 2)
    wrt = pick(rng, ("input", "weight"))
    gi, gw, _gb = solve("conv2d_backward", x.tolist(), kern.tolist(), gout.tolist(), s, p, dil)
    # annotated: under mypy numpy's stubs type reshape((h, w)) as a 0-d array
    full: np.ndarray = np.asarray(gi if wrt == "input" else gw, dtype=float).reshape(
        (h, w) if wrt == "input" else (k, k))
    ask_cell = d == 3 or rng.random() < 0.4
    cell = (rand_int(rng, 0, full.shape[0] - 1), rand_int(rng, 0, full.shape[1] - 1)) if ask_cell else None
    answer = num(full[cell]) if cell else plain(full)
    params: dict[str, Any] = {"input": x.tolist(), "weight": kern.tolist(), "grad_output": gout.tolist(),
                              "stride": s, "padding": p, "dilation": dil, "kernel_size": k, "wrt": wrt}
    if cell:
        params["cell"] = list(cell)
    geo = {"s": s, "p": p, "dil": dil}
    name = "dL/dx" if wrt == "input" else "dL/dW"
    stem = (f"The forward pass was out = conv2d(x, W) in PyTorch's sense (cross-correlation, no flip), "
            f"x {h}×{w}, W {k}×{k}, {geometry_text(geo)}, output {oh}×{ow}. The upstream gradient "
            f"G = dL/dout is given. Compute {name}, the gradient with respect to the "
            f"{'input' if wrt == 'input' else 'weights'}.\n" + cell_ask(full.shape, cell, name))
    matrices = {"Input x": x.tolist(), "Kernel W": kern.tolist(), "Upstream gradient G": gout.tolist()}

    def paired(label: str, pairs: list[str], terms: list[str], tot: int, skipped: int) -> str:
        """Two lines: which cells each product pairs, then their numbers and the sum."""
        note = f" (the {skipped} padding cell{'s' if skipped != 1 else ''}: 0)" if skipped else ""
        if not pairs:
            return f"{label} = 0{note}"
        return f"{label} = {' + '.join(pairs)}{note}\n    = " + sum_text(terms, tot)

    def weight_cell(u: int, v: int) -> str:
        pairs, terms, tot, skipped = [], [], 0, 0
        for i in range(oh):
            for j in range(ow):
                r, c = s * i + dil * u - p, s * j + dil * v - p  # the cell of x (unpadded)
                if not (0 <= r < h and 0 <= c < w):
                    skipped += 1
                    continue
                a, b = int(gout[i, j]), int(x[r, c])
                pairs.append(f"G[{i},{j}]·x[{r},{c}]")
                terms.append(product(a, b))
                tot += a * b
        return paired(f"dL/dW[{u}, {v}]", pairs, terms, tot, skipped)

    def input_cell(a: int, b: int) -> str:
        pairs, terms, tot = [], [], 0
        for i in range(oh):
            for j in range(ow):
                for u in range(k):
                    for v in range(k):
                        if s * i + dil * u - p == a and s * j + dil * v - p == b:
                            pairs.append(f"G[{i},{j}]·W[{u},{v}]")
                            terms.append(product(int(gout[i, j]), int(kern[u, v])))
                            tot += int(gout[i, j]) * int(kern[u, v])
        if not terms:
            return f"dL/dx[{a}, {b}] = 0 (no window covers this cell)"
        return paired(f"dL/dx[{a}, {b}]", pairs, terms, tot, 0)

    if wrt == "weight":
        head = (f"dL/dW[u, v] = Σ_i,j G[i, j] · x[{s}·i + {dil}·u − {p}, {s}·j + {dil}·v − {p}]: each weight "
                f"touched every input cell its output windows used{pad_note(p, 'x')}; a cell outside x is "
                f"padding (0).")
        fn: Callable[[int, int], str] = weight_cell
    else:
        head = (f"dL/dx[a, b] = Σ G[i, j] · W[u, v] over every (i, j, u, v) with {s}·i + {dil}·u − {p} = a "
                f"and {s}·j + {dil}·v − {p} = b: each input cell collects the gradient of every window "
                f"that used it, times the weight it met there.")
        fn = input_cell
    highlight = None
    if cell:
        body = fn(*cell)
        if wrt == "weight":
            u, v = cell
            highlight = {"matrices": ["Input x"], "rows": (dil * u, dil * u + s * (oh - 1)),
                         "cols": (dil * v, dil * v + s * (ow - 1)), "step": (s, s), "pad": (p, p)}
        solution = f"{head}\n{body}\nAnswer: {fmt(answer)}"
    else:
        body = "\n".join(fn(a, b) for a in range(full.shape[0]) for b in range(full.shape[1]))
        solution = f"{head}\n{body}\n{name}:\n{grid(plain(full))}"
    return make_draft(params, stem, answer, solution, "int" if cell else "matrix",
                  matrices=matrices, highlight=highlight)


# -- mistakes -----------------------------------------------------------------------------------
def _dx_loops(params: dict, s: int, p: int, d: int) -> list[list[int]]:
    """dL/dx by scattering G[i, j]·W[u, v] onto x[s·i + d·u − p, s·j + d·v − p] (cells off x dropped)."""
    g, w, x = params["grad_output"], params["weight"], params["input"]
    h, wd, k = len(x), len(x[0]), len(w)
    out = [[0] * wd for _ in range(h)]
    for i, grow in enumerate(g):
        for j, gv in enumerate(grow):
            for u in range(k):
                for v in range(k):
                    a, b = s * i + d * u - p, s * j + d * v - p
                    if 0 <= a < h and 0 <= b < wd:
                        out[a][b] += gv * w[u][v]
    return out


def _dw_loops(params: dict, s: int, p: int, d: int) -> list[list[int]]:
    """dL/dW[u, v] = Σ G[i, j]·x_pad[s·i + d·u, s·j + d·v] (cells off the padded input count 0)."""
    g, w, x = params["grad_output"], params["weight"], params["input"]
    xp = np.pad(np.asarray(x), p).tolist()
    k = len(w)
    out = [[0] * k for _ in range(k)]
    for u in range(k):
        for v in range(k):
            for i, grow in enumerate(g):
                for j, gv in enumerate(grow):
                    a, b = s * i + d * u, s * j + d * v
                    if a < len(xp) and b < len(xp[0]):
                        out[u][v] += gv * xp[a][b]
    return out


def _ignoring(key: str, neutral: int) -> Any:
    def answer(params: dict) -> Any:
        if params.get(key, neutral) == neutral:
            return None
        geo = {"s": params.get("stride", 1), "p": params.get("padding", 0), "d": params.get("dilation", 1)}
        geo[{"stride": "s", "padding": "p", "dilation": "d"}[key]] = neutral
        loops = _dx_loops if params["wrt"] == "input" else _dw_loops
        return at_cell(loops(params, geo["s"], geo["p"], geo["d"]), params)

    return answer


def _dx_not_flipped(params: dict) -> Any:
    if params["wrt"] != "input":
        return None
    w = np.asarray(params["weight"], dtype=float)  # a kernel equal to its rotation: never drawn
    gi, _, _ = solve("conv2d_backward", params["input"], w[::-1, ::-1], params["grad_output"],
                     params["stride"], params["padding"], params["dilation"])
    return at_cell(gi, params)


def _dw_rotated(params: dict) -> Any:
    if params["wrt"] != "weight":
        return None
    _, gw, _ = solve("conv2d_backward", params["input"], params["weight"], params["grad_output"],
                     params["stride"], params["padding"], params["dilation"])
    return at_cell(np.asarray(gw)[::-1, ::-1], params)


MISTAKES: tuple[Mistake, ...] = (
    Mistake("dx-kernel-not-flipped", "kernel not flipped in dL/dx (dL/dx is G fully convolved with the flipped kernel)",
            "G[i, j] reaches x[{stride}·i + {dilation}·u − {padding}, {stride}·j + {dilation}·v − {padding}] "
            "through W[u, v] — as a sliding window over G that is the kernel rotated by 180°; your answer "
            "slides W unrotated", _dx_not_flipped),
    Mistake("dw-rotated", "dL/dW rotated by 180° (a flip applied to the weight gradient, which needs none)",
            "dL/dW[u, v] pairs G[i, j] with x_pad[{stride}·i + {dilation}·u, {stride}·j + {dilation}·v], in "
            "the forward pass's orientation; your matrix is the right one rotated by 180° (the flip belongs "
            "to dL/dx only)", _dw_rotated),
    Mistake("stride-ignored", "stride ignored",
            "output (i, j) used input rows from {stride}·i on; your answer moves one cell per output step",
            _ignoring("stride", 1)),
    Mistake("padding-ignored", "padding ignored",
            "the forward pass ran on the input padded by {padding}, so every index shifts by {padding}; "
            "your answer uses the unpadded positions", _ignoring("padding", 0)),
    Mistake("dilation-ignored", "dilation ignored",
            "with dilation {dilation} the taps are {dilation} cells apart; your answer uses neighbouring cells",
            _ignoring("dilation", 1)),
)

SPECS = {"conv-backward": FamilySpec(make, MISTAKES)}
