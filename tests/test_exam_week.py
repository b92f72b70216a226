"""Exam week: readiness (hand-computed), exam status, quiz practice counting, never-empty sessions."""

from __future__ import annotations

import io
import random
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import fsrs
import pytest
from rich.console import Console

from cardcli import scheduler as S
from cardcli.gencards import card_id as gen_card_id
from cardcli.model import Card
from cardcli.quiz import order_families, plan
from cardcli.quizlog import log_quiz_answer, quiz_record
from cardcli.readiness import exam_status, readiness, status_lines
from cardcli.session import Session, empty_reason
from cardcli.stats import compute
from cardcli.store import Store
from cardcli.studyday import StudyDay
from cardcli.terminal import ScriptedKeys

UTC = timezone.utc
LA = StudyDay(ZoneInfo("America/Los_Angeles"), 4)
NOW = datetime(2026, 11, 22, 17, 0, tzinfo=UTC)  # 09:00 PST, study day 2026-11-22
EXAM = date(2026, 11, 28)
MORNING = datetime(2026, 11, 28, 17, 0, tzinfo=UTC)  # 09:00 PST on the exam day: the default exam start
W = fsrs.scheduler.DEFAULT_PARAMETERS
DECAY = -W[20]
FACTOR = 0.9 ** (1 / DECAY) - 1


def recall(days: float, stability: float) -> float:
    """The FSRS-6 forgetting curve written out by hand (fractional days elapsed)."""
    return (1 + FACTOR * days / stability) ** DECAY


def seen(cid: str, stability: float, last: datetime) -> S.CardState:
    mem = fsrs.Card(card_id=0, state=fsrs.State.Review, stability=stability, difficulty=5.0,
                    due=last + timedelta(days=stability), last_review=last)
    return S.CardState(cid, mem, last_rating=4, reps=3, first_review=last - timedelta(days=10))


CARDS = [Card("a", "f", "b", "conv", "D"), Card("b", "f", "b", "conv", "D"),
         Card("c", "f", "b", "rnn", "D"), Card("d", "f", "b", "pooling", "D")]
STATES = {"a": seen("a", 10.0, NOW - timedelta(days=2)),  # 11-20 17:00 -> exam 11-28 17:00: 8 d
          "c": seen("c", 3.0, NOW - timedelta(days=1))}  # 7 d
RA, RC = 8.0, 7.0  # days from the last reviews to the exam's start


# -- readiness --------------------------------------------------------------------------------------
def test_readiness_is_mean_recall_on_the_exam_morning_unseen_zero():
    ra, rc = recall(RA, 10.0), recall(RC, 3.0)
    assert 0.8 < ra < 0.95 and 0.6 < rc < 0.85  # sanity of the hand values
    r = readiness(CARDS, STATES, MORNING)
    assert r.overall == pytest.approx((ra + 0 + rc + 0) / 4)
    assert r.topics == pytest.approx({"conv": ra / 2, "pooling": 0.0, "rnn": rc})
    assert (r.cards, r.unseen) == (4, 2)
    assert r.weakest(2) == [("pooling", 0.0), ("conv", pytest.approx(ra / 2))]


def test_exam_status_days_left_and_new_cards_per_day():
    cards = CARDS + [Card(f"n{i}", "f", "b", "loss", "D") for i in range(11)]  # 13 unseen
    st = exam_status(cards, STATES, NOW, EXAM, "Midterm 2", LA)
    assert (st.days_left, st.morning, st.new_per_day) == (6, MORNING, 3)  # ceil(13 / 6)
    lines = status_lines(st, LA)
    assert lines[0] == "Midterm 2 in 6 days (Sat 2026-11-28 09:00 PST; readiness measured then)"
    overall = (recall(RA, 10.0) + recall(RC, 3.0)) / 15
    assert lines[1].startswith(f"Readiness: {overall:.0%} (mean predicted recall of 15 cards")
    assert "13 never seen count 0" in lines[1]
    assert lines[2] == f"Weakest topics: loss 0%, pooling 0%, conv {recall(RA, 10.0) / 2:.0%}"
    assert lines[3] == "New cards per day to see everything in time: 3 (13 unseen / 6 days)"


