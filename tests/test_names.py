"""Forgiving names: --deck by display name or file name (with or without .yaml), any case;
--topic in any case; -h everywhere; unknown names still get the did-you-mean hint."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cardcli.cli import app
from cardcli.errors import UsageError
from cardcli.loader import deck_key, load_collection

Q3B = "Quiz 3 — CNN backprop"  # file quiz3-conv-backprop.yaml


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def listed_decks(stdout: str) -> set[str]:
    names = {d.name for d in load_collection().decks} | {"generated"}
    return {n for n in names if f" {n} · " in stdout or f"  {n} · " in stdout}


@pytest.mark.parametrize("name", ["quiz3-conv-backprop.yaml", "quiz3-conv-backprop", "QUIZ3-Conv-Backprop.YAML",
                                  "quiz 3 — cnn BACKPROP", Q3B])
def test_deck_by_display_or_file_name_any_case(name):
    r = invoke("due", "-n", "40", "--deck", name)
    assert r.exit_code == 0, r.output
    assert listed_decks(r.stdout) == {Q3B}


def test_deck_key_rules():
    assert deck_key("Quiz3-Conv-Backprop.YML") == "quiz3-conv-backprop"
    assert deck_key("  Midterm   II  Review ") == "midterm ii review"
    assert deck_key("notes.yaml.yaml") == "notes.yaml"  # only one suffix is taken off


def test_topic_any_case_selects_like_lower_case():
    lower = invoke("due", "-n", "200", "--topic", "conv")
    mixed = invoke("due", "-n", "200", "--topic", "Conv")
    assert lower.exit_code == mixed.exit_code == 0
    assert lower.stdout == mixed.stdout and " · conv " in lower.stdout
    assert invoke("quiz", "--topic", "POOLING", "-n", "1", "--seed", "1").exit_code == 0


def test_unknown_names_keep_the_hint():
    r = invoke("due", "--deck", "quiz3-conv-backprp.yaml")
    assert isinstance(r.exception, UsageError) and "did you mean 'quiz3-conv-backprop.yaml'" in str(r.exception)
    r = invoke("due", "--topic", "Polling")
    assert isinstance(r.exception, UsageError) and "did you mean 'pooling'" in str(r.exception)
    r = invoke("export", "anki", "--deck", "Midterm II Reviw", "-o", "-")
    assert isinstance(r.exception, UsageError) and "did you mean 'Midterm II Review'" in str(r.exception)


def test_export_accepts_the_file_name_too(tmp_path):
    r = invoke("export", "anki", "--deck", "Midterm2-Review.yaml", "-o", str(tmp_path / "m.txt"))
    assert r.exit_code == 0, r.output
    body = (tmp_path / "m.txt").read_text(encoding="utf-8").splitlines()[7:]  # 6 header lines and the signature line
    assert body and all("\tcardcli::Midterm II Review\t" in line for line in body)


@pytest.mark.parametrize("command", [[], ["study"], ["due"], ["stats"], ["decks"], ["check"], ["quiz"], ["generate"],
                                     ["export"], ["export", "anki"], ["import"]])
def test_dash_h_is_help_everywhere(command):
    r = invoke(*command, "-h")
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("Usage:") and r.stdout == invoke(*command, "--help").stdout
