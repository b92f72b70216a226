"""pool2d / pool2d_backward against naive loops, numerical gradients, hand-worked examples (and torch if present)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import numerical_grad
from hypothesis import given, settings
from hypothesis import strategies as st

from generators.pool import pool2d, pool2d_backward

# ---------------------------------------------------------------- independent references


def naive_starts(size, k, s, p, ceil_mode):
    """Window starts (in input coordinates) as the PyTorch docs describe them: a window is kept if it
    lies inside input+padding (floor) or, with ceil_mode, sticks out by less than a stride, as long as
    it starts inside the input or the left padding (windows starting in the right padding are dropped)."""
    starts, i = [], 0
    while True:
        start = i * s - p
        end = start + k  # exclusive
        fits = end <= size + p if not ceil_mode else end - (size + p) < s
        if not fits or start >= size:
            return starts
        starts.append(start)
        i += 1


def naive_pool(x, k, s, p, mode, ceil_mode):
    """x H×W; per window: max over in-bounds cells, or their sum / PyTorch's count_include_pad divisor."""
    h, w = x.shape
    rows = naive_starts(h, k[0], s[0], p[0], ceil_mode)
    cols = naive_starts(w, k[1], s[1], p[1], ceil_mode)
    out = np.zeros((len(rows), len(cols)))
    for a, r0 in enumerate(rows):
        for b, c0 in enumerate(cols):
            cells = [x[r, c] for r in range(r0, r0 + k[0]) for c in range(c0, c0 + k[1])
                     if 0 <= r < h and 0 <= c < w]
            if mode == "max":
                out[a, b] = max(cells)
            else:
                # padding cells count, cells beyond the right/bottom padding do not
                n_r = min(r0 + k[0], h + p[0]) - r0
                n_c = min(c0 + k[1], w + p[1]) - c0
                out[a, b] = sum(cells) / (n_r * n_c)
    return out


def naive_max_backward(x, g, k, s, p, ceil_mode):
    """Route each g[a, b] to the first (row-major) strict maximum of its window."""
    h, w = x.shape
    rows = naive_starts(h, k[0], s[0], p[0], ceil_mode)
    cols = naive_starts(w, k[1], s[1], p[1], ceil_mode)
    dx = np.zeros_like(x)
    for a, r0 in enumerate(rows):
        for b, c0 in enumerate(cols):
            best, where = -np.inf, None
            for r in range(r0, r0 + k[0]):
                for c in range(c0, c0 + k[1]):
                    if 0 <= r < h and 0 <= c < w and x[r, c] > best:
                        best, where = x[r, c], (r, c)
            dx[where] += g[a, b]
    return dx


@st.composite
def pool_cases(draw, max_side=8):
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    sh, sw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    ph, pw = draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2))
    h = draw(st.integers(max(1, kh - 2 * ph), max_side))
    w = draw(st.integers(max(1, kw - 2 * pw), max_side))
    ceil_mode = draw(st.booleans())
    seed = draw(st.integers(0, 2**32 - 1))
    return (h, w), (kh, kw), (sh, sw), (ph, pw), ceil_mode, seed


# ---------------------------------------------------------------- forward


@settings(max_examples=400, deadline=None)
@given(pool_cases(), st.sampled_from(["max", "avg"]))
def test_forward_matches_naive_loops(case, mode):
    (h, w), k, s, p, ceil_mode, seed = case
    x = np.random.default_rng(seed).integers(-9, 10, size=(h, w)).astype(float)
    expected = naive_pool(x, k, s, p, mode, ceil_mode)
    got = pool2d(x.tolist(), list(k), list(s), list(p), mode=mode, ceil_mode=ceil_mode)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-12)


@settings(max_examples=100, deadline=None)
@given(pool_cases(max_side=6), st.sampled_from(["max", "avg"]), st.integers(1, 3))
def test_channels_are_pooled_independently(case, mode, channels):
    (h, w), k, s, p, ceil_mode, seed = case
    x = np.random.default_rng(seed).normal(size=(channels, h, w))
    got = pool2d(x, k, s, p, mode, ceil_mode)
    for c in range(channels):
        np.testing.assert_allclose(got[c], naive_pool(x[c], k, s, p, mode, ceil_mode), rtol=1e-12)


