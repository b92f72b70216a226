"""optimizer-step: the weights after one to three optimizer steps, PyTorch's ``torch.optim`` updates.

Convention: PyTorch's (``torch.optim.SGD`` with ``momentum``/``nesterov``, ``Adagrad``,
``RMSprop``, ``Adam``; ``weight_decay`` adds ``weight_decay·w`` to the gradient first, L2 as in
``torch.optim``, not AdamW). CS231n's forms give the same weights: its momentum
``v = μv − lr·g; w += v`` is PyTorch's ``b = μb + g; w −= lr·b`` with ``v = −lr·b`` (the sign
convention is the only difference); its Nesterov form ``w += −μ·v_prev + (1 + μ)·v`` equals
PyTorch's ``w −= lr·(g + μ·b)``; its Adagrad, RMSProp (``decay_rate`` = ``alpha``) and Adam (with
bias correction, ``eps`` added after the square root) are PyTorch's updates term for term.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from generators.families._common import FamilySpec, make_draft, pick, rand_int
from generators.families._seq import all_distinct, row, typing_note, vec, well_scaled
from generators.problem import Draft, Mistake
from generators.render import fmt

__all__ = ["SPECS", "MISTAKES", "make", "run"]

TOLERANCE = 2e-3
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
ADAPTIVE = ("adagrad", "rmsprop", "adam")


def _denominator(acc: np.ndarray, eps: float, eps_inside: bool, no_sqrt: bool) -> np.ndarray:
    """Adagrad's and RMSprop's √acc + eps (PyTorch adds eps outside the root); the flags are the
    catalog's wrong procedures: eps inside the root, the root forgotten."""
    if eps_inside:
        return np.sqrt(acc + eps)
    return (acc if no_sqrt else np.sqrt(acc)) + eps


