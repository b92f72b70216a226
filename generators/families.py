"""Seeded problem families: each draws a well-posed exercise and solves it with the reference solver.

Determinism: problem ``index`` of ``(family, seed, difficulty)`` is drawn from its own
``np.random.default_rng(SeedSequence([|seed|, seed<0, sha256(family)[:8], difficulty, index]))``,
so it is the same whatever ``count`` is and in every Python process (no ``hash()``).

Difficulty 1 is sized for hand computation (4×4–5×5 inputs, 2×2/3×3 kernels, values -3..5);
2 adds stride and padding; 3 adds dilation, channels, ceil_mode, bias-free layers and so on.
Every draw is well-posed: integer output sizes (unless the question is the floor itself),
no ties inside a max-pool window, regimes not on a boundary.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from cardcli.errors import did_you_mean
from generators.catalog import CATALOG, resolve
from generators.problem import Draft, Problem
from generators.render import fmt, fmt_shape, fraction_hint, grid, product

__all__ = ["Family", "FAMILIES", "generate", "problem", "problem_rng", "resolve"]

_SOLVER_MODULES = ("conv", "pool", "sizes", "params", "memory", "receptive", "rnn", "losses")


@functools.cache
def _solver(name: str) -> Callable[..., Any]:
    """The reference-solver function ``name`` (looked up in the solver modules)."""
    for module in _SOLVER_MODULES:
        try:
            mod = importlib.import_module(f"generators.{module}")
        except ImportError:
            continue
        fn = getattr(mod, name, None)
        if callable(fn):
            return fn
    raise LookupError(f"solver function {name!r} not found in generators.{{{','.join(_SOLVER_MODULES)}}}")


def _call(name: str, *args: Any, **kwargs: Any) -> Any:
    return _solver(name)(*args, **kwargs)


# -- small helpers ------------------------------------------------------------------------------
def _ri(rng: np.random.Generator, lo: int, hi: int) -> int:
    """Uniform integer in ``[lo, hi]`` (inclusive)."""
    return int(rng.integers(lo, hi + 1))


def _pick(rng: np.random.Generator, options: tuple | list) -> Any:
    return options[int(rng.integers(len(options)))]


def _num(x: Any) -> int | float:
    """A plain Python number: int when integral."""
    f = float(x)
    if abs(f - round(f)) < 1e-9 and abs(f) < 2**53:
        return int(round(f))
    return f


def _plain(a: Any) -> Any:
    """Arrays / nested lists as nested lists of plain numbers (ints when integral)."""
    arr = np.asarray(a, dtype=float)
    if arr.ndim == 0:
        return _num(arr)
    return [_plain(v) for v in arr]


def _ints(rng: np.random.Generator, shape: tuple[int, ...], lo: int, hi: int) -> np.ndarray:
    return rng.integers(lo, hi + 1, size=shape).astype(np.int64)


def _draft(params: dict, stem: str, answer: Any, solution: str, kind: str, *,
           matrices: dict[str, list] | None = None, tolerance: float | None = None,
           highlight: dict | None = None) -> Draft:
    matrices = matrices or {}
    parts = [stem]
    for caption, rows in matrices.items():
        parts.append(f"{caption} ({len(rows)}×{len(rows[0])}):\n{grid(rows)}")
    return Draft(params=params, prompt="\n\n".join(parts), answer=answer, solution=solution,
                 answer_kind=kind, tolerance=tolerance, matrices=matrices, highlight=highlight, stem=stem)


def _pad(x: np.ndarray, p: int, value: float = 0.0) -> np.ndarray:
    return np.pad(x, ((0, 0), (p, p), (p, p)), constant_values=value) if x.ndim == 3 else \
        np.pad(x, ((p, p), (p, p)), constant_values=value)


def _out_len(n: int, k: int, s: int, p: int, d: int) -> tuple[int, int]:
    """``(span, output length)`` of a sliding window; span % s == 0 means no floor."""
    span = n + 2 * p - d * (k - 1) - 1
    return span, (span // s + 1 if span >= 0 else 0)


def _pad_note(p: int, name: str) -> str:
    if not p:
        return f" (no padding: x_pad = {name})"
    return f" (x_pad = {name} with {p} ring{'s' if p > 1 else ''} of zeros around it)"


def _sum_text(terms: list[str], total: Any) -> str:
    return (" + ".join(terms) if terms else "0") + f" = {fmt(total)}"


def _cell_ask(shape: tuple[int, int], cell: tuple[int, int] | None, what: str) -> str:
    if cell is None:
        return f"Give the full {shape[0]}×{shape[1]} {'output' if what == 'out' else what} matrix."
    return f"Give only {what}[{cell[0]}, {cell[1]}] (row {cell[0]}, column {cell[1]}, counting from 0)."


# -- convolution forward ------------------------------------------------------------------------
def _conv_geometry(rng: np.random.Generator, d: int, *, channels: bool = True) -> dict:
    for _ in range(1000):
        if d == 1:
            h = w = _ri(rng, 4, 5)
            k, s, p, dil, c = _pick(rng, (2, 3)), 1, 0, 1, 1
        elif d == 2:
            h = w = _ri(rng, 4, 6)
            k, s, p, dil, c = _pick(rng, (2, 3)), _pick(rng, (1, 2)), _pick(rng, (0, 1)), 1, 1
        else:
            h, w = _ri(rng, 5, 7), _ri(rng, 5, 7)
            k, s, p, dil = _pick(rng, (2, 3)), _pick(rng, (1, 2)), _pick(rng, (0, 1)), _pick(rng, (1, 2))
            c = 2 if channels else 1
        (sh, oh), (sw, ow) = _out_len(h, k, s, p, dil), _out_len(w, k, s, p, dil)
        if sh >= 0 and sw >= 0 and sh % s == 0 and sw % s == 0 and oh >= 2 and ow >= 2:
            return {"h": h, "w": w, "k": k, "s": s, "p": p, "dil": dil, "c": c, "oh": oh, "ow": ow}
    raise RuntimeError("no conv geometry found")  # pragma: no cover


def _geometry_text(g: dict) -> str:
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
        lines.append(label + _sum_text(terms, sub))
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


def _make_conv_forward(rng: np.random.Generator, d: int) -> Draft:
    g = _conv_geometry(rng, d)
    c, k = g["c"], g["k"]
    x = _ints(rng, (c, g["h"], g["w"]), -3, 5)
    kern = _ints(rng, (c, k, k), -2, 2)
    while not kern.any():
        kern = _ints(rng, (c, k, k), -2, 2)
    bias = 0 if d == 1 else _ri(rng, -2, 2)
    oh, ow = g["oh"], g["ow"]
    ask_cell = d == 3 or oh * ow > 16 or rng.random() < 0.5
    cell = (_ri(rng, 0, oh - 1), _ri(rng, 0, ow - 1)) if ask_cell else None

    weight = kern[0].tolist() if c == 1 else [kern.tolist()]
    inp = x[0].tolist() if c == 1 else x.tolist()
    out = np.asarray(_call("conv2d", inp, weight, [bias], g["s"], g["p"], g["dil"]), dtype=float)
    out2 = out.reshape(oh, ow)
    params: dict[str, Any] = {
        "input": inp, "weight": weight, "bias": [bias], "stride": g["s"], "padding": g["p"],
        "dilation": g["dil"], "in_channels": c, "out_channels": 1, "kernel_size": k,
    }
    if cell:
        params["cell"] = list(cell)
    answer = _num(out2[cell]) if cell else _plain(out2)

    chan = f"{c} channels, C×H×W = {c}×{g['h']}×{g['w']}" if c > 1 else f"{g['h']}×{g['w']}, 1 channel"
    filt = f"one {c}×{k}×{k} filter" if c > 1 else f"one {k}×{k} kernel"
    stem = ("A conv layer computes cross-correlation as PyTorch's conv2d does (the kernel is NOT flipped). "
            f"Input {chan}; {filt}")
    stem += f", {_geometry_text(g)}, bias {bias}. Output size {oh}×{ow}.\n" + _cell_ask((oh, ow), cell, "out")
    matrices: dict[str, list] = {}
    for ch in range(c):
        matrices[f"Input c{ch}" if c > 1 else "Input"] = x[ch].tolist()
    for ch in range(c):
        matrices[f"Kernel c{ch}" if c > 1 else "Kernel"] = kern[ch].tolist()

    xp = _pad(x, g["p"])
    s, dil = g["s"], g["dil"]
    head = (
        f"out[i, j] = bias + Σ_c Σ_u,v kernel[c, u, v] · x_pad[c, {s}·i + {dil}·u, {s}·j + {dil}·v]"
        f"{_pad_note(g['p'], 'input')}. Output size per axis: "
        f"floor((n + 2·{g['p']} − {dil}·({k}−1) − 1)/{s}) + 1 → {oh}×{ow}."
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
    return _draft(params, stem, answer, solution, "int" if cell else "matrix",
                  matrices=matrices, highlight=highlight)


# -- convolution backward -----------------------------------------------------------------------
def _make_conv_backward(rng: np.random.Generator, d: int) -> Draft:
    for _ in range(1000):
        if d == 1:
            h = w = _ri(rng, 3, 4)
            k, s, p, dil = 2, 1, 0, 1
        elif d == 2:
            h = w = _ri(rng, 4, 5)
            k, s, p, dil = _pick(rng, (2, 3)), _pick(rng, (1, 2)), _pick(rng, (0, 1)), 1
        else:
            h, w = _ri(rng, 4, 6), _ri(rng, 4, 6)
            k, s, p, dil = _pick(rng, (2, 3)), _pick(rng, (1, 2)), _pick(rng, (0, 1)), _pick(rng, (1, 2))
        (sh, oh), (sw, ow) = _out_len(h, k, s, p, dil), _out_len(w, k, s, p, dil)
        if sh >= 0 and sw >= 0 and sh % s == 0 and sw % s == 0 and oh >= 2 and ow >= 2:
            break
    x = _ints(rng, (h, w), -3, 5)
    kern = _ints(rng, (k, k), -2, 2)
    gout = _ints(rng, (oh, ow), -2, 2)
    while not kern.any():
        kern = _ints(rng, (k, k), -2, 2)
    while not gout.any():
        gout = _ints(rng, (oh, ow), -2, 2)
    wrt = _pick(rng, ("input", "weight"))
    gi, gw, _gb = _call("conv2d_backward", x.tolist(), kern.tolist(), gout.tolist(), s, p, dil)
    full = np.asarray(gi if wrt == "input" else gw, dtype=float)
    full = full.reshape((h, w) if wrt == "input" else (k, k))
    ask_cell = d == 3 or rng.random() < 0.4
    cell = (_ri(rng, 0, full.shape[0] - 1), _ri(rng, 0, full.shape[1] - 1)) if ask_cell else None
    answer = _num(full[cell]) if cell else _plain(full)
    params: dict[str, Any] = {"input": x.tolist(), "weight": kern.tolist(), "grad_output": gout.tolist(),
                              "stride": s, "padding": p, "dilation": dil, "kernel_size": k, "wrt": wrt}
    if cell:
        params["cell"] = list(cell)
    geo = {"s": s, "p": p, "dil": dil}
    name = "dL/dx" if wrt == "input" else "dL/dW"
    stem = (f"The forward pass was out = conv2d(x, W) in PyTorch's sense (cross-correlation, no flip), "
            f"x {h}×{w}, W {k}×{k}, {_geometry_text(geo)}, output {oh}×{ow}. The upstream gradient "
            f"G = dL/dout is given. Compute {name}, the gradient with respect to the "
            f"{'input' if wrt == 'input' else 'weights'}.\n" + _cell_ask(full.shape, cell, name))
    matrices = {"Input x": x.tolist(), "Kernel W": kern.tolist(), "Upstream gradient G": gout.tolist()}
    xp = _pad(x, p)

    def weight_cell(u: int, v: int) -> str:
        terms, tot = [], 0
        for i in range(oh):
            for j in range(ow):
                a, b = int(gout[i, j]), int(xp[s * i + dil * u, s * j + dil * v])
                terms.append(product(a, b))
                tot += a * b
        return f"dL/dW[{u}, {v}] = " + _sum_text(terms, tot)

    def input_cell(a: int, b: int) -> str:
        terms, tot = [], 0
        for i in range(oh):
            for j in range(ow):
                for u in range(k):
                    for v in range(k):
                        if s * i + dil * u - p == a and s * j + dil * v - p == b:
                            terms.append(product(int(gout[i, j]), int(kern[u, v])))
                            tot += int(gout[i, j]) * int(kern[u, v])
        if not terms:
            return f"dL/dx[{a}, {b}] = 0 (no window covers this cell)"
        return f"dL/dx[{a}, {b}] = " + _sum_text(terms, tot)

    if wrt == "weight":
        head = (f"dL/dW[u, v] = Σ_i,j G[i, j] · x_pad[{s}·i + {dil}·u, {s}·j + {dil}·v]: each weight "
                f"touched every input cell its output windows used{_pad_note(p, 'x')}.")
        fn = weight_cell
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
        solution = f"{head}\n{body}\n{name}:\n{grid(answer)}"
    return _draft(params, stem, answer, solution, "int" if cell else "matrix",
                  matrices=matrices, highlight=highlight)


# -- pooling ------------------------------------------------------------------------------------
def _pool_geometry(rng: np.random.Generator, d: int, *, allow_ceil: bool) -> dict:
    for _ in range(1000):
        ceil = False
        if d == 1:
            h, k = _pick(rng, ((4, 2), (6, 2), (6, 3), (5, 2)))
            if h == 5:
                h, k = 4, 2
            w, s, p = h, k, 0
        elif d == 2:
            h = w = _ri(rng, 4, 6)
            k = _pick(rng, (2, 3))
            s = _ri(rng, 1, k)
            p = _pick(rng, (0, 1)) if k >= 2 else 0
        else:
            h, w = _ri(rng, 5, 7), _ri(rng, 5, 7)
            k = _pick(rng, (2, 3))
            s = _ri(rng, 1, k)
            p = _pick(rng, (0, 1))
            ceil = allow_ceil and bool(rng.random() < 0.5)
        if p > k // 2:
            continue
        spans = [n + 2 * p - k for n in (h, w)]
        if min(spans) < 0:
            continue
        if not ceil and any(sp % s for sp in spans):
            continue
        oh = int(_call("pool_output_size", h, k, s, p, 1, ceil))
        ow = int(_call("pool_output_size", w, k, s, p, 1, ceil))
        if oh >= 2 and ow >= 2 and oh * ow <= 16:
            return {"h": h, "w": w, "k": k, "s": s, "p": p, "ceil": ceil, "oh": oh, "ow": ow}
    raise RuntimeError("no pooling geometry found")  # pragma: no cover


def _windows(g: dict) -> dict[tuple[int, int], list[tuple[int, int]]]:
    """Input cells (unpadded coordinates) each output cell's window covers (padding dropped)."""
    out = {}
    for i in range(g["oh"]):
        for j in range(g["ow"]):
            r0, c0 = i * g["s"] - g["p"], j * g["s"] - g["p"]
            out[(i, j)] = [(r, c) for r in range(r0, r0 + g["k"]) for c in range(c0, c0 + g["k"])
                           if 0 <= r < g["h"] and 0 <= c < g["w"]]
    return out


