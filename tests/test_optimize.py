"""`cardcli optimize`: fitting FSRS to the student's reviews, on a real log and on small ones.

The real log is ``tests/fixtures/fsrs-review-log-josh.csv`` (12,580 Anki reviews of 1,205 cards,
MIT, from py-fsrs's test suite; licence note ``fsrs-review-log-josh.LICENSE`` and
``fsrs-review-log-josh.md`` beside it). It is loaded into a cardcli history with the real schema
(Anki's buttons 1, 2, 3, 4 -> cardcli's 1, 3, 4, 5). The reference figures are computed here
straight from the CSV with fsrs-rs-python, without cardcli's item builder or rating mapping.
Fitting the whole log (six fits) takes about a second, so the history is built once per module.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

import fsrs
import pytest

from cardcli.loader import load_collection
from cardcli.optimize import (
    MIN_ITEMS,
    MIN_REVIEWS,
    RECALL_KINDS,
    NotEnoughHistory,
    fit,
    fsrs_rating,
    items_from_attempts,
    time_series_folds,
)
from cardcli.scheduler import policy_for, review
from cardcli.store import MemoryModel, ReviewRecord, Store

UTC = timezone.utc
#: the fixed "now" of the CLI runs here (CARDCLI_NOW), after the real log ends
NOW = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)
FIXTURE = Path(__file__).parent / "fixtures" / "fsrs-review-log-josh.csv"
ANKI_TO_CARDCLI = {1: 1, 2: 3, 3: 4, 4: 5}
STEPS = {"learning_steps": (timedelta(minutes=1), timedelta(minutes=10)),
         "relearning_steps": (timedelta(minutes=10),), "enable_fuzzing": False}
#: parameters fitted on the real log (rounded), used where a test needs a fixed fitted model
FITTED = (0.1991, 0.8948, 2.5429, 6.1908, 6.6017, 0.4879, 3.2083, 0.0455, 1.6253, 0.2335, 0.5719,
          1.5919, 0.0316, 0.375, 1.8353, 0.6003, 1.8729, 0.7579, 0.0928, 0.1467, 0.2339)


def _csv_rows() -> list[dict]:
    with FIXTURE.open(newline="") as f:
        return list(csv.DictReader(f))


def _insert(path: Path, rows: list[tuple[str, str, int, str]]) -> None:
    """(card_id, reviewed_at ISO, raw rating, kind) into the real schema, in one transaction."""
    Store.open(path).close()  # creates the schema
    con = sqlite3.connect(str(path))
    with con:
        con.executemany("INSERT INTO reviews (card_id, deck, reviewed_at, rating, kind) VALUES (?, 'Anki', ?, ?, ?)",
                        rows)
    con.close()


def cli(*args: str, home: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "CARDCLI_HOME": str(home), "COLUMNS": "200", "NO_COLOR": "1", "CARDCLI_NOW": NOW.isoformat()}
    return subprocess.run([sys.executable, "-m", "cardcli", *args], capture_output=True, text=True,
                          env=env, input=stdin, timeout=120)


@pytest.fixture(scope="module")
def josh_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("josh") / "cardcli.sqlite3"
    rows = [(r["card_id"], datetime.fromisoformat(r["review_time"]).astimezone(UTC).isoformat(timespec="microseconds"),
             ANKI_TO_CARDCLI[int(r["review_rating"])], "review") for r in _csv_rows()]
    _insert(path, rows)
    return path


@pytest.fixture(scope="module")
def reference() -> dict:
    """Default vs fitted figures on held-out reviews, straight from the CSV (Anki ratings)."""
    import fsrs_rs_python as fr

    by_card = defaultdict(list)
    for r in _csv_rows():
        by_card[r["card_id"]].append((datetime.fromisoformat(r["review_time"]), int(r["review_rating"])))
    items = []
    for history in by_card.values():
        history.sort()
        seq, prev = [], history[0][0].astimezone(UTC).date()
        for at, rating in history:
            day = at.astimezone(UTC).date()
            seq.append(fr.FSRSReview(rating, (day - prev).days))
            if day != prev:
                items.append((at, fr.FSRSItem(list(seq))))
            prev = day
    items.sort(key=lambda x: x[0])
    items = [it for _, it in items]
    seg = len(items) // 6
    sums = {"default": [0.0, 0.0], "fitted": [0.0, 0.0]}
    for k in range(5):
        lo, hi = (k + 1) * seg, (len(items) if k == 4 else (k + 2) * seg)
        fitted = fr.FSRS([]).compute_parameters(items[:lo])
        for name, params in (("default", fsrs.scheduler.DEFAULT_PARAMETERS), ("fitted", fitted)):
            ev = fr.FSRS(list(params)).evaluate(items[lo:hi])
            sums[name][0] += (hi - lo) * ev.log_loss
            sums[name][1] += (hi - lo) * ev.rmse_bins ** 2
    held = len(items) - seg
    return {"items": len(items), "held_out": held,
            **{k: {"log_loss": v[0] / held, "rmse_bins": (v[1] / held) ** 0.5} for k, v in sums.items()}}


@pytest.fixture(scope="module")
def optimized(josh_db, tmp_path_factory) -> tuple[dict, Path]:
    """`cardcli optimize --json` run once on a copy of the real history."""
    home = tmp_path_factory.mktemp("josh-home")
    shutil.copy(josh_db, home / "cardcli.sqlite3")
    r = cli("optimize", "--json", home=home)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout), home


# -- the real log ------------------------------------------------------------------------


def test_real_log_fitted_parameters_beat_defaults_on_held_out_reviews(optimized, reference):
    out, home = optimized
    assert out["reviews"] == len(_csv_rows()) == 12580
    assert out["held_out"] == reference["held_out"]
    for name in ("default", "fitted"):
        for measure in ("log_loss", "rmse_bins"):
            assert out[name][measure] == pytest.approx(reference[name][measure], abs=2e-4), (name, measure)
    figures = f"default {out['default']}, fitted {out['fitted']}"
    assert out["fitted"]["log_loss"] < out["default"]["log_loss"], figures
    assert out["fitted"]["rmse_bins"] < out["default"]["rmse_bins"], figures
    assert out["saved"] is True
    with Store.open(home / "cardcli.sqlite3") as s:
        model = s.memory_model()
    assert model is not None and model.reviews == 12580 and len(model.parameters) == 21
    assert model.parameters == pytest.approx(FITTED, abs=0.02)  # the same fit, up to training noise
    fsrs.Scheduler(parameters=model.parameters)  # py-fsrs accepts them


def test_stats_reports_parameters_in_use_and_reset_goes_back(optimized, cardcli_home):
    from typer.testing import CliRunner

    from cardcli.cli import app

    shutil.copy(optimized[1] / "cardcli.sqlite3", cardcli_home / "cardcli.sqlite3")
    runner = CliRunner()
    stats = json.loads(runner.invoke(app, ["stats", "--json"]).stdout)["parameters"]
    assert stats["source"] == "fitted" and stats["reviews"] == 12580
    assert datetime.fromisoformat(stats["fitted_at"]) == NOW
    r = runner.invoke(app, ["optimize", "--reset"])
    assert r.exit_code == 0 and r.stdout.strip() == "Back to the default FSRS parameters."
    stats = json.loads(runner.invoke(app, ["stats", "--json"]).stdout)["parameters"]
    assert stats == {"source": "default", "fitted_at": None, "reviews": None}
    assert runner.invoke(app, ["optimize", "--reset"]).stdout.strip() == "Already using the default FSRS parameters."


def test_dry_run_reports_but_never_saves(josh_db, cardcli_home):
    shutil.copy(josh_db, cardcli_home / "cardcli.sqlite3")
    r = cli("optimize", "--dry-run", home=cardcli_home)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("Fitted FSRS to your 12,580 reviews")
    figures = [line.split() for line in lines if line.split()[1:2] == ["parameters"]]
    assert [f[0] for f in figures] == ["default", "fitted"]
    (d_loss, d_rmse), (f_loss, f_rmse) = [(float(f[2]), float(f[3])) for f in figures]
    assert f_loss < d_loss and f_rmse < d_rmse
    assert lines[-1] == "Not saved (--dry-run): the fitted parameters are better on held-out reviews."
    with Store.open(cardcli_home / "cardcli.sqlite3") as s:
        assert s.memory_model() is None


@pytest.mark.parametrize(("fitted", "better"), [((0.40, 0.05), True), ((0.40, 0.09), False),
                                                ((0.45, 0.05), False), ((0.43, 0.08), False)])
def test_saved_only_when_better_on_both_measures(cardcli_home, monkeypatch, fitted, better):
    from typer.testing import CliRunner

    import cardcli.optimize as opt
    from cardcli.cli import app

    result = opt.FitResult(reviews=500, items=300, held_out=250, default=opt.Figures(0.43, 0.08),
                           fitted=opt.Figures(*fitted), parameters=FITTED)
    monkeypatch.setattr(opt, "fit", lambda attempts, defaults, **kw: result)
    out = CliRunner().invoke(app, ["optimize"]).stdout
    verdict = [line for line in out.splitlines() if line.startswith(("Saved: ", "Not saved: "))]
    assert verdict == [line for line in verdict if line.startswith("Saved: " if better else "Not saved: ")] != []
    with Store.open() as s:
        model = s.memory_model()
    assert (model is not None) == better
    if better:
        assert model.parameters == FITTED and model.reviews == 500
        assert model.evaluation == {"held_out": 250, "default": {"log_loss": 0.43, "rmse_bins": 0.08},
                                    "fitted": {"log_loss": fitted[0], "rmse_bins": fitted[1]}}


# -- too little history ------------------------------------------------------------------


def _synthetic(n: int, kinds: list[str] | None = None) -> list[tuple[str, str, int, str]]:
    t0 = datetime(2026, 9, 1, 9, tzinfo=UTC)
    return [(f"c{i % 10}", (t0 + timedelta(days=i // 10, minutes=i)).isoformat(timespec="microseconds"),
             1 + i % 5, (kinds or ["review"])[i % len(kinds or ["review"])]) for i in range(n)]


def test_small_log_is_refused_with_counts(cardcli_home):
    _insert(cardcli_home / "cardcli.sqlite3", _synthetic(50))
    r = cli("optimize", home=cardcli_home)
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.strip().splitlines() == [
        ("cardcli: optimize: your history has 50 reviews; fitting your own memory model needs at least 400 "
         "(the default FSRS parameters stay in use)")]
    with Store.open(cardcli_home / "cardcli.sqlite3") as s:
        assert s.memory_model() is None


def test_cram_ratings_do_not_count(cardcli_home):
    # 450 rows, every third one cram: 300 recall attempts
    _insert(cardcli_home / "cardcli.sqlite3", _synthetic(450, ["review", "review", "cram"]))
    r = cli("optimize", "--json", home=cardcli_home)
    assert r.returncode == 1 and "your history has 300 reviews" in r.stderr and "at least 400" in r.stderr
    assert "cram" not in RECALL_KINDS and "review" in RECALL_KINDS


def test_enough_reviews_but_all_on_one_day_is_refused():
    t0 = datetime(2026, 9, 1, 9, tzinfo=UTC)
    attempts = [(f"c{i % 40}", t0 + timedelta(seconds=i), 4) for i in range(MIN_REVIEWS)]
    with pytest.raises(NotEnoughHistory, match=f"only 0 of your {MIN_REVIEWS} reviews .* at least {MIN_ITEMS}"):
        fit(attempts, fsrs.scheduler.DEFAULT_PARAMETERS)


# -- the pieces, by hand -----------------------------------------------------------------


def test_rating_mapping_is_the_documented_one():
    assert [fsrs_rating(r) for r in (1, 2, 3, 4, 5)] == [1, 1, 2, 3, 4]


def test_items_by_hand():
    def d(day, h):
        return datetime(2026, 3, day, h, tzinfo=UTC)
    attempts = [
        ("a", d(1, 9), 4), ("a", d(1, 10), 2), ("a", d(3, 8), 5),  # same-day step, then 2 days later
        ("b", d(2, 23), 3), ("b", d(3, 1), 1), ("b", d(3, 2), 4),  # 23:00 -> 01:00 is the next UTC day
        ("a", d(10, 12), 3),
    ]
    items = items_from_attempts(attempts)
    assert items == [
        (d(3, 1), ((2, 0), (1, 1))),
        (d(3, 8), ((3, 0), (1, 0), (4, 2))),
        (d(10, 12), ((3, 0), (1, 0), (4, 2), (2, 7))),
    ]


def test_time_series_folds_by_hand():
    # 13 items, 6 segments of 2 (the last takes the remainder): test on [2,4) [4,6) [6,8) [8,10) [10,13)
    assert time_series_folds(13, 5) == [(2, 4), (4, 6), (6, 8), (8, 10), (10, 13)]
    assert time_series_folds(5, 5) == []


# -- the scheduler uses the fitted parameters ---------------------------------------------


def _direct(params, ratings, t0):
    """py-fsrs called directly: the interval after each Good-path review."""
    s = fsrs.Scheduler(parameters=params, desired_retention=0.9, maximum_interval=36500, **STEPS)
    card, t, out = fsrs.Card(card_id=0, due=t0), t0, []
    for rating in ratings:
        card, _ = s.review_card(card, rating, review_datetime=t)
        out.append(card.due - t)
        t = card.due
    return out


def test_same_card_gets_different_intervals_with_fitted_parameters():
    t0 = datetime(2026, 11, 1, 9, tzinfo=UTC)
    raw = [4, 4, 4, 3, 5]

    def mine(params):
        policy = policy_for(t0, parameters=params)
        st, t, out = None, t0, []
        for r in raw:
            st = review(st, r, t, card_id="x", policy=policy)
            out.append(st.due - t)
            t = st.due
        return out

    g = fsrs.Rating
    expected_default = _direct(fsrs.scheduler.DEFAULT_PARAMETERS, [g.Good, g.Good, g.Good, g.Hard, g.Easy], t0)
    expected_fitted = _direct(FITTED, [g.Good, g.Good, g.Good, g.Hard, g.Easy], t0)
    assert mine(None) == expected_default
    assert mine(FITTED) == expected_fitted
    # learning steps are the same fixed steps; the graduated intervals differ
    assert expected_default[:1] == expected_fitted[:1] == [timedelta(minutes=10)]
    assert all(a != b for a, b in zip(expected_default[2:], expected_fitted[2:]))


def test_study_schedules_with_the_saved_parameters(cardcli_home):
    card = next(c for c in load_collection().cards if c.type == "basic")
    t0 = NOW - timedelta(days=30)
    st = review(None, 4, t0, card_id=card.id)
    st = review(st, 4, t0 + timedelta(minutes=10))  # graduated with the defaults, due long ago
    path = cardcli_home / "cardcli.sqlite3"
    with Store.open(path) as s:
        s.record(ReviewRecord(card.id, card.deck, t0 + timedelta(minutes=10), 4), st)
        s.save_memory_model(MemoryModel(FITTED, NOW, 12580, {}))
    r = cli("study", "--deck", card.deck, "--new", "0", home=cardcli_home, stdin="\n4\nq\n")
    assert r.returncode == 0, r.stderr
    with Store.open(path) as s:
        rec = s.reviews()[-1]
        after = s.load_state(card.id)
    assert (rec.card_id, rec.rating) == (card.id, 4)

    def direct(params):
        sched = fsrs.Scheduler(parameters=params, desired_retention=0.9, maximum_interval=36500, **STEPS)
        return sched.review_card(st.memory, fsrs.Rating.Good, review_datetime=rec.reviewed_at)[0]

    assert after.memory.stability == pytest.approx(direct(FITTED).stability, rel=1e-9)
    assert after.due == direct(FITTED).due != direct(fsrs.scheduler.DEFAULT_PARAMETERS).due


# -- start-up stays light ----------------------------------------------------------------


def test_fitting_library_loads_only_in_optimize(cardcli_home):
    exam = (NOW + timedelta(days=5)).date().isoformat()
    code = (
        f"import sys\nEXAM = {exam!r}\n"
        "from cardcli.cli import app\n"
        "import cardcli.commands.study, cardcli.commands.stats, cardcli.commands.optimize, cardcli.optimize\n"
        "import cardcli.workload\n"
        "for argv in (['--help'], ['stats', '--json', '--exam', EXAM], ['due']):\n"
        "    try:\n"
        "        app(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print('fsrs_rs_python' in sys.modules, file=sys.stderr)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                       env={**os.environ, "CARDCLI_HOME": str(cardcli_home), "CARDCLI_NOW": NOW.isoformat()})
    assert r.stderr.strip().splitlines()[-1] == "False", r.stderr


def test_undo_replay_keeps_the_fitted_parameters_of_each_rating(tmp_path):
    # the log keeps the parameters a rating was given under, so undo's replay uses them again
    fitted = policy_for(datetime(2026, 11, 2, tzinfo=UTC), parameters=FITTED)
    t1, t2, t3 = (datetime(2026, 11, 2, 9, tzinfo=UTC) + d for d in
                  (timedelta(0), timedelta(minutes=10), timedelta(days=3)))
    with Store.open(tmp_path / "h.sqlite3") as s:
        r1 = s.record(ReviewRecord("x", "D", t1, 3), lambda c: review(c, 3, t1, card_id="x"))
        for t, r in ((t2, 4), (t3, 4)):
            s.record(ReviewRecord("x", "D", t, r, policy=fitted),
                     lambda c, t=t, r=r: review(c, r, t, card_id="x", policy=fitted))
        assert [rec.policy for rec in s.reviews()][1:] == [fitted, fitted]
        s.undo(r1)
        g = fsrs.Rating.Good
        sched = fsrs.Scheduler(parameters=FITTED, desired_retention=0.9, maximum_interval=36500, **STEPS)
        card, _ = sched.review_card(fsrs.Card(card_id=0, due=t2), g, review_datetime=t2)
        card, _ = sched.review_card(card, g, review_datetime=t3)
        after = s.load_state("x")
        got = (after.memory.stability, after.memory.difficulty, after.due)
        assert got == (card.stability, card.difficulty, card.due)
