"""The command-line interface: a thin dispatch table.

Every command and sub-command (``export anki``, ``exam``/``exam set``/``exam clear``/``exam mock``)
is registered here, and only here. Each parses its options, makes one call into
``cardcli.commands.<name>`` and returns; command modules never import each other (shared logic
lives in core modules named for their concept: :mod:`cardcli.selection`, :mod:`cardcli.examdate`,
:mod:`cardcli.quizplan`, :mod:`cardcli.console`). Heavy imports (numpy, the solver, fsrs) happen
inside those modules, so ``cardcli --help`` stays fast. Every :class:`cardcli.errors.CardcliError` becomes a one-line
message on stderr and a non-zero exit in :func:`main`.
"""

from __future__ import annotations

import copy
import os
import sys
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from cardcli import __version__
from cardcli.limits import EXPORT_GENERATED_MAX, GENERATE_MAX, QUIZ_MAX, SEED_MAX


class FullHelpGroup(typer.core.TyperGroup):
    """A command group whose ``--help`` gives every command's whole first sentence (wrapped to the
    terminal), where click would cut it to the space left on the line and end it with "..."."""

    def format_commands(self, ctx: typer._click.Context, formatter: typer._click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit=10_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


#: help text uses the terminal's full width (click's default stops at 80 columns)
HELP_WIDTH = 200

app = typer.Typer(
    name="cardcli",
    cls=FullHelpGroup,
    help="Exam drill for deep-learning courses: spaced-repetition flashcards and "
    "solver-graded numeric problems.",
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": HELP_WIDTH},
)
export_app = typer.Typer(help="Export decks to other apps.", no_args_is_help=True, cls=FullHelpGroup)
app.add_typer(export_app, name="export")
exam_app = typer.Typer(
    help="Remember the exam date: `cardcli exam set DATE [HH:MM]`, `cardcli exam` (status), `cardcli exam clear`.",
    add_completion=False,
    rich_markup_mode=None,
)
app.add_typer(exam_app, name="exam", cls=FullHelpGroup)


def _complete_topics(incomplete: str) -> list[tuple[str, str]]:
    from cardcli.completion import topics  # only while the shell asks for completions

    return topics(incomplete)


def _complete_families(incomplete: str) -> list[tuple[str, str]]:
    from cardcli.completion import families

    return families(incomplete)


def _complete_decks(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    from cardcli.completion import decks

    return decks(incomplete, ctx.params.get("extra") or [])


def _complete_card_ids(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    from cardcli.completion import card_ids

    return card_ids(incomplete, ctx.params.get("extra") or [])


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
    typer.Option("--deck", help="Only this deck (display name or file name, any case); repeatable.",
                 show_default=False, autocompletion=_complete_decks),
]
ExamOpt = Annotated[
    str | None,
    typer.Option("--exam", metavar="DATE",
                 help="Exam date (YYYY-MM-DD) for this run; default: the one `cardcli exam set` remembers."),
]
TopicOpt = Annotated[
    list[str] | None,
    typer.Option("--topic", help="Only this topic (or problem family), any case; repeatable.", show_default=False,
                 autocompletion=_complete_topics,
                 callback=lambda values: [v.strip().casefold() for v in values] if values else values),
]


class ExportFormat(str, Enum):
    txt = "txt"
    apkg = "apkg"


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
    limit: Annotated[int, typer.Option("--limit", min=1, help="Stop the session after this many ratings "
                                       "(cards coming back in the session count each time); it says so "
                                       "and how to go on.")] = 200,
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
    new: Annotated[int, typer.Option("--new", min=0, help="New cards per day, as for `cardcli study`.")] = 20,
    exam: ExamOpt = None,
    extra: DecksOpt = None,
) -> None:
    """Show the next cards in study order."""
    exam_date = _date(exam)
    from cardcli.commands import due as cmd

    cmd.run(count=count, explain=explain, decks=deck or [], topics=topic or [], exam=exam_date,
            extra=extra or [], new=new)


@app.command()
def today(
    new: Annotated[int, typer.Option("--new", min=0, help="New cards per day, as for `cardcli study`.")] = 20,
    exam: ExamOpt = None,
    extra: DecksOpt = None,
) -> None:
    """Today at a glance: reviews due, new cards planned, and about how many minutes at your own pace."""
    exam_date = _date(exam)
    from cardcli.commands import today as cmd

    cmd.run(new=new, exam=exam_date, extra=extra or [])


@app.command()
def stats(
    json_out: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    calibration: Annotated[bool, typer.Option("--calibration", help="How well predicted recall matched your "
                                              "ratings: a reliability table (each review predicted from the "
                                              "state before it), log loss, RMSE(bins); past mock exams too.")] = False,
    exam: ExamOpt = None,
    extra: DecksOpt = None,
) -> None:
    """Progress per deck and topic, review history and upcoming due counts.

    Retention is the share of ratings recalled: 3-5 (with effort, well, perfectly), as the scheduler
    counts them; 1-2 are forgotten.
    """
    exam_date = _date(exam)
    from cardcli.commands import stats as cmd

    if calibration:
        cmd.run_calibration(json_out=json_out)
        return
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
                                          "without one, what `cardcli quiz` would ask.",
                                          autocompletion=_complete_families)] = "",
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


