"""init-std: the standard deviation (or the uniform bound) of Xavier/Kaiming initialisation, and the common mistakes.

PyTorch's ``torch.nn.init`` formulas, with ``gain = nn.init.calculate_gain(nonlinearity, a)``
(linear and sigmoid 1, tanh 5/3, relu √2, leaky_relu √(2/(1 + a²))):

    xavier_uniform_(w, gain)  U(−b, b),  b = gain·√(6/(fan_in + fan_out))
    xavier_normal_(w, gain)   N(0, σ²),  σ = gain·√(2/(fan_in + fan_out))
    kaiming_uniform_(w, a, mode, nonlinearity)  U(−b, b),  b = gain·√(3/fan)
    kaiming_normal_(w, a, mode, nonlinearity)   N(0, σ²),  σ = gain/√fan

with ``fan`` = ``fan_in`` or ``fan_out`` as ``mode`` says (Xavier uses both: ``mode`` is None).
A uniform U(−b, b) has σ = b/√3. ``ask`` is ``"std"`` (any scheme) or ``"bound"`` (uniform
schemes). From difficulty 3 the weight may be a conv kernel: params ``shape`` [C_out, C_in, k_h, k_w]
with fan_in = C_in·k_h·k_w and fan_out = C_out·k_h·k_w (the receptive field counts).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from generators.families._common import FamilySpec, make_draft, num, pick
from generators.problem import Draft, Mistake
from generators.render import fmt

__all__ = ["SPECS", "MISTAKES", "make", "gain", "value", "TOLERANCE"]

#: relative tolerance of the answer (4 significant figures asked)
TOLERANCE = 5e-3
_APART = 2 * TOLERANCE  # a mistake must be further than this from the right answer


def gain(nonlinearity: str, a: float = 0.0) -> float:
    if nonlinearity in ("linear", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        return math.sqrt(2.0 / (1 + float(a) ** 2))
    raise ValueError(f"unknown nonlinearity {nonlinearity!r}")


def value(p: dict, *, g: float | None = None, fan: float | None = None, ask: str | None = None,
          xavier_fans: float | None = None) -> float:
    """The std or bound of ``p`` (each keyword replaces one ingredient, for the mistakes)."""
    g = gain(p["nonlinearity"], p.get("a", 0.0)) if g is None else g
    if p["scheme"].startswith("xavier"):
        std = g * math.sqrt(2.0 / (p["fan_in"] + p["fan_out"] if xavier_fans is None else xavier_fans))
    else:
        f = (p["fan_in"] if p["mode"] == "fan_in" else p["fan_out"]) if fan is None else fan
        std = g / math.sqrt(f)
    ask = p["ask"] if ask is None else ask
    return std * math.sqrt(3.0) if ask == "bound" else std


_FANS = (2, 3, 4, 8, 9, 16, 18, 25, 27, 32, 50, 64, 75, 100, 128, 144, 200, 256, 288, 512)


def _draw(rng: np.random.Generator, d: int) -> dict:
    if d == 1:
        scheme = pick(rng, ("kaiming_normal", "kaiming_uniform", "xavier_normal", "xavier_uniform"))
        nl = "relu" if scheme.startswith("kaiming") else pick(rng, ("linear", "tanh", "relu"))
        fi, fo = pick(rng, _FANS), pick(rng, _FANS)
        shape = None
    else:
        scheme = pick(rng, ("kaiming_normal", "kaiming_uniform", "xavier_normal", "xavier_uniform"))
        nl = pick(rng, ("relu", "tanh", "linear", "sigmoid") + (("leaky_relu", "leaky_relu") if d == 3 else ()))
        shape = None
        if d == 3 and rng.random() < 0.5:
            k = pick(rng, (3, 5, 7))
            shape = [pick(rng, (16, 32, 64, 128)), pick(rng, (3, 16, 32, 64)), k, k]
            fi, fo = shape[1] * k * k, shape[0] * k * k
        else:
            fi, fo = pick(rng, _FANS + (784, 1024, 4096)), pick(rng, _FANS + (10, 1000, 4096))
    a = pick(rng, (0.2, 0.25, 0.3, 0.5)) if nl == "leaky_relu" else 0.0
    mode = None if scheme.startswith("xavier") else ("fan_in" if d == 1 else pick(rng, ("fan_in", "fan_out")))
    uniform = scheme.endswith("uniform")
    ask = ("bound" if d == 1 or rng.random() < 0.7 else "std") if uniform else "std"
    p: dict[str, Any] = {"scheme": scheme, "fan_in": fi, "fan_out": fo, "nonlinearity": nl, "a": a, "mode": mode,
                         "ask": ask}
    if shape is not None:
        p["shape"] = shape
    return p


def _distinct(p: dict, right: float) -> bool:
    for m in MISTAKES:
        wrong = m.answer(p)
        if wrong is not None and abs(wrong - right) <= _APART * abs(right):
            return False
    return True


def _call(p: dict) -> str:
    s = p["scheme"]
    if s.startswith("xavier"):
        g = "" if p["nonlinearity"] == "linear" else f", gain=nn.init.calculate_gain('{p['nonlinearity']}'" + (
            f", {fmt(p['a'])})" if p["nonlinearity"] == "leaky_relu" else ")")
        return f"nn.init.{s}_(w{g})"
    a = f"a={fmt(p['a'])}, " if p["nonlinearity"] == "leaky_relu" else ""
    return f"nn.init.{s}_(w, {a}mode='{p['mode']}', nonlinearity='{p['nonlinearity']}')"


def make(rng: np.random.Generator, d: int) -> Draft:
    for _ in range(200):
        p = _draw(rng, d)
        right = value(p)
        if _distinct(p, right):
            break
    fi, fo, nl = p["fan_in"], p["fan_out"], p["nonlinearity"]
    if "shape" in p:
        sh = p["shape"]
        w_text = f"a Conv2d weight w of shape {sh[0]}×{sh[1]}×{sh[2]}×{sh[3]} (C_out×C_in×k_h×k_w)"
    else:
        w_text = f"a Linear weight w of shape {fo}×{fi} (fan_in = {fi}, fan_out = {fo})"
    what = "standard deviation of the weights" if p["ask"] == "std" else "bound b of the uniform U(−b, b)"
    stem = (f"{_call(p)} initialises {w_text}. What is the {what}? (type e.g. 0.1234: 4 significant figures, "
            f"relative tolerance 0.5%)")
    g = gain(nl, p["a"])
    g_text = {"linear": "1 (linear)", "sigmoid": "1 (sigmoid)", "tanh": "5/3 (tanh)", "relu": "√2 (ReLU)"}.get(
        nl, f"√(2/(1 + {fmt(p['a'])}²)) = {fmt(g)} (leaky ReLU, slope {fmt(p['a'])})")
    lines = []
    if "shape" in p:
        sh = p["shape"]
        lines.append(f"fan_in = C_in·k_h·k_w = {sh[1]}·{sh[2]}·{sh[3]} = {fi}; "
                     f"fan_out = C_out·k_h·k_w = {sh[0]}·{sh[2]}·{sh[3]} = {fo}")
    lines.append(f"gain = {g_text}" + ("" if nl in ("linear", "sigmoid") else f" ≈ {fmt(g)}"))
    if p["scheme"].startswith("xavier"):
        std = g * math.sqrt(2.0 / (fi + fo))
        lines.append(f"σ = gain·√(2/(fan_in + fan_out)) = {fmt(g)}·√(2/({fi} + {fo})) = {fmt(std)}")
    else:
        fan = fi if p["mode"] == "fan_in" else fo
        std = g / math.sqrt(fan)
        lines.append(f"mode='{p['mode']}': fan = {fan}")
        lines.append(f"σ = gain/√fan = {fmt(g)}/√{fan} = {fmt(std)}")
    if p["ask"] == "bound":
        lines.append(f"uniform U(−b, b) has σ = b/√3, so b = √3·σ = {fmt(math.sqrt(3))}·{fmt(std)} = {fmt(right)}")
    elif p["scheme"].endswith("uniform"):
        lines.append(f"(the bound would be b = √3·σ = {fmt(std * math.sqrt(3))}; the std is σ = {fmt(right)})")
    lines.append(f"Answer: {fmt(right)}")
    return make_draft(p, stem, num(right), "\n".join(lines), "float", tolerance=TOLERANCE)


# -- mistakes -----------------------------------------------------------------------------------
def _gain_forgotten(p: dict) -> Any:
    if p["nonlinearity"] in ("linear", "sigmoid"):
        return None
    return value(p, g=1.0)


def _gain_squared(p: dict) -> Any:
    g = gain(p["nonlinearity"], p.get("a", 0.0))
    return None if g == 1.0 else value(p, g=g * g)


def _fan_swapped(p: dict) -> Any:
    if p["scheme"].startswith("xavier") or p["fan_in"] == p["fan_out"]:
        return None
    return value(p, fan=p["fan_out"] if p["mode"] == "fan_in" else p["fan_in"])


def _std_for_bound(p: dict) -> Any:
    return value(p, ask="std") if p["ask"] == "bound" else None


def _bound_for_std(p: dict) -> Any:
    return value(p, ask="bound") if p["ask"] == "std" and p["scheme"].endswith("uniform") else None


def _variance(p: dict) -> Any:
    if p["ask"] != "std":
        return None
    return value(p) ** 2


def _xavier_fan_in(p: dict) -> Any:
    if not p["scheme"].startswith("xavier") or p["fan_in"] == p["fan_out"]:
        return None
    return value(p, xavier_fans=2.0 * p["fan_in"])  # 2/(2·fan_in) = 1/fan_in


def _slope_forgotten(p: dict) -> Any:
    if p["nonlinearity"] != "leaky_relu" or not p.get("a"):
        return None
    return value(p, g=math.sqrt(2.0))


def _receptive_field(p: dict) -> Any:
    shape = p.get("shape")
    if not shape or shape[2] * shape[3] == 1:
        return None
    cout, cin = shape[0], shape[1]
    if p["scheme"].startswith("xavier"):
        return value(p, xavier_fans=float(cin + cout))
    return value(p, fan=cin if p["mode"] == "fan_in" else cout)


MISTAKES: tuple[Mistake, ...] = (
    Mistake("fan-swapped", "fan_out used for fan_in (or fan_in for fan_out)",
            "mode='{mode}' divides by that fan: fan_in = {fan_in}, fan_out = {fan_out}", _fan_swapped),
    Mistake("gain-forgotten", "the nonlinearity's gain forgotten (e.g. ReLU's √2)",
            "σ is multiplied by the gain of '{nonlinearity}' (ReLU √2, tanh 5/3)", _gain_forgotten),
    Mistake("gain-squared", "the gain squared (the variance's factor, e.g. 2 for ReLU, put on the std)",
            "ReLU doubles the VARIANCE (2/fan): the std gets √2", _gain_squared),
    Mistake("std-for-bound", "the standard deviation given for the uniform bound",
            "U(−b, b) has σ = b/√3: the bound is √3·σ", _std_for_bound),
    Mistake("bound-for-std", "the uniform bound given for the standard deviation",
            "U(−b, b) has σ = b/√3, not b", _bound_for_std),
    Mistake("variance-for-std", "the variance given for the standard deviation",
            "the formula gives Var(w) = σ²; the answer is its square root", _variance),
    Mistake("xavier-fan-in-only", "Xavier computed with fan_in alone (LeCun's 1/fan_in)",
            "Xavier averages both fans: Var = 2/(fan_in + fan_out)·gain²", _xavier_fan_in),
    Mistake("slope-forgotten", "the leaky ReLU's slope left out of the gain",
            "leaky_relu's gain is √(2/(1 + a²)) with a = {a}, not √2", _slope_forgotten),
    Mistake("receptive-field-forgotten", "the kernel's receptive field left out of the fan",
            "a conv weight's fan_in is C_in·k_h·k_w (fan_out C_out·k_h·k_w), not the channel count", _receptive_field),
)

SPECS = {"init-std": FamilySpec(make, MISTAKES)}
