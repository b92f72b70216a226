"""Argument validation shared by the solver modules (pairs, positive ints, float arrays)."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral
from typing import Any

import numpy as np

__all__ = ["as_float_array", "as_int", "as_pair"]


def as_int(value: Any, name: str, *, minimum: int | None = None) -> int:
    """``value`` as a Python int, rejecting bools, floats with a fraction and values below ``minimum``."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if isinstance(value, Integral):
        out = int(value)
    elif isinstance(value, (float, np.floating)) and float(value).is_integer():
        out = int(value)
    else:
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if minimum is not None and out < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {out}")
    return out


def as_pair(value: Any, name: str, *, minimum: int | None = None) -> tuple[int, int]:
    """An int or an (h, w) pair as a validated ``(h, w)`` tuple of ints."""
    if isinstance(value, (str, bytes)):
        raise ValueError(f"{name} must be an integer or an (h, w) pair, got {value!r}")
    if isinstance(value, (Sequence, np.ndarray)):
        items = list(value)
        if len(items) != 2:
            raise ValueError(f"{name} must be an integer or an (h, w) pair, got {value!r}")
        return (as_int(items[0], name, minimum=minimum), as_int(items[1], name, minimum=minimum))
    v = as_int(value, name, minimum=minimum)
    return (v, v)


def as_float_array(value: Any, name: str, ndims: tuple[int, ...]) -> np.ndarray:
    """``value`` as a float64 array whose number of dimensions is one of ``ndims``."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{name} must be a numeric (rectangular) array: {e}") from None
    if arr.ndim not in ndims:
        allowed = " or ".join(f"{n}-D" for n in ndims)
        raise ValueError(f"{name} must be {allowed}, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    return arr
