"""Scheduler: intervals and orderings at fixed UTC times, checked against hand-worked values."""

from __future__ import annotations

import calendar
import math
import random
from datetime import date, datetime, timedelta, timezone

import fsrs
import pytest

from cardcli import scheduler as S
from cardcli.model import Card

UTC = timezone.utc
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
# FSRS-6 default weights used by hand below (py-fsrs 6.x DEFAULT_PARAMETERS)
W = fsrs.scheduler.DEFAULT_PARAMETERS
DECAY = -W[20]
FACTOR = 0.9 ** (1 / DECAY) - 1


def recall(t_days: float, stability: float) -> float:
    """FSRS forgetting curve, written out by hand."""
    return (1 + FACTOR * t_days / stability) ** DECAY


def interval_days(stability: float, retention: float) -> float:
    return stability / FACTOR * (retention ** (1 / DECAY) - 1)


def card(cid: str, group: str | None = None, topic: str = "conv", deck: str = "d") -> Card:
    return Card(id=cid, front=f"front {cid}", back="b", topic=topic, deck=deck, group=group)


def us(when: datetime) -> int:
    """Whole microseconds since the epoch, by the calendar (not the code's own conversion)."""
    return calendar.timegm(when.utctimetuple()) * 10**6 + when.microsecond


def test_brief_times_are_exact_microseconds_both_ways():
    rng = random.Random(9)
    for _ in range(500):
        when = T0 + timedelta(days=rng.uniform(-4000, 4000), microseconds=rng.randrange(10**6))
        st = review_state("x", 2.0, when - timedelta(days=1, microseconds=999_999), when)
        b = S.brief_of(st)
        assert (b.due_us, b.last_us) == (us(st.due), us(st.last_review))
        assert (b.due, b.last_review) == (st.due, st.last_review)


def review_state(cid: str, stability: float, last: datetime, due: datetime, rating: int = 4) -> S.CardState:
    mem = fsrs.Card(card_id=0, state=fsrs.State.Review, stability=stability, difficulty=5.0, due=due,
                    last_review=last)
    return S.CardState(card_id=cid, memory=mem, last_rating=rating, reps=3, first_review=last - timedelta(days=30))


# -- intervals -----------------------------------------------------------------------------

def test_new_card_intervals_follow_the_rating_map():
    pv = S.preview_intervals(None, T0)
    # learning steps 1 min / 10 min: Again -> step 0, Hard -> mean of the two steps, Good -> step 1
    assert pv[1] == pv[2] == timedelta(minutes=1)
    assert pv[3] == timedelta(minutes=5, seconds=30)
    assert pv[4] == timedelta(minutes=10)
    # Easy graduates at once: initial stability w[3] days, interval = S at retention 0.9
    assert pv[5] == timedelta(days=round(W[3])) == timedelta(days=8)
    assert [S.format_interval(pv[r]) for r in (1, 3, 4, 5)] == ["1 min", "6 min", "10 min", "8 d"]


def test_graduated_card_intervals_grow_with_rating():
    st = S.review(None, 4, T0, card_id="x")
    st = S.review(st, 4, T0 + timedelta(minutes=10))
    assert st.memory.state is fsrs.State.Review
    # after Good, Good on a new card: S = w[2], interval = round(S) days
    assert st.stability == pytest.approx(W[2])
    assert st.due == T0 + timedelta(minutes=10) + timedelta(days=round(W[2]))
    later = st.due
    pv = S.preview_intervals(st, later)
    assert pv[1] == pv[2] == timedelta(minutes=10)  # lapse -> relearning step
    assert pv[3] < pv[4] < pv[5]
    # Good, by hand: recall stability formula with R at elapsed whole days
    d_next = W[7] * (W[4] - math.exp(W[5] * 3) + 1) + (1 - W[7]) * st.memory.difficulty  # mean reversion, dD=0
    r = recall((later - st.last_review).days, st.stability)
    s_good = st.stability * (1 + math.exp(W[8]) * (11 - st.memory.difficulty) * st.stability ** -W[9]
                             * (math.exp((1 - r) * W[10]) - 1))
    assert pv[4] == timedelta(days=round(interval_days(s_good, 0.9)))
    assert S.review(st, 4, later).memory.difficulty == pytest.approx(min(max(d_next, 1), 10))


def test_raw_rating_and_counters_are_kept():
    st = S.review(None, 2, T0, card_id="x")
    assert st.last_rating == 2 and st.reps == 1 and st.first_review == T0
    graduated = S.review(S.review(None, 5, T0, card_id="y"), 1, T0 + timedelta(days=8))
    assert graduated.lapses == 1 and graduated.memory.state is fsrs.State.Relearning
    with pytest.raises(ValueError):
        S.review(st, 6, T0)


