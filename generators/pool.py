"""2-D max and average pooling with PyTorch semantics (padding, ceil_mode) and their backward pass.

For window ``W(i, j) = {(s*i - p + u, s*j - p + v) : 0 <= u < KH, 0 <= v < KW}``::

    max:  out[i, j] = max over W(i, j) ∩ input                    (padding acts as -inf)
    avg:  out[i, j] = sum over W(i, j) ∩ input / n(i, j)           (count_include_pad=True:
          n counts padding cells too, but not the cells past the right padding that ceil_mode adds)

Backward: max routes each grad_output[i, j] to the first maximum of its window (row-major, as
PyTorch's CPU kernel); avg spreads ``grad_output[i, j] / n(i, j)`` over the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from generators._args import as_float_array, as_pair
from generators.sizes import pool_output_size

__all__ = ["pool2d", "pool2d_backward"]

MODES = {"max": "max", "avg": "avg", "average": "avg", "mean": "avg"}


@dataclass(frozen=True)
class _Plan:
    """Everything pool2d and its backward need: (N, H, W) input, geometry and padded layout."""

    x: np.ndarray  # N×H×W (leading dims flattened)
    shape: tuple[int, ...]  # original input shape
    mode: str
    k: tuple[int, int]
    s: tuple[int, int]
    p: tuple[int, int]
    out: tuple[int, int]
    pad: tuple[tuple[int, int], tuple[int, int]]  # (before, after) per axis; after >= p with ceil_mode


def _plan(input: Any, kernel_size: Any, stride: Any, padding: Any, mode: str, ceil_mode: bool) -> _Plan:
    x = as_float_array(input, "input", (2, 3, 4))
    key = str(mode).strip().lower()
    if key not in MODES:
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    k = as_pair(kernel_size, "kernel_size", minimum=1)
    s = k if stride is None else as_pair(stride, "stride", minimum=1)
    p = as_pair(padding, "padding", minimum=0)
    h, w = x.shape[-2:]
    out = (
        pool_output_size(h, k[0], s[0], p[0], ceil_mode=bool(ceil_mode)),
        pool_output_size(w, k[1], s[1], p[1], ceil_mode=bool(ceil_mode)),
    )
    after = tuple(max(p[a], (out[a] - 1) * s[a] + k[a] - (size + p[a])) for a, size in enumerate((h, w)))
    return _Plan(
        x=x.reshape(-1, h, w), shape=x.shape, mode=MODES[key], k=k, s=s, p=p, out=out,
        pad=((p[0], after[0]), (p[1], after[1])),
    )


def _windows(plan: _Plan, fill: float) -> np.ndarray:
    """``(N, OH, OW, KH, KW)`` view of the padded input under each window."""
    xp = np.pad(plan.x, ((0, 0), *plan.pad), constant_values=fill)
    view = sliding_window_view(xp, plan.k, axis=(1, 2))
    return view[:, :: plan.s[0], :: plan.s[1]][:, : plan.out[0], : plan.out[1]]


def _divisor(plan: _Plan) -> np.ndarray:
    """``n(i, j)``: window cells inside input + padding (count_include_pad=True), OH×OW."""
    counts = []
    for a, size in enumerate(plan.x.shape[1:]):
        start = np.arange(plan.out[a]) * plan.s[a] - plan.p[a]
        counts.append(np.minimum(start + plan.k[a], size + plan.p[a]) - start)
    return np.outer(counts[0], counts[1]).astype(np.float64)


def pool2d(
    input: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    mode: str = "max",
    ceil_mode: bool = False,
) -> np.ndarray:
    """Max or average pooling over the last two axes (H×W, C×H×W or N×C×H×W input).

    ``max``: ``out[i,j] = max_{(u,v) in window(i,j)} x[u,v]`` (padding never wins);
    ``avg``: ``out[i,j] = sum_{window(i,j)} x / n(i,j)`` with padding counted (PyTorch default).
    ``stride`` None means ``kernel_size``; sizes follow :func:`generators.sizes.pool_output_size`.
    """
    plan = _plan(input, kernel_size, stride, padding, mode, ceil_mode)
    if plan.mode == "max":
        out = _windows(plan, -np.inf).max(axis=(-2, -1))
    else:
        out = _windows(plan, 0.0).sum(axis=(-2, -1)) / _divisor(plan)
    return out.reshape(*plan.shape[:-2], *plan.out)


def pool2d_backward(
    input: Any,
    grad_output: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    mode: str = "max",
    ceil_mode: bool = False,
) -> np.ndarray:
    """``dL/dinput`` for ``L = sum(pool2d(input, ...) * grad_output)``, shaped like ``input``.

    max: ``dx[argmax window(i,j)] += g[i,j]`` (first maximum in row-major order, like PyTorch);
    avg: ``dx[window(i,j)] += g[i,j] / n(i,j)``.
    """
    plan = _plan(input, kernel_size, stride, padding, mode, ceil_mode)
    g = as_float_array(grad_output, "grad_output", (2, 3, 4))
    expected = (*plan.shape[:-2], *plan.out)
    if g.shape != expected:
        raise ValueError(f"grad_output must have shape {expected} (the forward output), got {g.shape}")
    g = g.reshape(-1, *plan.out)
    n = plan.x.shape[0]
    (kh, kw), (sh, sw), (oh, ow) = plan.k, plan.s, plan.out
    h_pad = plan.x.shape[1] + sum(plan.pad[0])
    w_pad = plan.x.shape[2] + sum(plan.pad[1])
    grad_p = np.zeros((n, h_pad, w_pad))
    if plan.mode == "max":
        flat = _windows(plan, -np.inf).reshape(n, oh, ow, kh * kw)
        arg = flat.argmax(axis=-1)
        rows = np.arange(oh)[None, :, None] * sh + arg // kw
        cols = np.arange(ow)[None, None, :] * sw + arg % kw
        batch = np.broadcast_to(np.arange(n)[:, None, None], arg.shape)
        np.add.at(grad_p, (batch, rows, cols), g)
    else:
        share = g / _divisor(plan)  # N×OH×OW
        rows = (np.arange(oh)[:, None] * sh + np.arange(kh)[None, :])[None, :, None, :, None]
        cols = (np.arange(ow)[:, None] * sw + np.arange(kw)[None, :])[None, None, :, None, :]
        batch = np.arange(n)[:, None, None, None, None]
        idx = np.broadcast_arrays(batch, rows, cols, share[..., None, None])
        np.add.at(grad_p, tuple(idx[:3]), idx[3])
    (pt, _), (pl, _) = plan.pad
    grad = grad_p[:, pt : pt + plan.x.shape[1], pl : pl + plan.x.shape[2]]
    return grad.reshape(plan.shape)
