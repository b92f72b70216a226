"""Reading typed answers (every accepted form and the format errors) and grading them."""

from __future__ import annotations

import pytest

from cardcli.answers import (
    AnswerFormatError,
    Grade,
    grade,
    grade_card_answer,
    infer_kind,
    parse_answer,
)
from cardcli.errors import CardcliError
from cardcli.model import Card, CardType

M22 = [[1, 2], [3, 4]]


@pytest.mark.parametrize("text, kind, expected, value", [
    ("42", "int", 0, 42),
    ("  -7 ", "int", 0, -7),
    ("−3", "int", 0, -3),  # unicode minus
    ("+5", "int", 0, 5),
    ("138,357,544", "int", 0, 138357544),
    ("138 357 544", "int", 0, 138357544),
    ("138_357_544", "int", 0, 138357544),
    ("1,000.5", "float", 0, 1000.5),
    ("1.5e6", "int", 0, 1500000),
    ("1.5E-3", "float", 0, 0.0015),
    ("2.5×10^3", "float", 0, 2500),
    ("3*10**2", "int", 0, 300),
    ("7/4", "float", 0, 1.75),
    ("-3 / 4", "float", 0, -0.75),
    ("8/4", "int", 0, 2),
    (".5", "float", 0, 0.5),
    ("2.", "float", 0, 2.0),
])
def test_numbers(text, kind, expected, value):
    got = parse_answer(text, kind, expected)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize("text, expected", [
    ("[[1, 2], [3, 4]]", M22),
    ("[[1,2],[3,4]]", M22),
    ("1 2; 3 4", M22),
    ("1, 2; 3, 4", M22),
    ("[1 2; 3 4]", M22),
    ("1 2\n3 4", M22),
    ("  1   2 \n\n 3 4\n", M22),
    ("((1, 2), (3, 4))", M22),
    ("[1, 2]\n[3, 4]", M22),
    ("−1 0.5; 7/4 2e1", [[-1, 0.5], [1.75, 20]]),
    ("5 6 7", [[5, 6, 7]]),
])
def test_matrices(text, expected):
    assert parse_answer(text, "matrix", expected) == expected


@pytest.mark.parametrize("text", ["2x2", "2×2", "2 x 2", "(2, 2)", "[2,2]", "2X2", "2, 2"])
def test_shapes(text):
    assert parse_answer(text, "shape", [2, 2]) == [2, 2]


def test_shape_three_dims():
    assert parse_answer("56×56×256", "shape", [56, 56, 256]) == [56, 56, 256]


@pytest.mark.parametrize("text, kind, value", [
    ("1.5 MiB", "memory:MiB", 1.5),
    ("1.5 MiB", "memory:MB", 1.5 * 2**20 / 1e6),
    ("3MB", "memory:MB", 3.0),
    ("3MB", "memory:MiB", 3e6 / 2**20),
    ("2 GB", "memory:MB", 2000.0),
    ("2 GiB", "memory:MiB", 2048.0),
    ("1048576 bytes", "memory:MiB", 1.0),
    ("1,048,576 B", "memory:KiB", 1024.0),
    ("512 KiB", "memory:MiB", 0.5),
    ("12.25", "memory:MiB", 12.25),  # bare number: the expected unit
    ("7", "memory", 7.0),  # plain 'memory' kind: MB
    ("3 mb", "memory:MB", 3.0),
])
def test_memory(text, kind, value):
    assert parse_answer(text, kind, 0.0) == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize("text, value", [
    ("vanishing", "vanishing"), ("Vanish", "vanishing"), ("exploding", "exploding"), ("explode", "exploding"),
    ("EXPLODES.", "exploding"), ("neither", "neither"), ("none", "neither"),
])
def test_verdicts(text, value):
    assert parse_answer(text, "verdict", "neither") == value


@pytest.mark.parametrize("text, value", [
    ("7 exploding", {"radius": 7, "regime": "exploding"}),
    ("radius 7, exploding", {"radius": 7, "regime": "exploding"}),
    ("0.5, vanishing", {"radius": 0.5, "regime": "vanishing"}),
    ("7/4 vanish", {"radius": 1.75, "regime": "vanishing"}),
    ("exploding 3.61", {"radius": 3.61, "regime": "exploding"}),
    ("ρ = 2.5: neither", {"radius": 2.5, "regime": "neither"}),
])
def test_radius_verdict(text, value):
    assert parse_answer(text, "radius-verdict", {"radius": 1.0, "regime": "neither"}) == value


