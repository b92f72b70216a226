"""Quoting values in messages: on one line, bounded in size, control characters made visible.

A deck is someone else's input and the solver quotes its values in error messages, so this
module holds the one definition of *unsafe text* (:data:`UNSAFE`) that :mod:`cardcli.safetext`
applies to everything shown on a terminal:

* C0 controls (U+0000-U+001F) except newline and tab, DEL (U+007F), and the C1 controls
  (U+0080-U+009F, including U+009B, the one-byte CSI);
* Unicode bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069), which reorder
  what is displayed ("Trojan Source");
* zero-width characters and direction marks (U+200B-U+200F) and the line and paragraph
  separators (U+2028, U+2029), which hide or break text invisibly;
* lone surrogates (undecodable file names), which a UTF-8 terminal cannot print.

:func:`clean` and :func:`one_line` make them visible (``\\x1b``, ``\\u202e``) where text is shown;
:func:`strip_unsafe` drops them where text is kept (an exam name, an imported card, a printed exam).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["EXCERPT_CHARS", "UNSAFE", "clean", "excerpt", "one_line", "strip_unsafe"]

#: error messages quote at most this many characters of a value
EXCERPT_CHARS = 200

#: the unsafe characters, as the body of a regular-expression class
UNSAFE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff"
_CONTROL = re.compile(f"[{UNSAFE}]")
_CONTROL_OR_BREAK = re.compile(f"[{UNSAFE}\n\t]")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _visible(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: str) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``); newlines and tabs kept."""
    if _CONTROL.search(text) is None:  # the usual case: no copy
        return text
    return _CONTROL.sub(_visible, text)


def strip_unsafe(text: str, replacement: str = "", breaks: bool = False) -> str:
    """``text`` with every unsafe character replaced by ``replacement`` (dropped by default);
    with ``breaks`` newlines and tabs too."""
    return (_CONTROL_OR_BREAK if breaks else _CONTROL).sub(replacement, text)


def one_line(text: str) -> str:
    """:func:`clean`, and newlines and tabs shown as ``\\n``/``\\t`` too (for ``file:line`` messages)."""
    if _CONTROL_OR_BREAK.search(text) is None:
        return text
    return _CONTROL_OR_BREAK.sub(_visible, text)


def excerpt(value: Any, limit: int = EXCERPT_CHARS) -> str:
    """``repr(value)`` (or the string itself) cut to ``limit`` characters, on one line.

    Never builds the whole ``repr`` of a huge nested list: containers are summarised first.
    """
    text = value if isinstance(value, str) else _short_repr(value, limit)
    text = one_line(text)
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "…"


def _short_repr(value: Any, limit: int) -> str:
    if isinstance(value, (list, tuple)):
        parts: list[str] = []
        size = 0
        for item in value:
            if size > limit:
                parts.append("...")
                break
            r = _short_repr(item, limit - size)
            parts.append(r)
            size += len(r) + 2
        open_, close = ("[", "]") if isinstance(value, list) else ("(", ")")
        return open_ + ", ".join(parts) + close
    if isinstance(value, dict):
        parts = []
        size = 0
        for k, v in value.items():
            if size > limit:
                parts.append("...")
                break
            r = f"{_short_repr(k, limit)}: {_short_repr(v, limit - size)}"
            parts.append(r)
            size += len(r) + 2
        return "{" + ", ".join(parts) + "}"
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 4 * limit:
        return f"<integer of about {int(value.bit_length() * 0.30103)} digits>"
    r = repr(value)
    return r if len(r) <= limit + 1 else r[: limit + 1]
