"""Multi-part answers: reading every typed form, marking part by part, and follow-through (a part
right given the student's own wrong earlier value earns its points, and the marking says so) — in
the grader, the diagnosis, the quiz loop and the mock exam's marking."""

from __future__ import annotations

import math
from io import StringIO

import pytest
from rich.console import Console

from cardcli.answers import AnswerFormatError, grade, parse_answer
from cardcli.diagnosis import diagnose_problem
from cardcli.partmarks import PartsGrade, mark_problem, parse_parts, read_problem
from generators.families import FAMILIES
from generators.families.graph_backprop import _answer, _draft
from generators.parts import Part, get_part, parts_text
from generators.problem import Problem


def graph_problem(expression: str, values: dict, wrt: list[str]) -> Problem:
    params = {"expression": expression, "values": values, "wrt": wrt}
    d = _draft(params, _answer(params))
    return Problem(id="hand", family="graph-backprop", topics=("backprop",), seed=0, difficulty=2, params=d.params,
                   prompt=d.prompt, answer=d.answer, solution=d.solution, answer_kind=d.answer_kind,
                   tolerance=d.tolerance, stem=d.stem, parts=d.parts)


def sig(u: float) -> float:
    return 1 / (1 + math.exp(-u))


# f = σ(x·y + z) at x = 1, y = 2, z = −1: u = 1, f = σ(1); ∂f/∂u = f(1 − f), by hand
F1 = sig(1.0)
D1 = F1 * (1 - F1)
NEURON = ("sigmoid(x * y + z)", {"x": 1, "y": 2, "z": -1}, ["x", "y", "z"])


def test_the_neuron_by_hand():
    p = graph_problem(*NEURON)
    assert p.answer_kind == "parts" and [q.name for q in p.parts] == ["value", "grads.x", "grads.y", "grads.z"]
    assert p.answer["value"] == pytest.approx(0.7310585786)
    assert p.answer["grads"] == pytest.approx({"x": 2 * D1, "y": 1 * D1, "z": D1})
    assert mark_problem(p, read_problem(p, "0.7311 | 0.3932 | 0.1966 | 0.1966")).correct


# -- reading --------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "0.7311 | 0.3932 | 0.1966 | 0.1966",
    "0.7311; 0.3932; 0.1966; 0.1966",
    "0.7311\n0.3932\n0.1966\n0.1966",
    "value = 0.7311 | grads.x = 0.3932 | grads.y = 0.1966 | grads.z = 0.1966",
    "z: 0.1966 | x = 0.3932 | value=0.7311 | y = 0.1966",
    '{"value": 0.7311, "grads": {"x": 0.3932, "y": 0.1966, "z": 0.1966}}',
])
def test_every_typed_form_reads_the_same(text):
    p = graph_problem(*NEURON)
    value = read_problem(p, text)
    assert value == {"value": 0.7311, "grads": {"x": 0.3932, "y": 0.1966, "z": 0.1966}}


@pytest.mark.parametrize("text, message", [
    ("0.73 | 0.39", "expected 4 parts separated by | (value, grads.x, grads.y, grads.z), got 2"),
    ("value = 0.73 | 0.39 | 0.19 | 0.19", "name every part or none"),
    ("value = 1 | x = 1 | y = 1", "missing part: grads.z"),
    ("value = 1 | x = 1 | x = 2 | z = 1", "the part 'grads.x' is given twice"),
    ("0.73 | 0.39 | seven | 0.19", "grads.y: expected a number"),
    ('{"value": 1, "grads": {"x": 1}}', "no number for 'grads.y'"),
    ("{not json", "could not read the JSON answer"),
    ("", "expected 4 parts"),
])
def test_unreadable_answers_say_what_is_expected(text, message):
    p = graph_problem(*NEURON)
    with pytest.raises(AnswerFormatError, match=message.replace("|", r"\|").replace("(", r"\(").replace(")", r"\)")):
        read_problem(p, text)


def test_matrix_parts_use_bar_and_vectors_are_one_row():
    parts = (Part("h", "h", "matrix"), Part("c", "c", "matrix"))
    expected = {"h": [[1, 2], [3, 4]], "c": [0.5, 0.25]}
    assert parse_parts("1 2; 3 4 | 0.5 0.25", parts, expected) == {"h": [[1, 2], [3, 4]], "c": [0.5, 0.25]}
    with pytest.raises(AnswerFormatError):
        parse_parts("1 2; 3 4; 0.5 0.25", parts, expected)  # ';' separates rows when a part is a matrix
    assert parts_text(parts, expected) == "h = 1 2; 3 4 | c = 0.5 0.25"
    assert parse_parts(parts_text(parts, expected), parts, expected) == expected
    assert get_part({"a": {"b": 3}}, "a.b") == 3 and get_part({"a": 1}, "a.b") is None


def test_plain_kind_parts_without_the_part_list():
    """answers.parse_answer/grade with kind "parts" (what same_answer uses) read the leaves."""
    expected = {"value": 6, "grads": {"x": 1, "y": -2}}
    value = parse_answer("6 | 1 | -2", "parts", expected)
    assert grade(value, expected, "parts").correct
    assert not grade({"value": 6, "grads": {"x": 1, "y": 2}}, expected, "parts").correct


