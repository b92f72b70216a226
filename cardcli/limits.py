"""The documented maxima of cardcli's options and inputs, in one place (see docs/safety.md).

Every count and seed a user types is checked against these at the option (typer ``min``/``max``),
before any work, so a huge value is a one-line usage error instead of minutes of work, gigabytes
of memory or a crash after the work (a seed SQLite cannot store).
"""

from __future__ import annotations

__all__ = ["SEED_MAX", "QUIZ_MAX", "GENERATE_MAX", "EXPORT_GENERATED_MAX", "TEMPLATE_MAX_BYTES"]

#: seeds are 0 .. 2**63 - 1: the range an SQLite INTEGER holds (a quiz or mock answer logs its seed)
SEED_MAX = 2**63 - 1
#: problems in one ``cardcli quiz`` (a long sitting is many quizzes)
QUIZ_MAX = 500
#: problems printed by one ``cardcli generate`` (streamed: memory does not grow with it)
GENERATE_MAX = 100_000
#: generated problems per family in one ``cardcli export anki`` (the whole file is built in memory)
EXPORT_GENERATED_MAX = 1_000
#: the largest mock-exam template file read (``--template``); the shipped one is about 2 KB
TEMPLATE_MAX_BYTES = 64 * 1024
