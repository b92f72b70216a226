"""Independent recomputations (plain Python loops, written apart from the generators) of the right
answers and of every catalogued wrong procedure of the optimizer, recurrent-cell and attention
families; ``test_diagnosis`` feeds these wrong answers to the diagnosis, which must name them."""

from __future__ import annotations

import math

__all__ = ["WRONG", "attention_loop", "gru_loop", "lstm_loop", "optimizer_loop", "rnn_bptt", "rnn_loop"]


def _row(v):
    return [[float(x) for x in v]]


# -- optimizer-step -----------------------------------------------------------------------------
def optimizer_loop(P, sign=1.0, no_bc=False, eps_in=False, no_sqrt=False, no_acc=False, swap_alpha=False,
                   no_wd=False, plain_nesterov=False, no_mom=False):
    """One coordinate at a time, the textbook (CS231n-style) updates with PyTorch's conventions."""
    opt, lr = P["optimizer"], P["lr"]
    wd = 0.0 if no_wd else P.get("weight_decay", 0.0)
    out = []
    for i, w in enumerate(P["w0"]):
        vel = s = m = v = 0.0
        for t, grads in enumerate(P["grads"], 1):
            g = grads[i] + wd * w
            if opt == "sgd" or (opt in ("momentum", "nesterov") and no_mom):
                delta = -lr * g
            elif opt in ("momentum", "nesterov"):
                mu = P["momentum"]
                vel_prev = vel
                vel = mu * vel - lr * g  # CS231n's velocity (v = -lr·b)
                if opt == "nesterov" and not plain_nesterov:
                    delta = -mu * vel_prev + (1 + mu) * vel
                else:
                    delta = vel
            else:
                eps = P["eps"]
                if opt == "adagrad":
                    s = g * g if no_acc else s + g * g
                    num, den = g, s
                elif opt == "rmsprop":
                    a = P["alpha"]
                    s = (1 - a) * s + a * g * g if swap_alpha else a * s + (1 - a) * g * g
                    num, den = g, s
                else:
                    b1, b2 = P["betas"]
                    m = b1 * m + (1 - b1) * g
                    v = b2 * v + (1 - b2) * g * g
                    num = m if no_bc else m / (1 - b1 ** t)
                    den = v if no_bc else v / (1 - b2 ** t)
                root = math.sqrt(den + eps) if eps_in else (den + eps if no_sqrt else math.sqrt(den) + eps)
                delta = -lr * num / root
            w = w + sign * delta
        out.append(w)
    return out


def optimizer_wrong(P):
    o = P["optimizer"]
    adaptive = o in ("adagrad", "rmsprop", "adam")
    mom = o in ("momentum", "nesterov")
    return {
        "adam-no-bias-correction": _row(optimizer_loop(P, no_bc=True)) if o == "adam" else None,
        "eps-inside-sqrt": _row(optimizer_loop(P, eps_in=True)) if adaptive else None,
        "sqrt-forgotten": _row(optimizer_loop(P, no_sqrt=True)) if adaptive else None,
        "adagrad-not-accumulated": _row(optimizer_loop(P, no_acc=True)) if o == "adagrad" else None,
        "rmsprop-alpha-swapped": _row(optimizer_loop(P, swap_alpha=True)) if o == "rmsprop" else None,
        "step-sign": _row(optimizer_loop(P, sign=-1.0)) if o in ("sgd", "momentum", "nesterov") else None,
        "momentum-ignored": _row(optimizer_loop(P, no_mom=True)) if mom else None,
        "nesterov-as-momentum": _row(optimizer_loop(P, plain_nesterov=True)) if o == "nesterov" else None,
        "weight-decay-forgotten": _row(optimizer_loop(P, no_wd=True)) if P.get("weight_decay") else None,
    }


# -- rnn-step -----------------------------------------------------------------------------------
def _matvec(m, v, transpose=False):
    if transpose:
        return [sum(m[r][c] * v[r] for r in range(len(m))) for c in range(len(m[0]))]
    return [sum(a * b for a, b in zip(r, v, strict=True)) for r in m]