def run(params: dict, *, sign: float = 1.0, no_bias_correction: bool = False, eps_inside: bool = False,
        no_sqrt: bool = False, no_accumulation: bool = False, alpha_swapped: bool = False,
        no_weight_decay: bool = False, plain_momentum: bool = False, no_momentum: bool = False,
        lines: list[str] | None = None) -> np.ndarray:
    """The weights after every step of ``params["grads"]`` (PyTorch's update; the flags are the
    catalog's wrong procedures). With ``lines``, the worked steps are appended to it."""
    opt = params["optimizer"]
    lr = float(params["lr"])
    w = np.asarray(params["w0"], dtype=float).copy()
    wd = 0.0 if no_weight_decay else float(params.get("weight_decay", 0.0))
    mu = float(params.get("momentum", 0.0))
    eps = float(params.get("eps", 0.0))
    alpha = float(params.get("alpha", 0.99))
    b1, b2 = (float(b) for b in params.get("betas", (0.9, 0.999)))
    buf = acc = m = v = None
    say = lines.append if lines is not None else None
    for t, g_raw in enumerate(params["grads"], 1):
        g0 = np.asarray(g_raw, dtype=float)
        g = g0 + wd * w
        if say:
            say(f"Step {t}: w = {vec(w)}, gradient {vec(g0)}")
            if wd:
                say(f"  weight decay: g = {vec(g0)} + {fmt(wd)}·{vec(w)} = {vec(g)}")
        if opt in ("sgd", "momentum", "nesterov"):
            if opt == "sgd" or no_momentum:
                step = g
                if say:
                    say(f"  w ← w − lr·g = {vec(w)} − {fmt(lr)}·{vec(g)}")
            else:
                prev = np.zeros_like(w) if buf is None else buf
                buf = g.copy() if buf is None else mu * buf + g
                if say:
                    say(f"  b = μ·b + g = {fmt(mu)}·{vec(prev)} + {vec(g)} = {vec(buf)}"
                        + (" (PyTorch's first step: b = g)" if t == 1 else ""))
                if opt == "nesterov" and not plain_momentum:
                    step = g + mu * buf
                    if say:
                        say(f"  Nesterov: g + μ·b = {vec(g)} + {fmt(mu)}·{vec(buf)} = {vec(step)}")
                        say(f"  w ← w − lr·(g + μ·b) = {vec(w)} − {fmt(lr)}·{vec(step)}")
                else:
                    step = buf
                    if say:
                        say(f"  w ← w − lr·b = {vec(w)} − {fmt(lr)}·{vec(buf)}")
        elif opt == "adagrad":
            prev = np.zeros_like(w) if acc is None else acc
            acc = g * g if (acc is None or no_accumulation) else acc + g * g
            denom = _denominator(acc, eps, eps_inside, no_sqrt)
            step = g / denom
            if say:
                say(f"  sum = sum + g² = {vec(prev)} + {vec(g * g)} = {vec(acc)}")
                say(f"  √sum + eps = {vec(np.sqrt(acc))} + {fmt(eps)} = {vec(denom)}")
                say(f"  w ← w − lr·g/(√sum + eps) = {vec(w)} − {fmt(lr)}·{vec(step)}")
        elif opt == "rmsprop":
            prev = np.zeros_like(w) if acc is None else acc
            keep, new = (1 - alpha, alpha) if alpha_swapped else (alpha, 1 - alpha)
            acc = keep * prev + new * g * g
            denom = _denominator(acc, eps, eps_inside, no_sqrt)
            step = g / denom
            if say:
                say(f"  s = α·s + (1 − α)·g² = {fmt(alpha)}·{vec(prev)} + {fmt(1 - alpha)}·{vec(g * g)} = {vec(acc)}")
                say(f"  √s + eps = {vec(np.sqrt(acc))} + {fmt(eps)} = {vec(denom)}")
                say(f"  w ← w − lr·g/(√s + eps) = {vec(w)} − {fmt(lr)}·{vec(step)}")
        elif opt == "adam":
            m0 = np.zeros_like(w) if m is None else m
            v0 = np.zeros_like(w) if v is None else v
            m = b1 * m0 + (1 - b1) * g
            v = b2 * v0 + (1 - b2) * g * g
            c1, c2 = (1.0, 1.0) if no_bias_correction else (1 - b1 ** t, 1 - b2 ** t)
            mh, vh = m / c1, v / c2
            root = np.sqrt(vh + eps) if eps_inside else (vh if no_sqrt else np.sqrt(vh))
            denom = root if eps_inside else root + eps
            step = mh / denom
            if say:
                say(f"  m = β1·m + (1 − β1)·g = {fmt(b1)}·{vec(m0)} + {fmt(1 - b1)}·{vec(g)} = {vec(m)}")
                say(f"  v = β2·v + (1 − β2)·g² = {fmt(b2)}·{vec(v0)} + {fmt(1 - b2)}·{vec(g * g)} = {vec(v)}")
                say(f"  bias correction: m̂ = m/(1 − {fmt(b1)}^{t}) = m/{fmt(c1)} = {vec(mh)}; "
                    f"v̂ = v/(1 − {fmt(b2)}^{t}) = v/{fmt(c2)} = {vec(vh)}")
                say(f"  √v̂ + eps = {vec(np.sqrt(vh))} + {fmt(eps)} = {vec(denom)}")
                say(f"  w ← w − lr·m̂/(√v̂ + eps) = {vec(w)} − {fmt(lr)}·{vec(step)}")
        else:
            raise ValueError(f"unknown optimizer {opt!r}; known: {', '.join(OPTIMIZERS)}")
        w = w - sign * lr * step
        if say:
            say(f"  = {vec(w)}")
    return w


# -- drawing ------------------------------------------------------------------------------------
def _values(rng: np.random.Generator, n: int, d: int, *, nonzero: bool) -> list:
    step = 1.0 if d == 1 else 0.5
    top = 3 if d == 1 else 6
    out: list[float] = []
    while len(out) < n:
        v = rand_int(rng, -top, top) * step
        if v or not nonzero:
            out.append(v)
    return out


