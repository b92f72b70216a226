"""The command-line interface: a thin dispatch table.

Each command parses its options, makes one call into ``cardcli.commands.<name>`` and
returns. Heavy imports (numpy, the solver, fsrs) happen inside those modules, so
``cardcli --help`` stays fast. Every :class:`cardcli.errors.CardcliError` becomes a one-line
message on stderr and a non-zero exit in :func:`main`.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from cardcli import __version__
from cardcli.limits import EXPORT_GENERATED_MAX, GENERATE_MAX, QUIZ_MAX, SEED_MAX

app = typer.Typer(
    name="cardcli",
    help="Exam drill for deep-learning courses: spaced-repetition flashcards and "
    "solver-graded numeric problems.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
export_app = typer.Typer(help="Export decks to other apps.", no_args_is_help=True)
app.add_typer(export_app, name="export")
from cardcli.commands.exam import exam_app  # noqa: E402  (typer only: cheap at start-up)

app.add_typer(exam_app, name="exam")

DecksOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--decks",
        help="A user deck (YAML file or folder); repeatable. Also read from $CARDCLI_DECKS.",
        show_default=False,
    ),
]
DeckNameOpt = Annotated[
    list[str] | None,
    typer.Option("--deck", help="Only this deck (display name or file name, any case); repeatable.", show_default=False),
]
ExamOpt = Annotated[
    str | None,
    typer.Option("--exam", metavar="DATE",
                 help="Exam date (YYYY-MM-DD) for this run; default: the one `cardcli exam set` remembers."),
]
TopicOpt = Annotated[
    list[str] | None,
    typer.Option("--topic", help="Only this topic (or problem family), any case; repeatable.", show_default=False,
                 callback=lambda values: [v.strip().casefold() for v in values] if values else values),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cardcli {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", help="Show the version and exit.", callback=_version, is_eager=True)
    ] = False,
) -> None:
    """Exam drill for deep-learning courses."""


@app.command()
def decks(extra: DecksOpt = None) -> None:
    """List the decks with their card counts and topics."""
    from cardcli.commands import decks as cmd

    cmd.run(extra or [])


@app.command()
def check(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Deck files or folders to check (default: bundled and user decks).", show_default=False),
    ] = None,
    extra: DecksOpt = None,
    facts: Annotated[
        bool, typer.Option("--facts", help="List every card carrying an erratum or a disputed reason, to review.")
    ] = False,
) -> None:
    """Validate decks and recompute every numeric answer; exit 2 on any problem."""
    from cardcli.commands import check as cmd

    cmd.run(paths or [], extra or [], facts=facts)


@app.command()
def study(
    deck: DeckNameOpt = None,
    topic: TopicOpt = None,
    new: Annotated[int, typer.Option("--new", min=0, help="New cards to introduce per day.")] = 20,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Stop after this many cards.")] = 200,
    exam: ExamOpt = None,
    cram: Annotated[bool, typer.Option("--cram", help="Drill the weakest cards now, ignoring due dates.")] = False,
    extra: DecksOpt = None,
) -> None:
    """Study flashcards and generated problems, rating each 1 (not at all) to 5 (perfectly)."""
    exam_date = _date(exam)
    from cardcli.commands import study as cmd

    cmd.run(decks=deck or [], topics=topic or [], new=new, limit=limit, exam=exam_date,
            cram=cram, extra=extra or [])


@app.command()
def due(
    count: Annotated[int, typer.Option("-n", "--count", min=1, help="How many cards to list.")] = 20,
    explain: Annotated[bool, typer.Option("--explain", help="Say why each card is where it is.")] = False,
    deck: DeckNameOpt = None,
    topic: TopicOpt = None,
    exam: ExamOpt = None,
    extra: DecksOpt = None,
) -> None:
    """Show the next cards in study order."""
    exam_date = _date(exam)
    from cardcli.commands import due as cmd

    cmd.run(count=count, explain=explain, decks=deck or [], topics=topic or [], exam=exam_date,
            extra=extra or [])


@app.command()
def stats(
    json_out: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    exam: ExamOpt = None,
    extra: DecksOpt = None,
) -> None:
    """Progress per deck and topic, review history and upcoming due counts."""
    exam_date = _date(exam)
    from cardcli.commands import stats as cmd

    cmd.run(json_out=json_out, exam=exam_date, extra=extra or [])


@app.command()
def optimize(
    json_out: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Fit and report, never save.")] = False,
    reset: Annotated[bool, typer.Option("--reset", help="Go back to the default FSRS parameters.")] = False,
) -> None:
    """Fit the memory model to your own reviews; saved only if it predicts held-out reviews better."""
    from cardcli.commands import optimize as cmd

    cmd.run(json_out=json_out, dry_run=dry_run, reset=reset)


@app.command()
def quiz(
    topic: TopicOpt = None,
    count: Annotated[int, typer.Option("--count", "-n", min=1, max=QUIZ_MAX, help="Number of problems.")] = 5,
    seed: Annotated[int | None, typer.Option("--seed", min=0, max=SEED_MAX,
                                             help="Seed (default: random, printed).")] = None,
    difficulty: Annotated[int, typer.Option("--difficulty", "-d", min=1, max=3, help="1 (by hand) to 3 (exam+).")] = 1,
    exam: ExamOpt = None,
) -> None:
    """Fresh numeric problems graded against the NumPy reference solver (weakest families first)."""
    exam_date = _date(exam)
    from cardcli.commands import quiz as cmd

    cmd.run(topics=topic or [], count=count, seed=seed, difficulty=difficulty, exam=exam_date)


@app.command()
def generate(
    family: Annotated[str, typer.Argument(help="Problem family, e.g. conv-forward (see `cardcli generate --list`); "
                                          "without one, what `cardcli quiz` would ask.")] = "",
    topic: TopicOpt = None,
    count: Annotated[int, typer.Option("--count", "-n", min=1, max=GENERATE_MAX, help="Number of problems.")] = 1,
    seed: Annotated[int, typer.Option("--seed", min=0, max=SEED_MAX,
                                      help="Seed: the same seed gives the same problems.")] = 0,
    difficulty: Annotated[int, typer.Option("--difficulty", "-d", min=1, max=3, help="1 (by hand) to 3.")] = 1,
    list_families: Annotated[bool, typer.Option("--list", help="List the problem families and exit.")] = False,
    exam: ExamOpt = None,
) -> None:
    """Print generated problems as JSON Lines (id, family, params, prompt, answer, solution)."""
    exam_date = _date(exam)
    from cardcli.commands import generate as cmd

    cmd.run(family=family, topics=topic or [], count=count, seed=seed, difficulty=difficulty,
            list_families=list_families, exam=exam_date)


@app.command("import")
def import_cmd(
    files: Annotated[list[Path], typer.Argument(help="Exported flashcard files (text or CSV).", show_default=False)],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Deck file (one input) or folder (default: ./<deck>.yaml).")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="auto, brainscape, quizlet, anki, csv or qa (plain Q/A text).")
    ] = "auto",
    deck: Annotated[str | None, typer.Option("--deck", help="Deck name (default: the file's title).")] = None,
    topic: Annotated[str | None, typer.Option("--topic", help="Topic for every card (default: guessed).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing deck file.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the cards and warnings; write nothing.")] = False,
    term_sep: Annotated[
        str | None, typer.Option("--term-sep", help="Quizlet: between term and definition (tab, comma, or text).")
    ] = None,
    row_sep: Annotated[
        str | None, typer.Option("--row-sep", help="Quizlet: between cards (newline, semicolon, or text).")
    ] = None,
) -> None:
    """Turn flashcards exported from Brainscape, Quizlet, Anki or a plain Q/A list into a deck."""
    from cardcli.commands import import_decks as cmd

    cmd.run(files=files, output=output, fmt=fmt, deck=deck, topic=topic, force=force, dry_run=dry_run,
            term_sep=term_sep, row_sep=row_sep)


@export_app.command("anki")
def export_anki(
    deck: DeckNameOpt = None,
    topic: TopicOpt = None,
    generated: Annotated[int, typer.Option("--generated", min=0, max=EXPORT_GENERATED_MAX,
                                           help="Add N generated problems per family.")] = 0,
    seed: Annotated[int, typer.Option("--seed", min=0, max=SEED_MAX, help="Seed for generated problems.")] = 0,
    output: Annotated[
        str | None, typer.Option("-o", "--output", help="Output file ('-' for stdout; default named after the selection).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file cardcli did not write.")] = False,
    extra: DecksOpt = None,
) -> None:
    """Write an Anki text-import file (tab-separated, with headers Anki reads)."""
    from cardcli.commands import export as cmd

    cmd.run_anki(decks=deck or [], topics=topic or [], generated=generated, seed=seed,
                 output=output, extra=extra or [], force=force)


@exam_app.command("mock")  # beside `exam set/clear` (cardcli.commands.exam)
def exam_mock(
    seed: Annotated[int | None, typer.Option("--seed", min=0, max=SEED_MAX,
                                             help="Seed (default: random, printed); the same seed "
                                             "and history give the same exam.")] = None,
    minutes: Annotated[int | None, typer.Option("--minutes", min=1, max=600,
                                                help="Time allowed (default: the template's, 75 for Midterm II).")] = None,
    template: Annotated[Path | None, typer.Option("--template", help="A template YAML file (default: the shipped "
                                                  "Midterm II one).", show_default=False)] = None,
    topic: Annotated[list[str] | None, typer.Option("--topic", help="Draw the deck cards only from this topic; "
                                                    "repeatable.", show_default=False)] = None,
    print_to: Annotated[str | None, typer.Option("--print", metavar="FILE", help="Write the exam with an answer key "
                                                 "and worked solutions (Markdown; .html for HTML; - for stdout) "
                                                 "instead of sitting it.")] = None,
    force: Annotated[bool, typer.Option("--force", help="With --print: replace an existing file cardcli "
                                        "did not print.")] = False,
    extra: DecksOpt = None,
) -> None:
    """Sit a timed mock exam shaped like the real one, marked at the end with partial credit."""
    from cardcli.commands import mock as cmd

    cmd.run(seed=seed, minutes=minutes, template=template, topics=topic or [], print_to=print_to,
            extra=extra or [], force=force)


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        from cardcli.errors import UsageError

        raise UsageError(f"--exam: {text!r} is not a date; use YYYY-MM-DD") from None


def main() -> None:
    """Entry point: run the app with one error boundary."""
    from cardcli.charset import install
    from cardcli.errors import CardcliError, DeckError

    install()  # a terminal that cannot show '—' or 'Σ' gets '--' and 'Sum', not a UnicodeEncodeError
    try:
        app()  # click handles usage errors, --help and --version itself
    except DeckError as e:
        from cardcli.commands._common import message

        for issue in e.issues:  # file names and deck text are data: control characters made visible
            message(str(issue))
        sys.exit(e.exit_code)
    except CardcliError as e:
        _fail(str(e), e.exit_code)
    except OSError as e:  # stdout on a full disk or a closed pipe (`cardcli due > /dev/full`, `| head`)
        import errno

        if e.errno == errno.EIO:  # the terminal went away (window closed): nobody is left to tell
            from cardcli.commands.export import silence_stdout

            silence_stdout()
            sys.exit(1)
        if e.errno not in (errno.ENOSPC, errno.EPIPE, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)):
            raise
        from cardcli.commands.export import silence_stdout

        silence_stdout()
        why = {errno.EFBIG: "the file-size limit is reached (`ulimit -f`)",
               errno.ENOSPC: "the disk is full"}.get(e.errno or 0, e.strerror)
        _fail(f"cannot write output: {why}", 1)


def _fail(text: str, code: int) -> None:
    from cardcli.commands._common import message

    message(f"cardcli: {text}")
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
