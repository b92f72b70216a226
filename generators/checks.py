"""The solver functions decks may call by name, and the answer comparison used to grade them.

A deck's numeric card carries ``check: {fn: <name in CHECKS>, args: {...}}``; :func:`evaluate`
runs it and returns plain Python data, :func:`matches` compares the card's answer with it.
"""

from __future__ import annotations

import difflib
import inspect
import math
from collections.abc import Callable, Mapping
from numbers import Integral, Real
from typing import Any

import numpy as np

from generators.conv import conv2d, conv2d_backward
from generators.limits import MAX_CELLS, MAX_INT, MAX_SIDE, size_problem
from generators.losses import uniform_softmax_loss
from generators.memory import activation_memory, activation_values
from generators.params import conv_params, linear_params, network_params
from generators.pool import pool2d, pool2d_backward
from generators.receptive import receptive_field
from generators.rnn import rnn_gradient
from generators.sizes import (
    conv_output_size,
    pool_output_size,
    transposed_conv_output_size,
    vgg16_dims,
)
from generators.text import excerpt

__all__ = ["CHECKS", "DEFAULT_REL_TOL", "ABS_FLOOR", "MAX_CELLS", "MAX_SIDE", "MAX_INT", "MAX_WINDOW_CELLS",
           "MAX_MULTIPLY_ADDS", "UnknownCheckError", "check_bounds", "evaluate", "matches", "to_plain"]

CHECKS: dict[str, Callable[..., Any]] = {
    f.__name__: f
    for f in (
        conv2d, conv2d_backward, pool2d, pool2d_backward,
        conv_output_size, pool_output_size, transposed_conv_output_size, vgg16_dims,
        conv_params, linear_params, network_params,
        activation_values, activation_memory, receptive_field,
        rnn_gradient, uniform_softmax_loss,
    )
}

#: bounds checked before any solver function runs (a deck is someone else's input)
MAX_WINDOW_CELLS = 10_000_000  # C*OH*OW*KH*KW: the sliding-window array of a conv or pool (80 MB)
MAX_MULTIPLY_ADDS = 100_000_000  # F*C*OH*OW*KH*KW
MAX_SQUARE_SIDE = 512  # rnn_gradient: eigenvalues of an n x n matrix cost n^3
_SPATIAL = ("stride", "padding", "dilation", "kernel_size")
_ARRAY_FNS = ("conv2d", "conv2d_backward", "pool2d", "pool2d_backward")

DEFAULT_REL_TOL = 1e-6
ABS_FLOOR = 1e-9


