"""The quiz loop driven by lists of lines, and `cardcli quiz` with piped input."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from rich.console import Console
from typer.testing import CliRunner

from cardcli.cli import app
from cardcli.quiz import plan, run_quiz
from cardcli.render import matrix_table, solution_renderable
from generators.problem import Problem


def console() -> tuple[Console, StringIO]:
    buf = StringIO()
    return Console(file=buf, width=100, color_system=None, highlight=False), buf


# A hand-worked problem: input [[1, 2, 0], [0, 1, 3], [2, 1, 1]] ⋆ kernel [[1, 0], [0, 1]]
# (cross-correlation, stride 1): out = [[1+1, 2+3], [0+1, 1+1]] = [[2, 5], [1, 2]].
CONV = Problem(
    id="hand-conv", family="conv-forward", topics=("conv",), seed=0, difficulty=1,
    params={"input": [[1, 2, 0], [0, 1, 3], [2, 1, 1]], "weight": [[1, 0], [0, 1]]},
    prompt="Compute the 2×2 cross-correlation.", answer=[[2, 5], [1, 2]], solution="out[0,0] = 1·1 + 1·1 = 2 ...",
    answer_kind="matrix", matrices={"Input": [[1, 2, 0], [0, 1, 3], [2, 1, 1]], "Kernel": [[1, 0], [0, 1]]},
    stem="Compute the 2×2 cross-correlation.",
)
# 28×28 input, 5×5 kernel, stride 1, no padding: 28 − 5 + 1 = 24.
SIZE = Problem(
    id="hand-size", family="conv-output-size", topics=("output-size", "conv"), seed=0, difficulty=1,
    params={"input_size": 28, "kernel_size": 5}, prompt="Output size?", answer=24,
    solution="out = (28 − 5)/1 + 1 = 24", answer_kind="int",
)


def test_correct_then_wrong_then_done():
    c, buf = console()
    result = run_quiz([CONV, SIZE], ["2 5", "1 2", "25"], c)
    text = buf.getvalue()
    assert (result.correct, result.answered, result.stopped) == (1, 2, "done")
    assert "✓ correct" in text and "✗ incorrect: expected 24, got 25" in text
    assert "Score: 1/2" in text
    assert "out = (28 − 5)/1 + 1 = 24" in text  # the worked solution is shown


def test_one_line_matrix_forms():
    for answer in ("2 5; 1 2", "[[2, 5], [1, 2]]"):
        c, buf = console()
        assert run_quiz([CONV], [answer], c).correct == 1


def test_format_error_is_explained_and_asked_again():
    c, buf = console()
    result = run_quiz([CONV, SIZE], ["2 5 9; 1 2 3", "2 5; 1 2", "twenty-four", "24"], c)
    text = buf.getvalue()
    assert "expected a 2×2 matrix, got 2×3" in text and "Try again" in text
    assert "expected a number" in text
    assert (result.correct, result.answered) == (2, 2)
    assert "Score: 2/2" in text


def test_wrong_matrix_cells_are_marked():
    c, buf = console()
    run_quiz([CONV], ["2 5; 1 3"], c)
    text = buf.getvalue()
    assert "1 of 4 cells wrong at [row, column], counting from 0: [1, 1]" in text and "3 ✗" in text
    assert "Your answer" in text and "Expected" in text


def test_q_quits_with_summary_of_answered():
    c, buf = console()
    result = run_quiz([SIZE, SIZE, SIZE], ["24", "q"], c)
    assert (result.correct, result.answered, result.stopped) == (1, 1, "quit")
    assert "Score: 1/1 (quit); 2 problems not answered" in buf.getvalue()


def test_q_inside_a_multiline_matrix_quits():
    c, buf = console()
    result = run_quiz([CONV], ["2 5", "q"], c)
    assert (result.answered, result.stopped) == (0, "quit")
    assert "Score: 0/0" in buf.getvalue()


def test_eof_summary():
    c, buf = console()
    result = run_quiz([SIZE, SIZE], ["23"], c)
    assert (result.correct, result.answered, result.stopped) == (0, 1, "eof")
    assert "Score: 0/1 (end of input)" in buf.getvalue()


def test_eof_ends_a_matrix_typed_row_by_row():
    c, buf = console()
    result = run_quiz([CONV], ["2 5", "1 2"], c)
    assert (result.correct, result.answered) == (1, 1)


def test_blank_line_reveals_the_solution_and_reports_no_grade():
    c, buf = console()
    seen = []
    result = run_quiz([SIZE, CONV], ["", "s"], c, on_answer=lambda p, g, ms, m: seen.append((p.id, g, m)))
    text = buf.getvalue()
    assert (result.correct, result.answered, result.revealed) == (0, 2, 2)
    assert text.count("Solution shown on request (logged as revealed, not as a mistake).") == 2
    assert "out = (28 − 5)/1 + 1 = 24" in text and "✗" not in text
    assert seen == [("hand-size", None, None), ("hand-conv", None, None)]
    assert "Score: 0/2 (2 solutions revealed)" in text


def test_question_mark_shows_the_hint_with_this_problems_numbers_and_asks_again():
    from dataclasses import replace

    from generators.hints import hint

    size = replace(SIZE, hint=hint("conv-output-size", {"input_size": 28, "kernel_size": 5}))
    c, buf = console()
    result = run_quiz([size], ["?", "24"], c)
    text = " ".join(buf.getvalue().split())
    assert "Hint: out = floor((i + 2p − d·(k − 1) − 1)/s) + 1 with i = 28, k = 5, s = 1, p = 0, d = 1: " \
           "floor((28 + 2·0 − 1·(5 − 1) − 1)/1) + 1" in text
    assert "= 24" not in text.split("Hint:")[1].split("✓")[0]  # the hint does not give the answer away
    assert (result.correct, result.answered, result.revealed) == (1, 1, 0)


def test_ctrl_c_summary():
    def lines():
        yield "24"
        raise KeyboardInterrupt

    c, buf = console()
    result = run_quiz([SIZE, SIZE], lines(), c)
    assert (result.correct, result.answered, result.stopped) == (1, 1, "interrupt")
    assert "Score: 1/1 (interrupted)" in buf.getvalue()


def test_solution_highlights_patch():
    p = Problem(
        id="h", family="conv-forward", topics=("conv",), seed=0, difficulty=1, params={}, prompt="p",
        answer=5, solution="s", answer_kind="int", matrices={"Input": [[1, 2, 0], [0, 1, 3], [2, 1, 1]]},
        highlight={"matrices": ["Input"], "rows": (1, 2), "cols": (2, 3), "step": (1, 1), "pad": (1, 1)},
    )
    c, buf = console()
    c.print(solution_renderable(p))
    text = buf.getvalue()
    assert "Input (padded with 0)" in text
    assert "Highlighted: the patch at rows 1–2, columns 2–3 of the padded input (counting from 0)." in text


def test_matrix_table_text():
    c, buf = console()
    c.print(matrix_table([[1, -2.5], [0.25, 4]], title="M", wrong_cells=[(0, 1)]))
    text = buf.getvalue()
    assert "M" in text and "-2.5 ✗" in text and "0.25" in text and "✗ = wrong (1)" in text


# -- plan and the command -----------------------------------------------------------------------
def test_plan_round_robin_matches_generate():
    from generators.families import generate

    # conv-output-size is the weaker (recall 0.2 against 0.5), so it leads the round-robin
    weak = {"conv-output-size": (0.2, 3), "pool-output-size": (0.5, 1)}
    probs = plan(["pool-output-size", "conv-output-size"], 5, seed=7, difficulty=2, weakness=weak)
    assert [p.id for p in probs] == [
        "conv-output-size-d2-s7-0", "pool-output-size-d2-s7-0", "conv-output-size-d2-s7-1",
        "pool-output-size-d2-s7-1", "conv-output-size-d2-s7-2"]
    assert probs[4].to_json() == generate("conv-output-size", 3, 7, 2)[2].to_json()


def _size_answer(params: dict) -> int:
    """Independent formula for a d1 conv-output-size problem."""
    i, k, s, p, d = (params[n] for n in ("input_size", "kernel_size", "stride", "padding", "dilation"))
    return (i + 2 * p - d * (k - 1) - 1) // s + 1


def test_cli_quiz_piped_answers_match_generate():
    runner = CliRunner()
    gen = runner.invoke(app, ["generate", "conv-output-size", "-n", "3", "--seed", "11"])
    records = [json.loads(line) for line in gen.stdout.splitlines()]
    answers = [str(_size_answer(r["params"])) for r in records]
    answers[1] = str(int(answers[1]) + 1)  # one wrong
    r = runner.invoke(app, ["quiz", "--topic", "conv-output-size", "-n", "3", "--seed", "11"],
                      input="\n".join(answers) + "\n")
    assert r.exit_code == 0, r.output
    for rec in records:
        assert rec["id"] in r.stdout
    assert "Score: 2/3" in r.stdout
    assert "seed 11" in r.stdout


def test_cli_quiz_random_seed_is_printed_and_replayable():
    runner = CliRunner()
    r = runner.invoke(app, ["quiz", "--topic", "receptive-field", "-n", "1"], input="q\n")
    assert r.exit_code == 0
    seed = int(re.search(r"seed (\d+)", r.stdout).group(1))
    assert f"--seed {seed}" in r.stdout and f"receptive-field-d1-s{seed}-0" in r.stdout
    assert "Score: 0/0 (quit)" in r.stdout


def test_cli_quiz_eof_and_unknown_topic():
    runner = CliRunner()
    r = runner.invoke(app, ["quiz", "-n", "2", "--seed", "1"], input="")
    assert r.exit_code == 0 and "Score: 0/0 (end of input)" in r.stdout
    r = runner.invoke(app, ["quiz", "--topic", "poolng"])
    from generators.errors import GeneratorError

    # the solver library's error; main() shows it as a one-line usage error (tests/test_layering.py)
    assert isinstance(r.exception, GeneratorError) and "did you mean 'pooling'" in str(r.exception)


def test_cli_quiz_ctrl_c_exits_130(monkeypatch):
    import cardcli.commands.quiz as cmd

    def interrupted():
        raise KeyboardInterrupt
        yield  # pragma: no cover

    monkeypatch.setattr(cmd, "stdin_lines", interrupted)
    r = CliRunner().invoke(app, ["quiz", "-n", "1", "--seed", "2"])
    assert r.exit_code == 130 and "Score: 0/0 (interrupted)" in r.stdout


@pytest.mark.parametrize("family", ["conv-forward", "pool-backward", "spectral-radius", "activation-memory"])
def test_cli_quiz_every_kind_accepts_its_own_answer_text(family):
    """The answer as the solution prints it is readable back (no format error)."""
    from cardcli.render import answer_text
    from generators.families import generate

    prob = generate(family, 1, 4, 2)[0]
    text = answer_text(prob.answer, prob.answer_kind)
    c, buf = console()
    result = run_quiz([prob], [text], c)
    assert result.answered == 1 and "Could not read" not in buf.getvalue()


def test_cli_quiz_logs_a_revealed_solution_as_revealed_not_as_a_mistake(cardcli_home, monkeypatch):
    import sqlite3

    monkeypatch.setenv("CARDCLI_NOW", "2026-11-20T10:00:00+00:00")
    r = CliRunner().invoke(app, ["quiz", "--topic", "conv-output-size", "-n", "3", "--seed", "7"],
                           input="?\ns\n\n1\n")
    assert r.exit_code == 0, r.stdout
    assert "Hint: out = floor((i + 2p − d·(k − 1) − 1)/s) + 1 with i = " in " ".join(r.stdout.split())
    con = sqlite3.connect(str(cardcli_home / "cardcli.sqlite3"))
    rows = con.execute("SELECT kind, correct, mistake, rating FROM reviews ORDER BY id").fetchall()
    con.close()
    assert rows[:2] == [("quiz", None, None, 1), ("quiz", None, None, 1)]  # revealed: neither right nor wrong
    assert rows[2][0] == "quiz" and rows[2][1] in (0, 1)  # a typed answer is graded as before
    assert "Score: " in r.stdout and "(2 solutions revealed)" in r.stdout
