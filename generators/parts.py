"""Multi-part answers, marked part by part with follow-through (as a human marker does).

A problem whose ``answer_kind`` is ``"parts"`` has a ``parts`` tuple of :class:`Part`. Its
``answer`` is a dict keyed by part name (a dotted name such as ``grads.x`` addresses a nested
key: ``{"value": v, "grads": {"x": g}}``). Each part is read and compared as a single answer of
its own ``kind`` (``"int"``, ``"float"``, ``"matrix"`` …, see :mod:`generators.problem`).

Follow-through: ``follow(params, given)`` returns the value this part should have *given the
student's own answers to the earlier parts* (``given`` maps earlier part names to the values the
student typed, already parsed). A part that is right given a wrong earlier value earns its
points, and the marking says so. ``follow=None`` means the part does not depend on earlier ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Part", "get_part", "leaf_names", "parts_text", "put_part"]


@dataclass(frozen=True)
class Part:
    """One part of a multi-part answer."""

    name: str
    prompt: str
    kind: str
    points: float = 1.0
    tolerance: float | None = None
    follow: Callable[[dict, dict[str, Any]], Any] | None = None


def get_part(answer: Any, name: str) -> Any:
    """The value at the dotted ``name`` of a nested answer dict (``None`` when absent)."""
    node = answer
    for key in name.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def put_part(answer: dict, name: str, value: Any) -> None:
    """Set the dotted ``name`` of a nested answer dict (creating the inner dicts)."""
    keys = name.split(".")
    node = answer
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    node[keys[-1]] = value


def leaf_names(answer: Any, prefix: str = "") -> list[str]:
    """The dotted names of every leaf of a nested answer dict, in insertion order."""
    if not isinstance(answer, dict):
        return [prefix] if prefix else []
    out: list[str] = []
    for key, value in answer.items():
        out.extend(leaf_names(value, f"{prefix}.{key}" if prefix else str(key)))
    return out


def parts_text(parts: tuple[Part, ...], answer: Any) -> str:
    """The expected answer of a multi-part problem as one line: ``value = 6 | grads.x = 1 | …``
    (matrix parts as ``1 2; 3 4``), exactly a form the grader reads back."""
    from generators.render import fmt

    def one(v: Any) -> str:
        if isinstance(v, list):
            if v and isinstance(v[0], list):
                return "; ".join(" ".join(fmt(c) for c in row) for row in v)
            return " ".join(fmt(c) for c in v)
        return fmt(v)

    return " | ".join(f"{p.name} = {one(get_part(answer, p.name))}" for p in parts)
