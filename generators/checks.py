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

__all__ = ["CHECKS", "DEFAULT_REL_TOL", "ABS_FLOOR", "UnknownCheckError", "evaluate", "matches", "to_plain"]

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
        raise TypeError(f"check must be a mapping with 'fn' (and optionally 'args'), got {check!r}")
    extra = set(check) - {"fn", "args"}
    if extra:
        raise TypeError(f"check has unknown key(s) {sorted(extra)}; allowed: fn, args")
    name = check["fn"]
    if not isinstance(name, str) or name not in CHECKS:
        close = difflib.get_close_matches(str(name), list(CHECKS), n=3, cutoff=0.5)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise UnknownCheckError(f"unknown solver function {name!r}{hint} (known: {', '.join(sorted(CHECKS))})")
    args = check.get("args")
    args = {} if args is None else args
    if not isinstance(args, Mapping):
        raise TypeError(f"{name}: args must be a mapping of argument names to values, got {args!r}")
    fn = CHECKS[name]
    signature = inspect.signature(fn)
    try:
        signature.bind(**args)
    except TypeError as e:
        params = ", ".join(signature.parameters)
        raise TypeError(f"{name}: {e} (takes: {params})") from None
    try:
        result = fn(**args)
    except ValueError as e:
        raise ValueError(f"{name}: {e}") from None
    return to_plain(result)


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
    a, v = float(a), float(v)
    if math.isnan(a) or math.isnan(v):
        return False
    if math.isinf(a) or math.isinf(v):
        return a == v
    rel = DEFAULT_REL_TOL if tolerance is None else float(tolerance)
    if rel < 0:
        raise ValueError(f"tolerance must be >= 0, got {tolerance!r}")
    return abs(a - v) <= max(rel * abs(v), ABS_FLOOR)
