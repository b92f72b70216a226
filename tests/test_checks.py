"""The check registry: evaluate() results as plain Python, errors, and matches() tolerance semantics."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import yaml

from generators.checks import CHECKS, evaluate, matches, to_plain

API = {
    "conv2d": ["input", "weight", "bias", "stride", "padding", "dilation"],
    "conv2d_backward": ["input", "weight", "grad_output", "stride", "padding", "dilation"],
    "pool2d": ["input", "kernel_size", "stride", "padding", "mode", "ceil_mode"],
    "pool2d_backward": ["input", "grad_output", "kernel_size", "stride", "padding", "mode", "ceil_mode"],
    "conv_output_size": ["input_size", "kernel_size", "stride", "padding", "dilation"],
    "pool_output_size": ["input_size", "kernel_size", "stride", "padding", "dilation", "ceil_mode"],
    "transposed_conv_output_size": ["input_size", "kernel_size", "stride", "padding", "output_padding", "dilation"],
    "conv_params": ["in_channels", "out_channels", "kernel_size", "bias"],
    "linear_params": ["in_features", "out_features", "bias"],
    "network_params": ["network", "layers"],
    "activation_values": ["shape", "batch"],
    "activation_memory": ["shape", "batch", "dtype", "unit"],
    "receptive_field": ["layers"],
    "rnn_gradient": ["weight", "activation"],
    "vgg16_dims": ["input_size"],
    "uniform_softmax_loss": ["num_classes"],
}


def test_registry_has_exactly_the_documented_api():
    assert set(CHECKS) == set(API)
    for name, params in API.items():
        assert list(inspect.signature(CHECKS[name]).parameters) == params, name


# ---------------------------------------------------------------- evaluate


def test_evaluate_returns_plain_python():
    assert evaluate({"fn": "conv_params", "args": {"in_channels": 3, "out_channels": 1, "kernel_size": 5}}) == 76
    out = evaluate({"fn": "conv2d", "args": {"input": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], "weight": [[1, 0], [0, -1]]}})
    assert out == [[-4.0, -4.0], [-4.0, -4.0]]
    assert type(out) is list and type(out[0]) is list and type(out[0][0]) is float
    dims = evaluate({"fn": "vgg16_dims"})
    assert dims["pool5"] == [7, 7, 512] and type(dims["fc6"]) is int
    grads = evaluate({"fn": "conv2d_backward", "args": {"input": [[1, 2], [3, 4]], "weight": [[2]],
                                                         "grad_output": [[1, 0], [0, 1]]}})
    assert grads == [[[2.0, 0.0], [0.0, 2.0]], [[5.0]], 2.0]
    r = evaluate({"fn": "rnn_gradient", "args": {"weight": [[3.5, 3.5], [3.5, 3.5]], "activation": "sigmoid"}})
    assert r["regime"] == "exploding" and type(r["radius"]) is float


def test_evaluate_from_yaml_like_a_deck_card():
    card = yaml.safe_load(
        """
        check:
          fn: pool_output_size
          args: {input_size: 112, kernel_size: 3, stride: 2, ceil_mode: true}
        answer: 56
        """
    )
    assert matches(card["answer"], evaluate(card["check"]))
    assert evaluate(yaml.safe_load("{fn: vgg16_dims, args: }"))["fc8"] == 1000  # empty args: defaults


def test_unknown_function_suggests_the_closest_name():
    with pytest.raises(KeyError) as info:
        evaluate({"fn": "conv_param", "args": {}})
    message = str(info.value)
    assert "unknown solver function 'conv_param'" in message
    assert "did you mean 'conv_params'" in message
    assert not message.startswith("'")  # readable, not KeyError's repr quoting
    with pytest.raises(KeyError, match="pool2d_backward"):
        evaluate({"fn": "pool2d_backwards"})


def test_unknown_function_without_close_match_lists_the_known_ones():
    with pytest.raises(KeyError) as info:
        evaluate({"fn": "zzzz"})
    assert "did you mean" not in str(info.value) and "receptive_field" in str(info.value)


@pytest.mark.parametrize(
    ("check", "error", "message"),
    [
        ({"fn": "conv_params", "args": {"in_channels": 3, "out_channels": 1, "kernel": 5}}, TypeError, "kernel_size"),
        ({"fn": "conv_params", "args": {"in_channels": 3, "out_channels": 1, "kernel_size": 5, "kernel": 5}},
         TypeError, "unexpected keyword argument 'kernel'"),
        ({"fn": "conv_params", "args": [3, 1, 5]}, TypeError, "args must be a mapping"),
        ({"args": {}}, TypeError, "'fn'"),
        ("conv_params", TypeError, "mapping"),
        ({"fn": "conv_params", "arg": {}}, TypeError, "unknown key"),
        ({"fn": "conv_params", "args": {"in_channels": 0, "out_channels": 1, "kernel_size": 5}},
         ValueError, "conv_params: in_channels must be >= 1"),
        ({"fn": "conv2d", "args": {"input": [[1, 2], [3, 4]], "weight": [[1, 1, 1]]}}, ValueError, "larger than"),
        ({"fn": "activation_memory", "args": {"shape": [2, 2], "unit": "MBs"}}, ValueError, "unknown unit"),
    ],
)
def test_bad_checks(check, error, message):
    with pytest.raises(error, match=message):
        evaluate(check)


# ---------------------------------------------------------------- matches


def test_ints_are_exact():
    assert matches(138_357_544, 138_357_544)
    assert not matches(138_357_545, 138_357_544)  # 7e-9 relative: a float tolerance would accept it
    assert matches(2352, 2352) and not matches(2353, 2352)


def test_floats_use_relative_tolerance_with_an_absolute_floor():
    assert matches(12.25, 12.25 * (1 + 9e-7))
    assert not matches(12.25, 12.25 * (1 + 2e-6))
    assert matches(2.3026, 2.302585092994046, tolerance=1e-4)
    assert not matches(2.30, 2.302585092994046, tolerance=1e-4)
    assert matches(0.0, 5e-10) and not matches(0.0, 2e-9)  # floor 1e-9 near zero
    assert matches(28.0, 28) and matches(28, 28.0000001)
    assert not matches(float("nan"), float("nan"))
    assert matches(float("inf"), float("inf")) and not matches(float("inf"), 1e308)


def test_explicit_tolerance_also_applies_to_ints():
    assert matches(138_000_000, 138_357_544, tolerance=0.01)
    assert not matches(130_000_000, 138_357_544, tolerance=0.01)


def test_nested_lists_are_compared_element_wise_with_the_same_shape():
    value = evaluate({"fn": "conv2d",
                      "args": {"input": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], "weight": [[1, 0], [0, -1]]}})
    assert matches([[-4, -4], [-4, -4]], value)
    assert not matches([[-5, -6], [-12, -9]], value)  # the quiz's printed answer
    assert not matches([-4, -4, -4, -4], value)  # flattened: wrong shape
    assert not matches([[-4, -4]], value)
    assert not matches(-4, value)
    assert matches([[1.0000001, 2]], np.array([[1.0, 2.0]]))


def test_dict_answers_match_the_keys_they_name():
    value = evaluate({"fn": "rnn_gradient", "args": {"weight": [[3.5, 3.5], [3.5, 3.5]]}})
    assert matches({"regime": "exploding"}, value)
    assert matches({"regime": "Exploding", "radius": 7, "rate": 1.75}, value)
    assert not matches({"regime": "vanishing"}, value)
    assert not matches({"regime": "exploding", "spectral_norm": 7}, value)  # missing key
    assert not matches({"regime": "exploding"}, "exploding")
    dims = evaluate({"fn": "vgg16_dims"})
    assert matches({"block3": [56, 56, 256], "fc8": 1000}, dims)
    assert not matches({"block3": [56, 56, 512]}, dims)


def test_strings_and_bools():
    assert matches("  Exploding ", "exploding")
    assert not matches("explode", "exploding")
    assert matches("138,357,544", 138_357_544)  # a numeric string compares as a number
    assert matches("2.3026", 2.302585092994046, tolerance=1e-4)
    assert not matches("abc", 3)
    assert matches(True, True) and not matches(True, 1) and not matches(1, True)
    assert matches(None, None) and not matches(None, 0)


def test_to_plain():
    mixed = (np.int64(3), np.float32(0.5), np.array([[1, 2]]), {"a": np.bool_(True)})
    assert to_plain(mixed) == [3, 0.5, [[1, 2]], {"a": True}]
    assert type(to_plain(np.int64(3))) is int
    assert type(to_plain(np.array(2.0))) is float


# -- bounds before computing (issue 10): rejected from shapes and integers, in well under a second ------

@pytest.mark.parametrize("fn, args, words", [
    ("conv2d", {"input": [[1]], "weight": [[1]], "padding": 20000}, "padding 20,000 is too large"),
    # 1x1 input padded by 4096 on each side: 8193^2 = 67,125,249 cells
    ("conv2d", {"input": [[1]], "weight": [[1]], "padding": 4096}, "padded input would be"),
    # padding 'full' with dilation 4096: 4096 * (2 - 1) on every side
    ("conv2d", {"input": [[1, 2], [3, 4]], "weight": [[1, 1], [1, 1]], "padding": "full", "dilation": 4096},
     "padded input would be"),
    ("conv2d_backward", {"input": [[1]], "weight": [[1]], "grad_output": [[1]], "padding": [3000, 3000]},
     "would be"),
    ("pool2d", {"input": [[1]], "kernel_size": 4096, "padding": 2048}, "would be"),
    ("pool2d_backward", {"input": [[1]], "grad_output": [[1]], "kernel_size": 3000, "stride": 1, "padding": 1500},
     "would be"),
    ("rnn_gradient", {"weight": [[0.5] * 600] * 600}, "too large (at most 512 per side)"),
    ("activation_memory", {"shape": [2**60, 2], "unit": "MB"}, "is too large (at most 2**53)"),
    ("linear_params", {"in_features": [1] * 5000, "out_features": 2}, "5,000 entries"),
])
def test_oversized_arguments_are_rejected_before_computing(fn, args, words, monkeypatch):
    import functools

    import generators.checks as checks

    real = checks.CHECKS[fn]

    @functools.wraps(real)
    def must_not_run(**kwargs):
        raise AssertionError(f"{fn} ran on arguments its bounds should have rejected")

    monkeypatch.setitem(checks.CHECKS, fn, must_not_run)
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)").replace("*", r"\*")):
        evaluate({"fn": fn, "args": args})


def test_window_and_work_limits():
    # a 900x900 input and a 31x31 kernel: 870^2 outputs x 961 products = 727,380,900 window cells > 1e7
    import generators.checks as checks

    args = {"input": [[0] * 900] * 900, "weight": [[0] * 31] * 31}
    with pytest.raises(ValueError, match="sliding-window array would be 727,380,900"):
        checks.check_bounds("conv2d", args)
    checks.check_bounds("conv2d", {"input": [[0] * 100] * 100, "weight": [[0] * 3] * 3})  # 98^2 * 9: fine


def test_values_beyond_float_range_do_not_overflow():
    with pytest.raises(ValueError, match="activation_memory"):  # 4096 factors of 2**53: a float overflow
        evaluate({"fn": "activation_memory", "args": {"shape": [2**53] * 4096}})
    assert matches(10**400, 9, tolerance=0.1) is False
    assert matches(10**400, 10**400, tolerance=0.1) is True


def test_messages_quote_at_most_200_characters():
    with pytest.raises(TypeError) as e:
        evaluate({"fn": "conv2d", "args": [[1.25] * 1000] * 1000})
    assert len(str(e.value)) < 300