def test_exam_day_itself_is_valid_and_reviews_the_weakest():
    exam_now = datetime(2026, 11, 29, 11, 0, tzinfo=UTC)  # 03:00 PST on the 29th: still the exam's study day
    st = exam_status(CARDS, STATES, exam_now, EXAM, None, LA)
    assert st.is_today and st.days_left == 0
    assert "Exam is today" in status_lines(st, LA)[0]
    # on the exam day readiness is measured now (after the morning): 8 d 18 h and 7 d 18 h elapsed
    assert st.readiness.overall == pytest.approx((recall(8.75, 10.0) + recall(7.75, 3.0)) / 4)
    q = S.plan(CARDS, STATES, exam_now, random.Random(0), 20, 0, exam=EXAM, cram=True, day=LA,
               cram_unseen=False)
    order = []
    while (c := q.next()) is not None:
        order.append(c.id)
    assert order == ["c", "a"]  # weakest seen first, no new cards on the exam morning


# -- quiz practice counts -----------------------------------------------------------------------
class Prob:
    """The attributes of a generated problem the quiz log reads."""

    def __init__(self, family: str, difficulty: int = 1, seed: int = 5):
        self.family, self.difficulty, self.seed = family, difficulty, seed
        self.params = {"input_size": 7, "kernel_size": 3}


def test_quiz_answer_rates_the_generated_card_good_or_again(tmp_path):
    rec = quiz_record(Prob("pool-forward"), True, 4200, NOW)
    assert (rec.card_id, rec.kind, rec.rating, rec.correct, rec.duration_ms, rec.problem_seed, rec.mistake) == (
        "gen:pool-forward:d1", "quiz", 4, True, 4200, 5, None)
    assert rec.problem_params == {"input_size": 7, "kernel_size": 3}
    wrong = quiz_record(Prob("pool-forward"), False, 100, NOW, mistake="sum-not-mean")
    assert (wrong.rating, wrong.correct, wrong.mistake) == (1, False, "sum-not-mean")
    with Store.open(tmp_path / "h.sqlite3") as store:
        log_quiz_answer(store, Prob("pool-forward"), True, 4200, NOW)
        first = S.review(None, 4, NOW, card_id="gen:pool-forward:d1")
        assert store.load_state("gen:pool-forward:d1") == first
        later = NOW + timedelta(minutes=12)
        log_quiz_answer(store, Prob("pool-forward"), False, 100, later, mistake="sum-not-mean")
        assert store.load_state("gen:pool-forward:d1") == S.review(first, 1, later)
        [r1, r2] = store.reviews()
        assert r2.state_before == first and r2.mistake == "sum-not-mean" and r1.kind == r2.kind == "quiz"
        # undo of the first answer replays the second on a new card: quiz rows are part of the log
        store.undo(r1.id)
        assert store.load_state("gen:pool-forward:d1") == S.review(None, 1, later, card_id="gen:pool-forward:d1")


def test_quiz_practice_moves_topic_readiness_and_stats(tmp_path):
    """A correct quiz answer on a never-practised family lifts its topic from 0 % (checked by hand)."""
    gen = Card(gen_card_id("spectral-radius", 1), "g", "", "rnn", "generated")
    cards = [Card("r1", "f", "b", "rnn", "D"), gen]
    with Store.open(tmp_path / "h.sqlite3") as store:
        before = compute(cards, store.load_states(), [], {}, NOW, exam=EXAM, day=LA)
        assert before.readiness == {"rnn": 0.0}
        log_quiz_answer(store, Prob("spectral-radius"), True, 3000, NOW)
        log_quiz_answer(store, Prob("spectral-radius"), False, 3000, NOW + timedelta(minutes=1))
        log_quiz_answer(store, Prob("spectral-radius"), True, 3000, NOW + timedelta(minutes=20))
        states = store.load_states()
        after = compute(cards, states, store.rating_stats(), {}, NOW, exam=EXAM, day=LA,
                        quiz_counts=store.quiz_counts())
    st = states[gen.id]
    # by hand: the gen card's recall on the exam morning from its stability and last review
    days = (MORNING - st.last_review).total_seconds() / 86400
    assert after.readiness["rnn"] == pytest.approx(recall(days, st.stability) / 2)
    assert after.readiness["rnn"] > 0.3
    assert after.quiz == {"rnn": (3, 2)}
    assert after.as_json()["quiz"] == {"rnn": {"attempts": 3, "correct": 2}}


