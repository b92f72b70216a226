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

That definition (:data:`UNSAFE`) and the bounded one-line quoting of values live in
:mod:`generators.text`, the lowest layer, because the solver quotes deck values in its messages too.

Markup is a separate matter: rich parses ``[bold]`` or ``[link=...]`` only in *strings* passed to
it; data goes in as :class:`rich.text.Text` (see :func:`safe_text`), which is never parsed.
"""

from __future__ import annotations

from typing import Any

from generators.text import (
    EXCERPT_CHARS,
    UNSAFE,
    clean,
    excerpt,
    one_line,
    strip_unsafe,
)

__all__ = ["clean", "one_line", "excerpt", "safe_text", "strip_unsafe", "EXCERPT_CHARS", "UNSAFE", "inert_markup",
           "FORMULA_PREFIXES", "no_formula_html"]


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
