"""Key input for the study loop: single key presses on a terminal, lines otherwise.

Both sources have the same two methods:

* ``read_key()`` - one action: a single character (``"\\n"`` for Enter). On a TTY this is one
  key press read in cbreak mode (the terminal is restored right after, also on exceptions);
  from a pipe it is one line, stripped (an empty line is ``"\\n"``).
* ``read_line(prompt)`` - a typed answer (echoed, editable), without the newline. On a TTY it is
  read by ``input()`` with the stdlib ``readline`` module loaded (:func:`line_editing`): arrows,
  Home/End, Ctrl-A/E/K/U and Up/Down through the answers typed earlier in the session.

Both raise :class:`EOFError` at end of input and let :class:`KeyboardInterrupt` through, so
``printf '\\n5\\n\\n3\\nq\\n' | cardcli study`` works and ends cleanly.
"""

from __future__ import annotations

import os
import sys
from typing import Protocol, TextIO

from cardcli.safetext import one_line

__all__ = ["KeySource", "LineKeys", "TtyKeys", "ScriptedKeys", "key_source", "line_editing"]

_editing: bool | None = None


def line_editing(stdin: TextIO | None = None) -> bool:
    """Load stdlib ``readline`` once, when stdin is a terminal, so ``input()`` edits like a shell.

    Imported lazily (at the first typed prompt) so start-up and piped runs never pay for it; where
    the module is missing (Windows without pyreadline) ``input()`` still works, without editing.
    History is the session's own (in memory): Up recalls answers typed earlier.
    """
    global _editing
    if _editing is None:
        _editing = False
        try:
            if (stdin or sys.stdin).isatty():
                import readline  # noqa: F401  (input() uses it once imported)

                _editing = True
        except (ImportError, AttributeError, ValueError, OSError):
            pass
    return _editing


class KeySource(Protocol):
    def read_key(self) -> str: ...

    def read_line(self, prompt: str = "") -> str: ...


class LineKeys:
    """One action per line (stdin is a pipe or a file)."""

    def __init__(self, stream: TextIO, echo: TextIO | None = None):
        self._in = stream
        self._echo = echo

    def _line(self) -> str:
        line = self._in.readline()
        if line == "":
            raise EOFError
        return line.rstrip("\r\n")

    def _show(self, prompt: str, text: str) -> None:
        """Echo what was read, so a piped transcript reads like the terminal one."""
        if self._echo is not None:
            self._echo.write(f"{prompt}{one_line(text)}\n")  # typed text is data: shown, never run
            self._echo.flush()

    def read_key(self) -> str:
        text = self._line().strip()
        self._show("> ", text)
        return text if text else "\n"

    def read_line(self, prompt: str = "") -> str:
        text = self._line()
        self._show(prompt, text)
        return text


class TtyKeys:
    """Single key presses from a terminal file descriptor."""

    def __init__(self, fd: int, out: TextIO):
        self._fd = fd
        self._out = out

    def read_key(self) -> str:
        import termios
        import tty

        old = termios.tcgetattr(self._fd)
        try:
            tty.setcbreak(self._fd, termios.TCSANOW)  # no echo, no line buffering, Ctrl-C still works
            data = os.read(self._fd, 32)
        finally:
            termios.tcsetattr(self._fd, termios.TCSADRAIN, old)
        if not data or data == b"\x04":  # Ctrl-D
            raise EOFError
        if data == b"\x03":
            raise KeyboardInterrupt
        text = data.decode("utf-8", "replace")
        if text in ("\r", "\n", "\r\n"):
            return "\n"
        return text if len(text) == 1 else ""  # escape sequences (arrows...) are ignored

    def read_line(self, prompt: str = "") -> str:
        line_editing()
        self._out.flush()
        return input(prompt)  # readline editing and history; raises EOFError on Ctrl-D


class ScriptedKeys:
    """Keys from a list (tests): each item is what ``read_key``/``read_line`` returns next."""

    def __init__(self, items: list[str]):
        self._items = list(items)

    def _pop(self) -> str:
        if not self._items:
            raise EOFError
        return self._items.pop(0)

    def read_key(self) -> str:
        item = self._pop()
        return item if item else "\n"

    def read_line(self, prompt: str = "") -> str:
        return self._pop()


def key_source(stdin: TextIO | None = None, stdout: TextIO | None = None) -> KeySource:
    """Single keys when stdin is a terminal, one line per action otherwise."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    try:
        if stdin.isatty():
            return TtyKeys(stdin.fileno(), stdout)
    except (AttributeError, ValueError, OSError):
        pass
    return LineKeys(stdin, stdout)
