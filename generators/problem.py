"""The generated-problem model: one seeded, self-contained numeric exercise.

A family's ``make(rng, difficulty)`` returns a :class:`Draft` (everything but the identity);
:func:`generators.families.generate` stamps it into a :class:`Problem` with a stable id.

``answer_kind`` tells :mod:`cardcli.answers` how to read the student's text:

- ``"int"``: a whole number (sizes, counts);
- ``"float"``: a number compared with the relative ``tolerance``;
- ``"matrix"``: a 2-D nested list (shape must match);
- ``"shape"``: a list of ints such as ``[56, 56, 256]`` (typed ``56x56x256``);
- ``"memory:<unit>"``: a float in ``<unit>`` (B, KB, MB, GB, KiB, MiB, GiB); the student may
  type any unit, it is converted;
- ``"verdict"``: ``vanishing`` / ``exploding`` / ``neither``;
- ``"radius-verdict"``: ``{"radius": float, "regime": verdict}`` (typed ``7 exploding``);
- ``"parts"``: a multi-part answer, a dict keyed by part name (``parts`` lists the
  :class:`~generators.parts.Part` entries; marked part by part with follow-through, see
  :mod:`generators.parts`).

``highlight`` marks a patch of a matrix in the worked solution::

    {"matrices": ["Input"], "rows": (r0, r1), "cols": (c0, c1), "step": (dh, dw), "pad": (ph, pw),
     "pad_value": 0}

``rows``/``cols`` are inclusive first/last indices in the padded matrix (padded by ``pad`` on
every side with ``pad_value``: 0 for convolutions, "-∞" for max pooling), every ``step``-th
row/column.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from generators.parts import Part

__all__ = ["CONCEPTS", "Draft", "Mistake", "Problem"]

#: mistake id -> what a question's text must say for the mistake to be about it (a regex, case
#: ignored). A generated problem always states every parameter it uses, but a deck card mapped to a
#: family's catalog through its ``check`` only gets the entries whose concept its text names: no
#: "dilation ignored" for a question without dilation, no "kernel flipped" for a gradient question.
CONCEPTS: dict[str, str] = {
    "dilation-ignored": r"dilat",
    "padding-ignored": r"pad",
    "padding-once": r"pad",
    "stride-ignored": r"stride",
    "output-padding-ignored": r"output.?padding",
    "floor-ceil-confused": r"ceil|floor|round",
    "ceil-last-window-kept": r"ceil",
    "kernel-flipped": r"^(?!.*gradient)(?=.*(convol|correlat|forward|conv2d))",
    "dx-kernel-not-flipped": r"dL/dx|input",
    "dw-rotated": r"dL/dW|dL/dK|weight|kernel|filter",
}


@dataclass(frozen=True)
class Draft:
    """What a family's ``make`` returns: a problem without its identity (id, family, seed...)."""

    params: dict
    prompt: str
    answer: Any
    solution: str
    answer_kind: str
    tolerance: float | None = None
    matrices: dict[str, list] = field(default_factory=dict)
    highlight: dict | None = None
    stem: str = ""
    parts: tuple[Part, ...] = ()


@dataclass(frozen=True)
class Mistake:
    """A common wrong procedure of a family, run on a problem's ``params``.

    ``id`` is a short slug shared across families for the same idea (``padding-ignored`` means the
    same thing everywhere) and is what the review log stores; ``name`` is one sentence a student
    understands; ``step`` says which step differs, with ``{param}`` fields filled from the
    problem's params; ``answer(params)`` is what that procedure gives, in the problem's answer
    form, or ``None`` where the mistake cannot happen (padding ignored when there is none).
    """

    id: str
    name: str
    step: str
    answer: Callable[[dict], Any]

    def about(self, text: str) -> bool:
        """Whether a question worded ``text`` contains this mistake's concept (see :data:`CONCEPTS`)."""
        concept = CONCEPTS.get(self.id)
        return concept is None or re.search(concept, text, re.IGNORECASE | re.DOTALL) is not None

    def describe(self, params: dict) -> str:
        """``step`` with the problem's parameters filled in (left as written if a field is missing)."""
        try:
            return self.step.format_map(params)
        except (KeyError, IndexError, ValueError, AttributeError):
            return self.step


@dataclass(frozen=True)
class Problem:
    """One generated problem. ``prompt`` and ``solution`` are plain text (matrices inline as grids);
    ``stem`` is the prompt without the inline grids, for renderers that draw ``matrices`` as tables."""

    id: str
    family: str
    topics: tuple[str, ...]
    seed: int
    difficulty: int
    params: dict
    prompt: str
    answer: Any
    solution: str
    answer_kind: str
    tolerance: float | None = None
    matrices: dict[str, list] = field(default_factory=dict)
    highlight: dict | None = None
    stem: str = ""
    parts: tuple[Part, ...] = ()
    hint: str = ""  # the formula with this problem's numbers, for a stuck student (generators.hints)

    def to_json(self) -> dict:
        """The JSON Lines record of ``cardcli generate`` (plain Python types only)."""
        return {
            "id": self.id,
            "family": self.family,
            "topics": list(self.topics),
            "seed": self.seed,
            "difficulty": self.difficulty,
            "params": self.params,
            "prompt": self.prompt,
            "answer": self.answer,
            "solution": self.solution,
            **({"parts": [{"name": p.name, "prompt": p.prompt, "kind": p.kind, "points": p.points,
                           "tolerance": p.tolerance} for p in self.parts]} if self.parts else {}),
        }
