"""Every draw tests its skill, at every difficulty (issue 24).

For every family and difficulty, thousands of seeds go through the same drawing path as
``cardcli quiz`` (``draw_counted``: a family's ``make`` plus the redraw rule, without building the
Problem record): every catalogued mistake that can happen must give an answer different from the
right one (the catalog entries themselves are checked against independent loops in
test_diagnosis.py). The three cases the audit found are also checked here from first principles,
without the catalog:

* a ``ceil_mode=True`` pool-output-size problem whose floor answer is the same;
* a conv kernel equal to its own 180° rotation where the flip matters (conv-forward, and
  conv-backward asking dL/dx);
* a format example in a prompt ("type e.g. 56x56x256") that is the answer itself.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from generators.families import FAMILIES, draw_counted

SEEDS = 2000  # per family and difficulty
CHEAP = {"conv-output-size", "pool-output-size", "transposed-conv-output-size", "param-count",
         "activation-memory", "receptive-field", "vgg-dims"}


def _seeds(family: str) -> range:
    return range(SEEDS if family in CHEAP else 1000)


def _rotation_symmetric(w) -> bool:
    a = np.asarray(w)
    return bool(np.array_equal(a, a[..., ::-1, ::-1]))


def _first_principles(family: str, draft) -> None:
    p = draft.params
    if family == "pool-output-size" and p["ceil_mode"]:
        i, k, s, pad = p["input_size"], p["kernel_size"], p["stride"], p["padding"]
        floor = (i + 2 * pad - k) // s + 1
        assert draft.answer != floor, p
    if family == "conv-forward":
        assert not _rotation_symmetric(p["weight"]), p
    if family == "conv-backward" and p["wrt"] == "input":
        assert not _rotation_symmetric(p["weight"]), p
    for example in re.findall(r"e\.g\. '?([0-9x./]+(?: [a-z]+)?)", draft.stem or draft.prompt):
        if "x" in example and isinstance(draft.answer, list):
            assert [int(v) for v in example.split("x")] != draft.answer, (example, draft.answer)
        elif " " in example and isinstance(draft.answer, dict):
            radius, regime = example.split()
            assert not (math.isclose(float(radius), draft.answer["radius"], rel_tol=5e-3)
                        and regime == draft.answer["regime"]), (example, draft.answer)
        elif re.fullmatch(r"[0-9.]+(/[0-9]+)?", example) and isinstance(draft.answer, (int, float)):
            num, _, den = example.partition("/")
            value = float(num) / float(den or 1)
            assert not math.isclose(value, draft.answer, rel_tol=1e-3), (example, draft.answer)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_possible_mistake_differs_from_the_answer_at_every_difficulty(family):
    fam = FAMILIES[family]
    checked = 0
    for d in (1, 2, 3):
        for seed in _seeds(family):
            draft, collisions = draw_counted(fam, np.random.default_rng(seed), d)
            assert collisions == 0, (family, d, seed, draft.params)
            _first_principles(family, draft)
            checked += 1
    assert checked == 3 * len(_seeds(family))


def test_ceil_mode_draws_exist_and_differ_from_floor():
    """At difficulty 3 every pool-output-size draw is ceil_mode: none may equal the floor answer
    (the audit found 71 of 200 that did)."""
    fam = FAMILIES["pool-output-size"]
    for seed in range(500):
        draft, _ = draw_counted(fam, np.random.default_rng(seed), 3)
        p = draft.params
        assert p["ceil_mode"]
        assert draft.answer == math.ceil((p["input_size"] + 2 * p["padding"] - p["kernel_size"]) / p["stride"]) + 1
        assert draft.answer != (p["input_size"] + 2 * p["padding"] - p["kernel_size"]) // p["stride"] + 1


def test_the_vgg_format_example_is_never_the_answer():
    fam = FAMILIES["vgg-dims"]
    examples = set()
    for d in (1, 2, 3):
        for seed in range(300):
            draft, _ = draw_counted(fam, np.random.default_rng(seed), d)
            m = re.search(r"type e\.g\. (\d+)x(\d+)x(\d+)", draft.prompt)
            if m:
                shown = [int(v) for v in m.groups()]
                assert shown != draft.answer
                examples.add(tuple(shown))
    assert examples == {(56, 56, 256), (28, 28, 128)}  # the usual example, and its stand-in when it is the answer
