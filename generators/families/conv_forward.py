"""conv-forward: one cell (or the whole output) of a 2-D cross-correlation, PyTorch's conv2d.

Drawing, worked solution (the patch, the products, the sum) and the common mistakes.
"""

from __future__ import annotations

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
    zero_pad,
)
from generators.problem import Draft, Mistake
from generators.render import fmt, grid, product

__all__ = ["SPECS", "MISTAKES", "make", "geometry_text"]


def _conv_geometry(rng: np.random.Generator, d: int, *, channels: bool = True) -> dict:
    for _ in range(1000):
        if d == 1:
            h = w = rand_int(rng, 4, 5)
            k, s, p, dil, c = pick(rng, (2, 3)), 1, 0, 1, 1
        elif d == 2:
            h = w = rand_int(rng, 4, 6)
            k, s, p, dil, c = pick(rng, (2, 3)), pick(rng, (1, 2)), pick(rng, (0, 1, 1)), 1, 1
        else:
            h, w = rand_int(rng, 5, 7), rand_int(rng, 5, 7)
            k, s, p, dil = pick(rng, (2, 3)), pick(rng, (1, 2)), pick(rng, (0, 1)), pick(rng, (1, 2))
            c = 2 if channels else 1
        (sh, oh), (sw, ow) = out_len(h, k, s, p, dil), out_len(w, k, s, p, dil)
        if sh >= 0 and sw >= 0 and sh % s == 0 and sw % s == 0 and oh >= 2 and ow >= 2:
            return {"h": h, "w": w, "k": k, "s": s, "p": p, "dil": dil, "c": c, "oh": oh, "ow": ow}
    raise RuntimeError("no conv geometry found")  # pragma: no cover


def geometry_text(g: dict) -> str:
    parts = [f"stride {g['s']}", f"zero padding {g['p']}"]
    if g["dil"] != 1:
        parts.append(f"dilation {g['dil']}")
    return ", ".join(parts)


def _conv_cell_solution(xp: np.ndarray, kern: np.ndarray, i: int, j: int, g: dict, bias: int) -> tuple[str, int]:
    s, dil, k = g["s"], g["dil"], g["k"]
    lines = []
    total = 0
    for c in range(xp.shape[0]):
        terms, sub = [], 0
        for u in range(k):
            for v in range(k):
                a, b = int(xp[c, s * i + dil * u, s * j + dil * v]), int(kern[c, u, v])
                terms.append(product(a, b))
                sub += a * b
        label = f"  channel {c}: " if xp.shape[0] > 1 else "  "
        lines.append(label + sum_text(terms, sub))
        total += sub
    if xp.shape[0] > 1 or bias:
        sums = " + ".join(fmt(v) for v in [*_conv_channel_sums(xp, kern, i, j, g), bias])
        lines.append(f"  total (channels + bias): {sums} = {fmt(total + bias)}")
    return "\n".join(lines), total + bias


def _conv_channel_sums(xp: np.ndarray, kern: np.ndarray, i: int, j: int, g: dict) -> list[int]:
    s, dil, k = g["s"], g["dil"], g["k"]
    out = []
    for c in range(xp.shape[0]):
        out.append(int(sum(int(xp[c, s * i + dil * u, s * j + dil * v]) * int(kern[c, u, v])
                           for u in range(k) for v in range(k))))
    return out


