"""pool-output-size: the output size of a pooling layer (floor or ceil_mode), and its common mistakes."""

from __future__ import annotations

from typing import Any

import numpy as np

from generators.families._common import FamilySpec, make_draft, pick, rand_int, solve
from generators.problem import Draft, Mistake

__all__ = ["SPECS", "MISTAKES", "make"]



def make(rng: np.random.Generator, d: int) -> Draft:
    for _ in range(1000):
        ceil = False
        if d == 1:
            i = pick(rng, (4, 8, 16, 28, 32, 56, 112, 224))
            k, s, p = pick(rng, ((2, 2, 0), (3, 3, 0), (2, 1, 0), (3, 1, 1), (3, 2, 1)))
        elif d == 2:
            i = pick(rng, (7, 13, 15, 27, 28, 55, 56, 112, 113))
            k = pick(rng, (2, 3))
            s, p = pick(rng, (1, 2, 3)), rand_int(rng, 0, k // 2)
        else:
            i = pick(rng, (5, 7, 13, 14, 27, 55, 56, 111, 112))
            k = pick(rng, (2, 3, 4))
            s, p, ceil = pick(rng, (2, 3)), rand_int(rng, 0, k // 2), True
        span = i + 2 * p - k
        if span < 0 or (d == 1 and span % s) or s > k + 1:
            continue
        break
    out = int(solve("pool_output_size", i, k, s, p, 1, ceil))
    params = {"input_size": i, "kernel_size": k, "stride": s, "padding": p, "ceil_mode": ceil}
    if ceil:
        raw = -(-span // s) + 1
        formula = (f"ceil_mode: out = ceil((i + 2p − k)/s) + 1 = ceil(({i} + 2·{p} − {k})/{s}) + 1 = "
                   f"ceil({span}/{s}) + 1 = {raw}")
        if raw != out:
            formula += (f"; but the last window would start at {(raw - 1) * s} ≥ i + p = {i + p} (entirely in "
                        f"the right padding), so PyTorch drops it: {out}")
        else:
            formula += f" (the last window starts at {(raw - 1) * s} < i + p = {i + p}, so it is kept)"
        note = " with ceil_mode=True"
    else:
        formula = (f"out = floor((i + 2p − k)/s) + 1 = floor(({i} + 2·{p} − {k})/{s}) + 1 = "
                   f"floor({span}/{s}) + 1 = {out}")
        note = "" if d == 1 else " (PyTorch floors)"
    stem = (f"nn.MaxPool2d(kernel_size={k}, stride={s}, padding={p}{', ceil_mode=True' if ceil else ''}) "
            f"is applied to a {i}×{i} input. What is the output height (= width){note}?")
    return make_draft(params, stem, out, formula, "int")


# -- mistakes -----------------------------------------------------------------------------------
def _p(params: dict, **changes: Any) -> dict:
    return {"stride": params.get("kernel_size"), "padding": 0, "ceil_mode": False, **params, **changes}


def _size(params: dict, **changes: Any) -> int | None:
    p = _p(params, **changes)
    try:
        out = int(solve("pool_output_size", p["input_size"], p["kernel_size"], p["stride"], p["padding"], 1,
                        p["ceil_mode"]))
    except ValueError:
        return None
    return out if out >= 1 else None


def _changed(key: str, neutral: Any) -> Any:
    def answer(params: dict) -> Any:
        if _p(params)[key] == neutral:
            return None
        return _size(params, **{key: neutral})

    return answer


def _span(params: dict) -> int:
    p = _p(params)
    return p["input_size"] + 2 * p["padding"] - p["kernel_size"]


def _no_plus_one(params: dict) -> Any:
    p = _p(params)
    span, s = _span(params), p["stride"]
    if p["ceil_mode"] and _last_window_kept(params) is not None:
        return None  # PyTorch drops the last window here: forgetting the + 1 gives the right size
    return -(-span // s) if p["ceil_mode"] else span // s


def _floor_ceil(params: dict) -> Any:
    p = _p(params)
    other = _size(params, ceil_mode=not p["ceil_mode"])
    if p["ceil_mode"]:
        return other  # a ceil_mode problem where floor agrees does not test ceil_mode: never drawn
    return None if other == _size(params) else other  # floor with no remainder: nothing is rounded


def _last_window_kept(params: dict) -> Any:
    p = _p(params)
    if not p["ceil_mode"]:
        return None
    raw = -(-_span(params) // p["stride"]) + 1
    return raw if raw != _size(params) else None


def _padding_once(params: dict) -> Any:
    pad = _p(params)["padding"]
    if not pad:
        return None
    return _size(params, input_size=params["input_size"] + pad, padding=0)


MISTAKES: tuple[Mistake, ...] = (
    Mistake("padding-ignored", "padding ignored",
            "the formula has i + 2p = {input_size} + 2·{padding}; your answer uses i alone", _changed("padding", 0)),
    Mistake("padding-once", "padding counted on one side only",
            "padding {padding} is added on both sides: i + 2p, not i + p", _padding_once),
    Mistake("no-plus-one", "the + 1 forgotten",
            "the first window position counts too: (i + 2p − k)/s + 1", _no_plus_one),
    Mistake("floor-ceil-confused", "floor and ceil (ceil_mode) confused",
            "ceil_mode={ceil_mode}: PyTorch rounds (i + 2p − k)/s up only with ceil_mode=True", _floor_ceil),
    Mistake("ceil-last-window-kept", "a last window that starts in the padding kept",
            "with ceil_mode PyTorch drops a last window that would start in the right padding", _last_window_kept),
    Mistake("stride-ignored", "stride ignored",
            "the span is divided by the stride {stride} before the + 1", _changed("stride", 1)),
)


def _from_pool_output_size(args: dict) -> dict:
    return {"input_size": args["input_size"], "kernel_size": args["kernel_size"],
            "stride": args.get("stride") or args["kernel_size"], "padding": args.get("padding", 0),
            "ceil_mode": bool(args.get("ceil_mode", False))}


SPECS = {"pool-output-size": FamilySpec(make, MISTAKES, {"pool_output_size": _from_pool_output_size})}