def test_review_is_pure():
    st = S.review(None, 4, T0, card_id="x")
    before = st.to_dict()
    S.review(st, 1, T0 + timedelta(minutes=5))
    assert st.to_dict() == before
    assert S.CardState.from_dict(before) == st


def test_naive_datetime_is_refused():
    with pytest.raises(ValueError):
        S.review(None, 3, datetime(2026, 1, 1), card_id="x")


# -- ordering ------------------------------------------------------------------------------

def drain(q: S.StudyQueue, n: int = 1000) -> list[str]:
    out = []
    for _ in range(n):
        c = q.next()
        if c is None:
            break
        out.append(c.id)
    return out


def test_due_cards_lowest_recall_first():
    now = T0
    specs = {"a": (10.0, 5), "b": (2.0, 4), "c": (30.0, 40), "d": (1.0, 1)}  # stability, days since review
    cards = [card(k) for k in specs]
    states = {k: review_state(k, s, now - timedelta(days=t), now - timedelta(hours=1)) for k, (s, t) in specs.items()}
    expected = sorted(specs, key=lambda k: recall(specs[k][1], specs[k][0]))
    q = S.plan(cards, states, now, random.Random(1), new_per_day=0, new_seen_today=0)
    assert drain(q) == expected == ["b", "c", "d", "a"]


def test_not_due_cards_wait_until_their_day():
    states = {"a": review_state("a", 5, T0 - timedelta(days=1), T0 + timedelta(days=2)),
              "b": review_state("b", 5, T0 - timedelta(days=3), T0 + timedelta(hours=10))}  # later today
    q = S.plan([card("a"), card("b")], states, T0, random.Random(0), new_per_day=5, new_seen_today=0)
    assert drain(q) == ["b"]


def test_new_cards_interleaved_after_three_reviews_and_limited_per_day():
    due = [card(f"r{i}") for i in range(6)]
    new = [card(f"n{i}") for i in range(10)]
    states = {c.id: review_state(c.id, 1.0 + i, T0 - timedelta(days=5), T0 - timedelta(days=1))
              for i, c in enumerate(due)}
    q = S.plan(due + new, states, T0, random.Random(0), new_per_day=5, new_seen_today=2)
    order = drain(q)
    # 3 new cards allowed (5 - 2 seen today), deck order, one after every three reviews
    assert order == ["r0", "r1", "r2", "n0", "r3", "r4", "r5", "n1", "n2"]


def test_new_only_session_keeps_deck_order():
    q = S.plan([card(f"n{i}") for i in range(4)], {}, T0, random.Random(0), new_per_day=20, new_seen_today=0)
    assert drain(q) == ["n0", "n1", "n2", "n3"]


def test_siblings_never_back_to_back():
    cards = [card("a1", "A"), card("a2", "A"), card("a3", "A"), card("b1", "B"), card("b2", "B"), card("c1")]
    q = S.plan(cards, {}, T0, random.Random(0), new_per_day=20, new_seen_today=0)
    order = drain(q)
    assert sorted(order) == sorted(c.id for c in cards)
    groups = [{"a1": "A", "a2": "A", "a3": "A", "b1": "B", "b2": "B"}.get(i, i) for i in order]
    assert all(x != y for x, y in zip(groups, groups[1:])), order
    assert order == ["a1", "b1", "a2", "b2", "a3", "c1"]


def test_only_siblings_left_still_shown():
    q = S.plan([card("a1", "A"), card("a2", "A")], {}, T0, random.Random(0), new_per_day=5, new_seen_today=0)
    assert drain(q) == ["a1", "a2"]


@pytest.mark.parametrize("rating, gap", [(1, 2), (2, 3)])
def test_low_rating_comes_back_after_a_few_cards(rating, gap):
    cards = [card(f"n{i}") for i in range(8)]
    q = S.plan(cards, {}, T0, random.Random(0), new_per_day=20, new_seen_today=0)
    first = q.next()
    st = S.review(None, rating, T0, card_id=first.id)
    assert q.rated(first, rating, st, T0)
    order = [first.id] + drain(q)
    assert order.index("n0", 1) == gap + 1  # `gap` other cards in between
    assert order.count("n0") == 2


def test_easy_rating_does_not_requeue():
    q = S.plan([card("n0"), card("n1")], {}, T0, random.Random(0), new_per_day=20, new_seen_today=0)
    c = q.next()
    assert not q.rated(c, 5, S.review(None, 5, T0, card_id=c.id), T0)
    assert drain(q) == ["n1"]


def test_requeued_card_comes_early_when_nothing_else_is_left():
    q = S.plan([card("n0")], {}, T0, random.Random(0), new_per_day=20, new_seen_today=0)
    c = q.next()
    q.rated(c, 1, S.review(None, 1, T0, card_id="n0"), T0)
    assert q.next().id == "n0"