def rnn_loop(P, linear=False, whh_T=False, no_b=False, zero_h0=False):
    """States h_0..h_T and pre-activations by plain loops."""
    h = [0.0] * len(P["h0"]) if zero_h0 else list(P["h0"])
    hs, pre = [h], []
    for x in P["x"]:
        ux, wh = _matvec(P["w_xh"], x), _matvec(P["w_hh"], h, transpose=whh_T)
        a = [u + w + (0.0 if no_b else bb) for u, w, bb in zip(ux, wh, P["b"], strict=True)]
        h = a if linear else [math.tanh(v) for v in a]
        pre.append(a)
        hs.append(h)
    return hs, pre


def rnn_bptt(P, local="right", one_step=False, forward_matrix=False):
    hs, pre = rnn_loop(P)
    H, D = len(P["h0"]), len(P["x"][0])
    gw = [[0.0] * H for _ in range(H)]
    gx = [[0.0] * D for _ in range(H)]
    gb = [0.0] * H
    dh = list(P["grad_output"])
    for t in range(len(P["x"]), 0, -1):
        if local == "none":
            da = dh[:]
        elif local == "input":
            da = [g * (1 - a * a) for g, a in zip(dh, pre[t - 1], strict=True)]
        else:
            da = [g * (1 - h * h) for g, h in zip(dh, hs[t], strict=True)]
        for i in range(H):
            gb[i] += da[i]
            for j in range(H):
                gw[i][j] += da[i] * hs[t - 1][j]
            for j in range(D):
                gx[i][j] += da[i] * P["x"][t - 1][j]
        dh = _matvec(P["w_hh"], da, transpose=not forward_matrix)
        if one_step:
            break
    return {"h0": [dh], "b": [gb], "w_hh": gw, "w_xh": gx}[P["wrt"]]


def rnn_wrong(P):
    asym = len(P["w_hh"]) > 1 and any(P["w_hh"][i][j] != P["w_hh"][j][i] for i in range(len(P["w_hh"]))
                                      for j in range(i))
    if P["wrt"] == "forward":
        return {
            "tanh-forgotten": [rnn_loop(P, linear=True)[0][-1]],
            "w-hh-transposed": [rnn_loop(P, whh_T=True)[0][-1]] if asym else None,
            "bias-forgotten": [rnn_loop(P, no_b=True)[0][-1]] if any(P["b"]) else None,
            "h0-ignored": [rnn_loop(P, zero_h0=True)[0][-1]] if any(P["h0"]) else None,
        }
    return {
        "tanh-derivative-forgotten": rnn_bptt(P, local="none"),
        "tanh-derivative-at-input": rnn_bptt(P, local="input"),
        "bptt-truncated": rnn_bptt(P, one_step=True) if len(P["x"]) > 1 else None,
        "w-hh-not-transposed": rnn_bptt(P, forward_matrix=True) if asym and (len(P["x"]) > 1 or P["wrt"] == "h0")
        else None,
    }


# -- gru-step and lstm-step ---------------------------------------------------------------------
def _sig(v):
    return 1 / (1 + math.exp(-v))


def _gates(P):
    """Per gate row: w_ih·x + b_ih and w_hh·h + b_hh, as two lists."""
    gi = [sum(w * x for w, x in zip(r, P["x"], strict=True)) + b for r, b in zip(P["w_ih"], P["b_ih"], strict=True)]
    gh = [sum(w * h for w, h in zip(r, P["h"], strict=True)) + b for r, b in zip(P["w_hh"], P["b_hh"], strict=True)]
    return gi, gh


def gru_loop(P, z_swap=False, reset_before=False, zr=False, no_r=False, no_tanh=False):
    gi, gh = _gates(P)
    H = len(P["h"])
    out = []
    for i in range(H):
        ri, zi = (H + i, i) if zr else (i, H + i)
        r = 1.0 if no_r else _sig(gi[ri] + gh[ri])
        z = _sig(gi[zi] + gh[zi])
        if reset_before:
            hn = sum(P["w_hh"][2 * H + i][j] * r_j * P["h"][j] for j, r_j in enumerate(
                [1.0 if no_r else _sig(gi[(H + j) if zr else j] + gh[(H + j) if zr else j]) for j in range(H)]))
            pre = gi[2 * H + i] + hn + P["b_hh"][2 * H + i]
        else:
            pre = gi[2 * H + i] + r * gh[2 * H + i]
        n = pre if no_tanh else math.tanh(pre)
        out.append(z * n + (1 - z) * P["h"][i] if z_swap else (1 - z) * n + z * P["h"][i])
    return [out]