def _pool_values(rng: np.random.Generator, g: dict, mode: str) -> np.ndarray:
    wins = _windows(g)
    for _ in range(2000):
        x = _ints(rng, (g["h"], g["w"]), -3, 9 if mode == "max" else 5)
        if mode != "max":
            return x
        if all(sorted((int(x[rc]) for rc in cells), reverse=True)[:2].count(max(int(x[rc]) for rc in cells)) == 1
               for cells in wins.values()):
            return x
    raise RuntimeError("could not draw a tie-free max-pool input")  # pragma: no cover


def _pool_stem(g: dict, mode: str) -> str:
    extra = []
    if g["p"]:
        extra.append(f"padding {g['p']} ({'-∞' if mode == 'max' else 'zeros, counted in the average'})")
    if g["ceil"]:
        extra.append("ceil_mode=True (a last partial window is kept if it starts inside the input)")
    more = (", " + ", ".join(extra)) if extra else ""
    kind = "max" if mode == "max" else "average"
    return (f"{kind.capitalize()} pooling (PyTorch {'max_pool2d' if mode == 'max' else 'avg_pool2d'}), "
            f"window {g['k']}×{g['k']}, stride {g['s']}{more}, on a {g['h']}×{g['w']} input; "
            f"output {g['oh']}×{g['ow']}.")


