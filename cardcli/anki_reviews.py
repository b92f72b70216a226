"""Reviews done in Anki, read back from an Anki file (``cardcli import-reviews``).

Reads the review log (``revlog``) of an Anki collection — a ``.colpkg`` or ``.apkg`` exported with
scheduling, or a bare ``.anki2`` collection file — and keeps the answers to notes that came from
cardcli, recognised by GUID (:func:`cardcli.export_anki.guid_for` of a card id: the text and the
``.apkg`` exports give the same one). The file is only read: its collection is copied to a
temporary file, which is opened and then removed.

Anki's four buttons become cardcli's 1–5 (:data:`BUTTONS`). The scheduler counts 3–5 as recalled
(3 -> FSRS Hard, 4 -> Good, 5 -> Easy; 1 and 2 -> Again), and so does Anki: Hard is a pass, not a
lapse. So Again -> 1, Hard -> 3, Good -> 4, Easy -> 5 maps each button onto the cardcli rating that
reaches the same FSRS grade; 2 ("barely", still a lapse) has no Anki button.

Packages from Anki 2.1.50 and later hold the collection as ``collection.anki21b`` (zstd-compressed);
it is read when Python has zstd (Python 3.14's ``compression.zstd`` or the ``zstandard`` package),
else the package is refused with a one-line message asking for an export with *Support older Anki
versions* ticked (which adds the plain ``collection.anki21``).
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from cardcli.errors import CardcliError

__all__ = ["BUTTONS", "KIND", "AnkiReview", "AnkiLog", "read_log", "to_records", "source_of"]

#: Anki's answer buttons (revlog ``ease``) -> cardcli's 1-5
BUTTONS: dict[int, int] = {1: 1, 2: 3, 3: 4, 4: 5}
#: the review kind of imported Anki answers
KIND = "anki"
#: an uncompressed collection larger than this is refused (bounds the temporary copy)
MAX_COLLECTION_BYTES = 2 << 30
SQLITE_MAGIC = b"SQLite format 3\x00"
ZIP_MAGIC = b"PK\x03\x04"
#: revlog types that are not answers: 4 manual (set due date / forget), 5 rescheduled
_NOT_ANSWERS = (4, 5)


@dataclass(frozen=True)
class AnkiReview:
    """One answer in Anki's review log, for a note cardcli exported."""

    revlog_id: int  # Anki's id: the answer time in epoch milliseconds, unique in the collection
    guid: str
    button: int  # 1 Again, 2 Hard, 3 Good, 4 Easy
    duration_ms: int

    @property
    def reviewed_at(self) -> datetime:
        return datetime.fromtimestamp(self.revlog_id / 1000, tz=timezone.utc)

    @property
    def rating(self) -> int:
        return BUTTONS[self.button]


@dataclass(frozen=True)
class AnkiLog:
    """What a file holds: the answers to notes with a known GUID, and how many notes it has."""

    reviews: list[AnkiReview]
    notes: int  # notes in the collection
    ours: int  # of which cardcli's (GUID known)


def source_of(review: AnkiReview) -> str:
    """The unique source id of an imported review: ``anki:<note guid>:<revlog id>``."""
    return f"anki:{review.guid}:{review.revlog_id}"


def _refuse(path: Path, why: str) -> CardcliError:
    return CardcliError(f"{path}: {why}; nothing was imported")


def _zstd_reader() -> Callable[[IO[bytes]], IO[bytes]] | None:
    try:
        from compression import zstd  # type: ignore[import-not-found]  # Python 3.14

        return lambda f: zstd.ZstdFile(f)
    except ImportError:
        pass
    try:
        import zstandard

        return lambda f: zstandard.ZstdDecompressor().stream_reader(f)
    except ImportError:
        return None


def _copy_bounded(src: IO[bytes], dst: IO[bytes], path: Path) -> None:
    total = 0
    while chunk := src.read(1 << 20):
        total += len(chunk)
        if total > MAX_COLLECTION_BYTES:
            raise _refuse(path, f"the collection is larger than {MAX_COLLECTION_BYTES >> 30} GiB")
        dst.write(chunk)


