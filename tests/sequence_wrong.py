"""Independent recomputations (plain Python loops, written apart from the generators) of the right
answers and of every catalogued wrong procedure of the optimizer, recurrent-cell and attention
families; ``test_diagnosis`` feeds these wrong answers to the diagnosis, which must name them."""

from __future__ import annotations

import math

__all__ = ["WRONG", "optimizer_loop"]


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


WRONG = {"optimizer-step": optimizer_wrong}