def _make_pool_forward(rng: np.random.Generator, d: int) -> Draft:
    mode = _pick(rng, ("max", "avg"))
    g = _pool_geometry(rng, d, allow_ceil=(mode == "max"))
    x = _pool_values(rng, g, mode)
    out = np.asarray(_call("pool2d", x.tolist(), g["k"], g["s"], g["p"], mode, g["ceil"]), dtype=float)
    out = out.reshape(g["oh"], g["ow"])
    ask_cell = d == 3 and rng.random() < 0.5 or rng.random() < 0.3
    cell = (_ri(rng, 0, g["oh"] - 1), _ri(rng, 0, g["ow"] - 1)) if ask_cell else None
    answer = _num(out[cell]) if cell else _plain(out)
    tol = None if mode == "max" else 1e-3
    params: dict[str, Any] = {"input": x.tolist(), "kernel_size": g["k"], "stride": g["s"], "padding": g["p"],
                              "mode": mode, "ceil_mode": g["ceil"]}
    if cell:
        params["cell"] = list(cell)
    stem = _pool_stem(g, mode) + "\n" + _cell_ask((g["oh"], g["ow"]), cell, "out")
    if mode == "avg":
        stem += " Give 4 significant figures (e.g. 0.1667) or a fraction like 7/4 (relative tolerance 1e-3)."
    wins = _windows(g)

    def cell_text(i: int, j: int) -> str:
        vals = [int(x[rc]) for rc in wins[(i, j)]]
        if mode == "max":
            return f"out[{i}, {j}] = max({', '.join(map(fmt, vals))}) = {fmt(max(vals))}"
        total = sum(vals)
        pads = g["k"] ** 2 - len(vals)
        padtxt = f" (+ {pads} padded zero{'s' if pads > 1 else ''})" if pads else ""
        frac = fraction_hint(total / g["k"] ** 2)
        return (f"out[{i}, {j}] = ({' + '.join(map(fmt, vals))}){padtxt} / {g['k'] ** 2} = "
                f"{fmt(total)}/{g['k'] ** 2} = {fmt(total / g['k'] ** 2)}" + (f" ({frac})" if frac else ""))

    r0 = lambda i: i * g["s"]  # noqa: E731 - padded coordinates of a window's first row/col
    off = f" − {g['p']}" if g["p"] else ""
    head = (f"Window (i, j) covers input rows {g['s']}·i{off} … {g['s']}·i{off} + {g['k'] - 1} and the same "
            f"columns{' (out-of-range cells are padding)' if g['p'] or g['ceil'] else ''}.")
    highlight = None
    if cell:
        i, j = cell
        highlight = {"matrices": ["Input"], "rows": (r0(i), r0(i) + g["k"] - 1),
                     "cols": (r0(j), r0(j) + g["k"] - 1), "step": (1, 1), "pad": (g["p"], g["p"]),
                     "pad_value": "-∞" if mode == "max" else 0}
        solution = f"{head}\n{cell_text(i, j)}\nAnswer: {fmt(answer)}"
    else:
        body = "\n".join(cell_text(i, j) for i in range(g["oh"]) for j in range(g["ow"]))
        solution = f"{head}\n{body}\nOutput:\n{grid(answer)}"
    kind = ("int" if mode == "max" else "float") if cell else "matrix"
    return _draft(params, stem, answer, solution, kind, matrices={"Input": x.tolist()},
                  tolerance=tol, highlight=highlight)