@contextmanager
def _collection_file(path: Path) -> Iterator[Path]:
    """The SQLite collection inside ``path``, as a temporary file (removed afterwards)."""
    try:
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except IsADirectoryError:
        raise _refuse(path, "is a folder, not an Anki file") from None
    except OSError as e:
        raise CardcliError(f"cannot read {path}: {e.strerror or e}") from None
    tmpdir = tempfile.mkdtemp(prefix="cardcli-anki-")
    target = Path(tmpdir) / "collection.sqlite"
    try:
        with open(target, "wb") as out:
            if head == SQLITE_MAGIC:
                with open(path, "rb") as f:
                    _copy_bounded(f, out, path)
            elif head.startswith(ZIP_MAGIC):
                _extract(path, out)
            else:
                raise _refuse(path, "not an Anki collection or package (.colpkg, .apkg or .anki2)")
        yield target
    except OSError as e:
        raise CardcliError(f"cannot read {path}: {e.strerror or e}") from None
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def _extract(path: Path, out: IO[bytes]) -> None:
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            zstd = _zstd_reader()
            if "collection.anki21b" in names and zstd is not None:
                with z.open("collection.anki21b") as member, zstd(member) as plain:
                    _copy_bounded(plain, out, path)
                return
            for name in ("collection.anki21", "collection.anki2"):
                if name in names and not (name == "collection.anki2" and "collection.anki21b" in names):
                    with z.open(name) as member:
                        _copy_bounded(member, out, path)
                    return
            if "collection.anki21b" in names:
                raise _refuse(path, "the package uses Anki's compressed format, which needs zstd (Python 3.14, or "
                                    "`pip install zstandard`, or cardcli[anki]); or export again with "
                                    "'Support older Anki versions' ticked")
            raise _refuse(path, "a zip file without an Anki collection in it")
    except (zipfile.BadZipFile, EOFError, ValueError) as e:
        raise _refuse(path, f"damaged package ({' '.join(str(e).split())[:80]})") from None


def read_log(path: Path, known: Mapping[str, Any]) -> AnkiLog:
    """The answers in ``path`` to notes whose GUID is in ``known``, oldest first.

    Raises a one-line :class:`CardcliError` for a file that is not an Anki collection, a damaged
    one, or one without review log.
    """
    from cardcli.store.anki_collection import AnkiCollectionError, read_collection

    with _collection_file(path) as db:  # our temporary copy: the user's file is never opened for writing
        try:
            tables, guids, rows = read_collection(db)
        except AnkiCollectionError as e:
            raise _refuse(path, f"damaged Anki collection ({e})") from None
    if not {"notes", "cards", "revlog"} <= tables:
        raise _refuse(path, "not an Anki collection (no notes, cards and revlog tables)")
    ours = {nid for nid, guid in guids.items() if guid in known}
    reviews = [AnkiReview(rid, guids[nid], ease, max(0, taken)) for rid, nid, ease, taken, kind in rows
               if nid in ours and ease in BUTTONS and kind not in _NOT_ANSWERS]
    return AnkiLog(reviews=reviews, notes=len(guids), ours=len(ours))


def to_records(reviews: Iterable[AnkiReview], cards: Mapping[str, Any], policy_at: Callable[[datetime], Any],
               now: datetime) -> tuple[list[tuple[Any, str]], int]:
    """(review record, source) pairs for the store, and how many answers lie in the future (skipped).

    ``cards``: GUID -> the cardcli card; ``policy_at``: the scheduler policy for a review at a time
    (as the local review would have had).
    """
    from cardcli.store import ReviewRecord

    records = []
    future = 0
    for r in reviews:
        at = r.reviewed_at
        if at > now:
            future += 1
            continue
        card = cards[r.guid]
        records.append((ReviewRecord(card_id=card.id, deck=card.deck, reviewed_at=at, rating=r.rating,
                                     duration_ms=r.duration_ms, kind=KIND, policy=policy_at(at)), source_of(r)))
    return records, future
