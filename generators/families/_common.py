"""Helpers every family module uses: the solver lookup, random draws, plain numbers and drafts.

A family module defines ``make(rng, difficulty) -> Draft`` and a tuple of
:class:`~generators.problem.Mistake` entries, and exposes them as ``SPECS`` (family name ->
:class:`FamilySpec`); :mod:`generators.families` collects them.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from generators.problem import Draft, Mistake
from generators.render import fmt, grid

__all__ = ["FamilySpec", "solve", "rand_int", "pick", "num", "plain", "rand_ints", "make_draft", "zero_pad",
           "out_len", "pad_note", "sum_text", "cell_ask", "at_cell", "example"]


@dataclass(frozen=True)
class FamilySpec:
    """What a family module provides for one family: its generator, its mistake catalog, and how
    to read a deck card's ``check`` (solver function name -> args -> this family's params)."""

    make: Callable[[np.random.Generator, int], Draft]
    mistakes: tuple[Mistake, ...]
    from_check: dict[str, Callable[[dict], dict]] = field(default_factory=dict)


_SOLVER_MODULES = ("conv", "pool", "sizes", "params", "memory", "receptive", "rnn", "losses")


@functools.cache
def _solver(name: str) -> Callable[..., Any]:
    """The reference-solver function ``name`` (looked up in the solver modules)."""
    for module in _SOLVER_MODULES:
        try:
            mod = importlib.import_module(f"generators.{module}")
        except ImportError:
            continue
        fn = getattr(mod, name, None)
        if callable(fn):
            return fn
    raise LookupError(f"solver function {name!r} not found in generators.{{{','.join(_SOLVER_MODULES)}}}")


def solve(name: str, *args: Any, **kwargs: Any) -> Any:
    return _solver(name)(*args, **kwargs)


# -- small helpers ------------------------------------------------------------------------------
def rand_int(rng: np.random.Generator, lo: int, hi: int) -> int:
    """Uniform integer in ``[lo, hi]`` (inclusive)."""
    return int(rng.integers(lo, hi + 1))


def pick(rng: np.random.Generator, options: tuple | list) -> Any:
    return options[int(rng.integers(len(options)))]


def num(x: Any) -> int | float:
    """A plain Python number: int when integral."""
    f = float(x)
    if abs(f - round(f)) < 1e-9 and abs(f) < 2**53:
        return int(round(f))
    return f


def plain(a: Any) -> Any:
    """Arrays / nested lists as nested lists of plain numbers (ints when integral)."""
    arr = np.asarray(a, dtype=float)
    if arr.ndim == 0:
        return num(arr)
    return [plain(v) for v in arr]


def rand_ints(rng: np.random.Generator, shape: tuple[int, ...], lo: int, hi: int) -> np.ndarray:
    return rng.integers(lo, hi + 1, size=shape).astype(np.int64)


def make_draft(params: dict, stem: str, answer: Any, solution: str, kind: str, *,
           matrices: dict[str, list] | None = None, tolerance: float | None = None,
           highlight: dict | None = None) -> Draft:
    matrices = matrices or {}
    parts = [stem]
    for caption, rows in matrices.items():
        parts.append(f"{caption} ({len(rows)}×{len(rows[0])}):\n{grid(rows)}")
    return Draft(params=params, prompt="\n\n".join(parts), answer=answer, solution=solution,
                 answer_kind=kind, tolerance=tolerance, matrices=matrices, highlight=highlight, stem=stem)


def zero_pad(x: np.ndarray, p: int, value: float = 0.0) -> np.ndarray:
    return np.pad(x, ((0, 0), (p, p), (p, p)), constant_values=value) if x.ndim == 3 else \
        np.pad(x, ((p, p), (p, p)), constant_values=value)


def out_len(n: int, k: int, s: int, p: int, d: int) -> tuple[int, int]:
    """``(span, output length)`` of a sliding window; span % s == 0 means no floor."""
    span = n + 2 * p - d * (k - 1) - 1
    return span, (span // s + 1 if span >= 0 else 0)


def pad_note(p: int, name: str) -> str:
    if not p:
        return f" (no padding: x_pad = {name})"
    return f" (x_pad = {name} with {p} ring{'s' if p > 1 else ''} of zeros around it)"


def example(options: tuple | list, same: Callable[[Any], bool]) -> Any:
    """The first format example of ``options`` that is not the answer (``same(option)`` false):
    a prompt's "type e.g. …" must never give the answer away."""
    for option in options:
        if not same(option):
            return option
    raise ValueError("every format example equals the answer")


def sum_text(terms: list[str], total: Any) -> str:
    return (" + ".join(terms) if terms else "0") + f" = {fmt(total)}"


def cell_ask(shape: tuple[int, int], cell: tuple[int, int] | None, what: str) -> str:
    if cell is None:
        return f"Give the full {shape[0]}×{shape[1]} {'output' if what == 'out' else what} matrix."
    return f"Give only {what}[{cell[0]}, {cell[1]}] (row {cell[0]}, column {cell[1]}, counting from 0)."


def at_cell(full: Any, params: dict) -> Any:
    """A wrong procedure's full output as the problem asks for it: the asked cell (``None`` if the
    wrong output has no such cell) or the whole matrix as plain nested lists."""
    arr = np.asarray(full, dtype=float)
    if arr.ndim > 2:
        arr = arr.reshape(arr.shape[-2:]) if arr.size == arr.shape[-1] * arr.shape[-2] else arr
    cell = params.get("cell")
    if cell is None:
        return plain(arr)
    i, j = cell
    if arr.ndim != 2 or not (0 <= i < arr.shape[0] and 0 <= j < arr.shape[1]):
        return None
    return num(arr[i, j])