@app.command()
def show(
    query: Annotated[list[str], typer.Argument(metavar="ID-OR-WORDS", help="A card id, or words from the card's "
                                               "front, answer or erratum.", show_default=False,
                                               autocompletion=_complete_card_ids)],
    json_out: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    extra: DecksOpt = None,
) -> None:
    """Show one card as study shows it, with its answer, file:line, schedule state and due date."""
    from cardcli.commands import show as cmd

    cmd.run(query, json_out=json_out, extra=extra or [])


@app.command()
def search(
    words: Annotated[list[str], typer.Argument(help="Words that must all occur in the card's front, answer or "
                                               "erratum (any case), or a card id.", show_default=False)],
    deck: DeckNameOpt = None,
    topic: TopicOpt = None,
    json_out: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Print at most this many cards.")] = 20,
    extra: DecksOpt = None,
) -> None:
    """Find cards by words (front, answer, erratum), printed as study shows them, best match first."""
    from cardcli.commands import search as cmd

    cmd.run(words, decks=deck or [], topics=topic or [], json_out=json_out, limit=limit, extra=extra or [])


@app.command("import-reviews")
def import_reviews(
    file: Annotated[Path, typer.Argument(help="An Anki collection or deck package exported with scheduling "
                                         "(.colpkg, .apkg) or a collection file (.anki2).", show_default=False)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count what would be imported; write nothing.")] = False,
    extra: DecksOpt = None,
) -> None:
    """Bring back reviews done in Anki on cards exported by cardcli (Again 1, Hard 3, Good 4, Easy 5)."""
    from cardcli.commands import import_reviews as cmd

    cmd.run(file, extra or [], dry_run=dry_run)


@export_app.command("anki")
def export_anki(
    deck: DeckNameOpt = None,
    topic: TopicOpt = None,
    generated: Annotated[int, typer.Option("--generated", min=0, max=EXPORT_GENERATED_MAX,
                                           help="Add N generated problems per family.")] = 0,
    seed: Annotated[int, typer.Option("--seed", min=0, max=SEED_MAX, help="Seed for generated problems.")] = 0,
    output: Annotated[
        str | None,
        typer.Option("-o", "--output", help="Output file ('-' for stdout; default named after the selection)."),
    ] = None,
    fmt: Annotated[ExportFormat, typer.Option("--format", help="txt: Anki text import (Basic notes); apkg: an "
                                              "Anki package with cardcli's note types (typed answers, "
                                              "solution/erratum/source fields).")] = ExportFormat.txt,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file cardcli did not write.")] = False,
    extra: DecksOpt = None,
) -> None:
    """Write an Anki import file: text (tab-separated, headers Anki reads) or an .apkg package."""
    from cardcli.commands import export as cmd

    cmd.run_anki(decks=deck or [], topics=topic or [], generated=generated, seed=seed,
                 output=output, extra=extra or [], fmt=fmt.value, force=force)


@exam_app.callback(invoke_without_command=True)
def exam_status(ctx: typer.Context) -> None:
    """Days left, readiness on the exam morning, weakest topics, new cards a day needed."""
    if ctx.invoked_subcommand is None:
        from cardcli.commands import exam as cmd

        cmd.run_status()


@exam_app.command("set")
def exam_set(
    when: Annotated[str, typer.Argument(metavar="DATE", help="Exam date, YYYY-MM-DD (today or later).")],
    at: Annotated[str | None, typer.Argument(metavar="[HH:MM]", help="When it starts, local time "
                                             "(default 09:00): readiness and the countdown are measured then.",
                                             show_default=False)] = None,
    name: Annotated[str | None, typer.Option("--name", help="What the exam is called, e.g. 'Midterm 2'.")] = None,
) -> None:
    """Remember the exam date, time (and name); study, due, stats and quiz then plan for it."""
    from cardcli.commands import exam as cmd

    cmd.run_set(when, name, at)


@exam_app.command("clear")
def exam_clear() -> None:
    """Forget the remembered exam date."""
    from cardcli.commands import exam as cmd

    cmd.run_clear()


@exam_app.command("mock")
def exam_mock(
    seed: Annotated[int | None, typer.Option("--seed", min=0, max=SEED_MAX,
                                             help="Seed (default: random, printed); the same seed "
                                             "and history give the same exam.")] = None,
    minutes: Annotated[int | None, typer.Option("--minutes", min=1, max=600,
                                                help="Time allowed (default: the template's, 75 for Midterm II).")
    ] = None,
    template: Annotated[str | None, typer.Option("--template", metavar="NAME|FILE",
                                                 help="A shipped template by name (midterm, cs231n: `cardcli exam "
                                                 "templates`) or a template YAML file (default: midterm).",
                                                 show_default=False)] = None,
    topic: Annotated[list[str] | None, typer.Option("--topic", help="Draw the deck cards only from this topic; "
                                                    "repeatable.", show_default=False,
                                                    autocompletion=_complete_topics)] = None,
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


@exam_app.command("templates")
def exam_templates() -> None:
    """List the shipped mock-exam templates (for `exam mock --template NAME`) with their time, points and questions."""
    from cardcli.commands import mock as cmd

    cmd.run_templates()


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    from cardcli.examdate import parse_date

    return parse_date(text, "--exam")


def app_for(args: list[str]) -> typer.Typer:
    """The app that parses ``args``: ``app`` itself, or a copy holding only the command ``args`` name.

    Before it parses anything typer turns every registered command into a click command (each
    callback's signature, type hints and options): for this table about 17 ms of every start-up,
    most of the time `cardcli study` needs before its first card beyond a bare typer app. When the
    first argument names a top-level command or group, a copy of the app with only that entry
    parses the line: the same root options, the same command, so the same help, usage line and
    errors. Anything else (no command, a root option such as ``--version``, an unknown name that
    should get click's suggestion, shell completion) gets the whole app.
    """
    if not args or any(k.startswith("_CARDCLI_COMPLETE") for k in os.environ):
        return app
    name = args[0]
    commands = [c for c in app.registered_commands
                if (c.name or typer.main.get_command_name(c.callback.__name__ if c.callback else "")) == name]
    groups = [g for g in app.registered_groups if g.name == name]
    if not commands and not groups:
        return app
    lean = copy.copy(app)
    lean.registered_commands, lean.registered_groups = commands, groups
    return lean


def main() -> None:
    """Entry point: run the app with one error boundary."""
    from cardcli.charset import install
    from cardcli.errors import CardcliError, DeckError, UsageError
    from generators.errors import GeneratorError

    if sys.platform == "win32":  # terminal keys (termios), signals and file modes are POSIX-only
        _fail("cardcli runs on Linux and macOS (on Windows, use it inside WSL); native Windows is "
              "not supported", 1)
    install()  # a terminal that cannot show '—' or 'Σ' gets '--' and 'Sum', not a UnicodeEncodeError
    try:
        # click handles usage errors, --help and --version itself; the name is also what completion
        # scripts register, whether started as `cardcli` or `python -m cardcli`
        app_for(sys.argv[1:])(prog_name="cardcli")
    except DeckError as e:
        from cardcli.console import message

        for issue in e.issues:  # file names and deck text are data: control characters made visible
            message(str(issue))
        sys.exit(e.exit_code)
    except CardcliError as e:
        _fail(str(e), e.exit_code)
    except GeneratorError as e:  # the solver library's own error: a bad family, topic or difficulty
        _fail(str(e), UsageError.exit_code)
    except OSError as e:  # stdout on a full disk or a closed pipe (`cardcli due > /dev/full`, `| head`)
        import errno

        if e.errno == errno.EIO:  # the terminal went away (window closed): nobody is left to tell
            from cardcli.console import silence_stdout

            silence_stdout()
            sys.exit(1)
        if e.errno not in (errno.ENOSPC, errno.EPIPE, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)):
            raise
        from cardcli.console import silence_stdout

        silence_stdout()
        why = {errno.EFBIG: "the file-size limit is reached (`ulimit -f`)",
               errno.ENOSPC: "the disk is full"}.get(e.errno or 0, e.strerror)
        _fail(f"cannot write output: {why}", 1)


def entry() -> None:
    """The ``cardcli`` script and ``python -m cardcli``: :func:`main`, then the process ends at once.

    When :func:`main` returns, every command has written its output and committed and closed its
    files (each holds them in ``with`` blocks). What is left is the interpreter's own teardown:
    freeing, one by one, what a big deck and history leave behind (on a 100k-card history about
    7% of ``cardcli study``'s whole run, measured) and every module. ``os._exit`` skips that
    after flushing standard output and error; anything unusual (an exit message, a flush that
    fails, an uncaught error) takes Python's normal way out instead. Tests call :func:`main`.
    """
    try:
        main()
        code = 0
    except SystemExit as e:
        if e.code is not None and not isinstance(e.code, int):
            raise
        code = e.code or 0
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe or stream: let the normal exit deal with it
        sys.exit(code)
    os._exit(code)


def _fail(text: str, code: int) -> None:
    from cardcli.console import message

    message(f"cardcli: {text}")
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    entry()
