"""`cardcli stats`: progress per deck and topic, review history, due forecast, exam readiness."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

from rich.text import Text

from cardcli import clock

__all__ = ["run", "run_calibration", "bar_chart", "column_chart", "parameters_info", "preview_workload"]

BAR_WIDTH = 40
MISTAKES_SHOWN = 3  # per topic


def bar_chart(rows: list[tuple[str, int]], width: int = BAR_WIDTH) -> list[str]:
    """One text line per (label, count): a bar of '█' scaled to the largest count."""
    top = max((n for _, n in rows), default=0)
    lines = []
    for label, n in rows:
        bar = "█" * (round(n / top * width) if top else 0)
        if n and not bar:
            bar = "▏"
        lines.append(f"{label} {bar} {n}" if n else f"{label} ·")
    return lines


def column_chart(values: list[int], height: int = 6) -> list[str]:
    """A vertical bar chart, one column per value, ``height`` rows of eighth-blocks."""
    blocks = " ▁▂▃▄▅▆▇█"
    top = max(values, default=0)
    if top == 0:
        return ["·" * len(values)]
    eighths = [round(v / top * height * 8) for v in values]
    lines = []
    for row in range(height - 1, -1, -1):
        line = ""
        for v, e in zip(values, eighths):
            part = min(8, max(0, e - row * 8))
            line += blocks[part] if part or row else ("▁" if v else "·")
        lines.append(line)
    return lines


def run(*, json_out: bool, exam: date | None, extra: list[Path]) -> None:
    from cardcli.console import out
    from cardcli.examdate import active_exam, status_cards
    from cardcli.gcpause import paused_gc
    from cardcli.layout import Column, fit_table
    from cardcli.safetext import safe_text
    from cardcli.scheduler import MASTERED_STABILITY_DAYS
    from cardcli.scheduler.states import LoadedStates
    from cardcli.selection import load_decks
    from cardcli.stats import DAYS_SHOWN, compute, day_bounds, due_bounds
    from cardcli.store import Store
    from cardcli.studyday import from_env

    now = clock.now()
    day = from_env()
    col = load_decks(extra)
    with Store.open_for_reading() as store, paused_gc():  # bulk rows, no cycles (see gcpause)
        if store.read_only:  # a full disk: the history is shown, nothing is written
            from cardcli.console import message

            message(f"note: {store.read_only}; shown read-only")
        exam, _name = active_exam(store, exam, now, day)
        # counts, forecast and the daily histogram from SQL; every card's full state only for
        # what needs it (exam readiness and workload)
        stages = store.stage_rows(due_bounds(now, day), MASTERED_STABILITY_DAYS)
        states = store.load_states() if exam is not None else LoadedStates()
        counts = store.rating_stats()
        quiz = store.quiz_counts()
        daily = store.reviews_per_day(*day_bounds(now, day, DAYS_SHOWN))
        mistakes = store.mistake_counts()
        mocks = store.mock_exams()
        model = store.memory_model()
        from cardcli.examdate import stored_time

        exam_at = stored_time(store, exam)
        from_anki = store.kind_counts().get("anki", 0)  # imported by `cardcli import-reviews`
    params = model.parameters if model else None
    # deck cards and generated problems at difficulty 1 always; at 2-3 once practised
    cards = status_cards(col, stages)
    names = {}
    if mistakes:  # names come from the family catalogs (loads the solver: only when there are any)
        from generators.families import mistake_names

        names = mistake_names()
    with paused_gc():
        report = compute(cards, states, counts, daily, now, exam=exam, day=day, quiz_counts=quiz,
                         mistakes=mistakes, mistake_names=names, parameters=params, stages=stages,
                         exam_at=exam_at)
    load = preview_workload(cards, states, now, exam, params) if exam is not None else []
    report = replace(report, mock_exams=[m.to_json() for m in mocks])
    if json_out:
        data = report.as_json()
        data["parameters"] = parameters_info(model)
        data["reviews_from_anki"] = from_anki
        if exam is not None:
            data["workload"] = [{"day": d.day.isoformat(), "reviews": round(d.reviews, 1), "new": round(d.new, 1)}
                                for d in load]
        out.print_json(json.dumps(data))
        return
    t = report.total
    out.print(Text(f"{t.cards} cards: {t.new} new, {t.learning} learning, {t.review} review, "
                   f"{t.mastered} mastered; {t.due} due today; {t.reviews} reviews"
                   + (f" ({from_anki} from Anki)" if from_anki else "")
                   + (f", retention {t.retention:.0%} (rated 3-5: recalled)" if t.retention is not None else "")))
    for title, groups in (("deck", report.decks), ("topic", report.topics)):
        # narrow terminals drop the least useful columns first (see cardcli.layout.fit_table)
        columns = [Column(title), Column("cards", "right"), Column("new", "right", drop=3),
                   Column("learning", "right", drop=4), Column("due", "right"),
                   Column("mastered", "right", drop=2), Column("reviews", "right", drop=5),
                   Column("retention", "right", drop=1)]
        if report.exam is not None and title == "topic":
            columns.append(Column(f"ready {report.exam:%m-%d}", "right"))
        if report.quiz and title == "topic":
            columns.append(Column("quiz", "right"))
        rows = []
        for name, c in groups.items():
            row = [safe_text(name), str(c.cards), str(c.new), str(c.learning), str(c.due), str(c.mastered),
                   str(c.reviews), "-" if c.retention is None else f"{c.retention:.0%}"]
            if report.exam is not None and title == "topic":
                r = report.readiness.get(name)
                row.append("-" if r is None else f"{r:.0%}")
            if report.quiz and title == "topic":
                a, k = report.quiz.get(name, (0, 0))
                row.append(f"{k}/{a}" if a else "-")
            rows.append(row)
        out.print(fit_table(out.width, columns, rows, title=f"by {title}"))
    if report.mistakes:
        out.print(Text("Most frequent mistakes (diagnosed wrong answers)"))
        for topic, mrows in report.mistakes.items():
            shown = ", ".join(f"{report.mistake_names.get(m, m)} ×{n}" for m, n in mrows[:MISTAKES_SHOWN])
            out.print(Text(f"  {topic}: {shown}"))
    if mocks:
        from cardcli.mock.report import history_lines

        out.print(Text("Mock exams (cardcli exam mock)"))
        for line in history_lines(mocks, day):
            out.print(Text(f"  {line}"))
    per_day = [n for _, n in report.per_day]
    out.print(Text(f"Reviews per day, {report.per_day[0][0]:%m-%d} to {report.per_day[-1][0]:%m-%d} "
                   f"(max {max(per_day)}, total {sum(per_day)})"))
    for line in column_chart(per_day):
        out.print(Text("  " + line))
    out.print(Text(f"Due in the next 7 days: {report.due_within(7)}, 14 days: {report.due_within(14)}"))
    for line in bar_chart([(f"{d:%m-%d}", n) for d, n in report.forecast],
                          width=max(10, min(BAR_WIDTH, out.width - 12))):
        out.print(Text(line))
    if report.quiz:
        n = sum(a for a, _ in report.quiz.values())
        k = sum(c for _, c in report.quiz.values())
        out.print(Text(f"Quiz answers: {n}, {k / n:.0%} correct (correct/answered per topic in the quiz column)"))
    if report.exam is not None and report.ready_overall is not None:
        out.print(Text(f"Readiness on {report.exam:%Y-%m-%d}: {report.ready_overall:.0%} overall"))
    if exam is not None:
        until = "until the exam" if len(load) == (exam - day.date_of(now)).days else f"for the next {len(load)} days"
        out.print(Text(f"Expected reviews per day {until} ({exam:%Y-%m-%d}; exam-mode retention, "
                       f"{'your fitted' if model else 'the default'} memory model):"))
        for line in bar_chart([(f"{d.day:%m-%d}", round(d.reviews)) for d in load],
                              width=max(10, min(BAR_WIDTH, out.width - 12))):
            out.print(Text(line))
    info = parameters_info(model)
    out.print(Text("Memory model: " + (f"FSRS parameters fitted on {info['reviews']} reviews, {info['fitted_at'][:10]}"
                                       if model else "default FSRS parameters (see `cardcli optimize`)")))


def parameters_info(model) -> dict:
    """Which FSRS parameters schedule the cards: ``{source, fitted_at, reviews}``."""
    if model is None:
        return {"source": "default", "fitted_at": None, "reviews": None}
    return {"source": "fitted", "fitted_at": model.fitted_at.isoformat(timespec="seconds"), "reviews": model.reviews}


def preview_workload(cards, states, now, exam, params):
    """Expected reviews per day until ``exam`` (see :mod:`cardcli.workload`), seeded: same input, same figures."""
    import random

    from cardcli.workload import workload

    ids = {c.id for c in cards}
    seen = {k: v for k, v in states.items() if k in ids}
    return workload(seen, len(ids) - len(seen), now, exam, random.Random(0), parameters=params)


def run_calibration(*, json_out: bool) -> None:
    """`cardcli stats --calibration`: the reliability of the user's own recall predictions."""
    from cardcli.calibration import attempts, predictions, reliability
    from cardcli.console import out
    from cardcli.forecast import past_mocks
    from cardcli.scheduler import Policy
    from cardcli.store import Store
    from cardcli.studyday import from_env

    day = from_env()
    with Store.open() as store:
        log = attempts(store.reviews())
        mocks = store.mock_exams()
        model = store.memory_model()
    rel = reliability((p.p, p.outcome) for p in predictions(log, day))
    checks, pairs = past_mocks(mocks, log, Policy(parameters=model.parameters if model else None))
    mock_rel = reliability(pairs)
    if json_out:
        def fig(r) -> dict:
            return {"n": r.n, "log_loss": r.log_loss, "rmse_bins": r.rmse_bins, "mean_predicted": r.mean_predicted,
                    "mean_observed": r.mean_observed,
                    "bins": [{"lo": b.lo, "hi": b.hi, "n": b.n, "predicted": b.predicted, "observed": b.observed}
                             for b in r.bins]}

        data = {"reviews": fig(rel), "mock_questions": fig(mock_rel),
                "mock_exams": [{"started_at": c.started_at.isoformat(), "predicted": round(c.forecast.expected, 2),
                                "low": c.forecast.low, "high": c.forecast.high, "actual": c.actual, "max": c.max}
                               for c in checks]}
        out.print_json(json.dumps(data))
        return
    out.print(Text("Calibration: predicted recall before each review (from the card's state before it) "
                   "against the outcome, recalled = rated 3-5"))
    if not rel.n:
        out.print(Text("No review to check yet: a card needs a rating on a later day than its first."))
    else:
        _reliability_table(out, rel, "reviews")
    if checks:
        out.print(Text(""))
        out.print(Text("Past mock exams: forecast from the log as it stood when each began, against the score"))
        for c in checks:
            inside = "inside" if c.forecast.low <= c.actual <= c.forecast.high else "outside"
            out.print(Text(f"  {day.format(c.started_at)}  predicted {c.forecast.expected:.0f} "
                           f"(90% interval {c.forecast.low}-{c.forecast.high}), actual {c.actual:g} of {c.max} "
                           f"({inside} the interval)"))
        if mock_rel.n:
            _reliability_table(out, mock_rel, "mock-exam questions (outcome: score / points)")
    else:
        out.print(Text("No mock exam yet: after `cardcli exam mock` its forecast is checked here too."))


def _reliability_table(out, rel, what: str) -> None:
    from cardcli.calibration import reliability_rows
    from cardcli.layout import Column, fit_table

    table = fit_table(out.width, [Column("predicted recall", "left"), Column("count", "right"),
                                  Column("mean predicted", "right"), Column("observed", "right")],
                      reliability_rows(rel))
    out.print(table)
    out.print(Text(f"{rel.n} {what}: log loss {rel.log_loss:.4f}, RMSE(bins) {rel.rmse_bins:.4f}; "
                   f"mean predicted {rel.mean_predicted:.1%}, observed {rel.mean_observed:.1%}"))