def make(rng: np.random.Generator, d: int) -> Draft:
    g = _conv_geometry(rng, d)
    c, k = g["c"], g["k"]
    x = rand_ints(rng, (c, g["h"], g["w"]), -3, 5)
    kern = rand_ints(rng, (c, k, k), -2, 2)
    while not kern.any():
        kern = rand_ints(rng, (c, k, k), -2, 2)
    bias = 0 if d == 1 else pick(rng, (-2, -1, 1, 2))  # non-zero: "bias forgotten" can show
    oh, ow = g["oh"], g["ow"]
    ask_cell = d == 3 or oh * ow > 16 or rng.random() < 0.5
    cell = (rand_int(rng, 0, oh - 1), rand_int(rng, 0, ow - 1)) if ask_cell else None

    weight = kern[0].tolist() if c == 1 else [kern.tolist()]
    inp = x[0].tolist() if c == 1 else x.tolist()
    out = np.asarray(solve("conv2d", inp, weight, [bias], g["s"], g["p"], g["dil"]), dtype=float)
    out2 = out.reshape(oh, ow)
    params: dict[str, Any] = {
        "input": inp, "weight": weight, "bias": [bias], "stride": g["s"], "padding": g["p"],
        "dilation": g["dil"], "in_channels": c, "out_channels": 1, "kernel_size": k,
    }
    if cell:
        params["cell"] = list(cell)
    answer: Any = num(out2[cell]) if cell else plain(out2)  # a number, or a matrix (nested lists)

    chan = f"{c} channels, C×H×W = {c}×{g['h']}×{g['w']}" if c > 1 else f"{g['h']}×{g['w']}, 1 channel"
    filt = f"one {c}×{k}×{k} filter" if c > 1 else f"one {k}×{k} kernel"
    stem = ("A conv layer computes cross-correlation as PyTorch's conv2d does (the kernel is NOT flipped). "
            f"Input {chan}; {filt}")
    stem += f", {geometry_text(g)}, bias {bias}. Output size {oh}×{ow}.\n" + cell_ask((oh, ow), cell, "out")
    matrices: dict[str, list] = {}
    for ch in range(c):
        matrices[f"Input c{ch}" if c > 1 else "Input"] = x[ch].tolist()
    for ch in range(c):
        matrices[f"Kernel c{ch}" if c > 1 else "Kernel"] = kern[ch].tolist()

    xp = zero_pad(x, g["p"])
    s, dil = g["s"], g["dil"]
    def size(n: int, o: int) -> str:
        return f"floor(({n} + 2·{g['p']} − {dil}·({k} − 1) − 1)/{s}) + 1 = {o}"

    sizes = (f"{size(g['h'], oh)} rows and columns" if (g["h"], oh) == (g["w"], ow)
             else f"{size(g['h'], oh)} rows, {size(g['w'], ow)} columns")
    head = (
        f"out[i, j] = bias + Σ_c Σ_u,v kernel[c, u, v] · x_pad[c, {s}·i + {dil}·u, {s}·j + {dil}·v]"
        f"{pad_note(g['p'], 'input')}. Output size: {sizes}."
    )
    highlight = None
    if cell:
        i, j = cell
        r0, c0 = s * i, s * j
        r1, c1 = r0 + dil * (k - 1), c0 + dil * (k - 1)
        text, total = _conv_cell_solution(xp, kern, i, j, g, bias)
        step = f", every {dil}nd row/column" if dil > 1 else ""
        body = (f"out[{i}, {j}] uses the patch at rows {r0}–{r1}, columns {c0}–{c1} of the zero-padded input"
                f"{step}:\n{text}")
        if total != answer:  # pragma: no cover - the solver and the worked sum must agree
            raise AssertionError(f"worked sum {total} != solver {answer}")
        highlight = {"matrices": [f"Input c{ch}" if c > 1 else "Input" for ch in range(c)],
                     "rows": (r0, r1), "cols": (c0, c1), "step": (dil, dil), "pad": (g["p"], g["p"])}
        solution = f"{head}\n{body}\nAnswer: {fmt(answer)}"
    else:
        lines = []
        for i in range(oh):
            for j in range(ow):
                text, _ = _conv_cell_solution(xp, kern, i, j, g, bias)
                lines.append(f"out[{i}, {j}] =" + text.replace("\n", "\n  ")[1:])
        solution = f"{head}\n" + "\n".join(lines) + f"\nOutput:\n{grid(answer)}"
    return make_draft(params, stem, answer, solution, "int" if cell else "matrix",
                  matrices=matrices, highlight=highlight)


# -- mistakes -----------------------------------------------------------------------------------
def _conv(params: dict, **changes: Any) -> np.ndarray:
    p = {**params, **changes}
    return np.asarray(solve("conv2d", p["input"], p["weight"], p.get("bias"), p.get("stride", 1),
                            p.get("padding", 0), p.get("dilation", 1)), dtype=float)


def _flipped(params: dict) -> Any:
    w = np.asarray(params["weight"], dtype=float)
    flipped = w[..., ::-1, ::-1]  # a kernel equal to its rotation gives the right answer: never drawn
    return at_cell(_conv(params, weight=flipped), params)


def _no_bias(params: dict) -> Any:
    bias = params.get("bias")
    if bias is None or not np.any(np.asarray(bias, dtype=float)):
        return None
    return at_cell(_conv(params, bias=None), params)


def _unless(key: str, neutral: Any) -> Any:
    def answer(params: dict) -> Any:
        if params.get(key, neutral) in (neutral, [neutral, neutral], (neutral, neutral)):
            return None
        return at_cell(_conv(params, **{key: neutral}), params)

    return answer


def _first_channel(params: dict) -> Any:
    x = np.asarray(params["input"], dtype=float)
    if x.ndim != 3 or x.shape[0] < 2:
        return None
    w = np.asarray(params["weight"], dtype=float)
    return at_cell(_conv(params, input=x[:1], weight=w[..., :1, :, :]), params)


MISTAKES: tuple[Mistake, ...] = (
    Mistake("kernel-flipped", "kernel flipped (a true convolution instead of cross-correlation)",
            "conv2d does not flip the kernel: kernel[u, v] multiplies the patch cell at the same (u, v); "
            "your answer is what the kernel rotated by 180° gives", _flipped),
    Mistake("bias-forgotten", "bias forgotten",
            "the bias {bias} is added to every output cell after the sum of products", _no_bias),
    Mistake("padding-ignored", "padding ignored",
            "the input gets {padding} ring(s) of zeros before the windows are placed; your answer is what "
            "the unpadded input gives", _unless("padding", 0)),
    Mistake("stride-ignored", "stride ignored",
            "window (i, j) starts at row {stride}·i, column {stride}·j; your answer places the windows one "
            "cell apart", _unless("stride", 1)),
    Mistake("dilation-ignored", "dilation ignored",
            "with dilation {dilation} the kernel taps are {dilation} cells apart; your answer uses "
            "neighbouring cells", _unless("dilation", 1)),
    Mistake("channels-not-summed", "channels not summed (only one input channel counted)",
            "each output cell sums the products over every input channel; your answer uses channel 0 only",
            _first_channel),
)


def _from_conv2d(args: dict) -> dict:
    return {"input": args["input"], "weight": args["weight"], "bias": args.get("bias"),
            "stride": args.get("stride", 1), "padding": args.get("padding", 0), "dilation": args.get("dilation", 1)}


SPECS = {"conv-forward": FamilySpec(make, MISTAKES, {"conv2d": _from_conv2d})}
