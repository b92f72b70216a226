"""Mock exams: templates, building by seed, the sitting (fake clock), marking with partial credit,
the printed answer key, logging and `stats --json`."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from io import StringIO

import pytest
from rich.console import Console
from typer.testing import CliRunner

from cardcli.cli import app
from cardcli.loader import load_collection
from cardcli.mock.exam import Exam, ExamFillError, Question, build_exam, draw_cards
from cardcli.mock.marking import credit_note, key_text, mark_answer, mark_exam
from cardcli.mock.printing import render_document
from cardcli.mock.sitting import format_left, sit
from cardcli.mock.template import DrawSpec, TemplateError, load_template, parse_template
from cardcli.scheduler import replay, review
from cardcli.store import MIGRATIONS, SCHEMA_VERSION, Store
from cardcli.terminal import ScriptedKeys
from generators.problem import Problem

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
runner = CliRunner()


def console() -> tuple[Console, StringIO]:
    buf = StringIO()
    return Console(file=buf, width=100, color_system=None, highlight=False), buf


@pytest.fixture(scope="module")
def cards():
    return load_collection([]).cards


def exam_for(seed: int, cards, states=None) -> Exam:
    return build_exam(load_template(), seed, cards, states or {}, NOW)


def key_answers(doc: str) -> list[str]:
    """The answers of the printed 'Answer key' section, in question order."""
    key = doc.split("## Answer key", 1)[1].split("## Worked solutions", 1)[0]
    found = re.findall(r"^Q(\d+): (.*)$", key, flags=re.M)
    assert [int(n) for n, _ in found] == list(range(1, len(found) + 1))
    return [a for _, a in found]


# -- the template -----------------------------------------------------------------------------
def test_default_template_is_midterm_two():
    t = load_template()
    assert (t.title, t.minutes, t.total) == ("Midterm II (mock)", 75, 120)
    problems = [(p.family, p.points) for s in t.sections for p in s.problems]
    assert problems == [("conv-forward", 20), ("vgg-dims", 20), ("spectral-radius", 40), ("graph-backprop", 20)]
    assert t.sections[2].title == "Graduate section"  # mt2-composition: the partial-credit network question
    draw = t.sections[1].draw
    assert (draw.types, draw.count, draw.points) == (("truefalse", "choice"), 4, 5)


GOOD = """title: Small
minutes: 10
total: 30
sections:
  - title: Open
    questions:
      - family: conv-output-size
        points: 20
  - title: TF
    draw:
      count: 2
      points: 5
