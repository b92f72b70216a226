"""transposed-conv-output-size: the output size of nn.ConvTranspose2d, and its common mistakes."""

from __future__ import annotations

from typing import Any

import numpy as np

from generators.families._common import FamilySpec, make_draft, pick, rand_int, solve
from generators.problem import Draft, Mistake

__all__ = ["SPECS", "MISTAKES", "make"]



def make(rng: np.random.Generator, d: int) -> Draft:
    for _ in range(1000):
        i = pick(rng, (2, 3, 4, 5, 7, 8, 14, 16, 28, 32))
        if d == 1:
            k, s, p, op, dil = pick(rng, (2, 3, 4)), pick(rng, (1, 2)), rand_int(rng, 0, 1), 0, 1
        elif d == 2:
            k, s, p, dil = pick(rng, (2, 3, 4, 5)), pick(rng, (2, 3)), rand_int(rng, 0, 2), 1
            op = rand_int(rng, 0, s - 1)
        else:
            k, s, p, dil = pick(rng, (3, 4, 5)), pick(rng, (1, 2, 3)), rand_int(rng, 0, 2), pick(rng, (1, 2))
            op = rand_int(rng, 0, max(s, dil) - 1)
        out = (i - 1) * s - 2 * p + dil * (k - 1) + op + 1
        if out >= 1:
            break
    ans = int(solve("transposed_conv_output_size", i, k, s, p, op, dil))
    params = {"input_size": i, "kernel_size": k, "stride": s, "padding": p, "output_padding": op, "dilation": dil}
    extras = (f", output_padding={op}" if op else "") + (f", dilation={dil}" if dil != 1 else "")
    stem = (f"nn.ConvTranspose2d(kernel_size={k}, stride={s}, padding={p}{extras}) is applied to a {i}×{i} "
            f"input. What is the output height (= width)?")
    formula = (f"out = (i − 1)·s − 2p + d·(k − 1) + output_padding + 1 = ({i} − 1)·{s} − 2·{p} + {dil}·({k} − 1)"
               f" + {op} + 1 = {ans}")
    return make_draft(params, stem, ans, formula, "int")


# -- mistakes -----------------------------------------------------------------------------------
def _p(params: dict, **changes: Any) -> dict:
    return {"stride": 1, "padding": 0, "output_padding": 0, "dilation": 1, **params, **changes}


def _size(params: dict, **changes: Any) -> int | None:
    p = _p(params, **changes)
    try:
        out = int(solve("transposed_conv_output_size", p["input_size"], p["kernel_size"], p["stride"], p["padding"],
                        p["output_padding"], p["dilation"]))
    except ValueError:
        return None
    return out if out >= 1 else None


def _changed(key: str, neutral: int) -> Any:
    def answer(params: dict) -> Any:
        if _p(params)[key] == neutral:
            return None
        return _size(params, **{key: neutral})

    return answer


def _conv_formula(params: dict) -> Any:
    p = _p(params)
    try:
        return int(solve("conv_output_size", p["input_size"], p["kernel_size"], p["stride"], p["padding"],
                         p["dilation"]))
    except ValueError:
        return None


def _padding_added(params: dict) -> Any:
    pad = _p(params)["padding"]
    right = _size(params)
    return None if not pad or right is None else right + 4 * pad


def _no_dilation(params: dict) -> Any:
    p = _p(params)
    right = _size(params)
    if p["dilation"] == 1 or right is None:
        return None
    # the formula with d = 1 (the solver would refuse output_padding >= stride there)
    return right - (p["dilation"] - 1) * (p["kernel_size"] - 1)


def _no_minus_one(params: dict) -> Any:
    return _size(params, input_size=params["input_size"] + 1)


MISTAKES: tuple[Mistake, ...] = (
    Mistake("conv-formula", "the ordinary conv formula used (a transposed conv runs it backwards)",
            "out = (i − 1)·s − 2p + d·(k − 1) + output_padding + 1; "
            "your answer is floor((i + 2p − d·(k − 1) − 1)/s) + 1",
            _conv_formula),
    Mistake("padding-added", "padding added instead of subtracted",
            "in a transposed conv padding removes 2p = 2·{padding} from the output", _padding_added),
    Mistake("no-minus-one", "(i − 1)·s written as i·s",
            "i inputs are placed s apart: (i − 1)·s = ({input_size} − 1)·{stride}, not i·s", _no_minus_one),
    Mistake("output-padding-ignored", "output_padding ignored",
            "output_padding = {output_padding} is added once, on one side", _changed("output_padding", 0)),
    Mistake("dilation-ignored", "dilation ignored",
            "a dilated kernel spans d·(k − 1) + 1 = {dilation}·({kernel_size} − 1) + 1 cells, not k",
            _no_dilation),
)


def _from_check(args: dict) -> dict:
    return {"input_size": args["input_size"], "kernel_size": args["kernel_size"], "stride": args.get("stride", 1),
            "padding": args.get("padding", 0), "output_padding": args.get("output_padding", 0),
            "dilation": args.get("dilation", 1)}


SPECS = {"transposed-conv-output-size": FamilySpec(make, MISTAKES, {"transposed_conv_output_size": _from_check})}