def _draw(rng: np.random.Generator, d: int) -> dict:
    opt = pick(rng, OPTIMIZERS)
    n = 2 if d == 1 else (3 if d == 2 else pick(rng, (3, 4)))
    if d == 1:
        steps = 2 if opt in ("momentum", "adagrad") else pick(rng, (1, 2))
    else:
        steps = 2 if d == 2 else 3
    params: dict[str, Any] = {"optimizer": opt}
    params["lr"] = pick(rng, {"sgd": (0.1, 0.5), "momentum": (0.1, 0.5), "nesterov": (0.1, 0.5),
                              "adagrad": (0.1, 0.5, 1.0), "rmsprop": (0.01, 0.1), "adam": (0.1, 0.5)}[opt])
    if opt in ("momentum", "nesterov"):
        params["momentum"] = pick(rng, (0.9, 0.5) if d == 1 else (0.9, 0.5, 0.8))
        if opt == "nesterov":
            params["nesterov"] = True
    if opt == "rmsprop":
        params["alpha"] = pick(rng, (0.9, 0.99) if d == 1 else (0.9, 0.99, 0.8))
    if opt == "adam":
        params["betas"] = [0.9, 0.999] if d == 1 else pick(rng, ([0.9, 0.999], [0.8, 0.9], [0.9, 0.99]))
    if opt in ADAPTIVE:
        params["eps"] = pick(rng, (0.1, 0.25, 0.5))
    params["weight_decay"] = 0.0 if d == 1 else pick(rng, (0.0, 0.1) if d == 2 else (0.1, 0.01, 0.0))
    params["w0"] = _values(rng, n, d, nonzero=False)
    params["grads"] = [_values(rng, n, d, nonzero=True) for _ in range(steps)]
    return params


_NAMES = {"sgd": "SGD (torch.optim.SGD, no momentum)", "momentum": "SGD with momentum (torch.optim.SGD)",
          "nesterov": "SGD with Nesterov momentum (torch.optim.SGD, nesterov=True)",
          "adagrad": "Adagrad (torch.optim.Adagrad)", "rmsprop": "RMSprop (torch.optim.RMSprop)",
          "adam": "Adam (torch.optim.Adam)"}

_RULES = {
    "sgd": "w ← w − lr·g",
    "momentum": "b ← μ·b + g (b = g at the first step), w ← w − lr·b",
    "nesterov": "b ← μ·b + g (b = g at the first step), w ← w − lr·(g + μ·b)",
    "adagrad": "sum ← sum + g² (sum starts at 0), w ← w − lr·g/(√sum + eps)",
    "rmsprop": "s ← α·s + (1 − α)·g² (s starts at 0), w ← w − lr·g/(√s + eps)",
    "adam": "m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g² (both start at 0), m̂ = m/(1 − β1^t), "
            "v̂ = v/(1 − β2^t), w ← w − lr·m̂/(√v̂ + eps)",
}


def _hyper_text(p: dict) -> str:
    parts = [f"lr = {fmt(p['lr'])}"]
    if "momentum" in p:
        parts.append(f"momentum μ = {fmt(p['momentum'])}")
    if "alpha" in p:
        parts.append(f"alpha α = {fmt(p['alpha'])}")
    if "betas" in p:
        parts.append(f"betas = ({fmt(p['betas'][0])}, {fmt(p['betas'][1])})")
    if "eps" in p:
        parts.append(f"eps = {fmt(p['eps'])}")
    if p.get("weight_decay"):
        parts.append(f"weight_decay = {fmt(p['weight_decay'])} (added to the gradient: g + weight_decay·w)")
    return ", ".join(parts)