@pytest.mark.parametrize("text, kind, expected, message", [
    ("", "int", 0, "got nothing"),
    ("abc", "int", 0, "expected a number"),
    ("1,5", "float", 0, "expected a number"),  # not a thousands group, not a decimal here
    ("1 2", "int", 0, "expected a number"),
    ("3/0", "float", 0, "divides by zero"),
    ("1 2 3; 4 5 6", "matrix", M22, "expected a 2×2 matrix, got 2×3"),
    ("1 2; 3 4; 5 6", "matrix", M22, "expected a 2×2 matrix, got 3×2"),
    ("1 2; 3", "matrix", M22, "different lengths"),
    ("1 x; 3 4", "matrix", M22, "could not read the row"),
    ("", "matrix", M22, "got nothing"),
    ("2x2", "shape", [1, 1, 1], "expected 3 dimensions"),
    ("2.5x2", "shape", [1, 1], "whole numbers"),
    ("big", "shape", [1, 1], "expected a shape"),
    ("lots", "memory:MB", 0.0, "expected an amount of memory"),
    ("3 furlongs", "memory:MB", 0.0, "a bare number is in MB"),
    ("maybe", "verdict", "neither", "vanishing, exploding or neither"),
    ("7", "radius-verdict", {"radius": 7, "regime": "exploding"}, "exactly one of"),
    ("exploding", "radius-verdict", {"radius": 7, "regime": "exploding"}, "spectral radius"),
    ("7 exploding vanishing", "radius-verdict", {"radius": 7, "regime": "exploding"}, "exactly one of"),
])
def test_format_errors(text, kind, expected, message):
    with pytest.raises(AnswerFormatError) as e:
        parse_answer(text, kind, expected)
    assert message in str(e.value)
    assert isinstance(e.value, CardcliError)


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        parse_answer("1", "colour", 1)


# -- grading ------------------------------------------------------------------------------------
def test_int_exact():
    assert grade(42, 42, "int").correct
    assert not grade(43, 42, "int").correct
    assert not grade(42.5, 42, "int").correct
    assert "expected 42" in grade(41, 42, "int").detail


def test_float_relative_tolerance_default_1e3():
    assert grade(1.001, 1.0, "float").correct  # 1e-3 relative
    assert not grade(1.0011, 1.0, "float").correct
    assert grade(1000.9, 1000.0, "float").correct
    assert not grade(1001.2, 1000.0, "float").correct
    assert grade(0.98, 1.0, "float", tolerance=0.05).correct
    assert not grade(0.94, 1.0, "float", tolerance=0.05).correct


def test_zero_floor():
    assert grade(0.0, 0.0, "float").correct
    assert grade(1e-10, 0.0, "float").correct  # absolute floor 1e-9, only for an expected 0
    assert not grade(1e-6, 0.0, "float").correct
    assert not grade(1e-4, 0.0, "float", tolerance=1e-3).correct  # the floor is 1e-9, not the tolerance
    assert grade(1e-10, 0.0, "float", tolerance=1e-3).correct


def test_matrix_wrong_cells():
    g = grade([[1, 2], [3, 5]], M22, "matrix")
    assert not g.correct and g.wrong_cells == [(1, 1)] and "1 of 4 cells wrong" in g.detail
    assert grade([[1.0, 2.0], [3.0, 4.0]], M22, "matrix").correct
    assert not grade([[1.0005, 2], [3, 4]], M22, "matrix").correct  # int cells are exact
    assert grade([[1.75, 0.25]], [[7 / 4, 0.2502]], "matrix", 1e-3).correct
    assert grade([[0, 1]], [[0.0, 1.0]], "matrix", 1e-3).correct


def test_shape_and_verdicts():
    assert grade([56, 56, 256], [56, 56, 256], "shape").correct
    g = grade([56, 28, 256], [56, 56, 256], "shape")
    assert not g.correct and g.wrong_cells == [(0, 1)] and "56×56×256" in g.detail
    assert grade("exploding", "Exploding", "verdict").correct
    assert not grade("vanishing", "exploding", "verdict").correct


def test_radius_verdict_grading():
    exp = {"radius": 3.605551, "regime": "exploding"}
    assert grade({"radius": 3.61, "regime": "exploding"}, exp, "radius-verdict", 5e-3).correct
    g = grade({"radius": 3.61, "regime": "neither"}, exp, "radius-verdict", 5e-3)
    assert not g.correct and g.detail == "regime: expected exploding, got neither"
    g = grade({"radius": 3.7, "regime": "exploding"}, exp, "radius-verdict", 5e-3)
    assert not g.correct and g.detail.startswith("radius")


