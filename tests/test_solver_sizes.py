"""Output-size formulas against the shapes conv2d/pool2d produce, hand-worked examples, VGG-16 (and torch)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from generators.conv import conv2d
from generators.pool import pool2d
from generators.sizes import (
    conv_output_size,
    pool_output_size,
    transposed_conv_output_size,
    vgg16_dims,
)

# ---------------------------------------------------------------- hand-worked examples


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((32, 5, 1, 0), 28),  # LeNet-style 32×32, 5×5
        ((227, 11, 4, 0), 55),  # AlexNet conv1
        ((224, 11, 4, 2), 55),  # torchvision AlexNet conv1
        ((224, 3, 1, 1), 224),  # VGG "same" conv
        ((224, 7, 2, 3), 112),  # ResNet stem
        ((32, 5, 1, 2), 32),  # quiz: 32×32×3, 5×5, pad 2, stride 1
        ((4, 2, 2, 0), 2),  # quiz: 4×4 input, 2×2 kernel, stride 2 -> (4-2)/2+1
        ((7, 3, 1, 0), 5),  # Midterm II edge filter
        ((7, 3, 2, 0), 3),
        ((8, 3, 2, 0), 3),  # floor((8-3)/2)+1
        ((10, 3, 1, 0, 2), 6),  # dilation 2: effective kernel 5
        ((5, 3, 1, 0, 2), 1),
    ],
)
def test_conv_output_size_examples(args, expected):
    assert conv_output_size(*args) == expected


def test_conv_output_size_mode_padding():
    assert conv_output_size(7, 3, padding="same") == 7
    assert conv_output_size(7, 4, padding="same", dilation=2) == 7
    assert conv_output_size(7, 3, padding="valid") == 5
    assert conv_output_size(7, 3, padding="full") == 9
    assert conv_output_size(7, 3, padding="full", dilation=2) == 11
    with pytest.raises(ValueError, match="stride 1"):
        conv_output_size(7, 3, stride=2, padding="same")


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        ((224, 2, 2), {}, 112),  # VGG max-pool
        ((55, 3, 2), {}, 27),  # AlexNet overlapping pools
        ((27, 3, 2), {}, 13),
        ((13, 3, 2), {}, 6),
        ((112, 3, 2, 1), {}, 56),  # ResNet max-pool
        ((5, 2), {}, 2),  # stride defaults to the kernel size
        ((5, 2), {"ceil_mode": True}, 3),  # ceil keeps the partial last window
        ((112, 3, 2), {"ceil_mode": True}, 56),  # GoogLeNet maxpool1 (ceil_mode=True); floor would give 55
        ((112, 3, 2), {}, 55),
        ((6, 3, 2, 1), {"ceil_mode": True}, 4),  # ceil((6+2-3)/2)+1 = 4; last start 6-1 = 5 < 6: kept
        ((5, 2, 2, 1), {"ceil_mode": True}, 3),  # ceil gives 4, but window 4 would start at 6-1 = 5: dropped
        ((2, 3, 3, 1), {"ceil_mode": True}, 1),  # ceil gives 2, window 2 starts at 3-1 = 2 = right pad: dropped
        ((4, 2, 2, 1), {"ceil_mode": True}, 3),
        ((10, 3, 1, 0), {"dilation": 2}, 6),
        ((7, 3, 2), {"dilation": 2, "ceil_mode": True}, 2),  # ceil((7-5)/2)+1 = 2
        ((8, 3, 2), {"dilation": 2, "ceil_mode": True}, 3),  # ceil(3/2)+1 = 3, start 4 < 8
    ],
)
def test_pool_output_size_examples(args, kwargs, expected):
    assert pool_output_size(*args, **kwargs) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((2, 3, 2, 0), 5),  # (2-1)*2 + (3-1) + 1
        ((4, 4, 2, 1), 8),  # DCGAN upsampling: doubles the size
        ((3, 3, 2, 1, 1), 6),  # output_padding 1 resolves the stride-2 ambiguity upwards
        ((3, 3, 2, 1, 0), 5),
        ((5, 3, 1, 0), 7),  # stride 1, no padding: "full" convolution size
        ((5, 3, 1, 1), 5),
        ((7, 2, 2, 0), 14),
        ((3, 3, 1, 0, 0, 2), 7),  # dilation 2: (3-1) + 2*2 + 1
    ],
)
def test_transposed_conv_output_size_examples(args, expected):
    assert transposed_conv_output_size(*args) == expected


# ---------------------------------------------------------------- formulas vs the solver's own shapes


@settings(max_examples=400, deadline=None)
@given(i=st.integers(1, 12), k=st.integers(1, 5), s=st.integers(1, 4), p=st.integers(0, 3), d=st.integers(1, 3))
def test_conv_output_size_matches_conv2d_shape(i, k, s, p, d):
    assume(d * (k - 1) + 1 <= i + 2 * p)
    out = conv2d(np.zeros((1, i, i + 1)), np.zeros((1, 1, k, k)), stride=s, padding=p, dilation=d)
    # the width is i+1: compare both axes
    assert out.shape == (1, conv_output_size(i, k, s, p, d), conv_output_size(i + 1, k, s, p, d))


@settings(max_examples=150, deadline=None)
@given(i=st.integers(1, 12), k=st.integers(1, 5), d=st.integers(1, 3), mode=st.sampled_from(["valid", "same", "full"]))
def test_conv_output_size_mode_matches_conv2d_shape(i, k, d, mode):
    assume(mode != "valid" or d * (k - 1) + 1 <= i)
    out = conv2d(np.zeros((i, i)), np.zeros((k, k)), padding=mode, dilation=d)
    assert out.shape == (conv_output_size(i, k, padding=mode, dilation=d),) * 2


def doc_window_count(size, k, s, p, d, ceil_mode):
    """Count windows as PyTorch's docs describe them (independent of the closed form)."""
    eff = d * (k - 1) + 1
    count = 0
    while True:
        start = count * s - p
        end = start + eff
        fits = end <= size + p if not ceil_mode else end - (size + p) < s
        if not fits or start >= size:
            return count
        count += 1


