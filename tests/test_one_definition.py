"""One definition each: unsafe text, the size limits and their walk, the command line's date parser."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cardcli.errors import UsageError
from cardcli.examdate import clean_name, parse_date
from cardcli.importing.text import clean as import_clean
from cardcli.mock.printing import _clean as print_clean
from cardcli.safetext import clean, one_line
from generators.limits import MAX_CELLS, MAX_SIDE, SizeProblem, size_problem

ROOT = Path(__file__).resolve().parents[1]

# one of each family of the superset: C0, DEL, C1 (the one-byte CSI), zero-width, line separator,
# bidi override, bidi isolate, lone surrogate
HOSTILE = ["\x1b", "\x7f", "\x9b", "\u200b", "\u200f", "\u2028", "\u2029", "\u202e", "\u2066", "\ud800"]


@pytest.mark.parametrize("ch", HOSTILE, ids=lambda c: f"U+{ord(c):04X}")
def test_every_user_of_unsafe_text_handles_the_whole_set(ch):
    text = f"a{ch}b"
    escape = f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"
    assert clean(text) == one_line(text) == f"a{escape}b"
    assert print_clean(text) == "ab"  # a printed exam drops them
    assert import_clean(text) == "ab"  # an imported card drops them
    assert clean_name(text) == "a b"  # an exam name: a space, runs collapsed


def test_newlines_and_tabs_are_kept_where_text_is_multi_line():
    assert clean("a\nb\tc") == "a\nb\tc" and one_line("a\nb\tc") == "a\\nb\\tc"
    assert clean_name("Midterm\n\t2") == "Midterm 2"


def _string_constants(path: Path) -> list[tuple[int, str]]:
    return [(n.lineno, n.value) for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def test_one_definition_of_unsafe_text():
    """No module but generators/text.py spells the unsafe ranges (deckparse's YAML rule is YAML's own)."""
    markers = ("\x7f", "\\x7f", "\u202e", "\\u202e", "\u200b", "\\u200b")
    found = []
    for p in sorted([*(ROOT / "cardcli").rglob("*.py"), *(ROOT / "generators").rglob("*.py")]):
        if p.relative_to(ROOT).as_posix() in ("generators/text.py", "cardcli/deckparse.py"):
            continue
        for line, value in _string_constants(p):
            if any(m in value for m in markers) and "-" in value and '"""' not in value and len(value) < 200:
                found.append(f"{p.relative_to(ROOT)}:{line}")
    assert found == []


def test_the_bounded_walk_names_the_first_limit_broken():
    assert size_problem([[1, 2], {"a": "x"}], max_text=5) is None
    assert size_problem(list(range(MAX_SIDE + 1)), max_text=5) == SizeProblem("side", MAX_SIDE + 1, MAX_SIDE)
    assert size_problem([[0] * 10] * 11, max_text=5, max_cells=100) == SizeProblem("cells", 101, 100)
    assert size_problem({"k": "x" * 6}, max_text=5) == SizeProblem("text", 6, 5)
    assert size_problem([2**60], max_text=5, max_int=2**53) == SizeProblem("int", 61, 2**53, 2**60)
    assert size_problem([2**60], max_text=5) is None  # no integer limit unless asked
    deep: list = [1]
    for _ in range(9):
        deep = [deep]
    assert size_problem(deep, max_text=5, max_depth=8) == SizeProblem("depth", 9, 8)
    assert size_problem(deep, max_text=5) is None
    shared = [0] * 60
    assert size_problem([shared] * 2, max_text=5, max_cells=100) == SizeProblem("cells", 101, 100)  # aliases count


def test_decks_and_checks_share_the_limits():
    from cardcli import deckparse
    from generators import checks

    assert (deckparse.MAX_CELLS, deckparse.MAX_SIDE) == (checks.MAX_CELLS, checks.MAX_SIDE) == (MAX_CELLS, MAX_SIDE)


def test_one_date_parser_on_the_command_line():
    assert parse_date(" 2026-12-08 ", "--exam").isoformat() == "2026-12-08"
    with pytest.raises(UsageError, match=r"^--exam: '12/08/2026' is not a date; use YYYY-MM-DD$"):
        parse_date("12/08/2026", "--exam")
    calls = []
    for p in [ROOT / "cardcli" / "cli.py", *sorted((ROOT / "cardcli" / "commands").glob("*.py"))]:
        for n in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(n, ast.Attribute) and n.attr in ("fromisoformat", "strptime"):
                calls.append(f"{p.relative_to(ROOT)}:{n.lineno}")
    assert calls == []


def _naive_size_problem(value, max_text, max_cells, max_side, max_depth=None, max_int=None):
    """The walk as first written (one stack entry per value), the reference for the fast row path."""
    cells = 0
    todo = [(value, 0)]
    while todo:
        item, level = todo.pop()
        if max_depth is not None and level > max_depth:
            return SizeProblem("depth", level, max_depth)
        if isinstance(item, (list, tuple)):
            if len(item) > max_side:
                return SizeProblem("side", len(item), max_side)
            todo.extend((v, level + 1) for v in item)
            continue
        if isinstance(item, dict):
            todo.extend((v, level + 1) for v in item.values())
            continue
        cells += 1
        if cells > max_cells:
            return SizeProblem("cells", cells, max_cells)
        if max_int is not None and isinstance(item, int) and not isinstance(item, bool) and abs(item) > max_int:
            return SizeProblem("int", abs(item).bit_length(), max_int, item)
        if isinstance(item, str) and len(item) > max_text:
            return SizeProblem("text", len(item), max_text)
    return None


def test_the_fast_row_path_reports_what_the_plain_walk_reports():
    import random

    rng = random.Random(21)
    scalars = [0, 1, -3, 2.5, 2**60, -(2**61), True, "ab", "x" * 9, None]

    def draw(depth: int):
        r = rng.random()
        if depth < 4 and r < 0.35:
            return [draw(depth + 1) for _ in range(rng.randint(0, 6))]
        if depth < 4 and r < 0.45:
            return {f"k{i}": draw(depth + 1) for i in range(rng.randint(0, 3))}
        if depth < 4 and r < 0.7:  # a row of plain numbers
            return [rng.choice([0, 1, -3, 2.5, 7.0, 2**60]) for _ in range(rng.randint(0, 8))]
        return rng.choice(scalars)

    seen = set()
    for _ in range(3000):
        value = draw(0)
        limits = dict(max_text=5, max_cells=rng.randint(1, 30), max_side=rng.randint(3, 8),
                      max_depth=rng.choice([None, 2, 3]), max_int=rng.choice([None, 2**53]))
        expected = _naive_size_problem(value, **limits)
        assert size_problem(value, **limits) == expected, (value, limits)
        seen.add(None if expected is None else expected.kind)
    assert seen == {None, "side", "cells", "depth", "int", "text"}  # every outcome was exercised
