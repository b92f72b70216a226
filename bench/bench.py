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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="cardcli benchmark (see the module docstring)")
    ap.add_argument("--sizes", default=None, help="synthetic deck sizes (default 1000,10000,100000)")
    ap.add_argument("--repeat", type=int, default=7, help="runs per whole-process figure (median)")
    ap.add_argument("--ratings", type=int, default=500, help="ratings for the latency figure")
    ap.add_argument("--quick", action="store_true", help="small sizes and few repeats (smoke test)")
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
        print("\nHostile input (issue 10): time and peak memory, ratio to the one-card deck / typed '12'")
        hostile(table, work)
        if args.hostile:
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
        failed = table.failures()
        print("\nall targets met" if not failed else f"\ntargets missed: {', '.join(failed)}")
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
