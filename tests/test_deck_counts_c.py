"""The CS231N Midterm deck (cards/cs231n-midterm.yaml) holds every card of its document.

Expected values are read off the course document by hand and numeric answers are
recomputed here by plain arithmetic, never by the solver.
"""

from __future__ import annotations

from collections import Counter

import pytest
from helpers import load_bundled

from cardcli.model import Card, CardType, Deck

DECK_FILE = "cs231n-midterm.yaml"

# How the cards were counted: the document has 225 lines; line 1 is the title
# ("CS231N Midterm"), lines 2-225 are 224 lines that alternate question / answer,
# every answer on exactly one line -> 112 question/answer pairs, one card each.
# Three explanation cards also get a numeric sibling in the same group
# (FC->CONV output size, the 36 locations, the 30,730 parameters): 112 + 3 = 115.
DOCUMENT_PAIRS = 112
NUMERIC_SIBLINGS = 3
TOTAL_CARDS = 115


@pytest.fixture(scope="module")
def deck() -> Deck:
    return load_bundled(DECK_FILE)


@pytest.fixture(scope="module")
def cards(deck: Deck) -> dict[str, Card]:
    return {c.id: c for c in deck.cards}


def test_deck_header(deck: Deck) -> None:
    assert deck.name == "CS231N Midterm"
    assert deck.source == "004_0cc870b9a54faf0e.txt"


def test_exact_card_count(deck: Deck) -> None:
    assert DOCUMENT_PAIRS + NUMERIC_SIBLINGS == TOTAL_CARDS
    assert len(deck.cards) == 115


def test_counts_per_type(deck: Deck) -> None:
    counts = Counter(c.type for c in deck.cards)
    assert counts == {CardType.basic: 108, CardType.numeric: 4, CardType.truefalse: 3}
    assert counts[CardType.choice] == 0


def test_ids_prefixed_and_unique(deck: Deck) -> None:
    ids = [c.id for c in deck.cards]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("cs231n-") for i in ids)


def test_title_noise_not_a_card(deck: Deck) -> None:
    assert not any(c.front.strip().lower() == "cs231n midterm" for c in deck.cards)


def test_first_and_last_cards_follow_document(deck: Deck) -> None:
    first, last = deck.cards[0], deck.cards[-1]
    assert first.front == "Formula for calculating output width/height"
    assert first.back == "(W − F + 2P)/S + 1"
    assert "initializing all weights to 0 but the biases randomly" in last.front  # reworded (issue 24)
    assert last.type is CardType.truefalse and last.answer is True


@pytest.mark.parametrize(
    ("card_id", "front", "back"),
    [
        ("cs231n-initial-softmax-loss",
         "Given a random weight matrix and N classes to predict, what should we predict the average"
         " softmax loss to be?", "-log(1/N)"),
        ("cs231n-regularized-loss-never-zero",
         "With a regularization penalty, we can never achieve a loss of ___",
         "0 (only occurs in pathological setting of W=0)"),
        ("cs231n-w-rows-classifiers",
         "(context: CIFAR-10) a single weight matrix W is effectively evaluating ___ classifiers in"
         " parallel, where each is a _____", "10 separate; row in W"),
        ("cs231n-more-data-bias-variance",
         "How does adding training data contribute to the bias/variance tradeoff?",
         "It doesn't! It's just better."),
        ("cs231n-googlenet", "GoogLeNet used what two innovative features?",
         "inception modules, average pooling"),
        ("cs231n-lr-decay-forms", "Three common forms of learning rate decay",
         "step decay, exponential decay, 1/t decay"),
        ("cs231n-minibatch-correlation",
         "If examples in training set were not correlated, would mini-batching work?", "no"),
        ("cs231n-vision-challenges", "Challenges in computer vision",
         "viewpoint variation, scale variation, deformation, occlusion, illumination condition,"
         " background clutter, intra-class variation"),
    ],
)
def test_spot_check_basic_cards(cards: dict[str, Card], card_id: str, front: str, back: str) -> None:
    card = cards[card_id]
    assert card.type is CardType.basic
    assert card.front == front
    if card.erratum:  # corrected against a reference (tests/test_facts_cs231n.py): the document's answer is quoted
        assert f'"{back}"' in card.erratum
    else:
        assert card.back == back


def test_fill_in_blanks_keep_blanks(cards: dict[str, Card]) -> None:
    blanks = [c for c in cards.values() if "___" in c.front]
    assert len(blanks) == 20
    assert all(c.type is CardType.basic for c in blanks)
    assert cards["cs231n-same-padding"].back == "P = (F − 1)/2"


def test_long_answers_kept_whole(cards: dict[str, Card]) -> None:
    why = cards["cs231n-fc-to-conv-why"].back
    assert isinstance(why, str)
    assert why.startswith("For example, if 224x224 image gives a volume of size [7x7x512]")
    assert why.endswith("and then average the class scores.")
    assert "since the 36 evaluations share computation" in why
    cost = cards["cs231n-numerical-gradient-cost"].back
    assert "30730 parameters in total" in cost and "30,731 evaluations" in cost
    assert cost.endswith("tens of millions of parameters.")


