"""The decks written from three course documents hold every card of their document.

Decks: cards/quiz3-conv-backprop.yaml, cards/lesson3-cnn.yaml, cards/midterm2-review.yaml.
Expected counts and texts are read off the documents by hand; numeric answers are recomputed
here with plain loops / numpy.linalg, never with the solver in ``generators``.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from helpers import load_bundled

from cardcli.model import Card, CardType, Deck

_load = load_bundled


@pytest.fixture(scope="module")
def quiz3() -> Deck:
    return _load("quiz3-conv-backprop.yaml")


@pytest.fixture(scope="module")
def lesson3() -> Deck:
    return _load("lesson3-cnn.yaml")


@pytest.fixture(scope="module")
def midterm2() -> Deck:
    return _load("midterm2-review.yaml")


def _by_id(deck: Deck) -> dict[str, Card]:
    return {c.id: c for c in deck.cards}


def _types(deck: Deck) -> Counter[CardType]:
    return Counter(c.type for c in deck.cards)


# --- Quiz #3 (000_9403f97fadbd6588.txt) ----------------------------------------------------------
# The document is 58 lines: a title, then 24 question lines, each followed by its answer (one line,
# or a bulleted list for the three-partials, AlexNet-aspects and VGG-aspects questions).
# -> 24 Q/A pairs, one card each. 9 questions are True/False statements (8 marked "(True/False)"
# plus "As we go deeper into a CNN, the receptive field increases?" answered "True").
# 1 answer is a computation ("12×10×3 = 360") -> numeric. The VGG-vs-AlexNet parameter card keeps
# its explanation as a basic card and gets 2 numeric siblings (VGG-16 and AlexNet totals).
QUIZ3_PAIRS = 24
QUIZ3_SIBLINGS = 2


def test_quiz3_count_and_types(quiz3: Deck) -> None:
    assert quiz3.source == "000_9403f97fadbd6588.txt"
    assert len(quiz3.cards) == QUIZ3_PAIRS + QUIZ3_SIBLINGS == 26
    assert _types(quiz3) == {CardType.basic: 14, CardType.truefalse: 9, CardType.numeric: 3}


def test_quiz3_true_false_answers(quiz3: Deck) -> None:
    # answers in document order: F, T, F, F, F, F, F, T, F
    tf = [c.answer for c in quiz3.cards if c.type is CardType.truefalse]
    assert tf == [False, True, False, False, False, False, False, True, False]
    cards = _by_id(quiz3)
    assert cards["q3b-maxpool-every-input"].answer is False
    assert cards["q3b-receptive-field-grows"].answer is True


def test_quiz3_spot_checks(quiz3: Deck) -> None:
    cards = _by_id(quiz3)
    first = quiz3.cards[0]
    assert first.front.startswith("What three partial derivatives must we calculate")
    assert isinstance(first.back, list) and len(first.back) == 3
    assert cards["q3b-sum-multiple-paths"].back.startswith("We SUM the gradients")
    aspects = cards["q3b-alexnet-five-aspects"].back
    assert aspects == [
        "ReLU instead of sigmoid or tanh",
        "Specialized normalization layers",
        "PCA-based data augmentation",
        "Dropout",
        # the document's "Ensembling (7 models were trained together)" is corrected (AlexNet paper §6:
        # 7 separately trained CNNs, predictions averaged); see tests/test_facts_course.py
        "Ensembling (the predictions of 7 separately trained CNNs were averaged)",
    ]
    assert cards["q3b-first-21st-century-cnn"].back == "AlexNet in 2012"


def test_quiz3_fc_params_repaired(quiz3: Deck) -> None:
    card = _by_id(quiz3)["q3b-fc-params-12-10-3"]
    assert card.type is CardType.numeric
    assert card.answer == 12 * 10 * 3 == 360
    assert "12×10×3 = 360" in card.back  # the dump's garbled "12103 = 360"
    assert card.erratum is None


# --- Lesson 3 (003_dbe7e23f1359843d.txt) ---------------------------------------------------------
# 15 questions (lines 2, 4, 6, 9, 12, 16, 19, 27, 30, 32, 34, 40, 43, 46, 50), each followed by
# its answer lines; no True/False, multiple-choice or computable items -> 15 basic cards.
def test_lesson3_count_and_types(lesson3: Deck) -> None:
    assert lesson3.source == "003_dbe7e23f1359843d.txt"
    assert len(lesson3.cards) == 15
    assert _types(lesson3) == {CardType.basic: 15}


def test_lesson3_spot_checks(lesson3: Deck) -> None:
    cards = _by_id(lesson3)
    assert lesson3.cards[0].front == (
        "What is the goal or the use of having the cross entropy block there during training?"
    )
    assert cards["l3-visual-data-characteristics"].back == [
        "Locality: neighboring pixels are highly correlated",
        "Translation Invariance: meaningful patterns can appear anywhere",
        "Compositionality: Learning feature hierarchies",
    ]
    kinds = cards["l3-convolution-kinds"].back
    assert isinstance(kinds, list) and len(kinds) == 5
    assert [k.split(" ")[0] for k in kinds] == ["Valid", "Full", "Same", "Strided", "Dilated"]
    assert len(cards["l3-locally-connected-vs-conv"].back) == 5
    assert cards["l3-same-convolution"].back.endswith("Sizes are equal.")
    assert "Therefore we need padding." in cards["l3-full-convolution-issue"].back
    # the document's "loss of training is increasing" is corrected and quoted as an erratum
    stop = cards["l3-when-to-stop"]
    assert "validation" in stop.back and "overfitting" in stop.back
    assert stop.erratum is not None and "loss of training" in stop.erratum


# --- Midterm II Review (002_7a2212a8d3557a39.txt) ------------------------------------------------
# A slide dump. Cards: 3 course facts (composition, grading, partial credit); the convolution
# problem (1 numeric); the VGG-16 problem (configuration table + explanation as 2 basic cards,
# conv-block sizes and dense sizes as 2 numeric cards); 2 LRN cards; the W_hh problem (1 basic
# explanation + 1 numeric); the T/F/MC items, each printed twice (question, then answered), kept
# once: dropout/bagging T/F, transfer-learning MC, RNN-loss T/F, leaky-units MC; and the RNN
# computational-graph question (1 basic). 3 + 1 + 4 + 2 + 2 + 4 + 1 = 17. The agenda list
# (printed 5 times) is not a card.
def test_midterm2_count_and_types(midterm2: Deck) -> None:
    assert midterm2.source == "002_7a2212a8d3557a39.txt"
    assert len(midterm2.cards) == 3 + 1 + 4 + 2 + 2 + 4 + 1 == 17
    assert _types(midterm2) == {
        CardType.basic: 9, CardType.numeric: 4, CardType.truefalse: 2, CardType.choice: 2,
    }
    assert sum(c.topic == "course" for c in midterm2.cards) == 3


def test_midterm2_no_agenda_and_no_duplicates(midterm2: Deck) -> None:
    fronts = [c.front for c in midterm2.cards]
    assert not any("Qualitative graduate question" in f for f in fronts)
    assert sum("Dropout ANNs and bagging ANNs" in f for f in fronts) == 1
    assert sum("total loss of a sequence is the sum" in f for f in fronts) == 1
    assert sum("pretrained frozen CNN base" in f for f in fronts) == 1
    assert sum(f.startswith("Leaky units") for f in fronts) == 1


INPUT = [
    [6, 3, 4, 4, 5, 0, 3],
    [4, 7, 4, 0, 4, 0, 4],
    [7, 0, 2, 3, 4, 5, 2],
    [3, 7, 5, 0, 3, 0, 7],
    [5, 8, 1, 2, 5, 4, 2],
    [8, 0, 1, 0, 6, 0, 0],
    [6, 4, 1, 3, 0, 4, 5],
]
FILTER = [[1, 1, 1], [0, 0, 0], [-1, -1, -1]]
# the solution as printed in the document (row 3, column 4 is wrong there)
DOCUMENT_OUTPUT = [
    [4, 6, 4, -3, -3],
    [0, -1, 0, 1, -2],
    [-5, -6, 1, -1, 0],
    [6, 11, 1, -3, 4],
    [3, 3, 4, 4, 2],
]


def _naive_xcorr(x: list[list[int]], k: list[list[int]]) -> list[list[int]]:
    kh, kw = len(k), len(k[0])
    oh, ow = len(x) - kh + 1, len(x[0]) - kw + 1
    return [
        [sum(x[r + a][c + b] * k[a][b] for a in range(kh) for b in range(kw)) for c in range(ow)]
        for r in range(oh)
    ]


def test_midterm2_convolution(midterm2: Deck) -> None:
    card = _by_id(midterm2)["mt2-conv-horizontal-edge"]
    assert card.type is CardType.numeric
    assert list(card.matrices.values()) == [INPUT, FILTER]
    assert card.check["fn"] == "conv2d"
    assert card.check["args"]["input"] == INPUT and card.check["args"]["weight"] == FILTER
    expected = _naive_xcorr(INPUT, FILTER)
    assert card.answer == expected
    # exactly one cell of the document's solution differs: row 3, column 4 (-1 printed, 1 correct)
    wrong = [(r, c) for r in range(5) for c in range(5) if DOCUMENT_OUTPUT[r][c] != expected[r][c]]
    assert wrong == [(2, 3)]
    assert expected[2][3] == (3 + 4 + 5) - (2 + 5 + 4) == 1
    assert card.erratum is not None and "−1" in card.erratum


def test_midterm2_vgg_dims(midterm2: Deck) -> None:
    cards = _by_id(midterm2)
    # 3×3 conv, padding 1, stride 1 keeps the size; each 2×2/2 max-pool halves it
    size, expected = 224, {}
    for i, depth in enumerate([64, 128, 256, 512, 512], start=1):
        assert (size + 2 * 1 - 3) // 1 + 1 == size
        expected[f"block{i}"] = [size, size, depth]
        size = (size - 2) // 2 + 1
    expected["pool5"] = [size, size, 512]
    assert cards["mt2-vgg16-block-dims"].answer == expected
    assert expected["pool5"] == [7, 7, 512]
    fc = cards["mt2-vgg16-fc-dims"]
    assert fc.answer == {"fc6": 4096, "fc7": 4096, "fc8": 1000}
    assert fc.erratum is not None and "1×4096" in fc.erratum
    assert "dfc3: 1×1000" in fc.back


def test_midterm2_rnn_whh(midterm2: Deck) -> None:
    card = _by_id(midterm2)["mt2-rnn-whh-regime"]
    w = np.full((2, 2), 3.5)
    radius = max(abs(np.linalg.eigvals(w)))
    assert radius == pytest.approx(7.0)
    assert 0.25 * radius == pytest.approx(1.75) and 0.25 * radius > 1  # sigmoid' <= 0.25
    assert card.answer == {"radius": 7.0, "regime": "exploding"}
    assert card.check["args"]["weight"] == w.tolist()


def test_midterm2_tf_and_choice(midterm2: Deck) -> None:
    cards = _by_id(midterm2)
    assert cards["mt2-dropout-bagging-same-function"].answer is False  # <mark>F</mark>
    assert cards["mt2-rnn-total-loss-sum"].answer is True  # <mark>T</mark>
    transfer = cards["mt2-transfer-frozen"]
    assert transfer.options == (
        "Better, more", "Same, more", "Worse, more", "Worse, less", "Same, less", "Better, less",
    )
    assert transfer.answer in transfer.options
    leaky = cards["mt2-leaky-units"]
    assert len(leaky.options) == 4
    assert leaky.answer == leaky.options[0]
    # neither MC item has a marked answer in the document: the back must say so
    for card in (transfer, leaky):
        assert "document marks no answer" in card.back


# --- all three ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("fixture", "prefix"), [
    ("quiz3", "q3b-"), ("lesson3", "l3-"), ("midterm2", "mt2-"),
])
def test_ids_prefixed_and_unique(fixture: str, prefix: str, request: pytest.FixtureRequest) -> None:
    deck: Deck = request.getfixturevalue(fixture)
    ids = [c.id for c in deck.cards]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith(prefix) for i in ids)
    assert not any("How well did you know this" in c.front for c in deck.cards)
