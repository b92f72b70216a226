"""Problems generated + solved per second, per family and difficulty.

Run: ``python bench/bench_generators.py [--seconds 0.3]``. The ``ratio`` column compares each
family's rate with a baseline measured in the same run (a loop of tiny NumPy ops: draw a 5×5
integer matrix and a 3×3 kernel and sum one patch product — about what a hand-sized problem
costs without any text), so numbers are comparable across machines.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from generators.families import FAMILIES, problem  # noqa: E402

__all__ = ["baseline_rate", "family_rate", "main"]


def _rate(step, seconds: float) -> float:
    n, start = 0, time.perf_counter()
    while True:
        step(n)
        n += 1
        elapsed = time.perf_counter() - start
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


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=0.3, help="time per measurement")
    args = ap.parse_args(argv)
    problem("conv-forward", 0, 1, 0)  # warm the solver imports
    base = baseline_rate(args.seconds)
    print(f"baseline (tiny numpy ops): {base:,.0f} /s")
    print(f"{'family':<29} {'d':>1} {'problems/s':>11} {'ratio':>7}")
    for name in FAMILIES:
        for d in (1, 2, 3):
            rate = family_rate(name, d, args.seconds)
            print(f"{name:<29} {d:>1} {rate:>11,.0f} {rate / base:>7.3f}")


if __name__ == "__main__":
    main()