"""


@pytest.mark.parametrize(("text", "expected"), [
    (GOOD.replace("conv-output-size", "conv-outptu-size"),
     "t.yaml:7: unknown problem family 'conv-outptu-size' (did you mean 'conv-output-size'?)"),
    (GOOD.replace("      points: 5\n", "      points: 5\n      topics: [rnn, convv]\n"),
     "t.yaml:13: unknown topic 'convv' (did you mean 'conv'?)"),
    (GOOD.replace("total: 30", "total: 100"),
     "t.yaml:3: 'total' is 100 but the questions add up to 30 points (20 + 2×5)"),
    (GOOD.replace("points: 20", "points: 0"), "t.yaml:8: 'points' must be a whole number from 1 to 1000, got 0"),
    (GOOD.replace("minutes: 10", "minuets: 10"), "t.yaml:2: unknown key 'minuets' in a template (did you mean"),
    (GOOD.replace("    draw:", "    questions: []\n    draw:"), "t.yaml:9: a section needs exactly one of"),
    (GOOD.replace("title: Small", "title: !!python/object:os.system x"), "t.yaml:1: unsafe or unreadable YAML"),
    ("title: [unclosed\n", "t.yaml:2: YAML syntax error"),
    (GOOD.replace("minutes: 10", "minutes: 10\nminutes: 20"), "t.yaml:3: duplicate key 'minutes'"),
    ("a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
     "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n", "aliases"),
])
def test_bad_templates_name_file_and_line(text, expected):
    with pytest.raises(TemplateError) as e:
        parse_template(text, "t.yaml")
    assert expected in str(e.value)


def test_good_template_parses():
    t = parse_template(GOOD, "t.yaml")
    assert t.total == 30 and t.minutes == 10


def test_bad_template_from_the_cli_is_one_line_per_problem(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("conv-output-size", "nope"))
    r = subprocess.run([sys.executable, "-c", "from cardcli.cli import main; main()", "exam", "mock",
                        "--template", str(bad), "--print", "-"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert r.stderr.startswith(f"{bad}:7: unknown problem family 'nope'")
    assert "Traceback" not in r.stderr


# -- building -----------------------------------------------------------------------------------
def test_same_seed_same_exam_and_other_seeds_differ(cards):
    a, b, c = exam_for(5, cards), exam_for(5, cards), exam_for(6, cards)
    assert render_document(a) == render_document(b)
    assert [q.card_id for q in a.questions] == [q.card_id for q in b.questions]
    assert render_document(a) != render_document(c)
    assert a.total == 120 and len(a.questions) == 8
    kinds = [q.kind for q in a.questions[:3]]
    assert kinds == ["matrix", "shape", "radius-verdict"]  # the template's 'answer:' kinds
    assert all(q.kind in ("truefalse", "choice") for q in a.questions[3:7])
    assert a.questions[7].kind == "parts" and a.questions[7].problem.family == "graph-backprop"
    assert all(q.problem.difficulty == 2 for q in a.questions[:3])


def test_open_problems_are_those_of_generate(cards):
    """Problem i of `cardcli generate F --seed S -d 2`, the first with the asked answer kind."""
    from generators.families import problem

    exam = exam_for(11, cards)
    first_matrix = next(problem("conv-forward", 11, 2, i) for i in range(64)
                        if problem("conv-forward", 11, 2, i).answer_kind == "matrix")
    assert exam.questions[0].problem == first_matrix
    assert exam.questions[2].problem == problem("spectral-radius", 11, 2, 0)


def test_weakest_topics_first(cards):
    """Every card of the pooling topic known well (rated 5 twice): a one-card draw among pooling
    and receptive-field cards takes the receptive-field card (never seen, recall 0)."""
    import random

    states = {}
    for c in cards:
        if c.topic == "pooling":
            st = review(None, 5, NOW - timedelta(days=3), card_id=c.id)
            states[c.id] = review(st, 5, NOW - timedelta(days=1))
    spec = DrawSpec(types=("truefalse", "choice"), count=1, points=5, topics=("pooling", "receptive-field"))
    for seed in range(5):
        (chosen,) = draw_cards(spec, cards, states, NOW, random.Random(seed))
        assert chosen.topic == "receptive-field"


def test_disputed_cards_are_never_drawn(cards):
    import random

    pool = [c for c in cards if c.type.value in ("truefalse", "choice")]
    disputed = [c for c in pool if c.disputed]
    assert disputed, "the bundled decks hold a disputed choice card"
    spec = DrawSpec(types=("truefalse", "choice"), count=len(pool) - len(disputed), points=1)
    drawn = draw_cards(spec, cards, {}, NOW, random.Random(1))
    assert len(drawn) == len(pool) - len(disputed) and not any(c.disputed for c in drawn)
    with pytest.raises(ExamFillError, match="1 disputed or untypeable card left out"):
        draw_cards(DrawSpec(types=spec.types, count=spec.count + 1, points=1), cards, {}, NOW, random.Random(1))


def test_too_few_cards_for_the_topic_is_a_clear_message():
    rnn = [c for c in load_collection([]).cards
           if c.topic == "rnn" and c.type.value in ("truefalse", "choice") and not c.disputed]
    r = runner.invoke(app, ["exam", "mock", "--topic", "rnn", "--print", "-"])
    assert r.exit_code == 1
    msg = str(r.exception)
    assert isinstance(r.exception, ExamFillError)
    assert (f"it needs 4 truefalse/choice cards on topic rnn, but the decks hold {len(rnn)} "
            f"(1 disputed or untypeable card left out)") in msg


# -- marking ------------------------------------------------------------------------------------
# Hand-worked: input [[1, 2, 3], [4, 5, 6], [7, 8, 9]] ⋆ [[1, 0], [0, -1]] (stride 1, no padding):
# out[i, j] = x[i, j] − x[i+1, j+1] = −4 everywhere.
CONV = Problem(
    id="hand-conv", family="conv-forward", topics=("conv",), seed=0, difficulty=2,
    params={"input": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], "weight": [[1, 0], [0, -1]], "bias": [0], "stride": 1,
            "padding": 0, "dilation": 1},
    prompt="Convolve.", answer=[[-4, -4], [-4, -4]], solution="x[i,j] - x[i+1,j+1]", answer_kind="matrix",
)
# VGG-16 on 224×224: block 3 convs run on 224/2² = 56, with 256 channels.
VGG = Problem(id="hand-vgg", family="vgg-dims", topics=("architectures", "output-size"), seed=0, difficulty=2,
              params={"input_size": 224, "layer": "block3"}, prompt="Shape?", answer=[56, 56, 256],
              solution="56×56×256", answer_kind="shape")
# The midterm's W_hh of all 3.5 with sigmoid: eigenvalues 7 and 0, ρ = 7; ¼·7 > 1: exploding.
RNN = Problem(id="hand-rnn", family="spectral-radius", topics=("rnn",), seed=0, difficulty=2,
              params={"weight": [[3.5, 3.5], [3.5, 3.5]], "activation": "sigmoid"}, prompt="ρ and regime?",
              answer={"radius": 7, "regime": "exploding"}, solution="ρ = 7", answer_kind="radius-verdict",
              tolerance=5e-3)


@pytest.mark.parametrize(("problem", "points", "text", "score", "note"), [
    (CONV, 20, "-4 -4; -4 -4", 20, None),
    (CONV, 20, "-4 -4; -4 0", 15, "3 of 4 cells right"),
    (CONV, 20, "-4 0; 0 0", 5, "1 of 4 cells right"),
    (CONV, 20, "1 1; 1 1", 0, None),
    (VGG, 20, "56x56x256", 20, None),
    (VGG, 20, "56x56x128", 13.3, "2 of 3 dimensions right"),
    (VGG, 20, "28x56x128", 6.7, "1 of 3 dimensions right"),
    (RNN, 40, "7 exploding", 40, None),
    (RNN, 40, "7.02 exploding", 40, None),  # within the stated 0.5%
    (RNN, 40, "7 vanishing", 20, "radius right, regime wrong"),
    (RNN, 40, "3.5 exploding", 20, "regime right, radius wrong"),
    (RNN, 40, "14 neither", 0, None),
])
def test_partial_credit(problem, points, text, score, note):
    m = mark_answer(Question(1, "Open", points, problem=problem), text)
    assert m.score == score
    assert credit_note(m) == note


def test_marking_names_the_mistake():
    # the kernel rotated by 180°: out = x[i+1, j+1] − x[i, j] = 4 everywhere
    m = mark_answer(Question(1, "Open", 20, problem=CONV), "4 4; 4 4")
    assert m.score == 0 and m.mistake == "kernel-flipped"
    assert m.diagnosis.startswith("Likely mistake: kernel flipped")


def test_key_text_is_accepted_for_every_family_and_kind():
    from generators.catalog import CATALOG
    from generators.families import problem

    for family in CATALOG:
        for d in (1, 2, 3):
            for i in range(3):
                p = problem(family, 3, d, i)
                q = Question(1, "s", 10, problem=p)
                assert mark_answer(q, key_text(q)).score == 10, (family, d, i, key_text(q))


def test_key_text_of_deck_cards(cards):
    for c in cards:
        if c.type.value in ("truefalse", "choice") and not c.disputed:
            q = Question(1, "s", 5, card=c)
            assert mark_answer(q, key_text(q)).score == 5, c.id


# -- the sitting ----------------------------------------------------------------------------------
class ClockKeys:
    """Typed lines that each take ``step`` of a fake clock; records the prompts shown."""

    def __init__(self, lines: list[str], step: timedelta, start: datetime = NOW):
        self.lines = list(lines)
        self.step = step
        self.now = start
        self.prompts: list[str] = []

    def clock(self) -> datetime:
        return self.now

    def read_line(self, prompt: str = "") -> str:
        self.prompts.append(prompt)
        if not self.lines:
            raise EOFError
        self.now += self.step
        return self.lines.pop(0)

    def read_key(self) -> str:  # pragma: no cover - the sitting reads lines only
        return self.read_line()


def test_printed_key_scores_full_marks_in_process(cards):
    for seed in (1, 2, 3):
        exam = exam_for(seed, cards)
        answers = key_answers(render_document(exam))
        c, _ = console()
        s = sit(exam, ScriptedKeys(answers), c)
        assert s.stopped == "done" and len(s.answers) == 8
        assert mark_exam(exam, s.answers).score == 120


def test_blank_answers_score_zero(cards):
    exam = exam_for(4, cards)
    c, buf = console()
    s = sit(exam, ScriptedKeys([""] * 8), c)
    marking = mark_exam(exam, s.answers)
    assert (marking.score, marking.total, s.attempted) == (0, 120, [1, 2, 3, 4, 5, 6, 7, 8])
    assert buf.getvalue().count("Left blank.") == 8


def test_countdown_with_a_fake_clock(cards):
    """75 minutes; every answer takes 30 of them: Q1 at 30, Q2 at 60, Q3's answer comes at 90."""
    exam = exam_for(8, cards)
    answers = key_answers(render_document(exam))
    keys = ClockKeys(answers, timedelta(minutes=30))
    c, buf = console()
    s = sit(exam, keys, c, clock=keys.clock)
    assert keys.prompts == ["[75:00 left] Q1> ", "[45:00 left] Q2> ", "[15:00 left] Q3> "]
    assert (s.stopped, sorted(s.answers), s.late) == ("time", [1, 2], 3)
    text = buf.getvalue()
    assert "Q2/8 · Open problems · 20 points · 45:00 left" in text
    assert "Time is up (the answer to Q3 came after the end and is not counted)" in text
    marking = mark_exam(exam, s.answers)
    assert marking.score == 40  # Q1 and Q2 right (20 + 20); Q3–Q8 unanswered: 0
    assert s.attempted == [1, 2]


