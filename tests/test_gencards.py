"""One identity for generated cards: ``gen:<family>:d<k>`` is built and read in cardcli/gencards.py only."""

from __future__ import annotations

import ast
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest

from cardcli import gencards
from cardcli.quizlog import quiz_record
from generators.catalog import CATALOG

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def test_card_id_and_parse_round_trip_over_every_family():
    for family in CATALOG:
        for d in (1, 2, 3):
            cid = gencards.card_id(family, d)
            assert cid == f"gen:{family}:d{d}"
            assert gencards.parse(cid) == (family, d)
            assert gencards.is_generated(cid)


@pytest.mark.parametrize("cid", ["a1", "gen:", "gen:conv-forward", "gen:conv-forward:2", "gen:conv-forward:d",
                                 "gen:conv-forward:dx", "gen:a:b:d1", "x:conv-forward:d1", "deck:gen:d1"])
def test_parse_refuses_what_is_not_a_generated_card(cid):
    assert gencards.parse(cid) is None


def test_every_generated_card_parses_back_to_its_family_and_level():
    cards = gencards.generated_cards(difficulties=(1, 2, 3))
    assert len(cards) == 3 * len(CATALOG)
    assert {gencards.parse(c.id) for c in cards} == {(f, d) for f in CATALOG for d in (1, 2, 3)}
    assert {c.deck for c in cards} == {gencards.GEN_DECK}


def test_the_builders_elsewhere_use_the_one_identity():
    from cardcli.mock.exam import Question

    problem = SimpleNamespace(family="conv-output-size", difficulty=2, seed=5, params={})
    assert quiz_record(problem, True, 10, NOW).card_id == "gen:conv-output-size:d2"
    assert quiz_record(problem, True, 10, NOW).deck == gencards.GEN_DECK
    q = Question(number=1, section="A", points=4, problem=problem)
    assert q.card_id == gencards.card_id("conv-output-size", 2) and q.deck == gencards.GEN_DECK


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _identity_uses(path: Path, root: Path = ROOT) -> list[str]:
    """Where ``path`` spells the ``gen:`` id itself: a string or f-string part with ``gen:`` (not a
    docstring), a ``:d`` level suffix, or ``.split(":")`` (reading an id by hand)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    docs = _docstrings(tree)
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            if "gen:" in node.value or node.value.startswith(":d"):
                bad.append(f"{path.relative_to(root)}:{node.lineno}: {node.value!r}")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "split"
              and [a.value for a in node.args if isinstance(a, ast.Constant)] == [":"]):
            bad.append(f"{path.relative_to(root)}:{node.lineno}: .split(':')")
    return bad


def test_the_gen_id_is_built_and_parsed_only_in_gencards():
    files = sorted(p for p in (ROOT / "cardcli").rglob("*.py") if p.name != "gencards.py" or p.parent.name != "cardcli")
    assert len(files) > 50
    bad = [hit for p in files for hit in _identity_uses(p)]
    assert bad == []


def test_the_check_sees_a_hand_built_id(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text('"""About gen:<family>:d<k> ids."""\n'
                      'def f(family, k, cid):\n    """gen: ids."""\n'
                      '    a = f"gen:{family}:d{k}"\n    b = cid.split(":")\n    return cid.endswith(":d1")\n')
    hits = sorted(_identity_uses(sample, tmp_path))
    assert hits == ["m.py:4: ':d'", "m.py:4: 'gen:'", "m.py:5: .split(':')", "m.py:6: ':d1'"]
