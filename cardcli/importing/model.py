"""What every import format produces: question/answer pairs with where they came from."""

from __future__ import annotations

from dataclasses import dataclass, field

from cardcli.errors import CardcliError, DeckIssue

__all__ = ["Pair", "Parsed", "ImportFileError"]


class ImportFileError(CardcliError):
    """An input file that cannot be imported at all (empty, binary, not UTF-8, too large)."""

    exit_code = 2


@dataclass(frozen=True)
class Pair:
    """One question and its answer as plain text (line breaks kept), before typing."""

    front: str
    back: str
    line: int  # 1-based line of the question in the input
    tags: tuple[str, ...] = ()
    deck: str | None = None  # the source app's deck name (Anki), if it had one


@dataclass
class Parsed:
    """A whole input file: its title (if the format has one), pairs, and what looked wrong."""

    pairs: list[Pair] = field(default_factory=list)
    title: str | None = None
    warnings: list[DeckIssue] = field(default_factory=list)
