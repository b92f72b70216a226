"""Learnable parameter counts of conv / linear layers and of whole networks (VGG-16, AlexNet).

    conv:   out_channels * (in_channels * KH * KW + bias)
    linear: out_features * (in_features + bias)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from generators._args import as_int, as_pair

__all__ = ["NETWORKS", "conv_params", "linear_params", "layer_params", "network_params"]


def _conv(cin: int, cout: int, k: int) -> dict[str, Any]:
    return {"type": "conv", "in_channels": cin, "out_channels": cout, "kernel_size": k}


def _pool() -> dict[str, Any]:
    return {"type": "pool"}


def _linear(fin: int, fout: int) -> dict[str, Any]:
    return {"type": "linear", "in_features": fin, "out_features": fout}


def _vgg16() -> list[dict[str, Any]]:
    layers: list[dict[str, Any]] = []
    cin = 3
    for cout, repeat in ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3)):
        for _ in range(repeat):
            layers.append(_conv(cin, cout, 3))
            cin = cout
        layers.append(_pool())
    return layers + [_linear(512 * 7 * 7, 4096), _linear(4096, 4096), _linear(4096, 1000)]


def _alexnet() -> list[dict[str, Any]]:
    """torchvision.models.alexnet (single-tower variant: 64/192/384/256/256 filters)."""
    return [
        _conv(3, 64, 11), _pool(), _conv(64, 192, 5), _pool(),
        _conv(192, 384, 3), _conv(384, 256, 3), _conv(256, 256, 3), _pool(),
        _linear(256 * 6 * 6, 4096), _linear(4096, 4096), _linear(4096, 1000),
    ]


#: layer lists of the known networks (VGG-16 configuration D; torchvision AlexNet)
NETWORKS: dict[str, list[dict[str, Any]]] = {"vgg16": _vgg16(), "alexnet": _alexnet()}

ZERO_PARAM_TYPES = ("pool", "maxpool", "avgpool", "relu", "dropout", "flatten", "softmax", "lrn")


def conv_params(in_channels: int, out_channels: int, kernel_size: Any, bias: bool = True) -> int:
    """``out_channels * (in_channels * KH * KW + bias)``; ``kernel_size`` an int or ``[kh, kw]``."""
    cin = as_int(in_channels, "in_channels", minimum=1)
    cout = as_int(out_channels, "out_channels", minimum=1)
    kh, kw = as_pair(kernel_size, "kernel_size", minimum=1)
    return cout * (cin * kh * kw + int(bool(bias)))


def linear_params(in_features: int, out_features: int, bias: bool = True) -> int:
    """``out_features * (in_features + bias)``."""
    fin = as_int(in_features, "in_features", minimum=1)
    fout = as_int(out_features, "out_features", minimum=1)
    return fout * (fin + int(bool(bias)))


def layer_params(layer: Mapping[str, Any]) -> int:
    """Parameters of one layer dict: ``conv`` (``stride``/``padding``/``dilation`` accepted and
    ignored) / ``linear`` (alias ``fc``) / ``batchnorm``
    (``2 * num_features``: scale and shift) / pooling, activations, dropout (0)."""
    if not isinstance(layer, Mapping) or "type" not in layer:
        raise ValueError(f"each layer must be a mapping with a 'type', got {layer!r}")
    kind = str(layer["type"]).strip().lower()
    rest = {k: v for k, v in layer.items() if k != "type"}
    if kind == "conv":  # the sliding-window arguments (flops' layers carry them) change no count
        rest = {k: v for k, v in rest.items() if k not in ("stride", "padding", "dilation")}
    try:
        if kind == "conv":
            return conv_params(**rest)
        if kind in ("linear", "fc"):
            return linear_params(**rest)
        if kind == "batchnorm":
            return 2 * as_int(rest.pop("num_features"), "num_features", minimum=1)
    except (TypeError, KeyError) as e:
        raise ValueError(f"bad {kind} layer {dict(layer)!r}: {e}") from None
    if kind in ZERO_PARAM_TYPES:
        return 0
    known = ("conv", "linear", "fc", "batchnorm", *ZERO_PARAM_TYPES)
    raise ValueError(f"unknown layer type {layer['type']!r}; known: {', '.join(known)}")


def network_params(network: str | None = None, layers: Sequence[Mapping[str, Any]] | None = None) -> int:
    """Total learnable parameters of a named ``network`` ("vgg16": 138,357,544; "alexnet":
    61,100,840) or of an explicit ``layers`` list (sum of :func:`layer_params`). Give exactly one."""
    if (network is None) == (layers is None):
        raise ValueError("give exactly one of network (a name) or layers (a list of layer dicts)")
    if network is not None:
        key = str(network).strip().lower().replace("-", "").replace("_", "")
        if key not in NETWORKS:
            raise ValueError(f"unknown network {network!r}; known: {', '.join(NETWORKS)}")
        layers = NETWORKS[key]
    if isinstance(layers, (str, bytes, Mapping)) or not isinstance(layers, Sequence):
        raise ValueError(f"layers must be a list of layer dicts, got {layers!r}")
    return sum(layer_params(layer) for layer in layers)