def test_format_left():
    assert format_left(timedelta(minutes=75)) == "75:00"
    assert format_left(timedelta(seconds=61.9)) == "1:01"
    assert format_left(timedelta(seconds=-5)) == "0:00"


def test_unreadable_answer_is_asked_again_and_q_ends(cards):
    exam = exam_for(9, cards)
    c, buf = console()
    s = sit(exam, ScriptedKeys(["seven", "1 2 3", "q"]), c)  # Q1 wants a matrix
    assert s.stopped == "quit" and s.answers == {} and s.attempted == []
    assert buf.getvalue().count("Could not read that") == 2


# -- from the command line: print, sit from the key, stats --json ---------------------------------
def test_cli_print_then_sit_from_the_key_scores_100_and_is_logged(tmp_path):
    doc = tmp_path / "mock.md"
    r = runner.invoke(app, ["exam", "mock", "--seed", "21", "--print", str(doc)])
    assert r.exit_code == 0, r.output
    text = doc.read_text(encoding="utf-8")
    assert "## Answer key" in text and "## Worked solutions" in text
    answers = key_answers(text)
    r = runner.invoke(app, ["exam", "mock", "--seed", "21"], input="\n".join(answers) + "\n")
    assert r.exit_code == 0, r.output
    assert "Score: 120/120 — 8 of 8 answered" in r.output
    r = runner.invoke(app, ["stats", "--json"])
    data = json.loads(r.output)
    (mock,) = data["mock_exams"]
    assert (mock["seed"], mock["score"], mock["max"], mock["template"], mock["stopped"]) == (21, 120, 120,
                                                                                          "midterm", "done")
    assert sum(p for _, p in mock["topics"].values()) == 120
    with Store.open() as store:
        rows = [r for r in store.reviews() if r.kind == "mock"]
        states = store.load_states()
    assert len(rows) == 8 and all(r.rating == 4 and r.correct for r in rows)
    assert {r.card_id for r in rows[:3]} == {"gen:conv-forward:d2", "gen:vgg-dims:d2", "gen:spectral-radius:d2"}
    for cid in {r.card_id for r in rows}:  # the schedule moved: each state is the replay of its log
        assert replay(cid, [(r.rating, r.reviewed_at, r.policy) for r in rows if r.card_id == cid]) == states[cid]
    r = runner.invoke(app, ["stats"])
    assert "Mock exams (cardcli exam mock)" in r.output and "seed 21  120/120" in r.output