# -- marking with follow-through ------------------------------------------------------------------
def test_wrong_forward_right_backward_given_it_earns_the_backward_parts():
    """f slipped to 0.8; the student backpropagated from 0.8: ∂f/∂u = 0.8·0.2 = 0.16, so
    ∂f/∂x = 2·0.16 = 0.32 and ∂f/∂y = ∂f/∂z = 0.16 — all wrong against the key, right given 0.8."""
    p = graph_problem(*NEURON)
    g = mark_problem(p, read_problem(p, "0.8 | 0.32 | 0.16 | 0.16"))
    assert isinstance(g, PartsGrade)
    assert not g.correct  # a slip is a slip: not counted as a right answer
    assert [(m.name, m.correct, m.followed, m.earned) for m in g.parts] == [
        ("value", False, False, 0.0), ("grads.x", False, True, 1.0), ("grads.y", False, True, 1.0),
        ("grads.z", False, True, 1.0)]
    assert g.share == pytest.approx(0.75)
    assert g.followed == ("grads.x", "grads.y", "grads.z")
    assert "3 of 4 points" in g.detail and "follow-through" in g.detail
    assert "value: expected 0.731059, got 0.8" in g.detail


def test_follow_through_only_for_values_consistent_with_the_students_own():
    p = graph_problem(*NEURON)
    # wrong forward, and the gradients neither right nor right given 0.8: nothing earned
    g = mark_problem(p, read_problem(p, "0.8 | 0.5 | 0.25 | 0.25"))
    assert g.share == 0 and not g.followed
    assert "given your earlier answers: 0.32" in g.detail
    # right forward, one gradient wrong: only that part lost (no follow-through needed)
    g = mark_problem(p, read_problem(p, f"{F1} | {2 * D1} | 0.5 | {D1}"))
    assert g.share == pytest.approx(0.75) and not g.followed


def test_backward_independent_of_f_is_not_charged_for_a_wrong_forward():
    """f = (x + y)·z: the gradients do not use f, so right gradients after a wrong f are simply right."""
    p = graph_problem("(x + y) * z", {"x": -2, "y": 5, "z": -4}, ["x", "y", "z"])
    assert p.answer == {"value": -12, "grads": {"x": -4, "y": -4, "z": 3}} and p.parts[0].kind == "int"
    g = mark_problem(p, read_problem(p, "-11 | -4 | -4 | 3"))
    assert g.share == pytest.approx(0.75) and [m.correct for m in g.parts] == [False, True, True, True]


def test_diagnosis_names_the_mistake_and_says_what_was_followed_through():
    """Forward slipped to 0.8 and the sigmoid's derivative taken at its input u = 1 (1·(1 − 1) = 0):
    every gradient 0 — the mistake is named; the forward value alone is not a catalogued mistake."""
    p = graph_problem(*NEURON)
    found = diagnose_problem(p, read_problem(p, f"{F1} | 0 | 0 | 0"))
    assert found is not None and found.ids == ("derivative-at-input",)
    assert "(in grads.x, grads.y, grads.z)" in found.line
    # a max gate sending the gradient to both inputs (forward right): named, for the part it explains
    q = graph_problem("sigmoid(max(x, y))", {"x": 1, "y": -1}, ["x", "y"])
    found = diagnose_problem(q, {"value": F1, "grads": {"x": D1, "y": D1}})
    assert found is not None and found.ids == ("max-grad-to-both",) and "(in grads.y)" in found.line
    # forward slipped, gradients right given it: nothing left to diagnose (the marking credits them)
    assert diagnose_problem(p, read_problem(p, "0.8 | 0.32 | 0.16 | 0.16")) is None


def test_quiz_loop_marks_parts_and_says_follow_through():
    from cardcli.quiz import run_quiz

    p = graph_problem(*NEURON)
    buf = StringIO()
    result = run_quiz([p], ["0.8 | 0.32 | 0.16 | 0.16"], Console(file=buf, width=120, color_system=None))
    out = buf.getvalue()
    assert result.correct == 0 and result.answered == 1
    assert "3 of 4 points" in out and "right given your earlier answers (follow-through)" in out


def test_mock_marking_gives_points_per_part():
    from cardcli.mock.exam import Question
    from cardcli.mock.marking import credit_note, key_text, mark_answer

    p = graph_problem(*NEURON)
    q = Question(number=8, section="Graduate section", points=20, problem=p)
    m = mark_answer(q, "0.8 | 0.32 | 0.16 | 0.16")
    assert (m.score, m.status) == (15.0, "partial")
    assert credit_note(m) == ("3 of 4 parts earned; grads.x, grads.y, grads.z right given your own earlier "
                              "answers (follow-through)")
    assert mark_answer(q, key_text(q)).score == 20
    assert mark_answer(q, "0.8 | 0.5 | 0.25 | 0.25").score == 0
    assert mark_answer(q, "0.7311 | 1 | 1 | 1").score == 5.0


