"""Reading and grading typed answers (pure: no I/O), for ``quiz`` problems and ``study`` cards.

:func:`parse_answer` turns the student's text into a value of the expected kind or raises
:class:`AnswerFormatError` saying what form is expected (a format error is never a wrong answer,
and a matrix of the wrong shape is a format error). :func:`grade` (from :mod:`generators.grading`, re-exported)
compares a parsed value with the expected one.

Kinds (``Problem.answer_kind``): ``int``, ``float``, ``matrix``, ``shape``, ``memory`` /
``memory:<unit>`` (unit B, KB, MB, GB, KiB, MiB, GiB; plain ``memory`` means MB), ``verdict``,
``radius-verdict``, ``text``, ``parts`` (a multi-part answer: :mod:`cardcli.partmarks`).

Accepted forms: integers, decimals, scientific notation (``1.5e6``, ``1.5×10^6``), fractions
(``7/4``), thousands separators (``138,357,544``, ``138 357 544``, ``138_357_544``), memory with
a unit (``1.5 MiB``, ``3MB``, ``2 GB``, ``512 bytes``; a bare number is in the expected unit),
shapes (``2x2``, ``2×2``, ``(2, 2)``, ``[2,2]``), verdict words (vanishing/vanish, exploding/explode,
neither/none), matrices (``[[1, 2], [3, 4]]``, ``1 2; 3 4``, or one row per line).

Tolerance (the promise a question prints is the rule applied): integers are exact; a float
answer ``v`` matches a non-zero expected ``e`` when ``|v − e| <= tol·|e|``, with ``tol`` the stated
relative tolerance (default :data:`DEFAULT_TOLERANCE` = 1e-3) and nothing added. Only an expected
value of exactly 0, where a relative bound would accept nothing but 0, has an absolute floor:
``|v| <= ZERO_FLOOR`` (1e-9). The same rule applies to every number graded: scalars, each cell of a
matrix, memory after unit conversion, the radius of a radius–verdict answer.

Hostile text: an answer longer than :data:`MAX_ANSWER_CHARS` is a format error before any parsing,
a single number longer than :data:`MAX_NUMBER_CHARS` or beyond the float range (about 1.8e308)
is a format error, and the patterns used are linear-time, so any text gives a grade or an
:class:`AnswerFormatError` quickly, never another exception.
"""

from __future__ import annotations

import json
import math
import re
from fractions import Fraction
from typing import Any

from cardcli.errors import CardcliError
from generators.grading import CANONICAL_UNITS as _CANONICAL_UNITS
from generators.grading import DEFAULT_TOLERANCE, ZERO_FLOOR, Grade, grade
from generators.grading import norm_text as _norm_text
from generators.grading import unit_of as _unit_of
from generators.parts import Part, get_part, leaf_names, put_part

__all__ = [
    "AnswerFormatError",
    "DEFAULT_TOLERANCE",
    "Grade",
    "MAX_ANSWER_CHARS",
    "MAX_NUMBER_CHARS",
    "ZERO_FLOOR",
    "VERDICTS",
    "grade",
    "parse_parts",
    "split_parts",
    "grade_card_answer",
    "infer_kind",
    "needs_more_rows",
    "parse_answer",
    "parse_number",
]

#: longer typed answers are a format error (a 20×20 matrix of 6-digit numbers is about 3,000)
MAX_ANSWER_CHARS = 10_000
#: longer single numbers are a format error (well under Python's 4,300-digit int-str limit)
MAX_NUMBER_CHARS = 400

#: accepted word -> canonical verdict
VERDICTS: dict[str, str] = {
    "vanishing": "vanishing", "vanish": "vanishing", "vanishes": "vanishing", "vanishing gradients": "vanishing",
    "exploding": "exploding", "explode": "exploding", "explodes": "exploding", "explosion": "exploding",
    "exploding gradients": "exploding",
    "neither": "neither", "none": "neither", "inconclusive": "neither", "stable": "neither",
}

_UNITS: dict[str, int] = {
    "b": 1, "byte": 1, "bytes": 1,
    "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
    "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40,
}


class AnswerFormatError(CardcliError):
    """The text is not in a form the expected answer can be read from; the message says which form."""


