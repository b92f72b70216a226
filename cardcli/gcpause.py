"""Pausing Python's cyclic garbage collector around bulk loads, and keeping bulk data until exit.

Loading 100k cards or card states allocates hundreds of thousands of small, long-lived,
acyclic objects; each allocation burst triggers collections that re-scan everything loaded so
far, which makes bulk loads several times slower and superlinear in size. Nothing they allocate
is cyclic garbage, so pausing the collector for their duration loses nothing.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused_gc", "keep_until_exit"]

#: what :func:`keep_until_exit` holds (one command's worth: the last call replaces it)
_kept: tuple[object, ...] = ()


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


def keep_until_exit(*objects: object) -> None:
    """Keep ``objects`` referenced until the process ends, instead of freeing them as the command
    returns.

    A command's bulk data (100k cards, their ids and states) would otherwise be freed object by
    object when its function returns, about 20 ms at 100k cards, only for the process to end
    right after: the ``cardcli`` script leaves with ``os._exit`` (see :func:`cardcli.cli.entry`),
    which returns the memory at once. One slot: a second call (a test running commands in one
    process) releases what the first kept.
    """
    global _kept
    _kept = objects
