"""``cardcli quiz``: fresh generated problems graded against the reference solver.

Problems are those of ``cardcli generate`` for the same seed and difficulty, drawn round-robin
over the selected families in sorted order (see :mod:`cardcli.quiz`). Without ``--seed`` a
random seed is drawn and printed, so the quiz can be replayed.
"""

from __future__ import annotations

import random
import shlex
import sys
from collections.abc import Iterator

__all__ = ["run", "stdin_lines"]


def stdin_lines() -> Iterator[str]:
    """Lines typed on stdin (readline editing and history on a terminal; works with piped input)."""
    from cardcli.terminal import line_editing

    line_editing()
    while True:
        try:
            yield input()
        except EOFError:
            return


def run(topics: list[str], count: int, seed: int | None, difficulty: int) -> None:
    import typer
    from rich.text import Text

    from cardcli.commands._common import out
    from cardcli.quiz import INSTRUCTIONS, plan, run_quiz
    from generators.catalog import resolve

    families = resolve(topics)
    if seed is None:
        seed = random.SystemRandom().randrange(1_000_000)
    problems = plan(families, count, seed, difficulty)
    replay = " ".join(["cardcli quiz", *(f"--topic {shlex.quote(t)}" for t in topics),
                       f"-n {count}", f"-d {difficulty}", f"--seed {seed}"])
    out.print(Text(f"{count} problem{'s' if count != 1 else ''} from {', '.join(families)}; seed {seed} "
                   f"(replay: {replay})", style="bold"))
    out.print(Text(INSTRUCTIONS, style="dim"))
    if sys.stdin.isatty():  # readline editing, with the prompt known to readline
        from cardcli.terminal import key_source

        result = run_quiz(problems, key_source(sys.stdin, sys.stdout), out)
    else:
        result = run_quiz(problems, stdin_lines(), out, echo=True)
    if result.stopped == "interrupt":
        raise typer.Exit(130)
