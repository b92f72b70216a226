"""Activation counts and memory: ``values = batch * prod(shape)``, ``bytes = values * itemsize``.

Units: B, KB, MB, GB, TB are powers of 1000; KiB, MiB, GiB, TiB powers of 1024.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from generators._args import as_int

__all__ = ["DTYPE_BYTES", "UNITS", "activation_memory", "activation_values", "convert_bytes", "format_bytes"]

DTYPE_BYTES: dict[str, int] = {
    "float64": 8, "double": 8, "float32": 4, "float": 4, "float16": 2, "half": 2, "bfloat16": 2,
    "int64": 8, "int32": 4, "int16": 2, "int8": 1, "uint8": 1, "bool": 1,
}
UNITS: dict[str, int] = {
    "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
    "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40,
}


def _unit(unit: str) -> int:
    for name, factor in UNITS.items():
        if str(unit).strip().lower() == name.lower():
            return factor
    raise ValueError(f"unknown unit {unit!r}; known: {', '.join(UNITS)}")


def _unit_name(unit: str) -> str:
    _unit(unit)
    return next(n for n in UNITS if n.lower() == str(unit).strip().lower())


def activation_values(shape: Any, batch: int = 1) -> int:
    """``batch * prod(shape)`` — e.g. ``[224, 224, 64]`` -> 3,211,264 values."""
    b = as_int(batch, "batch", minimum=1)
    dims = list(shape) if isinstance(shape, Sequence) and not isinstance(shape, str) else [shape]
    if not dims:
        raise ValueError("shape must have at least one dimension")
    return b * math.prod(as_int(d, "shape entry", minimum=1) for d in dims)


def convert_bytes(n: float, unit: str = "B") -> float:
    """``n`` bytes expressed in ``unit`` (``n / factor(unit)``)."""
    if isinstance(n, bool) or not isinstance(n, (int, float)) or n < 0:
        raise ValueError(f"byte count must be a non-negative number, got {n!r}")
    return n / _unit(unit)


def activation_memory(shape: Any, batch: int = 1, dtype: str = "float32", unit: str = "MB") -> float:
    """``batch * prod(shape) * itemsize(dtype) / factor(unit)``."""
    key = str(dtype).strip().lower()
    if key not in DTYPE_BYTES:
        raise ValueError(f"unknown dtype {dtype!r}; known: {', '.join(DTYPE_BYTES)}")
    return convert_bytes(activation_values(shape, batch) * DTYPE_BYTES[key], unit)


def format_bytes(n: float, unit: str = "MB") -> str:
    """``n`` bytes as text in ``unit`` with 4 significant digits, e.g. ``format_bytes(12845056, "MiB")
    == "12.25 MiB"``."""
    return f"{convert_bytes(n, unit):.4g} {_unit_name(unit)}"
