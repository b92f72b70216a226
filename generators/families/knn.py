"""knn: the label a k-nearest-neighbour classifier predicts for one test point, and the common mistakes.

Distances: ``l1`` = Σ|x_i − t_i| (Manhattan), ``l2`` = √Σ(x_i − t_i)² (Euclidean; the square root
does not change the order, so squared distances rank the same). The k training points nearest to
``test`` vote; the majority label wins. Draws have no ties: the k-th and (k+1)-th distances differ
and the vote has one winner, and every mistake of the catalog gives a tie-free label different
from the right one.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from typing import Any

import numpy as np

from generators.families._common import FamilySpec, make_draft
from generators.problem import Draft, Mistake

__all__ = ["SPECS", "MISTAKES", "make", "distances", "vote"]


def distances(train: np.ndarray, test: np.ndarray, metric: str) -> np.ndarray:
    diff = train - test
    if metric == "l1":
        return np.abs(diff).sum(axis=1)
    if metric == "l2":
        return np.sqrt((diff * diff).sum(axis=1))
    raise ValueError(f"unknown metric {metric!r}")


def vote(dist: np.ndarray, labels: list[int], k: int) -> int | None:
    """The majority label of the k smallest ``dist``; None on a tie (at the k-th distance or in the vote)."""
    idx = _top(dist, k)
    return None if idx is None else _winner(idx, labels)


def _arrays(p: dict) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(p["train"], dtype=float), np.asarray(p["test"], dtype=float)


def predict(p: dict) -> int | None:
    train, test = _arrays(p)
    return vote(distances(train, test, p["metric"]), list(p["labels"]), int(p["k"]))


def _top(score: Any, k: int) -> list[int] | None:
    """Indices of the k smallest ``score`` values (stable order); None when the k-th and (k+1)-th tie."""
    values = [float(v) for v in score]
    order = sorted(range(len(values)), key=values.__getitem__)
    if k < len(values) and abs(values[order[k - 1]] - values[order[k]]) < 1e-9:
        return None
    return order[:k]


def _winner(idx: list[int], labels: list[int]) -> int | None:
    """The label most of ``idx`` have; None when two labels tie for the most."""
    counts: dict[int, int] = {}
    for i in idx:
        counts[labels[i]] = counts.get(labels[i], 0) + 1
    best = max(counts.values())
    winners = [lab for lab, c in counts.items() if c == best]
    return int(winners[0]) if len(winners) == 1 else None


_SIZES = {1: (6, 2, 3), 2: (8, 3, 3), 3: (10, 4, 4)}  # points, dimensions, classes
#: (a, b): the axis offset a·e_i and the diagonal offset b·(e_i + e_j) — nearer in L1 the first
#: (a < 2b), in L2 the second (2b² < a²)
_PAIRS = ((5, 3), (6, 4), (7, 4))


def _offset(r: random.Random, dim: int, lo: int, hi: int) -> list[int]:
    """A random integer offset with L1 norm in [lo, hi] (random signs)."""
    norm = r.randint(lo, hi)
    cuts = sorted(r.randint(0, norm) for _ in range(dim - 1))
    parts = [e - s for s, e in zip([0, *cuts], [*cuts, norm], strict=True)]
    return [v if r.random() < 0.5 else -v for v in parts]


def _draw(rng: np.random.Generator, d: int) -> dict | None:
    """One tie-free draw in which every mistake gives another label, or None (the caller draws again).

    Built around the k-th place, where L1 and L2 disagree: the nearest point (L1 distance 1),
    k − 2 close points (L1 2–4), then an axis offset a·e_i and a diagonal offset b·(e_i + e_j)
    (a < 2b but 2b² < a²: the first is nearer in L1, the second in L2) — one of them is the k-th
    neighbour, which one depends on the metric — then points beyond both. Labels: the k-th
    neighbour and a majority of the close points vote A (the answer); the nearest point and the
    point the other metric would take vote B, so the other metric elects B by one vote; the far
    points get random labels until the farthest-k and signed-difference votes elect one label, not A.
    """
    n, dim, classes = _SIZES[d]
    r = random.Random(int(rng.integers(2**62)))  # one NumPy draw; the many small ones from it
    k = 3 if d == 1 else r.choice((3, 5) if d == 2 else (3, 5, 7))
    metric = "l1" if r.random() < 0.5 else "l2"
    a, b = r.choice(_PAIRS)
    i, j = r.sample(range(dim), 2)
    axis, diag = [0] * dim, [0] * dim
    axis[i] = a * r.choice((1, -1))
    diag[i], diag[j] = b * r.choice((1, -1)), b * r.choice((1, -1))
    nearest = [0] * dim
    nearest[r.randrange(dim)] = r.choice((1, -1))
    close = [_offset(r, dim, 2, 4) for _ in range(k - 2)]
    far_lo = max(2 * b, a) + 1
    rest: list[list[int]] = []
    while len(rest) < n - k - 1:
        v = _offset(r, dim, far_lo, far_lo + 4)
        if sum(x * x for x in v) > a * a:
            rest.append(v)
    x_in, y_out = (axis, diag) if metric == "l1" else (diag, axis)
    offsets = [nearest, *close, x_in, y_out, *rest]
    # labels: A for x_in and (k − 1)/2 close points, B for the nearest, y_out and the other close points
    la, lb = r.sample(range(classes), 2)
    m_a = (k - 1) // 2
    base = [lb] + [la] * m_a + [lb] * (k - 2 - m_a) + [la, lb]
    order = r.sample(range(n), n)  # where each offset goes in the list shown
    lows = [min(v[c] for v in offsets) for c in range(dim)]
    test = [r.randint(0, 2) - low for low in lows]
    train: list[list[int]] = [[] for _ in range(n)]
    for src, dst in enumerate(order):
        train[dst] = [t + v for t, v in zip(test, offsets[src], strict=True)]
    diffs = [[x - t for x, t in zip(row, test, strict=True)] for row in train]
    dist = [sum(abs(v) for v in row) for row in diffs] if metric == "l1" else \
        [sum(v * v for v in row) for row in diffs]
    far = _top([-v for v in dist], k)
    signed = _top([sum(row) for row in diffs], k)
    if far is None or signed is None:
        return None
    labels = [0] * n
    for src, dst in enumerate(order[:k + 1]):
        labels[dst] = base[src]
    spots = order[k + 1:]
    pool = [c for c in range(classes) if c != la] * 6 + [la]  # the far points rarely share the answer's label
    for _ in range(20):
        for dst, lab in zip(spots, r.choices(pool, k=len(spots)), strict=True):
            labels[dst] = lab
        win_far = _winner(far, labels)
        if win_far is None or win_far == la:
            continue
        win_signed = _winner(signed, labels)
        if win_signed is not None and win_signed != la:
            return {"train": train, "labels": list(labels), "test": test, "k": int(k), "metric": metric}
    return None


def make(rng: np.random.Generator, d: int) -> Draft:
    for _ in range(10_000):
        drawn = _draw(rng, d)
        if drawn is not None:
            break
    else:  # pragma: no cover
        raise AssertionError("no tie-free knn draw found")
    p = drawn
    metric, k, labels = p["metric"], int(p["k"]), p["labels"]
    diffs = [[v - t for v, t in zip(row, p["test"], strict=True)] for row in p["train"]]
    squares = [sum(x * x for x in row) for row in diffs]
    dist: list[float] = [sum(abs(x) for x in row) for row in diffs] if metric == "l1" else \
        [math.sqrt(q) for q in squares]
    near = _top(dist, k) or []
    right = _winner(near, labels) if near else None
    if right is None:  # pragma: no cover
        raise AssertionError(f"knn draw not well-posed: {p}")
    name = "L1 (Manhattan) distance Σ|x_i − t_i|" if metric == "l1" else "L2 (Euclidean) distance √Σ(x_i − t_i)²"
    rows = "\n".join(f"  x{i}: ({', '.join(str(v) for v in row)})  label {labels[i]}"
                     for i, row in enumerate(p["train"]))
    test_text = f"({', '.join(str(v) for v in p['test'])})"
    stem = (f"A {k}-nearest-neighbour classifier uses the {name}. Training points and labels:\n{rows}\n"
            f"Which label does it predict for the test point t = {test_text}? (Majority vote of the {k} nearest; "
            f"there are no ties.)")

    def shown(i: int) -> str:
        return str(dist[i]) if metric == "l1" else f"{dist[i]:.4g}"

    lines = [f"Distances from t = {test_text} ({metric.upper()}):"]
    for i, row in enumerate(diffs):
        if metric == "l1":
            lines.append(f"  x{i}: {' + '.join(f'|{x}|' for x in row)} = {dist[i]}")
        else:
            lines.append(f"  x{i}: √({' + '.join(f'({x})²' for x in row)}) = √{squares[i]} = {shown(i)}")
    lines.append(f"The {k} nearest: " + ", ".join(f"x{i} (label {labels[i]}, {shown(i)})" for i in near))
    counts = Counter(labels[i] for i in near).most_common()
    lines.append("Votes: " + ", ".join(f"label {lab}: {c}" for lab, c in counts) + f" → predicted label {right}")
    return make_draft(p, stem, right, "\n".join(lines), "int")


# -- mistakes -----------------------------------------------------------------------------------
def _other_metric(p: dict) -> Any:
    train, test = _arrays(p)
    other = "l2" if p["metric"] == "l1" else "l1"
    return vote(distances(train, test, other), list(p["labels"]), int(p["k"]))


def _nearest_only(p: dict) -> Any:
    if int(p["k"]) == 1:
        return None
    train, test = _arrays(p)
    return vote(distances(train, test, p["metric"]), list(p["labels"]), 1)


def _farthest(p: dict) -> Any:
    train, test = _arrays(p)
    return vote(-distances(train, test, p["metric"]), list(p["labels"]), int(p["k"]))


def _signed(p: dict) -> Any:
    train, test = _arrays(p)
    return vote((train - test).sum(axis=1), list(p["labels"]), int(p["k"]))


MISTAKES: tuple[Mistake, ...] = (
    Mistake("metric-swapped", "L1 used for L2 (or L2 for L1)",
            "the question's metric is {metric}: L1 sums |differences|, L2 takes √ of the summed squares",
            _other_metric),
    Mistake("nearest-only", "only the single nearest neighbour used",
            "k = {k}: the {k} nearest points vote, not just the closest one", _nearest_only),
    Mistake("farthest-neighbours", "the k farthest points taken instead of the nearest",
            "sort the distances in increasing order and take the first k", _farthest),
    Mistake("signed-differences", "differences summed with their signs (no absolute value or square)",
            "each coordinate difference is made positive (|·| for L1, squared for L2) before summing",
            _signed),
)

SPECS = {"knn": FamilySpec(make, MISTAKES)}
