"""`cardcli import-reviews FILE`: reviews done in Anki appended to the history and replayed."""

from __future__ import annotations

from pathlib import Path

from cardcli import clock
from cardcli.errors import CardcliError

__all__ = ["run"]



def run(file: Path, extra: list[Path], dry_run: bool = False) -> None:
    from rich.text import Text

    from cardcli.anki_reviews import read_log, to_records
    from cardcli.console import out
    from cardcli.examdate import stored_exam
    from cardcli.export_anki import guid_for
    from cardcli.scheduler import policy_for
    from cardcli.selection import load_decks
    from cardcli.store import Store
    from cardcli.studyday import from_env

    now = clock.now()
    day = from_env()
    col = load_decks(extra)
    cards = {guid_for(c.id): c for d in col.decks for c in d.cards}
    log = read_log(file, cards)  # a foreign or damaged file stops here, before the history is opened
    if log.ours == 0:
        raise CardcliError(f"{file}: none of its {log.notes} notes came from cardcli (exported with "
                           "`cardcli export anki`); nothing was imported")
    with Store.open() as store:
        exam, _ = stored_exam(store)
        model = store.memory_model()
        params = model.parameters if model else None
        records, future = to_records(log.reviews, cards, lambda at: policy_for(at, exam, params, day), now)
        added = [] if dry_run else store.import_reviews(records)
    touched = len({r.card_id for r in added})
    verb = "would import" if dry_run else "imported"
    count = len(records) if dry_run else len(added)
    line = (f"{verb} {count} of {len(log.reviews)} Anki reviews ({log.ours} of {log.notes} notes from cardcli"
            + ("" if dry_run else f"; {touched} cards rescheduled") + ")")
    if not dry_run and len(added) < len(records):
        line += f"; {len(records) - len(added)} already imported"
    if future:
        line += f"; {future} dated after now skipped"
    out.print(Text(line), soft_wrap=True)
