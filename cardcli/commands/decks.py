"""`cardcli decks`: each deck with its card count and topics."""

from __future__ import annotations

from pathlib import Path

from cardcli.console import out
from cardcli.layout import Column, fit_table
from cardcli.safetext import safe_text
from cardcli.selection import load_decks

__all__ = ["run"]


def run(extra: list[Path]) -> None:
    col = load_decks(extra)
    columns = [Column("deck"), Column("cards", "right"), Column("file"), Column("topics", wrap=True)]
    # cells are Text: deck names and file names are data, never markup
    rows = [[safe_text(d.name), str(len(d.cards)), safe_text(Path(d.file).name + ("" if d.bundled else " (user)")),
             ", ".join(d.topics)] for d in col.decks]
    out.print(fit_table(out.width, columns, rows, title=f"{len(col.cards)} cards in {len(col.decks)} decks"))