def test_list_answer_stays_list(cards: dict[str, Card]) -> None:
    assert cards["cs231n-sigmoid-three-problems"].back == [
        "saturated neurons kill gradients",
        "outputs not zero-centered",
        "exp() is compute expensive",
    ]


def test_collapsed_code_lines_repaired(cards: dict[str, Card]) -> None:
    assert cards["cs231n-adagrad-code"].back.splitlines() == [
        "cache += dx**2",
        "x += - learning_rate * dx / (np.sqrt(cache) + eps)",
    ]
    assert cards["cs231n-rmsprop-code"].back.splitlines() == [
        "cache = decay_rate * cache + (1 - decay_rate) * dx**2",
        "x += - learning_rate * dx / (np.sqrt(cache) + eps)",
    ]
    assert cards["cs231n-momentum-code"].back.splitlines() == [
        "v = mu * v - learning_rate * dx # integrate velocity",
        "x += v # integrate position",
    ]


def test_garbles_repaired(cards: dict[str, Card]) -> None:
    assert "K=4096K" not in cards["cs231n-fc-to-conv"].back
    assert "FC layer with K=4096 that" in cards["cs231n-fc-to-conv"].back
    assert cards["cs231n-bias-not-regularized"].back.endswith("on the final objective")
    assert cards["cs231n-l2-loss-fragile"].back.endswith("(and its augmentations)")


def test_truefalse_cards(cards: dict[str, Card]) -> None:
    tf = {c.id: c.answer for c in cards.values() if c.type is CardType.truefalse}
    assert tf == {
        "cs231n-knn-boundary-linear": False,
        "cs231n-smaller-networks-overfitting": False,
        "cs231n-zero-weights-random-biases": True,
    }
    assert "L2 regularization, dropout, input noise" in cards["cs231n-smaller-networks-overfitting"].back


def _conv_out(i: int, k: int, s: int, p: int) -> int:
    """(W - F + 2P)/S + 1, the document's own formula (floor division)."""
    return (i - k + 2 * p) // s + 1


def test_numeric_5x5_rgb_filter(cards: dict[str, Card]) -> None:
    card = cards["cs231n-params-5x5-rgb"]
    assert card.type is CardType.numeric
    assert card.answer == 5 * 5 * 3 + 1 == 76  # the document's 76 is right
    assert card.erratum is None
    assert card.check == {"fn": "conv_params",
                          "args": {"in_channels": 3, "out_channels": 1, "kernel_size": 5, "bias": True}}
    a = card.check["args"]
    assert a["kernel_size"] ** 2 * a["in_channels"] * a["out_channels"] + a["out_channels"] == card.answer


def test_numeric_fc_as_conv_output(cards: dict[str, Card]) -> None:
    card = cards["cs231n-fc-to-conv-output-size"]
    assert card.answer == (7 - 7 + 2 * 0) // 1 + 1 == 1
    assert card.check["fn"] == "conv_output_size"
    a = card.check["args"]
    assert _conv_out(a["input_size"], a["kernel_size"], a["stride"], a["padding"]) == card.answer
    assert card.group == cards["cs231n-fc-to-conv"].group == "cs231n-fc-to-conv"


def test_numeric_36_locations(cards: dict[str, Card]) -> None:
    card = cards["cs231n-fc-to-conv-36-locations"]
    per_side = (384 - 224) // 32 + 1
    assert card.answer == per_side == 6
    assert per_side * per_side == 36  # the document's "36 locations"
    assert (12 - 7) // 1 + 1 == per_side  # the converted net's 12x12 volume under the 7x7 CONV
    assert 384 // 32 == 12 and 224 // 32 == 7  # "a reduction by 32"
    a = card.check["args"]
    assert card.check["fn"] == "conv_output_size"
    assert _conv_out(a["input_size"], a["kernel_size"], a["stride"], a["padding"]) == card.answer
    assert card.group == cards["cs231n-fc-to-conv-why"].group


def test_numeric_cifar10_params(cards: dict[str, Card]) -> None:
    card = cards["cs231n-cifar10-linear-params"]
    params = 32 * 32 * 3 * 10 + 10
    assert card.answer == params == 30730
    assert params + 1 == 30731  # the document's loss evaluations: one per parameter + f(x)
    assert card.check == {"fn": "linear_params",
                          "args": {"in_features": 3072, "out_features": 10, "bias": True}}
    assert card.group == cards["cs231n-numerical-gradient-cost"].group


def test_no_errata_document_numbers_are_right(deck: Deck) -> None:
    # the document's numbers are right; its factual errata are pinned in tests/test_facts_cs231n.py
    assert [c.id for c in deck.cards if c.erratum and c.type is CardType.numeric] == []
    assert sum(1 for c in deck.cards if c.type is CardType.numeric) == 4


def test_numeric_checks_agree_with_solver_when_present(deck: Deck) -> None:
    import generators.checks as checks
    for card in deck.cards:
        if card.type is CardType.numeric:
            assert checks.matches(card.answer, checks.evaluate(card.check), card.tolerance), card.id
