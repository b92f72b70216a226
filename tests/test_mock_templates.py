"""Shipped mock-exam templates by name: `exam mock --template NAME`, `exam templates`, the CS231N-style
midterm sat from its printed key (100 points), paths still accepted, unknown names and families rejected."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from io import StringIO

import pytest
from rich.console import Console
from typer.testing import CliRunner

from cardcli.cli import app
from cardcli.errors import UsageError
from cardcli.loader import load_collection
from cardcli.mock.exam import build_exam
from cardcli.mock.marking import mark_exam
from cardcli.mock.printing import render_document
from cardcli.mock.sitting import sit
from cardcli.mock.template import (
    SHIPPED,
    TemplateError,
    load_template,
    parse_template,
    shipped_template_path,
    template_source,
)
from cardcli.terminal import ScriptedKeys
from generators.catalog import CATALOG

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
runner = CliRunner()
CS231N_FAMILIES = ["knn", "optimizer-step", "softmax-loss", "graph-backprop", "conv-output-size", "flops",
                   "rnn-step", "attention", "transformer-params"]


@pytest.fixture(scope="module")
def cards():
    return load_collection([]).cards


def key_answers(doc: str) -> list[str]:
    key = doc.split("## Answer key", 1)[1].split("## Worked solutions", 1)[0]
    found = re.findall(r"^Q(\d+): (.*)$", key, flags=re.M)
    assert [int(n) for n, _ in found] == list(range(1, len(found) + 1))
    return [a for _, a in found]


def test_shipped_templates_parse_and_name_known_families():
    assert list(SHIPPED) == ["midterm", "cs231n"]
    for name in SHIPPED:
        t = load_template(name)
        # Midterm II: 100 points plus the graduate section's 20 (cards/midterm2-review.yaml, mt2-composition)
        assert t.name == name and t.total == {"midterm": 120, "cs231n": 100}[name]
        assert all(p.family in CATALOG for s in t.sections for p in s.problems)
    assert load_template(None).name == "midterm" and load_template().title == "Midterm II (mock)"


def test_cs231n_template_shape():
    t = load_template("cs231n")
    assert (t.title, t.minutes, t.total) == ("CS231N Midterm (mock)", 80, 100)
    assert [p.family for s in t.sections for p in s.problems] == CS231N_FAMILIES
    assert [p.points for p in t.sections[0].problems] == [6, 8, 8, 12, 6, 6, 8, 8, 10]
    cs_deck, others = t.sections[1].draw, t.sections[2].draw
    assert cs_deck.decks == ("CS231N Midterm",) and (cs_deck.count, cs_deck.points) == (3, 4)
    assert cs_deck.types == others.types == ("truefalse", "choice") and (others.count, others.points) == (4, 4)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cs231n_sat_from_its_printed_key_scores_100(cards, seed):
    exam = build_exam(load_template("cs231n"), seed, cards, {}, NOW)
    assert len(exam.questions) == 16 and exam.total == 100
    assert [q.problem.family for q in exam.questions[:9]] == CS231N_FAMILIES
    deck_part = exam.questions[9:12]
    assert all(q.card is not None and q.card.deck == "CS231N Midterm" for q in deck_part)
    assert len({q.card.id for q in exam.questions[9:]}) == 7  # no card twice
    answers = key_answers(render_document(exam))
    s = sit(exam, ScriptedKeys(answers), Console(file=StringIO(), width=100, color_system=None))
    assert s.stopped == "done" and len(s.answers) == 16
    assert mark_exam(exam, s.answers).score == 100


def test_cli_template_by_name_print_then_sit_scores_100_and_logs_the_name(tmp_path):
    doc = tmp_path / "cs.md"
    r = runner.invoke(app, ["exam", "mock", "--template", "cs231n", "--seed", "5", "--print", str(doc)])
    assert r.exit_code == 0, r.output
    text = doc.read_text(encoding="utf-8")
    assert text.split("\n", 1)[1].startswith("# CS231N Midterm (mock)") and "Template cs231n, seed 5" in text
    answers = key_answers(text)
    r = runner.invoke(app, ["exam", "mock", "--template", "cs231n", "--seed", "5"], input="\n".join(answers) + "\n")
    assert r.exit_code == 0, r.output
    assert "Score: 100/100 — 16 of 16 answered" in r.output
    (mock,) = json.loads(runner.invoke(app, ["stats", "--json"]).output)["mock_exams"]
    assert (mock["template"], mock["score"], mock["max"]) == ("cs231n", 100, 100)


def test_template_paths_still_work(tmp_path, monkeypatch):
    copy = tmp_path / "mine.yaml"
    shutil.copy(shipped_template_path("cs231n"), copy)
    r = runner.invoke(app, ["exam", "mock", "--template", str(copy), "--seed", "2", "--print", "-"])
    assert r.exit_code == 0, r.output
    assert "Template mine, seed 2" in r.output
    # a file named like a shipped template: the name wins; ./name is the file
    (tmp_path / "midterm").write_text(copy.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert template_source("midterm")[0] == shipped_template_path("midterm")
    assert load_template("./midterm").title == "CS231N Midterm (mock)"
    plain = tmp_path / "exam2"  # no suffix, no slash, not shipped: an existing file is read
    plain.write_text(copy.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_template("exam2").name == "exam2"


def test_unknown_template_name_is_one_line_with_a_hint():
    with pytest.raises(UsageError, match=r"no shipped template 'cs231' \(did you mean 'cs231n'\?\)"):
        load_template("cs231")
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "300"}
    r = subprocess.run([sys.executable, "-m", "cardcli", "exam", "mock", "--template", "midtrem", "--print", "-"],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 2 and not r.stdout
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert "did you mean 'midterm'" in r.stderr and "shipped templates: midterm, cs231n" in r.stderr


def test_missing_template_file_is_a_template_error(tmp_path):
    with pytest.raises(TemplateError, match="cannot read the template"):
        load_template(str(tmp_path / "nope.yaml"))


def test_unknown_family_in_a_template_is_rejected_with_file_line_and_the_list():
    text = shipped_template_path("cs231n").read_text(encoding="utf-8").replace("family: knn ", "family: knnn")
    with pytest.raises(TemplateError) as e:
        parse_template(text, "cs.yaml")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "knnn" in row)
    assert f"cs.yaml:{line}: unknown problem family 'knnn' (did you mean 'knn'?); families: " in str(e.value)
    text = text.replace("family: knnn", "family: no-such-family")
    with pytest.raises(TemplateError, match="unknown problem family 'no-such-family'"):
        parse_template(text, "cs.yaml")


def test_exam_templates_table_rows():
    from cardcli.commands.mock import templates_table

    buf = StringIO()
    Console(file=buf, width=160, color_system=None).print(templates_table())
    text = buf.getvalue()
    rows = {cells[1]: cells[2:7] for line in text.splitlines() if line.startswith("│")
            for cells in [[c.strip() for c in line.split("│")]]}
    assert rows["midterm (default)"] == ["Midterm II (mock)", "75", "120", "8",
                                         "conv-forward, vgg-dims, spectral-radius, graph-backprop"]
    assert rows["cs231n"][:4] == ["CS231N Midterm (mock)", "80", "100", "16"]
    assert rows["cs231n"][4].startswith("knn, optimizer-step, softmax-loss")
    narrow = StringIO()  # at 60 columns family names fold onto the next line, never cut with '…'
    Console(file=narrow, width=60, color_system=None).print(templates_table())
    assert "…" not in narrow.getvalue()


def test_exam_templates_command_lists_every_shipped_template():
    r = runner.invoke(app, ["exam", "templates"])
    assert r.exit_code == 0, r.output
    flat = " ".join(r.output.split())
    for name in SHIPPED:
        assert f"{name}: " in r.output  # one line about each
    assert "(default)" in flat and "knn," in flat
    assert str(shipped_template_path("midterm").parent) in r.output.replace("\n", "")


def test_help_documents_names():
    r = runner.invoke(app, ["exam", "mock", "--help"], env={"COLUMNS": "200"})
    assert "cs231n" in r.output and "exam templates" in r.output
    r = runner.invoke(app, ["exam", "--help"], env={"COLUMNS": "200"})
    assert "templates" in r.output
