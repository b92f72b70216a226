"""From question/answer pairs to deck cards: card types, list answers, errata, stable ids and
topic suggestions. Pure: pairs in, card mappings out."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cardcli.errors import DeckIssue
from cardcli.importing.model import Pair
from cardcli.importing.text import clean

__all__ = ["Built", "build_cards", "card_id", "guess_topic", "tag_topic", "slug", "KEYWORDS", "FALLBACK_TOPIC"]

#: the topic given to a card no keyword matches
FALLBACK_TOPIC = "misc"

#: topic -> keywords (whole words or word prefixes, lower case) that suggest it
KEYWORDS: dict[str, tuple[str, ...]] = {
    "conv": ("convolution", "convolutional", "conv", "kernel", "filter", "feature map", "weight sharing",
             "cross-correlation", "stride", "padding", "dilat"),
    "pooling": ("pooling", "max pool", "max-pool", "avg pool", "average pool", "downsampl"),
    "backprop": ("backprop", "backward pass", "chain rule", "gradient", "computation graph", "upstream",
                 "downstream", "dl/d", "partial derivative"),
    "output-size": ("output size", "output width", "output shape", "(w−f+2p)", "(w-f+2p)", "spatial size"),
    "params": ("parameters", "parameter count", "learnable", "weights and bias", "number of weights"),
    "memory": ("memory", "bytes", "footprint", "megabyte", "mib"),
    "receptive-field": ("receptive field",),
    "rnn": ("rnn", "recurrent", "lstm", "gru", "sequence", "hidden state", "vanishing", "exploding",
            "spectral radius", "w_hh"),
    "architectures": ("alexnet", "vgg", "googlenet", "inception", "resnet", "residual", "lenet",
                      "architecture", "densenet", "mobilenet"),
    "transfer-learning": ("transfer learning", "pretrained", "pre-trained", "fine-tun", "finetun", "frozen",
                          "feature extract", "imagenet"),
    "optimization": ("sgd", "momentum", "adagrad", "rmsprop", "adam", "learning rate", "optimiz", "optimis",
                     "descent", "l-bfgs", "annealing", "newton"),
    "regularization": ("regulari", "dropout", "overfit", "underfit", "augmentation", "weight decay",
                       "l1", "l2", "early stopping"),
    "activations": ("activation", "relu", "sigmoid", "tanh", "leaky", "maxout", "elu", "saturat"),
    "loss": ("loss", "softmax", "cross-entropy", "cross entropy", "hinge", "log likelihood"),
    "linear-classifiers": ("linear classifier", "svm", "score function", "bias trick", "hyperplane",
                           "template"),
    "knn": ("knn", "nearest neighbor", "nearest neighbour", "k-nn", "l1 distance", "l2 distance"),
    "visualization": ("visualiz", "visualis", "saliency", "deconv", "t-sne", "occlusion"),
    "detection": ("detection", "bounding box", "r-cnn", "yolo", "anchor"),
    "segmentation": ("segmentation", "mask", "u-net", "pixelwise"),
    "preprocessing": ("preprocess", "mean subtraction", "whiten", "pca", "zero-center", "normalize the data",
                      "normalise the data"),
    "normalization": ("batch norm", "batchnorm", "batch normalization", "layer norm", "normalization layer",
                      "lrn"),
    "initialization": ("initiali", "xavier", "he init", "kaiming"),
    "training": ("gradient check", "babysit", "hyperparameter", "validation", "epoch", "training loss",
                 "sanity check", "numerical gradient"),
    "neural-networks": ("neural network", "neuron", "layer", "perceptron", "capacity", "deep learning",
                        "universal approximat"),
}

_TF_PAREN = re.compile(r"\s*\((?:true\s*/\s*false|t\s*/\s*f)\)\s*", re.IGNORECASE)
_TF_PREFIX = re.compile(r"^\s*(?:t\s*/\s*f|true\s+or\s+false)\s*:\s*", re.IGNORECASE)
_TF_MARK = re.compile(f"{_TF_PAREN.pattern}|{_TF_PREFIX.pattern}", re.IGNORECASE)
_TF_ANSWER = re.compile(r"^\s*(true|false)\b[\s.,:;!—–-]*", re.IGNORECASE)
_OPTION = re.compile(r"^\s*\(?([a-hA-H]|\d{1,2})[).:]\s+(\S.*)$")
_CHOSEN = re.compile(r"^\s*(?:answer\s*[:=]?\s*)?\(?([a-hA-H]|\d{1,2})\)?(?:[).:]\s*|\s+|$)(.*)$",
                     re.IGNORECASE | re.DOTALL)
_BULLET = re.compile(r"^\s*[-•*]\s+")
#: the lines `export anki` ends a back with (Disputed, Erratum, Source), read back into their keys
_TRAILER = re.compile(r"^\s*(disputed|erratum|source):\s*(\S.*)$", re.IGNORECASE)


@dataclass
class Built:
    """Typed cards (mappings in deck-file key order) and what the build had to say."""

    cards: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[DeckIssue] = field(default_factory=list)
    guessed: int = 0  # topics suggested by keywords
    fallback: int = 0  # cards no keyword matched


def slug(text: str, limit: int = 40) -> str:
    """Lower-case ASCII words joined by ``-`` (accents folded), cut at a word boundary."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    out = ""
    for w in words:
        nxt = f"{out}-{w}" if out else w
        if len(nxt) > limit:
            break
        out = nxt
    return out or (words[0][:limit] if words else "")


