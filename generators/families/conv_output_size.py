"""conv-output-size: the spatial output size (or C×H×W shape) of a conv layer, and its common mistakes."""

from __future__ import annotations

from typing import Any

import numpy as np

from generators.families._common import FamilySpec, example, make_draft, out_len, pick, rand_int, solve
from generators.problem import Draft, Mistake
from generators.render import fmt_shape

__all__ = ["SPECS", "MISTAKES", "make"]



def make(rng: np.random.Generator, d: int) -> Draft:
    for _ in range(1000):
        if d == 1:
            i = pick(rng, (5, 6, 7, 8, 9, 10, 12, 16, 28, 32))
            k, s, p, dil = pick(rng, (1, 3, 5)), pick(rng, (1, 2)), pick(rng, (0, 1, 2)), 1
        elif d == 2:
            i = pick(rng, (13, 27, 28, 32, 55, 56, 64, 96, 112, 224, 227))
            k, s, p, dil = pick(rng, (1, 3, 5, 7, 11)), pick(rng, (1, 2, 3, 4)), rand_int(rng, 0, 3), 1
        else:
            i = pick(rng, (17, 28, 31, 32, 64, 100, 112, 128, 224, 227))
            k, s, p, dil = pick(rng, (3, 5, 7)), pick(rng, (1, 2, 3)), rand_int(rng, 0, 4), pick(rng, (1, 2, 3))
        span, out = out_len(i, k, s, p, dil)
        if span < 0 or (d == 1 and span % s):
            continue
        break
    answer_size = int(solve("conv_output_size", i, k, s, p, dil))
    params: dict[str, Any] = {"input_size": i, "kernel_size": k, "stride": s, "padding": p, "dilation": dil}
    floor_note = " (PyTorch floors when the last window does not fit)" if d > 1 else ""
    dil_text = f", dilation={dil}" if dil != 1 else ""
    formula = (f"out = floor((i + 2p − d·(k − 1) − 1)/s) + 1 = floor(({i} + 2·{p} − {dil}·({k} − 1) − 1)/{s}) + 1"
               f" = floor({span}/{s}) + 1 = {span // s} + 1 = {answer_size}")
    if d >= 2 and rng.random() < 0.5:
        cin, cout = pick(rng, (1, 3, 16, 64)), pick(rng, (8, 16, 32, 64, 96, 128))
        params.update(in_channels=cin, out_channels=cout)
        answer: Any = [cout, answer_size, answer_size]
        stem = (f"Input C×H×W = {cin}×{i}×{i} goes through nn.Conv2d({cin}, {cout}, kernel_size={k}, "
                f"stride={s}, padding={p}{dil_text}). What is the output shape C×H×W{floor_note}? "
                f"(type e.g. {'x'.join(map(str, example(((16, 32, 32), (8, 14, 14)), lambda e: list(e) == answer)))})")
        solution = f"{formula} per spatial axis; channels = out_channels = {cout}.\nShape: {fmt_shape(answer)}"
        return make_draft(params, stem, answer, solution, "shape")
    stem = (f"A convolution with kernel {k}×{k}, stride {s}, padding {p}{', dilation ' + str(dil) if dil != 1 else ''}"
            f" is applied to a {i}×{i} input. What is the output height (= width){floor_note}?")
    return make_draft(params, stem, answer_size, formula, "int")


# -- mistakes -----------------------------------------------------------------------------------
def _as_asked(params: dict, size: int | None) -> Any:
    if size is None or size < 1:
        return None
    if "out_channels" in params:
        return [int(params["out_channels"]), size, size]
    return size


def _size(params: dict, **changes: Any) -> int | None:
    p = {"stride": 1, "padding": 0, "dilation": 1, **params, **changes}
    try:
        return int(solve("conv_output_size", p["input_size"], p["kernel_size"], p["stride"], p["padding"],
                         p["dilation"]))
    except ValueError:
        return None


def _span(params: dict) -> int:
    p = {"stride": 1, "padding": 0, "dilation": 1, **params}
    return p["input_size"] + 2 * p["padding"] - p["dilation"] * (p["kernel_size"] - 1) - 1


def _changed(key: str, neutral: int) -> Any:
    def answer(params: dict) -> Any:
        if params.get(key, neutral) == neutral:
            return None
        return _as_asked(params, _size(params, **{key: neutral}))

    return answer


def _padding_once(params: dict) -> Any:
    p = params.get("padding", 0)
    if not p:
        return None
    return _as_asked(params, _size(params, input_size=params["input_size"] + p, padding=0))


def _no_plus_one(params: dict) -> Any:
    right = _size(params)
    return None if right is None else _as_asked(params, right - 1)


def _ceil(params: dict) -> Any:
    s = params.get("stride", 1)
    if _span(params) % s == 0:
        return None
    right = _size(params)
    return None if right is None else _as_asked(params, right + 1)


def _in_channels(params: dict) -> Any:
    if "out_channels" not in params or params["in_channels"] == params["out_channels"]:
        return None
    return [int(params["in_channels"]), _size(params), _size(params)]


MISTAKES: tuple[Mistake, ...] = (
    Mistake("padding-ignored", "padding ignored",
            "the formula has i + 2p = {input_size} + 2·{padding}; your answer uses i alone", _changed("padding", 0)),
    Mistake("padding-once", "padding counted on one side only",
            "padding {padding} is added on both sides: i + 2p, not i + p", _padding_once),
    Mistake("no-plus-one", "the + 1 forgotten",
            "the first window position counts too: floor(…/s) + 1", _no_plus_one),
    Mistake("ceil-instead-of-floor", "rounded up instead of down",
            "a last window that does not fit is dropped: conv layers floor (…)/s", _ceil),
    Mistake("stride-ignored", "stride ignored",
            "the span is divided by the stride {stride} before the + 1", _changed("stride", 1)),
    Mistake("dilation-ignored", "dilation ignored",
            "a dilated kernel spans d·(k − 1) + 1 = {dilation}·({kernel_size} − 1) + 1 cells, not k",
            _changed("dilation", 1)),
    Mistake("channels-from-input", "output channels taken from the input",
            "the output has one channel per filter: out_channels = {out_channels}, not in_channels", _in_channels),
)


def _from_conv_output_size(args: dict) -> dict:
    return {"input_size": args["input_size"], "kernel_size": args["kernel_size"], "stride": args.get("stride", 1),
            "padding": args.get("padding", 0), "dilation": args.get("dilation", 1)}


SPECS = {"conv-output-size": FamilySpec(make, MISTAKES, {"conv_output_size": _from_conv_output_size})}
