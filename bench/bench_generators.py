"""Problems generated + solved per second, per family and difficulty; mistake diagnosis time.

Run: ``python bench/bench_generators.py [--seconds 0.3] [--wall] [--family NAME]``. Rates are per second of this
process's CPU time (``time.process_time``), so other jobs on a shared machine do not lower them;
``--wall`` measures wall-clock time instead. The ``ratio`` column compares each
family's rate with a baseline measured in the same run (a loop of tiny NumPy ops: draw a 5×5
integer matrix and a 3×3 kernel and sum one patch product — about what a hand-sized problem
costs without any text), so numbers are comparable across machines.

Diagnosis: the time :func:`cardcli.diagnosis.diagnose_problem` takes for one wrong answer (each
mistake's own answer to difficulty-2 problems, and a wrong answer no mistake gives), per family,
as milliseconds and as a multiple of one baseline step; the target is < 5 ms per answer.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from generators.families import FAMILIES, problem  # noqa: E402

__all__ = ["baseline_rate", "diagnosis_ms", "family_cpu_rate", "family_rate", "main", "DIAGNOSIS_TARGET_MS",
           "RATE_TARGET"]

DIAGNOSIS_TARGET_MS = 5.0
#: problems generated + solved per second at difficulty 1, per family (issues 25 and 26)
RATE_TARGET = 1000


#: the clock rates are measured with (``main`` switches it to wall-clock time for ``--wall``)
CLOCK = time.process_time


def _rate(step, seconds: float) -> float:
    n, start = 0, CLOCK()
    while True:
        step(n)
        n += 1
        elapsed = CLOCK() - start
        if elapsed >= seconds and n >= 5:
            return n / elapsed


def baseline_rate(seconds: float) -> float:
    def step(i: int) -> None:
        rng = np.random.default_rng(i)
        x = rng.integers(-3, 6, size=(5, 5))
        k = rng.integers(-2, 3, size=(3, 3))
        float((x[:3, :3] * k).sum())

    return _rate(step, seconds)


def family_rate(family: str, difficulty: int, seconds: float) -> float:
    return _rate(lambda i: problem(family, 0, difficulty, i), seconds)


def family_cpu_rate(family: str, difficulty: int, seconds: float) -> float:
    """Problems per second of this process's CPU time (on a shared machine the wall-clock rate also
    measures the other jobs' load; this one does not)."""
    n, start = 0, time.process_time()
    while True:
        problem(family, 0, difficulty, n)
        n += 1
        used = time.process_time() - start
        if used >= seconds and n >= 5:
            return n / used


def diagnosis_ms(family: str, difficulty: int = 2, problems: int = 20) -> float:
    """Mean milliseconds to diagnose one wrong answer of ``family`` (worst kind: every mistake run)."""
    from cardcli.diagnosis import diagnose_problem
    from generators.families import mistake_answers

    cases = []
    for i in range(problems):
        p = problem(family, 1, difficulty, i)
        wrongs = [w for _, w in mistake_answers(family, p.params)]
        cases.extend((p, w) for w in wrongs[:3])
        if not isinstance(p.answer, (list, dict)):
            cases.append((p, p.answer * 3 + 1 if isinstance(p.answer, int) else p.answer * 3.7))
    start = time.perf_counter()
    for p, value in cases:
        diagnose_problem(p, value)
    return (time.perf_counter() - start) / max(1, len(cases)) * 1000


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=0.3, help="time per measurement")
    ap.add_argument("--wall", action="store_true", help="wall-clock time instead of this process's CPU time")
    ap.add_argument("--family", action="append", default=None, help="only this family (repeatable)")
    args = ap.parse_args(argv)
    global CLOCK
    CLOCK = time.perf_counter if args.wall else time.process_time
    families = args.family or list(FAMILIES)
    problem("conv-forward", 0, 1, 0)  # warm the solver imports
    base = baseline_rate(args.seconds)
    print(f"baseline (tiny numpy ops): {base:,.0f} /s")
    print(f"{'family':<29} {'d':>1} {'problems/s':>11} {'ratio':>7} {'per cpu-s':>10}  "
          f"target (difficulty 1: >= {RATE_TARGET:,} per cpu-s)")
    slow = []
    for name in families:
        for d in (1, 2, 3):
            rate = family_rate(name, d, args.seconds)
            cpu = family_cpu_rate(name, d, args.seconds) if d == 1 else None
            verdict = ("PASS" if cpu >= RATE_TARGET else "FAIL") if cpu is not None else ""
            if verdict == "FAIL":
                slow.append(name)
            cpu_text = f"{cpu:>10,.0f}" if cpu is not None else f"{'':>10}"
            print(f"{name:<29} {d:>1} {rate:>11,.0f} {rate / base:>7.3f} {cpu_text}  {verdict}")
    print(f"difficulty 1 below {RATE_TARGET:,} per cpu-second: {', '.join(slow) if slow else 'none (PASS)'}")
    step_ms = 1000 / base
    print(f"\ndiagnosis of one wrong answer (difficulty 2; ratio = multiples of one baseline step, "
          f"{step_ms:.3f} ms); target < {DIAGNOSIS_TARGET_MS:g} ms")
    print(f"{'family':<29} {'ms/answer':>9} {'ratio':>7}  ok")
    worst = 0.0
    for name in families:
        ms = diagnosis_ms(name)
        worst = max(worst, ms)
        print(f"{name:<29} {ms:>9.3f} {ms / step_ms:>6.1f}x  {'PASS' if ms < DIAGNOSIS_TARGET_MS else 'FAIL'}")
    print(f"worst: {worst:.3f} ms per answer ({'PASS' if worst < DIAGNOSIS_TARGET_MS else 'FAIL'})")


if __name__ == "__main__":
    main()