def test_cli_blank_exam_logs_rating_one(tmp_path):
    r = runner.invoke(app, ["exam", "mock", "--seed", "22", "--minutes", "30"], input="\n" * 8)
    assert r.exit_code == 0, r.output
    assert "Score: 0/120 — 0 of 8 answered" in r.output
    assert "30 minutes" in r.output
    with Store.open() as store:
        rows = [r for r in store.reviews() if r.kind == "mock"]
        (exam,) = store.mock_exams()
    assert len(rows) == 8 and all(r.rating == 1 and r.correct is False for r in rows)
    assert (exam.score, exam.max, exam.minutes) == (0, 120, 30)


def test_print_html_escapes_deck_text(tmp_path):
    deck = tmp_path / "evil.yaml"
    deck.write_text("deck: Evil\nsource: test\ncards:\n"
                    "  - id: evil-1\n    type: truefalse\n    topic: misc\n"
                    "    front: 'Is <script>alert(1)</script> safe?'\n"
                    "    back: 'No.'\n    answer: false\n")
    tpl = tmp_path / "t.yaml"
    tpl.write_text("title: Evil\nminutes: 5\nsections:\n  - title: TF\n    draw:\n      count: 1\n      points: 5\n"
                   "      decks: [Evil]\n")
    out = tmp_path / "exam.html"
    r = runner.invoke(app, ["exam", "mock", "--template", str(tpl), "--decks", str(deck), "--seed", "1",
                            "--print", str(out)])
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert "<pre>Q1: false</pre>" in html


