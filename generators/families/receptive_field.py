"""receptive-field: the receptive field of a stack of conv/pool layers, and the common mistakes."""

from __future__ import annotations

from typing import Any

import numpy as np

from generators.families._common import FamilySpec, make_draft, pick, rand_int, solve
from generators.problem import Draft, Mistake

__all__ = ["SPECS", "MISTAKES", "make"]



def make(rng: np.random.Generator, d: int) -> Draft:
    layers = []
    n = rand_int(rng, 2, 3) if d == 1 else rand_int(rng, 3, 4) if d == 2 else rand_int(rng, 3, 5)
    for _ in range(n):
        if d == 1:
            layer = pick(rng, ({"kernel_size": 3, "stride": 1, "dilation": 1},
                                {"kernel_size": 5, "stride": 1, "dilation": 1},
                                {"kernel_size": 2, "stride": 2, "dilation": 1}))
        else:
            k = pick(rng, (1, 2, 3, 5, 7))
            s = pick(rng, (1, 1, 2)) if k > 1 else 1
            dil = pick(rng, (1, 1, 2, 4)) if d == 3 and k > 1 and s == 1 else 1
            layer = {"kernel_size": k, "stride": s, "dilation": dil}
        layers.append(dict(layer))
    ans = int(solve("receptive_field", layers))
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
    return make_draft({"layers": layers}, stem, ans, "\n".join(lines), "int")


# -- mistakes -----------------------------------------------------------------------------------
def _layers(params: dict) -> list[dict]:
    return [{"kernel_size": ly["kernel_size"], "stride": ly.get("stride", 1), "dilation": ly.get("dilation", 1)}
            for ly in params["layers"]]


def _rf(layers: list[dict]) -> int:
    return int(solve("receptive_field", layers))


def _k_not_k_minus_1(params: dict) -> Any:
    layers = _layers(params)
    if len(layers) < 2:
        return None
    r, j = 0, 1
    for ly in layers:
        r += (ly["dilation"] * (ly["kernel_size"] - 1) + 1) * j
        j *= ly["stride"]
    return r


def _strides_ignored(params: dict) -> Any:
    layers = _layers(params)
    if all(ly["stride"] == 1 for ly in layers[:-1]):
        return None
    return _rf([{**ly, "stride": 1} for ly in layers])


def _dilation_ignored(params: dict) -> Any:
    layers = _layers(params)
    if all(ly["dilation"] == 1 for ly in layers):
        return None
    return _rf([{**ly, "dilation": 1} for ly in layers])


def _own_stride(params: dict) -> Any:
    layers = _layers(params)
    if all(ly["stride"] == 1 for ly in layers):
        return None
    r, j = 1, 1
    for ly in layers:
        j *= ly["stride"]
        r += (ly["kernel_size"] - 1) * ly["dilation"] * j
    return r


MISTAKES: tuple[Mistake, ...] = (
    Mistake("k-instead-of-k-minus-1", "k added per layer instead of k − 1",
            "a layer grows the field by (k − 1)·jump, since its window shares one row with the field before it",
            _k_not_k_minus_1),
    Mistake("strides-not-multiplied", "strides not multiplied through",
            "after a stride-s layer one step is s input pixels: later layers add (k − 1)·(product of earlier "
            "strides)", _strides_ignored),
    Mistake("own-stride-included", "a layer's own stride used in its own step",
            "the jump a layer multiplies by is the product of the strides *before* it, not including its own",
            _own_stride),
    Mistake("dilation-ignored", "dilation ignored",
            "a dilated kernel adds d·(k − 1), not k − 1", _dilation_ignored),
)


def _from_check(args: dict) -> dict:
    return {"layers": args["layers"]}


SPECS = {"receptive-field": FamilySpec(make, MISTAKES, {"receptive_field": _from_check})}
