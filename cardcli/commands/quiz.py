"""``cardcli quiz``: fresh generated problems graded against the reference solver.

The families selected by ``--topic`` (all without it) are asked weakest first and round-robin
(see :mod:`cardcli.quiz`); the order comes from the history, so ``cardcli generate`` without a
family (:func:`cardcli.quizplan.planned_problems`) prints exactly what the quiz would ask for the same options.
Every answer is logged as practice (:mod:`cardcli.quizlog`). Without ``--seed`` a random seed
is drawn and printed, so the quiz can be replayed.
"""

from __future__ import annotations

import random
import shlex
import sys
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from cardcli import clock

if TYPE_CHECKING:
    pass

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


def run(topics: list[str], count: int, seed: int | None, difficulty: int, exam: date | None = None) -> None:
    import typer
    from rich.text import Text

    from cardcli.console import out
    from cardcli.quiz import INSTRUCTIONS, run_quiz
    from cardcli.quizlog import log_quiz_answer
    from cardcli.quizplan import planned_problems
    from cardcli.scheduler import policy_for
    from cardcli.store import Store
    from cardcli.studyday import from_env

    now = clock.now()
    day = from_env()
    if seed is None:
        seed = random.SystemRandom().randrange(1_000_000)
    with Store.open() as store:
        families, problems, exam = planned_problems(store, topics, count, seed, difficulty, exam, now, day)
        asked = list(dict.fromkeys(p.family for p in problems))
        replay = " ".join(["cardcli quiz", *(f"--topic {shlex.quote(t)}" for t in topics),
                           f"-n {count}", f"-d {difficulty}", f"--seed {seed}"])
        more = len(families) - len(asked)
        what = ", ".join(asked) + (f" (weakest first; {more} more famil{'ies' if more != 1 else 'y'} next time)"
                                   if more else "")
        out.print(Text(f"{count} problem{'s' if count != 1 else ''} from {what}; seed {seed} "
                       f"(replay: {replay})", style="bold"))
        out.print(Text(INSTRUCTIONS, style="dim"))
        model = store.memory_model()
        policy = policy_for(now, exam, model.parameters if model else None, day)

        def logged(problem: Any, grade: Any, duration_ms: int, mistake: str | None) -> None:
            correct = None if grade is None else bool(grade.correct)  # None: the solution was revealed
            log_quiz_answer(store, problem, correct, duration_ms, clock.now(), policy, mistake=mistake)

        from cardcli.interrupts import as_interrupt, exit_code

        with as_interrupt():  # a closed window or `kill` ends the quiz like Ctrl-C (each answer is committed)
            if sys.stdin.isatty():  # readline editing, with the prompt known to readline
                from cardcli.terminal import key_source

                result = run_quiz(problems, key_source(sys.stdin, sys.stdout), out, on_answer=logged)
            else:
                result = run_quiz(problems, stdin_lines(), out, echo=True, on_answer=logged)
    if result.stopped == "interrupt":
        raise typer.Exit(exit_code())