def _make_pool_backward(rng: np.random.Generator, d: int) -> Draft:
    mode = _pick(rng, ("max", "avg"))
    g = _pool_geometry(rng, d, allow_ceil=False)
    x = _pool_values(rng, g, mode)
    gout = _ints(rng, (g["oh"], g["ow"]), -2, 3)
    while not gout.any():
        gout = _ints(rng, (g["oh"], g["ow"]), -2, 3)
    gi = np.asarray(_call("pool2d_backward", x.tolist(), gout.tolist(), g["k"], g["s"], g["p"], mode, False),
                    dtype=float).reshape(g["h"], g["w"])
    ask_cell = d == 3 and rng.random() < 0.5
    cell = (_ri(rng, 0, g["h"] - 1), _ri(rng, 0, g["w"] - 1)) if ask_cell else None
    answer = _num(gi[cell]) if cell else _plain(gi)
    tol = None if mode == "max" else 1e-3
    params: dict[str, Any] = {"input": x.tolist(), "grad_output": gout.tolist(), "kernel_size": g["k"],
                              "stride": g["s"], "padding": g["p"], "mode": mode, "ceil_mode": False}
    if cell:
        params["cell"] = list(cell)
    stem = (_pool_stem(g, mode) + " The upstream gradient G = dL/dout is given. Compute dL/dx.\n"
            + _cell_ask((g["h"], g["w"]), cell, "dL/dx"))
    if mode == "avg":
        stem += " Give 4 significant figures (e.g. 0.1667) or a fraction like 3/4 (relative tolerance 1e-3)."
    wins = _windows(g)
    lines = []
    for (i, j), cells in wins.items():
        gv = int(gout[i, j])
        if mode == "max":
            a = max(cells, key=lambda rc: int(x[rc]))
            lines.append(f"window ({i}, {j}): max is x[{a[0]}, {a[1]}] = {fmt(int(x[a]))}, "
                         f"it receives G[{i}, {j}] = {fmt(gv)}")
        else:
            share = gv / g["k"] ** 2
            frac = fraction_hint(share)
            lines.append(f"window ({i}, {j}): each of its {g['k'] ** 2} cells receives G[{i}, {j}]/{g['k'] ** 2} "
                         f"= {fmt(share)}" + (f" ({frac})" if frac else "")
                         + (f" (only {len(cells)} are inside the input)" if len(cells) < g["k"] ** 2 else ""))
    rule = ("Max pooling routes each window's gradient to its (unique) maximum; other cells get 0."
            if mode == "max" else "Average pooling spreads each window's gradient evenly over its k² cells.")
    rule += " A cell in several overlapping windows adds up what it receives."
    if cell:
        solution = f"{rule}\n" + "\n".join(lines) + f"\ndL/dx[{cell[0]}, {cell[1]}] = {fmt(answer)}"
    else:
        solution = f"{rule}\n" + "\n".join(lines) + f"\ndL/dx:\n{grid(answer)}"
    kind = ("int" if mode == "max" else "float") if cell else "matrix"
    return _draft(params, stem, answer, solution, kind,
                  matrices={"Input": x.tolist(), "Upstream gradient G": gout.tolist()}, tolerance=tol)