def test_hand_worked_max_and_avg():
    x = [[1, 3, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]
    assert pool2d(x, 2).tolist() == [[6, 8], [3, 4]]
    assert pool2d(x, 2, mode="avg").tolist() == [[15 / 4, 21 / 4], [2, 2]]
    assert pool2d(x, 3, stride=1).tolist() == [[7, 8], [7, 8]]


def test_ceil_mode_partial_windows():
    x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert pool2d(x, 2).tolist() == [[5]]
    assert pool2d(x, 2, ceil_mode=True).tolist() == [[5, 6], [8, 9]]
    # avg: the partial windows divide by the cells inside input+padding only: (3+6)/2, (7+8)/2, 9/1
    assert pool2d(x, 2, mode="avg", ceil_mode=True).tolist() == [[3, 4.5], [7.5, 9]]


def test_avg_padding_counts_towards_the_divisor():
    out = pool2d(np.ones((3, 3)), 3, stride=1, padding=1, mode="avg")
    np.testing.assert_allclose(out, np.array([[4, 6, 4], [6, 9, 6], [4, 6, 4]]) / 9)


def test_max_padding_never_wins():
    out = pool2d(-np.ones((2, 2)), 2, stride=1, padding=1)
    np.testing.assert_array_equal(out, -np.ones((3, 3)))


def test_ceil_mode_drops_a_window_starting_in_the_right_padding():
    # 5 wide, k2 s2 p1: ceil((5+2-2)/2)+1 = 4 windows, but the 4th starts at 6-1 = 5 = in the right padding
    x = np.arange(5.0)[None]
    assert pool2d(x, (1, 2), (1, 2), (0, 1), ceil_mode=True).tolist() == [[0, 2, 4]]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(input=np.ones((4, 4)), kernel_size=2, padding=2), "at most half"),
        (dict(input=np.ones((2, 2)), kernel_size=3), "larger than the padded input"),
        (dict(input=np.ones((4, 4)), kernel_size=2, stride=0), "stride must be >= 1"),
        (dict(input=np.ones((4, 4)), kernel_size=0), "kernel_size must be >= 1"),
        (dict(input=np.ones((4, 4)), kernel_size=2, mode="min"), "'max' or 'avg'"),
        (dict(input=np.ones(4), kernel_size=2), "2-D"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        pool2d(**kwargs)


# ---------------------------------------------------------------- backward


@settings(max_examples=300, deadline=None)
@given(pool_cases())
def test_max_backward_matches_naive_argmax_scatter(case):
    (h, w), k, s, p, ceil_mode, seed = case
    rng = np.random.default_rng(seed)
    x = rng.permutation(h * w).reshape(h, w).astype(float)  # no ties
    g = rng.integers(-5, 6, size=naive_pool(x, k, s, p, "max", ceil_mode).shape).astype(float)
    got = pool2d_backward(x.tolist(), g.tolist(), k, s, p, "max", ceil_mode)
    np.testing.assert_array_equal(got, naive_max_backward(x, g, k, s, p, ceil_mode))


@settings(max_examples=200, deadline=None)
@given(pool_cases(max_side=6))
def test_max_backward_matches_numerical_gradient_without_ties(case):
    (h, w), k, s, p, ceil_mode, seed = case
    rng = np.random.default_rng(seed)
    x = rng.permutation(h * w).reshape(h, w).astype(float)  # gaps of 1 >> eps: argmax is stable
    g = rng.normal(size=pool2d(x, k, s, p, "max", ceil_mode).shape)
    num = numerical_grad(lambda: float((pool2d(x, k, s, p, "max", ceil_mode) * g).sum()), x)
    np.testing.assert_allclose(pool2d_backward(x, g, k, s, p, "max", ceil_mode), num, atol=1e-6)


@settings(max_examples=200, deadline=None)
@given(pool_cases(max_side=6))
def test_avg_backward_matches_numerical_gradient(case):
    (h, w), k, s, p, ceil_mode, seed = case
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, h, w))
    g = rng.normal(size=pool2d(x, k, s, p, "avg", ceil_mode).shape)
    num = numerical_grad(lambda: float((pool2d(x, k, s, p, "avg", ceil_mode) * g).sum()), x)
    np.testing.assert_allclose(pool2d_backward(x, g, k, s, p, "avg", ceil_mode), num, atol=1e-7)


def test_max_backward_ties_go_to_the_first_maximum():
    # all equal: PyTorch's CPU kernel keeps the first (row-major) maximum of each window
    dx = pool2d_backward(np.zeros((2, 4)), [[1.0, 2.0]], 2)
    np.testing.assert_array_equal(dx, [[1, 0, 2, 0], [0, 0, 0, 0]])
    dx = pool2d_backward([[1, 5, 5], [5, 0, 0], [0, 0, 0]], np.ones((2, 2)), 2, stride=1)
    # windows: (0,0) -> x[0,1]; (0,1) -> x[0,1] (first of the two 5s); (1,0) -> x[1,0]; (1,1) all 0 -> x[1,1]
    np.testing.assert_array_equal(dx, [[0, 2, 0], [1, 1, 0], [0, 0, 0]])


def test_backward_overlapping_windows_accumulate():
    x = [[0, 0, 0], [0, 9, 0], [0, 0, 0]]
    dx = pool2d_backward(x, [[1, 2], [3, 4]], 2, stride=1)
    np.testing.assert_array_equal(dx, [[0, 0, 0], [0, 10, 0], [0, 0, 0]])


def test_backward_rejects_wrong_grad_output_shape():
    with pytest.raises(ValueError, match="grad_output must have shape"):
        pool2d_backward(np.ones((4, 4)), np.ones((3, 3)), 2)


# ---------------------------------------------------------------- PyTorch (skipped when not installed)


def test_pool_forward_and_backward_match_torch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(3)
    for _ in range(60):
        k = tuple(int(v) for v in rng.integers(1, 5, size=2))
        s = tuple(int(v) for v in rng.integers(1, 4, size=2))
        p = (int(rng.integers(0, k[0] // 2 + 1)), int(rng.integers(0, k[1] // 2 + 1)))
        h, w = (int(v) for v in rng.integers(5, 10, size=2))
        ceil_mode = bool(rng.integers(0, 2))
        x = rng.permutation(2 * h * w).reshape(2, h, w).astype(float)
        for mode in ("max", "avg"):
            tx = torch.tensor(x[None], requires_grad=True)
            if mode == "max":
                out = F.max_pool2d(tx, k, s, p, ceil_mode=ceil_mode)
            else:
                out = F.avg_pool2d(tx, k, s, p, ceil_mode=ceil_mode, count_include_pad=True)
            g = rng.normal(size=tuple(out.shape[1:]))
            (out * torch.tensor(g[None])).sum().backward()
            np.testing.assert_allclose(pool2d(x, k, s, p, mode, ceil_mode), out.detach().numpy()[0], atol=1e-12)
            np.testing.assert_allclose(pool2d_backward(x, g, k, s, p, mode, ceil_mode), tx.grad.numpy()[0],
                                       atol=1e-12)
