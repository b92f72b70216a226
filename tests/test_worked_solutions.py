"""Worked solutions a student can follow (issue 24): every number substituted, the cells each
conv-backward product pairs named, and the mock marking shows the working of the first wrong
cell only."""

from __future__ import annotations

import re
from io import StringIO

import numpy as np
from rich.console import Console

from cardcli.mock.exam import build_exam
from cardcli.mock.marking import mark_exam
from cardcli.mock.report import render_marking
from cardcli.mock.template import parse_template
from cardcli.render import cell_working
from generators.families import FAMILIES, generate

# a half-substituted formula: a letter left standing among numbers, "floor((n + 2·0 − …"
# (the rule written in letters, "(i + 2p − d·(k − 1) …", is fine: its numbers follow after "=")
UNSUBSTITUTED = re.compile(r"\(\(?[nikspdhw] [+−-] \d+·")


def test_no_symbol_is_left_where_a_number_belongs():
    for family in FAMILIES:
        for d in (1, 2, 3):
            for p in generate(family, 6, 11, d):
                for line in p.solution.split("\n"):
                    assert not UNSUBSTITUTED.search(line), (family, d, line)


def test_conv_forward_output_size_is_worked_with_the_input_size():
    p = next(p for p in generate("conv-forward", 20, 2, 2) if p.params["padding"] == 1)
    h = len(p.params["input"])
    assert f"floor(({h} + 2·1 − " in p.solution and "(n + " not in p.solution


def _pairs_check(p) -> int:
    """Every product line of a conv-backward solution names its two cells, and the named cells hold
    the numbers multiplied (checked against the problem's own matrices)."""
    x, w, g = (np.asarray(p.params[k]) for k in ("input", "weight", "grad_output"))
    checked = 0
    lines = p.solution.split("\n")
    for n, line in enumerate(lines):
        m = re.match(r"^dL/d[xW]\[(\d+), (\d+)\] = (G\[.*)$", line)
        if not m:
            continue
        pairs = re.findall(r"G\[(\d+),(\d+)\]·([xW])\[(\d+),(\d+)\]", m.group(3))
        numbers = lines[n + 1].strip().lstrip("= ").rsplit(" = ", 1)[0]
        products = re.findall(r"\(?(-?\d+)\)?·\(?(-?\d+)\)?", numbers)
        assert len(pairs) == len(products), (line, numbers)
        for (i, j, which, r, c), (a, b) in zip(pairs, products, strict=True):
            other = x if which == "x" else w
            assert (g[int(i), int(j)], other[int(r), int(c)]) == (int(a), int(b)), (line, numbers)
            checked += 1
    return checked


def test_each_conv_backward_product_names_the_cells_it_pairs():
    checked = 0
    for d in (1, 2, 3):
        for p in generate("conv-backward", 25, 4, d):
            checked += _pairs_check(p)
    assert checked > 500


TEMPLATE = """\
title: One problem
minutes: 10
sections:
  - title: Open
    questions:
      - family: conv-forward
        answer: matrix
        points: 10
"""


def test_mock_marking_shows_only_the_first_wrong_cells_working():
    exam = build_exam(parse_template(TEMPLATE, "t.yaml"), 3, [], {}, __import__("datetime").datetime(
        2026, 11, 20, tzinfo=__import__("datetime").timezone.utc))
    q = exam.questions[0]
    right = q.problem.answer
    slip = [row[:] for row in right]
    r, c = len(slip) - 1, len(slip[0]) - 1
    slip[r][c] += 1  # one slip in the last cell
    typed = "; ".join(" ".join(str(v) for v in row) for row in slip)
    buf = StringIO()
    render_marking(exam, mark_exam(exam, {1: typed}), Console(file=buf, width=120, color_system=None))
    out = buf.getvalue()
    assert f"out[{r}, {c}] =" in out
    assert "out[0, 0] =" not in out  # the other cells' working is left out
    assert f"the working of the first wrong cell, [{r}, {c}]" in out
    full = q.problem.solution.count("\n") + 1
    assert len(out.splitlines()) < full + 40  # short: not the whole matrix worked out


def test_cell_working_cuts_to_one_cell_and_its_continuations():
    text = "rule\ndL/dx[0, 0] = G[0,0]·W[0,0]\n    = 1·2 = 2\ndL/dx[0, 1] = G[0,0]·W[0,1]\n    = 1·3 = 3\nend"
    assert cell_working(text, (0, 1)) == "rule\ndL/dx[0, 1] = G[0,0]·W[0,1]\n    = 1·3 = 3"
    assert cell_working(text, (5, 5)) is None
