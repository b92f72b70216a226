"""The Quiz 3 Flashcards deck (cards/quiz3-flashcards.yaml) holds every card of its document.

Expected values are read off the course document by hand, and every numeric answer is
recomputed here with plain arithmetic written out by hand, never by the solver.
"""

from __future__ import annotations

from collections import Counter

import pytest
from helpers import load_bundled

from cardcli.model import Card, CardType, Deck

DECK_FILE = "quiz3-flashcards.yaml"

# How the cards were counted: the document numbers its cards 1..83 with no gaps or repeats.
# Cards 1-24 use the "Q <question> A <answer>" layout followed by the "How well did you know
# this? 1 Not at all 2 3 4 5 Perfectly" noise; cards 25-83 are "number / question line /
# answer line". Every number is one distinct question (30 and 32 are both titled
# "CNN: Equivariance" but ask for different things), so 83 document cards. The true/false
# card 37 gets one numeric sibling (the receptive field of three 3x3 layers): 83 + 1 = 84.
DOCUMENT_CARDS = 83
NUMERIC_SIBLINGS = 1
TOTAL_CARDS = 84


@pytest.fixture(scope="module")
def deck() -> Deck:
    return load_bundled(DECK_FILE)


@pytest.fixture(scope="module")
def cards(deck: Deck) -> dict[str, Card]:
    return {c.id: c for c in deck.cards}


def test_deck_header(deck: Deck) -> None:
    assert deck.name == "Quiz 3 Flashcards"
    assert deck.source == "001_2c970f0f399beb0a.txt"


def test_exact_card_count(deck: Deck) -> None:
    assert DOCUMENT_CARDS + NUMERIC_SIBLINGS == TOTAL_CARDS
    assert len(deck.cards) == 84


def test_counts_per_type(deck: Deck) -> None:
    counts = Counter(c.type for c in deck.cards)
    # numeric: cards 76, 77, 78, 79, 80, 82, 83 + the receptive-field sibling of card 37
    # truefalse: cards 12, 16, 36, 37; choice: cards 33 and 34 (CNN vs FC)
    assert counts == {CardType.basic: 70, CardType.numeric: 8, CardType.truefalse: 4, CardType.choice: 2}


def test_ids_prefixed_and_unique(deck: Deck) -> None:
    ids = [c.id for c in deck.cards]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("q3f-") for i in ids)


def test_no_dump_noise(deck: Deck) -> None:
    for c in deck.cards:
        text = c.front + " " + (" ".join(c.back) if isinstance(c.back, list) else c.back)
        assert "How well did you know this" not in text
        assert "Perfectly" not in text
        assert c.front.strip() not in {"Q", "A", "Quiz 3 Flashcards"}


def test_first_and_last_cards_follow_document(deck: Deck) -> None:
    first, last = deck.cards[0], deck.cards[-1]
    assert first.front == "As you add more convolution + pooling layers, what do each pixel represent?"
    assert first.back == ("Each pixel of a deep layer represents a larger receptive field"
                          " from a previous layer/input.")
    assert last.front.startswith("Given an input (28x28x3) what is the memory requirement")


@pytest.mark.parametrize(
    ("card_id", "front_start", "back"),
    [
        # q3f-imagenet ("1.2 million images, 1000 classes.") is corrected: see tests/test_facts_course.py
        ("q3f-modeling-error", "Type of errors: Modeling error",
         "Given simple model, no set of weights can model the real world task."),
        ("q3f-alexnet-key-innovation", "Modern networks: What was the key innovation", "ReLU activation"),
        ("q3f-overlapping-windows", "What does max unpooling and deconvolution do", "Sums them"),
        ("q3f-roi-pooling-benefit", "ROI Pooling - what is its benefit", "Can backpropagate"),
        ("q3f-fast-rcnn-benefit", "Fast R-CNN - what is its benefit", "Reuses computation"),
        ("q3f-gradient-ascent-use", "One practical use of gradient ascent", "Class visualization"),
    ],
)
def test_spot_check_basic(cards: dict[str, Card], card_id: str, front_start: str, back: str) -> None:
    card = cards[card_id]
    assert card.type is CardType.basic
    assert card.front.startswith(front_start)
    assert card.back == back


def test_list_answers_stay_lists(cards: dict[str, Card]) -> None:
    assert cards["q3f-transfer-three-steps"].back == [
        "1. Train on large-scale dataset (may be provided for you)",
        "2. Take custom data and initialize the network with weights trained in step 1",
        "3. Continue to train on new dataset.",
    ]
    regimes = cards["q3f-transfer-three-data-regimes"].back
    assert isinstance(regimes, list) and len(regimes) == 3
    assert regimes[1].startswith("2. Power-law region")
    assert cards["q3f-valid-vs-same-padding"].back == [
        "Valid: No padding, window always within input image",
        "Same: Padding added to keep output size equal to input",
    ]
    assert len(cards["q3f-interpretability-difficult"].back) == 2


def test_multi_paragraph_answers_complete(cards: dict[str, Card]) -> None:
    alexnet = cards["q3f-mclr-vs-alexnet-alexnet-errors"].back
    # the document's "same degree of estimation error" is corrected (a bigger model class has the
    # larger estimation error): see tests/test_facts_course.py
    assert "larger estimation error" in alexnet
    assert "harder to optimize" in alexnet
    fc = cards["q3f-removed-fc-layers"].back
    assert fc.startswith("ResNet") and "reduces overfitting and the total number of parameters" in fc


