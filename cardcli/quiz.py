"""The quiz loop: ask generated problems, read typed answers, grade them, show worked solutions.

Pure apart from its arguments: answers come from an iterator of input lines and everything is
printed to the given ``rich.Console``, so tests drive it with a list of lines.

Which problems: :func:`order_families` puts the selected families weakest first - lowest
predicted recall of the family's ``gen:<family>:d<k>`` card (0 if never practised), then fewest
answers and ratings so far, then a shuffle seeded by the quiz seed (so with no history every
family has the same chance to come first, and the same seed gives the same order). :func:`plan`
then draws round-robin over that order, each family using its own index sequence - problem ``k``
is problem ``k // n`` of family ``order[k % n]`` - so the problems are exactly those
``cardcli generate <family> --seed S`` prints.

Each answer can be reported to ``on_answer(problem, grade, duration_ms, mistake)`` (the command logs it:
:mod:`cardcli.quizlog`).

Help when stuck: ``?`` prints a hint (the formula with this problem's numbers,
:mod:`generators.hints`) and asks again; ``s`` or an empty answer reveals the worked solution. A
revealed problem is reported with ``grade`` None (logged as revealed: not a wrong answer, no
mistake) and counts in the score as not solved.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.text import Text

from cardcli.answers import AnswerFormatError
from cardcli.partmarks import mark_problem, read_problem
from cardcli.render import entry_help, matrix_table, problem_renderable, solution_renderable
from cardcli.safetext import safe_text
from cardcli.terminal import KeySource

__all__ = ["QuizResult", "order_families", "plan", "plan_iter", "run_quiz", "show_feedback", "INSTRUCTIONS",
           "QUIT_WORDS"]

QUIT_WORDS = ("q", "quit", "exit")
HINT_WORDS = ("?", "hint")
REVEAL_WORDS = ("s", "show", "solution")
INSTRUCTIONS = (
    "Type each answer and press Enter; ? shows a hint, s (or Enter alone) shows the solution, q quits "
    "(the score so far is shown).\n"
    "Matrices: one row per line (entry ends after the last row; an empty line shows the rows so far; "
    "r<i>: … retypes row i, counting from 0) — or all on one line as '1 2; 3 4' or [[1, 2], [3, 4]]."
)


@dataclass(frozen=True)
class QuizResult:
    """How a quiz went: ``correct`` of ``answered``; ``stopped`` is "done", "quit", "eof" or "interrupt"."""

    correct: int
    answered: int
    total: int
    stopped: str
    revealed: int = 0  # of ``answered``: solutions shown on request (s or an empty answer)

    @property
    def score(self) -> str:
        return f"{self.correct}/{self.answered}"


def order_families(
    families: Iterable[str], seed: int, weakness: Mapping[str, tuple[float, int]] | None = None
) -> list[str]:
    """Families weakest first: by (recall, practice count) from ``weakness``, then seeded shuffle.

    ``weakness`` maps a family to (predicted recall of its card, times practised); a family
    missing from it counts as never practised (0.0, 0). Recall is compared to 3 decimals.
    """
    w = weakness or {}

    def key(name: str) -> tuple:
        recall, times = w.get(name, (0.0, 0))
        return (round(recall, 3), times, random.Random(f"{int(seed)}:{name}").random(), name)

    return sorted(set(families), key=key)


def plan(
    families: list[str], count: int, seed: int, difficulty: int,
    weakness: Mapping[str, tuple[float, int]] | None = None,
) -> list[Any]:
    """``count`` problems, round-robin over :func:`order_families`, each family's own indices."""
    return list(plan_iter(families, count, seed, difficulty, weakness))


