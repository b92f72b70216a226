"""Graders keep the promise they print: the stated relative tolerance is the one applied, at every
magnitude and in every kind of answer; an absolute floor only for an expected 0.

Every bound below is worked out by hand in the comment next to it (bound = rel·|expected|); the
answers are placed just inside and just outside it, never on it.
"""

from __future__ import annotations

import pytest

from cardcli.answers import ZERO_FLOOR, grade, grade_card_answer, parse_answer
from cardcli.model import Card, CardType


@pytest.mark.parametrize("expected, rel, inside, outside", [
    # small: 2.5e-6 · 1e-3 = 2.5e-9
    (2.5e-6, 1e-3, [2.5024e-6, 2.4976e-6], [2.5026e-6, 2.4974e-6]),
    # medium: 0.0359 · 5e-3 = 1.795e-4
    (0.0359, 5e-3, [0.036079, 0.035721], [0.03608, 0.03572]),
    # huge: 1.5e12 · 1e-3 = 1.5e9
    (1.5e12, 1e-3, [1.5014e12, 1.4986e12], [1.5016e12, 1.4984e12]),
    # negative: |-1.5e12| · 1e-3 = 1.5e9
    (-1.5e12, 1e-3, [-1.5014e12, -1.4986e12], [-1.5016e12, -1.4984e12]),
    # default tolerance (None -> 1e-3): 1e-6 · 1e-3 = 1e-9
    (1e-6, None, [1.0009e-6, 0.9991e-6], [1.0011e-6, 0.9989e-6]),
])
def test_float_bound_is_exactly_the_stated_relative_tolerance(expected, rel, inside, outside):
    for v in inside:
        assert grade(v, expected, "float", rel).correct, v
    for v in outside:
        assert not grade(v, expected, "float", rel).correct, v


def test_the_issue_example_is_now_wrong():
    # 0.0359 MiB "within 0.5 %": 0.04 is 11 % off (the old floor, = the tolerance 5e-3, accepted it)
    value = parse_answer("0.04", "memory:MiB", 0.0359)
    g = grade(value, 0.0359, "memory:MiB", 5e-3)
    assert not g.correct and g.detail == "expected 0.0359 MiB (within 0.005 relative), got 0.04 MiB"
    # a tiny expected value is not swallowed by an absolute floor either: 1e-3 is 1000× 1e-6
    assert not grade(1e-3, 1e-6, "float", 1e-3).correct


def test_memory_bound_holds_after_unit_conversion():
    # 0.0359 MiB = 0.0359 · 1,048,576 B = 37,643.8784 B; bound 0.0359 · 5e-3 MiB = 188.2194 B
    # -> accepted up to 37,832.0978 B
    assert grade(parse_answer("37,832 bytes", "memory:MiB", 0.0359), 0.0359, "memory:MiB", 5e-3).correct
    assert not grade(parse_answer("37833 bytes", "memory:MiB", 0.0359), 0.0359, "memory:MiB", 5e-3).correct
    # in MB: 37,832 B = 0.037832 MB (inside), 0.037834 MB = 37,834 B (outside)
    assert grade(parse_answer("0.037832 MB", "memory:MiB", 0.0359), 0.0359, "memory:MiB", 5e-3).correct
    assert not grade(parse_answer("0.037834 MB", "memory:MiB", 0.0359), 0.0359, "memory:MiB", 5e-3).correct
    # huge: 1.5e12 GB → bound 1.5e9 GB = 1.5e18 B; 1.5014e21 bytes is inside, 1.5016e21 outside
    assert grade(parse_answer("1.5014e21 B", "memory:GB", 1.5e12), 1.5e12, "memory:GB", 1e-3).correct
    assert not grade(parse_answer("1.5016e21 B", "memory:GB", 1.5e12), 1.5e12, "memory:GB", 1e-3).correct


