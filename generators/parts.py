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

__all__ = ["Part"]


@dataclass(frozen=True)
class Part:
    """One part of a multi-part answer."""

    name: str
    prompt: str
    kind: str
    points: float = 1.0
    tolerance: float | None = None
    follow: Callable[[dict, dict[str, Any]], Any] | None = None