def test_undo_puts_the_card_back_first_and_drops_its_requeue():
    q = S.plan([card(f"n{i}") for i in range(4)], {}, T0, random.Random(0), new_per_day=20, new_seen_today=0)
    c = q.next()
    q.rated(c, 1, S.review(None, 1, T0, card_id=c.id), T0)
    q.undo(c)
    assert drain(q) == ["n0", "n1", "n2", "n3"]


# -- exam and cram ---------------------------------------------------------------------------

def test_exam_retention_formula():
    assert S.exam_retention(60) == 0.9
    assert S.exam_retention(30) == 0.9
    assert S.exam_retention(3) == 0.97
    assert S.exam_retention(1) == 0.97
    assert S.exam_retention(16) == pytest.approx(0.90 + 0.07 * 14 / 27, abs=1e-4)


def test_exam_policy_caps_intervals_before_the_exam():
    exam = date(2026, 11, 7)  # 5 days after T0
    pol = S.policy_for(T0, exam)
    assert pol.desired_retention == pytest.approx(0.90 + 0.07 * 25 / 27, abs=1e-4)
    assert pol.maximum_interval == 4
    # a new card rated Easy: interval round(w[3] scaled to the higher retention) = 2 days, under the cap
    easy = S.review(None, 5, T0, card_id="x", policy=pol)
    assert easy.due == T0 + timedelta(days=round(interval_days(W[3], pol.desired_retention))) == T0 + timedelta(days=2)
    assert S.review(None, 5, T0, card_id="x").due == T0 + timedelta(days=8)  # no exam: 8 days
    # a strong card would go out weeks; the cap brings it back the day before the exam
    strong = review_state("x", 100.0, T0 - timedelta(days=10), T0)
    uncapped = S.review(strong, 4, T0, policy=S.Policy(pol.desired_retention))
    assert uncapped.due - T0 > timedelta(days=4)
    st = S.review(strong, 4, T0, policy=pol)
    assert st.due == T0 + timedelta(days=4)
    assert st.due.date() < exam


def test_exam_higher_retention_means_shorter_intervals():
    base = S.review(S.review(None, 4, T0, card_id="x"), 4, T0 + timedelta(minutes=10))
    t = base.due
    normal = S.preview_intervals(base, t)[4]
    exam = S.preview_intervals(base, t, S.policy_for(t, (t + timedelta(days=60)).date()))[4]
    assert exam == normal  # far away: plain 0.9
    near = S.Policy(desired_retention=0.97, maximum_interval=36500)
    assert S.preview_intervals(base, t, near)[4] < normal


def test_exam_pulls_weak_cards_forward_and_raises_new_per_day():
    exam = date(2026, 11, 5)  # 3 days left
    weak = review_state("w", 2.0, T0 - timedelta(days=2), T0 + timedelta(days=20))
    strong = review_state("s", 400.0, T0 - timedelta(days=2), T0 + timedelta(days=20))
    assert recall(3, 2.0) < S.exam_retention(3) < recall(5, 400.0)
    pol = S.policy_for(T0, exam)
    assert not S.is_due(weak, T0)
    assert S.effective_due(weak, pol) == datetime(2026, 11, 4, tzinfo=UTC)
    assert S.effective_due(strong, pol) == strong.due
    cards = [card("w"), card("s")] + [card(f"n{i}") for i in range(30)]
    q = S.plan(cards, {"w": weak, "s": strong}, T0 + timedelta(days=2), random.Random(0),
               new_per_day=5, new_seen_today=0, exam=exam)
    order = drain(q)
    assert "w" in order and "s" not in order
    assert sum(1 for i in order if i.startswith("n")) == 30  # ceil(30 / 1 day left)
    assert S.new_allowance(5, 0, 30, T0, exam) == 10  # ceil(30 / 3)
    assert S.new_allowance(20, 0, 30, T0, exam) == 20


def test_cram_takes_every_card_unseen_first_then_weakest():
    specs = {"a": (10.0, 1), "b": (2.0, 1), "c": (5.0, 1)}
    states = {k: review_state(k, s, T0 - timedelta(days=t), T0 + timedelta(days=30)) for k, (s, t) in specs.items()}
    cards = [card("new2")] + [card(k) for k in specs] + [card("new")]
    assert drain(S.plan(cards, states, T0, random.Random(0), 0, 0)) == []
    # recall after 1 day: b (S=2) < c (S=5) < a (S=10); unseen cards (recall 0) first, in deck order,
    # even with no new-card allowance: a cram is not limited by the day's new cards
    q = S.plan(cards, states, T0, random.Random(0), new_per_day=0, new_seen_today=0, cram=True)
    assert drain(q) == ["new2", "new", "b", "c", "a"]
    # the exam morning: the seen cards only, weakest first
    q = S.plan(cards, states, T0, random.Random(0), new_per_day=0, new_seen_today=0, cram=True, cram_unseen=False)
    assert drain(q) == ["b", "c", "a"]


