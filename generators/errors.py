"""The library's own errors: a bad request (an unknown family or topic, a difficulty out of range).

:class:`GeneratorError` is a :class:`ValueError` whose message is complete and one line, so an
application can show it as it is (``cardcli`` turns it into its usage error, exit 2).
"""

from __future__ import annotations

import difflib

__all__ = ["GeneratorError", "did_you_mean"]


class GeneratorError(ValueError):
    """A request the library cannot serve; the message says why and lists the valid names."""


def did_you_mean(word: str, choices: list[str] | tuple[str, ...], cutoff: float = 0.5) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices``, or an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return f" (did you mean {close[0]!r}?)" if close else ""
