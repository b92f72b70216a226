"""Hints for a stuck student: the formula a problem needs, with this problem's numbers put in.

A hint substitutes the numbers but stops before the arithmetic that gives the answer away:
``floor((13 + 2·1 − 3)/2) + 1``, not ``= 7``. :func:`hint` gives one line (or a few) for a family
and its params; a family without a hint of its own (a new one) gets a pointer to its worked
solution's first step.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["hint"]


def _conv_size(p: dict) -> str:
    i, k, s, pad, d = (p.get(n, dv) for n, dv in (("input_size", 0), ("kernel_size", 1), ("stride", 1),
                                                   ("padding", 0), ("dilation", 1)))
    text = (f"out = floor((i + 2p − d·(k − 1) − 1)/s) + 1 with i = {i}, k = {k}, s = {s}, p = {pad}, d = {d}: "
            f"floor(({i} + 2·{pad} − {d}·({k} − 1) − 1)/{s}) + 1")
    if "out_channels" in p:
        text += f"; the channels are the layer's out_channels ({p['out_channels']})"
    return text


def _pool_size(p: dict) -> str:
    i, k, s, pad = p["input_size"], p["kernel_size"], p.get("stride") or p["kernel_size"], p.get("padding", 0)
    rnd = "ceil" if p.get("ceil_mode") else "floor"
    text = (f"out = {rnd}((i + 2p − k)/s) + 1 with i = {i}, k = {k}, s = {s}, p = {pad}: "
            f"{rnd}(({i} + 2·{pad} − {k})/{s}) + 1")
    if p.get("ceil_mode"):
        text += f"; PyTorch drops a last window that would start at or beyond i + p = {i + pad}"
    return text


def _transposed(p: dict) -> str:
    i, k, s, pad, op, d = (p["input_size"], p["kernel_size"], p["stride"], p["padding"], p["output_padding"],
                           p["dilation"])
    return (f"out = (i − 1)·s − 2p + d·(k − 1) + output_padding + 1 with i = {i}, s = {s}, p = {pad}, d = {d}, "
            f"k = {k}, output_padding = {op}: ({i} − 1)·{s} − 2·{pad} + {d}·({k} − 1) + {op} + 1")


def _params(p: dict) -> str:
    parts = []
    for ly in p["layers"]:
        b = " + 1" if ly.get("bias", True) else ""
        if ly["type"] == "conv":
            k = ly["kernel_size"]
            parts.append(f"conv ({k}·{k}·{ly['in_channels']}{b})·{ly['out_channels']}")
        elif ly["type"] == "linear":
            parts.append(f"linear ({ly['in_features']}{b})·{ly['out_features']}")
        else:
            parts.append(f"{ly['type']} 0")
    return ("weights per layer: conv (k·k·C_in + 1 if bias)·C_out, linear (in + 1 if bias)·out, pooling 0: "
            + "; ".join(parts))


def _memory(p: dict) -> str:
    shapes = " + ".join("·".join(map(str, sh)) for sh in p["shapes"])
    text = f"values = batch · (C·H·W summed over the tensors) = {p['batch']} · ({shapes})"
    if "unit" in p:
        sizes = {"B": "1", "KB": "10³", "MB": "10⁶", "GB": "10⁹", "KiB": "2¹⁰", "MiB": "2²⁰", "GiB": "2³⁰"}
        nbytes = {"float16": 2, "float32": 4, "float64": 8, "int8": 1, "uint8": 1}.get(str(p.get("dtype")), "?")
        text += f"; bytes = values · {nbytes} ({p.get('dtype')}); {p['unit']} = bytes / {sizes.get(p['unit'], '?')}"
    return text


def _receptive(p: dict) -> str:
    layers = ", ".join(f"(k {ly['kernel_size']}, s {ly['stride']}, d {ly['dilation']})" for ly in p["layers"])
    return ("start from r = 1 at the last layer and go backwards: r ← (r − 1)·s + d·(k − 1) + 1 for each layer; "
            f"layers first to last: {layers}")


def _spectral(p: dict) -> str:
    w = p["weight"]
    bound = {"sigmoid": "1/4", "tanh": "1", "relu": "1"}.get(p["activation"], "1")
    text = f"ρ = max |eigenvalue| of W_hh; γ = max {p['activation']}' = {bound}; compare γ·σ_max and γ·ρ with 1"
    if len(w) == 2:
        tr = w[0][0] + w[1][1]
        det = w[0][0] * w[1][1] - w[0][1] * w[1][0]
        text += (f"; for a 2×2 matrix the eigenvalues solve λ² − (trace)λ + det = 0: "
                 f"λ² − ({_n(tr)})λ + ({_n(det)}) = 0")
    elif all(w[i][j] == 0 for i in range(len(w)) for j in range(i)):
        text += "; W_hh is triangular: its eigenvalues are its diagonal entries"
    return text


def _vgg(p: dict) -> str:
    return (f"input {p['input_size']}×{p['input_size']}; 3×3 convs with padding 1 keep H×W, each block's 2×2 "
            "stride-2 pool halves it (H = input / 2^(pools before this point)); channels per block 64, 128, "
            "256, 512, 512")


def _conv_forward(p: dict) -> str:
    s, pad, d = p["stride"], p["padding"], p["dilation"]
    cell = p.get("cell")
    where = f"out[{cell[0]}, {cell[1]}]" if cell else "out[i, j]"
    i, j = (cell[0], cell[1]) if cell else ("i", "j")
    bias = " + b" if any(p.get("bias") or []) else ""
    chans = ", summed over the input channels" if p.get("in_channels", 1) > 1 else ""
    return (f"{where} = Σ_u,v W[u, v] · x_pad[{s}·{i} + {d}·u, {s}·{j} + {d}·v]{bias}{chans} "
            f"(x_pad: the input with {pad} ring{'s' if pad != 1 else ''} of zeros; no flip)")


def _conv_backward(p: dict) -> str:
    s, pad, d = p["stride"], p["padding"], p["dilation"]
    if p["wrt"] == "weight":
        return (f"dL/dW[u, v] = Σ_i,j G[i, j] · x_pad[{s}·i + {d}·u, {s}·j + {d}·v] "
                f"(x_pad: x with {pad} ring{'s' if pad != 1 else ''} of zeros)")
    return (f"dL/dx[a, b] = Σ G[i, j] · W[u, v] over every (i, j, u, v) with {s}·i + {d}·u − {pad} = a and "
            f"{s}·j + {d}·v − {pad} = b (each input cell collects the gradient of every window that used it)")


def _pool(p: dict) -> str:
    k, s, pad = p["kernel_size"], p.get("stride") or p["kernel_size"], p.get("padding", 0)
    what = "the maximum" if p["mode"] == "max" else f"the sum / {k * k} (padded zeros count)"
    text = (f"x_pad: the input with {pad} ring{'s' if pad != 1 else ''} of padding; window (i, j) covers x_pad "
            f"rows {s}·i … {s}·i + {k - 1}, columns {s}·j … {s}·j + {k - 1}; out = {what}")
    if "grad_output" in p:
        text += ("; backward: " + ("each G[i, j] goes to its window's argmax only" if p["mode"] == "max"
                                   else f"each G[i, j] / {k * k} goes to every cell of its window")
                 + ", and a cell in several windows adds them up")
    return text


def _n(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


_HINTS: dict[str, Callable[[dict], str]] = {
    "conv-output-size": _conv_size, "pool-output-size": _pool_size, "transposed-conv-output-size": _transposed,
    "param-count": _params, "activation-memory": _memory, "receptive-field": _receptive,
    "spectral-radius": _spectral, "vgg-dims": _vgg, "conv-forward": _conv_forward,
    "conv-backward": _conv_backward, "pool-forward": _pool, "pool-backward": _pool,
}


def hint(family: str, params: dict, solution: str = "") -> str:
    """One hint for a problem of ``family`` with ``params`` (the formula, this problem's numbers in)."""
    fn = _HINTS.get(family)
    if fn is not None:
        try:
            return fn(params)
        except (KeyError, TypeError, ValueError, IndexError):
            pass
    first = _first_step(solution)
    return f"start from: {first}" if first else "write down the formula for this quantity and put the numbers in"


#: what a worked step ends with when it ends in its result: a number or a list of numbers
_RESULT = re.compile(r"\s=\s*[-−+\d.,eE\[\]()\s]+$")


def _first_step(solution: str) -> str:
    """The worked solution's first formula line with this problem's numbers in but its result left
    off (``t1 = u − v = 2 − (-2)``, not ``… = 4``); headings (a line ending in ``:``) are skipped."""
    for line in solution.splitlines():
        text = line.strip()
        if not text or text.endswith(":") or not any(ch.isdigit() for ch in text):
            continue
        cut = _RESULT.sub("", text)
        return cut[:300] + ("…" if len(cut) > 300 else "")
    return ""
