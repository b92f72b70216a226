"""Diagnosis names only what is in the question (issue 24).

A deck card mapped to a family's catalog through its ``check`` gets only the catalog entries whose
concept its question names; each mistake's name describes the procedure that produces its number;
the conv-backward index formulas carry the dilation.
"""

from __future__ import annotations

import numpy as np

from cardcli.diagnosis import card_family, diagnose_card
from cardcli.loader import load_collection
from generators.families import FAMILIES, generate, mistake_answers, mistake_names
from generators.problem import CONCEPTS


def _cards():
    return {c.id: c for c in load_collection([], include_bundled=True, use_cache=False).cards}


def test_deck_cards_only_get_mistakes_whose_concept_they_name():
    named = 0
    for card in _cards().values():
        found = card_family(card.check)
        if found is None:
            continue
        family, params = found
        for _, wrong in mistake_answers(family, params):
            got = diagnose_card(card, wrong)
            if got is None:
                continue
            named += 1
            for mid in got.ids:
                words = {"dilation-ignored": "dilat", "kernel-flipped": "convol"}.get(mid)
                if words:
                    assert words in card.front.lower() or "forward" in card.front.lower(), (card.id, mid)
    assert named >= 10


def test_the_audits_two_cases():
    cards = _cards()
    # a kernel-gradient shape question: its check uses dilation 2 (G dilated by the stride), the question none
    shape = cards["q3f-stride2-kernel-gradient-shape"]
    assert "dilat" not in shape.front.lower()
    family, params = card_family(shape.check)
    wrong = dict((m.id, w) for m, w in mistake_answers(family, params))["dilation-ignored"]
    assert wrong != shape.answer and diagnose_card(shape, wrong) is None  # before: "dilation ignored"
    # a gradient question checked with conv2d: "kernel flipped" is about a forward convolution
    grad = cards["q3f-kernel-gradient-top-left"]
    family, params = card_family(grad.check)
    flipped = dict((m.id, w) for m, w in mistake_answers(family, params))["kernel-flipped"]
    assert diagnose_card(grad, flipped) is None
    # ... while a forward convolution still gets it
    edge = cards["mt2-conv-horizontal-edge"]
    family, params = card_family(edge.check)
    flipped = dict((m.id, w) for m, w in mistake_answers(family, params))["kernel-flipped"]
    assert diagnose_card(edge, flipped).ids == ("kernel-flipped",)


def test_every_concept_names_a_catalogued_mistake():
    ids = {m.id for fam in FAMILIES.values() for m in fam.mistakes}
    assert set(CONCEPTS) <= ids


def test_dw_rotated_is_the_right_gradient_rotated_by_180_degrees():
    """The renamed mistake's number: the right dL/dW (naive loop) turned by 180°."""
    fam = FAMILIES["conv-backward"]
    entry = next(m for m in fam.mistakes if m.id == "dw-rotated")
    assert "rotated by 180°" in entry.name
    seen = 0
    for d in (1, 2, 3):
        for p in generate("conv-backward", 30, 3, d):
            P = p.params
            if P["wrt"] != "weight" or "cell" in P:
                continue
            x = np.pad(np.asarray(P["input"]), P["padding"])
            g, k, s, dil = np.asarray(P["grad_output"]), P["kernel_size"], P["stride"], P["dilation"]
            dw = np.array([[sum(g[i, j] * x[s * i + dil * u, s * j + dil * v] for i in range(g.shape[0])
                                for j in range(g.shape[1])) for v in range(k)] for u in range(k)])
            assert entry.answer(P) == dw[::-1, ::-1].tolist()
            seen += 1
    assert seen > 5


def test_old_logged_id_still_has_a_name():
    names = mistake_names()
    assert names["dw-flipped"] == names["dw-rotated"]


def test_conv_backward_index_formulas_carry_the_dilation():
    fam = FAMILIES["conv-backward"]
    params = {"stride": 2, "padding": 1, "dilation": 2}
    for mid in ("dx-kernel-not-flipped", "dw-rotated"):
        step = next(m for m in fam.mistakes if m.id == mid).describe(params)
        assert "2·i + 2·u" in step and "2·j + 2·v" in step, step
