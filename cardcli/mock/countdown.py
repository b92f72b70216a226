"""The visible countdown of a mock exam in a terminal: the top line, redrawn every second.

The top line of the terminal is kept out of the scrolling (an ANSI scroll region from line 2
down); a daemon thread rewrites it every second with the saved cursor restored after, so the
answer being typed (readline included) is not disturbed. Only for a real terminal whose ``TERM``
is not ``dumb``; everywhere else the prompts alone show the time left. :func:`status_text` is
the pure part.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import datetime
from typing import TextIO

from cardcli.clock import running
from cardcli.mock.sitting import format_left

__all__ = ["StatusLine", "status_text"]

_SAVE, _RESTORE, _CLEAR = b"\x1b7", b"\x1b8", b"\x1b[2K"


def status_text(title: str, left_text: str, width: int) -> str:
    """``Midterm II (mock) · 74:12 left`` cut to ``width`` (the title is shortened first)."""
    tail = f" · {left_text} left"
    room = max(0, width - len(tail) - 1)
    head = title if len(title) <= room else title[: max(0, room - 1)] + "…"
    return (head + tail)[: max(1, width - 1)]



class StatusLine:
    """Start with :meth:`start`, always :meth:`stop` (restores the whole screen as scrolling)."""

    def __init__(self, stream: TextIO, deadline: datetime, title: str,
                 clock: Callable[[], datetime] | None = None, interval: float = 1.0):
        self.stream = stream
        self.deadline = deadline
        self.title = "".join(ch for ch in title if ch.isprintable())
        self.clock = clock or running()
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._fd = -1
        self._rows = 0
        self._cols = 0

    def usable(self) -> bool:
        try:
            if not self.stream.isatty() or os.environ.get("TERM", "dumb") in ("", "dumb"):
                return False
            self._fd = self.stream.fileno()
            size = os.get_terminal_size(self._fd)
        except (AttributeError, OSError, ValueError):
            return False
        self._rows, self._cols = size.lines, size.columns
        return self._rows >= 5 and self._cols >= 20

    def start(self) -> bool:
        if not self.usable():
            return False
        self.stream.flush()
        # scroll region 2..rows (this homes the cursor), then continue at the bottom line
        os.write(self._fd, b"\n" + f"\x1b[2;{self._rows}r\x1b[{self._rows};1H".encode())
        self._draw()
        self._thread = threading.Thread(target=self._run, name="mock-countdown", daemon=True)
        self._thread.start()
        return True

    def _draw(self) -> None:
        text = status_text(self.title, format_left(self.deadline - self.clock()), self._cols)
        try:
            os.write(self._fd, _SAVE + b"\x1b[1;1H" + _CLEAR + b"\x1b[7m" + text.encode("utf-8", "replace")
                     + b"\x1b[0m" + _RESTORE)
        except OSError:
            self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._draw()

    def stop(self) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join(timeout=2)
        self._thread = None
        try:
            self.stream.flush()
            os.write(self._fd, _SAVE + b"\x1b[1;1H" + _CLEAR + _RESTORE + b"\x1b[r"
                     + f"\x1b[{self._rows};1H".encode())
        except OSError:
            pass