# -- sizes --------------------------------------------------------------------------------------
def _make_conv_output_size(rng: np.random.Generator, d: int) -> Draft:
    for _ in range(1000):
        if d == 1:
            i = _pick(rng, (5, 6, 7, 8, 9, 10, 12, 16, 28, 32))
            k, s, p, dil = _pick(rng, (1, 3, 5)), _pick(rng, (1, 2)), _pick(rng, (0, 1, 2)), 1
        elif d == 2:
            i = _pick(rng, (13, 27, 28, 32, 55, 56, 64, 96, 112, 224, 227))
            k, s, p, dil = _pick(rng, (1, 3, 5, 7, 11)), _pick(rng, (1, 2, 3, 4)), _ri(rng, 0, 3), 1
        else:
            i = _pick(rng, (17, 28, 31, 32, 64, 100, 112, 128, 224, 227))
            k, s, p, dil = _pick(rng, (3, 5, 7)), _pick(rng, (1, 2, 3)), _ri(rng, 0, 4), _pick(rng, (1, 2, 3))
        span, out = _out_len(i, k, s, p, dil)
        if span < 0 or (d == 1 and span % s):
            continue
        break
    answer_size = int(_call("conv_output_size", i, k, s, p, dil))
    params: dict[str, Any] = {"input_size": i, "kernel_size": k, "stride": s, "padding": p, "dilation": dil}
    floor_note = " (PyTorch floors when the last window does not fit)" if d > 1 else ""
    dil_text = f", dilation={dil}" if dil != 1 else ""
    formula = (f"out = floor((i + 2p − d·(k − 1) − 1)/s) + 1 = floor(({i} + 2·{p} − {dil}·({k} − 1) − 1)/{s}) + 1"
               f" = floor({span}/{s}) + 1 = {span // s} + 1 = {answer_size}")
    if d >= 2 and rng.random() < 0.5:
        cin, cout = _pick(rng, (1, 3, 16, 64)), _pick(rng, (8, 16, 32, 64, 96, 128))
        params.update(in_channels=cin, out_channels=cout)
        answer: Any = [cout, answer_size, answer_size]
        stem = (f"Input C×H×W = {cin}×{i}×{i} goes through nn.Conv2d({cin}, {cout}, kernel_size={k}, "
                f"stride={s}, padding={p}{dil_text}). What is the output shape C×H×W{floor_note}? "
                f"(type e.g. 16x32x32)")
        solution = f"{formula} per spatial axis; channels = out_channels = {cout}.\nShape: {fmt_shape(answer)}"
        return _draft(params, stem, answer, solution, "shape")
    stem = (f"A convolution with kernel {k}×{k}, stride {s}, padding {p}{', dilation ' + str(dil) if dil != 1 else ''}"
            f" is applied to a {i}×{i} input. What is the output height (= width){floor_note}?")
    return _draft(params, stem, answer_size, formula, "int")


