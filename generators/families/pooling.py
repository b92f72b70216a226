"""pool-forward and pool-backward: max/average pooling and the gradient routed back through it.

Both families draw the same kind of windows (geometry, tie-free max-pool inputs), so they share
this module: drawing, worked solutions and the common mistakes of each.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from generators.families._common import (
    FamilySpec,
    at_cell,
    cell_ask,
    example,
    make_draft,
    num,
    pick,
    plain,
    rand_int,
    rand_ints,
    solve,
)
from generators.problem import Draft, Mistake
from generators.render import fmt, fraction_hint, grid

__all__ = ["SPECS", "FORWARD_MISTAKES", "BACKWARD_MISTAKES", "make_forward", "make_backward"]


def _number_format(answer: Any) -> str:
    """How to type an average-pool value, with examples that are none of the answer's cells."""
    cells = np.asarray(answer, dtype=float).ravel()

    def taken(value: float) -> bool:
        return bool(np.any(np.abs(cells - value) <= 1e-3 * abs(value)))

    decimal = example(("0.1667", "0.2857", "0.4444"), lambda e: taken(float(e)))
    frac = example(("7/4", "3/4", "5/3"), lambda e: taken(int(e.split("/")[0]) / int(e.split("/")[1])))
    return f" Give 4 significant figures (e.g. {decimal}) or a fraction like {frac} (relative tolerance 1e-3)."


def _pool_geometry(rng: np.random.Generator, d: int, *, allow_ceil: bool) -> dict:
    for _ in range(1000):
        ceil = False
        if d == 1:
            h, k = pick(rng, ((4, 2), (6, 2), (6, 3), (5, 2)))
            if h == 5:
                h, k = 4, 2
            w, s, p = h, k, 0
        elif d == 2:
            h = w = rand_int(rng, 4, 6)
            k = pick(rng, (2, 3))
            s = rand_int(rng, 1, k)
            p = pick(rng, (0, 1, 1)) if k >= 2 else 0
        else:
            h, w = rand_int(rng, 5, 7), rand_int(rng, 5, 7)
            k = pick(rng, (2, 3))
            s = rand_int(rng, 1, k)
            p = pick(rng, (0, 1))
            ceil = allow_ceil and bool(rng.random() < 0.5)
        if p > k // 2:
            continue
        spans = [n + 2 * p - k for n in (h, w)]
        if min(spans) < 0:
            continue
        if not ceil and any(sp % s for sp in spans):
            continue
        oh = int(solve("pool_output_size", h, k, s, p, 1, ceil))
        ow = int(solve("pool_output_size", w, k, s, p, 1, ceil))
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
        x = rand_ints(rng, (g["h"], g["w"]), -3, 9 if mode == "max" else 5)
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


def make_forward(rng: np.random.Generator, d: int) -> Draft:
    mode = pick(rng, ("max", "avg"))
    g = _pool_geometry(rng, d, allow_ceil=(mode == "max"))
    x = _pool_values(rng, g, mode)
    out = np.asarray(solve("pool2d", x.tolist(), g["k"], g["s"], g["p"], mode, g["ceil"]), dtype=float)
    out = out.reshape(g["oh"], g["ow"])
    ask_cell = d == 3 and rng.random() < 0.5 or rng.random() < 0.3
    cell = (rand_int(rng, 0, g["oh"] - 1), rand_int(rng, 0, g["ow"] - 1)) if ask_cell else None
    answer: Any = num(out[cell]) if cell else plain(out)  # a number, or a matrix (nested lists)
    tol = None if mode == "max" else 1e-3
    params: dict[str, Any] = {"input": x.tolist(), "kernel_size": g["k"], "stride": g["s"], "padding": g["p"],
                              "mode": mode, "ceil_mode": g["ceil"]}
    if cell:
        params["cell"] = list(cell)
    stem = _pool_stem(g, mode) + "\n" + cell_ask((g["oh"], g["ow"]), cell, "out")
    if mode == "avg":
        stem += _number_format(answer)
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
    return make_draft(params, stem, answer, solution, kind, matrices={"Input": x.tolist()},
                  tolerance=tol, highlight=highlight)


def make_backward(rng: np.random.Generator, d: int) -> Draft:
    mode = pick(rng, ("max", "avg"))
    g = _pool_geometry(rng, d, allow_ceil=False)
    x = _pool_values(rng, g, mode)
    gout = rand_ints(rng, (g["oh"], g["ow"]), -2, 3)
    while not gout.any():
        gout = rand_ints(rng, (g["oh"], g["ow"]), -2, 3)
    gi = np.asarray(solve("pool2d_backward", x.tolist(), gout.tolist(), g["k"], g["s"], g["p"], mode, False),
                    dtype=float).reshape(g["h"], g["w"])
    ask_cell = d == 3 and rng.random() < 0.5
    cell = (rand_int(rng, 0, g["h"] - 1), rand_int(rng, 0, g["w"] - 1)) if ask_cell else None
    answer: Any = num(gi[cell]) if cell else plain(gi)  # a number, or a matrix (nested lists)
    tol = None if mode == "max" else 1e-3
    params: dict[str, Any] = {"input": x.tolist(), "grad_output": gout.tolist(), "kernel_size": g["k"],
                              "stride": g["s"], "padding": g["p"], "mode": mode, "ceil_mode": False}
    if cell:
        params["cell"] = list(cell)
    stem = (_pool_stem(g, mode) + " The upstream gradient G = dL/dout is given. Compute dL/dx.\n"
            + cell_ask((g["h"], g["w"]), cell, "dL/dx"))
    if mode == "avg":
        stem += _number_format(answer)
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
    return make_draft(params, stem, answer, solution, kind,
                  matrices={"Input": x.tolist(), "Upstream gradient G": gout.tolist()}, tolerance=tol)