def test_mock_question_says_the_points_per_part():
    from cardcli.mock.exam import Question
    from cardcli.mock.printing import _question_blocks
    from cardcli.partmarks import points_line

    p = graph_problem(*NEURON)
    line = points_line(p.parts, 20)
    assert line == ("Points per part: the forward value f 5, ∂f/∂x 5, ∂f/∂y 5, ∂f/∂z 5 (a part right given your "
                    "own earlier answers earns its points).")
    assert ("p", line) in _question_blocks(Question(number=8, section="Graduate section", points=20, problem=p))
    assert points_line(p.parts[:3], 20).startswith("Points per part: the forward value f 6.7, ∂f/∂x 6.7")


def test_graph_family_parts_follow_only_output_based_roots():
    fam = FAMILIES["graph-backprop"]
    assert len(fam.mistakes) >= 4
    p = graph_problem("(x + y) * z", {"x": 1, "y": 2, "z": 3}, ["x"])
    assert all(part.follow is None for part in p.parts)
    p = graph_problem("exp(x * y)", {"x": 0.5, "y": 2}, ["x", "y"])
    follow = p.parts[1].follow
    assert follow is not None and follow(p.params, {"value": 3.0}) == pytest.approx(3.0 * 2)  # ∂f/∂x = f·y


def test_topics_select_the_new_families_and_generate_prints_parts():
    import json

    from typer.testing import CliRunner

    from cardcli.cli import app
    from generators.catalog import resolve

    assert resolve(["regularization"]) == ["dropout"]
    assert resolve(["normalization"]) == ["batchnorm"]
    assert resolve(["loss"]) == ["softmax-loss", "svm-loss"]
    assert {"graph-backprop", "linear-backward", "activation-backward", "batchnorm"} <= set(resolve(["backprop"]))
    assert "activation-backward" in resolve(["activations"])
    r = CliRunner().invoke(app, ["generate", "graph-backprop", "-n", "1", "--seed", "3"])
    assert r.exit_code == 0, r.output
    record = json.loads(r.output)
    assert set(record["answer"]) == {"value", "grads"} and set(record["params"]) == {"expression", "values", "wrt"}
    assert [p["name"] for p in record["parts"]] == ["value"] + [f"grads.{n}" for n in record["params"]["wrt"]]
    assert record["mistakes"] and all(set(m) == {"id", "name", "answer"} for m in record["mistakes"])
    r = CliRunner().invoke(app, ["generate", "--list"])
    for name in ("graph-backprop", "softmax-loss", "svm-loss", "linear-backward", "activation-backward", "batchnorm",
                 "dropout"):
        assert name in r.output


def test_study_marks_a_parts_answer_with_follow_through(tmp_path):
    """A gen:graph-backprop card in study: the forward value slipped, the gradients backpropagated
    from it — marked 3 of 4 (or n − 1 of n) with follow-through, logged as a wrong answer."""
    import random
    from datetime import datetime, timezone

    from cardcli import scheduler as S
    from cardcli.session import Session, generated_cards
    from cardcli.store import Store
    from cardcli.terminal import ScriptedKeys
    from generators.families import generate

    cards = generated_cards(["graph-backprop"], [2])
    for k in range(200):  # a session seed whose first problem ends in a sigmoid/tanh/exp gate
        p = generate("graph-backprop", 1, random.Random(k).randrange(2**31), 2)[0]
        if p.parts[1].follow is not None:
            break
    wrong_f = p.answer["value"] * 1.5 + 0.5
    grads = [part.follow(p.params, {"value": wrong_f}) for part in p.parts[1:]]
    typed = " | ".join(str(v) for v in [wrong_f, *grads])
    now = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)
    out = StringIO()
    with Store.open(tmp_path / "h.sqlite3") as store:
        q = S.plan(cards, {}, now, random.Random(1), 20, 0)
        Session(q, store, Console(file=out, width=120, color_system=None), ScriptedKeys([typed, "\r", "2", "q"]), {},
                cards, rng=random.Random(k), clock=lambda: now).run()
        reviews = store.reviews()
    text = out.getvalue()
    n = len(p.parts)
    assert f"{n - 1} of {n} points" in text and "(follow-through)" in text
    assert [(r.card_id, r.correct) for r in reviews] == [("gen:graph-backprop:d2", False)]


@pytest.mark.parametrize("text", [
    "[" * 5000, "{" * 4000, '{"value": ' + "9" * 5000 + "}", '{"value": 1e999, "grads": {}}', "|" * 9000,
    "value = " * 1000, "\x1b[31m1 | 2 | 3 | 4", "1 | 2 | 3 | " + "4" * 500, "x" * 20000, '{"value": [1, 2]}',
    "value = 1 | grads.x = [[1]] | y = 1 | z = 1",
])
def test_hostile_parts_answers_are_format_errors(text):
    p = graph_problem(*NEURON)
    with pytest.raises(AnswerFormatError):
        read_problem(p, text)