def make(rng: np.random.Generator, d: int) -> Draft:
    for _ in range(500):
        params = _draw(rng, d)
        w = run(params)
        if well_scaled(w, 0.05) and all_distinct(MISTAKES, params, row(w), TOLERANCE):
            break
    lines: list[str] = []
    w = run(params, lines=lines)
    answer = row(w)
    steps = len(params["grads"])
    grads = "; ".join(f"step {t}: {vec(g)}" for t, g in enumerate(params["grads"], 1))
    stem = (f"{_NAMES[params['optimizer']]}, PyTorch's convention: {_RULES[params['optimizer']]}. "
            f"Hyper-parameters: {_hyper_text(params)}. Initial weights w0 = {vec(params['w0'])}; "
            f"the gradients of the loss at each step are {grads}"
            + (" (the gradient at the current weights; weight decay is added to it)" if params["weight_decay"] else "")
            + f". Give the weights after {'the step' if steps == 1 else f'all {steps} steps'} as a row."
            + typing_note(TOLERANCE, "a row is typed like 0.5 -1.25"))
    solution = (f"PyTorch: {_RULES[params['optimizer']]}"
                + (" (CS231n's v = μv − lr·g, w += v is the same update with v = −lr·b)"
                   if params["optimizer"] in ("momentum", "nesterov") else "")
                + ".\n" + "\n".join(lines) + f"\nAnswer: {vec(w)}")
    return make_draft(params, stem, answer, solution, "matrix", tolerance=TOLERANCE)


# -- mistakes -----------------------------------------------------------------------------------
def _when(ok: Any, **flags: Any) -> Any:
    def answer(params: dict) -> Any:
        if not ok(params):
            return None
        return row(run(params, **flags))

    return answer


def _opt(*names: str) -> Any:
    return lambda p: p["optimizer"] in names


MISTAKES: tuple[Mistake, ...] = (
    Mistake("adam-no-bias-correction", "Adam without bias correction",
            "Adam divides m by 1 − β1^t and v by 1 − β2^t (betas {betas}) before the step; your answer uses "
            "m and v as they are", _when(_opt("adam"), no_bias_correction=True)),
    Mistake("eps-inside-sqrt", "eps inside the square root",
            "eps = {eps} is added after the square root: g/(√s + eps), not g/√(s + eps)",
            _when(_opt(*ADAPTIVE), eps_inside=True)),
    Mistake("sqrt-forgotten", "square root of the running average forgotten",
            "the step divides by √(running average of g²) + eps; your answer divides by the average itself",
            _when(_opt(*ADAPTIVE), no_sqrt=True)),
    Mistake("adagrad-not-accumulated", "Adagrad's sum of squares not accumulated",
            "Adagrad adds every step's g² to its sum (it never decays); your answer uses this step's g² only",
            _when(lambda p: p["optimizer"] == "adagrad" and len(p["grads"]) > 1, no_accumulation=True)),
    Mistake("rmsprop-alpha-swapped", "RMSprop's α and 1 − α swapped",
            "s ← α·s + (1 − α)·g² with α = {alpha}: the old average keeps weight α; your answer gives α to g²",
            _when(_opt("rmsprop"), alpha_swapped=True)),
    Mistake("step-sign", "the step added to the weights (momentum's sign convention mixed up)",
            "the step goes down the gradient: PyTorch subtracts lr·b (b = μ·b + g), CS231n adds v = μ·v − lr·g, "
            "the same update; your answer moves the weights up the gradient",
            _when(_opt("sgd", "momentum", "nesterov"), sign=-1.0)),
    Mistake("momentum-ignored", "momentum ignored (plain SGD steps)",
            "with momentum μ = {momentum} each step uses the buffer b = μ·b + g, not g alone",
            _when(lambda p: p["optimizer"] in ("momentum", "nesterov") and len(p["grads"]) > 1
                  or p["optimizer"] == "nesterov", no_momentum=True)),
    Mistake("nesterov-as-momentum", "Nesterov computed as plain momentum",
            "Nesterov steps along g + μ·b (the look-ahead), not along b", _when(_opt("nesterov"), plain_momentum=True)),
    Mistake("weight-decay-forgotten", "weight decay forgotten",
            "weight_decay = {weight_decay} adds weight_decay·w to every gradient before the update",
            _when(lambda p: bool(p.get("weight_decay")), no_weight_decay=True)),
)


SPECS = {"optimizer-step": FamilySpec(make, MISTAKES)}
