"""The quiz loop: ask generated problems, read typed answers, grade them, show worked solutions.

Pure apart from its arguments: answers come from an iterator of input lines and everything is
printed to the given ``rich.Console``, so tests drive it with a list of lines.

Which problems: :func:`plan` draws round-robin over the selected families in sorted order, each
family using its own index sequence — problem ``k`` is problem ``k // n`` of family
``families[k % n]``. So ``cardcli quiz --topic pooling -n 4 --seed 7`` asks problems 0 and 1 of
``pool-backward``, ``pool-forward`` and ``pool-output-size`` in turn, exactly those printed by
``cardcli generate <family> -n 2 --seed 7``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.text import Text

from cardcli.safetext import safe_text

from cardcli.answers import AnswerFormatError, grade, needs_more_rows, parse_answer
from cardcli.render import entry_help, problem_renderable, solution_renderable

__all__ = ["QuizResult", "plan", "run_quiz", "INSTRUCTIONS", "QUIT_WORDS"]

QUIT_WORDS = ("q", "quit", "exit")
INSTRUCTIONS = (
    "Type each answer and press Enter; q quits (the score so far is shown).\n"
    "Matrices: one row per line (entry ends after the last row, or at an empty line) — or all "
    "on one line as '1 2; 3 4' or [[1, 2], [3, 4]]."
)


@dataclass(frozen=True)
class QuizResult:
    """How a quiz went: ``correct`` of ``answered``; ``stopped`` is "done", "quit", "eof" or "interrupt"."""

    correct: int
    answered: int
    total: int
    stopped: str

    @property
    def score(self) -> str:
        return f"{self.correct}/{self.answered}"


def plan(families: list[str], count: int, seed: int, difficulty: int) -> list[Any]:
    """``count`` problems, round-robin over ``sorted(families)``, each family's own indices."""
    from generators.families import problem

    fams = sorted(families)
    return [problem(fams[k % len(fams)], seed, difficulty, k // len(fams)) for k in range(count)]


class _Quit(Exception):
    def __init__(self, reason: str):
        self.reason = reason


def _next(lines: Iterator[str], console: Console, echo: bool) -> str:
    try:
        line = next(lines)
    except StopIteration:
        if echo:
            console.print()
        raise _Quit("eof") from None
    if echo:
        console.print(safe_text(line))
    return line


def _read_answer(problem: Any, lines: Iterator[str], console: Console, echo: bool) -> str:
    """The raw text of one answer (several lines for a matrix typed row by row)."""
    while True:
        console.print("answer> ", end="")
        first = _next(lines, console, echo)
        if first.strip().lower() in QUIT_WORDS:
            raise _Quit("quit")
        if not first.strip():
            console.print(f"Type {entry_help(problem.answer_kind)}, or q to quit.")
            continue
        rows = [first]
        # Row-by-row entry ends by itself after the last row (see needs_more_rows).
        while problem.answer_kind == "matrix" and needs_more_rows(rows, problem.answer):
            console.print("     ...> ", end="")
            try:
                line = _next(lines, console, echo)
            except _Quit:
                break  # EOF ends the matrix; the quiz ends after grading it
            if line.strip().lower() in QUIT_WORDS:
                raise _Quit("quit")
            if not line.strip():
                break
            rows.append(line)
        return "\n".join(rows)


def _summary(console: Console, correct: int, answered: int, total: int, stopped: str) -> None:
    console.print()
    note = {"quit": " (quit)", "eof": " (end of input)", "interrupt": " (interrupted)"}.get(stopped, "")
    left = total - answered
    more = f"; {left} problem{'s' if left != 1 else ''} not answered" if left and stopped != "done" else ""
    console.print(Text(f"Score: {correct}/{answered}{note}{more}", style="bold"))


def run_quiz(problems: list[Any], lines: Iterable[str], console: Console, *, echo: bool = False) -> QuizResult:
    """Ask every problem in turn; format errors are explained and asked again (not counted).

    Ends after the last problem, on ``q``, at the end of ``lines`` or on Ctrl-C
    (``KeyboardInterrupt`` while reading), always printing the score ``k/n`` of answered problems.
    ``echo`` prints each line read after its prompt (for piped input, which a terminal does not echo).
    """
    it = iter(lines)
    correct = answered = 0
    stopped = "done"
    try:
        for n, prob in enumerate(problems, 1):
            console.print()
            console.rule(f"Problem {n}/{len(problems)}")
            console.print(problem_renderable(prob))
            console.print(Text(f"Answer with {entry_help(prob.answer_kind)}.", style="dim"))
            while True:
                text = _read_answer(prob, it, console, echo)
                try:
                    value = parse_answer(text, prob.answer_kind, prob.answer)
                except AnswerFormatError as e:
                    console.print(safe_text(f"Could not read that: {e}. Try again.", style="yellow"))
                    continue
                break
            result = grade(value, prob.answer, prob.answer_kind, prob.tolerance)
            answered += 1
            correct += int(result.correct)
            console.print(solution_renderable(prob, result))
    except _Quit as q:
        stopped = q.reason
    except KeyboardInterrupt:
        stopped = "interrupt"
    _summary(console, correct, answered, len(problems), stopped)
    return QuizResult(correct=correct, answered=answered, total=len(problems), stopped=stopped)
