"""attention: the output of scaled dot-product attention, as PyTorch's
``F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=causal)`` computes it:

    out = softmax(q·kᵀ/√d_k + M) · v,   M = 0 where a query may attend, −∞ where it may not

(``mask`` is boolean, true = may attend; ``causal`` lets query i attend keys j ≤ i, the lower
triangle of an L×S matrix). Each row's softmax runs over the keys.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from generators.families._common import FamilySpec, make_draft, pick, plain, rand_int
from generators.families._seq import all_distinct, listed, mat_text, typing_note, vec, well_scaled
from generators.problem import Draft, Mistake
from generators.render import fmt

__all__ = ["SPECS", "MISTAKES", "make", "attend"]

TOLERANCE = 5e-3


def allowed(p: dict) -> np.ndarray | None:
    """The L×S boolean matrix of allowed (query, key) pairs, or None when every pair is allowed."""
    L, S = len(p["q"]), len(p["k"])
    if p.get("causal"):
        return np.tril(np.ones((L, S), dtype=bool))
    if p.get("mask") is not None:
        return np.asarray(p["mask"], dtype=bool)
    return None


def attend(p: dict, *, scale: str = "sqrt", axis: int = 1, ignore_mask: bool = False, invert_mask: bool = False,
           lines: list[str] | None = None) -> np.ndarray:
    """The attention output (L×d_v); the keyword arguments are the catalog's wrong procedures.
    Raises ValueError when a softmax would run over no allowed entry."""
    q, k, v = (np.asarray(p[n], dtype=float) for n in ("q", "k", "v"))
    dk = q.shape[1]
    raw = q @ k.T
    div = {"sqrt": np.sqrt(dk), "none": 1.0, "d": float(dk)}[scale]
    scores = raw / div
    ok = None if ignore_mask else allowed(p)
    if ok is not None and invert_mask:
        ok = ~ok
    if ok is not None:
        if not ok.any(axis=axis).all():
            raise ValueError("a softmax over no allowed entry")
        scores = np.where(ok, scores, -np.inf)
    e = np.exp(scores - scores.max(axis=axis, keepdims=True))
    weights = e / e.sum(axis=axis, keepdims=True)
    out = weights @ v
    if lines is not None:
        lines.append(f"scores = q·kᵀ/√{dk} = q·kᵀ/{fmt(div)}: q·kᵀ = {mat_text(raw)}")
        for i in range(q.shape[0]):
            srow = ", ".join("−∞" if np.isneginf(s) else fmt(float(s)) for s in scores[i])
            terms = " + ".join(f"{fmt(float(w))}·{vec(v[j])}" for j, w in enumerate(weights[i]) if w > 0)
            lines.append(f"row {i}: scores [{srow}] → softmax over the keys {vec(weights[i])} → "
                         f"out[{i}] = {terms} = {vec(out[i])}")
    return out


def _draw(rng: np.random.Generator, d: int) -> dict:
    if d == 1:
        L, S, dk, dv, step, top = rand_int(rng, 1, 2), 2, pick(rng, (2, 4)), rand_int(rng, 1, 2), 1.0, 1
        kind = "none"
    elif d == 2:
        L, S, dk, dv, step, top = rand_int(rng, 2, 3), 3, 4, 2, 1.0, 1
        kind = pick(rng, ("none", "causal", "mask"))
    else:
        L, S, dk, dv, step, top = rand_int(rng, 3, 4), rand_int(rng, 3, 5), pick(rng, (4, 8, 9)), \
            rand_int(rng, 2, 3), 0.5, 3
        kind = pick(rng, ("none", "causal", "mask", "mask"))
    p: dict[str, Any] = {
        "q": rng.integers(-top, top + 1, size=(L, dk)) * step,
        "k": rng.integers(-top, top + 1, size=(S, dk)) * step,
        "v": rng.integers(-2, 4, size=(S, dv)).astype(float),
        "causal": kind == "causal",
    }
    if kind == "mask":
        m = rng.random((L, S)) < 0.7
        m[np.arange(L), rng.integers(0, S, size=L)] = True  # every query attends at least one key
        p["mask"] = m
    return p


def make(rng: np.random.Generator, d: int) -> Draft:
    for _ in range(1000):
        p = _draw(rng, d)
        out = attend(p)
        if not well_scaled(out, 0.05):
            continue
        answer = plain(out)
        if all_distinct(MISTAKES, p, answer, TOLERANCE):
            break
    p = listed(p)
    q = np.asarray(p["q"])
    L, dk = q.shape
    S, dv = np.asarray(p["v"]).shape
    lines: list[str] = []
    attend(p, lines=lines)
    matrices: dict[str, list] = {"q (L×d)": p["q"], "k (S×d)": p["k"], "v (S×d_v)": p["v"]}
    if p.get("mask") is not None:
        matrices["mask (1 = may attend)"] = np.asarray(p["mask"], dtype=int).tolist()
    how = ""
    if p["causal"]:
        how = " with is_causal=True (query i attends keys 0..i only)"
    elif p.get("mask") is not None:
        how = " with the boolean attn_mask below (1/true = may attend, 0 = blocked)"
    stem = (f"Scaled dot-product attention as PyTorch's F.scaled_dot_product_attention computes it{how}: "
            f"out = softmax(q·kᵀ/√d_k) · v, the softmax over the keys of each query (blocked entries get −∞). "
            f"{L} quer{'ies' if L > 1 else 'y'}, {S} keys, d_k = {dk}, d_v = {dv}. Give the {L}×{dv} output."
            + typing_note(TOLERANCE))
    if p["causal"]:
        lines.insert(1, "causal: entries with key j > query i are −∞")
    elif p.get("mask") is not None:
        lines.insert(1, "mask: blocked entries (mask 0) are −∞")
    sol = "\n".join(lines) + f"\nAnswer: {mat_text(out)}"
    return make_draft(p, stem, plain(out), sol, "matrix", matrices=matrices, tolerance=TOLERANCE)


# -- mistakes -----------------------------------------------------------------------------------
def _m(ok: Any, **flags: Any) -> Any:
    def answer(p: dict) -> Any:
        if not ok(p):
            return None
        return plain(attend(p, **flags))

    return answer


def _masked(p: dict) -> bool:
    a = allowed(p)
    return a is not None and not a.all()


MISTAKES: tuple[Mistake, ...] = (
    Mistake("attention-unscaled", "scores not divided by √d_k",
            "the scores are q·kᵀ/√d_k; your answer takes the softmax of q·kᵀ itself", _m(lambda p: True, scale="none")),
    Mistake("attention-scaled-by-d", "scores divided by d_k instead of √d_k",
            "the scale is 1/√d_k (the square root of the key size), not 1/d_k", _m(lambda p: True, scale="d")),
    Mistake("softmax-wrong-axis", "softmax over the queries instead of the keys",
            "each query's weights sum to 1 over the keys: the softmax runs along each row of the L×S scores",
            _m(lambda p: len(p["q"]) > 1, axis=0)),
    Mistake("mask-ignored", "the mask ignored",
            "blocked (query, key) pairs get −∞ before the softmax, so they receive weight 0", _m(_masked,
                                                                                            ignore_mask=True)),
    Mistake("mask-inverted", "the mask read the wrong way round (true taken as blocked)",
            "PyTorch's boolean attn_mask is true where a query MAY attend (is_causal: keys j ≤ i); your answer "
            "blocks those entries and keeps the others", _m(_masked, invert_mask=True)),
)

SPECS = {"attention": FamilySpec(make, MISTAKES)}
