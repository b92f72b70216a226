"""transformer-params, flops, init-std and knn: every answer against PyTorch (or NumPy and a naive loop
for knn) over 200 draws per difficulty, and every catalogued mistake recomputed here independently
(by its own formula, never by calling the catalog) and diagnosed by name."""

from __future__ import annotations

import functools
import math

import numpy as np
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


# -- flops ---------------------------------------------------------------------------------------
def torch_flops(P: dict) -> int:
    torch = pytest.importorskip("torch")
    from torch.utils.flop_counter import FlopCounterMode

    layer = P["layer"]
    if layer["type"] == "linear":
        module = torch.nn.Linear(layer["in_features"], layer["out_features"], bias=layer["bias"], device="meta")
    else:
        module = torch.nn.Conv2d(layer["in_channels"], layer["out_channels"], kernel_size=tuple_or_int(
            layer["kernel_size"]), stride=tuple_or_int(layer["stride"]), padding=tuple_or_int(layer["padding"]),
            bias=layer["bias"], device="meta")
    x = torch.empty(P["batch"], *P["input_shape"], device="meta")
    with FlopCounterMode(display=False) as counter:
        module(x)
    return int(counter.get_total_flops())


def tuple_or_int(v):
    return tuple(v) if isinstance(v, list) else v