def test_plain_quiz_covers_every_family_and_is_reproducible():
    from generators.catalog import CATALOG

    fams = sorted(CATALOG)
    firsts = set()
    for seed in range(40):
        order = order_families(fams, seed)
        assert order == order_families(list(reversed(fams)), seed)  # reproducible, input order irrelevant
        firsts.update(order[:5])
    assert firsts == set(fams)  # with no history every family shows up among the first five for some seed
    # practised families go last: weakest (lowest recall) first, then least practised
    weak = {f: (0.9, 3) for f in fams[:6]} | {fams[6]: (0.0, 2)}
    order = order_families(fams, 3, weak)
    fresh = len(fams) - 7  # never practised: first, then the weakest practised one, then the rest
    assert set(order[:fresh]) == set(fams[7:]) and order[fresh] == fams[6] and set(order[fresh + 1:]) == set(fams[:6])
    probs = plan(fams, 5, 3, 1, weak)
    assert [p.family for p in probs] == order[:5]


# -- never a silent empty session ---------------------------------------------------------------
def _clock(start: datetime):
    t = [start]

    def now() -> datetime:
        t[0] += timedelta(seconds=2)
        return t[0]

    return now


def test_new_limit_says_why_and_n_adds_ten_more(tmp_path):
    cards = [Card(f"c{i}", f"Front {i}", "b", "conv", "D") for i in range(14)]
    with Store.open(tmp_path / "h.sqlite3") as store:
        q = S.plan(cards, {}, NOW, random.Random(0), new_per_day=3, new_seen_today=1, day=LA)
        out = Console(file=io.StringIO(), width=120, color_system=None)
        keys = ["", "5", "", "5"] + ["n"] + ["", "5"] * 10 + ["x"]
        s = Session(q, store, out, ScriptedKeys(keys), {}, cards, policy=S.policy_for(NOW, day=LA),
                    clock=_clock(NOW))
        s.run()
        text = out.file.getvalue()
        assert "3 of 3 new cards introduced today — press n for 10 more, or run with --new 23" in text
        assert "(12 unseen cards left in this selection.)" in text
        assert "13 of 13 new cards introduced today — press n for 10 more, or run with --new 33" in text
        assert "(2 unseen cards left in this selection.)" in text
        assert len(store.reviews()) == 12  # 2, then 10 more after n


def test_empty_queue_names_the_next_due_time_in_local_time():
    st = seen("a", 10.0, NOW - timedelta(days=2))  # due 8 days after its last review
    q = S.plan([CARDS[0]], {"a": st}, NOW, random.Random(0), 20, 0, day=LA)
    assert q.next() is None
    lines, limited = empty_reason(q, {"a": st}, [CARDS[0]], NOW, S.policy_for(NOW, day=LA))
    assert not limited
    assert lines[0] == "Nothing more due today: the next card is due 2026-11-30 09:00 PST (in 8 d)."
    assert lines[1].startswith("Every card of this selection has been seen (1 card); for more now:")
    assert "`cardcli study --cram`" in lines[1] and "`cardcli quiz`" in lines[1]


def test_recall_forecast_counts_hours_not_whole_days():
    """py-fsrs's retrievability reads 100 % for anything reviewed < 24 h ago; readiness must not."""
    weak = seen("w", 0.5, NOW - timedelta(hours=20))  # a lapsed card, relearnt yesterday evening
    assert S.retrievability(weak, NOW) == 1.0
    assert S.recall_forecast(weak, NOW) == pytest.approx(recall(20 / 24, 0.5))
    assert S.recall_forecast(weak, NOW) < 0.9
    strong = seen("s", 7.0, NOW - timedelta(days=7))
    assert S.recall_forecast(strong, NOW) == pytest.approx(0.9)  # FSRS: recall 90 % after S days
    assert S.recall_forecast(None, NOW) == 0.0