def _normal(text: str) -> str:
    return " ".join(text.casefold().split())


def card_id(deck: str, question: str) -> str:
    """``<deck slug>-<question slug>-<6 hex>``: the same deck name and question text always give
    the same id (the hash is of the whitespace- and case-normalised question)."""
    digest = hashlib.sha256(f"{_normal(deck)}\n{_normal(question)}".encode()).hexdigest()[:6]
    parts = [p for p in (slug(deck, 24), slug(question, 40), digest) if p]
    return "-".join(parts)


def _keyword_index() -> tuple[re.Pattern[str], dict[str, tuple[str, ...]]]:
    """Where a keyword may start (one regex), and the keywords by first character."""
    words = sorted({w for ws in KEYWORDS.values() for w in ws})
    by_first: dict[str, list[str]] = {}
    for w in words:
        by_first.setdefault(w[0], []).append(w)
    firsts = "".join(re.escape(c) for c in sorted(by_first))
    return re.compile(f"(?<![a-z0-9])(?=[{firsts}])"), {c: tuple(ws) for c, ws in by_first.items()}


_STARTS, _BY_FIRST = _keyword_index()
#: keyword -> the topics listing it (once per listing)
_TOPICS_OF: dict[str, list[str]] = {}
for _topic, _words in KEYWORDS.items():
    for _w in _words:
        _TOPICS_OF.setdefault(_w, []).append(_topic)


def _keyword_counts(text: str) -> dict[str, int]:
    """keyword -> how many times it occurs in ``text`` not right after a letter or digit, each
    keyword counted left to right without overlapping itself (as ``re.findall`` of each would):
    one pass over the text, whatever the number of keywords."""
    counts: dict[str, int] = {}
    ends: dict[str, int] = {}
    for m in _STARTS.finditer(text):
        p = m.start()
        for w in _BY_FIRST[text[p]]:
            if p >= ends.get(w, 0) and text.startswith(w, p):
                counts[w] = counts.get(w, 0) + 1
                ends[w] = p + len(w)
    return counts


def guess_topic(front: str, back: str) -> str | None:
    """The topic whose keywords occur most (question words count double); None when none do."""
    cf, cb = _keyword_counts(front.casefold()), _keyword_counts(back.casefold())
    if not cf and not cb:
        return None
    scores: dict[str, int] = {}
    for counts, weight in ((cf, 2), (cb, 1)):
        for w, n in counts.items():
            for topic in _TOPICS_OF[w]:
                scores[topic] = scores.get(topic, 0) + weight * n
    best, best_score = None, 0
    for topic in KEYWORDS:  # ties go to the first topic listed, as before
        if scores.get(topic, 0) > best_score:
            best, best_score = topic, scores[topic]
    return best


def _back_value(text: str) -> str | list[str]:
    lines = [x for x in text.split("\n") if x.strip()]
    if lines and all(_BULLET.match(x) for x in lines):
        return [_BULLET.sub("", x).strip() for x in lines]
    return text


