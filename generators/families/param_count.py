"""param-count: trainable parameters of a layer or a small network, and the common counting mistakes."""

from __future__ import annotations

from typing import Any

import numpy as np

from generators.families._common import FamilySpec, make_draft, pick, rand_int, solve
from generators.problem import Draft, Mistake

__all__ = ["SPECS", "MISTAKES", "make"]



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


def make(rng: np.random.Generator, d: int) -> Draft:
    if d == 1:
        if rng.random() < 0.6:
            layers = [{"type": "conv", "in_channels": pick(rng, (1, 3, 16, 32, 64)),
                       "out_channels": pick(rng, (8, 16, 32, 64, 128)), "kernel_size": pick(rng, (1, 3, 5)),
                       "bias": True}]
        else:
            layers = [{"type": "linear", "in_features": pick(rng, (10, 64, 100, 256, 784, 1024)),
                       "out_features": pick(rng, (2, 10, 32, 100, 128)), "bias": True}]
    else:
        size = pick(rng, (16, 28, 32, 64))
        ch = pick(rng, (1, 3))
        layers = []
        for _ in range(rand_int(rng, 2, 3)):
            out_ch = pick(rng, (8, 16, 32, 64))
            if d == 3 and rng.random() < 0.3:
                k: Any = pick(rng, ([1, 3], [3, 1], [1, 5]))
            else:
                k = pick(rng, (3, 5)) if d == 3 else 3
            bias = not (d == 3 and rng.random() < 0.4)
            layers.append({"type": "conv", "in_channels": ch, "out_channels": out_ch, "kernel_size": k,
                           "bias": bias})
            layers.append({"type": "pool", "kernel_size": 2})
            ch, size = out_ch, size // 2
        layers.append({"type": "linear", "in_features": ch * size * size, "out_features": pick(rng, (10, 100)),
                       "bias": True})
    total = int(solve("network_params", layers=layers))
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
    return make_draft(params, stem, total, "\n".join(lines), "int")


# -- mistakes -----------------------------------------------------------------------------------
def _ins_outs(layer: dict) -> tuple[int, int]:
    if layer["type"] == "conv":
        return int(layer["in_channels"]), int(layer["out_channels"])
    return int(layer["in_features"]), int(layer["out_features"])


def _biased(params: dict) -> list[dict]:
    return [ly for ly in params["layers"] if ly["type"] in ("conv", "linear") and ly.get("bias", True)]


def _total(layers: list[dict]) -> int:
    return int(solve("network_params", layers=layers))


def _weights_only(params: dict) -> int:
    return _total([{**ly, "bias": False} if ly["type"] in ("conv", "linear") else ly for ly in params["layers"]])


def _no_bias(params: dict) -> Any:
    return _weights_only(params) if _biased(params) else None


def _bias_per_input(params: dict) -> Any:
    biased = _biased(params)
    if not biased or all(_ins_outs(ly)[0] == _ins_outs(ly)[1] for ly in biased):
        return None
    return _weights_only(params) + sum(_ins_outs(ly)[0] for ly in biased)


def _one_bias(params: dict) -> Any:
    biased = _biased(params)
    if not biased or all(_ins_outs(ly)[1] == 1 for ly in biased):
        return None
    return _weights_only(params) + len(biased)


def _kernel_forgotten(params: dict) -> Any:
    layers = [{**ly, "kernel_size": 1} if ly["type"] == "conv" else ly for ly in params["layers"]]
    if layers == params["layers"]:
        return None
    return _total(layers)


MISTAKES: tuple[Mistake, ...] = (
    Mistake("bias-forgotten", "bias forgotten",
            "every conv/linear layer with bias=True also has one bias per output (C_out or out_features)", _no_bias),
    Mistake("bias-per-input", "biases counted per input instead of per output (C_in and C_out confused)",
            "there is one bias per filter (output channel) or output feature, not per input", _bias_per_input),
    Mistake("one-bias-per-layer", "one bias per layer instead of one per output",
            "each output channel (filter) or output feature has its own bias", _one_bias),
    Mistake("kernel-size-forgotten", "kernel size forgotten (weights counted as C_in·C_out)",
            "a conv filter has k_h·k_w·C_in weights: C_in·C_out is multiplied by the kernel area", _kernel_forgotten),
)


def _one_layer(kind: str) -> Any:
    def read(args: dict) -> dict:
        return {"layers": [{"type": kind, **args}]}

    return read


SPECS = {"param-count": FamilySpec(make, MISTAKES, {"conv_params": _one_layer("conv"),
                                                    "linear_params": _one_layer("linear")})}
