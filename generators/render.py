"""Plain-text formatting for generated problems: numbers, products and aligned matrix grids.

No NumPy needed: values are plain Python numbers or nested lists.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

__all__ = ["fmt", "fmt_shape", "grid", "product", "fraction_hint"]


def fmt(x: Any) -> str:
    """A number as a student would write it: ``5``, ``-1.5``, ``0.333333`` (6 significant digits)."""
    if isinstance(x, bool):
        return str(x).lower()
    if isinstance(x, int):
        return str(x)
    try:
        f = float(x)
    except (TypeError, ValueError):
        return str(x)
    if f != f or f in (float("inf"), float("-inf")):
        return str(f)
    if f.is_integer() and abs(f) < 1e15:
        return str(int(f))
    text = f"{f:.6g}"
    return text


def fraction_hint(x: float) -> str:
    """``7/4`` for 1.75 when the value is a simple fraction (denominator <= 64), else ``''``."""
    fr = Fraction(x).limit_denominator(64)
    if fr.denominator == 1 or abs(float(fr) - x) > 1e-12:
        return ""
    return f"{fr.numerator}/{fr.denominator}"


def fmt_shape(shape: Any) -> str:
    """``[56, 56, 256]`` -> ``56×56×256``."""
    return "×".join(str(int(s)) for s in shape)


def product(a: Any, b: Any) -> str:
    """``a·b`` with negative factors in parentheses: ``(-1)·2``."""

    def wrap(v: Any) -> str:
        s = fmt(v)
        return f"({s})" if s.startswith("-") else s

    return f"{wrap(a)}·{wrap(b)}"


def grid(rows: list[list[Any]], indent: str = "  ") -> str:
    """Rows of numbers as a right-aligned text grid (one line per row)."""
    cells = [[fmt(v) for v in row] for row in rows]
    if not cells:
        return ""
    width = max(len(c) for row in cells for c in row)
    return "\n".join(indent + "  ".join(c.rjust(width) for c in row) for row in cells)