def test_stage_and_due_boundaries():
    assert S.stage(None) == "new"
    assert S.stage(S.review(None, 1, T0, card_id="x")) == "learning"
    assert S.stage(review_state("x", 5.0, T0, T0)) == "review"
    assert S.stage(review_state("x", 21.0, T0, T0)) == "mastered"
    late_today = review_state("x", 5, T0, datetime(2026, 11, 2, 23, 59, tzinfo=UTC))
    tomorrow = review_state("x", 5, T0, datetime(2026, 11, 3, 0, 0, tzinfo=UTC))
    assert S.is_due(late_today, T0) and not S.is_due(tomorrow, T0)


def test_retrievability_matches_the_curve():
    st = review_state("x", 7.0, T0 - timedelta(days=7), T0)
    assert S.retrievability(st, T0) == pytest.approx(0.9)
    assert S.retrievability(st, T0 + timedelta(days=7)) == pytest.approx(recall(14, 7.0))
    assert S.retrievability(None, T0) == 0.0


def test_plan_from_due_briefs_without_a_stability_and_past_the_horizon():
    """Briefs read for a later horizon are left out; a brief with no stability or no last review
    ranks at recall 0 (first), the others at the curve's value worked by hand."""
    now = T0
    horizon = S.day_end(now)
    cards = [card(f"c{i}") for i in range(4)]
    briefs = {
        "c0": S.Brief(us(now - timedelta(hours=1)), us(now - timedelta(days=2)), 4.0),
        "c1": S.Brief(us(now - timedelta(hours=2)), None, None),  # never reviewed into a stability
        "c2": S.Brief(us(horizon + timedelta(hours=1)), us(now - timedelta(days=1)), 2.0),  # due after today
        "c3": S.Brief(us(now - timedelta(hours=3)), us(now - timedelta(days=10)), 4.0),
    }
    q = S.plan(cards, set(briefs), now, random.Random(1), 0, 0, due=briefs)
    decay, factor = S.memory._curve(None)
    by_hand = {"c0": (1 + factor * 2.0 / 4.0) ** decay, "c1": 0.0, "c3": (1 + factor * 10.0 / 4.0) ** decay}
    assert {e[4].id: e[0] for e in q.due} == pytest.approx(by_hand, rel=1e-12)
    assert [e[3] for e in sorted(q.due, key=lambda e: e[4].id)] == [0, 1, 3]  # deck positions, c2 not due
    order = []
    while (c := q.next()) is not None:
        order.append(c.id)
    assert order == ["c1", "c3", "c0"]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_plan_from_due_briefs_ranks_as_recall_forecast_and_the_full_states(seed):
    """plan(due=...) computes the recall inline (a big history): the heap holds the same floats as
    recall_forecast per card, the same rng draws and sequence numbers as plan() on the full states,
    so the order drawn is the same; cards due after today and unseen cards stay out of the heap."""
    rng = random.Random(seed)
    now = T0 + timedelta(hours=rng.random() * 30)
    cards, states = [], {}
    for i in range(300):
        c = card(f"c{i}", group=f"g{i % 7}")
        cards.append(c)
        if rng.random() < 0.2:
            continue  # unseen
        last = now - timedelta(days=rng.choice([0.0, 0.3, 1.0, 2.5, 10.0, 40.0]), seconds=rng.randrange(3))
        stability = rng.choice([0.1, 0.5, 1.0, 2.5, 10.0, 33.3])  # repeats: ties broken by due, then rng
        due = now + timedelta(days=rng.choice([-5, -1, 0, 0.4, 1, 3]))
        states[c.id] = review_state(c.id, stability, last, due)
    horizon = S.day_end(now)
    briefs = {cid: S.Brief(us(st.due), us(st.last_review), st.stability) for cid, st in states.items()
              if st.due < horizon}
    full = S.plan(cards, states, now, random.Random(seed), 5, 0)
    lazy = S.plan(cards, set(states), now, random.Random(seed), 5, 0, due=briefs)
    assert lazy.due == full.due and lazy._seq == full._seq
    assert list(lazy.new) == list(full.new) == [c for c in cards if c.id not in states]
    by_id = {c.id: c for c in cards}
    assert sorted(e[4].id for e in lazy.due) == sorted(cid for cid, st in states.items() if st.due < horizon)
    for p, due_ts, _r, _seq, c in lazy.due:
        assert p == pytest.approx(S.recall_forecast(states[c.id], now), rel=1e-12)
        assert due_ts == us(states[c.id].due)
        assert by_id[c.id] is c
    order = []
    while (c := lazy.next()) is not None:
        order.append(c.id)
    again = []
    while (c := full.next()) is not None:
        again.append(c.id)
    assert order == again
