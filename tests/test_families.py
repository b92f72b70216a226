"""Problem families: determinism, well-posedness, and every answer against an independent
recomputation (naive loops for conv/pool, the plain formulas for sizes, np.linalg for radii)."""

from __future__ import annotations

import itertools
import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from cardcli.cli import app
from cardcli.topics import TOPICS
from generators.errors import GeneratorError
from generators.families import FAMILIES, generate, resolve

EXPECTED_FAMILIES = {
    "conv-forward", "conv-backward", "pool-forward", "pool-backward", "conv-output-size", "pool-output-size",
    "transposed-conv-output-size", "param-count", "activation-memory", "receptive-field", "spectral-radius",
    "vgg-dims", "graph-backprop", "softmax-loss", "svm-loss", "linear-backward", "activation-backward", "batchnorm",
    "dropout", "optimizer-step", "rnn-step", "gru-step", "lstm-step", "attention", "transformer-params", "flops",
    "init-std", "knn",
}
SEEDS = range(25)
PER_SEED = 3


def test_family_names_and_topics():
    from cardcli.topics import TOPICS

    assert set(FAMILIES) == EXPECTED_FAMILIES
    assert FAMILIES["conv-forward"].topics == ("conv",)
    assert FAMILIES["conv-output-size"].topics == ("output-size", "conv")
    assert FAMILIES["param-count"].topics == ("params",)
    assert FAMILIES["activation-memory"].topics == ("memory",)
    assert FAMILIES["receptive-field"].topics == ("receptive-field", "conv")
    assert FAMILIES["spectral-radius"].topics == ("rnn",)
    assert FAMILIES["vgg-dims"].topics == ("architectures", "output-size")
    for fam in FAMILIES.values():
        assert fam.description and all(t in TOPICS for t in fam.topics)
        if fam.name.startswith("pool-"):
            assert "pooling" in fam.topics


# -- determinism --------------------------------------------------------------------------------
@pytest.mark.parametrize("family", sorted(EXPECTED_FAMILIES))
def test_same_seed_same_problems_and_prefix_stable(family):
    a = [p.to_json() for p in generate(family, 3, seed=42, difficulty=2)]
    b = [p.to_json() for p in generate(family, 10, seed=42, difficulty=2)]
    assert a == b[:3]
    assert a == [p.to_json() for p in generate(family, 3, seed=42, difficulty=2)]
    assert [p["id"] for p in a] == [f"{family}-d2-s42-{i}" for i in range(3)]


@pytest.mark.parametrize("family", sorted(EXPECTED_FAMILIES))
def test_different_seeds_differ(family):
    a = [p.params for p in generate(family, 4, seed=1)]
    b = [p.params for p in generate(family, 4, seed=2)]
    assert a != b