def plan_iter(
    families: list[str], count: int, seed: int, difficulty: int,
    weakness: Mapping[str, tuple[float, int]] | None = None,
) -> Iterator[Any]:
    """:func:`plan`, one problem at a time (``cardcli generate`` prints each as it is made)."""
    from generators.families import problem

    fams = order_families(families, seed, weakness)
    for k in range(count):
        yield problem(fams[k % len(fams)], seed, difficulty, k // len(fams))


def show_feedback(prob: Any, result: Any, console: Console) -> str | None:
    """Print the verdict, the ``Likely mistake:`` line for a wrong answer a known mistake gives, and
    the worked solution. Returns the mistake id(s) for the review log (``None`` when none)."""
    from cardcli.diagnosis import diagnose_problem

    found = None if result.correct else diagnose_problem(prob, result.value)
    console.print(solution_renderable(prob, result, found.line if found else None))
    return found.mistake if found else None


class _Quit(Exception):
    def __init__(self, reason: str):
        self.reason = reason


class _Reveal(Exception):
    """The student asked for the solution (``s`` or an empty answer)."""


def _next(lines: Any, console: Console, echo: bool, prompt: str) -> str:
    """One line after ``prompt``: from a key source's ``read_line`` (a terminal: readline editing)
    or from an iterator of lines (the prompt is printed, and the line echoed when ``echo``)."""
    read_line = getattr(lines, "read_line", None)
    if read_line is not None:
        try:
            return read_line(prompt)
        except EOFError:
            console.print()
            raise _Quit("eof") from None
    console.print(Text(prompt), end="")
    try:
        line = next(lines)
    except StopIteration:
        if echo:
            console.print()
        raise _Quit("eof") from None
    if echo:
        console.print(safe_text(line))
    return line


def _read_answer(problem: Any, lines: Any, console: Console, echo: bool) -> str:
    """The raw text of one answer (several lines for a matrix typed row by row)."""
    from cardcli.matrix_entry import start

    while True:
        first = _next(lines, console, echo, "answer> ")
        word = first.strip().lower()
        if word in QUIT_WORDS:
            raise _Quit("quit")
        if word in HINT_WORDS:
            console.print(safe_text(f"Hint: {getattr(problem, 'hint', '') or 'none for this problem'}", style="cyan"))
            console.print(Text(f"Type {entry_help(problem.answer_kind)}; s (or Enter alone) shows the solution.",
                               style="dim"))
            continue
        if not word or word in REVEAL_WORDS:
            raise _Reveal
        entry = start(first, problem.answer) if problem.answer_kind == "matrix" else None
        # Row-by-row entry ends by itself after the last row; a blank line asks for the rest.
        while entry is not None and not entry.done:
            try:
                line = _next(lines, console, echo, entry.prompt())
            except _Quit:
                break  # EOF ends the matrix; the quiz ends after grading it
            if line.strip().lower() in QUIT_WORDS:
                raise _Quit("quit")
            note = entry.feed(line)
            if note:
                console.print(matrix_table(entry.table_rows(), title="Rows so far"))
                console.print(Text(note, style="dim"))
        return entry.text() if entry is not None else first


def _summary(console: Console, correct: int, answered: int, total: int, stopped: str, revealed: int = 0) -> None:
    console.print()
    note = {"quit": " (quit)", "eof": " (end of input)", "interrupt": " (interrupted)"}.get(stopped, "")
    left = total - answered
    more = f"; {left} problem{'s' if left != 1 else ''} not answered" if left and stopped != "done" else ""
    shown = f" ({revealed} solution{'s' if revealed != 1 else ''} revealed)" if revealed else ""
    console.print(Text(f"Score: {correct}/{answered}{shown}{note}{more}", style="bold"))


def run_quiz(
    problems: list[Any], lines: Iterable[str] | KeySource, console: Console, *, echo: bool = False,
    on_answer: Callable[[Any, Any, int, str | None], None] | None = None,  # grade None: revealed
    clock: Callable[[], float] = time.monotonic,
) -> QuizResult:
    """Ask every problem in turn; format errors are explained and asked again (not counted).

    Ends after the last problem, on ``q``, at the end of ``lines`` or on Ctrl-C
    (``KeyboardInterrupt`` while reading), always printing the score ``k/n`` of answered problems.
    ``echo`` prints each line read after its prompt (for piped input, which a terminal does not echo).
    """
    it = lines if hasattr(lines, "read_line") else iter(lines)
    correct = answered = revealed = 0
    stopped = "done"
    try:
        for n, prob in enumerate(problems, 1):
            console.print()
            console.rule(f"Problem {n}/{len(problems)}")
            console.print(problem_renderable(prob))
            console.print(Text(f"Answer with {entry_help(prob.answer_kind)}.", style="dim"))
            shown = clock()
            try:
                while True:
                    text = _read_answer(prob, it, console, echo)
                    try:
                        value = read_problem(prob, text)
                    except AnswerFormatError as e:
                        console.print(safe_text(f"Could not read that: {e}. Try again (? hint, s solution).",
                                                style="yellow"))
                        continue
                    break
            except _Reveal:
                answered += 1
                revealed += 1
                console.print(Text("Solution shown on request (logged as revealed, not as a mistake).",
                                   style="cyan"))
                console.print(solution_renderable(prob))
                if on_answer is not None:
                    on_answer(prob, None, int((clock() - shown) * 1000), None)
                continue
            result = mark_problem(prob, value)
            answered += 1
            correct += int(result.correct)
            mistake = show_feedback(prob, result, console)
            if on_answer is not None:
                on_answer(prob, result, int((clock() - shown) * 1000), mistake)
    except _Quit as q:
        stopped = q.reason
    except KeyboardInterrupt:
        stopped = "interrupt"
    _summary(console, correct, answered, len(problems), stopped, revealed)
    return QuizResult(correct=correct, answered=answered, total=len(problems), stopped=stopped, revealed=revealed)
