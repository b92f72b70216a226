"""2-D convolution (cross-correlation, as PyTorch defines it) and its backward pass.

Forward, for input ``x`` (C×H×W), weight ``w`` (F×C×KH×KW), zero padding, stride ``s`` and
dilation ``d``::

    out[f, i, j] = b[f] + sum_{c, u, v} w[f, c, u, v] * x_pad[c, s*i + d*u, s*j + d*v]
    OH = floor((H + pad_top + pad_bottom - d*(KH - 1) - 1) / s) + 1      (same for OW)

Backward, for ``L = sum(out * grad_output)``::

    dL/dw[f, c, u, v] = sum_{i, j} grad_output[f, i, j] * x_pad[c, s*i + d*u, s*j + d*v]
    dL/db[f]          = sum_{i, j} grad_output[f, i, j]
    dL/dx_pad         = full correlation of the stride-dilated grad_output with the
                        spatially flipped, channel-transposed weight (then cropped to x)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from generators._args import as_float_array, as_pair

__all__ = ["conv2d", "conv2d_backward", "resolve_padding"]

Padding = tuple[tuple[int, int], tuple[int, int]]
PADDING_MODES = ("valid", "same", "full")


def resolve_padding(
    padding: Any, kernel_size: tuple[int, int], stride: tuple[int, int], dilation: tuple[int, int]
) -> Padding:
    """``((top, bottom), (left, right))`` zero padding for an int, an (h, w) pair or a mode name.

    'valid' = no padding; 'full' = ``d*(k-1)`` on every side; 'same' (stride 1 only, as in
    PyTorch) = ``d*(k-1)`` in total per axis, ``total // 2`` before and the odd extra after
    (right/bottom).
    """
    if isinstance(padding, str):
        mode = padding.strip().lower()
        totals = [d * (k - 1) for k, d in zip(kernel_size, dilation)]
        if mode == "valid":
            return ((0, 0), (0, 0))
        if mode == "full":
            return ((totals[0], totals[0]), (totals[1], totals[1]))
        if mode == "same":
            if stride != (1, 1):
                raise ValueError(f"padding='same' needs stride 1 (as in PyTorch), got stride {stride}")
            h, w = totals
            return ((h // 2, h - h // 2), (w // 2, w - w // 2))
        raise ValueError(f"padding must be an int, an (h, w) pair or one of {PADDING_MODES}, got {padding!r}")
    ph, pw = as_pair(padding, "padding", minimum=0)
    return ((ph, ph), (pw, pw))


def _windows(xp: np.ndarray, kernel: tuple[int, int], stride: tuple[int, int],
             dilation: tuple[int, int], out: tuple[int, int]) -> np.ndarray:
    """View ``(C, OH, OW, KH, KW)`` of the (already padded) ``xp`` under each output position."""
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out
    eff = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    view = sliding_window_view(xp, eff, axis=(1, 2))
    return view[:, : sh * (oh - 1) + 1 : sh, : sw * (ow - 1) + 1 : sw, ::dh, ::dw]


def _prepare(input: Any, weight: Any, stride: Any, padding: Any, dilation: Any):
    """Validate and normalise to ``x`` (C×H×W), ``w`` (F×C×KH×KW), stride, dilation, padding, output size."""
    x = as_float_array(input, "input", (2, 3))
    w = as_float_array(weight, "weight", (2, 3, 4))
    two_d = x.ndim == 2 and w.ndim == 2
    if x.ndim == 2:
        x = x[None]
    if w.ndim == 2:
        w = w[None, None]
    elif w.ndim == 3:  # one filter C×KH×KW
        w = w[None]
    if w.shape[1] != x.shape[0]:
        raise ValueError(
            f"channel mismatch: input has {x.shape[0]} channel(s) but weight expects {w.shape[1]} "
            f"(weight shape {w.shape})"
        )
    s = as_pair(stride, "stride", minimum=1)
    d = as_pair(dilation, "dilation", minimum=1)
    k = (w.shape[2], w.shape[3])
    pad = resolve_padding(padding, k, s, d)
    out = []
    for axis, name in ((0, "height"), (1, "width")):
        size = x.shape[1 + axis] + sum(pad[axis])
        eff = d[axis] * (k[axis] - 1) + 1
        if eff > size:
            raise ValueError(
                f"kernel {name} {k[axis]} (dilated to {eff}) is larger than the padded input {name} {size}"
            )
        out.append((size - eff) // s[axis] + 1)
    return x, w, s, d, pad, (out[0], out[1]), two_d


def conv2d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
) -> np.ndarray:
    """Cross-correlation ``out[f,i,j] = b[f] + sum_{c,u,v} w[f,c,u,v] x_pad[c, s*i+d*u, s*j+d*v]``.

    ``input`` is C×H×W or H×W; ``weight`` F×C×KH×KW, C×KH×KW (one filter) or KH×KW.
    2-D input with 2-D weight gives a 2-D output, anything else F×OH×OW.
    ``stride``/``padding``/``dilation`` are ints or (h, w) pairs; ``padding`` may also be
    'valid', 'same' (stride 1; odd extra padding on the bottom/right like PyTorch) or 'full'.
    ``bias`` is a scalar or one value per filter.
    """
    x, w, s, d, pad, out_hw, two_d = _prepare(input, weight, stride, padding, dilation)
    xp = np.pad(x, ((0, 0), *pad))
    win = _windows(xp, (w.shape[2], w.shape[3]), s, d, out_hw)
    out = np.einsum("chwij,fcij->fhw", win, w, optimize=True)
    if bias is not None:
        b = as_float_array(bias, "bias", (0, 1)).reshape(-1)
        if b.size not in (1, w.shape[0]):
            raise ValueError(f"bias must have one value per filter ({w.shape[0]}), got {b.size}")
        out = out + b[:, None, None]
    return out[0] if two_d else out


def conv2d_backward(
    input: Any,
    weight: Any,
    grad_output: Any,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients ``(dL/dinput, dL/dweight, dL/dbias)`` of ``L = sum(conv2d(input, weight) * grad_output)``.

    Shapes follow the arguments: ``grad_input`` like ``input``, ``grad_weight`` like ``weight``,
    ``grad_bias`` one value per filter (a 0-d array when input and weight are both 2-D).
    ``grad_output`` is F×OH×OW (or OH×OW for a single filter) and must match the forward output.
    Formulas::

        dL/dw[f,c,u,v] = sum_{i,j} g[f,i,j] x_pad[c, s*i+d*u, s*j+d*v]
        dL/db[f]       = sum_{i,j} g[f,i,j]
        dL/dx_pad      = corr(pad(dilate_s(g), d*(k-1)), flip(w).transpose(c, f), dilation=d)
    """
    x_shape = np.shape(input)
    w_shape = np.shape(weight)
    x, w, s, d, pad, (oh, ow), two_d = _prepare(input, weight, stride, padding, dilation)
    f, c, kh, kw = w.shape
    g = as_float_array(grad_output, "grad_output", (2, 3))
    if g.ndim == 2:
        g = g[None]
    if g.shape != (f, oh, ow):
        raise ValueError(f"grad_output must have shape {(f, oh, ow)} (the forward output), got {g.shape}")

    xp = np.pad(x, ((0, 0), *pad))
    win = _windows(xp, (kh, kw), s, d, (oh, ow))
    grad_w = np.einsum("chwij,fhw->fcij", win, g, optimize=True)
    grad_b = g.sum(axis=(1, 2))

    # Transposed formulation: spread g onto a stride-s grid, pad by the dilated kernel extent and
    # correlate with the flipped kernel (channels swapped). This covers the rows/cols of x_pad that
    # some window touched; the rest (cut off by the floor in the output size) get zero gradient.
    dil = np.zeros((f, s[0] * (oh - 1) + 1, s[1] * (ow - 1) + 1))
    dil[:, :: s[0], :: s[1]] = g
    eh, ew = d[0] * (kh - 1), d[1] * (kw - 1)
    dil = np.pad(dil, ((0, 0), (eh, eh), (ew, ew)))
    used = (dil.shape[1] - eh, dil.shape[2] - ew)
    w_t = w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)
    covered = np.einsum("fhwij,cfij->chw", _windows(dil, (kh, kw), (1, 1), d, used), w_t, optimize=True)
    grad_xp = np.zeros_like(xp)
    grad_xp[:, : used[0], : used[1]] = covered
    (pt, _), (pl, _) = pad
    grad_x = grad_xp[:, pt : pt + x.shape[1], pl : pl + x.shape[2]]

    grad_x = grad_x.reshape(x_shape)
    grad_w = grad_w.reshape(w_shape)
    if two_d:
        return grad_x, grad_w, grad_b.reshape(())
    return grad_x, grad_w, grad_b
