"""Any typed text gives a grade or an AnswerFormatError, quickly: never another exception, never a hang.

The long inputs get a generous wall-clock bound (a hang guard, not a benchmark): each must finish
in well under a second; before the fix a 100k-character line took minutes (quadratic regex).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardcli.answers import (
    MAX_ANSWER_CHARS,
    AnswerFormatError,
    Grade,
    grade,
    grade_card_answer,
    parse_answer,
)
from cardcli.model import Card, CardType

#: (kind, expected, tolerance) for every answer kind
KINDS = [
    ("int", 42, None),
    ("float", 0.0359, 5e-3),
    ("matrix", [[1, 2], [3, 4]], None),
    ("matrix", [[0.25, -1.5]], 1e-3),
    ("shape", [56, 56, 256], None),
    ("memory:MiB", 64.3125, 5e-3),
    ("memory", 3.5, 5e-3),
    ("verdict", "exploding", None),
    ("radius-verdict", {"radius": 1.75, "regime": "exploding"}, 5e-3),
    ("text", "hello", None),
]
CARDS = [
    Card("tf", "f", "b", "conv", "D", type=CardType.truefalse, answer=True),
    Card("ch", "f", "b", "conv", "D", type=CardType.choice, options=("a", "b", "c"), answer="b"),
    Card("n1", "f", "b", "conv", "D", type=CardType.numeric, answer=16),
    Card("n2", "f", "b", "conv", "D", type=CardType.numeric, answer=[[1.5, 2], [3, 4]], tolerance=1e-3),
]


def parse_and_grade(text: str, kind: str, expected, tolerance) -> Grade:
    return grade(parse_answer(text, kind, expected), expected, kind, tolerance)


def outcome(text: str, kind: str, expected, tolerance) -> str:
    """'grade' or 'format' — any other exception propagates and fails the test."""
    try:
        g = parse_and_grade(text, kind, expected, tolerance)
    except AnswerFormatError:
        return "format"
    assert isinstance(g, Grade)
    return "grade"


@pytest.mark.parametrize("text, message", [
    ("1x10^400", "out of range"),
    ("1e999", "out of range"),
    ("-2.5 × 10^309", "out of range"),
    ("9" * 350 + "/3", "out of range"),  # Fraction fine, float(q) overflowed
    ("1" + "0" * 399 + "/3", "at most 400 characters"),  # 400 digits / 3
    ("9" * 5000, "at most 400 characters"),  # int() would hit Python's 4,300-digit limit
    ("0" * 4999 + "1", "at most 400 characters"),
    ("1/" + "0" * 300, "divides by zero"),
])
def test_huge_numbers_are_format_errors(text, message):
    for kind in ("int", "float"):
        with pytest.raises(AnswerFormatError) as e:
            parse_answer(text, kind, 1)
        assert message in str(e.value)
        assert len(str(e.value)) < 300  # the text is quoted as an excerpt, never whole


def test_big_but_representable_numbers_are_graded():
    g = parse_and_grade("1" + "0" * 300 + "/3", "float", 0.5, None)  # 3.33e299
    assert not g.correct
    g = parse_and_grade("1x10^300", "float", 1e300, 1e-3)
    assert g.correct
    assert parse_and_grade("9" * 300, "int", 42, None).correct is False


LONG_INPUTS = {
    "digits 100k": "1" * 100_000,
    "digits 9,999": "1" * 9_999,  # under the length bound: really parsed
    "digits + point 9,999": "1" * 9_990 + ".5x10^3",
    "spaces in brackets": "[" + " " * 9_990 + "]",
    "bracket then spaces": "[[1]" + " " * 9_990 + "x",
    "spaces then unit": "1" + " " * 9_990 + "MiB",
    "digits then b": "1" * 9_990 + "b",
    "many cells": "1 " * 4_999,
    "many rows": "1;" * 4_999,
    "many separators": "1," * 4_999,
    "words": "exploding " * 999,
    "shape": "2x" * 4_999 + "2",
    "line 100k spaces": " " * 100_000,
    "line 100k mixed": ("1e" + " " * 7) * 11_111,
}


@pytest.mark.parametrize("name", sorted(LONG_INPUTS))
def test_long_inputs_are_answered(name):
    # their speed (linear-time regexes) is measured by `bench/bench.py --hostile`, not here
    text = LONG_INPUTS[name]
    for kind, expected, tol in KINDS:
        outcome(text, kind, expected, tol)
    for card in CARDS:
        try:
            grade_card_answer(card, text)
        except AnswerFormatError:
            pass


def test_overlong_answer_is_one_clear_format_error():
    text = "1" * (MAX_ANSWER_CHARS + 1)
    for kind, expected, _ in KINDS:
        with pytest.raises(AnswerFormatError, match="10,001 characters long; at most 10,000"):
            parse_answer(text, kind, expected)
    with pytest.raises(AnswerFormatError, match="at most 10,000"):
        grade_card_answer(CARDS[0], text)


def test_choice_with_a_huge_option_number_is_a_format_error():
    with pytest.raises(AnswerFormatError, match="option number from 1 to 3"):
        grade_card_answer(CARDS[1], "9" * 5000)
    assert grade_card_answer(CARDS[1], "0002").correct  # option 2 written with leading zeros


# -- fuzz --------------------------------------------------------------------------------------
NUMBER_LIKE = st.from_regex(
    r"[+\-−]?[0-9]{0,450}(\.[0-9]{0,30})?([eE][+\-]?[0-9]{1,6}|\s?[x×*]\s?10\s?(\^|\*\*)[+\-]?[0-9]{1,6}"
    r"|\s?/\s?[+\-]?[0-9]{0,420}(\.[0-9]{0,5})?|[,_ ][0-9]{3}){0,3}\s?(MiB|kb|GB|bytes|B)?",
    fullmatch=True,
)
MATRIX_LIKE = st.lists(st.one_of(NUMBER_LIKE, st.sampled_from(["[", "]", "(", ")", ";", ",", " ", "\n"])),
                       max_size=30).map("".join)
FUZZ_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ_SETTINGS
@given(text=st.text(max_size=300))
def test_fuzz_any_text(text):
    for kind, expected, tol in KINDS:
        outcome(text, kind, expected, tol)
    for card in CARDS:
        try:
            grade_card_answer(card, text)
        except AnswerFormatError:
            pass


@FUZZ_SETTINGS
@given(text=NUMBER_LIKE)
def test_fuzz_number_like_text(text):
    for kind, expected, tol in KINDS:
        outcome(text, kind, expected, tol)


@FUZZ_SETTINGS
@given(text=MATRIX_LIKE)
def test_fuzz_matrix_like_text(text):
    for kind, expected, tol in KINDS[2:4]:
        outcome(text, kind, expected, tol)
    try:
        grade_card_answer(CARDS[3], text)
    except AnswerFormatError:
        pass


@pytest.mark.parametrize("line", ["r" + "9" * 5000, "r9999999: 1 2", "r 1" + " " * 9_000 + ": 1 2",
                                  "r1:" + "1 " * 4_999, "1" * 100_000])
def test_matrix_entry_lines_never_raise(line):
    from cardcli.matrix_entry import MatrixEntry

    entry = MatrixEntry(2, 2, "1 2")
    note = entry.feed(line)
    assert note is None or isinstance(note, str)
    assert len(entry.rows) <= 2
