"""A closed window, a dropped ssh link or ``kill`` end a session the way Ctrl-C does.

By default SIGHUP (the terminal went away) and SIGTERM (``kill``, a shutdown) end Python at once,
without running ``finally`` blocks or the session's own ending. Inside :func:`as_interrupt` both
raise :class:`KeyboardInterrupt` in the main thread instead, so ``study``, ``quiz`` and ``exam
mock`` stop where Ctrl-C stops them: every answer given so far is already committed (each is its
own transaction), the open transaction (if any) is rolled back, the session's ending runs.
:func:`received` says which signal ended it (the command exits ``128 + signal``).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["as_interrupt", "deferred", "received", "exit_code"]

_received: list[int] = []
_deferred: list[bool] = []


def received() -> int | None:
    """The signal that ended the last :func:`as_interrupt` block, if one did."""
    return _received[-1] if _received else None


def exit_code(default: int = 130) -> int:
    """``128 + signal`` after SIGHUP or SIGTERM, ``default`` (Ctrl-C's 130) otherwise."""
    sig = received()
    return 128 + sig if sig is not None else default


def _raise(signum: int, frame: FrameType | None) -> None:
    _received.append(signum)
    # a second signal while the session ends (the marking, the last commit) is ignored: the first one
    # already stops it, and an exception there would lose what is being saved
    for s in _SIGNALS:
        signal.signal(s, signal.SIG_IGN)
    if not _deferred:
        raise KeyboardInterrupt


@contextmanager
def deferred() -> Iterator[None]:
    """Within an :func:`as_interrupt` block: a signal is only noted (:func:`received`), not raised,
    so the writing of what a session ends with is never cut in half."""
    _deferred.append(True)
    try:
        yield
    finally:
        _deferred.pop()


_SIGNALS = [getattr(signal, name) for name in ("SIGHUP", "SIGTERM") if hasattr(signal, name)]


@contextmanager
def as_interrupt() -> Iterator[None]:
    """Within the block, SIGHUP and SIGTERM raise KeyboardInterrupt (main thread only; else a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _received.clear()
    old = {}
    for s in _SIGNALS:
        try:
            old[s] = signal.signal(s, _raise)
        except (OSError, ValueError):  # pragma: no cover - platforms without the signal
            pass
    try:
        yield
    finally:
        for s, handler in old.items():
            if signal.getsignal(s) is _raise:
                signal.signal(s, handler)
