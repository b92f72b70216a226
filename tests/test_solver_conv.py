"""conv2d / conv2d_backward against naive loops, scipy, numerical gradients, worked examples (and torch if present)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import numerical_grad
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.signal import correlate2d

from generators.conv import conv2d, conv2d_backward

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------- independent references


def naive_conv(x, w, b, stride, pad, dilation):
    """Direct loops with bounds checks instead of padding. x C×H×W, w F×C×KH×KW, pad ((t,b),(l,r))."""
    c_, h, wd = x.shape
    f_, _, kh, kw = w.shape
    (sh, sw), (dh, dw) = stride, dilation
    (pt, pb), (pl, pr) = pad
    oh = (h + pt + pb - dh * (kh - 1) - 1) // sh + 1
    ow = (wd + pl + pr - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((f_, oh, ow))
    for f in range(f_):
        for i in range(oh):
            for j in range(ow):
                acc = 0.0 if b is None else b[f]
                for c in range(c_):
                    for u in range(kh):
                        for v in range(kw):
                            r, q = i * sh + u * dh - pt, j * sw + v * dw - pl
                            if 0 <= r < h and 0 <= q < wd:
                                acc += w[f, c, u, v] * x[c, r, q]
                out[f, i, j] = acc
    return out


def naive_backward(x, w, g, stride, pad, dilation):
    """Scatter loop: every (f, i, j, c, u, v) term of the forward sum contributes to dx and dw."""
    c_, h, wd = x.shape
    f_, _, kh, kw = w.shape
    (sh, sw), (dh, dw) = stride, dilation
    (pt, _), (pl, _) = pad
    gx, gw = np.zeros_like(x), np.zeros_like(w)
    for f in range(f_):
        for i in range(g.shape[1]):
            for j in range(g.shape[2]):
                for c in range(c_):
                    for u in range(kh):
                        for v in range(kw):
                            r, q = i * sh + u * dh - pt, j * sw + v * dw - pl
                            if 0 <= r < h and 0 <= q < wd:
                                gx[c, r, q] += w[f, c, u, v] * g[f, i, j]
                                gw[f, c, u, v] += x[c, r, q] * g[f, i, j]
    return gx, gw, g.sum(axis=(1, 2))


@st.composite
def conv_cases(draw, max_side=7):
    """Random small conv problems whose dilated kernel fits in the padded input."""
    c = draw(st.integers(1, 3))
    f = draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    dh, dw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    h = draw(st.integers(max(1, dh * (kh - 1) + 1 - 2 * ph), max(max_side, dh * (kh - 1) + 1)))
    w = draw(st.integers(max(1, dw * (kw - 1) + 1 - 2 * pw), max(max_side, dw * (kw - 1) + 1)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.integers(-5, 6, size=(c, h, w)).astype(float)
    wt = rng.integers(-3, 4, size=(f, c, kh, kw)).astype(float)
    b = rng.integers(-3, 4, size=f).astype(float)
    return x, wt, b, (sh, sw), (ph, pw), (dh, dw)


# ---------------------------------------------------------------- forward


@FAST
@given(conv_cases())
def test_conv2d_matches_naive_loops(case):
    x, w, b, stride, (ph, pw), dil = case
    expected = naive_conv(x, w, b, stride, ((ph, ph), (pw, pw)), dil)
    got = conv2d(x.tolist(), w.tolist(), b.tolist(), stride=list(stride), padding=(ph, pw), dilation=dil)
    assert got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)  # integer-valued data: exact


@settings(max_examples=300, deadline=None)
@given(h=st.integers(1, 9), w=st.integers(1, 9), kh=st.integers(1, 5), kw=st.integers(1, 5),
       seed=st.integers(0, 2**32 - 1))
def test_single_channel_matches_scipy_correlate2d(h, w, kh, kw, seed):
    rng = np.random.default_rng(seed)
    x, k = rng.normal(size=(h, w)), rng.normal(size=(kh, kw))
    full = correlate2d(x, k, mode="full")
    np.testing.assert_allclose(conv2d(x, k, padding="full"), full, atol=1e-12)
    # PyTorch 'same': total pad k-1 per axis, floor half before, the extra one after, so
    # same[i] = full[i + (k-1) - (k-1)//2]
    oi, oj = kh - 1 - (kh - 1) // 2, kw - 1 - (kw - 1) // 2
    same = conv2d(x, k, padding="same")
    assert same.shape == (h, w)
    np.testing.assert_allclose(same, full[oi : oi + h, oj : oj + w], atol=1e-12)
    if kh % 2 and kw % 2:  # odd kernels: no asymmetry, scipy's own 'same' centring agrees
        np.testing.assert_allclose(same, correlate2d(x, k, mode="same"), atol=1e-12)
    if kh <= h and kw <= w:
        valid = conv2d(x, k)
        np.testing.assert_allclose(valid, correlate2d(x, k, mode="valid"), atol=1e-12)
        np.testing.assert_allclose(conv2d(x, k, padding="valid"), valid, atol=0)


@settings(max_examples=150, deadline=None)
@given(h=st.integers(1, 8), w=st.integers(1, 8), kh=st.integers(1, 4), kw=st.integers(1, 4),
       dh=st.integers(1, 3), dw=st.integers(1, 3), c=st.integers(1, 3), seed=st.integers(0, 2**32 - 1))
def test_same_padding_keeps_size_and_pads_extra_bottom_right(h, w, kh, kw, dh, dw, c, seed):
    rng = np.random.default_rng(seed)
    x, k = rng.normal(size=(c, h, w)), rng.normal(size=(2, c, kh, kw))
    th, tw = dh * (kh - 1), dw * (kw - 1)
    pad = ((th // 2, th - th // 2), (tw // 2, tw - tw // 2))
    got = conv2d(x, k, padding="same", dilation=(dh, dw))
    assert got.shape == (2, h, w)
    np.testing.assert_allclose(got, naive_conv(x, k, None, (1, 1), pad, (dh, dw)), atol=1e-12)


def test_same_padding_even_kernel_by_hand():
    # k=2: PyTorch pads 0 on the left, 1 on the right -> out[i] = x[i]*1 + x[i+1]*10
    assert conv2d([[1, 2, 3]], [[1, 10]], padding="same").tolist() == [[21.0, 32.0, 3.0]]
    assert conv2d([[1], [2], [3]], [[1], [10]], padding="same").tolist() == [[21.0], [32.0], [3.0]]


def test_full_padding_by_hand():
    assert conv2d([[1, 2]], [[1, 10]], padding="full").tolist() == [[10.0, 21.0, 2.0]]


def test_bias_scalar_and_per_filter():
    x = np.ones((1, 3, 3))
    w = np.stack([np.ones((1, 2, 2)), 2 * np.ones((1, 2, 2))])
    out = conv2d(x, w, bias=[0.5, -1])
    np.testing.assert_array_equal(out[0], np.full((2, 2), 4.5))
    np.testing.assert_array_equal(out[1], np.full((2, 2), 7.0))
    np.testing.assert_array_equal(conv2d(x, w, bias=3)[1], np.full((2, 2), 11.0))


def test_shapes_follow_the_arguments():
    x2, x3 = np.ones((5, 5)), np.ones((2, 5, 5))
    assert conv2d(x2, np.ones((3, 3))).shape == (3, 3)
    assert conv2d(x2, np.ones((4, 1, 3, 3))).shape == (4, 3, 3)
    assert conv2d(x3, np.ones((2, 3, 3))).shape == (1, 3, 3)  # one C×KH×KW filter
    assert conv2d(x3, np.ones((6, 2, 3, 3)), stride=2, padding=1).shape == (6, 3, 3)
    assert conv2d(np.ones((1, 32, 32)), np.ones((1, 1, 5, 5))).shape == (1, 28, 28)
    assert conv2d(np.ones((1, 227, 227)), np.ones((1, 1, 11, 11)), stride=4).shape == (1, 55, 55)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(input=np.ones((3, 3)), weight=np.ones((4, 4))), "larger than the padded input"),
        (dict(input=np.ones((3, 3)), weight=np.ones((3, 3)), dilation=2), "dilated to 5"),
        (dict(input=np.ones((2, 5, 5)), weight=np.ones((1, 3, 3, 3))), "channel mismatch"),
        (dict(input=np.ones((5, 5)), weight=np.ones((3, 3)), stride=0), "stride must be >= 1"),
        (dict(input=np.ones((5, 5)), weight=np.ones((3, 3)), stride=-1), "stride must be >= 1"),
        (dict(input=np.ones((5, 5)), weight=np.ones((3, 3)), padding=-1), "padding must be >= 0"),
        (dict(input=np.ones((5, 5)), weight=np.ones((3, 3)), padding="same", stride=2), "stride 1"),
        (dict(input=np.ones((5, 5)), weight=np.ones((3, 3)), padding="half"), "'valid', 'same', 'full'"),
        (dict(input=np.ones((5, 5)), weight=np.ones((3, 3)), stride=(1, 2, 3)), "(h, w) pair"),
        (dict(input=np.ones((5, 5)), weight=np.ones((3, 3)), stride=1.5), "integer"),
        (dict(input=np.ones((1, 5, 5)), weight=np.ones((2, 1, 3, 3)), bias=[1, 2, 3]), "one value per filter"),
        (dict(input=[[1, 2], [3]], weight=np.ones((1, 1))), "rectangular"),
        (dict(input=np.ones(5), weight=np.ones((1, 1))), "2-D or 3-D"),
    ],
)
def test_bad_arguments_raise_clear_value_errors(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        conv2d(**kwargs)


# ---------------------------------------------------------------- worked examples from the documents


def test_midterm_ii_horizontal_edge_filter():
    x = np.array([
        [6, 3, 4, 4, 5, 0, 3],
        [4, 7, 4, 0, 4, 0, 4],
        [7, 0, 2, 3, 4, 5, 2],
        [3, 7, 5, 0, 3, 0, 7],
        [5, 8, 1, 2, 5, 4, 2],
        [8, 0, 1, 0, 6, 0, 0],
        [6, 4, 1, 3, 0, 4, 5],
    ])
    k = [[1, 1, 1], [0, 0, 0], [-1, -1, -1]]
    # worked by hand: out[i][j] = (sum of x[i][j:j+3]) - (sum of x[i+2][j:j+3])
    # row sums of 3-wide windows, per input row:
    #   r0: 13 11 13  9  8    r1: 15 11  8  4  8    r2:  9  5  9 12 11
    #   r3: 15 12  8  3 10    r4: 14 11  8 11 11    r5:  9  1  7  6  6    r6: 11  8  4  7  9
    expected = np.array([
        [13 - 9, 11 - 5, 13 - 9, 9 - 12, 8 - 11],
        [15 - 15, 11 - 12, 8 - 8, 4 - 3, 8 - 10],
        [9 - 14, 5 - 11, 9 - 8, 12 - 11, 11 - 11],
        [15 - 9, 12 - 1, 8 - 7, 3 - 6, 10 - 6],
        [14 - 11, 11 - 8, 8 - 4, 11 - 7, 11 - 9],
    ])
    np.testing.assert_array_equal(naive_conv(x[None].astype(float), np.array(k, float)[None, None], None,
                                             (1, 1), ((0, 0), (0, 0)), (1, 1))[0], expected)
    np.testing.assert_array_equal(conv2d(x.tolist(), k), expected)
    assert expected[0].tolist() == [4, 6, 4, -3, -3]  # the document's first row is right
    document = np.array([[4, 6, 4, -3, -3], [0, -1, 0, 1, -2], [-5, -6, 1, -1, 0], [6, 11, 1, -3, 4], [3, 3, 4, 4, 2]])
    # ...but its row 3, column 4 says -1: the window rows 2..4, cols 3..5 give (3+4+5) - (2+5+4) = +1
    wrong = np.argwhere(document != expected)
    assert wrong.tolist() == [[2, 3]]
    assert expected[2, 3] == 1 and document[2, 3] == -1


def test_quiz_2x2_filter_forward_example():
    # the quiz answers -5 -6 -12 -9 but its own products give 1*1 + 5*(-1) = -4 for every cell
    out = conv2d([[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[1, 0], [0, -1]])
    np.testing.assert_array_equal(out, [[-4, -4], [-4, -4]])


def test_quiz_stride2_shapes():
    x, k = np.arange(16.0).reshape(4, 4), np.ones((2, 2))
    out = conv2d(x, k, stride=2)
    assert out.shape == (2, 2)
    gx, gw, _ = conv2d_backward(x, k, np.ones((2, 2)), stride=2)
    assert gx.shape == (4, 4) and gw.shape == (2, 2)
    gx1, _, _ = conv2d_backward(np.ones((4, 4)), k, np.ones((3, 3)))
    assert gx1.shape == (4, 4)


# ---------------------------------------------------------------- backward


@settings(max_examples=120, deadline=None)
@given(conv_cases(max_side=6))
def test_backward_matches_central_differences(case):
    x, w, b, stride, (ph, pw), dil = case
    x, w, b = x + 0.25, w * 0.5, b.copy()  # any values; L is linear in each argument
    out_shape = conv2d(x, w, b, stride, (ph, pw), dil).shape
    g = np.random.default_rng(int(x.sum() * 7) % 1000).normal(size=out_shape)

    def loss():
        return float((conv2d(x, w, b, stride, (ph, pw), dil) * g).sum())

    gx, gw, gb = conv2d_backward(x, w, g, stride, (ph, pw), dil)
    np.testing.assert_allclose(gx, numerical_grad(loss, x, eps=1e-3), atol=1e-6)
    np.testing.assert_allclose(gw, numerical_grad(loss, w, eps=1e-3), atol=1e-6)
    np.testing.assert_allclose(gb, numerical_grad(loss, b, eps=1e-3), atol=1e-6)


@FAST
@given(conv_cases())
def test_backward_matches_naive_scatter(case):
    x, w, _, stride, (ph, pw), dil = case
    out_shape = conv2d(x, w, None, stride, (ph, pw), dil).shape
    g = np.random.default_rng(out_shape[1] * 31 + out_shape[2]).integers(-3, 4, size=out_shape).astype(float)
    gx, gw, gb = conv2d_backward(x.tolist(), w.tolist(), g.tolist(), stride, (ph, pw), dil)
    ex, ew, eb = naive_backward(x, w, g, stride, ((ph, ph), (pw, pw)), dil)
    np.testing.assert_array_equal(gx, ex)
    np.testing.assert_array_equal(gw, ew)
    np.testing.assert_array_equal(gb, eb)


@settings(max_examples=60, deadline=None)
@given(h=st.integers(2, 7), w=st.integers(2, 7), kh=st.integers(1, 4), kw=st.integers(1, 4),
       mode=st.sampled_from(["same", "full"]), seed=st.integers(0, 2**32 - 1))
def test_backward_with_mode_padding_matches_numerical(h, w, kh, kw, mode, seed):
    rng = np.random.default_rng(seed)
    x, k = rng.normal(size=(2, h, w)), rng.normal(size=(2, 2, kh, kw))
    g = rng.normal(size=conv2d(x, k, padding=mode).shape)

    def loss():
        return float((conv2d(x, k, padding=mode) * g).sum())

    gx, gw, _ = conv2d_backward(x, k, g, padding=mode)
    np.testing.assert_allclose(gx, numerical_grad(loss, x, eps=1e-3), atol=1e-6)
    np.testing.assert_allclose(gw, numerical_grad(loss, k, eps=1e-3), atol=1e-6)


def test_backward_2d_shapes_and_hand_values():
    x = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]
    k = [[1.0, 0.0], [0.0, -1.0]]
    gx, gw, gb = conv2d_backward(x, k, [[1.0, 0.0], [0.0, 0.0]])
    # only output (0,0) has gradient: dx = the kernel placed at (0,0); dw = the top-left 2×2 of x
    np.testing.assert_array_equal(gx, [[1, 0, 0], [0, -1, 0], [0, 0, 0]])
    np.testing.assert_array_equal(gw, [[1, 2], [4, 5]])
    assert gb.shape == () and float(gb) == 1.0


def test_backward_rows_cut_off_by_the_floor_get_zero_gradient():
    # 5 wide, k=2, stride 2: windows cover columns 0..3 only; column 4 never used
    gx, _, _ = conv2d_backward(np.ones((1, 5)), np.ones((1, 2)), np.ones((1, 2)), stride=2)
    np.testing.assert_array_equal(gx, [[1, 1, 1, 1, 0]])


def test_backward_rejects_wrong_grad_output_shape():
    with pytest.raises(ValueError, match="grad_output must have shape"):
        conv2d_backward(np.ones((4, 4)), np.ones((2, 2)), np.ones((2, 2)))


# ---------------------------------------------------------------- PyTorch (skipped when not installed)


def _torch_cases(n=40):
    rng = np.random.default_rng(1)
    for _ in range(n):
        c, f = rng.integers(1, 4, size=2)
        k = tuple(int(v) for v in rng.integers(1, 4, size=2))
        s = tuple(int(v) for v in rng.integers(1, 3, size=2))
        p = tuple(int(v) for v in rng.integers(0, 2, size=2))
        d = tuple(int(v) for v in rng.integers(1, 3, size=2))
        h, w = (int(v) for v in rng.integers(7, 11, size=2))
        yield rng.normal(size=(c, h, w)), rng.normal(size=(f, c, *k)), rng.normal(size=f), s, p, d


def test_conv2d_and_backward_match_torch():
    torch = pytest.importorskip("torch")
    for x, w, b, s, p, d in _torch_cases():
        tx = torch.tensor(x[None], requires_grad=True)
        tw = torch.tensor(w, requires_grad=True)
        tb = torch.tensor(b, requires_grad=True)
        out = torch.nn.functional.conv2d(tx, tw, tb, stride=s, padding=p, dilation=d)
        g = np.random.default_rng(0).normal(size=tuple(out.shape[1:]))
        (out * torch.tensor(g[None])).sum().backward()
        np.testing.assert_allclose(conv2d(x, w, b, s, p, d), out.detach().numpy()[0], atol=1e-10)
        gx, gw, gb = conv2d_backward(x, w, g, s, p, d)
        np.testing.assert_allclose(gx, tx.grad.numpy()[0], atol=1e-10)
        np.testing.assert_allclose(gw, tw.grad.numpy(), atol=1e-10)
        np.testing.assert_allclose(gb, tb.grad.numpy(), atol=1e-10)


def test_same_padding_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    for kh, kw, dh in [(2, 2, 1), (4, 3, 1), (3, 2, 2), (2, 4, 3)]:
        x, w = rng.normal(size=(2, 6, 7)), rng.normal(size=(3, 2, kh, kw))
        expected = torch.nn.functional.conv2d(torch.tensor(x[None]), torch.tensor(w), padding="same",
                                              dilation=(dh, 1)).numpy()[0]
        np.testing.assert_allclose(conv2d(x, w, padding="same", dilation=(dh, 1)), expected, atol=1e-10)