def test_seed_stable_across_processes():
    code = ("from generators.families import generate; import json; "
            "print(json.dumps([p.to_json() for p in generate('conv-forward', 2, 7, 1)]))")
    env = {**os.environ, "PYTHONHASHSEED": "123"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert json.loads(out) == [p.to_json() for p in generate("conv-forward", 2, 7, 1)]


# -- independent recomputations -----------------------------------------------------------------
def naive_conv(x, w, b, s, p, d):
    """x C×H×W, w F×C×K×K: out[f,i,j] by explicit loops over a zero-padded copy."""
    C, H, W = x.shape
    F, _, K, _ = w.shape
    Hp, Wp = H + 2 * p, W + 2 * p
    xp = [[[0.0] * Wp for _ in range(Hp)] for _ in range(C)]
    for c in range(C):
        for r in range(H):
            for q in range(W):
                xp[c][r + p][q + p] = float(x[c, r, q])
    OH = (Hp - d * (K - 1) - 1) // s + 1
    OW = (Wp - d * (K - 1) - 1) // s + 1
    out = np.zeros((F, OH, OW))
    for f in range(F):
        for i in range(OH):
            for j in range(OW):
                acc = float(b[f])
                for c in range(C):
                    for u in range(K):
                        for v in range(K):
                            acc += w[f, c, u, v] * xp[c][s * i + d * u][s * j + d * v]
                out[f, i, j] = acc
    return out


def naive_conv_grads(x, w, g, s, p, d):
    """2-D x, w, g: scatter every product of the forward sum into the two gradients."""
    H, W = x.shape
    K = w.shape[0]
    gx, gw = np.zeros((H, W)), np.zeros((K, K))
    for i in range(g.shape[0]):
        for j in range(g.shape[1]):
            for u in range(K):
                for v in range(K):
                    r, q = s * i + d * u - p, s * j + d * v - p
                    if 0 <= r < H and 0 <= q < W:
                        gx[r, q] += g[i, j] * w[u, v]
                        gw[u, v] += g[i, j] * x[r, q]
    return gx, gw


def torch_pool_len(n, k, s, p, ceil):
    if ceil:
        out = math.ceil((n + 2 * p - k) / s) + 1
        if (out - 1) * s >= n + p:
            out -= 1
        return out
    return (n + 2 * p - k) // s + 1


def naive_pool_windows(H, W, k, s, p, ceil):
    OH, OW = torch_pool_len(H, k, s, p, ceil), torch_pool_len(W, k, s, p, ceil)
    wins = {}
    for i in range(OH):
        for j in range(OW):
            wins[(i, j)] = [(r, q) for r in range(i * s - p, i * s - p + k) for q in range(j * s - p, j * s - p + k)
                            if 0 <= r < H and 0 <= q < W]
    return OH, OW, wins


def naive_pool(x, k, s, p, mode, ceil):
    H, W = x.shape
    OH, OW, wins = naive_pool_windows(H, W, k, s, p, ceil)
    out = np.zeros((OH, OW))
    for (i, j), cells in wins.items():
        vals = [x[c] for c in cells]
        out[i, j] = max(vals) if mode == "max" else sum(vals) / (k * k)
    return out


def naive_pool_backward(x, g, k, s, p, mode):
    H, W = x.shape
    _, _, wins = naive_pool_windows(H, W, k, s, p, False)
    gx = np.zeros((H, W))
    for (i, j), cells in wins.items():
        if mode == "max":
            best = max(cells, key=lambda c: x[c])
            gx[best] += g[i, j]
        else:
            for c in cells:
                gx[c] += g[i, j] / (k * k)
    return gx


def assert_answer(problem, full):
    """``full`` is the whole recomputed output; the problem asks all of it or one cell."""
    full = np.asarray(full, dtype=float)
    tol = 1e-9
    if "cell" in problem.params:
        r, c = problem.params["cell"]
        assert problem.answer_kind in ("int", "float")
        assert abs(problem.answer - full[r, c]) <= tol
    else:
        assert problem.answer_kind == "matrix"
        assert np.asarray(problem.answer).shape == full.shape
        np.testing.assert_allclose(np.asarray(problem.answer, dtype=float), full, atol=tol)


def all_problems(family):
    for d in (1, 2, 3):
        for seed in SEEDS:
            for p in generate(family, PER_SEED, seed, d):
                yield d, p


def test_conv_forward_against_loops():
    for d, pr in all_problems("conv-forward"):
        P = pr.params
        x = np.asarray(P["input"], dtype=float)
        w = np.asarray(P["weight"], dtype=float)
        if x.ndim == 2:
            x, w = x[None], w[None, None]
        s, pad, dil = P["stride"], P["padding"], P["dilation"]
        k = w.shape[-1]
        for n in x.shape[1:]:  # integer output size: the window fits exactly
            assert (n + 2 * pad - dil * (k - 1) - 1) % s == 0
        if d == 1:
            assert 4 <= x.shape[1] <= 5 and k in (2, 3) and s == 1 and pad == 0 and dil == 1
            assert x.min() >= -3 and x.max() <= 5
        assert_answer(pr, naive_conv(x, w, P["bias"], s, pad, dil)[0])
        if pr.highlight:
            assert pr.highlight["rows"][1] - pr.highlight["rows"][0] == dil * (k - 1)


def test_conv_backward_against_loops():
    for _d, pr in all_problems("conv-backward"):
        P = pr.params
        x, w, g = (np.asarray(P[n], dtype=float) for n in ("input", "weight", "grad_output"))
        gx, gw = naive_conv_grads(x, w, g, P["stride"], P["padding"], P["dilation"])
        assert_answer(pr, gx if P["wrt"] == "input" else gw)


def test_conv_backward_weight_grad_matches_numerical_gradient():
    pr = next(p for _, p in all_problems("conv-backward") if p.params["wrt"] == "weight" and "cell" not in p.params)
    P = pr.params
    x, w, g = (np.asarray(P[n], dtype=float) for n in ("input", "weight", "grad_output"))

    def loss(wt):
        out = naive_conv(x[None], wt[None, None], [0.0], P["stride"], P["padding"], P["dilation"])[0]
        return float((out * g).sum())

    num = np.zeros_like(w)
    for idx in np.ndindex(w.shape):
        e = np.zeros_like(w)
        e[idx] = 1e-3
        num[idx] = (loss(w + e) - loss(w - e)) / 2e-3
    np.testing.assert_allclose(np.asarray(pr.answer, dtype=float), num, atol=1e-6)


def test_pool_forward_against_loops_and_no_ties():
    seen_modes = set()
    for _d, pr in all_problems("pool-forward"):
        P = pr.params
        x = np.asarray(P["input"], dtype=float)
        k, s, pad, mode, ceil = P["kernel_size"], P["stride"], P["padding"], P["mode"], P["ceil_mode"]
        seen_modes.add(mode)
        assert pad <= k // 2
        if mode == "avg":
            assert not ceil  # avg with ceil_mode clips divisors; never generated
        if not ceil:
            assert all((n + 2 * pad - k) % s == 0 for n in x.shape)
        _, _, wins = naive_pool_windows(*x.shape, k, s, pad, ceil)
        if mode == "max":
            for cells in wins.values():
                vals = sorted((x[c] for c in cells), reverse=True)
                assert len(vals) == 1 or vals[0] > vals[1], "tie inside a max-pool window"
        assert_answer(pr, naive_pool(x, k, s, pad, mode, ceil))
    assert seen_modes == {"max", "avg"}


def test_pool_backward_against_loops_and_no_ties():
    for _d, pr in all_problems("pool-backward"):
        P = pr.params
        x, g = np.asarray(P["input"], dtype=float), np.asarray(P["grad_output"], dtype=float)
        k, s, pad, mode = P["kernel_size"], P["stride"], P["padding"], P["mode"]
        if mode == "max":
            for cells in naive_pool_windows(*x.shape, k, s, pad, False)[2].values():
                vals = sorted((x[c] for c in cells), reverse=True)
                assert len(vals) == 1 or vals[0] > vals[1]
        assert_answer(pr, naive_pool_backward(x, g, k, s, pad, mode))


def test_conv_output_size_formula():
    for d, pr in all_problems("conv-output-size"):
        P = pr.params
        i, k, s, p, dil = (P[n] for n in ("input_size", "kernel_size", "stride", "padding", "dilation"))
        span = i + 2 * p - dil * (k - 1) - 1
        n = math.floor(span / s) + 1
        if d == 1:
            assert span % s == 0
        if pr.answer_kind == "shape":
            assert pr.answer == [P["out_channels"], n, n]
        else:
            assert pr.answer == n and isinstance(pr.answer, int)


def test_pool_output_size_formula():
    for _d, pr in all_problems("pool-output-size"):
        P = pr.params
        assert pr.answer == torch_pool_len(P["input_size"], P["kernel_size"], P["stride"], P["padding"],
                                           P["ceil_mode"])


def test_pool_output_size_ceil_mode_drop_rule_is_in_the_solver_not_in_the_draws():
    """PyTorch drops a ceil_mode last window that would start in the right padding; where it does, the
    size is the floor one, so such a draw would not test ceil_mode (issue 24): the family never makes
    it, and the rule lives in the solver (and in the worked solutions' note of why the window is kept)."""
    from generators.pool import pool_output_size

    # 5×5, k 2, s 2, p 1: ceil(5/2) + 1 = 4 windows, the 4th starting at 6 = i + p → dropped: 3 = floor
    assert pool_output_size(5, 2, 2, 1, 1, True) == 3 == (5 + 2 - 2) // 2 + 1
    dropped = 0
    for seed in range(60):
        for pr in generate("pool-output-size", 2, seed, 3):
            P = pr.params
            raw = math.ceil((P["input_size"] + 2 * P["padding"] - P["kernel_size"]) / P["stride"]) + 1
            dropped += raw != pr.answer
            assert "so it is kept" in pr.solution
    assert dropped == 0


def test_transposed_conv_output_size_formula():
    for _d, pr in all_problems("transposed-conv-output-size"):
        P = pr.params
        expected = ((P["input_size"] - 1) * P["stride"] - 2 * P["padding"] + P["dilation"] * (P["kernel_size"] - 1)
                    + P["output_padding"] + 1)
        assert pr.answer == expected >= 1
        assert P["output_padding"] < max(P["stride"], P["dilation"])


def test_param_count_by_hand():
    for _d, pr in all_problems("param-count"):
        total = 0
        for layer in pr.params["layers"]:
            if layer["type"] == "conv":
                k = layer["kernel_size"]
                kh, kw = (k, k) if isinstance(k, int) else k
                total += kh * kw * layer["in_channels"] * layer["out_channels"]
                total += layer["out_channels"] if layer.get("bias", True) else 0
            elif layer["type"] == "linear":
                total += layer["in_features"] * layer["out_features"]
                total += layer["out_features"] if layer.get("bias", True) else 0
        assert pr.answer == total


def test_activation_memory_by_hand():
    unit_bytes = {"KB": 1e3, "MB": 1e6, "GB": 1e9, "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3}
    dtype_bytes = {"float16": 2, "float32": 4, "float64": 8}
    for _d, pr in all_problems("activation-memory"):
        P = pr.params
        values = P["batch"] * sum(c * h * w for c, h, w in P["shapes"])
        if pr.answer_kind == "int":
            assert pr.answer == values
        else:
            assert pr.answer_kind == f"memory:{P['unit']}"
            assert pr.answer == pytest.approx(values * dtype_bytes[P["dtype"]] / unit_bytes[P["unit"]], rel=1e-12)
            assert P["unit"] in pr.prompt and ("2^" in pr.prompt or "10^" in pr.prompt)
            assert pr.tolerance == 5e-3 and "0.5%" in pr.prompt


def test_receptive_field_backwards_recursion():
    for _d, pr in all_problems("receptive-field"):
        r = 1
        for layer in reversed(pr.params["layers"]):  # r_in = (r_out - 1)·s + d·(k - 1) + 1
            r = (r - 1) * layer["stride"] + layer["dilation"] * (layer["kernel_size"] - 1) + 1
        assert pr.answer == r


def test_spectral_radius_with_eigvals():
    """Keys from NumPy's eigenvalues and singular values: Pascanu et al.'s sufficient condition
    γ·σ_max < 1, else γ·ρ for the structures where it decides (triangular, normal), else γ·ρ > 1 for
    "can explode"; a draw the conditions cannot decide ("neither") is never made."""
    bounds = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0}
    regimes = set()
    for _d, pr in all_problems("spectral-radius"):
        w = np.asarray(pr.params["weight"], dtype=float)
        radius = max(abs(np.linalg.eigvals(w)))
        smax = np.linalg.svd(w, compute_uv=False)[0]
        bound = bounds[pr.params["activation"]]
        assert pr.answer["radius"] == pytest.approx(radius, rel=1e-9)
        triangular = not np.tril(w, -1).any() or not np.triu(w, 1).any()
        normal = np.allclose(w @ w.T, w.T @ w)
        if bound * smax < 1 or (bound * radius < 1 and (triangular or normal)):
            expected = "vanishing"
        elif bound * radius > 1:
            expected = "exploding"
        else:
            expected = "neither"
        assert pr.answer["regime"] == expected != "neither"
        assert abs(bound * radius - 1) >= 0.05 and abs(bound * smax - 1) >= 0.05  # no boundary cases
        regimes.add(expected)
        if bound * radius < 1 <= bound * smax:
            regimes.add("vanishing although σ_max says nothing")
    assert regimes == {"vanishing", "exploding", "vanishing although σ_max says nothing"}


def test_vgg_dims_by_simulation():
    channels = [64, 128, 256, 512, 512]
    for _d, pr in all_problems("vgg-dims"):
        size = pr.params["input_size"]
        dims = {}
        for n, c in enumerate(channels, 1):
            dims[f"block{n}"] = [size, size, c]  # 3×3 convs, padding 1: size kept
            size = size // 2  # 2×2 max-pool, stride 2
        dims["pool5"] = [size, size, 512]
        layer = pr.params["layer"]
        if layer == "flatten":
            assert pr.answer == size * size * 512
        else:
            assert pr.answer == dims[layer]
    assert generate("vgg-dims", 30, 0, 1)[0].params["input_size"] == 224


def test_vgg_224_known_values():
    shapes = {p.params["layer"]: p.answer for p in generate("vgg-dims", 60, 3, 1)}
    assert shapes["block3"] == [56, 56, 256]
    assert shapes["block1"] == [224, 224, 64]
    assert shapes["pool5"] == [7, 7, 512]
    assert shapes["flatten"] == 25088


def test_cell_problems_highlight_their_patch():
    pr = next(p for _, p in all_problems("conv-forward") if "cell" in p.params and p.params["padding"] == 0
              and p.params["dilation"] == 1)
    i, j = pr.params["cell"]
    s, k = pr.params["stride"], pr.params["kernel_size"]
    assert pr.highlight["rows"] == (s * i, s * i + k - 1) and pr.highlight["cols"] == (s * j, s * j + k - 1)
    assert f"out[{i}, {j}]" in pr.solution and "·" in pr.solution


def test_prompts_say_cross_correlation_and_json_serialisable():
    for family in EXPECTED_FAMILIES:
        for d in (1, 2, 3):
            for pr in generate(family, 2, 5, d):
                rec = pr.to_json()
                assert json.loads(json.dumps(rec)) == rec
                assert pr.prompt and pr.solution
    assert all("NOT flipped" in p.prompt for p in generate("conv-forward", 5, 0))


# -- resolve ------------------------------------------------------------------------------------
def test_resolve_topics_and_families():
    assert resolve([]) == sorted(EXPECTED_FAMILIES)
    assert resolve(["pooling"]) == ["pool-backward", "pool-forward", "pool-output-size"]
    assert resolve(["vgg-dims"]) == ["vgg-dims"]
    assert resolve(["rnn", "memory"]) == ["activation-memory", "gru-step", "lstm-step", "rnn-step", "spectral-radius"]
    assert "vgg-dims" in resolve(["output-size"]) and "conv-output-size" in resolve(["output-size"])


@pytest.mark.parametrize("bad, hint", [("poolng", "pooling"), ("conv-foward", "conv-forward")])
def test_resolve_unknown_did_you_mean(bad, hint):
    with pytest.raises(GeneratorError) as e:
        resolve([bad])
    assert f"did you mean {hint!r}" in str(e.value)


def test_resolve_topic_without_families():
    with pytest.raises(GeneratorError, match="no generated problems"):
        resolve(["detection"], TOPICS)


# -- the generate command -----------------------------------------------------------------------
def test_generate_jsonl_schema():
    r = CliRunner().invoke(app, ["generate", "pool-forward", "-n", "3", "--seed", "9", "-d", "2"])
    assert r.exit_code == 0, r.output
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 3
    keys = ["id", "family", "topics", "seed", "difficulty", "params", "prompt", "answer", "solution", "mistakes"]
    for i, line in enumerate(lines):
        rec = json.loads(line)
        assert list(rec) == keys
        assert all(set(m) == {"id", "name", "answer"} for m in rec.pop("mistakes"))
        assert rec["id"] == f"pool-forward-d2-s9-{i}" and rec["family"] == "pool-forward"
        assert rec["topics"] == ["pooling"] and rec["seed"] == 9 and rec["difficulty"] == 2
        assert isinstance(rec["params"], dict) and isinstance(rec["prompt"], str)
        assert rec == generate("pool-forward", 3, 9, 2)[i].to_json()


def test_generate_list():
    r = CliRunner().invoke(app, ["generate", "--list"])
    assert r.exit_code == 0
    for name in EXPECTED_FAMILIES:
        assert name in r.stdout
    assert "receptive-field, conv" in r.stdout


def test_generate_unknown_family_exit_2():
    env = {**os.environ, "NO_COLOR": "1"}
    r = subprocess.run([sys.executable, "-m", "cardcli", "generate", "conv-forwrd"], capture_output=True,
                       text=True, env=env)
    assert r.returncode == 2 and "did you mean 'conv-forward'" in r.stderr and not r.stdout


def test_ids_unique_across_families_and_indices():
    ids = [p.id for f, d in itertools.product(sorted(EXPECTED_FAMILIES), (1, 3)) for p in generate(f, 3, 0, d)]
    assert len(ids) == len(set(ids))
