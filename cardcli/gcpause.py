"""Pausing Python's cyclic garbage collector around bulk loads.

Loading 100k cards or card states allocates hundreds of thousands of small, long-lived,
acyclic objects; each allocation burst triggers collections that re-scan everything loaded so
far, which makes bulk loads several times slower and superlinear in size. Nothing they allocate
is cyclic garbage, so pausing the collector for their duration loses nothing.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused_gc"]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic GC inside the block, then move what it allocated out of the GC's way.

    On the way out, :func:`gc.freeze` moves every object tracked so far to the permanent
    generation before the collector is re-enabled; otherwise the first collection afterwards
    would traverse the whole load at once (tens of milliseconds at 100k cards). Frozen objects
    are still freed by reference counting when dropped; only cyclic garbage among them would
    wait, and card data has none.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
