"""Text from decks, answers and files made safe to show on a terminal.

A deck is data written by someone else: a string such as ``"\\e]52;c;...\\e\\\\"`` (clipboard
write), ``"\\e]0;title\\a"`` or ``"\\e[2J"`` must never reach the terminal as an escape sequence.
:func:`clean` makes every control character visible as a Python-style escape (``\\x1b``), so the
text shows literally and the sequence does nothing:

* C0 controls (U+0000-U+001F) except newline and tab, DEL (U+007F), and the C1 controls
  (U+0080-U+009F, including U+009B, the one-byte CSI);
* Unicode bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069), which reorder
  what is displayed ("Trojan Source");
* lone surrogates (undecodable file names), which a UTF-8 terminal cannot print.

Markup is a separate matter: rich parses ``[bold]`` or ``[link=...]`` only in *strings* passed to
it; data goes in as :class:`rich.text.Text` (see :func:`safe_text`), which is never parsed.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["clean", "one_line", "excerpt", "safe_text", "EXCERPT_CHARS", "inert_markup", "FORMULA_PREFIXES",
           "no_formula_html"]

#: error messages quote at most this many characters of a value
EXCERPT_CHARS = 200

_UNSAFE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_CONTROL = re.compile(f"[{_UNSAFE}]")
_CONTROL_OR_BREAK = re.compile(f"[{_UNSAFE}\n\t]")
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


def safe_text(text: Any, style: str = "") -> Any:
    """``text`` as a rich ``Text`` that is never parsed as markup, control characters made visible."""
    from rich.text import Text

    return Text(clean(str(text)), style=style)


# -- text going into other programs' files (the Anki export) -----------------------------------------------
#: HTML's special characters and their look-alikes, for text another program may insert into HTML raw
#: (Anki puts deck names and tags into a card unescaped through ``{{Deck}}`` and ``{{Tags}}``)
_MARKUP_LOOKALIKES = str.maketrans({"<": "\uff1c", ">": "\uff1e", "&": "\uff06", '"': "\uff02", "'": "\uff07"})
#: a cell starting with one of these is a formula to a spreadsheet (CSV injection)
FORMULA_PREFIXES = ("=", "+", "-", "@")


def inert_markup(text: str) -> str:
    """``text`` with ``< > & " '`` replaced by full-width look-alikes: shown as text wherever it lands."""
    return text.translate(_MARKUP_LOOKALIKES)


def no_formula_html(field: str) -> str:
    """An HTML field that starts like a spreadsheet formula gets its first character as a numeric
    character reference (``=`` -> ``&#61;``): the same text in Anki, a plain string to a spreadsheet."""
    if field.startswith(FORMULA_PREFIXES):
        return f"&#{ord(field[0])};" + field[1:]
    return field