def test_print_refuses_to_overwrite_another_file(tmp_path):
    other = tmp_path / "notes.md"
    other.write_text("my notes\n")
    r = runner.invoke(app, ["exam", "mock", "--seed", "1", "--print", str(other)])
    assert r.exit_code != 0 and other.read_text() == "my notes\n"


# -- the store ----------------------------------------------------------------------------------
def test_mock_exams_table_added_to_an_old_history(tmp_path):
    path = tmp_path / "old.sqlite3"
    con = sqlite3.connect(path, isolation_level=None)
    names = [name for name, _ in MIGRATIONS]
    at = names.index("mock exams (cardcli exam mock) with their scores")
    for _, step in MIGRATIONS[:at]:
        step(con)
    con.execute(f"PRAGMA user_version = {at}")
    con.execute("INSERT INTO reviews (card_id, reviewed_at, rating) VALUES ('a', '2026-01-01T00:00:00+00:00', 3)")
    con.close()
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.mock_exams() == [] and store.review_count() == 1


def test_status_text_fits_the_width():
    from cardcli.mock.countdown import status_text

    assert status_text("Midterm II (mock)", "74:12", 80) == "Midterm II (mock) · 74:12 left"
    assert status_text("Midterm II (mock)", "74:12", 24) == "Midterm I… · 74:12 left"  # 23 = width − 1 columns


def test_the_timer_ends_the_exam_while_an_answer_is_being_typed(cards):
    """A real timer (SIGALRM, as in a terminal) interrupts a read that never completes."""
    import os
    import signal

    from cardcli.commands.mock import Alarm
    from cardcli.terminal import LineKeys

    if not hasattr(signal, "setitimer"):
        pytest.skip("no interval timers on this platform")
    before = signal.getsignal(signal.SIGALRM)
    r, w = os.pipe()  # nothing is ever written: the read blocks until the timer rings
    try:
        with os.fdopen(r, "r") as stream:
            exam = exam_for(12, cards)
            alarm = Alarm(0.2, enabled=True)
            c, buf = console()
            try:
                s = sit(exam, LineKeys(stream), c, on_stop=alarm.cancel)
            finally:
                alarm.cancel()
    finally:
        os.close(w)
    assert s.stopped == "time" and s.answers == {} and s.attempted == []
    assert "Time is up: unanswered questions score 0." in buf.getvalue()
    assert signal.getsignal(signal.SIGALRM) == before  # the handler is put back


