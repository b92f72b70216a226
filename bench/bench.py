"""cardcli benchmark: whole-process and in-process figures, each against a baseline of this run.

Run from a checkout with cardcli installed:  ``python bench/bench.py [--quick] [--sizes 1000,10000,100000]``

These machines are noisy, so every figure is also printed as a ratio to a baseline measured in the
same run, and the targets (issue 6) are checked on the ratios:

* ``cardcli --help``                      <= 1.3 x  a bare typer app with two commands (``--help``)
* first card of ``cardcli study`` (bundled decks, stdin ``q``)      <= 1.8 x  the bare app
* first card, 100k-card user deck seen before (parse cache warm)     <= 4.0 x  the bare app
* rating-to-next-card p99 at 100k cards                              <  20 ms
* peak memory of ``cardcli study`` at 100k cards                     <  300 MB
* ``cardcli check`` of each hostile deck (tests/hostile.py): < 1 s and < 100 MB more than a one-card deck
* parsing a hostile typed answer (10^400, 5,000 or 100,000 digits)    <  50 ms
* ``--hostile`` also (issue 23, RESOURCE_TARGETS): ``import`` of 200k Quizlet rows < 60 s, < 400 MB; the
  schema-v1 upgrade of 8,000 cards < 10 s, < 300 MB; ``optimize --dry-run`` on 1M reviews < 45 s,
  < 800 MB; a 49 MB line and ``--template /dev/zero`` refused in < 5 s, < 200 MB; ``generate`` streams

Heavy history (issue 16): every card of the synthetic deck reviewed 10 times (100k cards, 1M
reviews), written as a schema-v2 history (FSRS JSON per card, undo snapshot per review) with
``executemany``/``INSERT ... SELECT``, then opened once (the upgrade to the current schema) and timed:

* first open after the v2 -> current upgrade (whole process, at 100k)  <= 15 s
* ``cardcli study`` first card <= 4 x, ``due`` <= 4 x, ``stats`` <= 5 x, ``export anki`` <= 10 x the bare
  app (median of per-run ratios, each run paired with a bare run just before it); peak memory of
  study and stats < 300 MB (at 100k); per size the cost per 1k cards above the bare app (median),
  so growth with history size can be read off

In-process figures (deck load+validate+rank cold and warm, rating latency, generator throughput,
export of 100k cards) are printed with a ratio to a fixed reference workload timed in the same run
(sorting 100k random floats in Python), and per size with the cost per 1k cards, so growth with
deck size can be read off (linear when the per-1k figure stays flat).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BARE_APP = textwrap.dedent(
    """
    import typer
    app = typer.Typer()
    @app.command()
    def hello(name: str = "x"):
        print(name)
    @app.command()
    def bye(name: str = "x"):
        print(name)
    app()
    """
)


# -- helpers -------------------------------------------------------------------------------
def synthetic_deck(path: Path, n: int) -> Path:
    """A valid deck of ``n`` cards with realistic text lengths and a few groups."""
    topics = ["conv", "pooling", "backprop", "rnn", "optimization", "loss", "regularization"]
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"deck: Synthetic {n}\nsource: bench\ncards:\n")
        for i in range(n):
            f.write(
                f"  - id: syn-{i}\n"
                f"    topic: {topics[i % len(topics)]}\n"
                f"    group: g{i // 3}\n"
                f"    front: Question {i}, what does layer {i % 97} compute for input size {i % 251}?\n"
                f"    back: Answer {i} is a cross-correlation followed by a nonlinearity (card {i}).\n"
            )
    return path


def timed_runs(cmd: list[str], stdin: str | None, env: dict, repeat: int) -> tuple[float, int]:
    """Median wall time of ``repeat`` runs, and the peak RSS (KiB) of the children."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        r = subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=env)
        times.append(time.perf_counter() - t)
        if r.returncode != 0:
            raise SystemExit(f"benchmark command failed: {' '.join(cmd)}\n{r.stderr[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return statistics.median(times), peak


def paired_runs(cmd: list[str], stdin: str | None, env: dict, base: list[str],
                repeat: int) -> tuple[float, float, float]:
    """Median wall times of ``cmd`` and of the baseline command ``base``, and the median ratio of
    each pair, run alternately (base, cmd, base, ...).

    On a shared, loaded machine the load drifts within seconds; pairing each run with a baseline
    run taken just before it keeps the ratio honest.
    """
    times, bases, ratios = [], [], []
    for _ in range(repeat):
        t = time.perf_counter()
        r = subprocess.run(base, capture_output=True, text=True, env=env)
        b = time.perf_counter() - t
        if r.returncode != 0:
            raise SystemExit(f"baseline command failed: {' '.join(base)}\n{r.stderr[-2000:]}")
        t = time.perf_counter()
        r = subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=env)
        c = time.perf_counter() - t
        if r.returncode != 0:
            raise SystemExit(f"benchmark command failed: {' '.join(cmd)}\n{r.stderr[-2000:]}")
        times.append(c)
        bases.append(b)
        ratios.append(c / b)
    return statistics.median(times), statistics.median(bases), statistics.median(ratios)


def reference_workload() -> float:
    """Seconds to sort 100k random floats in Python (median of 5): the in-process yardstick."""
    rng = random.Random(0)
    data = [rng.random() for _ in range(100_000)]
    runs = []
    for _ in range(5):
        t = time.perf_counter()
        sorted(data)
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str]] = []

    def add(self, what: str, value: str, ratio: str = "", target: str = "", ok: bool | None = None) -> None:
        verdict = "" if ok is None else ("PASS" if ok else "FAIL")
        self.rows.append((what, value, ratio, target, verdict))
        print(f"  {what:<58} {value:>12} {ratio:>10} {target:>10} {verdict:>5}", flush=True)

    def failures(self) -> list[str]:
        return [r[0] for r in self.rows if r[4] == "FAIL"]