def test_zero_has_only_the_documented_absolute_floor():
    assert ZERO_FLOOR == 1e-9
    for rel in (None, 1e-3, 0.05):
        assert grade(0.0, 0.0, "float", rel).correct
        assert grade(-5e-10, 0.0, "float", rel).correct
        assert not grade(2e-9, 0.0, "float", rel).correct
    # the old rule (floor = the tolerance) accepted 0.01 for 0 "within 5 %"
    g = grade(0.01, 0.0, "float", 0.05)
    assert not g.correct and "(within 1e-09)" in g.detail


def test_matrix_cells_each_get_the_relative_bound():
    expected = [[0.0359, 1.5e12], [0.0, -2.5e-6]]
    # bounds (rel 1e-3): 3.59e-5, 1.5e9, the zero floor 1e-9, 2.5e-9
    ok = [[0.035935, 1.5014e12], [5e-10, -2.5024e-6]]
    assert grade(ok, expected, "matrix", 1e-3).correct
    for r, c, bad in [(0, 0, 0.035937), (0, 1, 1.5016e12), (1, 0, 2e-9), (1, 1, -2.5026e-6)]:
        answer = [row[:] for row in ok]
        answer[r][c] = bad
        g = grade(answer, expected, "matrix", 1e-3)
        assert not g.correct and g.wrong_cells == [(r, c)], (r, c)


def test_radius_of_a_mapping_answer_gets_the_relative_bound():
    expected = {"radius": 0.125, "regime": "vanishing"}
    # 0.125 · 5e-3 = 6.25e-4
    assert grade(parse_answer("0.1256 vanishing", "radius-verdict"), expected, "radius-verdict", 5e-3).correct
    g = grade(parse_answer("0.1257 vanishing", "radius-verdict"), expected, "radius-verdict", 5e-3)
    assert not g.correct and g.detail.startswith("radius: expected 0.125")
    # old floor 5e-3 accepted 0.129 (3.2 % off)
    assert not grade({"radius": 0.129, "regime": "vanishing"}, expected, "radius-verdict", 5e-3).correct


def test_numeric_card_tolerance():
    card = Card("c", "ln 10?", "", "losses", "D", type=CardType.numeric, answer=2.302585, tolerance=0.01)
    # 2.302585 · 0.01 = 0.02302585
    assert grade_card_answer(card, "2.28").correct  # 0.022585 off
    assert not grade_card_answer(card, "2.279").correct  # 0.023585 off
    tiny = card._replace(answer=3.2e-7, tolerance=None)  # default 1e-3: bound 3.2e-10
    assert grade_card_answer(tiny, "3.203e-7").correct
    assert not grade_card_answer(tiny, "3.204e-7").correct
    assert not grade_card_answer(tiny, "0.000001").correct


def test_int_answers_are_exact_even_beyond_float_precision():
    assert grade(2**53 + 1, 2**53 + 1, "int").correct
    assert not grade(2**53, 2**53 + 1, "int").correct  # equal as floats, not as integers


@pytest.mark.parametrize("family", ["pool-forward", "pool-backward"])
def test_average_pooling_keeps_its_four_significant_figures_promise(family):
    """Average-pooling problems say "4 significant figures … (relative tolerance 1e-3)": every
    answer written with 4 significant figures is graded correct under that tolerance."""
    from generators.families import generate

    seen = 0
    for seed in range(60):
        for d in (1, 2, 3):
            p = generate(family, 1, seed, d)[0]
            if p.params["mode"] != "avg":
                continue
            seen += 1
            assert "4 significant figures" in p.prompt and "relative tolerance 1e-3" in p.prompt
            assert p.tolerance == 1e-3
            if isinstance(p.answer, list):
                text = "; ".join(" ".join(f"{v:.4g}" for v in row) for row in p.answer)
            else:
                text = f"{p.answer:.4g}"
            value = parse_answer(text, p.answer_kind, p.answer)
            assert grade(value, p.answer, p.answer_kind, p.tolerance).correct, (seed, d, text)
    assert seen > 20

