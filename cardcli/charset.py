"""Output on a terminal that cannot show every character (a non-UTF-8 locale such as ISO-8859-1).

cardcli's own text uses a few typographic characters (``—``, ``−``, ``×``, ``Σ``, ``·``, ``→``...),
and decks hold any Unicode. When standard output or error cannot encode a character, it is written
as an ASCII stand-in (``—`` as ``--``, ``Σ`` as ``Sum``, ``×`` as ``x``) or, for anything else, as
``?``, instead of the ``UnicodeEncodeError`` that would end the command (and lose a mock exam in
progress). Data meant for other programs is not degraded: JSON falls back to ``\\uXXXX`` escapes
(:func:`lossless_json`) and documents go to standard output as UTF-8 bytes.
"""

from __future__ import annotations

import codecs
import sys
import unicodedata
from typing import Any, TextIO

__all__ = ["ERRORS", "ASCII_FALLBACKS", "install", "can_encode", "stand_in"]

#: the codec error handler :func:`install` sets on standard output and error
ERRORS = "cardcli-fallback"

ASCII_FALLBACKS = {
    "\u2014": "--", "\u2013": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-", "\u00d7": "x", "\u00b7": ".",
    "\u2022": "*", "\u2026": "...", "\u2192": "->", "\u2190": "<-", "\u21d2": "=>", "\u2264": "<=",
    "\u2265": ">=", "\u2260": "!=", "\u2248": "~", "\u00b1": "+/-", "\u03a3": "Sum", "\u2211": "Sum",
    "\u03c3": "sigma", "\u03bb": "lambda", "\u03b1": "alpha", "\u03b2": "beta", "\u03b3": "gamma",
    "\u03b7": "eta", "\u03b8": "theta", "\u03bc": "mu", "\u03c1": "rho", "\u03b5": "eps", "\u0394": "Delta",
    "\u2202": "d", "\u221a": "sqrt", "\u221e": "inf", "\u2208": "in", "\u2018": "'", "\u2019": "'",
    "\u201c": '"', "\u201d": '"', "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2500": "-", "\u2502": "|",
    "\u250c": "+", "\u2510": "+", "\u2514": "+", "\u2518": "+", "\u251c": "+", "\u2524": "+", "\u252c": "+",
    "\u2534": "+", "\u253c": "+", "\u2501": "-", "\u2503": "|", "\u2550": "=", "\u2551": "|", "\u2588": "#",
    "\u2713": "v", "\u2717": "x", "\u00b2": "^2", "\u00b3": "^3", "\u207b": "-", "\u00b9": "^1",
}


def stand_in(ch: str) -> str:
    """The ASCII stand-in for ``ch``: from the table, else its decomposition's letters, else ``?``."""
    if ch in ASCII_FALLBACKS:
        return ASCII_FALLBACKS[ch]
    base = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode("ascii")
    return base or "?"


def _handler(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start:error.end]
    out = []
    for ch in text:
        sub = stand_in(ch)
        try:
            sub.encode(error.encoding)
        except (UnicodeEncodeError, LookupError):
            sub = "?"
        out.append(sub)
    return "".join(out), error.end


codecs.register_error(ERRORS, _handler)


def can_encode(stream: Any, text: str = "\u2014\u2212\u03a3\u00d7") -> bool:
    """Whether ``stream`` (a text stream) can write ``text`` as it is."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
        return True
    except (UnicodeEncodeError, LookupError):
        return False


def install(*streams: TextIO) -> None:
    """Standard output and error (or ``streams``) write ASCII stand-ins for what they cannot encode."""
    for stream in streams or (sys.stdout, sys.stderr):
        if stream is None or can_encode(stream, "\u2014\u2212\u03a3\u00d7\u2192\u00e9\u4e2d\U0001f600"):
            continue
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors=ERRORS)
            except (ValueError, OSError, AttributeError):  # pragma: no cover - an exotic stream
                pass
