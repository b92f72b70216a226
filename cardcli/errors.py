"""Domain errors. The CLI turns every one of these into a one-line message in one place.

The solver library raises its own :class:`generators.errors.GeneratorError` (a bad family, topic
or difficulty); the same boundary shows it as a usage error (exit 2). :func:`did_you_mean` is the
library's, re-exported.
"""

from __future__ import annotations

from dataclasses import dataclass

from generators.errors import did_you_mean

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
