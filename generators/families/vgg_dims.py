"""vgg-dims: VGG-16 activation shapes for an input size, and the common mistakes."""

from __future__ import annotations

from typing import Any

import numpy as np

from generators.families._common import FamilySpec, example, make_draft, pick, solve
from generators.problem import Draft, Mistake
from generators.render import fmt_shape

__all__ = ["SPECS", "MISTAKES", "make"]



_VGG_CHANNELS = {"block1": 64, "block2": 128, "block3": 256, "block4": 512, "block5": 512}


def make(rng: np.random.Generator, d: int) -> Draft:
    size = (224 if d == 1 else pick(rng, (224, 256, 192, 320)) if d == 2
            else pick(rng, (64, 96, 128, 160, 384, 448, 512)))
    dims = solve("vgg16_dims", size)
    key = pick(rng, ("block1", "block2", "block3", "block4", "block5", "pool5", "flatten"))
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
        return make_draft(params, stem, ans, sol, "int")
    shape = [int(v) for v in dims[key]]
    if key == "pool5":
        where, how = "after the last max-pool (pool5)", f"{size}/2^5 = {shape[0]}"
    else:
        n = int(key[-1])
        where = f"of the conv layers inside block {n} (before that block's pool)"
        how = f"{size}/2^{n - 1} = {shape[0]} (pooled {n - 1} time{'s' if n != 2 else ''})"
    shown = example(((56, 56, 256), (28, 28, 128)), lambda e: list(e) == shape)
    stem = (f"VGG-16 gets a 3×{size}×{size} image. What is the activation shape {where}, as H×W×C "
            f"(type e.g. {'x'.join(map(str, shown))})?")
    sol = f"{rule}\nH = W = {how}; C = {shape[2]}.\nShape: {fmt_shape(shape)}"
    return make_draft(params, stem, shape, sol, "shape")


# -- mistakes -----------------------------------------------------------------------------------
_CONVS_PER_BLOCK = (2, 2, 3, 3, 3)


def _as_asked(params: dict, spatial: int) -> Any:
    if spatial < 1:
        return None
    key = params["layer"]
    if key == "flatten":
        return spatial * spatial * 512
    channels = 512 if key == "pool5" else _VGG_CHANNELS[key]
    return [spatial, spatial, channels]


def _pools_before(key: str) -> int:
    return 5 if key in ("pool5", "flatten") else int(key[-1]) - 1


def _pool_forgotten(params: dict) -> Any:
    n = _pools_before(params["layer"])
    if n == 0:
        return None
    return _as_asked(params, params["input_size"] // 2 ** (n - 1))


def _own_pool(params: dict) -> Any:
    if params["layer"] in ("pool5", "flatten"):
        return None
    return _as_asked(params, params["input_size"] // 2 ** (_pools_before(params["layer"]) + 1))


def _convs_shrink(params: dict) -> Any:
    key = params["layer"]
    last = 5 if key in ("pool5", "flatten") else int(key[-1])
    size = params["input_size"]
    try:
        for block in range(1, last + 1):
            for _ in range(_CONVS_PER_BLOCK[block - 1]):
                size = int(solve("conv_output_size", size, 3, 1, 0))
            if block < last or key in ("pool5", "flatten"):
                size = int(solve("pool_output_size", size, 2, 2))
    except ValueError:
        return None
    return _as_asked(params, size)


MISTAKES: tuple[Mistake, ...] = (
    Mistake("pool-forgotten", "a max-pool forgotten",
            "each block before this point ends with a 2×2 stride-2 pool: count every one of them", _pool_forgotten),
    Mistake("own-pool-counted", "the block's own pool counted",
            "the convs inside a block run before that block's pool", _own_pool),
    Mistake("convs-shrink", "convs assumed to shrink the map",
            "VGG's 3×3 convs use padding 1, so they keep H×W; only the pools halve it", _convs_shrink),
)

SPECS = {"vgg-dims": FamilySpec(make, MISTAKES)}
