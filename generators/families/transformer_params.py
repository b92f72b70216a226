"""transformer-params: parameters of a stack of Transformer encoder layers (and a token embedding), or the
shape of the attention weights, and the common counting mistakes.

The layer is PyTorch's ``nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward, bias=bias)``:

* self-attention (``nn.MultiheadAttention``): one fused Q/K/V projection d_model → 3·d_model
  (``in_proj_weight`` 3d², ``in_proj_bias`` 3d) and the output projection d_model → d_model
  (d² + d). The heads *split* the d_model features (d_k = d_model / n_heads each): adding heads
  adds no parameters;
* the feed-forward block: Linear(d_model, d_ff) and Linear(d_ff, d_model) (weights 2·d·d_ff,
  biases d_ff + d);
* two LayerNorm(d_model): a scale each (2d), and a shift each (2d) when ``bias``.

``bias=False`` drops every bias, the LayerNorm shifts included (as PyTorch does). The embedding
``nn.Embedding(vocab, d_model)`` adds vocab·d (``vocab`` 0 = no embedding).

``ask="attention-shape"``: the per-head attention weights of self-attention over a batch of
``batch`` sequences of ``seq`` tokens, as ``nn.MultiheadAttention(batch_first=True)`` returns them
with ``average_attn_weights=False``: ``[batch, n_heads, seq, seq]``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from generators.families._common import FamilySpec, example, make_draft, pick, rand_int
from generators.problem import Draft, Mistake
from generators.render import fmt_shape

__all__ = ["SPECS", "MISTAKES", "make", "layer_terms", "total_params", "attention_shape"]


def layer_terms(d: int, h: int, ff: int, bias: bool) -> dict[str, int]:
    """The parameters of one encoder layer, by block (``h`` does not change any of them)."""
    b = 1 if bias else 0
    return {
        "qkv": 3 * d * d + b * 3 * d,
        "out": d * d + b * d,
        "ffn": 2 * d * ff + b * (ff + d),
        "norm": 2 * d + b * 2 * d,
    }


def total_params(p: dict) -> int:
    terms = layer_terms(int(p["d_model"]), int(p["n_heads"]), int(p["d_ff"]), bool(p["bias"]))
    return int(p["layers"]) * sum(terms.values()) + int(p["vocab"]) * int(p["d_model"])


def attention_shape(p: dict) -> list[int]:
    return [int(p["batch"]), int(p["n_heads"]), int(p["seq"]), int(p["seq"])]


def _draw(rng: np.random.Generator, d: int) -> dict:
    if d == 1:
        d_model = pick(rng, (4, 8, 16, 32, 64))
        heads = pick(rng, tuple(h for h in (1, 2, 4) if d_model % h == 0))
        return {"d_model": d_model, "n_heads": heads, "d_ff": 4 * d_model, "layers": 1, "vocab": 0, "bias": True,
                "ask": "params" if rng.random() < 0.75 else "attention-shape", "batch": pick(rng, (1, 2, 4, 8)),
                "seq": pick(rng, (5, 10, 16, 20))}
    if d == 2:
        d_model = pick(rng, (32, 64, 128, 256))
        return {"d_model": d_model, "n_heads": pick(rng, (2, 4, 8)), "d_ff": pick(rng, (2, 4)) * d_model,
                "layers": rand_int(rng, 2, 6), "vocab": pick(rng, (0, 1000, 5000)), "bias": True,
                "ask": "params" if rng.random() < 0.75 else "attention-shape", "batch": pick(rng, (2, 8, 16, 32)),
                "seq": pick(rng, (7, 12, 50, 128))}
    d_model = pick(rng, (128, 256, 512, 768, 1024))
    heads = pick(rng, tuple(h for h in (4, 8, 12, 16) if d_model % h == 0))
    return {"d_model": d_model, "n_heads": heads, "d_ff": pick(rng, (2, 3, 4)) * d_model,
            "layers": rand_int(rng, 2, 12), "vocab": pick(rng, (0, 10000, 30522, 50257)),
            "bias": bool(rng.random() < 0.6), "ask": "params" if rng.random() < 0.8 else "attention-shape",
            "batch": pick(rng, (4, 16, 32, 64)), "seq": pick(rng, (9, 77, 256, 512))}


def _layer_text(p: dict) -> str:
    b = "" if p["bias"] else ", bias=False"
    return f"nn.TransformerEncoderLayer(d_model={p['d_model']}, nhead={p['n_heads']}, dim_feedforward={p['d_ff']}{b})"


def _params_solution(p: dict) -> tuple[str, int]:
    d, h, ff, n, v, bias = (int(p["d_model"]), int(p["n_heads"]), int(p["d_ff"]), int(p["layers"]), int(p["vocab"]),
                            bool(p["bias"]))
    t = layer_terms(d, h, ff, bias)
    per = sum(t.values())
    dk = d // h
    lines = [f"d_model = {d}, {h} head{'s' if h > 1 else ''} of d_k = {d}/{h} = {dk} features: the heads split "
             f"d_model, so the fused Q/K/V projection is d_model×3·d_model whatever the number of heads."]
    if bias:
        lines += [f"  Q, K, V projections: 3·{d}·{d} + 3·{d} = {t['qkv']:,}",
                  f"  output projection: {d}·{d} + {d} = {t['out']:,}",
                  f"  feed-forward: {d}·{ff} + {ff} + {ff}·{d} + {d} = {t['ffn']:,}",
                  f"  two LayerNorms (scale and shift): 2·2·{d} = {t['norm']:,}"]
    else:
        lines += [f"  Q, K, V projections (no bias): 3·{d}·{d} = {t['qkv']:,}",
                  f"  output projection (no bias): {d}·{d} = {t['out']:,}",
                  f"  feed-forward (no biases): {d}·{ff} + {ff}·{d} = {t['ffn']:,}",
                  f"  two LayerNorms (scale only: bias=False drops their shift too): 2·{d} = {t['norm']:,}"]
    lines.append(f"  one layer: {t['qkv']:,} + {t['out']:,} + {t['ffn']:,} + {t['norm']:,} = {per:,}")
    total = n * per
    if n > 1:
        lines.append(f"{n} layers: {n}·{per:,} = {total:,}")
    if v:
        lines.append(f"embedding: {v:,}·{d} = {v * d:,}")
        lines.append(f"Total: {total:,} + {v * d:,} = {total + v * d:,}")
        total += v * d
    else:
        lines.append(f"Total: {total:,}")
    return "\n".join(lines), total


def make(rng: np.random.Generator, d: int) -> Draft:
    p = _draw(rng, d)
    if p["ask"] == "params":
        what = f"a stack of {p['layers']} × {_layer_text(p)}" if p["layers"] > 1 else _layer_text(p)
        if p["vocab"]:
            what = f"nn.Embedding({p['vocab']}, {p['d_model']}) followed by {what}"
        note = "; bias=False drops every bias, the LayerNorms' shifts too" if not p["bias"] else ""
        stem = (f"How many trainable parameters does {what} have in total? (PyTorch's encoder layer: multi-head "
                f"self-attention, a two-layer feed-forward block and two LayerNorms{note}.)")
        solution, answer = _params_solution(p)
        if answer != total_params(p):  # pragma: no cover
            raise AssertionError("worked total differs from the formula")
        return make_draft(p, stem, answer, solution, "int")
    b, h, s, dm = p["batch"], p["n_heads"], p["seq"], p["d_model"]
    shape = attention_shape(p)
    shown = example(((2, 4, 10, 10), (3, 8, 12, 12)), lambda e: list(e) == list(shape))
    stem = (f"Self-attention of {_layer_text(p)} runs on a batch of {b} sequences of {s} tokens (batch_first). "
            f"What is the shape of the per-head attention weights (the softmax(QKᵀ/√d_k) matrices, as "
            f"nn.MultiheadAttention returns them with average_attn_weights=False)? "
            f"(type e.g. {'x'.join(map(str, shown))})")
    solution = (f"Each of the {h} heads compares every one of the {s} queries with every one of the {s} keys "
                f"(d_k = {dm}/{h} = {dm // h} is summed away in QKᵀ): one {s}×{s} matrix per head and per sequence.\n"
                f"Shape: batch × heads × queries × keys = {fmt_shape(shape)}")
    return make_draft(p, stem, shape, solution, "shape")


# -- mistakes -----------------------------------------------------------------------------------
def _params_only(fn: Any) -> Any:
    def answer(p: dict) -> Any:
        return fn(p) if p.get("ask", "params") == "params" else None

    return answer


def _shape_only(fn: Any) -> Any:
    def answer(p: dict) -> Any:
        return fn(p) if p.get("ask") == "attention-shape" else None

    return answer


def _terms(p: dict) -> dict[str, int]:
    return layer_terms(int(p["d_model"]), int(p["n_heads"]), int(p["d_ff"]), bool(p["bias"]))


def _without(p: dict, *blocks: str, minus: int = 0) -> int:
    t = _terms(p)
    per = sum(t.values()) - sum(t[k] for k in blocks) - minus
    return int(p["layers"]) * per + int(p["vocab"]) * int(p["d_model"])


def _no_bias(p: dict) -> Any:
    if not p["bias"]:
        return None
    d, ff = int(p["d_model"]), int(p["d_ff"])
    return _without(p, minus=3 * d + d + ff + d + 2 * d)


def _no_norm(p: dict) -> int:
    return _without(p, "norm")


def _per_head(p: dict) -> Any:
    h, d = int(p["n_heads"]), int(p["d_model"])
    if h == 1:
        return None
    per_head_qkv = h * (3 * d * d + (3 * d if p["bias"] else 0))  # each head its own d_model×d_model Q, K and V
    return _without(p, "qkv") + int(p["layers"]) * per_head_qkv


def _no_out(p: dict) -> int:
    return _without(p, "out")


def _no_embedding(p: dict) -> Any:
    if not int(p["vocab"]):
        return None
    return total_params(p) - int(p["vocab"]) * int(p["d_model"])


def _one_layer(p: dict) -> Any:
    if int(p["layers"]) == 1:
        return None
    return total_params({**p, "layers": 1})


def _heads_averaged(p: dict) -> list[int]:
    return [int(p["batch"]), int(p["seq"]), int(p["seq"])]


def _qk_shape(p: dict) -> Any:
    dk = int(p["d_model"]) // int(p["n_heads"])
    if dk == int(p["seq"]):
        return None
    return [int(p["batch"]), int(p["n_heads"]), int(p["seq"]), dk]


def _no_batch(p: dict) -> list[int]:
    return [int(p["n_heads"]), int(p["seq"]), int(p["seq"])]


MISTAKES: tuple[Mistake, ...] = (
    Mistake("bias-forgotten", "bias forgotten",
            "with bias=True every projection and both feed-forward layers have biases, and each LayerNorm a shift",
            _params_only(_no_bias)),
    Mistake("layernorm-forgotten", "the LayerNorms' parameters forgotten",
            "each encoder layer has two LayerNorm({d_model}), each with a learnable scale (and a shift when bias)",
            _params_only(_no_norm)),
    Mistake("projection-per-head", "a full d_model×d_model Q/K/V projection counted for every head",
            "the {n_heads} heads split d_model into d_k-wide slices of one d_model×3·d_model projection: "
            "heads add no parameters", _params_only(_per_head)),
    Mistake("output-projection-forgotten", "the attention's output projection forgotten",
            "after the heads are concatenated, a d_model×d_model output projection (with its bias) mixes them",
            _params_only(_no_out)),
    Mistake("embedding-forgotten", "the token embedding forgotten",
            "nn.Embedding({vocab}, {d_model}) has vocab·d_model parameters", _params_only(_no_embedding)),
    Mistake("one-layer-counted", "only one layer counted",
            "the stack has {layers} identical layers, each with its own parameters", _params_only(_one_layer)),
    Mistake("heads-averaged", "the heads dimension left out of the attention weights",
            "with average_attn_weights=False there is one seq×seq matrix per head", _shape_only(_heads_averaged)),
    Mistake("qk-shape", "the shape of Q (or K) per head given instead of the attention weights",
            "QKᵀ sums over d_k: the weights are queries × keys (seq × seq), not seq × d_k",
            _shape_only(_qk_shape)),
    Mistake("batch-forgotten", "batch size forgotten",
            "each of the {batch} sequences has its own attention weights", _shape_only(_no_batch)),
)

SPECS = {"transformer-params": FamilySpec(make, MISTAKES)}
