"""`?` gives a hint in every family: this problem's numbers in, the answer not given away."""

from __future__ import annotations

import pytest

from generators.catalog import CATALOG
from generators.families import generate
from generators.hints import _first_step
from generators.render import fmt


@pytest.mark.parametrize("family", sorted(CATALOG))
def test_every_family_hints_with_its_numbers_and_without_the_result(family):
    for difficulty in (1, 2, 3):
        for p in generate(family, 12, 7, difficulty):
            assert p.hint and any(ch.isdigit() for ch in p.hint), (p.id, p.hint)
            assert len(p.hint) <= 600, p.id
            if isinstance(p.answer, (int, float)) and not isinstance(p.answer, bool):
                assert not p.hint.rstrip(" .").endswith(f"= {fmt(p.answer)}"), (p.id, p.hint)


def test_the_fallback_leaves_the_result_off_and_skips_headings():
    solution = "Forward pass (each gate in turn):\nt1 = u − v = 2 − (-2) = 4\nf = t1·w = 4·3 = 12"
    assert _first_step(solution) == "t1 = u − v = 2 − (-2)"
    assert _first_step("x̂ = (x − μ)/σ = [0.5, -1.25]") == "x̂ = (x − μ)/σ"
    assert _first_step("no numbers here") == ""
