"""The review history: the only module with SQL.

One SQLite file (:func:`cardcli.paths.db_path`) in WAL mode with a busy timeout, so two
sessions on the same state dir both work. STRICT tables:

* ``reviews`` - append-only log: one row per rating, with the raw 1-5, duration, graded
  correctness, the generated problem's seed and params, ``kind`` ('review', 'cram' or 'mock'),
  ``state_before`` (the card state the rating replaced, for undo) and ``policy`` (the
  scheduler settings it was rated under, so the log can be replayed).
* ``card_state`` - the current FSRS state per card id, as columns (state, step, stability,
  difficulty, due, last review; times in the canonical UTC text of :func:`_iso`, which sorts as
  time; each column under a ``CHECK``). Rows are never dropped when a card leaves the decks; the
  card resumes where it was if its id comes back. A covering index on ``due`` lets study rank
  the cards due today without reading the others (:class:`StateIndex`). Consumers get card
  states through :meth:`Store.card_states` as :class:`cardcli.scheduler.states.CardStates`,
  whichever of the two readings (on demand or all loaded) they asked for.
* ``review_totals`` - ratings and ratings recalled (3-5) per (card, deck), kept equal to the log by
  triggers on ``reviews`` (stats' retention without scanning the log).
* ``memory_model`` - at most one row: the FSRS parameters `cardcli optimize` fitted and saved.
* ``mock_exams`` - one row per sat mock exam (``cardcli exam mock``): when, seed, template,
  score of max, how it ended, per-topic and per-question JSON. Its answers are ``reviews`` rows
  of kind ``'mock'`` written in the same transaction.
* ``settings`` - small remembered values (the exam date and name): key -> text.

Review kinds: ``review`` (study), ``cram`` (logged, never changes the state), ``quiz``
(``cardcli quiz`` answers: rating 4 if correct, 1 if wrong, state of the ``gen:`` card updated),
``mock`` (``cardcli exam mock`` answers: 4 with full points, 1 otherwise; the card's state updated) and
``anki`` (reviews done in Anki, ``cardcli import-reviews``: their Anki revlog id in the unique
``source`` column, the touched cards replayed in time order: :meth:`Store.import_reviews`).

Each rating is its own short transaction (:meth:`Store.record`), committed before the next
card shows. The new state is computed inside that transaction from the card's state as
committed at that moment, so two sessions rating the same card never write from a stale copy;
undo restores what the rating replaced, or replays the card's later ratings when another
session rated it since. Invariant: every card's state is :func:`cardcli.scheduler.replay` of
its non-cram reviews.

Before the first write, :meth:`Store.open` checks the file's integrity and identity (``PRAGMA
application_id``, or the cardcli tables of files made before it was set) and that it can be
written; a file failing any of these is left byte-for-byte untouched (no WAL switch, no
migration) and reported as a one-line :class:`StoreError`. Integrity: cheap header checks always;
``PRAGMA quick_check`` (O(file size)) for files under :data:`FULL_CHECK_BELOW` and for any file
not exactly as cardcli last left it (size, mtime, inode and WAL size recorded in a
``.verified`` sidecar when a session closes a file its own last commit left). The schema version
is ``PRAGMA user_version``; :data:`MIGRATIONS` are applied in order, so a fresh file and an old
one go through the same path. The file is never
overwritten or deleted.

Modules, one concept each (all of them together own all of cardcli's SQL):

* :mod:`~cardcli.store.history` - :class:`Store`, the open history: opening, transactions, every
  read and write (also the busy timeout and the retries on a locked file);
* :mod:`~cardcli.store.state_index` - :class:`StateIndex`, card states read on demand;
* :mod:`~cardcli.store.records` - the record dataclasses and their row and JSON codecs;
* :mod:`~cardcli.store.schema` - :data:`MIGRATIONS` and :data:`SCHEMA_VERSION`;
* :mod:`~cardcli.store.integrity` - the checks before the first write and the ``.verified`` sidecar;
* :mod:`~cardcli.store.errors` - :class:`StoreError` and the one-line message for an SQLite failure.

The names below are re-exports: to patch a constant or helper (a test setting
``FULL_CHECK_BELOW`` or wrapping ``_connect``), patch it in the submodule that uses it, e.g.
``cardcli.store.integrity.FULL_CHECK_BELOW``; setting it here changes nothing.
"""

from __future__ import annotations

from cardcli.store.errors import StoreError
from cardcli.store.history import BUSY_TIMEOUT_MS, SITTING, Store
from cardcli.store.integrity import FULL_CHECK_BELOW, VERIFIED_SUFFIX
from cardcli.store.records import MemoryModel, MockExamRecord, ReviewRecord
from cardcli.store.schema import APPLICATION_ID, MIGRATION_BATCH, MIGRATIONS, SCHEMA_VERSION
from cardcli.store.state_index import StateIndex

__all__ = ["StoreError", "ReviewRecord", "MemoryModel", "MockExamRecord", "Store", "StateIndex", "MIGRATIONS",
           "SCHEMA_VERSION", "APPLICATION_ID", "FULL_CHECK_BELOW", "BUSY_TIMEOUT_MS", "MIGRATION_BATCH",
           "VERIFIED_SUFFIX", "SITTING"]