class UnknownCheckError(KeyError):
    """No solver function of that name (a KeyError whose str() is the plain message)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def to_plain(value: Any) -> Any:
    """NumPy arrays/scalars and tuples as plain Python: ints, floats, nested lists, dicts."""
    if isinstance(value, np.ndarray):
        return to_plain(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    return value


def evaluate(check: Mapping[str, Any]) -> Any:
    """Run ``CHECKS[check["fn"]](**check.get("args", {}))`` and return the result as plain Python.

    Unknown ``fn`` -> :class:`UnknownCheckError` (a KeyError) with a did-you-mean hint; a malformed
    check or arguments the function does not take -> TypeError; bad argument values -> ValueError.
    """
    if not isinstance(check, Mapping) or "fn" not in check:
        raise TypeError(f"check must be a mapping with 'fn' (and optionally 'args'), got {excerpt(check)}")
    extra = set(check) - {"fn", "args"}
    if extra:
        raise TypeError(f"check has unknown key(s) {excerpt(sorted(map(str, extra)))}; allowed: fn, args")
    name = check["fn"]
    if not isinstance(name, str) or name not in CHECKS:
        close = difflib.get_close_matches(str(name)[:100], list(CHECKS), n=3, cutoff=0.5)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        shown = excerpt(repr(name) if isinstance(name, str) else name, 60)
        raise UnknownCheckError(f"unknown solver function {shown}{hint} (known: {', '.join(sorted(CHECKS))})")
    args = check.get("args")
    args = {} if args is None else args
    if not isinstance(args, Mapping):
        raise TypeError(f"{name}: args must be a mapping of argument names to values, got {excerpt(args)}")
    fn = CHECKS[name]
    signature = inspect.signature(fn)
    try:
        signature.bind(**args)
    except TypeError as e:
        params = ", ".join(signature.parameters)
        raise TypeError(f"{name}: {e} (takes: {params})") from None
    check_bounds(name, args)
    try:
        result = fn(**args)
    except (ValueError, OverflowError, ZeroDivisionError) as e:
        raise ValueError(f"{name}: {excerpt(str(e))}") from None
    return to_plain(result)


def check_bounds(name: str, args: Mapping[str, Any]) -> None:
    """Raise ValueError when running ``name(**args)`` could take more than a moment or a few
    hundred MB: too many values, a side too long, a huge integer, or (conv/pool) a padded input,
    output or window array over the limits. Computed from shapes and integers only; the cheap
    shape checks come before the walk over every value."""
    if name == "rnn_gradient":
        shape = _shape(args.get("weight"))
        if shape and max(shape) > MAX_SQUARE_SIDE:
            raise ValueError(f"{name}: weight of shape {shape} is too large (at most {MAX_SQUARE_SIDE} per side)")
    too_big = size_problem(args, max_text=100, max_depth=8, max_int=MAX_INT)
    if too_big is not None:
        raise ValueError(f"{name}: " + {
            "depth": "arguments nested more than 8 levels deep",
            "side": f"a list of {too_big.size:,} entries (at most {MAX_SIDE:,} per side)",
            "cells": f"arguments hold more than {MAX_CELLS:,} values",
            "int": f"the integer {excerpt(too_big.value, 40)} is too large (at most 2**53)",
            "text": f"a text argument of {too_big.size:,} characters",
        }[too_big.kind])
    if name in _ARRAY_FNS:  # sizes only matter where arrays are built from them
        for key in _SPATIAL:
            for v in _ints(args.get(key)):
                if abs(v) > MAX_SIDE:
                    raise ValueError(f"{name}: {key} {v:,} is too large (at most {MAX_SIDE:,})")
        _check_geometry(name, args)


def _ints(value: Any) -> list[int]:
    if isinstance(value, Integral) and not isinstance(value, bool):
        return [int(value)]
    if isinstance(value, (list, tuple)):
        return [int(v) for v in value if isinstance(v, Integral) and not isinstance(v, bool)]
    return []


def _shape(value: Any) -> tuple[int, ...]:
    """The shape of a nested list, from its first entries (the solver checks it is rectangular)."""
    shape = []
    while isinstance(value, (list, tuple)):
        shape.append(len(value))
        if not value:
            break
        value = value[0]
    return tuple(shape)


def _check_geometry(name: str, args: Mapping[str, Any]) -> None:
    """Sizes of the padded input, the output and the window array of a conv/pool call."""
    from generators._args import as_pair
    from generators.conv import resolve_padding

    x = _shape(args.get("input"))
    if len(x) < 2:
        return  # the solver rejects it
    h, w = x[-2], x[-1]
    c = math.prod(x[:-2])
    try:
        if name.startswith("conv"):
            ws = _shape(args.get("weight"))
            if len(ws) < 2:
                return
            kh, kw = ws[-2], ws[-1]
            f = ws[0] if len(ws) == 4 else 1
            s = as_pair(args.get("stride", 1), "stride", minimum=1)
            d = as_pair(args.get("dilation", 1), "dilation", minimum=1)
            (pt, pb), (pl, pr) = resolve_padding(args.get("padding", 0), (kh, kw), s, d)
            eff = (d[0] * (kh - 1) + 1, d[1] * (kw - 1) + 1)
        else:
            k = as_pair(args.get("kernel_size"), "kernel_size", minimum=1)
            stride = args.get("stride")
            s = k if stride is None else as_pair(stride, "stride", minimum=1)
            p = as_pair(args.get("padding", 0), "padding", minimum=0)
            kh, kw = k
            f = 1
            (pt, pb), (pl, pr) = (p[0], p[0] + s[0]), (p[1], p[1] + s[1])  # ceil_mode may add up to a stride
            eff = k
    except (TypeError, ValueError):
        return  # malformed: the solver says what is wrong
    hp, wp = h + pt + pb, w + pl + pr
    oh = max(0, (hp - eff[0]) // s[0] + 1)
    ow = max(0, (wp - eff[1]) // s[1] + 1)
    padded = max(c, f) * (hp + 2 * eff[0]) * (wp + 2 * eff[1])
    out = max(c, f) * oh * ow
    window = c * oh * ow * kh * kw
    for what, n, limit in (("padded input", padded, MAX_CELLS), ("output", out, MAX_CELLS),
                           ("sliding-window array", window, MAX_WINDOW_CELLS),
                           ("multiply-add count", window * f, MAX_MULTIPLY_ADDS)):
        if n > limit:
            raise ValueError(f"{name}: the {what} would be {n:,} (limit {limit:,}); "
                             f"padding, stride, dilation and sizes must stay small")


def _number(x: Any) -> float | int | None:
    """``x`` as a number if it is one (not bool), or a numeric string like "138,357,544"; else None."""
    if isinstance(x, bool):
        return None
    if isinstance(x, Integral):
        return int(x)
    if isinstance(x, Real):
        return float(x)
    if isinstance(x, str):
        text = x.strip().replace(",", "").replace("_", "")
        try:
            return int(text)
        except ValueError:
            pass
        try:
            return float(text)
        except ValueError:
            return None
    return None


def matches(answer: Any, value: Any, tolerance: float | None = None) -> bool:
    """Whether a card's ``answer`` agrees with the solver's ``value``.

    - int vs int: exact (unless a ``tolerance`` is given, then as floats);
    - numbers otherwise: ``|answer - value| <= max(rel * |value|, 1e-9)`` with ``rel = tolerance``
      or 1e-6; NaN never matches; numeric strings ("61,100,840") compare as numbers;
    - lists: same length, element-wise (nested);
    - dict answer: every key of the answer must be in ``value`` and match ``value[key]``;
    - strings: case-insensitive, surrounding whitespace ignored; bools: equal.
    """
    answer, value = to_plain(answer), to_plain(value)
    if isinstance(answer, Mapping):
        return isinstance(value, Mapping) and all(
            str(k) in value and matches(v, value[str(k)], tolerance) for k, v in answer.items()
        )
    if isinstance(answer, list):
        return (
            isinstance(value, list)
            and len(answer) == len(value)
            and all(matches(a, v, tolerance) for a, v in zip(answer, value))
        )
    if isinstance(answer, bool) or isinstance(value, bool):
        return isinstance(answer, bool) and isinstance(value, bool) and answer == value
    if isinstance(answer, str) and isinstance(value, str):
        return answer.strip().casefold() == value.strip().casefold()
    a, v = _number(answer), _number(value)
    if a is None or v is None:
        return answer is None and value is None
    if isinstance(a, int) and isinstance(v, int) and tolerance is None:
        return a == v
    try:
        a, v = float(a), float(v)
    except OverflowError:  # an integer beyond float range: only an exact equal matches
        return a == v
    if math.isnan(a) or math.isnan(v):
        return False
    if math.isinf(a) or math.isinf(v):
        return a == v
    rel = DEFAULT_REL_TOL if tolerance is None else float(tolerance)
    if rel < 0:
        raise ValueError(f"tolerance must be >= 0, got {tolerance!r}")
    return abs(a - v) <= max(rel * abs(v), ABS_FLOOR)
