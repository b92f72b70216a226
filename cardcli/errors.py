"""Domain errors. The CLI turns every one of these into a one-line message in one place."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

__all__ = ["CardcliError", "DeckIssue", "DeckError", "UsageError", "did_you_mean"]


class CardcliError(Exception):
    """An error the user can act on; its message is shown as-is, without a traceback."""

    exit_code = 1


class UsageError(CardcliError):
    """Bad option values or an unknown name on the command line."""

    exit_code = 2


@dataclass(frozen=True, order=True)
class DeckIssue:
    """One problem in a deck file, reported as ``file:line: message``."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class DeckError(CardcliError):
    """One or more deck problems, all reported at once."""

    exit_code = 2

    def __init__(self, issues: list[DeckIssue]):
        self.issues = sorted(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


def did_you_mean(word: str, choices: list[str] | tuple[str, ...], cutoff: float = 0.5) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices``, or an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return f" (did you mean {close[0]!r}?)" if close else ""