def _make_pool_output_size(rng: np.random.Generator, d: int) -> Draft:
    for _ in range(1000):
        ceil = False
        if d == 1:
            i = _pick(rng, (4, 8, 16, 28, 32, 56, 112, 224))
            k, s, p = _pick(rng, ((2, 2, 0), (3, 3, 0), (2, 1, 0), (3, 1, 1), (3, 2, 1)))
        elif d == 2:
            i = _pick(rng, (7, 13, 15, 27, 28, 55, 56, 112, 113))
            k = _pick(rng, (2, 3))
            s, p = _pick(rng, (1, 2, 3)), _ri(rng, 0, k // 2)
        else:
            i = _pick(rng, (5, 7, 13, 14, 27, 55, 56, 111, 112))
            k = _pick(rng, (2, 3, 4))
            s, p, ceil = _pick(rng, (2, 3)), _ri(rng, 0, k // 2), True
        span = i + 2 * p - k
        if span < 0 or (d == 1 and span % s) or s > k + 1:
            continue
        break
    out = int(_call("pool_output_size", i, k, s, p, 1, ceil))
    params = {"input_size": i, "kernel_size": k, "stride": s, "padding": p, "ceil_mode": ceil}
    if ceil:
        raw = -(-span // s) + 1
        formula = (f"ceil_mode: out = ceil((i + 2p − k)/s) + 1 = ceil(({i} + 2·{p} − {k})/{s}) + 1 = "
                   f"ceil({span}/{s}) + 1 = {raw}")
        if raw != out:
            formula += (f"; but the last window would start at {(raw - 1) * s} ≥ i + p = {i + p} (entirely in "
                        f"the right padding), so PyTorch drops it: {out}")
        else:
            formula += f" (the last window starts at {(raw - 1) * s} < i + p = {i + p}, so it is kept)"
        note = " with ceil_mode=True"
    else:
        formula = (f"out = floor((i + 2p − k)/s) + 1 = floor(({i} + 2·{p} − {k})/{s}) + 1 = "
                   f"floor({span}/{s}) + 1 = {out}")
        note = "" if d == 1 else " (PyTorch floors)"
    stem = (f"nn.MaxPool2d(kernel_size={k}, stride={s}, padding={p}{', ceil_mode=True' if ceil else ''}) "
            f"is applied to a {i}×{i} input. What is the output height (= width){note}?")
    return _draft(params, stem, out, formula, "int")


def _make_transposed_size(rng: np.random.Generator, d: int) -> Draft:
    for _ in range(1000):
        i = _pick(rng, (2, 3, 4, 5, 7, 8, 14, 16, 28, 32))
        if d == 1:
            k, s, p, op, dil = _pick(rng, (2, 3, 4)), _pick(rng, (1, 2)), _ri(rng, 0, 1), 0, 1
        elif d == 2:
            k, s, p, dil = _pick(rng, (2, 3, 4, 5)), _pick(rng, (2, 3)), _ri(rng, 0, 2), 1
            op = _ri(rng, 0, s - 1)
        else:
            k, s, p, dil = _pick(rng, (3, 4, 5)), _pick(rng, (1, 2, 3)), _ri(rng, 0, 2), _pick(rng, (1, 2))
            op = _ri(rng, 0, max(s, dil) - 1)
        out = (i - 1) * s - 2 * p + dil * (k - 1) + op + 1
        if out >= 1:
            break
    ans = int(_call("transposed_conv_output_size", i, k, s, p, op, dil))
    params = {"input_size": i, "kernel_size": k, "stride": s, "padding": p, "output_padding": op, "dilation": dil}
    extras = (f", output_padding={op}" if op else "") + (f", dilation={dil}" if dil != 1 else "")
    stem = (f"nn.ConvTranspose2d(kernel_size={k}, stride={s}, padding={p}{extras}) is applied to a {i}×{i} "
            f"input. What is the output height (= width)?")
    formula = (f"out = (i − 1)·s − 2p + d·(k − 1) + output_padding + 1 = ({i} − 1)·{s} − 2·{p} + {dil}·({k} − 1)"
               f" + {op} + 1 = {ans}")
    return _draft(params, stem, ans, formula, "int")


# -- parameters ---------------------------------------------------------------------------------
def _layer_text(layer: dict) -> str:
    if layer["type"] == "conv":
        k = layer["kernel_size"]
        ks = f"({k[0]}, {k[1]})" if isinstance(k, list) else str(k)
        b = "" if layer.get("bias", True) else ", bias=False"
        return f"Conv2d({layer['in_channels']}, {layer['out_channels']}, kernel_size={ks}{b})"
    if layer["type"] == "linear":
        b = "" if layer.get("bias", True) else ", bias=False"
        return f"Linear({layer['in_features']}, {layer['out_features']}{b})"
    return f"MaxPool2d({layer.get('kernel_size', 2)})"


def _layer_params_text(layer: dict) -> tuple[str, int]:
    bias = layer.get("bias", True)
    if layer["type"] == "conv":
        k = layer["kernel_size"]
        kh, kw = (k, k) if isinstance(k, int) else k
        n = kh * kw * layer["in_channels"] * layer["out_channels"] + (layer["out_channels"] if bias else 0)
        b = f" + {layer['out_channels']}" if bias else " (no bias)"
        return f"{kh}·{kw}·{layer['in_channels']}·{layer['out_channels']}{b} = {n:,}", n
    if layer["type"] == "linear":
        n = layer["in_features"] * layer["out_features"] + (layer["out_features"] if bias else 0)
        b = f" + {layer['out_features']}" if bias else " (no bias)"
        return f"{layer['in_features']}·{layer['out_features']}{b} = {n:,}", n
    return "0 (pooling has no parameters)", 0


def _make_param_count(rng: np.random.Generator, d: int) -> Draft:
    if d == 1:
        if rng.random() < 0.6:
            layers = [{"type": "conv", "in_channels": _pick(rng, (1, 3, 16, 32, 64)),
                       "out_channels": _pick(rng, (8, 16, 32, 64, 128)), "kernel_size": _pick(rng, (1, 3, 5)),
                       "bias": True}]
        else:
            layers = [{"type": "linear", "in_features": _pick(rng, (10, 64, 100, 256, 784, 1024)),
                       "out_features": _pick(rng, (2, 10, 32, 100, 128)), "bias": True}]
    else:
        size = _pick(rng, (16, 28, 32, 64))
        ch = _pick(rng, (1, 3))
        layers = []
        for _ in range(_ri(rng, 2, 3)):
            out_ch = _pick(rng, (8, 16, 32, 64))
            if d == 3 and rng.random() < 0.3:
                k: Any = _pick(rng, ([1, 3], [3, 1], [1, 5]))
            else:
                k = _pick(rng, (3, 5)) if d == 3 else 3
            bias = not (d == 3 and rng.random() < 0.4)
            layers.append({"type": "conv", "in_channels": ch, "out_channels": out_ch, "kernel_size": k,
                           "bias": bias})
            layers.append({"type": "pool", "kernel_size": 2})
            ch, size = out_ch, size // 2
        layers.append({"type": "linear", "in_features": ch * size * size, "out_features": _pick(rng, (10, 100)),
                       "bias": True})
    total = int(_call("network_params", layers=layers))
    params = {"layers": layers}
    if len(layers) == 1:
        stem = f"How many trainable parameters (weights + biases) does {_layer_text(layers[0])} have?"
    else:
        desc = "\n".join(f"  {n + 1}. {_layer_text(layer)}" for n, layer in enumerate(layers))
        stem = ("How many trainable parameters (weights + biases) does this network have in total? "
                "(Convs keep the spatial size — 'same' padding — and each MaxPool2d(2) halves it; the Linear "
                "layer takes the flattened features.)\n" + desc)
    lines = ["conv: k_h·k_w·C_in·C_out (+ C_out biases); linear: in·out (+ out biases); pooling: 0."]
    acc = 0
    for layer in layers:
        text, n = _layer_params_text(layer)
        lines.append(f"  {_layer_text(layer)}: {text}")
        acc += n
    lines.append(f"Total: {acc:,}")
    if acc != total:  # pragma: no cover
        raise AssertionError(f"worked total {acc} != solver {total}")
    return _draft(params, stem, total, "\n".join(lines), "int")


# -- memory -------------------------------------------------------------------------------------
_UNIT_TEXT = {"KB": "1 KB = 10^3 bytes", "MB": "1 MB = 10^6 bytes", "GB": "1 GB = 10^9 bytes",
              "KiB": "1 KiB = 2^10 bytes", "MiB": "1 MiB = 2^20 = 1,048,576 bytes", "GiB": "1 GiB = 2^30 bytes"}
_UNIT_BYTES = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30}
_DTYPE_BYTES = {"float16": 2, "float32": 4, "float64": 8}


def _make_activation_memory(rng: np.random.Generator, d: int) -> Draft:
    n_tensors = 1 if d < 3 else _ri(rng, 2, 3)
    shapes = []
    for _ in range(n_tensors):
        c = _pick(rng, (3, 16, 32, 64, 96, 128, 256, 512))
        hw = _pick(rng, (7, 14, 28, 32, 56, 112, 224))
        shapes.append([c, hw, hw])
    batch = 1 if d == 1 else _pick(rng, (1, 8, 16, 32, 64, 128))
    dtype = "float32" if d == 1 else _pick(rng, ("float32", "float16", "float64"))
    values = sum(int(_call("activation_values", sh, batch)) for sh in shapes)
    shapes_text = " and ".join(fmt_shape(sh) for sh in shapes)
    what = (f"the activations of shapes C×H×W = {shapes_text} (together)" if n_tensors > 1
            else f"an activation tensor of shape C×H×W = {shapes_text}")
    batch_text = f" for a batch of {batch}" if batch > 1 else " for one image"
    if d == 1 and rng.random() < 0.4:
        params = {"shapes": shapes, "batch": batch}
        stem = f"How many values are in {what}{batch_text}?"
        sol = (f"values = batch · C · H · W = {batch} · " + " + ".join("·".join(map(str, sh)) for sh in shapes)
               + f" = {values:,}")
        return _draft(params, stem, values, sol, "int")
    unit = _pick(rng, ("MB", "MiB")) if d == 1 else _pick(rng, ("KB", "KiB", "MB", "MiB", "GB", "GiB"))
    if unit in ("GB", "GiB") and values * _DTYPE_BYTES[dtype] < 10**8:
        unit = unit.replace("G", "M")
    if unit in ("KB", "KiB") and values * _DTYPE_BYTES[dtype] > 10**8:
        unit = unit.replace("K", "M")
    mem = sum(float(_call("activation_memory", sh, batch, dtype, unit)) for sh in shapes)
    nbytes = values * _DTYPE_BYTES[dtype]
    params = {"shapes": shapes, "batch": batch, "dtype": dtype, "unit": unit}
    stem = (f"How much memory is taken by {what}{batch_text} in {dtype} ({_DTYPE_BYTES[dtype]} bytes per value)? "
            f"Answer in {unit} ({_UNIT_TEXT[unit]}); give at least 3 significant figures — answers within "
            f"0.5% are accepted, and other units (e.g. '12 MB', '3 GiB', bytes) are converted.")
    sol = (f"values = batch · C·H·W = {batch} · ({' + '.join('·'.join(map(str, sh)) for sh in shapes)}) = {values:,}\n"
           f"bytes = {values:,} · {_DTYPE_BYTES[dtype]} = {nbytes:,}\n"
           f"{unit}: {nbytes:,} / {_UNIT_BYTES[unit]:,} = {mem:.6g} {unit}  ({_UNIT_TEXT[unit]})")
    return _draft(params, stem, mem, sol, f"memory:{unit}", tolerance=5e-3)


# -- receptive field ----------------------------------------------------------------------------
def _make_receptive_field(rng: np.random.Generator, d: int) -> Draft:
    layers = []
    n = _ri(rng, 2, 3) if d == 1 else _ri(rng, 3, 4) if d == 2 else _ri(rng, 3, 5)
    for _ in range(n):
        if d == 1:
            layer = _pick(rng, ({"kernel_size": 3, "stride": 1, "dilation": 1},
                                {"kernel_size": 5, "stride": 1, "dilation": 1},
                                {"kernel_size": 2, "stride": 2, "dilation": 1}))
        else:
            k = _pick(rng, (1, 2, 3, 5, 7))
            s = _pick(rng, (1, 1, 2)) if k > 1 else 1
            dil = _pick(rng, (1, 1, 2, 4)) if d == 3 and k > 1 and s == 1 else 1
            layer = {"kernel_size": k, "stride": s, "dilation": dil}
        layers.append(dict(layer))
    ans = int(_call("receptive_field", layers))
    desc = "\n".join(
        f"  {i + 1}. kernel {ly['kernel_size']}, stride {ly['stride']}"
        + (f", dilation {ly['dilation']}" if ly["dilation"] != 1 else "") for i, ly in enumerate(layers))
    stem = ("What is the receptive field (in input pixels, along one axis) of one output unit of this stack "
            "of conv/pool layers (applied in order)?\n" + desc)
    lines = ["r_0 = 1, j_0 = 1 (jump = product of earlier strides); r_l = r_(l−1) + (k_l − 1)·d_l·j_(l−1), "
             "j_l = j_(l−1)·s_l"]
    r, j = 1, 1
    for i, ly in enumerate(layers):
        r_new = r + (ly["kernel_size"] - 1) * ly["dilation"] * j
        lines.append(f"  layer {i + 1}: r = {r} + ({ly['kernel_size']} − 1)·{ly['dilation']}·{j} = {r_new}, "
                     f"j = {j}·{ly['stride']} = {j * ly['stride']}")
        r, j = r_new, j * ly["stride"]
    lines.append(f"Receptive field: {r}")
    if r != ans:  # pragma: no cover
        raise AssertionError(f"worked receptive field {r} != solver {ans}")
    return _draft({"layers": layers}, stem, ans, "\n".join(lines), "int")


# -- spectral radius ----------------------------------------------------------------------------
_HALVES = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0)


def _draw_rnn_matrix(rng: np.random.Generator, d: int) -> list[list[float]]:
    if d == 1:
        kind = _pick(rng, ("constant", "diagonal", "triangular"))
        a = _pick(rng, _HALVES) * _pick(rng, (1, -1))
        if kind == "constant":
            return [[a, a], [a, a]]
        b = _pick(rng, (0.0, *_HALVES)) * _pick(rng, (1, -1))
        if kind == "diagonal":
            return [[a, 0.0], [0.0, b]]
        c = _pick(rng, _HALVES)
        return [[a, c], [0.0, b]]
    if d == 2:
        a, c = (_pick(rng, (-2, -1, 0, 1, 2, 3, 4)) for _ in range(2))
        b = _pick(rng, (-2, -1, 1, 2, 3))
        return [[float(a), float(b)], [float(b), float(c)]]
    if rng.random() < 0.5:  # rotation-scaling: complex eigenvalues a ± bi
        a, b = _pick(rng, (-2, -1, 1, 2, 3)), _pick(rng, (1, 2, 3))
        return [[float(a), float(-b)], [float(b), float(a)]]
    m = _ints(rng, (3, 3), -2, 3).astype(float)
    m[np.tril_indices(3, -1)] = 0.0
    return m.tolist()


def _make_spectral_radius(rng: np.random.Generator, d: int) -> Draft:
    for _ in range(1000):
        w = _draw_rnn_matrix(rng, d)
        act = _pick(rng, ("sigmoid", "tanh")) if d < 3 else _pick(rng, ("sigmoid", "tanh", "relu"))
        info = _call("rnn_gradient", w, act)
        radius, bound, rate = float(info["radius"]), float(info["derivative_bound"]), float(info["rate"])
        if radius > 0.1 and abs(bound * radius - 1) >= 0.05 and abs(rate - 1) >= 0.05:
            break
    eig = np.linalg.eigvals(np.asarray(w))
    eig_text = ", ".join(fmt(complex(e).real) if abs(complex(e).imag) < 1e-12
                         else f"{fmt(complex(e).real)} {'+' if complex(e).imag > 0 else '−'} {fmt(abs(complex(e).imag))}i"
                         for e in eig)
    answer = {"radius": _num(radius), "regime": str(info["regime"])}
    params = {"weight": w, "activation": act}
    stem = (f"A vanilla RNN h_t = {act}(W_hh h_(t−1) + W_xh x_t) has the recurrent weight matrix W_hh below. "
            f"Give its spectral radius ρ (largest |eigenvalue|, 3 significant figures; relative tolerance 0.5%) "
            f"and the gradient regime over many steps: vanishing, exploding or neither (the course's rule: "
            f"{act}'s derivative bound × σ_max(W) < 1 ⇒ vanishing; derivative bound × ρ > 1 ⇒ exploding; "
            f"otherwise neither). Type e.g. '1.5 exploding'.")
    sol = (f"eigenvalues of W_hh: {eig_text} → ρ = {fmt(radius)}\n"
           f"largest singular value σ_max = {fmt(float(info['sigma_max']))}\n"
           f"{act}'(z) ≤ {fmt(bound)} → per-step factor bound = {fmt(bound)}·σ_max = {fmt(rate)}; "
           f"{fmt(bound)}·ρ = {fmt(bound * radius)}\n"
           f"Verdict: {info['regime']}. {info['reason']}")
    return _draft(params, stem, answer, sol, "radius-verdict", matrices={"W_hh": w}, tolerance=5e-3)


# -- VGG ----------------------------------------------------------------------------------------
_VGG_CHANNELS = {"block1": 64, "block2": 128, "block3": 256, "block4": 512, "block5": 512}


def _make_vgg_dims(rng: np.random.Generator, d: int) -> Draft:
    size = 224 if d == 1 else _pick(rng, (224, 256, 192, 320)) if d == 2 else _pick(rng, (64, 96, 128, 160, 384, 448, 512))
    dims = _call("vgg16_dims", size)
    key = _pick(rng, ("block1", "block2", "block3", "block4", "block5", "pool5", "flatten"))
    rule = ("VGG-16: every conv is 3×3, stride 1, padding 1 (keeps H×W); each block ends with a 2×2 max-pool, "
            "stride 2 (halves H×W). Channels per block: 64, 128, 256, 512, 512.")
    params: dict[str, Any] = {"input_size": size, "layer": key}
    if key == "flatten":
        pool5 = [int(v) for v in dims["pool5"]]
        ans = pool5[0] * pool5[1] * pool5[2]
        stem = (f"VGG-16 gets a 3×{size}×{size} image. How many features does the flattened pool5 output feed "
                f"into fc6?")
        sol = (f"{rule}\nAfter 5 pools: {size}/2^5 = {pool5[0]}, so pool5 is {fmt_shape(pool5)} and the "
               f"flattened vector has {pool5[0]}·{pool5[1]}·{pool5[2]} = {ans:,} features.")
        return _draft(params, stem, ans, sol, "int")
    shape = [int(v) for v in dims[key]]
    if key == "pool5":
        where, how = "after the last max-pool (pool5)", f"{size}/2^5 = {shape[0]}"
    else:
        n = int(key[-1])
        where = f"of the conv layers inside block {n} (before that block's pool)"
        how = f"{size}/2^{n - 1} = {shape[0]} (pooled {n - 1} time{'s' if n != 2 else ''})"
    stem = (f"VGG-16 gets a 3×{size}×{size} image. What is the activation shape {where}, as H×W×C "
            f"(type e.g. 56x56x256)?")
    sol = f"{rule}\nH = W = {how}; C = {shape[2]}.\nShape: {fmt_shape(shape)}"
    return _draft(params, stem, shape, sol, "shape")


# -- registry -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Family:
    """A named problem generator: ``make(rng, difficulty)`` returns a :class:`Draft`."""

    name: str
    topics: tuple[str, ...]
    description: str
    make: Callable[[np.random.Generator, int], Draft]


_MAKERS: dict[str, Callable[[np.random.Generator, int], Draft]] = {
    "conv-forward": _make_conv_forward,
    "conv-backward": _make_conv_backward,
    "pool-forward": _make_pool_forward,
    "pool-backward": _make_pool_backward,
    "conv-output-size": _make_conv_output_size,
    "pool-output-size": _make_pool_output_size,
    "transposed-conv-output-size": _make_transposed_size,
    "param-count": _make_param_count,
    "activation-memory": _make_activation_memory,
    "receptive-field": _make_receptive_field,
    "spectral-radius": _make_spectral_radius,
    "vgg-dims": _make_vgg_dims,
}
FAMILIES: dict[str, Family] = {
    name: Family(name, topics, description, _MAKERS[name]) for name, (topics, description) in CATALOG.items()
}


def _family_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "little")


