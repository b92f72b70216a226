"""`cardcli import`: other apps' flashcard exports become checked YAML decks."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text

from cardcli.console import err, message, out
from cardcli.deckparse import parse_text
from cardcli.errors import CardcliError, UsageError, did_you_mean
from cardcli.fileout import write_output
from cardcli.importing import Imported, import_file
from cardcli.importing.build import slug
from cardcli.safetext import safe_text
from cardcli.topics import TOPICS

__all__ = ["run", "target_path", "write_new"]


def target_path(imported: Imported, output: Path | None, several: bool) -> Path:
    """Where a deck goes: ``-o FILE.yaml``, ``-o FOLDER/<deck>.yaml``, or ``./<deck>.yaml``."""
    name = f"{slug(imported.name, 60) or slug(imported.source.stem, 60) or 'imported'}.yaml"
    if output is None:
        return Path.cwd() / name
    if output.suffix.lower() in (".yaml", ".yml") and not output.is_dir():
        if several:
            raise UsageError("-o names one file but several inputs were given; give a folder instead")
        return output
    return output / name


def write_new(path: Path, data: bytes, force: bool) -> None:
    """Write the deck (:func:`cardcli.fileout.write_output`): a new file is created exclusively (two
    imports racing for one name: one writes, the other is told it exists); an existing file is
    replaced only with ``force`` (a deck may have been edited since), atomically."""
    write_output(path, data, signature=None, force=force, refuse=f"{path} exists; use --force to replace it")


def _show(imported: Imported) -> None:
    for card in imported.cards:
        kind = card.get("type", "basic")
        out.print(Text(f"{card['id']}  [{kind}, {card['topic']}]", style="bold"))
        out.print(Text(f"  Q: {card['front']}"))
        if kind == "choice":
            for i, option in enumerate(card["options"], 1):
                out.print(Text(f"     {i}) {option}"))
            out.print(Text(f"  answer: {card['answer']}"))
        elif kind == "truefalse":
            out.print(Text(f"  answer: {'true' if card['answer'] else 'false'}"))
        back = card["back"]
        text = "\n".join(f"- {b}" for b in back) if isinstance(back, list) else back
        out.print(Text("  A: " + text.replace("\n", "\n     ")))


def _summary(imported: Imported, where: str) -> str:
    n = len(imported.cards)
    kinds = (f"{imported.count('truefalse')} true/false, {imported.count('choice')} choice, "
             f"{imported.count('basic')} basic")
    topics = (f"topics: {imported.guessed} guessed by keyword, {imported.fallback} as misc"
              if imported.guessed or imported.fallback else "topic given for all")
    warn = len(imported.warnings)
    return (f"{where}: {n} card{'s' if n != 1 else ''} ({kinds}) from {imported.source.name} "
            f"({imported.format}); {topics}; {warn} warning{'s' if warn != 1 else ''}")


def run(
    files: list[Path],
    output: Path | None,
    fmt: str,
    deck: str | None,
    topic: str | None,
    force: bool,
    dry_run: bool,
    term_sep: str | None,
    row_sep: str | None,
) -> None:
    if not files:
        raise UsageError("give at least one file to import")
    if topic is not None:
        topic = topic.casefold()
        if topic not in TOPICS:
            raise UsageError(f"--topic: unknown topic {topic!r}{did_you_mean(topic, list(TOPICS))}")
    if deck is not None and len(files) > 1:
        raise UsageError("--deck names one deck but several inputs were given")
    failed = 0
    targets: set[Path] = set()
    for file in files:
        try:
            imported = import_file(file, fmt, deck, topic, term_sep, row_sep)
            target = target_path(imported, output, len(files) > 1)
            if target.resolve() in targets:
                raise CardcliError(f"{file}: its deck would be written to {target} as well; "
                                   "use --deck or import it on its own")
            issues = []  # batch by batch: the check's memory does not grow with the deck
            for batch in imported.batches or [imported.yaml[len(imported.head):]]:
                issues = parse_text(imported.head + batch, str(target))[1]
                if issues:
                    break
            if issues:  # a bug, never the input's fault: say so rather than write a broken deck
                raise CardcliError(f"{file}: the deck built from it does not validate: {issues[0]}")
            for w in imported.warnings:
                message(f"warning: {w}")
            if dry_run:
                _show(imported)
                err.print(safe_text(_summary(imported, f"dry run, not written ({target})")))
                continue
            write_new(target, imported.yaml.encode("utf-8"), force)
            targets.add(target.resolve())
            err.print(safe_text(_summary(imported, f"wrote {target}")))
            err.print(safe_text(f"check it with `cardcli check {target}`, study it with "
                                f"`cardcli study --decks {target}`"))
        except CardcliError as e:  # this input fails; the others are still imported
            message(f"cardcli: {e}")
            failed += 1
    if failed:
        raise SystemExit(2)