def _typed(front: str, back: str) -> dict[str, Any]:
    """type/answer/options from the question and answer text (basic when nothing fits)."""
    if _TF_MARK.search(front):
        m = _TF_ANSWER.match(back)
        if m:
            verdict = m.group(1).lower() == "true"
            first, _, rest = back.partition("\n")
            # a verdict alone on the first line (as Anki exports them) is the answer, not the back
            alone = _TF_ANSWER.fullmatch(first.strip()) is not None and rest.strip()
            # one marker goes: the "(True/False)" an export appends, else a "T/F:" prefix
            question = _TF_PAREN.sub(" ", front) if _TF_PAREN.search(front) else _TF_PREFIX.sub("", front)
            return {"front": question.strip(), "type": "truefalse", "answer": verdict,
                    "back": rest.strip() if alone else back}
        return {}
    # options listed under the question, in the front or (plain dumps) at the top of the answer
    lines = front.split("\n")
    options: list[tuple[int | None, str, str]] = [
        (i, m.group(1), m.group(2).strip()) for i, x in enumerate(lines) if (m := _OPTION.match(x))]
    rest = back
    if not options:
        back_lines = back.split("\n")
        k = 0
        while k < len(back_lines) and (m := _OPTION.match(back_lines[k])):
            options.append((None, m.group(1), m.group(2).strip()))
            k += 1
        rest = "\n".join(back_lines[k:]).strip()
    if len(options) >= 2 and rest:
        first_rest, _, explanation = rest.partition("\n")
        labels = {label.lower(): text for _, label, text in options}
        texts = [t for _, _, t in options]
        m = _CHOSEN.match(first_rest)
        answer: str | None
        if m and m.group(1).lower() in labels and (
            not m.group(2).strip() or _normal(m.group(2)) == _normal(labels[m.group(1).lower()])
        ):
            answer = labels[m.group(1).lower()]
        else:
            answer = next((t for t in texts if _normal(t) == _normal(first_rest)), None)
        if answer is not None and len(set(texts)) == len(texts):
            question = "\n".join(x for i, x in enumerate(lines) if i not in {o[0] for o in options}).strip()
            return {"front": question or front, "type": "choice", "options": texts, "answer": answer,
                    "back": explanation.strip() or answer}
    return {}


def tag_topic(tags: tuple[str, ...]) -> str | None:
    """The first tag that names a topic (any case; ``_`` or ``-`` between words; the last level of
    an Anki hierarchy such as ``dl::conv``), or None."""
    from cardcli.topics import TOPICS

    for tag in tags:
        key = tag.rsplit("::", 1)[-1].strip().casefold().replace("_", "-")
        if key in TOPICS:
            return key
    return None


def build_cards(pairs: list[Pair], deck: str, file: str, topic: str | None,
                advance: Callable[[int], None] | None = None) -> Built:
    """Cards for ``pairs``: ids from ``deck`` and the question; ``topic`` for all, else a tag that
    names a topic (:func:`tag_topic`), else a guess from the words. ``advance(1000)`` is called
    every 1,000 pairs (a progress bar)."""
    built = Built()
    seen: dict[str, int] = {}
    for k, pair in enumerate(pairs, 1):
        if advance is not None and k % 1000 == 0:
            advance(1000)
        front, back = clean(pair.front), clean(pair.back)
        if not front or not back:
            built.warnings.append(DeckIssue(file, pair.line, "empty question or answer after cleaning: skipped"))
            continue
        trailers: dict[str, str] = {}
        back_lines = back.split("\n")
        while len(back_lines) > 1:
            m = _TRAILER.match(back_lines[-1])
            if not m or m.group(1).lower() in trailers:
                break
            trailers[m.group(1).lower()] = m.group(2).strip()
            back_lines.pop()
        back = "\n".join(back_lines).strip()
        typed = _typed(front, back)
        if not typed and _TF_MARK.search(front):
            built.warnings.append(DeckIssue(file, pair.line, "marked true/false but the answer does not start "
                                            "with True or False: imported as a basic card"))
        question = typed.get("front", front)
        base = card_id(deck, question)
        n = seen.get(base, 0) + 1
        seen[base] = n
        cid = base if n == 1 else f"{base}-{n}"
        if n > 1:
            built.warnings.append(DeckIssue(file, pair.line, f"the same question again: id {cid}"))
        chosen = topic if topic is not None else tag_topic(pair.tags)
        if chosen is None:
            chosen = guess_topic(question, back)
            if chosen is None:
                chosen = FALLBACK_TOPIC
                built.fallback += 1
            else:
                built.guessed += 1
        card: dict[str, Any] = {"id": cid, "topic": chosen}
        tags = [t for t in dict.fromkeys(pair.tags) if t and not t.isspace()]
        if tags:
            card["tags"] = tags
        if typed:
            card["type"] = typed["type"]
        card["front"] = question
        if "options" in typed:
            card["options"] = typed["options"]
        if "answer" in typed:
            card["answer"] = typed["answer"]
        card["back"] = _back_value(typed.get("back", back))
        for key in ("erratum", "source", "disputed"):
            if key in trailers:
                card[key] = trailers[key]
        built.cards.append(card)
    return built
