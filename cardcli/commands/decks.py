"""`cardcli decks`: each deck with its card count and topics."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from cardcli.commands._common import load_decks, out
from cardcli.safetext import safe_text

__all__ = ["run"]


def run(extra: list[Path]) -> None:
    col = load_decks(extra)
    table = Table(title=f"{len(col.cards)} cards in {len(col.decks)} decks", title_justify="left")
    table.add_column("deck")
    table.add_column("cards", justify="right")
    table.add_column("file")
    table.add_column("topics")
    for d in col.decks:
        # cells are Text: deck names and file names are data, never markup
        table.add_row(safe_text(d.name), str(len(d.cards)),
                      safe_text(Path(d.file).name + ("" if d.bundled else " (user)")), safe_text(", ".join(d.topics)))
    out.print(table)
