"""Seeded problem families: each draws a well-posed exercise and solves it with the reference solver.

One module per family (pool-forward and pool-backward share ``pooling``), named in
:data:`generators.catalog.MODULES`; each holds the drawing, the worked solution text and the
catalog of common mistakes (:class:`~generators.problem.Mistake`) of its family. This package
collects them into :data:`FAMILIES`.

Determinism: problem ``index`` of ``(family, seed, difficulty)`` is drawn from its own
``np.random.default_rng(SeedSequence([|seed|, seed<0, sha256(family)[:8], difficulty, index]))``,
so it is the same whatever ``count`` is and in every Python process (no ``hash()``).

Difficulty 1 is sized for hand computation (4×4–5×5 inputs, 2×2/3×3 kernels, values -3..5);
2 adds stride and padding; 3 adds dilation, channels, ceil_mode, bias-free layers and so on.
Every draw is well-posed: integer output sizes (unless the question is the floor itself),
no ties inside a max-pool window, regimes not on a boundary; and at every difficulty the draw is
repeated (same generator, so still deterministic) until every mistake of the catalog that can happen
in it gives an answer different from the right one (at most :data:`MAX_REDRAWS` times): a draw where
"forgot the flip" or "floor instead of ceil" scores full marks does not test its skill.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from generators.catalog import CATALOG, MODULES, resolve
from generators.errors import GeneratorError, did_you_mean
from generators.families._common import FamilySpec
from generators.grading import same_answer
from generators.hints import hint
from generators.problem import Draft, Mistake, Problem

__all__ = ["Family", "FAMILIES", "MAX_REDRAWS", "draw_counted", "generate", "mistake_answers", "mistake_names",
           "problem",
           "problem_rng", "resolve"]

#: draws tried to find one where every possible mistake is distinguishable (a test checks thousands of
#: seeds per family and difficulty never need more)
MAX_REDRAWS = 200


@dataclass(frozen=True)
class Family:
    """A named problem generator: ``make(rng, difficulty)`` returns a :class:`Draft`; ``mistakes``
    are its common wrong procedures; ``from_check`` reads deck ``check`` args as this family's params."""

    name: str
    topics: tuple[str, ...]
    description: str
    make: Callable[[np.random.Generator, int], Draft]
    mistakes: tuple[Mistake, ...] = ()
    from_check: dict[str, Callable[[dict], dict]] | None = None


def _spec(name: str) -> FamilySpec:
    module = importlib.import_module(f"generators.families.{MODULES[name]}")
    return module.SPECS[name]


FAMILIES: dict[str, Family] = {}
for _name, (_topics, _description) in CATALOG.items():
    _s = _spec(_name)
    FAMILIES[_name] = Family(_name, _topics, _description, _s.make, _s.mistakes, dict(_s.from_check))


#: ids renamed since they were logged -> the id they are now (old review logs still get a name)
RENAMED = {"dw-flipped": "dw-rotated"}


def mistake_names() -> dict[str, str]:
    """Every mistake id -> its name (an id means the same thing in every family); renamed ids too."""
    names = {m.id: m.name for fam in FAMILIES.values() for m in fam.mistakes}
    return names | {old: names[new] for old, new in RENAMED.items() if new in names}


def _family_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "little")


def problem_rng(family: str, seed: int, difficulty: int, index: int) -> np.random.Generator:
    """The private generator of problem ``index``: independent of how many problems are drawn."""
    ss = np.random.SeedSequence([abs(int(seed)), int(seed < 0), _family_key(family), int(difficulty), int(index)])
    return np.random.default_rng(ss)


def _check_family(family: str) -> Family:
    try:
        return FAMILIES[family]
    except KeyError:
        raise GeneratorError(f"unknown problem family {family!r}{did_you_mean(family, list(FAMILIES))}; "
                         f"families: {', '.join(FAMILIES)}") from None


def _collisions(fam: Family, draft: Draft) -> int:
    """How many possible mistakes of ``draft`` give the right answer (cannot be told apart)."""
    n = 0
    for m in fam.mistakes:
        wrong = _run(m, draft.params)
        if wrong is not None and same_answer(wrong, draft.answer, draft.answer_kind, draft.tolerance):
            n += 1
    return n


def _draw(fam: Family, rng: np.random.Generator, difficulty: int) -> Draft:
    return draw_counted(fam, rng, difficulty)[0]


def draw_counted(fam: Family, rng: np.random.Generator, difficulty: int) -> tuple[Draft, int]:
    """A draft of ``fam`` and how many of its possible mistakes still give the right answer (0 unless
    :data:`MAX_REDRAWS` draws all had one)."""
    draft = fam.make(rng, difficulty)
    best, best_n = draft, _collisions(fam, draft)
    for _ in range(MAX_REDRAWS - 1):
        if best_n == 0:
            break
        draft = fam.make(rng, difficulty)
        n = _collisions(fam, draft)
        if n < best_n:
            best, best_n = draft, n
    return best, best_n


def problem(family: str, seed: int, difficulty: int, index: int) -> Problem:
    """Problem ``index`` of ``family`` for ``seed`` and ``difficulty`` (1–3)."""
    fam = _check_family(family)
    if difficulty not in (1, 2, 3):
        raise GeneratorError(f"difficulty must be 1, 2 or 3, got {difficulty}")
    draft = _draw(fam, problem_rng(family, seed, difficulty, index), difficulty)
    return Problem(
        id=f"{family}-d{difficulty}-s{seed}-{index}", family=family, topics=fam.topics, seed=int(seed),
        difficulty=int(difficulty), params=draft.params, prompt=draft.prompt, answer=draft.answer,
        solution=draft.solution, answer_kind=draft.answer_kind, tolerance=draft.tolerance,
        matrices=draft.matrices, highlight=draft.highlight, stem=draft.stem, parts=draft.parts,
        hint=hint(family, draft.params, draft.solution),
    )


def generate(family: str, count: int, seed: int, difficulty: int = 1) -> list[Problem]:
    """``count`` problems of ``family``; problem i is the same for every ``count``."""
    _check_family(family)
    return [problem(family, seed, difficulty, i) for i in range(count)]


def mistake_answers(family: str, params: dict) -> list[tuple[Mistake, Any]]:
    """``(mistake, the answer it gives)`` for every mistake of ``family`` that can happen with ``params``."""
    out = []
    for m in _check_family(family).mistakes:
        wrong = _run(m, params)
        if wrong is not None:
            out.append((m, wrong))
    return out


def _run(m: Mistake, params: dict) -> Any:
    """``m.answer(params)``; None when the parameters do not fit it (e.g. a deck check's odd args)."""
    try:
        return m.answer(params)
    except (ValueError, TypeError, KeyError, IndexError, ZeroDivisionError):
        return None
