"""transformer-params, flops, init-std and knn: every answer against PyTorch (or NumPy and a naive loop
for knn) over 200 draws per difficulty, and every catalogued mistake recomputed here independently
(by its own formula, never by calling the catalog) and diagnosed by name."""

from __future__ import annotations

import functools

import pytest

from cardcli.answers import grade
from cardcli.diagnosis import diagnose_problem
from generators.families import FAMILIES, generate

DRAWS = 200
DIFFICULTIES = (1, 2, 3)


def draws(family: str, d: int, n: int = DRAWS, seed: int = 0):
    return generate(family, n, seed, d)


def assert_diagnosed(pr, mistake_id: str, wrong) -> None:
    """``wrong`` (recomputed in the test) differs from the right answer and is diagnosed as ``mistake_id``."""
    assert not grade(wrong, pr.answer, pr.answer_kind, pr.tolerance).correct, (pr.id, mistake_id, wrong)
    diag = diagnose_problem(pr, wrong)
    assert diag is not None and mistake_id in diag.ids, (pr.id, mistake_id, wrong, diag)


def assert_no_diagnosis_for_right(pr) -> None:
    assert diagnose_problem(pr, pr.answer) is None


def test_topics_and_registry():
    from cardcli.topics import TOPICS

    assert FAMILIES["transformer-params"].topics == ("architectures", "params")
    assert FAMILIES["flops"].topics == ("architectures", "conv")
    assert FAMILIES["init-std"].topics == ("initialization",)
    assert FAMILIES["knn"].topics == ("knn",)
    for name in ("transformer-params", "flops", "init-std", "knn"):
        assert all(t in TOPICS for t in FAMILIES[name].topics)
        assert len(FAMILIES[name].mistakes) >= 4


# -- transformer-params --------------------------------------------------------------------------
@functools.cache
def torch_layer_params(d_model: int, heads: int, d_ff: int, bias: bool) -> int:
    torch = pytest.importorskip("torch")
    layer = torch.nn.TransformerEncoderLayer(d_model, heads, d_ff, bias=bias, device="meta")
    return sum(p.numel() for p in layer.parameters() if p.requires_grad)


def torch_attention_shape(d_model: int, heads: int, batch: int, seq: int) -> list[int]:
    torch = pytest.importorskip("torch")
    mha = torch.nn.MultiheadAttention(d_model, heads, batch_first=True, device="meta")
    x = torch.empty(batch, seq, d_model, device="meta")
    _, w = mha(x, x, x, need_weights=True, average_attn_weights=False)
    return list(w.shape)


@pytest.mark.parametrize("d", DIFFICULTIES)
def test_transformer_params_against_torch(d):
    torch = pytest.importorskip("torch")
    asks = set()
    for pr in draws("transformer-params", d):
        P = pr.params
        asks.add(P["ask"])
        if P["ask"] == "params":
            expected = P["layers"] * torch_layer_params(P["d_model"], P["n_heads"], P["d_ff"], P["bias"])
            if P["vocab"]:
                expected += torch.nn.Embedding(P["vocab"], P["d_model"], device="meta").weight.numel()
            assert pr.answer_kind == "int" and pr.answer == expected, pr.id
            assert f"{expected:,}" in pr.solution
        else:
            assert pr.answer_kind == "shape"
            assert pr.answer == torch_attention_shape(P["d_model"], P["n_heads"], P["batch"], P["seq"]), pr.id
    assert asks == {"params", "attention-shape"}


def _tf_wrong(P: dict) -> dict:
    """Each mistake's answer, by its own formula."""
    d, h, ff, n, v, b = P["d_model"], P["n_heads"], P["d_ff"], P["layers"], P["vocab"], int(P["bias"])
    out: dict = {}
    if P["ask"] == "params":
        attn = 4 * d * d + b * 4 * d
        ffn = 2 * d * ff + b * (d + ff)
        norm = 2 * d * (1 + b)
        emb = v * d
        if b:
            out["bias-forgotten"] = n * (4 * d * d + 2 * d * ff + 2 * d) + emb
        out["layernorm-forgotten"] = n * (attn + ffn) + emb
        if h > 1:
            out["projection-per-head"] = n * (h * 3 * (d * d + b * d) + d * d + b * d + ffn + norm) + emb
        out["output-projection-forgotten"] = n * (3 * d * d + b * 3 * d + ffn + norm) + emb
        if v:
            out["embedding-forgotten"] = n * (attn + ffn + norm)
        if n > 1:
            out["one-layer-counted"] = attn + ffn + norm + emb
    else:
        out["heads-averaged"] = [P["batch"], P["seq"], P["seq"]]
        if d // h != P["seq"]:
            out["qk-shape"] = [P["batch"], h, P["seq"], d // h]
        out["batch-forgotten"] = [h, P["seq"], P["seq"]]
    return out


@pytest.mark.parametrize("d", DIFFICULTIES)
def test_transformer_params_mistakes_diagnosed(d):
    seen = set()
    for pr in draws("transformer-params", d, 60, seed=3):
        assert_no_diagnosis_for_right(pr)
        for mid, wrong in _tf_wrong(pr.params).items():
            assert_diagnosed(pr, mid, wrong)
            seen.add(mid)
    expected = {"bias-forgotten", "layernorm-forgotten", "output-projection-forgotten", "heads-averaged",
                "batch-forgotten", "qk-shape"}
    assert expected <= seen
    if d > 1:
        assert {"projection-per-head", "embedding-forgotten", "one-layer-counted"} <= seen
