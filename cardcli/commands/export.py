"""`cardcli export anki`: the selected decks (and generated problems) as an Anki import file."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cardcli.console import err, silence_stdout
from cardcli.errors import CardcliError, UsageError, did_you_mean
from cardcli.export_anki import HEADER, SIGNATURE, render
from cardcli.loader import Collection, deck_key, deck_keys
from cardcli.model import Card
from cardcli.safetext import safe_text
from cardcli.selection import load_decks
from cardcli.topics import TOPICS
from generators.errors import GeneratorError

__all__ = ["run_anki", "build_notes", "default_filename", "write_atomic", "write_stdout"]


def _all_families() -> list[str]:
    from generators.catalog import resolve

    return resolve([])


def _generated_families(topics: list[str]) -> list[str]:
    """Families selected by ``--topic`` (all when none); a card topic without a family adds none."""
    from generators.catalog import resolve

    if not topics:
        return resolve([])
    chosen: set[str] = set()
    for t in topics:
        if t in TOPICS:
            try:
                chosen.update(resolve([t]))
            except GeneratorError:  # a topic no family covers
                pass
        else:  # validated as a family name already
            chosen.update(resolve([t]))
    return sorted(chosen)


def _check_selection(col: Collection, decks: list[str], topics: list[str], families: list[str]) -> None:
    from cardcli.gencards import GEN_DECK

    valid_decks = {k for d in col.decks for k in deck_keys(d)} | {GEN_DECK}
    bad_decks = [d for d in decks if deck_key(d) not in valid_decks]
    bad_topics = [t for t in topics if t not in TOPICS and t not in families]
    problems = []
    if bad_decks:
        hint = did_you_mean(bad_decks[0], [d.name for d in col.decks] + [Path(d.file).name for d in col.decks])
        problems.append(f"unknown deck {', '.join(repr(d) for d in bad_decks)}{hint} "
                        f"(decks: {', '.join(d.name for d in col.decks) or 'none'}, {GEN_DECK})")
    if bad_topics:
        fams = f"; problem families: {', '.join(families)}" if families else ""
        hint = did_you_mean(bad_topics[0], list(TOPICS) + families)
        problems.append(f"unknown topic {', '.join(repr(t) for t in bad_topics)}{hint} "
                        f"(topics: {', '.join(TOPICS)}{fams})")
    if problems:
        raise UsageError("; ".join(problems))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "x"


def default_filename(decks: list[str], topics: list[str], generated: int, seed: int, ext: str = "txt") -> str:
    """The output name when ``-o`` is not given: ``cardcli-all.txt``, ``cardcli-conv.txt``,
    ``cardcli-quiz-3-flashcards-conv.txt``; generated problems add ``-generated-N-seed-S``;
    ``ext`` is ``apkg`` for an Anki package."""
    parts = [_slug(d) for d in decks] + [_slug(t) for t in topics] or ["all"]
    if generated:
        parts += [f"generated-{generated}", f"seed-{seed}"]
    return "cardcli-" + "-".join(parts) + "." + ext


def build_notes(
    col: Collection, decks: list[str], topics: list[str], generated: int, seed: int, apkg: bool = False,
) -> tuple[list[Any], int, int]:
    """Notes for the selected cards, then ``generated`` problems per selected family.

    ``--deck generated`` selects generated problems as in ``study``: alone, it exports only them
    (one per family unless ``generated`` says how many); with other decks, those decks' cards too.
    Returns the notes (:class:`AnkiNote`, or with ``apkg`` :class:`cardcli.export_apkg.ApkgNote`),
    the number of cards and the number of generated problems.
    """
    card_note: Callable[[Card], Any]
    problem_note: Callable[[Any], Any]
    if apkg:
        from cardcli.export_apkg import apkg_card_note as card_note
        from cardcli.export_apkg import apkg_problem_note as problem_note
    else:
        from cardcli.export_anki import card_note, problem_note
    from cardcli.gencards import GEN_DECK

    families = _all_families() if any(t not in TOPICS for t in topics) else []
    _check_selection(col, decks, topics, families)
    wanted = [d for d in decks if deck_key(d) != GEN_DECK]
    if len(wanted) < len(decks):  # --deck generated
        generated = generated or 1
        cards = col.select(wanted, topics) if wanted else []
    else:
        cards = col.select(decks, topics)
    notes: list[Any] = [card_note(c) for c in cards]
    problems = 0
    if generated:
        from generators.families import generate

        for family in _generated_families(topics):
            for problem in generate(family, generated, seed, difficulty=1):
                notes.append(problem_note(problem))
                problems += 1
    return notes, len(cards), problems


def write_atomic(path: Path, data: bytes, force: bool = False, apkg: bool = False) -> None:
    """Write the export to ``path`` (:func:`cardcli.fileout.write_output`): an existing file is
    replaced only when cardcli's own export wrote it (the text export's headers and
    :data:`SIGNATURE` line, which a file Anki exported lacks; an ``.apkg`` whose first member is
    cardcli's marker), or with ``--force``; links, FIFOs, devices and sockets are refused unopened."""
    from cardcli.fileout import Signature, starts_with, write_output

    signature: Signature
    if apkg:
        from cardcli.export_apkg import is_cardcli_package

        signature = is_cardcli_package
    else:
        signature = starts_with((HEADER + SIGNATURE).encode())
    write_output(path, data, signature=signature, force=force,
                 refuse=f"{path} exists and is not an export cardcli wrote; choose another -o, or use --force "
                        "to replace it", special_hint="use -o - to write to standard output")


def write_stdout(data: bytes) -> None:
    """``data`` to standard output; a full disk or a closed pipe is a one-line error, not a traceback."""
    stream = sys.stdout
    try:
        stream.flush()
        buffer = getattr(stream, "buffer", None)
        if buffer is not None:
            buffer.write(data)
            buffer.flush()
        else:  # pragma: no cover - text-only streams
            stream.write(data.decode("utf-8"))
            stream.flush()
    except OSError as e:
        silence_stdout()
        raise CardcliError(f"cannot write to standard output: {e.strerror or e}") from None


def run_anki(
    decks: list[str],
    topics: list[str],
    generated: int,
    seed: int,
    output: str | None,
    extra: list[Path],
    fmt: str = "txt",
    force: bool = False,
) -> None:
    apkg = fmt == "apkg"
    col = load_decks(extra, solver_answers=True)
    notes, n_cards, n_problems = build_notes(col, decks, topics, generated, seed, apkg=apkg)
    if not notes:
        hint = "" if generated else " (problem families need --generated N)"
        raise UsageError(f"nothing to export: no card matches the selected decks and topics{hint}")
    if apkg:
        from cardcli.export_apkg import build_package

        data = build_package(notes)
    else:
        data = render(notes).encode("utf-8")
    if output == "-":
        if apkg and sys.stdout.isatty():
            raise UsageError("an .apkg is binary: redirect standard output to a file, or give -o FILE.apkg")
        write_stdout(data)
        return
    path = Path(output) if output else Path.cwd() / default_filename(decks, topics, generated, seed,
                                                                     "apkg" if apkg else "txt")
    write_atomic(path, data, force, apkg=apkg)
    what = f"{n_cards} cards" + (f" and {n_problems} generated problems" if n_problems else "")
    if apkg:
        types = sorted({n.notetype for n in notes})
        what += f"; note types: {', '.join(types)}"
    err.print(safe_text(f"wrote {len(notes)} notes ({what}) to {path}"), soft_wrap=True)
