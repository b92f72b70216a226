"""flops: multiply-accumulates (MACs) or FLOPs of one conv or linear layer on a batch, and the common mistakes.

The layer is in ``param-count``'s format with PyTorch's argument names::

    {"type": "conv", "in_channels": 3, "out_channels": 8, "kernel_size": 3 | [kh, kw],
     "stride": 1, "padding": 1, "bias": true}
    {"type": "linear", "in_features": 100, "out_features": 10, "bias": true}

``input_shape`` is (C, H, W) for a conv, (features,) for a linear layer, one example of a batch of
``batch``. The convention is ``torch.utils.flop_counter.FlopCounterMode``'s:

    conv MACs   = batch · C_out · H_out · W_out · C_in · k_h · k_w
    linear MACs = batch · in_features · out_features
    FLOPs       = 2 · MACs      (one multiply and one add per MAC; the bias adds are not counted)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from generators.families._common import FamilySpec, make_draft, pick
from generators.problem import Draft, Mistake

__all__ = ["SPECS", "MISTAKES", "make", "macs", "out_hw"]


def _pair(v: Any) -> tuple[int, int]:
    return (int(v), int(v)) if isinstance(v, int) else (int(v[0]), int(v[1]))


def out_hw(layer: dict, shape: list[int]) -> tuple[int, int]:
    kh, kw = _pair(layer["kernel_size"])
    sh, sw = _pair(layer.get("stride", 1))
    ph, pw = _pair(layer.get("padding", 0))
    return (shape[1] + 2 * ph - kh) // sh + 1, (shape[2] + 2 * pw - kw) // sw + 1


def macs(p: dict) -> int:
    layer, shape, n = p["layer"], p["input_shape"], int(p["batch"])
    if layer["type"] == "linear":
        return n * int(layer["in_features"]) * int(layer["out_features"])
    kh, kw = _pair(layer["kernel_size"])
    oh, ow = out_hw(layer, shape)
    return n * int(layer["out_channels"]) * oh * ow * int(layer["in_channels"]) * kh * kw


def _outputs(p: dict) -> int:
    """Output values of the whole batch (one bias add each)."""
    layer = p["layer"]
    if layer["type"] == "linear":
        return int(p["batch"]) * int(layer["out_features"])
    oh, ow = out_hw(layer, p["input_shape"])
    return int(p["batch"]) * int(layer["out_channels"]) * oh * ow


def _exact(rng: np.random.Generator, n: int, k: int, strides: tuple[int, ...],
           pads: tuple[int, ...]) -> tuple[int, int]:
    """A stride and padding that tile ``n`` exactly (no floor in the output size)."""
    pads = tuple(p for p in pads if p <= k // 2) or (0,)
    for _ in range(50):
        s, p = pick(rng, strides), pick(rng, pads)
        if (n + 2 * p - k) % s == 0 and n + 2 * p >= k:
            return s, p
    return 1, (k - 1) // 2


def _draw(rng: np.random.Generator, d: int) -> dict:
    ask = pick(rng, ("macs", "flops"))
    if d == 1:
        batch = pick(rng, (1, 1, 2, 4))
        if rng.random() < 0.4:
            fin, fout = pick(rng, (4, 10, 64, 100, 256)), pick(rng, (2, 3, 10, 32))
            return {"layer": {"type": "linear", "in_features": fin, "out_features": fout, "bias": True},
                    "input_shape": [fin], "batch": batch, "ask": ask}
        k = pick(rng, (1, 3, 3, 5))
        cin, cout, h = pick(rng, (1, 3)), pick(rng, (2, 4, 8, 16)), pick(rng, (4, 5, 8, 10, 32))
        layer = {"type": "conv", "in_channels": cin, "out_channels": cout, "kernel_size": k, "stride": 1,
                 "padding": pick(rng, (0, (k - 1) // 2)) if h >= k else (k - 1) // 2, "bias": True}
        return {"layer": layer, "input_shape": [cin, h, h], "batch": batch, "ask": ask}
    batch = pick(rng, (2, 4, 8, 16, 32, 64))
    bias = True if d == 2 else bool(rng.random() < 0.6)
    if rng.random() < 0.3:
        fin, fout = pick(rng, (128, 512, 784, 2048, 4096, 9216)), pick(rng, (10, 100, 1000, 4096))
        return {"layer": {"type": "linear", "in_features": fin, "out_features": fout, "bias": bias},
                "input_shape": [fin], "batch": batch, "ask": ask}
    cin, cout = pick(rng, (3, 16, 32, 64)), pick(rng, (16, 32, 64, 128))
    h = pick(rng, (16, 28, 32, 56, 64, 224) if d == 3 else (8, 15, 16, 28, 32))
    w = h if d == 2 or rng.random() < 0.5 else pick(rng, (16, 28, 32, 56))
    if d == 3 and rng.random() < 0.3:
        kh, kw = pick(rng, ((1, 3), (3, 1), (1, 7), (7, 1)))
    else:
        kh = kw = pick(rng, (3, 5, 7) if d == 3 else (3, 5))
    sh, ph = _exact(rng, h, kh, (1, 2, 2, 3), (0, 1, 2, 3))
    sw, pw = _exact(rng, w, kw, (sh,), (ph, 0, 1, 2, 3)) if d == 3 else (sh, ph)
    if (w + 2 * pw - kw) % sw:
        sw, pw = sh, ph
        w = h
    layer = {"type": "conv", "in_channels": cin, "out_channels": cout,
             "kernel_size": kh if kh == kw else [kh, kw], "stride": sh if sh == sw else [sh, sw],
             "padding": ph if ph == pw else [ph, pw], "bias": bias}
    if (w + 2 * _pair(layer["padding"])[1] - kw) % _pair(layer["stride"])[1]:  # pragma: no cover
        raise AssertionError("inexact width")
    return {"layer": layer, "input_shape": [cin, h, w], "batch": batch, "ask": ask}


def _layer_text(layer: dict) -> str:
    b = "" if layer.get("bias", True) else ", bias=False"
    if layer["type"] == "linear":
        return f"nn.Linear({layer['in_features']}, {layer['out_features']}{b})"
    k = layer["kernel_size"]
    ks = f"({k[0]}, {k[1]})" if isinstance(k, list) else str(k)
    extra = ""
    for name in ("stride", "padding"):
        v = layer.get(name, 1 if name == "stride" else 0)
        if v != (1 if name == "stride" else 0):
            extra += f", {name}=" + (f"({v[0]}, {v[1]})" if isinstance(v, list) else str(v))
    return f"nn.Conv2d({layer['in_channels']}, {layer['out_channels']}, kernel_size={ks}{extra}{b})"


def make(rng: np.random.Generator, d: int) -> Draft:
    p = _draw(rng, d)
    layer, shape, n = p["layer"], p["input_shape"], p["batch"]
    what = "multiply-accumulates (MACs)" if p["ask"] == "macs" else "floating-point operations (FLOPs)"
    shape_text = "×".join(str(s) for s in shape)
    stem = (f"{_layer_text(layer)} runs on a batch of {n} input{'s' if n > 1 else ''} of shape {shape_text}"
            f"{' (C×H×W)' if len(shape) == 3 else ' (features)'}. How many {what} does its forward pass take "
            f"for the whole batch? (Count as torch.utils.flop_counter does: one multiply-accumulate per weight "
            f"use, FLOPs = 2 × MACs, bias additions not counted.)")
    m = macs(p)
    lines = []
    if layer["type"] == "linear":
        lines.append(f"Each output feature is a dot product of {layer['in_features']} inputs with its weights: "
                     f"{layer['in_features']} MACs per output, {layer['out_features']} outputs per example.")
        lines.append(f"MACs = batch·in·out = {n}·{layer['in_features']}·{layer['out_features']} = {m:,}")
    else:
        kh, kw = _pair(layer["kernel_size"])
        sh, sw = _pair(layer.get("stride", 1))
        ph, pw = _pair(layer.get("padding", 0))
        oh, ow = out_hw(layer, shape)
        cin, cout = layer["in_channels"], layer["out_channels"]
        lines.append(f"Output size: H_out = ({shape[1]} + 2·{ph} − {kh})/{sh} + 1 = {oh}, "
                     f"W_out = ({shape[2]} + 2·{pw} − {kw})/{sw} + 1 = {ow}")
        lines.append(f"Each of the {cout}·{oh}·{ow} outputs of an example is a sum over C_in·k_h·k_w = "
                     f"{cin}·{kh}·{kw} = {cin * kh * kw} products.")
        lines.append(f"MACs = batch·C_out·H_out·W_out·C_in·k_h·k_w = {n}·{cout}·{oh}·{ow}·{cin}·{kh}·{kw} = {m:,}")
    if p["ask"] == "flops":
        lines.append(f"FLOPs = 2 · MACs = 2 · {m:,} = {2 * m:,}")
    if layer.get("bias", True):
        lines.append(f"(The {_outputs(p):,} bias additions are not counted, as FlopCounterMode does.)")
    answer = 2 * m if p["ask"] == "flops" else m
    return make_draft(p, stem, answer, "\n".join(lines), "int")


# -- mistakes -----------------------------------------------------------------------------------
def _as_asked(p: dict, m: int, extra: int = 0) -> int:
    return (2 * m if p["ask"] == "flops" else m) + extra


def _macs_for_flops(p: dict) -> Any:
    return macs(p) if p["ask"] == "flops" else None


def _flops_for_macs(p: dict) -> Any:
    return 2 * macs(p) if p["ask"] == "macs" else None


def _no_batch(p: dict) -> Any:
    if int(p["batch"]) == 1:
        return None
    return _as_asked(p, macs({**p, "batch": 1}))


def _input_size(p: dict) -> Any:
    layer, shape = p["layer"], p["input_shape"]
    if layer["type"] != "conv" or out_hw(layer, shape) == (shape[1], shape[2]):
        return None
    kh, kw = _pair(layer["kernel_size"])
    m = int(p["batch"]) * int(layer["out_channels"]) * shape[1] * shape[2] * int(layer["in_channels"]) * kh * kw
    return _as_asked(p, m)


def _no_kernel(p: dict) -> Any:
    layer = p["layer"]
    if layer["type"] != "conv" or _pair(layer["kernel_size"]) == (1, 1):
        return None
    oh, ow = out_hw(layer, p["input_shape"])
    return _as_asked(p, int(p["batch"]) * int(layer["out_channels"]) * oh * ow * int(layer["in_channels"]))


def _bias_counted(p: dict) -> Any:
    if not p["layer"].get("bias", True):
        return None
    return _as_asked(p, macs(p), _outputs(p))


MISTAKES: tuple[Mistake, ...] = (
    Mistake("macs-for-flops", "MACs given for FLOPs",
            "a multiply-accumulate is two floating-point operations: FLOPs = 2 × MACs", _macs_for_flops),
    Mistake("flops-for-macs", "FLOPs given for MACs",
            "the question asks for multiply-accumulates: one per weight use, half the FLOPs", _flops_for_macs),
    Mistake("batch-forgotten", "batch size forgotten",
            "the count is for all {batch} examples of the batch", _no_batch),
    Mistake("input-size-for-output", "the input's spatial size used instead of the output's",
            "one sum is computed per OUTPUT position: H_out·W_out after stride and padding", _input_size),
    Mistake("kernel-size-forgotten", "kernel size forgotten (weights counted as C_in·C_out)",
            "each output sums over C_in·k_h·k_w products, not C_in", _no_kernel),
    Mistake("bias-counted", "the bias additions counted",
            "FlopCounterMode (and the usual convention) leaves the bias adds out", _bias_counted),
)

SPECS = {"flops": FamilySpec(make, MISTAKES)}