# -- numbers ------------------------------------------------------------------------------------
_MINUSES = str.maketrans({"−": "-", "–": "-", "\u2009": " ", "\u202f": " ", "\xa0": " "})
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:(?P<sep>[, _'])\d{3})(?:(?P=sep)\d{3})*(?:\.\d+)?$")
_FRACTION = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*/\s*([+-]?\d+(?:\.\d+)?)$")
# every pattern below is unambiguous (no two ways to split a run of digits or spaces), so a
# failed match costs linear time: ``\d+\.?\d*`` would make a long digit string quadratic
_MANTISSA = r"(?:\d+(?:\.\d*)?|\.\d+)"
_TIMES_TEN = re.compile(rf"^([+-]?{_MANTISSA})\s*(?:[x×*·]\s*)?10\s*(?:\^|\*\*)\s*([+-]?\d+)$")
_DECIMAL = re.compile(rf"[+-]?{_MANTISSA}(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER_HELP = "a number such as 42, -1.5, 7/4, 1.5e6 or 138,357,544"


def _clean(text: str) -> str:
    return text.translate(_MINUSES).strip()


def _excerpt(text: str, limit: int = 60) -> str:
    """``text`` (stripped, cut to ``limit`` characters) quoted for a message; repr shows control
    characters escaped."""
    t = text.strip()
    return repr(t if len(t) <= limit else t[:limit] + "…")


def parse_number(text: str) -> int | float:
    """``text`` as an int (when it is written as a whole number) or a float.

    Raises :class:`AnswerFormatError` when it is not one number, is longer than
    :data:`MAX_NUMBER_CHARS`, or lies outside the float range.
    """
    t = _clean(text)
    if not t:
        raise AnswerFormatError(f"expected {_NUMBER_HELP}, got nothing")
    if len(t) > MAX_NUMBER_CHARS:
        raise AnswerFormatError(f"a number has at most {MAX_NUMBER_CHARS} characters, got {len(t):,}; "
                                f"expected {_NUMBER_HELP}")
    try:
        value = _read_number(t)
        if value is not None and not math.isfinite(float(value)):  # 1e999 reads as inf
            raise OverflowError
    except OverflowError:  # 10^400 / 3, 9…9 (400 digits): no float can hold it
        raise AnswerFormatError(f"{_excerpt(text)} is out of range: numbers must lie within ±1.8e308") from None
    if value is None:
        raise AnswerFormatError(f"expected {_NUMBER_HELP}, got {_excerpt(text)}")
    return value


def _read_number(t: str) -> int | float | None:
    """The number ``t`` spells (at most :data:`MAX_NUMBER_CHARS` long), None when it spells none."""
    if _GROUPED.match(t):
        t = re.sub(r"[, _']", "", t)
    m = _FRACTION.match(t)
    if m:
        num, den = Fraction(m.group(1)), Fraction(m.group(2))
        if den == 0:
            raise AnswerFormatError(f"{_excerpt(t)} divides by zero; expected {_NUMBER_HELP}")
        q = num / den
        return int(q) if q.denominator == 1 else float(q)
    m = _TIMES_TEN.match(t)
    if m:  # read as one decimal literal: correctly rounded, inf (not an exception) when too large
        return _tidy(float(f"{m.group(1)}e{m.group(2)}"))
    if _INTEGER.fullmatch(t):
        return int(t)
    if _DECIMAL.fullmatch(t):
        value = float(t)
        return _tidy(value) if "e" in t.lower() else value
    return None


def _tidy(value: float) -> int | float:
    """Scientific notation of a whole number (1.5e6) as an int."""
    if math.isfinite(value) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    return value


# -- kinds --------------------------------------------------------------------------------------
def _shape_of(expected: Any) -> tuple[int, int]:
    rows = list(expected)
    return len(rows), (len(rows[0]) if rows and isinstance(rows[0], (list, tuple)) else 0)


def _parse_matrix(text: str, expected: Any) -> list[list[int | float]]:
    t = _clean(text)
    exp_r, exp_c = _shape_of(expected) if expected is not None else (0, 0)
    form = "'[[1, 2], [3, 4]]', '1 2; 3 4' or one row per line"
    if not t:
        raise AnswerFormatError(f"expected a matrix such as {form}, got nothing")
    if re.match(r"^[\[(]\s*[\[(]", t):
        inner = t[1:-1] if t[-1] in "])" else t[1:]
        rows_text = [r.strip(" [](),") for r in re.split(r"[\])]\s*(?:[,;]\s*)?[\[(]", inner)]
    else:
        if t[0] in "[(" and t[-1] in "])":
            t = t[1:-1]
        rows_text = [r for r in re.split(r"[;\n]", t) if r.strip()]
    rows: list[list[int | float]] = []
    for r in rows_text:
        cells = [c for c in re.split(r"[,\s]+", r.strip(" [](),\t")) if c]
        try:
            rows.append([parse_number(c) for c in cells])
        except AnswerFormatError:
            raise AnswerFormatError(
                f"could not read the row {_excerpt(r)}: cells must be numbers separated by spaces or commas "
                f"(matrix forms: {form})") from None
    lengths = [len(r) for r in rows]
    if not rows or min(lengths) == 0:
        raise AnswerFormatError(f"expected a matrix such as {form}")
    if len(set(lengths)) > 1:
        raise AnswerFormatError(f"the rows have different lengths ({', '.join(map(str, lengths))}); "
                                f"every row needs the same number of cells")
    if expected is not None and (len(rows), lengths[0]) != (exp_r, exp_c):
        raise AnswerFormatError(f"expected a {exp_r}×{exp_c} matrix, got {len(rows)}×{lengths[0]}")
    return rows


def _parse_shape(text: str, expected: Any) -> list[int]:
    t = _clean(text).strip("[]() ")
    parts = [p for p in re.split(r"\s*[x×X*,]\s*|\s+", t) if p]
    n = len(expected) if expected is not None else None
    example = "×".join(["2"] * (n or 3))
    try:
        dims = [parse_number(p) for p in parts]
    except AnswerFormatError:
        raise AnswerFormatError(f"expected a shape such as {example}, (2, 2) or [2, 2], got {_excerpt(text)}") from None
    if not dims or any(not isinstance(d, int) for d in dims):
        raise AnswerFormatError(f"expected a shape of whole numbers such as {example}, got {_excerpt(text)}")
    if n is not None and len(dims) != n:
        raise AnswerFormatError(f"expected {n} dimensions (like {example}), got {len(dims)}")
    return [int(d) for d in dims]


_UNIT_SUFFIX = re.compile(r"([kmgtKMGT]?i?[bB]|bytes?)\.?$")


def _parse_memory(text: str, kind: str) -> float:
    unit = _unit_of(kind)
    t = _clean(text)
    m = _UNIT_SUFFIX.search(t)  # a search for a short anchored suffix: linear, unlike (.*?)\s*unit
    number_part = t[:m.start()].rstrip() if m else ""
    if m and number_part[-1:].isdigit():
        number_text, unit_text = number_part, m.group(1).lower()
        if unit_text not in _UNITS:
            raise AnswerFormatError(f"unknown unit {m.group(1)!r}; use B, KB, MB, GB, KiB, MiB or GiB")
        factor = _UNITS[unit_text]
    else:
        number_text, factor = t, _CANONICAL_UNITS[unit]
    try:
        value = float(parse_number(number_text))
    except AnswerFormatError:
        raise AnswerFormatError(
            f"expected an amount of memory such as 1.5 {unit}, 3MB, 2 GiB or 1048576 bytes "
            f"(a bare number is in {unit}), got {_excerpt(text)}") from None
    return value * factor / _CANONICAL_UNITS[unit]


def _parse_verdict(text: str) -> str:
    t = re.sub(r"\s+", " ", _clean(text).lower().strip(" .!"))
    if t in VERDICTS:
        return VERDICTS[t]
    raise AnswerFormatError(f"expected one of vanishing, exploding or neither, got {_excerpt(text)}")


def _parse_radius_verdict(text: str) -> dict[str, Any]:
    t = _clean(text).lower()
    form = "the spectral radius then the regime, e.g. '1.75 exploding' or '0.5, vanishing'"
    words = re.findall(r"[a-z]+", t)
    found = [VERDICTS[w] for w in words if w in VERDICTS]
    if len(set(found)) != 1:
        raise AnswerFormatError(f"expected {form}: give exactly one of vanishing, exploding, neither")
    rest = re.sub(r"\b[a-z]+\b|[ρ=:;,]", " ", t).strip()
    try:
        radius = parse_number(rest)
    except AnswerFormatError:
        raise AnswerFormatError(f"expected {form}") from None
    return {"radius": radius, "regime": found[0]}


def parse_answer(text: str, kind: str, expected: Any = None) -> Any:
    """The student's ``text`` read as an answer of ``kind`` (shaped like ``expected``).

    Raises :class:`AnswerFormatError` with the expected form when the text cannot be read (also
    for any text longer than :data:`MAX_ANSWER_CHARS`, before it is parsed).
    """
    _check_length(text)
    if kind == "int" or kind == "float":
        return parse_number(text)
    if kind == "matrix":
        return _parse_matrix(text, expected)
    if kind == "shape":
        return _parse_shape(text, expected)
    if kind == "memory" or kind.startswith("memory:"):
        return _parse_memory(text, kind)
    if kind == "verdict":
        return _parse_verdict(text)
    if kind == "radius-verdict":
        return _parse_radius_verdict(text)
    if kind == "parts":  # without the Part list: the leaves of ``expected`` (see cardcli.partmarks)
        parts = tuple(Part(n, n, _leaf_kind(get_part(expected, n))) for n in leaf_names(expected))
        return parse_parts(text, parts, expected)
    if kind == "text":
        t = re.sub(r"\s+", " ", text.strip())
        if not t:
            raise AnswerFormatError("expected an answer, got nothing")
        return t
    raise ValueError(f"unknown answer kind {kind!r}")


def _check_length(text: str) -> None:
    if len(text) > MAX_ANSWER_CHARS:
        raise AnswerFormatError(f"the answer is {len(text):,} characters long; at most {MAX_ANSWER_CHARS:,} are read")


# -- flashcards ---------------------------------------------------------------------------------
_TRUE = {"t", "true", "yes", "y", "1"}
_FALSE = {"f", "false", "no", "n", "0"}


def infer_kind(answer: Any) -> str | None:
    """The answer kind of a numeric card's ``answer`` (None when it cannot be typed)."""
    if isinstance(answer, bool) or answer is None:
        return None
    if isinstance(answer, int):
        return "int"
    if isinstance(answer, float):
        return "float"
    if isinstance(answer, (list, tuple)):
        if answer and all(isinstance(r, (list, tuple)) for r in answer):
            return "matrix"
        if answer and all(isinstance(v, int) and not isinstance(v, bool) for v in answer):
            return "shape"
        return None
    if isinstance(answer, str):
        return "verdict" if answer.strip().lower() in ("vanishing", "exploding", "neither") else "text"
    if isinstance(answer, dict):
        return "radius-verdict" if {"radius", "regime"} <= set(answer) else None
    return None


def grade_card_answer(card: Any, text: str) -> Grade | None:
    """Grade a typed answer to a truefalse, choice or numeric card; ``None`` when there is
    nothing to grade (empty text, a basic card, a ``disputed`` card, an answer that cannot be typed).

    Raises :class:`AnswerFormatError` when the text cannot be read (ask again).
    """
    if not text or not text.strip() or getattr(card, "disputed", None):
        return None
    _check_length(text)
    kind_name = getattr(card.type, "value", card.type)
    t = text.strip()
    if kind_name == "truefalse":
        word = t.lower().rstrip(".")
        if word in _TRUE:
            value = True
        elif word in _FALSE:
            value = False
        else:
            raise AnswerFormatError("answer true or false (t/true/yes/y/1 or f/false/no/n/0)")
        ok = value == bool(card.answer)
        return Grade(ok, [], "correct" if ok else f"the statement is {str(bool(card.answer)).lower()}", value)
    if kind_name == "choice":
        options = list(card.options)
        chosen: str | None = None
        if re.fullmatch(r"[0-9]+", t):
            n = int(t) if len(t) <= 9 else 0  # a long digit string is no option number (nor a slow int())
            if not 1 <= n <= len(options):
                raise AnswerFormatError(f"choose an option number from 1 to {len(options)} (or type the option)")
            chosen = options[n - 1]
        else:
            for opt in options:
                if _norm_text(opt) == _norm_text(t):
                    chosen = opt
                    break
            if chosen is None:
                raise AnswerFormatError(f"type an option number 1–{len(options)} or the option's text")
        ok = _norm_text(chosen) == _norm_text(card.answer)
        right = next((i + 1 for i, o in enumerate(options) if _norm_text(o) == _norm_text(card.answer)), None)
        detail = "correct" if ok else f"the answer is {f'{right}. ' if right else ''}{card.answer}"
        return Grade(ok, [], detail, chosen)
    if kind_name == "numeric":
        kind = infer_kind(card.answer)
        if kind is None:
            return None
        value = parse_answer(t, kind, card.answer)
        return grade(value, card.answer, kind, card.tolerance)
    return None


def needs_more_rows(lines: list[str], expected: Any) -> bool:
    """For a matrix typed one row per line: should another row be read?

    True while rows are missing and the last row had the expected width. A one-line form
    (``1 2; 3 4`` or ``[[1, 2], [3, 4]]``) or a row of the wrong width ends the entry at once, so
    the parser can explain the expected shape.
    """
    if not (isinstance(expected, list) and expected and isinstance(expected[0], list)):
        return False
    first = lines[0].strip()
    if ";" in first or first.startswith(("[", "(")):
        return False
    return len(lines) < len(expected) and len(lines[-1].replace(",", " ").split()) == len(expected[0])


def _leaf_kind(expected: Any) -> str:
    if isinstance(expected, list):
        return "matrix"
    return "int" if isinstance(expected, int) else "float"


_LABEL = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*[=:]\s*(.*)$", re.S)


# -- multi-part answers (read here, marked in cardcli.partmarks) -------------------------------
def _short_names(parts: tuple[Part, ...]) -> dict[str, str]:
    """Accepted label -> part name: the full dotted name, and its last component when unique."""
    out = {p.name.lower(): p.name for p in parts}
    last: dict[str, list[str]] = {}
    for p in parts:
        last.setdefault(p.name.rsplit(".", 1)[-1].lower(), []).append(p.name)
    for short, names in last.items():
        if len(names) == 1:
            out.setdefault(short, names[0])
    return out


def split_parts(text: str, parts: tuple[Part, ...]) -> list[str]:
    """The segments of a typed parts answer (``|`` or new lines; ``;`` too when no part is a matrix)."""
    t = text.strip()
    seps = r"[|\n]"
    if "|" not in t and "\n" not in t and not any(p.kind == "matrix" for p in parts):
        seps = r"[|\n;]"
    return [s.strip() for s in re.split(seps, t) if s.strip()]


def parse_parts(text: str, parts: tuple[Part, ...], expected: Any) -> dict:
    """``text`` read as a nested answer dict (every part read with its own kind); raises
    :class:`AnswerFormatError` naming the part that cannot be read or the parts expected."""
    _check_length(text)
    names = [p.name for p in parts]
    listing = ", ".join(names)
    t = text.strip()
    if not t:
        raise AnswerFormatError(f"expected {len(parts)} parts ({listing}), got nothing")
    raw: dict[str, str] = {}
    if t.startswith("{"):
        try:
            data = json.loads(t)
        except json.JSONDecodeError as e:
            raise AnswerFormatError(f"could not read the JSON answer: {e.msg}") from None
        except (ValueError, RecursionError):  # a number too long for int(); nesting deeper than the parser goes
            raise AnswerFormatError("could not read the JSON answer") from None
        for p in parts:
            leaf = get_part(data, p.name)
            if leaf is None or isinstance(leaf, (bool, dict, str)):
                raise AnswerFormatError(f"the JSON answer has no number for {p.name!r}; parts: {listing}")
            raw[p.name] = json.dumps(leaf)
    else:
        segments = split_parts(t, parts)
        labels = _short_names(parts)
        matches = [_LABEL.match(s) for s in segments]
        labelled = [m is not None and m.group(1).lower() in labels for m in matches]
        if all(labelled):
            for m in matches:
                assert m is not None
                name = labels[m.group(1).lower()]
                if name in raw:
                    raise AnswerFormatError(f"the part {name!r} is given twice")
                raw[name] = m.group(2)
            missing = [n for n in names if n not in raw]
            if missing:
                raise AnswerFormatError(f"missing part{'s' if len(missing) > 1 else ''}: {', '.join(missing)} "
                                        f"(parts: {listing})")
        elif any(labelled):
            raise AnswerFormatError(f"name every part or none (parts in order: {listing})")
        else:
            if len(segments) != len(parts):
                raise AnswerFormatError(f"expected {len(parts)} parts separated by | ({listing}), "
                                        f"got {len(segments)}")
            raw = dict(zip(names, segments, strict=True))
    out: dict = {}
    for p in parts:
        exp = get_part(expected, p.name)
        try:
            if p.kind == "matrix" and isinstance(exp, list) and exp and not isinstance(exp[0], list):
                value = parse_answer(raw[p.name], "matrix", [exp])[0]  # a vector: one row
            else:
                value = parse_answer(raw[p.name], p.kind, exp)
        except AnswerFormatError as e:
            raise AnswerFormatError(f"{p.name}: {e}") from None
        put_part(out, p.name, value)
    return out