# -- mistakes -----------------------------------------------------------------------------------
def _k(params: dict) -> int:
    """The window size kernel_size² (or kh·kw)."""
    k = params["kernel_size"]
    return int(k) * int(k) if isinstance(k, int) else int(k[0]) * int(k[1])


def _pool(params: dict, **changes: Any) -> np.ndarray:
    p = {**params, **changes}
    return np.asarray(solve("pool2d", p["input"], p["kernel_size"], p.get("stride"), p.get("padding", 0),
                            p.get("mode", "max"), p.get("ceil_mode", False)), dtype=float)


def _other(mode: str) -> str:
    return "avg" if mode == "max" else "max"


def _f_swapped(params: dict) -> Any:
    return at_cell(_pool(params, mode=_other(params["mode"])), params)


def _f_changed(key: str, neutral: Any) -> Any:
    def answer(params: dict) -> Any:
        if params.get(key, neutral) == neutral:
            return None
        return at_cell(_pool(params, **{key: neutral}), params)

    return answer


def _f_not_divided(params: dict) -> Any:
    if params["mode"] != "avg":
        return None
    return at_cell(_pool(params) * _k(params), params)


def _f_pad_excluded(params: dict) -> Any:
    if params["mode"] != "avg" or not params.get("padding"):
        return None
    inside = _pool(params, input=np.ones_like(np.asarray(params["input"], dtype=float)).tolist()) * _k(params)
    return at_cell(_pool(params) * _k(params) / inside, params)


FORWARD_MISTAKES: tuple[Mistake, ...] = (
    Mistake("max-avg-swapped", "max and average pooling confused",
            "this is {mode} pooling; your answer is what the other kind gives", _f_swapped),
    Mistake("padding-ignored", "padding ignored",
            "the windows are placed on the input padded by {padding}; your answer places them on the "
            "unpadded input", _f_changed("padding", 0)),
    Mistake("avg-not-divided", "window sum not divided by the window size",
            "an average divides the window's sum by kernel_size² = {kernel_size}²", _f_not_divided),
    Mistake("avg-pad-excluded", "padded zeros left out of the average",
            "avg_pool2d counts the padded zeros: it always divides by kernel_size² = {kernel_size}², not by "
            "the number of cells inside the input", _f_pad_excluded),
    Mistake("stride-ignored", "stride ignored",
            "window (i, j) starts at row {stride}·i; your answer moves the window one cell per output step",
            _f_changed("stride", 1)),
)


def _back(params: dict, **changes: Any) -> np.ndarray:
    p = {**params, **changes}
    return np.asarray(solve("pool2d_backward", p["input"], p["grad_output"], p["kernel_size"], p.get("stride"),
                            p.get("padding", 0), p.get("mode", "max"), p.get("ceil_mode", False)), dtype=float)


def _b_swapped(params: dict) -> Any:
    return at_cell(_back(params, mode=_other(params["mode"])), params)


def _b_to_all(mode: str) -> Any:
    def answer(params: dict) -> Any:
        if params["mode"] != mode:
            return None
        return at_cell(_back(params, mode="avg") * _k(params), params)

    return answer


def _b_overwritten(params: dict) -> Any:
    """Each window *assigns* its gradient (dx[cell] = …) instead of adding it, in row-major order."""
    k, s, p = params["kernel_size"], params.get("stride") or params["kernel_size"], params.get("padding", 0)
    if s >= k:
        return None
    x, g = params["input"], params["grad_output"]
    h, w = len(x), len(x[0])
    out = [[0.0] * w for _ in range(h)]
    for i, grow in enumerate(g):
        for j, gv in enumerate(grow):
            cells = [(r, c) for r in range(i * s - p, i * s - p + k) for c in range(j * s - p, j * s - p + k)
                     if 0 <= r < h and 0 <= c < w]
            if params["mode"] == "max":
                r, c = max(cells, key=lambda rc: x[rc[0]][rc[1]])
                out[r][c] = gv
            else:
                for r, c in cells:
                    out[r][c] = gv / (k * k)
    return at_cell(out, params)


BACKWARD_MISTAKES: tuple[Mistake, ...] = (
    Mistake("max-grad-to-all", "max-pool gradient sent to every cell of the window",
            "max pooling routes G[i, j] only to the window's maximum; the other cells get 0",
            _b_to_all("max")),
    Mistake("avg-not-divided", "window sum not divided by the window size",
            "average pooling gives each of the kernel_size² = {kernel_size}² cells G[i, j]/{kernel_size}², "
            "not G[i, j]", _b_to_all("avg")),
    Mistake("max-avg-swapped", "max and average pooling confused",
            "this is {mode} pooling; your answer routes the gradient as the other kind would", _b_swapped),
    Mistake("overlaps-not-added", "overlapping windows' gradients not added up",
            "windows overlap (stride {stride} < kernel {kernel_size}): a cell in several windows receives the "
            "sum of their gradients; your answer keeps only the last window's", _b_overwritten),
)

SPECS = {
    "pool-forward": FamilySpec(make_forward, FORWARD_MISTAKES),
    "pool-backward": FamilySpec(make_backward, BACKWARD_MISTAKES),
}
