"""What a study session reads from the student: key presses, typed answers (a matrix row by row),
the typo retype, and the grading and diagnosis of what was typed.

:class:`Prompter` wraps the session's rich ``Console`` and key source (see
:mod:`cardcli.terminal`); ``q``, ``s`` and ``u`` end a prompt with :class:`Quit`, :class:`Skip`
and :class:`Undo`, which :class:`cardcli.session.Session` catches.

A wrong graded answer can be marked as a typo (``t``, once per card, offered *before* the answer
is shown, so it cannot be used to copy it): the answer is typed again and graded again.

Help when stuck, at the answer prompt: ``?`` shows a hint (a generated problem's formula with its
numbers), ``s`` or an empty answer shows the solution; that is logged as revealed (``correct``
NULL, no mistake), never as a wrong answer.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.text import Text

from cardcli.errors import CardcliError
from cardcli.model import Card
from cardcli.safetext import clean, safe_text
from cardcli.session_render import matrix
from cardcli.terminal import KeySource

__all__ = ["Quit", "Skip", "Undo", "Prompter", "grade_answer", "diagnose"]


class Quit(Exception):
    pass


class Skip(Exception):
    pass


class Undo(Exception):
    pass




class Prompter:
    """Prompts on ``console`` and reads the answers from ``keys``."""

    def __init__(self, console: Console, keys: KeySource):
        self.console = console
        self.keys = keys

    def flush(self) -> None:
        try:
            self.console.file.flush()
        except (AttributeError, OSError, ValueError):
            pass

    def typo_asked(self) -> bool:
        """After a wrong answer, before the answer is shown: ``t`` retypes it (a typo), any other key
        shows the answer. Offered here only, so a shown answer can never be copied in a retype."""
        self.console.print(Text("✗ not right.", style="red"))
        self.prompt("t typo: retype your answer once   Enter: show the answer   u undo   q quit")
        self.flush()
        key = self.keys.read_key().lower()
        if key == "q":
            raise Quit
        if key == "u":
            raise Undo
        return key == "t"

    def key(self) -> str:
        self.flush()
        key = self.keys.read_key()
        k = key.lower()
        if k == "q":
            raise Quit
        if k == "s":
            raise Skip
        if k == "u":
            raise Undo
        return key

    def prompt(self, text: str) -> None:
        self.console.print(Text(text, style="dim"))
        self.flush()

    def typed_answer(self, card: Card, problem: Any, retype: bool = False) -> Any:
        if problem is not None:
            from cardcli.render import entry_help

            self.prompt(entry_help(problem.answer_kind))
        if retype:
            self.prompt("Retype your answer; it is graded again (Enter keeps the first one):")
        else:
            self.prompt("Your answer (? hint; s or Enter shows the answer; u undo, q quit):")
        while True:
            self.flush()
            text = self.keys.read_line("> ")
            cmd = text.strip().lower()
            if cmd == "q":
                raise Quit
            if cmd == "u":
                raise Undo
            if cmd == "?" and not retype:
                hint = getattr(problem, "hint", "") if problem is not None else ""
                self.console.print(safe_text(f"Hint: {hint}" if hint else
                                             "No hint for a deck card: s or Enter shows the answer.", style="cyan"))
                continue
            if not cmd or (cmd == "s" and not retype):
                return None  # shown on request: logged as revealed (correct NULL), not as a mistake
            rows = self.more_rows(text, problem.answer if problem is not None else card.answer)
            if rows is None:
                return None
            try:
                return grade_answer(card, problem, rows)
            except (ValueError, CardcliError) as e:  # the text could not be read as an answer
                self.prompt(clean(f"Could not read that: {e}. Try again (or Enter to show the answer)."))

    def more_rows(self, first: str, expected: Any) -> str | None:
        """A matrix typed one row per line: read the remaining rows (see :mod:`cardcli.matrix_entry`)."""
        from cardcli.matrix_entry import start

        entry = start(first, expected)
        if entry is None:
            return first
        while not entry.done:
            self.flush()
            line = self.keys.read_line(entry.prompt())
            cmd = line.strip().lower()
            if cmd == "s":
                return None  # show the answer, as at the first row
            if cmd in ("q", "u"):
                raise {"q": Quit, "u": Undo}[cmd]
            note = entry.feed(line)
            if note:
                self.console.print(matrix(entry.table_rows(), "Rows so far"))
                self.prompt(note)
        return entry.text()

    def retype(self, card: Card, problem: Any, first: Any) -> Any:
        """A typo: read the answer again and grade it (Enter keeps the first grade)."""
        grade = self.typed_answer(card, problem, retype=True)
        if grade is None:
            return first
        detail = "" if grade.correct else f": {grade.detail}"
        self.console.print(safe_text(f"{'✓ correct' if grade.correct else '✗ still incorrect'} (retyped){detail}",
                                     style="green" if grade.correct else "red"))
        return grade


    def rate(self, cap: int, typo: bool = False) -> int:
        """The rating 1-5 (at most ``cap``); 0 when ``typo`` is offered and ``t`` pressed."""
        self.prompt("1-5 rate   " + ("t typo: retype the answer   " if typo else "") + "u undo   s skip   q quit")
        while True:
            key = self.key()
            if typo and key.lower() == "t":
                return 0
            if key in ("1", "2", "3", "4", "5"):
                r = int(key)
                if r > cap:
                    self.console.print(Text(f"Rated {cap}: a wrong answer caps the rating at {cap}."))
                return min(r, cap)
            self.prompt("Press 1-5 to rate (u undo, s skip, q quit)")


def grade_answer(card: Card, problem: Any, text: str) -> Any:
    from cardcli import answers

    if problem is not None:
        from cardcli.partmarks import mark_problem, read_problem

        return mark_problem(problem, read_problem(problem, text))
    return answers.grade_card_answer(card, text)


def diagnose(card: Card, problem: Any, grade: Any) -> Any:
    """The ``Likely mistake`` of a wrong graded answer (generated problem or deck card with a check)."""
    if grade is None or grade.correct:
        return None
    from cardcli.diagnosis import diagnose_card, diagnose_problem

    if problem is not None:
        return diagnose_problem(problem, grade.value)
    return diagnose_card(card, grade.value)