def gru_wrong(P):
    return {
        "gru-z-swapped": gru_loop(P, z_swap=True),
        "gru-reset-before-matmul": gru_loop(P, reset_before=True),
        "gru-gate-order": gru_loop(P, zr=True),
        "reset-gate-ignored": gru_loop(P, no_r=True),
        "candidate-tanh-forgotten": gru_loop(P, no_tanh=True),
    }


def lstm_loop(P, cs_order=False, f_on_h=False, no_tanh_c=False, g_sig=False, one_b=False, no_o=False):
    gi, gh = _gates(P)
    H = len(P["h"])
    if one_b:
        gh = [g - b for g, b in zip(gh, P["b_hh"], strict=True)]
    a = [u + w for u, w in zip(gi, gh, strict=True)]
    hs, cs = [], []
    for j in range(H):
        ai, af = a[j], a[H + j]
        ag, ao = (a[3 * H + j], a[2 * H + j]) if cs_order else (a[2 * H + j], a[3 * H + j])
        g = _sig(ag) if g_sig else math.tanh(ag)
        c = _sig(af) * (P["h"][j] if f_on_h else P["c"][j]) + _sig(ai) * g
        t = c if no_tanh_c else math.tanh(c)
        cs.append(c)
        hs.append(t if no_o else _sig(ao) * t)
    return {"h": [hs], "c": [cs]}


def lstm_wrong(P):
    return {
        "lstm-gate-order": lstm_loop(P, cs_order=True),
        "forget-gate-on-h": lstm_loop(P, f_on_h=True),
        "cell-tanh-forgotten": lstm_loop(P, no_tanh_c=True),
        "candidate-sigmoid": lstm_loop(P, g_sig=True),
        "one-bias-only": lstm_loop(P, one_b=True),
        "output-gate-forgotten": lstm_loop(P, no_o=True),
    }


# -- attention ----------------------------------------------------------------------------------
def attention_loop(P, div="sqrt", by_query=False, no_mask=False, flip=False):
    """Explicit loops: scores, a masked softmax along keys (or queries), the weighted sum of v."""
    q, k, v = P["q"], P["k"], P["v"]
    L, S, d = len(q), len(k), len(q[0])
    c = {"sqrt": math.sqrt(d), "none": 1.0, "d": float(d)}[div]
    ok = [[True] * S for _ in range(L)]
    if not no_mask:
        if P.get("causal"):
            ok = [[j <= i for j in range(S)] for i in range(L)]
        elif P.get("mask") is not None:
            ok = [[bool(m) for m in r] for r in P["mask"]]
        if flip:
            ok = [[not o for o in r] for r in ok]
    s = [[sum(a * b for a, b in zip(q[i], k[j], strict=True)) / c for j in range(S)] for i in range(L)]
    w = [[0.0] * S for _ in range(L)]
    groups = [[(i, j) for i in range(L)] for j in range(S)] if by_query else [[(i, j) for j in range(S)]
                                                                              for i in range(L)]
    for g in groups:
        live = [(i, j) for i, j in g if ok[i][j]]
        if not live:
            return None
        top = max(s[i][j] for i, j in live)
        tot = sum(math.exp(s[i][j] - top) for i, j in live)
        for i, j in live:
            w[i][j] = math.exp(s[i][j] - top) / tot
    return [[sum(w[i][j] * v[j][c] for j in range(S)) for c in range(len(v[0]))] for i in range(L)]


def attention_wrong(P):
    masked = P.get("causal") or (P.get("mask") is not None and not all(all(r) for r in P["mask"]))
    if P.get("causal"):
        masked = any(j > i for i in range(len(P["q"])) for j in range(len(P["k"])))
    return {
        "attention-unscaled": attention_loop(P, div="none"),
        "attention-scaled-by-d": attention_loop(P, div="d"),
        "softmax-wrong-axis": attention_loop(P, by_query=True) if len(P["q"]) > 1 else None,
        "mask-ignored": attention_loop(P, no_mask=True) if masked else None,
        "mask-inverted": attention_loop(P, flip=True) if masked else None,
    }


WRONG = {"optimizer-step": optimizer_wrong, "rnn-step": rnn_wrong, "gru-step": gru_wrong, "lstm-step": lstm_wrong,
         "attention": attention_wrong}