def test_review_next_names_only_attempted_questions(cards):
    from cardcli.mock.report import review_next

    exam = exam_for(13, cards)
    marking = mark_exam(exam, {})
    assert review_next(marking, attempted=set()) == []
    lines = review_next(marking, attempted={3})  # Q3 (40 points, spectral-radius) left blank
    assert lines == ["spectral-radius (lost 40): cardcli quiz --topic spectral-radius -d 2"]


def test_hostile_templates_are_bounded(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("title: x\n" + "#" * (70 * 1024))
    with pytest.raises(TemplateError, match=r"big.yaml:1: template is 71,\d+ bytes; at most 65,536"):
        load_template(big)
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"title: \xff\xfe\n")
    with pytest.raises(TemplateError, match="bin.yaml:1: not UTF-8 text"):
        load_template(binary)
    many = "title: x\nminutes: 5\nsections:\n  - title: s\n    questions:\n" + "".join(
        "      - {family: conv-output-size, points: 1}\n" for _ in range(101))
    with pytest.raises(TemplateError, match="at most 100 questions, got 101"):
        parse_template(many, "many.yaml")


def test_unknown_topic_is_a_usage_error():
    r = runner.invoke(app, ["exam", "mock", "--topic", "rnnn", "--print", "-"])
    from cardcli.errors import UsageError

    assert isinstance(r.exception, UsageError) and r.exception.exit_code == 2  # main() exits with it
    assert "unknown topic 'rnnn' (did you mean 'rnn'?)" in str(r.exception)


def test_past_exams_are_listed_in_the_users_time_zone():
    from zoneinfo import ZoneInfo

    from cardcli.mock.report import history_lines
    from cardcli.store import MockExamRecord
    from cardcli.studyday import StudyDay

    started = datetime(2026, 11, 22, 20, 30, tzinfo=timezone.utc)  # 12:30 in Los Angeles (PST, UTC-8)
    rec = MockExamRecord(started_at=started, finished_at=started + timedelta(minutes=75), seed=7,
                         template="midterm", score=40.0, max=100, minutes=75, stopped="done",
                         topics={"conv": [20, 20], "rnn": [20, 80]}, questions=[])
    (line,) = history_lines([rec], StudyDay(ZoneInfo("America/Los_Angeles"), 4))
    assert line == "2026-11-22 12:30 PST  midterm  seed 7  40/100; weakest rnn 25%"


# -- issue 24: open problems at the stated difficulty (2 unless the template says otherwise) -------
def test_open_problem_difficulty_defaults_to_2_and_the_template_sets_it(cards):
    plain = "title: T\nminutes: 10\nsections:\n  - title: S\n    questions:\n      - family: conv-forward\n" \
            "        points: 1\n      - family: vgg-dims\n        difficulty: 3\n        points: 1\n"
    t = parse_template(plain, "t.yaml")
    assert [p.difficulty for p in t.sections[0].problems] == [2, 3]  # the exam's difficulty by default
    t = parse_template(plain.replace("minutes: 10\n", "minutes: 10\ndifficulty: 1\n"), "t.yaml")
    assert [p.difficulty for p in t.sections[0].problems] == [1, 3]  # the template's default, the question's own
    with pytest.raises(TemplateError, match=r"t.yaml:\d+: 'difficulty' must be a whole number from 1 to 3"):
        parse_template(plain.replace("minutes: 10\n", "minutes: 10\ndifficulty: 4\n"), "t.yaml")
    bundled = load_template(None)
    assert all(p.difficulty == 2 for s in bundled.sections for p in s.problems)
    exam = exam_for(11, cards)
    assert [q.problem.difficulty for q in exam.questions if q.problem is not None] == [2, 2, 2, 2]
    # the drawn problem is the one `cardcli generate F -d 2` gives (stride/padding appear at 2, not at 1)
    conv = exam.questions[0].problem
    assert conv.id.startswith("conv-forward-d2-")
