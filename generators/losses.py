"""Loss values worth knowing by heart."""

from __future__ import annotations

import math

from generators._args import as_int

__all__ = ["uniform_softmax_loss"]


def uniform_softmax_loss(num_classes: int) -> float:
    """Cross-entropy of a uniform softmax over N classes: ``-ln(1/N) = ln N`` (the expected loss at
    initialisation, e.g. 2.3026 for N = 10)."""
    n = as_int(num_classes, "num_classes", minimum=1)
    return math.log(n)
