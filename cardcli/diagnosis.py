"""Why was it wrong? Match a wrong answer with the catalog of common mistakes of its family.

Each problem family keeps a catalog of :class:`~generators.problem.Mistake` entries: a wrong
procedure the reference solver can run (padding ignored, kernel flipped, MB and MiB swapped…).
:func:`diagnose` runs every entry that can happen on the problem's parameters and compares the
student's answer with what each gives, with the grader itself (:func:`cardcli.answers.grade`,
the problem's stated tolerance), so "matches a mistake" means exactly what "correct" means.

Rules:

* the right answer is never diagnosed, and neither is an answer no entry produces;
* an entry whose answer equals the right one is left out (it cannot be told apart);
* several entries giving the student's answer are all named;
* matrices: an exact match first; else the entries whose matrix agrees with the answer on at
  least :data:`MOST` of the cells *and* on more cells than the right matrix does (the best such
  entries are named, with how many cells match);
* ``radius-verdict`` entries about the radius leave the verdict open (``regime: None``).

Deck numeric cards with a ``check`` are diagnosed with the catalog of the family whose solver
function the check calls (``conv2d`` → conv-forward, ``conv_output_size`` → conv-output-size…;
see each family's ``from_check``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generators.grading import grade, same_answer
from generators.grading import matrix_shape as _shape

__all__ = ["Diagnosis", "MOST", "PREFIX", "diagnose", "diagnose_card", "diagnose_problem", "mistake_table",
           "same_answer"]

PREFIX = "Likely mistake:"
#: share of matrix cells that must agree with a mistake's matrix for a partial match
MOST = 0.75


@dataclass(frozen=True)
class Diagnosis:
    """The mistakes a wrong answer matches: their ids (catalog order) and the one line shown."""

    ids: tuple[str, ...]
    names: tuple[str, ...]
    line: str
    cells: tuple[int, int] | None = None  # (matching, total) for a partial matrix match

    @property
    def mistake(self) -> str:
        """What the review log stores: the ids joined by commas."""
        return ",".join(self.ids)


def _cells_matching(value: Any, reference: Any, tolerance: float | None) -> int:
    if _shape(value) is None or _shape(value) != _shape(reference):
        return 0
    result = grade(value, reference, "matrix", tolerance)
    rows, cols = _shape(reference)  # type: ignore[misc]
    return rows * cols - len(result.wrong_cells)


def diagnose(family: str, params: dict, answer: Any, kind: str, tolerance: float | None,
             value: Any, part_list: tuple | None = None, text: str | None = None) -> Diagnosis | None:
    """The mistakes of ``family``'s catalog that give ``value`` (None when none does, or when
    ``value`` is right). ``part_list``: the Part list of a multi-part answer (see :func:`_diagnose_parts`).
    With ``text`` (a deck card's question) only the entries whose concept the text names are
    considered (:meth:`~generators.problem.Mistake.about`)."""
    from generators.families import mistake_answers

    if value is None or same_answer(value, answer, kind, tolerance):
        return None
    if kind == "parts":
        return _diagnose_parts(family, params, answer, tolerance, value, part_list)
    candidates = [(m, wrong) for m, wrong in mistake_answers(family, params)
                  if (text is None or m.about(text)) and not same_answer(wrong, answer, kind, tolerance)]
    hits = [(m, wrong) for m, wrong in candidates if same_answer(value, wrong, kind, tolerance)]
    cells = None
    if not hits and kind == "matrix" and _shape(value) is not None:
        rows, cols = _shape(value)  # type: ignore[misc]
        total = rows * cols
        right = _cells_matching(value, answer, tolerance)
        scored = [(m, _cells_matching(value, wrong, tolerance)) for m, wrong in candidates]
        best = max((n for _, n in scored), default=0)
        if best >= MOST * total and best > right:
            hits = [(m, None) for m, n in scored if n == best]
            cells = (best, total)
    if not hits:
        return None
    seen: dict[str, Any] = {}
    for m, _ in hits:
        seen.setdefault(m.id, m)
    chosen = list(seen.values())
    parts = [f"{m.name} — {m.describe(params)}" for m in chosen]
    line = f"{PREFIX} " + "; or ".join(parts)
    if cells is not None:
        line += f" ({cells[0]} of {cells[1]} cells of your answer match it)"
    return Diagnosis(ids=tuple(m.id for m in chosen), names=tuple(m.name for m in chosen), line=line, cells=cells)


def _diagnose_parts(family: str, params: dict, answer: Any, tolerance: float | None, value: Any,
                    parts: tuple | None) -> Diagnosis | None:
    """A multi-part answer: the parts still wrong after follow-through marking are matched with the
    mistakes part by part; the mistakes explaining the most wrong parts are named, with the parts
    they explain, and the parts credited by follow-through are said so."""
    from cardcli.partmarks import grade_parts
    from generators.families import mistake_answers
    from generators.grading import grade_part
    from generators.parts import Part, get_part, leaf_names

    if not parts:
        parts = tuple(Part(n, n, "matrix" if isinstance(get_part(answer, n), list) else
                           ("int" if isinstance(get_part(answer, n), int) and tolerance is None else "float"))
                      for n in leaf_names(answer))
    marked = grade_parts(value, answer, tuple(parts), params, tolerance)
    wrong = [m for m in marked.parts if m.earned == 0]
    by_name = {p.name: p for p in parts}
    if not wrong:
        return None
    scored: list[tuple[Any, list[str]]] = []
    for m, wrong_answer in mistake_answers(family, params):
        explained = []
        for pm in wrong:
            p = by_name[pm.name]
            tol = p.tolerance if p.tolerance is not None else tolerance
            mine = get_part(wrong_answer, pm.name)
            try:
                if (mine is not None and not grade_part(mine, pm.expected, p.kind, tol).correct
                        and grade_part(pm.value, mine, p.kind, tol).correct):
                    explained.append(pm.name)
            except (TypeError, ValueError, KeyError, IndexError):
                continue
        if explained:
            scored.append((m, explained))
    if not scored:
        return None
    best = max(len(e) for _, e in scored)
    seen: dict[str, tuple[Any, list[str]]] = {}
    for m, e in scored:
        if len(e) == best:
            seen.setdefault(m.id, (m, e))
    chosen = list(seen.values())
    pieces = [f"{m.name} — {m.describe(params)} (in {', '.join(e)})" for m, e in chosen]
    line = f"{PREFIX} " + "; or ".join(pieces)
    if marked.followed:
        line += f". Credited by follow-through (right given your earlier answers): {', '.join(marked.followed)}"
    return Diagnosis(ids=tuple(m.id for m, _ in chosen), names=tuple(m.name for m, _ in chosen), line=line)


def diagnose_problem(problem: Any, value: Any) -> Diagnosis | None:
    """:func:`diagnose` for a generated :class:`~generators.problem.Problem`."""
    return diagnose(problem.family, problem.params, problem.answer, problem.answer_kind, problem.tolerance, value,
                    tuple(getattr(problem, "parts", ()) or ()))


def mistake_table(problem: Any) -> list[dict]:
    """``[{id, name, answer}]``: what each mistake that can happen in ``problem`` gives (those that
    give the right answer left out), for ``cardcli generate`` — distractors or feedback."""
    from generators.families import mistake_answers

    return [{"id": m.id, "name": m.name, "answer": wrong}
            for m, wrong in mistake_answers(problem.family, problem.params)
            if not same_answer(wrong, problem.answer, problem.answer_kind, problem.tolerance)]


def card_family(check: Any) -> tuple[str, dict] | None:
    """``(family, params)`` for a deck card's ``check`` when a family reads that solver function."""
    if not isinstance(check, dict) or not isinstance(check.get("fn"), str):
        return None
    from generators.families import FAMILIES

    args = check.get("args") or {}
    for fam in FAMILIES.values():
        read = (fam.from_check or {}).get(check["fn"])
        if read is not None:
            try:
                return fam.name, read(dict(args))
            except (KeyError, TypeError, ValueError):
                return None
    return None


def diagnose_card(card: Any, value: Any) -> Diagnosis | None:
    """:func:`diagnose` for a deck numeric card with a ``check`` (None for any other card)."""
    from cardcli.answers import infer_kind

    found = card_family(getattr(card, "check", None))
    kind = infer_kind(getattr(card, "answer", None))
    if found is None or kind is None:
        return None
    family, params = found
    return diagnose(family, params, card.answer, kind, card.tolerance, value, text=str(getattr(card, "front", "")))