@settings(max_examples=500, deadline=None)
@given(i=st.integers(1, 15), k=st.integers(1, 5), s=st.integers(1, 5), d=st.integers(1, 2),
       ceil_mode=st.booleans(), data=st.data())
def test_pool_output_size_matches_window_enumeration(i, k, s, d, ceil_mode, data):
    p = data.draw(st.integers(0, k // 2))  # PyTorch: pad <= kernel_size / 2 (undilated)
    assume(d * (k - 1) + 1 <= i + 2 * p)
    assert pool_output_size(i, k, s, p, d, ceil_mode) == doc_window_count(i, k, s, p, d, ceil_mode)


@settings(max_examples=200, deadline=None)
@given(i=st.integers(1, 10), k=st.integers(1, 4), s=st.integers(1, 4), ceil_mode=st.booleans(), data=st.data())
def test_pool_output_size_matches_pool2d_shape(i, k, s, ceil_mode, data):
    p = data.draw(st.integers(0, k // 2))
    assume(k <= i + 2 * p)
    out = pool2d(np.zeros((i, 3 + k)), k, s, p, ceil_mode=ceil_mode)
    assert out.shape == (pool_output_size(i, k, s, p, ceil_mode=ceil_mode),
                         pool_output_size(3 + k, k, s, p, ceil_mode=ceil_mode))


@settings(max_examples=400, deadline=None)
@given(i=st.integers(1, 12), k=st.integers(1, 5), s=st.integers(1, 4), p=st.integers(0, 3),
       d=st.integers(1, 3), data=st.data())
def test_transposed_size_inverts_the_conv_size(i, k, s, p, d, data):
    op = data.draw(st.integers(0, max(s, d) - 1))
    try:
        o = transposed_conv_output_size(i, k, s, p, op, d)
    except ValueError:
        assume(False)
    assume(d * (k - 1) + 1 <= o + 2 * p)
    if op < s:
        # a conv with the same hyper-parameters maps the transposed output size back to i ...
        assert conv_output_size(o, k, s, p, d) == i
        # ... and o - op is the smallest size that does (the conv's floor hides up to s-1 extra rows)
        smaller = o - op - 1
        if smaller >= 1 and smaller + 2 * p >= d * (k - 1) + 1:
            assert conv_output_size(smaller, k, s, p, d) == i - 1


# ---------------------------------------------------------------- VGG-16


def test_vgg16_dims_224():
    assert vgg16_dims() == {
        "block1": [224, 224, 64], "block2": [112, 112, 128], "block3": [56, 56, 256],
        "block4": [28, 28, 512], "block5": [14, 14, 512], "pool5": [7, 7, 512],
        "fc6": 4096, "fc7": 4096, "fc8": 1000,
    }


@pytest.mark.parametrize("size", [224, 64, 100])
def test_vgg16_dims_match_propagating_an_image_through_conv2d_and_pool2d(size):
    x = np.zeros((size, size))
    dims = vgg16_dims(size)
    for n in range(1, 6):
        x = conv2d(conv2d(x, np.zeros((3, 3)), padding=1), np.zeros((3, 3)), padding=1)
        assert list(x.shape) == dims[f"block{n}"][:2]
        x = pool2d(x, 2)
    assert list(x.shape) == dims["pool5"][:2]


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("fn", "args", "message"),
    [
        (conv_output_size, (3, 5), "larger than the padded input"),
        (conv_output_size, (3, 3, 0), "stride must be >= 1"),
        (conv_output_size, (0, 3), "input_size must be >= 1"),
        (conv_output_size, (5, 3, 1, "half"), "padding must be"),
        (pool_output_size, (4, 2, 2, 2), "at most half"),
        (pool_output_size, (2, 3), "larger than the padded input"),
        (transposed_conv_output_size, (3, 3, 2, 0, 2), "output_padding"),
        (transposed_conv_output_size, (1, 1, 1, 2), "output size would be"),
        (vgg16_dims, (16,), "input_size must be >= 32"),
        (conv_output_size, (True, 3), "integer"),
    ],
)
def test_size_errors(fn, args, message):
    with pytest.raises(ValueError, match=message):
        fn(*args)


# ---------------------------------------------------------------- PyTorch shapes (skipped when not installed)


def test_sizes_match_torch_layer_shapes():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    rng = np.random.default_rng(4)
    for _ in range(200):
        i, k, s, d = (int(v) for v in rng.integers((1, 1, 1, 1), (20, 6, 5, 3)))
        p = int(rng.integers(0, 3))
        x = torch.zeros(1, 1, i, i)
        if d * (k - 1) + 1 <= i + 2 * p:
            out = nn.Conv2d(1, 1, k, s, p, d)(x)
            assert out.shape[-1] == conv_output_size(i, k, s, p, d)
        pp = int(rng.integers(0, k // 2 + 1))  # PyTorch: pad <= kernel_size / 2 (undilated)
        if d * (k - 1) + 1 <= i + 2 * pp:
            for ceil_mode in (False, True):
                out = nn.MaxPool2d(k, s, pp, d, ceil_mode=ceil_mode)(x)
                assert out.shape[-1] == pool_output_size(i, k, s, pp, d, ceil_mode)
        op = int(rng.integers(0, max(s, d)))
        expected = (i - 1) * s - 2 * p + d * (k - 1) + op + 1
        if expected >= 1:
            out = nn.ConvTranspose2d(1, 1, k, s, p, op, dilation=d)(x)
            assert out.shape[-1] == transposed_conv_output_size(i, k, s, p, op, d)
