"""Size limits on data from someone else (a deck's answer, a check's arguments) and the one
bounded walk that enforces them before anything is computed from the data.

:func:`size_problem` walks nested lists, tuples and mappings iteratively (no recursion limit, and
an aliased object is counted every time it is used) and stops at the first value over a limit;
the caller words the message (:class:`SizeProblem` says which limit and by how much).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Integral
from typing import Any

__all__ = ["MAX_CELLS", "MAX_INT", "MAX_SIDE", "SizeProblem", "size_problem"]

#: values in one piece of data (an answer, one argument, a padded input, an output)
MAX_CELLS = 1_000_000
#: entries along one side of an array; also the largest padding/stride/dilation/kernel size
MAX_SIDE = 4096
#: integers beyond this are not exact as floats (and a 4,000-digit one is slow)
MAX_INT = 2**53
_NUMBERS = {int, float}  # exact types (bool is neither)


@dataclass(frozen=True)
class SizeProblem:
    """The first limit a value breaks: ``kind`` is ``"side"`` (a list of ``size`` entries),
    ``"cells"`` (more than ``limit`` values), ``"depth"`` (nested deeper than ``limit``),
    ``"int"`` (the integer ``value``) or ``"text"`` (a string of ``size`` characters)."""

    kind: str
    size: int
    limit: int
    value: Any = None


def size_problem(value: Any, *, max_text: int, max_cells: int = MAX_CELLS, max_side: int = MAX_SIDE,
                 max_depth: int | None = None, max_int: int | None = None, depth: int = 0) -> SizeProblem | None:
    """The first limit ``value`` breaks, or None. ``depth`` is the level of ``value`` itself
    (levels past ``max_depth`` are too deep; None: no depth limit, nor an integer one for ``max_int``)."""
    cells = 0
    todo: list[tuple[Any, int]] = [(value, depth)]
    while todo:
        item, level = todo.pop()
        if max_depth is not None and level > max_depth:
            return SizeProblem("depth", level, max_depth)
        if isinstance(item, (list, tuple)):
            if len(item) > max_side:
                return SizeProblem("side", len(item), max_side)
            kinds = set(map(type, item))
            if kinds <= _NUMBERS and (max_depth is None or level + 1 <= max_depth):
                # a row of plain numbers (the usual matrix row), checked in the order the walk
                # below would pop them, without a stack entry each
                room = max_cells - cells
                if max_int is not None and int in kinds:
                    for k, v in enumerate(reversed(item)):
                        if k >= room:
                            return SizeProblem("cells", max_cells + 1, max_cells)
                        if type(v) is int and abs(v) > max_int:
                            return SizeProblem("int", abs(v).bit_length(), max_int, v)
                elif len(item) > room:
                    return SizeProblem("cells", max_cells + 1, max_cells)
                cells += len(item)
                continue
            todo.extend((v, level + 1) for v in item)
            continue
        if isinstance(item, Mapping):
            todo.extend((v, level + 1) for v in item.values())
            continue
        cells += 1
        if cells > max_cells:
            return SizeProblem("cells", cells, max_cells)
        if (max_int is not None and isinstance(item, Integral) and not isinstance(item, bool)
                and abs(int(item)) > max_int):
            return SizeProblem("int", abs(int(item)).bit_length(), max_int, item)
        if isinstance(item, str) and len(item) > max_text:
            return SizeProblem("text", len(item), max_text)
    return None