def problem_rng(family: str, seed: int, difficulty: int, index: int) -> np.random.Generator:
    """The private generator of problem ``index``: independent of how many problems are drawn."""
    ss = np.random.SeedSequence([abs(int(seed)), int(seed < 0), _family_key(family), int(difficulty), int(index)])
    return np.random.default_rng(ss)


def _check_family(family: str) -> Family:
    try:
        return FAMILIES[family]
    except KeyError:
        from cardcli.errors import UsageError

        raise UsageError(f"unknown problem family {family!r}{did_you_mean(family, list(FAMILIES))}; "
                         f"families: {', '.join(FAMILIES)}") from None


def problem(family: str, seed: int, difficulty: int, index: int) -> Problem:
    """Problem ``index`` of ``family`` for ``seed`` and ``difficulty`` (1–3)."""
    fam = _check_family(family)
    if difficulty not in (1, 2, 3):
        from cardcli.errors import UsageError

        raise UsageError(f"difficulty must be 1, 2 or 3, got {difficulty}")
    draft = fam.make(problem_rng(family, seed, difficulty, index), difficulty)
    return Problem(
        id=f"{family}-d{difficulty}-s{seed}-{index}", family=family, topics=fam.topics, seed=int(seed),
        difficulty=int(difficulty), params=draft.params, prompt=draft.prompt, answer=draft.answer,
        solution=draft.solution, answer_kind=draft.answer_kind, tolerance=draft.tolerance,
        matrices=draft.matrices, highlight=draft.highlight, stem=draft.stem,
    )


def generate(family: str, count: int, seed: int, difficulty: int = 1) -> list[Problem]:
    """``count`` problems of ``family``; problem i is the same for every ``count``."""
    _check_family(family)
    return [problem(family, seed, difficulty, i) for i in range(count)]