@pytest.mark.parametrize("d", DIFFICULTIES)
def test_flops_against_flop_counter(d):
    pytest.importorskip("torch")
    kinds = set()
    for pr in draws("flops", d):
        P = pr.params
        kinds.add((P["layer"]["type"], P["ask"]))
        flops = torch_flops(P)
        assert pr.answer_kind == "int"
        assert pr.answer == (flops if P["ask"] == "flops" else flops // 2), pr.id
        assert f"{pr.answer:,}" in pr.solution
    assert kinds == {(t, a) for t in ("conv", "linear") for a in ("macs", "flops")}


def _naive_macs(P: dict, batch: int | None = None, use_input_size: bool = False, kernel: bool = True,
                bias_adds: bool = False) -> int:
    """MACs by counting, output by output, the products each output sums (loops over positions)."""
    layer, n = P["layer"], P["batch"] if batch is None else batch
    if layer["type"] == "linear":
        per_example = sum(layer["in_features"] + bias_adds for _ in range(layer["out_features"]))
        return n * per_example
    C, H, W = P["input_shape"]
    kh, kw = (layer["kernel_size"],) * 2 if isinstance(layer["kernel_size"], int) else layer["kernel_size"]
    sh, sw = (layer["stride"],) * 2 if isinstance(layer["stride"], int) else layer["stride"]
    ph, pw = (layer["padding"],) * 2 if isinstance(layer["padding"], int) else layer["padding"]
    rows = range(H) if use_input_size else range(0, H + 2 * ph - kh + 1, sh)
    cols = range(W) if use_input_size else range(0, W + 2 * pw - kw + 1, sw)
    per_output = C * (kh * kw if kernel else 1) + bias_adds
    return n * layer["out_channels"] * sum(per_output for _ in rows for _ in cols)


def _flops_wrong(P: dict) -> dict:
    right = _naive_macs(P)
    as_asked = (lambda m: 2 * m) if P["ask"] == "flops" else (lambda m: m)
    out: dict = {}
    if P["ask"] == "flops":
        out["macs-for-flops"] = right
    else:
        out["flops-for-macs"] = 2 * right
    if P["batch"] > 1:
        out["batch-forgotten"] = as_asked(_naive_macs(P, batch=1))
    layer = P["layer"]
    if layer["type"] == "conv":
        if _naive_macs(P, use_input_size=True) != right:
            out["input-size-for-output"] = as_asked(_naive_macs(P, use_input_size=True))
        if layer["kernel_size"] not in (1, [1, 1]):
            out["kernel-size-forgotten"] = as_asked(_naive_macs(P, kernel=False))
    if layer["bias"]:
        out["bias-counted"] = as_asked(right) + (_naive_macs(P, bias_adds=True) - right)
    return out


@pytest.mark.parametrize("d", DIFFICULTIES)
def test_flops_mistakes_diagnosed(d):
    seen = set()
    for pr in draws("flops", d, 80, seed=5):
        assert _naive_macs(pr.params) * (2 if pr.params["ask"] == "flops" else 1) == pr.answer
        assert_no_diagnosis_for_right(pr)
        for mid, wrong in _flops_wrong(pr.params).items():
            assert_diagnosed(pr, mid, wrong)
            seen.add(mid)
    assert {"macs-for-flops", "flops-for-macs", "batch-forgotten", "kernel-size-forgotten", "bias-counted"} <= seen
    if d > 1:
        assert "input-size-for-output" in seen


# -- init-std ------------------------------------------------------------------------------------
SAMPLES = 20_000


def torch_init(P: dict):
    """``(torch's formula value, empirical std, empirical max |w|)`` of the asked initialisation on
    enough copies of the weight to hold SAMPLES values."""
    torch = pytest.importorskip("torch")
    init = torch.nn.init
    shape = P.get("shape") or [P["fan_out"], P["fan_in"]]
    w = torch.empty(*shape, dtype=torch.float64)
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(w)
    assert (fan_in, fan_out) == (P["fan_in"], P["fan_out"])
    g = init.calculate_gain(P["nonlinearity"], P["a"] if P["nonlinearity"] == "leaky_relu" else None)
    scheme = P["scheme"]
    if scheme.startswith("xavier"):
        std = g * math.sqrt(2.0 / (fan_in + fan_out))

        def fill():
            getattr(init, scheme + "_")(w, gain=g)
    else:
        std = g / math.sqrt(init._calculate_correct_fan(w, P["mode"]))

        def fill():
            getattr(init, scheme + "_")(w, a=P["a"], mode=P["mode"], nonlinearity=P["nonlinearity"])
    copies = max(1, -(-SAMPLES // w.numel()))
    values = []
    for _ in range(copies):
        fill()
        values.append(w.flatten().clone())
    allv = torch.cat(values)
    expected = std * math.sqrt(3) if P["ask"] == "bound" else std
    return expected, float(allv.std()), float(allv.abs().max())


@pytest.mark.parametrize("d", DIFFICULTIES)
def test_init_std_against_torch_init(d):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    schemes = set()
    for pr in draws("init-std", d):
        P = pr.params
        schemes.add((P["scheme"], P["ask"]))
        expected, emp_std, emp_max = torch_init(P)
        assert pr.answer_kind == "float" and pr.tolerance == 5e-3
        assert math.isclose(pr.answer, expected, rel_tol=1e-12), pr.id
        std = pr.answer / math.sqrt(3) if P["ask"] == "bound" else pr.answer
        assert abs(emp_std - std) <= 0.03 * std, (pr.id, emp_std, std)
        if P["scheme"].endswith("uniform"):  # every value inside the bound, the largest close to it
            bound = std * math.sqrt(3)
            assert bound * 0.97 <= emp_max <= bound * (1 + 1e-9), (pr.id, emp_max, bound)
    assert {s for s, _ in schemes} == {"xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal"}
    assert {a for _, a in schemes} == {"std", "bound"} if d > 1 else {a for _, a in schemes} >= {"bound"}


GAINS = {"linear": 1.0, "sigmoid": 1.0, "tanh": 5 / 3, "relu": 2 ** 0.5}


def _init_wrong(P: dict) -> dict:
    """Each mistake's std/bound from its own (wrong) formula."""
    nl, a = P["nonlinearity"], P["a"]
    g = GAINS.get(nl) or (2 / (1 + a * a)) ** 0.5
    fi, fo = P["fan_in"], P["fan_out"]
    xavier = P["scheme"].startswith("xavier")
    uniform = P["scheme"].endswith("uniform")
    scale = 3 ** 0.5 if P["ask"] == "bound" else 1.0

    def formula(gain, fan_in=fi, fan_out=fo, s=scale):
        if xavier:
            return gain * (2 / (fan_in + fan_out)) ** 0.5 * s
        return gain / (fan_in if P["mode"] == "fan_in" else fan_out) ** 0.5 * s

    out: dict = {}
    if not xavier and fi != fo:
        out["fan-swapped"] = formula(g, fo, fi)
    if g != 1.0:
        out["gain-forgotten"] = formula(1.0)
        out["gain-squared"] = formula(g * g)
    if P["ask"] == "bound":
        out["std-for-bound"] = formula(g, s=1.0)
    else:
        out["variance-for-std"] = formula(g) ** 2
        if uniform:
            out["bound-for-std"] = formula(g, s=3 ** 0.5)
    if xavier and fi != fo:
        out["xavier-fan-in-only"] = g * (1 / fi) ** 0.5 * scale
    if nl == "leaky_relu":
        out["slope-forgotten"] = formula(2 ** 0.5)
    if "shape" in P:
        cout, cin = P["shape"][:2]
        out["receptive-field-forgotten"] = formula(g, cin, cout)
    return out


@pytest.mark.parametrize("d", DIFFICULTIES)
def test_init_std_mistakes_diagnosed(d):
    seen = set()
    for pr in draws("init-std", d, 100, seed=7):
        assert_no_diagnosis_for_right(pr)
        for mid, wrong in _init_wrong(pr.params).items():
            assert abs(wrong - pr.answer) > 0.01 * pr.answer, (pr.id, mid)  # apart by twice the tolerance
            assert_diagnosed(pr, mid, wrong)
            seen.add(mid)
    expected = {"fan-swapped", "gain-forgotten", "gain-squared", "std-for-bound", "variance-for-std",
                "xavier-fan-in-only"}
    if d == 3:
        expected |= {"slope-forgotten", "receptive-field-forgotten", "bound-for-std"}
    assert expected <= seen


# -- knn -----------------------------------------------------------------------------------------
def numpy_knn(train, labels, test, k, metric, *, farthest=False, signed=False):
    """Vectorised kNN: (label, whether the draw is tie-free)."""
    X, t = np.asarray(train, dtype=float), np.asarray(test, dtype=float)
    if signed:
        dist = (X - t).sum(axis=1)
    elif metric == "l1":
        dist = np.abs(X - t).sum(axis=1)
    else:
        dist = np.linalg.norm(X - t, axis=1)
    if farthest:
        dist = -dist
    order = np.argsort(dist, kind="stable")
    boundary_tie = k < len(dist) and np.isclose(dist[order[k - 1]], dist[order[k]])
    votes = np.bincount(np.asarray(labels)[order[:k]])
    top = np.flatnonzero(votes == votes.max())
    return int(top[0]), bool(not boundary_tie and len(top) == 1)


def naive_knn(train, labels, test, k, metric):
    """Loop version: distance by distance, then repeatedly take the nearest left."""
    dists = []
    for row, lab in zip(train, labels, strict=True):
        if metric == "l1":
            dist = sum(abs(a - b) for a, b in zip(row, test, strict=True))
        else:
            dist = math.sqrt(sum((a - b) ** 2 for a, b in zip(row, test, strict=True)))
        dists.append((dist, lab))
    chosen = []
    left = list(dists)
    for _ in range(k):
        best = min(left, key=lambda e: e[0])
        left.remove(best)
        chosen.append(best[1])
    counts = {}
    for lab in chosen:
        counts[lab] = counts.get(lab, 0) + 1
    return max(counts, key=counts.get)


@pytest.mark.parametrize("d", DIFFICULTIES)
def test_knn_against_numpy_and_loops(d):
    metrics, ks = set(), set()
    for pr in draws("knn", d):
        P = pr.params
        metrics.add(P["metric"])
        ks.add(P["k"])
        label, tie_free = numpy_knn(P["train"], P["labels"], P["test"], P["k"], P["metric"])
        assert tie_free, pr.id
        assert pr.answer_kind == "int" and pr.answer == label == naive_knn(
            P["train"], P["labels"], P["test"], P["k"], P["metric"]), pr.id
        assert f"predicted label {label}" in pr.solution
        assert len(P["train"]) == len(P["labels"]) and all(len(r) == len(P["test"]) for r in P["train"])
    assert metrics == {"l1", "l2"}
    assert ks == ({3} if d == 1 else {3, 5} if d == 2 else {3, 5, 7})


def _knn_wrong(P: dict) -> dict:
    other = "l2" if P["metric"] == "l1" else "l1"
    out = {
        "metric-swapped": numpy_knn(P["train"], P["labels"], P["test"], P["k"], other),
        "nearest-only": numpy_knn(P["train"], P["labels"], P["test"], 1, P["metric"]),
        "farthest-neighbours": numpy_knn(P["train"], P["labels"], P["test"], P["k"], P["metric"], farthest=True),
        "signed-differences": numpy_knn(P["train"], P["labels"], P["test"], P["k"], P["metric"], signed=True),
    }
    for mid, (_, tie_free) in out.items():
        assert tie_free, (mid, P)  # every mistake gives one label (no tie under its own procedure)
    return {mid: label for mid, (label, _) in out.items()}


@pytest.mark.parametrize("d", DIFFICULTIES)
def test_knn_every_mistake_in_every_draw_diagnosed(d):
    for pr in draws("knn", d, 100, seed=11):
        assert_no_diagnosis_for_right(pr)
        wrong = _knn_wrong(pr.params)
        assert set(wrong) == {m.id for m in FAMILIES["knn"].mistakes}
        for mid, label in wrong.items():
            assert_diagnosed(pr, mid, label)


# -- everywhere a family appears ------------------------------------------------------------------
NEW = ("transformer-params", "flops", "init-std", "knn")


def test_generate_list_quiz_topic_study_and_export_include_the_new_families(tmp_path):
    from typer.testing import CliRunner

    from cardcli.cli import app
    from cardcli.render import answer_text
    from generators.catalog import resolve

    runner = CliRunner()
    r = runner.invoke(app, ["generate", "--list"])
    assert r.exit_code == 0 and all(f in r.stdout for f in NEW)
    assert resolve(["knn"]) == ["knn"] and resolve(["initialization"]) == ["init-std"]
    assert {"transformer-params", "flops", "vgg-dims"} <= set(resolve(["architectures"]))
    for family in NEW:  # the quiz reads the answer as the solution prints it and marks it right
        pr = generate(family, 1, 4, 2)[0]
        text = answer_text(pr.answer, pr.answer_kind)
        r = runner.invoke(app, ["quiz", "--topic", family, "-n", "1", "--seed", "4", "-d", "2"], input=text + "\n")
        assert r.exit_code == 0, r.output
        assert "Score: 1/1" in r.stdout, (family, text, r.stdout[-400:])
    out = tmp_path / "gen.txt"
    r = runner.invoke(app, ["export", "anki", "--topic", "knn", "--topic", "initialization", "--generated", "2",
                            "-o", str(out)])
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    assert "nearest-neighbour classifier" in text and "nn.init." in text
    from cardcli.session import generated_cards  # study: gen: cards per family and difficulty

    ids = {c.id for c in generated_cards()}
    assert {f"gen:{f}:d1" for f in NEW} <= ids
    assert {c.id for c in generated_cards(["knn"])} == {"gen:knn:d1", "gen:knn:d2", "gen:knn:d3"}
    assert {c.topic for c in generated_cards(["initialization"])} == {"initialization"}


@pytest.mark.parametrize("family", NEW)
def test_no_mistake_gives_the_right_answer_in_any_draw(family):
    """Every mistake that can happen in a draw gives an answer the grader tells apart (200 draws each)."""
    from generators.families import mistake_answers

    for d in DIFFICULTIES:
        for pr in draws(family, d):
            for m, wrong in mistake_answers(family, pr.params):
                assert not grade(wrong, pr.answer, pr.answer_kind, pr.tolerance).correct, (pr.id, m.id)


def test_docs_list_every_mistake_of_the_new_families():
    from pathlib import Path

    docs = Path(__file__).resolve().parent.parent / "docs"
    page = (docs / "families-architecture-and-cost.md").read_text(encoding="utf-8")
    catalog = (docs / "problems.md").read_text(encoding="utf-8")
    for family in NEW:
        for m in FAMILIES[family].mistakes:
            assert f"| `{family}` | `{m.id}` | {m.name} |" in page, (family, m.id)
            assert f"| `{family}` | `{m.id}` | {m.name} |\n" in catalog, (family, m.id)
    assert page.count("```") % 2 == 0


def test_flops_layers_are_in_param_counts_format():
    """A flops layer is a valid param-count layer: the solver counts it as torch does."""
    torch = pytest.importorskip("torch")
    from generators.params import network_params

    for d in DIFFICULTIES:
        for pr in draws("flops", d, 40, seed=2):
            layer = pr.params["layer"]
            if layer["type"] == "conv":
                module = torch.nn.Conv2d(layer["in_channels"], layer["out_channels"],
                                         tuple_or_int(layer["kernel_size"]), stride=tuple_or_int(layer["stride"]),
                                         padding=tuple_or_int(layer["padding"]), bias=layer["bias"], device="meta")
            else:
                module = torch.nn.Linear(layer["in_features"], layer["out_features"], bias=layer["bias"],
                                         device="meta")
            assert network_params(layers=[layer]) == sum(p.numel() for p in module.parameters())