# -- measurements --------------------------------------------------------------------------
def whole_process(table: Table, work: Path, big: Path | None, repeat: int) -> None:
    env = {**os.environ, "CARDCLI_HOME": str(work / "home-cli"), "COLUMNS": "100", "NO_COLOR": "1"}
    env.pop("CARDCLI_DECKS", None)
    bare = work / "bare_app.py"
    bare.write_text(BARE_APP)
    py = sys.executable
    # warm the OS file cache once for each
    for cmd in ([py, str(bare), "--help"], [py, "-m", "cardcli", "--help"]):
        subprocess.run(cmd, capture_output=True, env=env)
    base, _ = timed_runs([py, str(bare), "--help"], None, env, repeat)
    table.add("baseline: bare typer app --help (whole process)", f"{base * 1000:.0f} ms", "1.00x")
    helps, _ = timed_runs([py, "-m", "cardcli", "--help"], None, env, repeat)
    table.add("cardcli --help", f"{helps * 1000:.0f} ms", f"{helps / base:.2f}x", "<= 1.30x", helps / base <= 1.3)
    first, _ = timed_runs([py, "-m", "cardcli", "study"], "q\n", env, repeat)
    table.add("cardcli study, first card (bundled decks, stdin q)", f"{first * 1000:.0f} ms",
              f"{first / base:.2f}x", "<= 1.80x", first / base <= 1.8)
    if big is not None:
        cmd = [py, "-m", "cardcli", "study", "--decks", str(big)]
        t0 = time.perf_counter()
        subprocess.run(cmd, input="q\n", capture_output=True, text=True, env=env)  # fills the parse cache
        cold = time.perf_counter() - t0
        table.add(f"cardcli study, first card, {big.stem} deck, cold (parse)", f"{cold * 1000:.0f} ms",
                  f"{cold / base:.2f}x")
        warm, _ = timed_runs(cmd, "q\n", env, repeat)
        table.add(f"cardcli study, first card, {big.stem} deck, seen before", f"{warm * 1000:.0f} ms",
                  f"{warm / base:.2f}x", "<= 4.00x", warm / base <= 4.0)
        # peak memory of one study process at this size (fresh measurement in a child)
        code = (
            "import resource, subprocess, sys;"
            f"subprocess.run({cmd!r}, input='q\\n', capture_output=True, text=True);"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
        )
        r = subprocess.run([py, "-c", code], capture_output=True, text=True, env=env)
        mb = int(r.stdout.strip()) / 1024
        table.add(f"peak memory, cardcli study, {big.stem} deck", f"{mb:.0f} MB", "", "< 300 MB", mb < 300)


def load_rank(table: Table, work: Path, sizes: list[int], ref: float) -> dict[int, Path]:
    from cardcli import cache
    from cardcli.loader import load_collection
    from cardcli.scheduler import plan

    now = datetime(2026, 11, 22, 12, tzinfo=timezone.utc)
    decks: dict[int, Path] = {}
    for n in sizes:
        path = synthetic_deck(work / f"{n // 1000}k.yaml", n)
        decks[n] = path
        for label in ("cold", "warm"):
            if label == "cold":
                for f in cache.cache_dir().glob("*"):
                    f.unlink()
            t = time.perf_counter()
            col = load_collection([path], include_bundled=False)
            cards = col.cards
            queue = plan(cards, {}, now, random.Random(0), new_per_day=20, new_seen_today=0)
            queue.next()
            dt = time.perf_counter() - t
            assert len(cards) == n and not col.issues, col.issues[:3]
            if label == "warm" and path.stat().st_size < cache.MIN_SIZE:
                label = "warm, small: parsed"
            table.add(f"load+validate+rank {n:>7,} cards ({label})", f"{dt * 1000:.0f} ms",
                      f"{dt / ref:.1f}x ref", f"{dt * 1000 / (n / 1000):.2f} ms/1k")
    return decks


