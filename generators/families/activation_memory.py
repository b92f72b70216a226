"""activation-memory: values and bytes (MB or MiB …) of activation tensors, and the common mistakes."""

from __future__ import annotations

from typing import Any

import numpy as np

from generators.families._common import FamilySpec, example, make_draft, pick, rand_int, solve
from generators.problem import Draft, Mistake
from generators.render import fmt_shape

__all__ = ["SPECS", "MISTAKES", "make"]



_UNIT_TEXT = {"KB": "1 KB = 10^3 bytes", "MB": "1 MB = 10^6 bytes", "GB": "1 GB = 10^9 bytes",
              "KiB": "1 KiB = 2^10 bytes", "MiB": "1 MiB = 2^20 = 1,048,576 bytes", "GiB": "1 GiB = 2^30 bytes"}
_UNIT_BYTES = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30}
_DTYPE_BYTES = {"float16": 2, "float32": 4, "float64": 8}


def make(rng: np.random.Generator, d: int) -> Draft:
    n_tensors = 1 if d < 3 else rand_int(rng, 2, 3)
    shapes = []
    for _ in range(n_tensors):
        c = pick(rng, (3, 16, 32, 64, 96, 128, 256, 512))
        hw = pick(rng, (7, 14, 28, 32, 56, 112, 224))
        shapes.append([c, hw, hw])
    batch = 1 if d == 1 else pick(rng, (1, 8, 16, 32, 64, 128))
    dtype = "float32" if d == 1 else pick(rng, ("float32", "float16", "float64"))
    values = sum(int(solve("activation_values", sh, batch)) for sh in shapes)
    shapes_text = " and ".join(fmt_shape(sh) for sh in shapes)
    what = (f"the activations of shapes C×H×W = {shapes_text} (together)" if n_tensors > 1
            else f"an activation tensor of shape C×H×W = {shapes_text}")
    batch_text = f" for a batch of {batch}" if batch > 1 else " for one image"
    if d == 1 and rng.random() < 0.4:
        params = {"shapes": shapes, "batch": batch}
        stem = f"How many values are in {what}{batch_text}?"
        sol = (f"values = batch · C · H · W = {batch} · " + " + ".join("·".join(map(str, sh)) for sh in shapes)
               + f" = {values:,}")
        return make_draft(params, stem, values, sol, "int")
    unit = pick(rng, ("MB", "MiB")) if d == 1 else pick(rng, ("KB", "KiB", "MB", "MiB", "GB", "GiB"))
    if unit in ("GB", "GiB") and values * _DTYPE_BYTES[dtype] < 10**8:
        unit = unit.replace("G", "M")
    if unit in ("KB", "KiB") and values * _DTYPE_BYTES[dtype] > 10**8:
        unit = unit.replace("K", "M")
    mem = sum(float(solve("activation_memory", sh, batch, dtype, unit)) for sh in shapes)
    nbytes = values * _DTYPE_BYTES[dtype]
    params = {"shapes": shapes, "batch": batch, "dtype": dtype, "unit": unit}
    examples = {"'12 MB', '3 GiB'": ((12, 1e6), (3, 2**30)), "'15 MB', '2 GiB'": ((15, 1e6), (2, 2**30))}
    shown = example(tuple(examples), lambda e: any(abs(nbytes - n * u) <= 5e-3 * n * u or abs(mem - n) <= 5e-3 * n
                                                   for n, u in examples[e]))  # neither the answer nor its number
    stem = (f"How much memory is taken by {what}{batch_text} in {dtype} ({_DTYPE_BYTES[dtype]} bytes per value)? "
            f"Answer in {unit} ({_UNIT_TEXT[unit]}); give at least 3 significant figures — answers within "
            f"0.5% are accepted, and other units (e.g. {shown}, bytes) are converted.")
    sol = (f"values = batch · C·H·W = {batch} · ({' + '.join('·'.join(map(str, sh)) for sh in shapes)}) = {values:,}\n"
           f"bytes = {values:,} · {_DTYPE_BYTES[dtype]} = {nbytes:,}\n"
           f"{unit}: {nbytes:,} / {_UNIT_BYTES[unit]:,} = {mem:.6g} {unit}  ({_UNIT_TEXT[unit]})")
    return make_draft(params, stem, mem, sol, f"memory:{unit}", tolerance=5e-3)


# -- mistakes -----------------------------------------------------------------------------------
_OTHER_UNIT = {"KB": "KiB", "MB": "MiB", "GB": "GiB", "KiB": "KB", "MiB": "MB", "GiB": "GB"}


def _values(params: dict, **changes: Any) -> int:
    p = {**params, **changes}
    return sum(int(solve("activation_values", sh, p.get("batch", 1))) for sh in p["shapes"])


def _amount(params: dict, values: int, *, dtype: str | None = None, unit: str | None = None,
            per_value: int | None = None) -> Any:
    """``values`` as the question asks: a count, or memory in the question's unit."""
    if "unit" not in params:
        return values
    nbytes = values * (per_value if per_value is not None else _DTYPE_BYTES[dtype or params["dtype"]])
    return nbytes / _UNIT_BYTES[unit or params["unit"]]


def _no_batch(params: dict) -> Any:
    if params.get("batch", 1) == 1:
        return None
    return _amount(params, _values(params, batch=1))


def _units_swapped(params: dict) -> Any:
    if "unit" not in params:
        return None
    return _amount(params, _values(params), unit=_OTHER_UNIT[params["unit"]])


def _no_bytes(params: dict) -> Any:
    if "unit" not in params:
        return None
    return _amount(params, _values(params), per_value=1)


def _float32(params: dict) -> Any:
    if "unit" not in params or params["dtype"] == "float32":
        return None
    return _amount(params, _values(params), dtype="float32")


def _no_channels(params: dict) -> Any:
    shapes = [sh[1:] for sh in params["shapes"]]
    if all(sh[0] == 1 for sh in params["shapes"]):
        return None
    return _amount(params, _values(params, shapes=shapes))


MISTAKES: tuple[Mistake, ...] = (
    Mistake("units-swapped", "decimal and binary units swapped (MB vs MiB)",
            "{unit} is the unit asked for: MB, KB, GB are powers of 10, MiB, KiB, GiB powers of 2", _units_swapped),
    Mistake("bytes-forgotten", "bytes per value forgotten (values counted, not bytes)",
            "each {dtype} value takes several bytes: multiply the number of values by the bytes per value",
            _no_bytes),
    Mistake("float32-assumed", "4 bytes per value assumed (the dtype ignored)",
            "{dtype} does not take 4 bytes per value: float16 takes 2, float64 takes 8", _float32),
    Mistake("batch-forgotten", "batch size forgotten",
            "the memory holds all {batch} images of the batch", _no_batch),
    Mistake("channels-forgotten", "channels forgotten (H·W counted, not C·H·W)",
            "every channel of every pixel is a value: C·H·W, not H·W", _no_channels),
)

SPECS = {"activation-memory": FamilySpec(make, MISTAKES)}