def test_memory_grading_with_units():
    expected = 64.3125  # MiB
    value = parse_answer("67.4 MB", "memory:MiB", expected)  # 67.4e6 bytes = 64.28 MiB
    assert grade(value, expected, "memory:MiB", 5e-3).correct
    value = parse_answer("67.4 MiB", "memory:MiB", expected)  # confused the units: 4.8% off
    assert not grade(value, expected, "memory:MiB", 5e-3).correct


# -- cards --------------------------------------------------------------------------------------
def card(type_: CardType, answer, options=(), tolerance=None) -> Card:
    return Card(id="c1", front="?", back="!", topic="conv", deck="d", type=type_, answer=answer,
                options=tuple(options), tolerance=tolerance)


@pytest.mark.parametrize("text, correct", [
    ("t", True), ("TRUE", True), ("yes", True), ("y", True), ("1", True),
    ("f", False), ("false", False), ("No", False), ("n", False), ("0", False),
])
def test_truefalse(text, correct):
    g = grade_card_answer(card(CardType.truefalse, True), text)
    assert g is not None and g.correct is correct


def test_truefalse_format_error():
    with pytest.raises(AnswerFormatError, match="true or false"):
        grade_card_answer(card(CardType.truefalse, False), "perhaps")


def test_choice_by_number_and_text():
    c = card(CardType.choice, "Max pooling", options=["Average pooling", "Max pooling", "Strided conv"])
    assert grade_card_answer(c, "2").correct
    assert grade_card_answer(c, "  max   POOLING ").correct
    g = grade_card_answer(c, "1")
    assert not g.correct and "2. Max pooling" in g.detail
    with pytest.raises(AnswerFormatError, match="1 to 3"):
        grade_card_answer(c, "4")
    with pytest.raises(AnswerFormatError, match="option"):
        grade_card_answer(c, "min pooling")


def test_numeric_cards_infer_kind():
    assert grade_card_answer(card(CardType.numeric, 138357544), "138,357,544").correct
    assert grade_card_answer(card(CardType.numeric, 2.302585), "2.3026").correct
    assert not grade_card_answer(card(CardType.numeric, 2.302585), "2.2").correct
    assert grade_card_answer(card(CardType.numeric, 2.302585, tolerance=0.01), "2.3").correct
    assert grade_card_answer(card(CardType.numeric, M22), "1 2; 3 4").correct
    assert grade_card_answer(card(CardType.numeric, [56, 56, 256]), "56x56x256").correct
    assert grade_card_answer(card(CardType.numeric, "exploding"), "explode").correct
    assert grade_card_answer(card(CardType.numeric, {"radius": 7, "regime": "exploding"}), "7 exploding").correct
    with pytest.raises(AnswerFormatError, match="2×2"):
        grade_card_answer(card(CardType.numeric, M22), "1 2 3; 4 5 6")


def test_empty_or_ungradable_is_none():
    assert grade_card_answer(card(CardType.numeric, 3), "   ") is None
    assert grade_card_answer(card(CardType.basic, None), "anything") is None
    assert grade_card_answer(card(CardType.numeric, {"a": 1}), "1") is None


def test_infer_kind():
    assert [infer_kind(a) for a in (3, 2.5, M22, [2, 2], "neither", "ReLU", {"radius": 1, "regime": "x"})] == \
        ["int", "float", "matrix", "shape", "verdict", "text", "radius-verdict"]
    assert isinstance(grade(1, 1, "int"), Grade)


@pytest.mark.parametrize(
    "lines, expected, more",
    [
        (["1 2"], [[1, 2], [3, 4]], True),          # first of two rows
        (["1 2", "3 4"], [[1, 2], [3, 4]], False),  # complete
        (["1, 2"], [[1, 2], [3, 4]], True),         # commas between values
        (["1 2 3"], [[1, 2], [3, 4]], False),       # wrong width: stop, let the parser explain
        (["1 2; 3 4"], [[1, 2], [3, 4]], False),    # one-line forms
        (["[[1, 2], [3, 4]]"], [[1, 2], [3, 4]], False),
        (["5"], 5, False),                          # not a matrix
        (["1 2"], [[1, 2]], False),                 # a single row is complete
    ],
)
def test_needs_more_rows(lines, expected, more):
    from cardcli.answers import needs_more_rows

    assert needs_more_rows(lines, expected) is more