def rating_latency(table: Table, work: Path, n: int, ratings: int) -> None:
    """Rating-to-next-card: commit the rating (SQLite), update the queue, pick the next card."""
    from cardcli.loader import load_collection
    from cardcli.scheduler import plan, review
    from cardcli.store import ReviewRecord, Store

    path = work / f"{n // 1000}k.yaml"
    if not path.exists():
        synthetic_deck(path, n)
    cards = load_collection([path], include_bundled=False).cards
    now = datetime(2026, 11, 22, 12, tzinfo=timezone.utc)
    rng = random.Random(1)
    with Store.open(work / "latency.sqlite3") as store:
        # half the deck already reviewed and due, so the queue holds real states
        states = {}
        for c in cards[: n // 2]:
            st = review(None, rng.choice([3, 4, 5]), now - timedelta(days=rng.randint(3, 30)), card_id=c.id)
            states[c.id] = st
        queue = plan(cards, states, now, rng, new_per_day=50, new_seen_today=0)
        card = queue.next()
        lat = []
        for i in range(ratings):
            t = time.perf_counter()
            rating = rng.randint(1, 5)
            when = now + timedelta(seconds=10 * i)
            # as the session does: the new state computed in the transaction (from the committed state;
            # the half-reviewed start only lives in `states`)
            store.record(ReviewRecord(card_id=card.id, deck=card.deck, reviewed_at=when, rating=rating,
                                      duration_ms=1000),
                         lambda cur, c=card, r=rating, w=when: review(cur or states.get(c.id), r, w, card_id=c.id))
            new = states[card.id] = review(states.get(card.id), rating, when, card_id=card.id)
            queue.rated(card, rating, new, when)
            card = queue.next()
            lat.append(time.perf_counter() - t)
    lat.sort()
    p50 = lat[len(lat) // 2] * 1000
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
    table.add(f"queue + commit: rating -> next card p50 ({n:,} cards)", f"{p50:.2f} ms")
    table.add(f"queue + commit: rating -> next card p99 ({n:,} cards, {ratings})", f"{p99:.2f} ms", "",
              "< 20 ms", p99 < 20)


class _TimedKeys:
    """Drives a real Session on basic cards: Enter reveals, a digit rates; times rating -> next card.

    The latency of one rating is measured from the moment the rating key is handed to the session
    to the moment the session asks for the next key, i.e. after it committed the rating to SQLite,
    updated the queue, picked the next card and rendered its panel.
    """

    def __init__(self, ratings: int, rng: random.Random):
        self.left = ratings
        self.rng = rng
        self.reveal_next = True
        self.t_rated: float | None = None
        self.latencies: list[float] = []

    def read_key(self) -> str:
        now = time.perf_counter()
        if self.t_rated is not None:
            self.latencies.append(now - self.t_rated)
            self.t_rated = None
        if self.reveal_next:
            self.reveal_next = False
            return "\n"
        if self.left == 0:
            return "q"
        self.left -= 1
        self.reveal_next = True
        self.t_rated = time.perf_counter()
        return str(self.rng.randint(1, 5))

    def read_line(self, prompt: str = "") -> str:
        return self.read_key()


def session_latency(table: Table, work: Path, n: int, ratings: int) -> None:
    """Rating-to-next-card through the real study loop (commit + queue + render), at ``n`` cards."""
    from rich.console import Console

    from cardcli.loader import load_collection
    from cardcli.scheduler import plan, review
    from cardcli.session import Session
    from cardcli.store import Store

    path = work / f"{n // 1000}k.yaml"
    if not path.exists():
        synthetic_deck(path, n)
    cards = load_collection([path], include_bundled=False).cards
    now = datetime.now(timezone.utc)
    rng = random.Random(2)
    with Store.open(work / "session-latency.sqlite3") as store, open(os.devnull, "w") as devnull:
        states = {c.id: review(None, rng.choice([3, 4, 5]), now - timedelta(days=rng.randint(3, 30)), card_id=c.id)
                  for c in cards[: n // 2]}
        queue = plan(cards, states, now, rng, new_per_day=50, new_seen_today=0)
        keys = _TimedKeys(ratings, rng)
        console = Console(file=devnull, width=100, color_system=None)
        Session(queue, store, console, keys, states, cards, limit=ratings + 10, rng=rng).run()
    lat = sorted(keys.latencies)
    p50 = lat[len(lat) // 2] * 1000
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
    table.add(f"study loop: rating -> next card shown p50 ({n:,} cards)", f"{p50:.2f} ms")
    table.add(f"study loop: rating -> next card shown p99 ({n:,} cards, {len(lat)})", f"{p99:.2f} ms", "",
              "< 20 ms", p99 < 20)


def generators(table: Table, seconds: float) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_generators import DIAGNOSIS_TARGET_MS, baseline_rate, diagnosis_ms, family_rate

    from generators.families import FAMILIES

    family_rate("conv-forward", 1, 0.05)
    base = baseline_rate(seconds)
    table.add("baseline: tiny numpy ops", f"{base:,.0f}/s", "1.00x")
    for name in FAMILIES:
        rate = family_rate(name, 2, seconds)
        table.add(f"generate+solve {name} (difficulty 2)", f"{rate:,.0f}/s", f"{rate / base:.3f}x")
    step_ms = 1000 / base
    worst = max(diagnosis_ms(name) for name in FAMILIES)
    table.add("diagnosis of a wrong answer, worst family (difficulty 2)", f"{worst:.2f} ms",
              f"{worst / step_ms:.1f}x step", f"< {DIAGNOSIS_TARGET_MS:g} ms", worst < DIAGNOSIS_TARGET_MS)


def export(table: Table, decks: dict[int, Path], ref: float) -> None:
    from cardcli.export_anki import card_note, render
    from cardcli.loader import load_collection

    for n, path in sorted(decks.items()):
        cards = load_collection([path], include_bundled=False).cards
        t = time.perf_counter()
        text = render(card_note(c) for c in cards)
        dt = time.perf_counter() - t
        table.add(f"export anki {n:>7,} cards ({len(text) / 1e6:.1f} MB)", f"{dt * 1000:.0f} ms",
                  f"{dt / ref:.1f}x ref", f"{dt * 1000 / (n / 1000):.2f} ms/1k")


# -- heavy history (issue 16) --------------------------------------------------------------
HEAVY_REVIEWS = 10  # per card
_TEMPLATES = 97  # distinct rating histories, shifted in time per card
_EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)


def _history_templates(rng: random.Random) -> list[list[tuple]]:
    """``_TEMPLATES`` rating histories of HEAVY_REVIEWS reviews each, replayed by the real scheduler.

    Each review is (offset s, rating, state before as v2 JSON with time fields @D @L @F, its
    due/last/first offsets, state after). Times are whole seconds from _EPOCH; FSRS only looks at
    differences, so a history shifted by a constant has the same stabilities, shifted due times.
    """
    import json

    from cardcli.scheduler import review

    out = []
    for _ in range(_TEMPLATES):
        t = _EPOCH
        st = None
        rows = []
        for _k in range(HEAVY_REVIEWS):
            rating = rng.choices([1, 2, 3, 4, 5], [8, 4, 15, 53, 20])[0]
            before = None
            if st is not None:
                d = st.to_dict()
                d["memory"]["due"], d["memory"]["last_review"], d["first_review"] = "@D", "@L", "@F"
                before = (json.dumps(d), _secs(st.due), _secs(st.last_review), _secs(st.first_review))
            st = review(st, rating, t, card_id="x")
            rows.append((_secs(t), rating, before, st))
            # the next review: when it falls due, up to three days late
            t = max(st.due, t + timedelta(minutes=1)) + timedelta(seconds=rng.randrange(0, 3 * 86400))
            t = t.replace(microsecond=0)
        out.append(rows)
    return out


def _secs(dt: datetime | None) -> int | None:
    return None if dt is None else int((dt - _EPOCH).total_seconds())


def build_v2_history(path: Path, cards: int, now: datetime, seed: int = 0) -> tuple[int, int]:
    """A schema-v2 history: ``cards`` synthetic cards (ids syn-i) each reviewed HEAVY_REVIEWS times.

    Each card falls due uniformly between three days before ``now`` and the end of its last interval
    (a student who keeps up). Returns (reviews, cards due by the end of today).
    """
    import json
    import sqlite3

    from cardcli.store import MIGRATIONS

    rng = random.Random(seed)
    templates = _history_templates(rng)
    con = sqlite3.connect(str(path), isolation_level=None)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("BEGIN")
    for _name, step in MIGRATIONS[:2]:
        step(con)
    con.execute("PRAGMA user_version = 2")
    e0 = int(_EPOCH.timestamp())
    con.execute("CREATE TEMP TABLE tr (t INTEGER, k INTEGER, off INTEGER, rating INTEGER, before TEXT, "
                "bdue INTEGER, blast INTEGER, bfirst INTEGER)")
    con.execute("CREATE TEMP TABLE ts (t INTEGER PRIMARY KEY, fsrs TEXT, due INTEGER, last INTEGER, "
                "first INTEGER, last_rating INTEGER, reps INTEGER, lapses INTEGER)")
    con.execute("CREATE TEMP TABLE tc (i INTEGER PRIMARY KEY, t INTEGER, shift INTEGER)")
    for t, rows in enumerate(templates):
        con.executemany("INSERT INTO tr VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [(t, k, off, rating, *(before or (None, None, None, None)))
                         for k, (off, rating, before, _st) in enumerate(rows)])
        st = rows[-1][3]
        m = st.memory.to_dict()
        m["due"], m["last_review"] = "@D", "@L"
        con.execute("INSERT INTO ts VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (t, json.dumps(m), _secs(st.due), _secs(st.last_review), _secs(st.first_review),
                     st.last_rating, st.reps, st.lapses))
    # a student who keeps up: each card falls due between 3 days ago and the end of its interval
    end = int((now - _EPOCH).total_seconds())
    fin = {t: (_secs(rows[-1][3].due), _secs(rows[-1][3].due) - rows[-1][0]) for t, rows in enumerate(templates)}
    shifts = []
    for i in range(cards):
        due_at, interval = fin[i % _TEMPLATES]
        shifts.append((i, i % _TEMPLATES, end + rng.randrange(-3 * 86400, max(interval, 3600)) - due_at))
    con.executemany("INSERT INTO tc VALUES (?, ?, ?)", shifts)
    canon = f"strftime('%Y-%m-%dT%H:%M:%S', {e0} + ?1, 'unixepoch') || '.000000+00:00'"
    iso = f"strftime('%Y-%m-%dT%H:%M:%S', {e0} + ?1, 'unixepoch') || '+00:00'"
    c = lambda x: canon.replace("?1", f"({x})")  # noqa: E731
    i_ = lambda x: iso.replace("?1", f"({x})")  # noqa: E731
    before = (f"replace(replace(replace(r.before, '@D', {i_('c.shift + r.bdue')}), '@L', "
              f"{i_('c.shift + r.blast')}), '@F', {i_('c.shift + r.bfirst')})")
    deck = f"Synthetic {cards}"
    con.execute(
        f"""INSERT INTO reviews (card_id, reviewed_at, rating, deck, duration_ms, kind, state_before)
            SELECT 'syn-' || c.i, {c('c.shift + r.off')}, r.rating, ?, 1000 + (c.i * 7 + r.k) % 9000, 'review',
                   CASE WHEN r.before IS NULL THEN NULL ELSE {before} END
            FROM tc c JOIN tr r ON r.t = c.t ORDER BY c.i, r.k""", (deck,))
    con.execute(
        f"""INSERT INTO card_state (card_id, fsrs, due, deck, last_rating, reps, lapses, first_review, last_review)
            SELECT 'syn-' || c.i,
                   replace(replace(s.fsrs, '@D', {i_('c.shift + s.due')}), '@L', {i_('c.shift + s.last')}),
                   {c('c.shift + s.due')}, ?, s.last_rating, s.reps, s.lapses, {c('c.shift + s.first')},
                   {c('c.shift + s.last')}
            FROM tc c JOIN ts s ON s.t = c.t""", (deck,))
    horizon = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc)
    due = con.execute("SELECT count(*) FROM card_state WHERE due < ?",
                      (horizon.isoformat(timespec="microseconds"),)).fetchone()[0]
    n = con.execute("SELECT count(*) FROM reviews").fetchone()[0]
    con.execute("COMMIT")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return n, due


def heavy_history(table: Table, work: Path, decks: dict[int, Path], repeat: int) -> None:
    """Study, due, stats and export on a fully reviewed deck (HEAVY_REVIEWS reviews a card)."""
    py = sys.executable
    bare = work / "bare_app.py"
    bare.write_text(BARE_APP)
    base_env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1"}
    base_env.pop("CARDCLI_DECKS", None)
    subprocess.run([py, str(bare), "--help"], capture_output=True, env=base_env)
    base, _ = timed_runs([py, str(bare), "--help"], None, base_env, repeat)
    table.add("baseline: bare typer app --help (whole process)", f"{base * 1000:.0f} ms", "1.00x")
    now = datetime.now(timezone.utc)
    largest = max(decks)
    seen: dict[str, list[tuple[int, float]]] = {}  # command -> [(cards, seconds)]
    for n, deck in sorted(decks.items()):
        home = work / f"home-heavy-{n}"
        home.mkdir()
        db = home / "cardcli.sqlite3"
        env = {**base_env, "CARDCLI_HOME": str(home)}
        t = time.perf_counter()
        reviews, due = build_v2_history(db, n, now)
        built = time.perf_counter() - t
        size = db.stat().st_size / 1e6
        table.add(f"build v2 history {n:,} cards, {reviews:,} reviews ({size:.0f} MB, {due:,} due)",
                  f"{built:.1f} s")
        opener = [py, "-c", "from cardcli.store import Store; Store.open().close()"]
        t = time.perf_counter()
        r = subprocess.run(opener, capture_output=True, text=True, env=env)
        first = time.perf_counter() - t
        if r.returncode != 0:
            raise SystemExit(f"upgrade failed: {r.stderr[-2000:]}")
        table.add(f"first open: upgrade v2 -> v{_schema()} + full check, {n:,} cards", f"{first:.2f} s", "",
                  "<= 15 s" if n == largest else "", first <= 15 if n == largest else None)
        again, _ = timed_runs(opener, None, env, repeat)
        table.add(f"open again (file as cardcli left it), {n:,} cards", f"{again * 1000:.0f} ms",
                  f"{again / base:.2f}x")
        out = work / f"heavy-{n}.txt"
        commands = [
            ("study, first card", ["study", "--decks", str(deck)], "q\n", 4.0),
            ("due", ["due", "--decks", str(deck)], None, 4.0),
            ("stats", ["stats", "--decks", str(deck)], None, 5.0),
            ("export anki", ["export", "anki", "--decks", str(deck), "-o", str(out)], None, 10.0),
        ]
        for label, args, stdin, target in commands:
            cmd = [py, "-m", "cardcli", *args]
            subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=env)  # parse cache
            t, _, ratio = paired_runs(cmd, stdin, env, [py, str(bare), "--help"], repeat)
            seen.setdefault(label, []).append((n, t))
            per_k = (t - base) * 1000 / (n / 1000)
            check = n == largest
            table.add(f"heavy {n:>7,} cards: {label}", f"{t * 1000:.0f} ms", f"{ratio:.2f}x",
                      f"<= {target:.2f}x" if check else f"{per_k:.2f} ms/1k", ratio <= target if check else None)
            if check:
                table.add(f"heavy {n:>7,} cards: {label}, cost above the bare app", f"{per_k:.2f} ms/1k")
            if check and label in ("study, first card", "stats"):
                code = ("import resource, subprocess, sys;"
                        f"subprocess.run({cmd!r}, input={stdin!r}, capture_output=True, text=True);"
                        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
                r = subprocess.run([py, "-c", code], capture_output=True, text=True, env=env)
                mb = int(r.stdout.strip()) / 1024
                table.add(f"peak memory, heavy {n:,} cards: {label}", f"{mb:.0f} MB", "", "< 300 MB", mb < 300)
    # growth: what each further 1k cards (10k reviews) costs between sizes; flat means linear
    for label, runs in seen.items():
        steps = [f"{a // 1000}k-{b // 1000}k {(tb - ta) * 1e6 / (b - a):.2f}"
                 for (a, ta), (b, tb) in zip(runs, runs[1:])]
        if steps:
            table.add(f"heavy {label}: ms per extra 1k cards, {', '.join(steps)}", "")


ANKI_FIRST_CARD = textwrap.dedent(
    """
    import sys
    from anki.collection import Collection
    col = Collection(sys.argv[1])
    col.decks.select(col.decks.id_for_name("Bench"))
    queued = col.sched.get_queued_cards()
    card = col.get_card(queued.cards[0].card.id)
    html = card.question()
    assert html and card.id
    col.close()
    """
)


def build_anki_collection(path: Path, cards: int, reviews: int = HEAVY_REVIEWS) -> int:
    """An Anki collection of ``cards`` Basic notes in deck "Bench", each reviewed ``reviews`` times
    (revlog rows), cards in the review queue with about 1 in 12 due today; returns the revlog rows.
    Notes go in through Anki's own API; the revlog and card states are written in one SQLite
    transaction (Anki's per-statement DB proxy would take minutes for 1M rows)."""
    import sqlite3

    from anki.collection import AddNoteRequest, Collection

    col = Collection(str(path))
    did = col.decks.id("Bench")
    model = col.models.by_name("Basic")
    requests = []
    for i in range(cards):
        note = col.new_note(model)
        note["Front"] = f"Card {i}: what is the output size of a 3x3 conv on a {i % 200 + 8}x{i % 200 + 8} input?"
        note["Back"] = f"{i % 200 + 6}x{i % 200 + 6}"
        requests.append(AddNoteRequest(note, did))
    col.add_notes(requests)
    today = col.sched.today
    ids = col.db.list("SELECT id FROM cards")
    col.close()
    start = int(time.time() * 1000) - reviews * 3 * 86_400_000
    rows = []
    for k, cid in enumerate(ids):
        ivl = 1
        for r in range(reviews):
            ivl = max(1, int(ivl * 2.5))
            rows.append((start + r * 3 * 86_400_000 + k, cid, -1, 3, ivl, ivl // 2, 2500, 8000, 1))
    con = sqlite3.connect(path)
    with con:
        con.executemany("INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        con.execute("UPDATE cards SET type = 2, queue = 2, ivl = 30, factor = 2500, reps = ?, "
                    "due = ? + (id % 12) - 11", (reviews, today))
    con.close()
    return len(rows)


def anki_peer(table: Table, work: Path, decks: dict[int, Path], repeat: int) -> None:
    """First card on a heavy history: cardcli against Anki's own engine (the ``anki`` package) on a
    collection of the same size, whole processes run alternately (cardcli, Anki, cardcli, ...)."""
    py = sys.executable
    base_env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1"}
    base_env.pop("CARDCLI_DECKS", None)
    base_env.pop("PYTHONDONTWRITEBYTECODE", None)  # compiled bytecode, as installed (see startup)
    script = work / "anki_first_card.py"
    script.write_text(ANKI_FIRST_CARD)
    now = datetime.now(timezone.utc)
    for n, deck in sorted(decks.items()):
        home = work / f"home-peer-{n}"
        home.mkdir()
        env = {**base_env, "CARDCLI_HOME": str(home)}
        reviews, _ = build_v2_history(home / "cardcli.sqlite3", n, now)
        study = [py, "-m", "cardcli", "study", "--decks", str(deck)]
        subprocess.run(study, input="q\n", capture_output=True, text=True, env=env)  # upgrade + parse cache
        t = time.perf_counter()
        rows = build_anki_collection(work / f"peer-{n}.anki2", n)
        table.add(f"build Anki collection {n:,} cards, {rows:,} revlog rows", f"{time.perf_counter() - t:.1f} s")
        anki = [py, str(script), str(work / f"peer-{n}.anki2")]
        subprocess.run(anki, capture_output=True, env=env)  # warm the file cache
        ours, theirs, ratio = paired_runs(study, "q\n", env, anki, repeat)
        table.add(f"peer {n:>7,} cards: Anki engine, first card (open, select deck, queue, render)",
                  f"{theirs * 1000:.0f} ms", "1.00x")
        table.add(f"peer {n:>7,} cards: cardcli study, first card ({reviews:,} reviews)",
                  f"{ours * 1000:.0f} ms", f"{ratio:.2f}x", "<= 1.00x", ratio <= 1.0)


def startup(table: Table, work: Path, repeat: int) -> None:
    """The first card of ``cardcli study`` on the bundled decks against a bare typer app running a
    command (not its ``--help``, which loads rich), runs paired (bare, cardcli, bare, ...)."""
    py = sys.executable
    env = {**os.environ, "CARDCLI_HOME": str(work / "home-startup"), "COLUMNS": "100", "NO_COLOR": "1"}
    env.pop("CARDCLI_DECKS", None)
    # an installed package has its bytecode compiled (pip does it; typer's is): a checkout run with
    # PYTHONDONTWRITEBYTECODE=1 would recompile cardcli's modules on every run, and only cardcli's
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    bare = work / "bare_app.py"
    bare.write_text(BARE_APP)
    hello = [py, str(bare), "hello"]
    study = [py, "-m", "cardcli", "study"]
    for cmd in (hello, study):  # warm the file cache (and cardcli's parse cache)
        subprocess.run(cmd, input="q\n", capture_output=True, text=True, env=env)
    ours, bares, ratio = paired_runs(study, "q\n", env, hello, repeat)
    table.add("baseline: bare typer app, a command (whole process)", f"{bares * 1000:.0f} ms",
              "1.00x")
    table.add("cardcli study, first card (bundled decks, stdin q)", f"{ours * 1000:.0f} ms",
              f"{ratio:.2f}x", "<= 2.00x", ratio <= 2.0)


def _schema() -> int:
    from cardcli.store import SCHEMA_VERSION

    return SCHEMA_VERSION
MEASURE_CHILD = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "r = subprocess.run(sys.argv[1:], capture_output=True, timeout=120)\n"
    "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)\n"
)

ANSWER_CHILD = (
    "import json, sys, time, tracemalloc\n"
    "from cardcli.answers import parse_answer\n"
    "text, kind, expected = json.loads(sys.argv[1])\n"
    "try:\n"
    "    parse_answer('12', kind, expected)  # warm the imports and regexes\n"
    "except Exception:\n"
    "    pass  # '12' is no matrix: the regexes are warm all the same\n"
    "tracemalloc.start()\n"
    "t = time.perf_counter()\n"
    "try:\n"
    "    parse_answer(text, kind, expected)\n"
    "    outcome = 'read'\n"
    "except Exception as e:\n"
    "    outcome = type(e).__name__\n"
    "dt = time.perf_counter() - t\n"
    "print(dt, tracemalloc.get_traced_memory()[1], outcome)\n"
)

#: typed answers from issue 10 (item 5): (label, text, kind, expected)
LONG_ANSWERS = [
    ("baseline: typed answer '12'", "12", "int", 12),
    ("typed answer 1x10^400", "1x10^400", "float", 1.0),
    ("typed answer: 400 digits / 3", "7" * 400 + "/3", "float", 1.0),
    ("typed answer: 5,000 digits", "9" * 5000, "int", 1),
    ("typed answer: one line of 100,000 digits", "1" * 100_000, "matrix", [[1, 2], [3, 4]]),
]


def hostile(table: Table, work: Path) -> None:
    """``cardcli check`` on each hostile deck of tests/hostile.py (whole process: time and peak RSS, ratio
    to checking a one-card deck), and the long typed answers (in a child: parse time and peak
    allocation, ratio to parsing '12'). Targets (issue 10): a hostile deck is rejected (or loaded)
    within 1 s and 100 MB more than the one-card deck; a typed answer is read or refused as a format
    error (no other exception) in < 50 ms."""
    sys.path.insert(0, str(ROOT / "tests"))
    from hostile import HOSTILE, write

    env = {**os.environ, "CARDCLI_HOME": str(work / "home-hostile"), "NO_COLOR": "1"}
    env.pop("CARDCLI_DECKS", None)
    py = sys.executable
    folder = work / "hostile"
    folder.mkdir(exist_ok=True)

    def measure(deck: Path) -> tuple[float, float, int]:
        r = subprocess.run([py, "-c", MEASURE_CHILD, py, "-m", "cardcli", "check", str(deck)], capture_output=True,
                           text=True, env=env, timeout=300)
        dt, kb, code = r.stdout.split()
        return float(dt), int(kb) / 1024, int(code)

    tiny = folder / "one-card.yaml"
    tiny.write_text("deck: One\nsource: s\ncards:\n  - {id: one, topic: conv, front: f, back: b}\n")
    runs = [measure(tiny) for _ in range(3)]
    base_t = statistics.median(r[0] for r in runs)
    base_mb = statistics.median(r[1] for r in runs)
    table.add("baseline: cardcli check, one-card deck", f"{base_t * 1000:.0f} ms", "1.00x", f"{base_mb:.0f} MB")
    for name, (text, _) in HOSTILE.items():
        dt, mb, code = measure(write(folder, name))
        ok = dt - base_t < 1.0 and mb - base_mb < 100
        table.add(f"check: {name} ({len(text.encode()):,} B, exit {code})", f"{dt * 1000:.0f} ms",
                  f"{dt / base_t:.2f}x", f"{mb:.0f} MB {mb / base_mb:.2f}x", ok)
    base = None
    for label, text, kind, expected in LONG_ANSWERS:
        try:
            r = subprocess.run([py, "-c", ANSWER_CHILD, json.dumps([text, kind, expected])], capture_output=True,
                               text=True, env=env, timeout=60)
            dt_s, peak_s, outcome = r.stdout.split()
            dt, peak = float(dt_s), int(peak_s) / 1e6
        except subprocess.TimeoutExpired:
            table.add(label, "> 60 s", "", "< 50 ms", False)
            continue
        except ValueError:  # the child died: its last line says why
            table.add(f"{label} (crashed: {(r.stderr.strip().splitlines() or ['?'])[-1][:40]})", "-", "",
                      "< 50 ms", False)
            continue
        if base is None:
            base = dt
            table.add(label, f"{dt * 1000:.2f} ms", "1.00x", f"{peak:.2f} MB")
            continue
        # a grade or a format error is fine; any other exception would end a study session
        table.add(f"{label} ({outcome})", f"{dt * 1000:.2f} ms", f"{dt / base:.0f}x", f"{peak:.2f} MB",
                  dt < 0.05 and outcome in ("read", "AnswerFormatError"))


#: issue 23's resource figures: (label, target seconds, target MB)
RESOURCE_TARGETS = {
    "import": (60.0, 400), "upgrade": (10.0, 300), "optimize": (45.0, 800), "bounded": (5.0, 200),
}


def _v1_history(path: Path, cards: int, reviews_each: int = 3) -> None:
    import sqlite3

    con = sqlite3.connect(str(path))
    con.executescript((ROOT / "tests" / "fixtures" / "schema_v1.sql").read_text())
    fsrs = ('{"card_id": 0, "state": 2, "step": null, "stability": 12.5, "difficulty": 4.2, '
            '"due": "2026-10-13T09:10:00+00:00", "last_review": "2026-10-01T09:10:00+00:00"}')
    con.executemany("INSERT INTO card_state (card_id, fsrs, due) VALUES (?, ?, ?)",
                    [(f"c{i}", fsrs, "2026-10-13T09:10:00.000000+00:00") for i in range(cards)])
    con.executemany("INSERT INTO reviews (card_id, reviewed_at, rating) VALUES (?, ?, ?)",
                    [(f"c{i}", f"2026-10-01T09:{k:02d}:00.000000+00:00", 3)
                     for i in range(cards) for k in range(reviews_each)])
    con.commit()
    con.close()


def hostile_resources(table: Table, work: Path, quick: bool) -> None:
    """Issue 23: whole-process time and peak RSS of the big inputs (a 200k-row Quizlet import, the
    schema-v1 upgrade of 8,000 cards, ``optimize --dry-run`` on 1M reviews) and of the bounded ones
    (a 49 MB line, ``--template /dev/zero``, ``generate -n 20000`` streamed), against the targets of
    RESOURCE_TARGETS."""
    py = sys.executable
    env = {**os.environ, "NO_COLOR": "1", "CARDCLI_NOW": "2026-12-01T09:00:00+00:00"}
    env.pop("CARDCLI_DECKS", None)

    def measure(args: list[str], home: Path, cwd: Path | None = None) -> tuple[float, float, int]:
        r = subprocess.run([py, "-c", MEASURE_CHILD.replace("timeout=120", "timeout=600"), py, "-m", "cardcli",
                            *args], capture_output=True, text=True, env={**env, "CARDCLI_HOME": str(home)},
                           timeout=900, cwd=cwd)
        dt, kb, code = r.stdout.split()
        return float(dt), int(kb) / 1024, int(code)

    def row(label: str, kind: str, dt: float, mb: float, code: int, want_ok: bool = True) -> None:
        t_max, mb_max = RESOURCE_TARGETS[kind]
        ok = dt < t_max and mb < mb_max and ((code == 0) == want_ok)
        table.add(f"{label} (exit {code})", f"{dt:.2f} s", f"{mb:.0f} MB", f"<{t_max:.0f} s <{mb_max} MB", ok)

    rows = 20_000 if quick else 200_000
    rng = random.Random(0)
    words = ["conv", "stride", "padding", "relu", "softmax", "gradient", "kernel", "pool", "loss", "batch"]
    src = work / "quizlet-rows.txt"
    src.write_text("".join(f"{rng.choice(words)} {i}\t{rng.choice(words)} {rng.choice(words)}\n"
                           for i in range(rows)))
    dt, mb, code = measure(["import", str(src), "-o", str(work / "imported.yaml"), "--format", "quizlet"],
                           work / "home-import")
    row(f"import: {rows:,} Quizlet rows ({src.stat().st_size / 1e6:.1f} MB)", "import", dt, mb, code)

    cards = 2_000 if quick else 8_000
    home = work / "home-v1"
    home.mkdir(exist_ok=True)
    _v1_history(home / "cardcli.sqlite3", cards)
    dt, mb, code = measure(["stats"], home)
    row(f"schema-v1 upgrade: {cards:,} cards, {3 * cards:,} reviews (first stats)", "upgrade", dt, mb, code)

    n = 10_000 if quick else 100_000
    home = work / "home-optimize"
    home.mkdir(exist_ok=True)
    reviews, _ = build_v2_history(home / "cardcli.sqlite3", n, datetime(2026, 12, 1, 9, tzinfo=timezone.utc))
    measure(["stats"], home)  # the upgrade, not counted below
    dt, mb, code = measure(["optimize", "--dry-run"], home)
    row(f"optimize --dry-run: {reviews:,} reviews", "optimize", dt, mb, code)

    long_line = work / "one-line.txt"
    with long_line.open("wb") as f:
        f.write(b"q\ta\n")
        for _ in range(49):
            f.write(b"x" * 1_000_000)
        f.write(b"\n")
    dt, mb, code = measure(["import", str(long_line), "--dry-run"], work / "home-bounded")
    row("import: a 49 MB line (rejected)", "bounded", dt, mb, code, want_ok=False)
    if Path("/dev/zero").exists():
        dt, mb, code = measure(["exam", "mock", "--template", "/dev/zero", "--print", "-"], work / "home-bounded")
        row("exam mock --template /dev/zero (refused)", "bounded", dt, mb, code, want_ok=False)
    dt, mb, code = measure(["generate", "conv-forward", "-n", "2000"], work / "home-bounded")
    dt2, mb2, code2 = measure(["generate", "conv-forward", "-n", "20000"], work / "home-bounded")
    table.add("generate -n 20000 vs -n 2000 (streamed: memory flat)", f"{dt2:.1f} s", f"{mb2:.0f} MB",
              f"<= {mb:.0f} MB + 20", mb2 <= mb + 20 and code2 == 0)



def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="cardcli benchmark (see the module docstring)")
    ap.add_argument("--sizes", default=None, help="synthetic deck sizes (default 1000,10000,100000)")
    ap.add_argument("--repeat", type=int, default=7, help="runs per whole-process figure (median)")
    ap.add_argument("--ratings", type=int, default=500, help="ratings for the latency figure")
    ap.add_argument("--quick", action="store_true", help="small sizes and few repeats (smoke test)")
    ap.add_argument("--only", choices=["heavy", "startup", "anki"], default=None,
                    help="run only this part (with its decks): the heavy history, the start-up ratio, or the "
                         "first card against Anki's engine on the same heavy history")
    ap.add_argument("--hostile", action="store_true", help="only the hostile-input section")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in (args.sizes or "1000,10000,100000").split(",")]
    if args.quick:  # an explicit --sizes is kept (e.g. --quick --sizes 100000 for the warm start)
        sizes = sizes if args.sizes else [1000, 5000]
        args.repeat, args.ratings = 2, 50
    with tempfile.TemporaryDirectory(prefix="cardcli-bench-") as tmp:
        work = Path(tmp)
        os.environ["CARDCLI_HOME"] = str(work / "home")
        table = Table()
        print(f"cardcli benchmark  python {sys.version.split()[0]}  {os.cpu_count()} cpus  "
              f"sizes {', '.join(f'{s:,}' for s in sizes)}")
        ref = reference_workload()
        print(f"\n  {'figure':<58} {'value':>12} {'ratio':>10} {'target':>10} {'':>5}")
        table.add("reference: sort 100k floats (in-process yardstick)", f"{ref * 1000:.1f} ms", "1.0x ref")
        if args.only == "startup":
            print("\nStart-up (whole process, paired runs; ratio to a bare typer app running a command)")
            startup(table, work, args.repeat)
            failed = table.failures()
            print("\nall targets met" if not failed else f"\ntargets missed: {', '.join(failed)}")
            return 1 if failed else 0
        if args.only == "anki":
            decks = {n: synthetic_deck(work / f"{n // 1000}k.yaml", n) for n in sizes}
            print(f"\nPeer: first card on a heavy history ({HEAVY_REVIEWS} reviews a card), cardcli against "
                  "Anki's engine (whole processes, run alternately)")
            anki_peer(table, work, decks, args.repeat)
            failed = table.failures()
            print("\nall targets met" if not failed else f"\ntargets missed: {', '.join(failed)}")
            return 1 if failed else 0
        if args.only == "heavy":
            decks = {n: synthetic_deck(work / f"{n // 1000}k.yaml", n) for n in sizes}
            print(f"\nHeavy history ({HEAVY_REVIEWS} reviews a card; whole process, ratio to the bare typer app)")
            heavy_history(table, work, decks, args.repeat)
            failed = table.failures()
            print("\nall targets met" if not failed else f"\ntargets missed: {', '.join(failed)}")
            return 1 if failed else 0
        print("\nHostile input (issue 10): time and peak memory, ratio to the one-card deck / typed '12'")
        hostile(table, work)
        if args.hostile:
            print("\nResources (issue 23): whole process, time and peak RSS")
            hostile_resources(table, work, args.quick)
            failed = table.failures()
            print("\nall targets met" if not failed else f"\ntargets missed: {', '.join(failed)}")
            return 1 if failed else 0
        print("\nIn-process: deck load + validate + rank (cold = parse; warm = parse cache)")
        decks = load_rank(table, work, sizes, ref)
        print("\nIn-process: rating latency")
        rating_latency(table, work, max(sizes), args.ratings)
        session_latency(table, work, max(sizes), args.ratings)
        print("\nIn-process: export")
        export(table, decks, ref)
        print("\nIn-process: problem generators")
        generators(table, 0.05 if args.quick else 0.3)
        print("\nWhole process (median of runs; ratio to the bare typer app)")
        whole_process(table, work, decks[max(sizes)], args.repeat)
        print(f"\nHeavy history ({HEAVY_REVIEWS} reviews a card; whole process, ratio to the bare typer app)")
        heavy_history(table, work, decks, args.repeat)
        failed = table.failures()
        print("\nall targets met" if not failed else f"\ntargets missed: {', '.join(failed)}")
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