@pytest.mark.parametrize(
    ("card_id", "answer"),
    [
        ("q3f-larger-capacity-estimation-error", False),     # card 12: "False. No regularization ..."
        # card 16: the document says "True"; corrected to False (He et al. 2019: random init
        # converges more slowly), see tests/test_facts_course.py
        ("q3f-transfer-large-data-random-init", False),
        ("q3f-top-left-weight-affects-all", True),           # card 36: "True"
        ("q3f-receptive-field-linear", False),               # card 37: "False. ... linearly"
    ],
)
def test_truefalse_answers(cards: dict[str, Card], card_id: str, answer: bool) -> None:
    card = cards[card_id]
    assert card.type is CardType.truefalse
    assert card.answer is answer


def test_choice_answers(cards: dict[str, Card]) -> None:
    memory, params = cards["q3f-cnn-vs-fc-memory"], cards["q3f-cnn-vs-fc-params"]
    assert memory.type is params.type is CardType.choice
    assert memory.answer == "CNN"  # card 33
    assert params.answer == "FC"   # card 34


def _conv2d_valid(x: list[list[int]], k: list[list[int]]) -> list[list[int]]:
    """Naive stride-1, no-padding cross-correlation, written out as loops."""
    kh, kw = len(k), len(k[0])
    oh, ow = len(x) - kh + 1, len(x[0]) - kw + 1
    return [
        [sum(x[i + a][j + b] * k[a][b] for a in range(kh) for b in range(kw)) for j in range(ow)]
        for i in range(oh)
    ]


def test_numeric_forward_conv_card_76(cards: dict[str, Card]) -> None:
    card = cards["q3f-forward-3x3-input-2x2-filter"]
    # worked by hand: 1*1 + 5*(-1), 2*1 + 6*(-1), 4*1 + 8*(-1), 5*1 + 9*(-1)
    by_hand = [[1 * 1 - 5, 2 * 1 - 6], [4 * 1 - 8, 5 * 1 - 9]]
    assert by_hand == [[-4, -4], [-4, -4]]
    assert _conv2d_valid([[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[1, 0], [0, -1]]) == by_hand
    assert card.answer == by_hand
    assert card.matrices["Input image"] == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert card.matrices["Filter"] == [[1, 0], [0, -1]]
    # the document's wrong values are quoted in the erratum
    assert card.erratum is not None
    for wrong in ("-5", "-6", "-12", "-9"):
        assert wrong in card.erratum


def test_numeric_kernel_gradient_card_77(cards: dict[str, Card]) -> None:
    card = cards["q3f-kernel-gradient-top-left"]
    by_hand = 1 * 1 + 2 * 2 + 3 * 3 + 4 * 4 + 5 * 5 + 6 * 6 + 7 * 7 + 8 * 8 + 9 * 9
    assert by_hand == 285
    assert card.answer == [[by_hand]]
    # the sum is right, but the document asks for it without the input it needs: the front now
    # gives the input patch, and the erratum quotes the badly posed question
    assert card.matrices["Input patch X[0:3, 0:3]"] == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert card.erratum is not None and "input" in card.erratum


@pytest.mark.parametrize(
    ("card_id", "expected"),
    [
        ("q3f-stride2-output-shape", (4 - 2) // 2 + 1),                   # card 78: 2
        ("q3f-stride2-downstream-gradient-shape", (4 - 2) // 2 + 1),      # card 79: same as output
        ("q3f-stride2-kernel-gradient-shape", 4 - 2 * (2 - 1) - 1 + 1),   # card 80: same as kernel, 2
        ("q3f-params-32x32x3-5x5-10-filters", (3 * 5 * 5 + 1) * 10),      # card 82: 760
        ("q3f-memory-28x28x3", 28 * 28 * 3),                              # card 83: 2352
        ("q3f-receptive-field-three-3x3", 3 + (3 - 1) + (3 - 1)),         # sibling of card 37: 7
    ],
)
def test_numeric_scalar_answers(cards: dict[str, Card], card_id: str, expected: int) -> None:
    card = cards[card_id]
    assert card.type is CardType.numeric
    assert card.check is not None and isinstance(card.check.get("fn"), str)
    assert card.answer == expected


def test_errata(cards: dict[str, Card], deck: Deck) -> None:
    assert 28 * 28 * 3 == 2352
    assert "2353" in (cards["q3f-memory-28x28x3"].erratum or "")
    assert "kernel size" in (cards["q3f-receptive-field-linear"].erratum or "")
    with_erratum = {c.id for c in deck.cards if c.erratum}
    # the arithmetic errata; the full list (factual errata too) is in tests/test_facts_course.py
    assert {
        "q3f-forward-3x3-input-2x2-filter", "q3f-memory-28x28x3", "q3f-receptive-field-linear",
    } <= with_erratum


def test_stride2_cards_share_group(cards: dict[str, Card]) -> None:
    ids = ["q3f-stride2-output-shape", "q3f-stride2-downstream-gradient-shape",
           "q3f-stride2-kernel-gradient-shape"]
    assert {cards[i].group for i in ids} == {"q3f-stride2-4x4-2x2"}
    assert cards["q3f-receptive-field-linear"].group == cards["q3f-receptive-field-three-3x3"].group
