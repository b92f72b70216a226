"""Receptive field of a stack of conv/pool layers (one spatial axis).

    r_0 = 1,  j_0 = 1
    r_l = r_{l-1} + d_l (k_l - 1) j_{l-1},   j_l = j_{l-1} s_l
i.e. ``r = 1 + sum_l d_l (k_l - 1) prod_{m<l} s_m``. Padding does not change the size.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from generators._args import as_int

__all__ = ["receptive_field"]

_KEYS = {"kernel_size", "stride", "dilation", "padding", "type", "name"}


def receptive_field(layers: Sequence[Mapping[str, Any]]) -> int:
    """Receptive field (in input pixels, per axis) of one output unit of the last layer.

    Each layer is ``{kernel_size, stride=1, dilation=1}`` (``padding``, ``type``, ``name`` are
    accepted and ignored). Example: three 3×3 stride-1 convs -> 7.
    """
    if isinstance(layers, (str, bytes, Mapping)) or not isinstance(layers, Sequence) or not layers:
        raise ValueError(f"layers must be a non-empty list of {{kernel_size, stride, dilation}}, got {layers!r}")
    field, jump = 1, 1
    for n, layer in enumerate(layers):
        if not isinstance(layer, Mapping) or "kernel_size" not in layer:
            raise ValueError(f"layer {n} must be a mapping with a kernel_size, got {layer!r}")
        unknown = set(layer) - _KEYS
        if unknown:
            raise ValueError(f"layer {n}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_KEYS)}")
        k = as_int(layer["kernel_size"], f"layer {n} kernel_size", minimum=1)
        s = as_int(layer.get("stride", 1), f"layer {n} stride", minimum=1)
        d = as_int(layer.get("dilation", 1), f"layer {n} dilation", minimum=1)
        field += d * (k - 1) * jump
        jump *= s
    return field
