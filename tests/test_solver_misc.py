"""Parameter counts, activation memory, receptive fields, RNN gradient regimes, softmax loss."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generators.conv import conv2d, conv2d_backward
from generators.losses import uniform_softmax_loss
from generators.memory import (
    activation_memory,
    activation_values,
    convert_bytes,
    format_bytes,
)
from generators.params import conv_params, layer_params, linear_params, network_params
from generators.receptive import receptive_field
from generators.rnn import rnn_gradient

# ---------------------------------------------------------------- parameters


def test_conv_params_worked_examples():
    assert conv_params(3, 1, 5) == 76  # "5x5 filter on an RGB image: 5x5x3 + 1 = 76"
    assert conv_params(3, 10, 5) == 760  # quiz: 32x32x3, 5x5, 10 filters -> (3*5*5+1)*10
    assert conv_params(3, 10, 5, bias=False) == 750
    assert conv_params(64, 128, [3, 1]) == 128 * (64 * 3 + 1)
    assert conv_params(512, 512, 3) == 2_359_808


def test_linear_params():
    assert linear_params(4096, 1000) == 4_097_000
    assert linear_params(25088, 4096) == 102_764_544
    assert linear_params(12 * 3, 10, bias=False) == 360


def test_network_totals_as_published():
    assert network_params("vgg16") == 138_357_544
    assert network_params(network="alexnet") == 61_100_840
    assert network_params("VGG-16") == 138_357_544


def test_network_params_from_layer_lists():
    # VGG-16 feature extractor (13 convs) = 14,714,688; its classifier = 123,642,856
    convs = [(3, 64), (64, 64), (64, 128), (128, 128), (128, 256), (256, 256), (256, 256),
             (256, 512), (512, 512), (512, 512), (512, 512), (512, 512), (512, 512)]
    layers = [{"type": "conv", "in_channels": a, "out_channels": b, "kernel_size": 3, "bias": True} for a, b in convs]
    assert network_params(layers=layers) == 14_714_688
    fcs = [{"type": "linear", "in_features": 25088, "out_features": 4096},
           {"type": "fc", "in_features": 4096, "out_features": 4096},
           {"type": "linear", "in_features": 4096, "out_features": 1000}]
    assert network_params(layers=fcs) == 123_642_856
    assert network_params(layers=layers + [{"type": "pool"}, {"type": "relu"}] + fcs) == 138_357_544
    assert layer_params({"type": "batchnorm", "num_features": 64}) == 128


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "exactly one"),
        ({"network": "vgg16", "layers": []}, "exactly one"),
        ({"network": "resnet50"}, "unknown network"),
        ({"layers": [{"type": "lstm"}]}, "unknown layer type"),
        ({"layers": [{"type": "conv", "in_channels": 3}]}, "bad conv layer"),
        ({"layers": [{"in_channels": 3}]}, "'type'"),
        ({"layers": "conv"}, "list of layer dicts"),
        ({"layers": [{"type": "conv", "in_channels": 0, "out_channels": 1, "kernel_size": 3}]},
         "in_channels must be >= 1"),
    ],
)
def test_network_params_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        network_params(**kwargs)


# ---------------------------------------------------------------- memory


def test_activation_values():
    # the quiz says 2353 for a 28x28x3 input; 28*28*3 = 2352
    assert activation_values([28, 28, 3]) == 2352
    assert activation_values([224, 224, 64]) == 3_211_264
    assert activation_values([224, 224, 64], batch=2) == 6_422_528
    assert activation_values(4096) == 4096


def test_activation_memory_decimal_vs_binary_units():
    # 224*224*64 float32 values = 12,845,056 bytes = 12.845056 MB = 12.25 MiB (12,845,056 / 1,048,576)
    assert activation_memory([224, 224, 64]) == pytest.approx(12.845056, rel=1e-12)
    assert activation_memory([224, 224, 64], unit="MiB") == pytest.approx(12.25, rel=1e-12)
    assert activation_memory([224, 224, 64], unit="B") == 12_845_056
    assert activation_memory([1000], unit="KB") == pytest.approx(4.0)
    assert activation_memory([1000], unit="KiB") == pytest.approx(3.90625)
    assert activation_memory([1000], dtype="float64", unit="KB") == pytest.approx(8.0)
    assert activation_memory([1000], dtype="float16", unit="KB") == pytest.approx(2.0)
    assert activation_memory([1000], dtype="int8", unit="B") == pytest.approx(1000)
    # 256 images of 224x224x64 float32: 3,288,334,336 bytes = 3.288 GB = 3.0625 GiB
    assert activation_memory([224, 224, 64], batch=256, unit="GB") == pytest.approx(3.288334336)
    assert activation_memory([224, 224, 64], batch=256, unit="GiB") == pytest.approx(3.0625)
    assert activation_memory([224, 224, 64], unit="mib") == pytest.approx(12.25)


def test_format_and_convert_bytes():
    assert format_bytes(12_845_056, "MiB") == "12.25 MiB"
    assert format_bytes(12_845_056, "MB") == "12.85 MB"
    assert format_bytes(1536, "kib") == "1.5 KiB"
    assert convert_bytes(2**30, "GiB") == 1.0
    assert convert_bytes(10**9, "GB") == 1.0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: activation_memory([2, 2], unit="MBs"), "unknown unit"),
        (lambda: activation_memory([2, 2], dtype="float8"), "unknown dtype"),
        (lambda: activation_values([2, 0]), "must be >= 1"),
        (lambda: activation_values([]), "at least one dimension"),
        (lambda: activation_values([2, 2], batch=0), "batch must be >= 1"),
        (lambda: convert_bytes(-1), "non-negative"),
    ],
)
def test_memory_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---------------------------------------------------------------- receptive field


@pytest.mark.parametrize(
    ("layers", "expected"),
    [
        ([{"kernel_size": 3}] * 3, 7),  # three 3x3 stride-1 convs see 7x7
        ([{"kernel_size": 3}] * 2, 5),
        ([{"kernel_size": 3}], 3),
        ([{"kernel_size": 3}, {"kernel_size": 3, "stride": 2}, {"kernel_size": 3}], 9),  # 1+2+2+2*2
        ([{"kernel_size": 3, "stride": 2}, {"kernel_size": 3}], 7),  # 1+2+2*2
        ([{"kernel_size": 3, "dilation": 1}, {"kernel_size": 3, "dilation": 2},
          {"kernel_size": 3, "dilation": 4}], 15),  # 1+2+4+8: dilations double the field
        ([{"kernel_size": 11, "stride": 4}, {"kernel_size": 3, "stride": 2}], 19),  # AlexNet conv1+pool1
        ([{"kernel_size": 3}, {"kernel_size": 3}, {"kernel_size": 2, "stride": 2}, {"kernel_size": 3}], 10),
        ([{"kernel_size": 1, "stride": 3}, {"kernel_size": 1}], 1),
        ([{"kernel_size": 3, "padding": 1, "type": "conv"}], 3),
    ],
)
def test_receptive_field_hand_worked(layers, expected):
    assert receptive_field(layers) == expected


def brute_force_receptive_field(layers):
    """Backprop a one-hot gradient at a middle output pixel through all-ones 1×k convs; the receptive
    field is the extent of the input pixels that receive a nonzero gradient."""
    width = 1
    for layer in reversed(layers):  # an input wide enough that the last layer has several outputs
        width = (width + 2) * layer.get("stride", 1) + layer.get("dilation", 1) * (layer["kernel_size"] - 1)
    inputs, x = [], np.zeros((1, width))
    for layer in layers:
        inputs.append(x)
        w = np.ones((1, layer["kernel_size"]))
        x = conv2d(x, w, stride=(1, layer.get("stride", 1)), dilation=(1, layer.get("dilation", 1)))
    g = np.zeros(x.shape)
    g[0, x.shape[1] // 2] = 1.0
    for layer, x_in in zip(reversed(layers), reversed(inputs)):
        w = np.ones((1, layer["kernel_size"]))
        g, _, _ = conv2d_backward(x_in, w, g, stride=(1, layer.get("stride", 1)),
                                  dilation=(1, layer.get("dilation", 1)))
    hit = np.flatnonzero(g[0])
    return int(hit.max() - hit.min() + 1)


layer_strategy = st.fixed_dictionaries(
    {"kernel_size": st.integers(1, 5)},
    optional={"stride": st.integers(1, 3), "dilation": st.integers(1, 3)},
)


@settings(max_examples=250, deadline=None)
@given(st.lists(layer_strategy, min_size=1, max_size=5))
def test_receptive_field_matches_impulse_backprop(layers):
    assert receptive_field(layers) == brute_force_receptive_field(layers)


@pytest.mark.parametrize(
    ("layers", "message"),
    [
        ([], "non-empty list"),
        ([{"stride": 2}], "kernel_size"),
        ([{"kernel_size": 3, "strides": 2}], "unknown key"),
        ([{"kernel_size": 0}], "kernel_size must be >= 1"),
        ([{"kernel_size": 3, "stride": 0}], "stride must be >= 1"),
    ],
)
def test_receptive_field_errors(layers, message):
    with pytest.raises(ValueError, match=message):
        receptive_field(layers)


# ---------------------------------------------------------------- RNN gradients


def test_midterm_rnn_all_3_5_sigmoid_explodes():
    r = rnn_gradient([[3.5, 3.5], [3.5, 3.5]], "sigmoid")
    assert r["radius"] == pytest.approx(7.0)  # eigenvalues 7 and 0
    assert r["sigma_max"] == pytest.approx(7.0)  # symmetric: singular values = |eigenvalues|
    assert r["derivative_bound"] == 0.25
    assert r["rate"] == pytest.approx(7 / 4)
    assert r["regime"] == "exploding"
    assert "sufficient" in r["reason"] and "heuristic" in r["reason"]
    assert set(r) == {"radius", "sigma_max", "derivative_bound", "rate", "regime", "reason", "structure"}


@pytest.mark.parametrize(
    ("weight", "activation", "regime"),
    [
        ([[0.5, 0.1], [0.2, 0.3]], "sigmoid", "vanishing"),
        ([[0.5, 0.0], [0.0, 0.5]], "tanh", "vanishing"),
        ([[3.0, 0.0], [0.0, 3.0]], "sigmoid", "vanishing"),  # 0.25 * 3 < 1
        ([[0.0, -1.0], [1.0, 0.0]], "tanh", "neither"),  # orthogonal: rate = radius = 1 exactly
        ([[0.6, -0.8], [0.8, 0.6]], "relu", "neither"),  # a rotation, round-off must not matter
        # nilpotent (triangular): radius 0 but sigma_max 5 — every product of step Jacobians of a
        # triangular W is triangular with diagonal entries ≤ (γ·0)ⁿ, so it vanishes (issue 24)
        ([[0.0, 5.0], [0.0, 0.0]], "sigmoid", "vanishing"),
        ([[0.5, 2.0], [0.1, 0.5]], "tanh", "neither"),  # general: γρ ≈ 0.95 < 1 ≤ γσ_max: undecided
        ([[2.0, 0.0], [0.0, 0.5]], "tanh", "exploding"),
        ([[5.0]], "sigmoid", "exploding"),
        (2.0, "relu", "exploding"),
    ],
)
def test_rnn_regimes(weight, activation, regime):
    r = rnn_gradient(weight, activation)
    assert r["regime"] == regime
    if regime == "neither":
        assert "inconclusive" in r["reason"]


@pytest.mark.parametrize("seed", range(20))
def test_rnn_orthogonal_matrices_are_inconclusive_despite_round_off(seed):
    # Q from a QR factorisation: every singular value and |eigenvalue| is 1 up to round-off
    # (often 0.9999999999999998 or 1.0000000000000002), which must not flip the verdict with tanh
    q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(4, 4)))
    r = rnn_gradient(q, "tanh")
    assert r["sigma_max"] == pytest.approx(1.0) and r["radius"] == pytest.approx(1.0)
    assert r["regime"] == "neither"


def test_rnn_derivative_bounds():
    w = [[0.1]]
    assert rnn_gradient(w, "sigmoid")["derivative_bound"] == 0.25
    assert rnn_gradient(w, "tanh")["derivative_bound"] == 1.0
    assert rnn_gradient(w, "ReLU")["derivative_bound"] == 1.0


def _eigen_2x2(w):
    """Spectral radius from the characteristic polynomial l^2 - tr l + det = 0."""
    tr, det = w[0, 0] + w[1, 1], w[0, 0] * w[1, 1] - w[0, 1] * w[1, 0]
    disc = tr * tr - 4 * det
    if disc >= 0:
        return max(abs((tr + math.sqrt(disc)) / 2), abs((tr - math.sqrt(disc)) / 2))
    return math.sqrt(det)  # complex pair: |l|^2 = l * conj(l) = det


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(-4, 4, allow_nan=False), min_size=4, max_size=4),
       st.sampled_from(["sigmoid", "tanh", "relu"]))
def test_rnn_2x2_against_characteristic_polynomial_and_svd(values, activation):
    w = np.array(values).reshape(2, 2)
    r = rnn_gradient(w.tolist(), activation)
    radius = _eigen_2x2(w)
    sigma = float(np.linalg.svd(w, compute_uv=False)[0])
    assert r["radius"] == pytest.approx(radius, rel=1e-6, abs=1e-6)
    assert r["sigma_max"] == pytest.approx(sigma, rel=1e-9, abs=1e-12)
    bound = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0}[activation]
    assert r["rate"] == pytest.approx(bound * sigma, rel=1e-9, abs=1e-12)
    assert r["radius"] <= r["sigma_max"] * (1 + 1e-9) + 1e-12  # rho(W) <= ||W||_2 always
    if bound * sigma < 1 - 1e-6:
        assert r["regime"] == "vanishing"
    elif bound * radius > 1 + 1e-6:
        assert r["regime"] == "exploding"
    elif bound * sigma > 1 + 1e-6 and bound * radius < 1 - 1e-6:
        triangular = w[1, 0] == 0 or w[0, 1] == 0
        normal = np.allclose(w @ w.T, w.T @ w)
        assert r["regime"] == ("vanishing" if triangular or normal else "neither")


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 6), st.integers(0, 2**32 - 1))
def test_rnn_sigma_max_matches_svd(n, seed):
    w = np.random.default_rng(seed).normal(size=(n, n)) * 3
    r = rnn_gradient(w)
    assert r["sigma_max"] == pytest.approx(np.linalg.svd(w, compute_uv=False)[0], rel=1e-9)
    assert r["radius"] <= r["sigma_max"] * (1 + 1e-9)
    # symmetric matrices: singular values are the |eigenvalues|, so radius == sigma_max (by SVD)
    sym = w + w.T
    assert rnn_gradient(sym)["radius"] == pytest.approx(np.linalg.svd(sym, compute_uv=False)[0], rel=1e-9)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([[1, 2, 3], [4, 5, 6]], "tanh"), "square"),
        (([[1.0]], "softplus"), "unknown activation"),
        (([[float("nan")]], "tanh"), "finite"),
    ],
)
def test_rnn_errors(args, message):
    with pytest.raises(ValueError, match=message):
        rnn_gradient(*args)


# ---------------------------------------------------------------- softmax


def test_uniform_softmax_loss():
    assert uniform_softmax_loss(10) == pytest.approx(2.302585092994046)  # CIFAR-10: -ln(0.1)
    assert uniform_softmax_loss(1000) == pytest.approx(6.907755278982137)
    assert uniform_softmax_loss(1) == 0.0
    assert uniform_softmax_loss(2) == pytest.approx(-math.log(0.5))
    with pytest.raises(ValueError, match="num_classes must be >= 1"):
        uniform_softmax_loss(0)
