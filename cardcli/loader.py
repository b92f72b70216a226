"""Deck loading and validation.

Every problem is collected (never just the first) and reported as ``file:line: message``.
Only safe YAML is loaded: tags such as ``!!python/object`` are errors and never construct
anything.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cardcli.errors import DeckIssue, did_you_mean
from cardcli.model import CARD_KEYS, DECK_KEYS, NO_MATRICES, Card, CardType, Deck
from cardcli.safetext import excerpt, one_line
from cardcli.safeyaml import DeckLoader, YamlLimitError, compose
from cardcli.topics import TOPICS
from generators import limits
from generators.limits import size_problem

__all__ = ["Collection", "deck_key", "deck_keys", "expand_paths", "load_file", "load_collection", "parse_text",
           "MAX_FILE_BYTES", "MAX_CELLS", "MAX_SIDE", "MAX_TEXT_CHARS", "MAX_NAME_CHARS",
           "MAX_CARD_CHARS"]

#: a deck file larger than this is refused without being read
MAX_FILE_BYTES = 50 * 1024 * 1024
#: values in one array (``matrices``, ``answer``, solver arguments), and entries along one side
#: (the solver's own limits, :mod:`generators.limits`)
MAX_CELLS = limits.MAX_CELLS
MAX_SIDE = limits.MAX_SIDE
#: characters in one card text (front, back item, option, erratum); in a deck name, tag or group
MAX_TEXT_CHARS = 20_000
MAX_NAME_CHARS = 1_000
#: characters in all the texts of one card together (what one study screen may have to draw)
MAX_CARD_CHARS = 100_000

#: characters YAML does not allow in a document (C0 except tab/newline/CR, DEL, C1 except NEL, ...)
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_TYPES = [t.value for t in CardType]


def _hint(word: str, choices: list[str] | tuple[str, ...]) -> str:
    return did_you_mean(word, choices, cutoff=0.6)


def _q(value: Any) -> str:
    """A value quoted for a message (``repr``), at most 60 characters."""
    return excerpt(repr(value[:100]) if isinstance(value, str) else value, 60)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


class _Parser:
    """Validates one deck document held as a YAML node tree (to know every line)."""

    def __init__(self, file: str, bundled: bool):
        self.file = file
        self.bundled = bundled
        self.issues: list[DeckIssue] = []

    def err(self, line: int, message: str) -> None:
        self.issues.append(DeckIssue(self.file, line, one_line(message)))

    # -- construction -------------------------------------------------------------------
    def value(self, loader: Any, node: yaml.Node) -> Any:
        """The Python value of ``node``. Any constructor failure (a bad ``!!int``, a 5,000-digit
        number, bad base64 in ``!!binary``) raises ``yaml.YAMLError`` with a one-line message."""
        try:
            return loader.construct_object(node, deep=True)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, ArithmeticError, RecursionError) as e:
            reason = str(e)
            if "integer string conversion" in reason:  # Python's guard against quadratic int parsing
                reason = f"an integer with more than {getattr(sys, 'get_int_max_str_digits', lambda: 4300)():,} digits"
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read a value: {excerpt(reason)}", node.start_mark
            ) from None

    def parse(self, text: str) -> Deck | None:
        bad = _FORBIDDEN.search(text)
        if bad is not None:
            line = text.count("\n", 0, bad.start()) + 1
            column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
            self.err(line, f"control character U+{ord(bad.group()):04X} at column {column} "
                           f"(not allowed in YAML; write it as an escape in a double-quoted string)")
            return None
        loader = DeckLoader(text)
        try:
            try:
                root = compose(loader)
            except YamlLimitError as e:
                self.err(e.line, e.message)
                return None
            except yaml.MarkedYAMLError as e:
                mark = e.problem_mark or e.context_mark
                line = mark.line + 1 if mark else 1
                self.err(line, f"YAML syntax error: {e.problem or e.context}")
                return None
            except yaml.YAMLError as e:
                self.err(1, f"YAML error: {e}")
                return None
            if root is None:
                self.err(1, "empty file: expected a mapping with 'deck', 'source' and 'cards'")
                return None
            return self._deck(loader, root)
        finally:
            loader.dispose()

    def _deck(self, loader: Any, root: yaml.Node) -> Deck | None:
        if not isinstance(root, yaml.MappingNode):
            self.err(_line(root), "top level must be a mapping with 'deck', 'source' and 'cards'")
            return None
        fields: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for knode, vnode in root.value:
            key = knode.value if isinstance(knode, yaml.ScalarNode) else str(knode.value)
            if key not in DECK_KEYS:
                self.err(_line(knode), f"unknown top-level key '{excerpt(key, 60)}'{_hint(key[:100], DECK_KEYS)}")
                continue
            fields[key] = (knode, vnode)
        name = self._scalar_str(loader, fields, "deck", _line(root), required=True)
        source = self._scalar_str(loader, fields, "source", _line(root), required=False) or ""
        description = self._scalar_str(loader, fields, "description", _line(root), required=False) or ""
        if "cards" not in fields:
            self.err(_line(root), "missing 'cards' (a list of cards)")
            return None
        knode, cnode = fields["cards"]
        if not isinstance(cnode, yaml.SequenceNode):
            self.err(_line(cnode), "'cards' must be a list")
            return None
        cards: list[Card] = []
        deck_name = name or Path(self.file).stem
        for item in cnode.value:
            card = self._card(loader, item, deck_name)
            if card is not None:
                cards.append(card)
        if not cnode.value:
            self.err(_line(cnode), "'cards' is empty")
        if name is None:
            return None
        return Deck(name=name, source=source, file=self.file, cards=tuple(cards),
                    description=description, bundled=self.bundled)

    def _scalar_str(self, loader, fields, key, line, required) -> str | None:
        if key not in fields:
            if required:
                self.err(line, f"missing '{key}'")
            return None
        knode, vnode = fields[key]
        try:
            value = self.value(loader, vnode)
        except yaml.YAMLError as e:
            self.err(_line(vnode), f"'{key}': {_constructor_message(e)}")
            return None
        if not isinstance(value, str) or not value.strip():
            self.err(_line(vnode), f"'{key}' must be a non-empty string")
            return None
        if len(value) > MAX_NAME_CHARS:
            self.err(_line(vnode), f"'{key}' is {len(value):,} characters long (at most {MAX_NAME_CHARS:,})")
            return None
        return value.strip()

    def _card(self, loader: Any, node: yaml.Node, deck: str) -> Card | None:
        line = _line(node)
        if not isinstance(node, yaml.MappingNode):
            self.err(line, "a card must be a mapping with 'id', 'front' and 'back'")
            return None
        raw: dict[str, Any] = {}
        lines: dict[str, int] = {}
        present: set[str] = set()
        ok = True
        for knode, vnode in node.value:
            key = knode.value if isinstance(knode, yaml.ScalarNode) else str(knode.value)
            if key not in CARD_KEYS:
                self.err(_line(knode), f"unknown card key '{excerpt(key, 60)}'{_hint(key[:100], CARD_KEYS)}")
                ok = False
                continue
            present.add(key)
            try:
                raw[key] = self.value(loader, vnode)
            except yaml.YAMLError as e:
                self.err(_line(vnode), f"'{key}': {_constructor_message(e)}")
                ok = False
                continue
            lines[key] = _line(vnode)
        at = lambda key: lines.get(key, line)  # noqa: E731

        for key in ("id", "front", "back"):
            if key not in present:
                self.err(line, f"card is missing '{key}'")
                ok = False
        cid = raw.get("id")
        if "id" in raw and (not isinstance(cid, str) or not _ID_RE.match(cid)):
            self.err(at("id"), f"card id {_q(cid)} must be a lowercase slug (a-z, 0-9, '-', '_', '.')")
            ok = False
        front = raw.get("front")
        if "front" in raw and (not isinstance(front, str) or not front.strip()):
            self.err(at("front"), "'front' must be non-empty text")
            ok = False
        back = raw.get("back")
        if "back" in raw:
            if isinstance(back, list):
                if not back or not all(isinstance(b, (str, int, float)) for b in back):
                    self.err(at("back"), "'back' list must hold text items")
                    ok = False
                else:
                    back = [str(b) for b in back]
            elif isinstance(back, (int, float)) and not isinstance(back, bool):
                back = str(back)
            elif not isinstance(back, str) or not back.strip():
                self.err(at("back"), "'back' must be non-empty text or a list of text")
                ok = False

        topic = raw.get("topic")
        if "topic" not in present:
            self.err(line, "card is missing 'topic'")
            ok = False
        elif "topic" not in raw:
            ok = False
        elif not isinstance(topic, str) or topic not in TOPICS:
            self.err(at("topic"), f"unknown topic {_q(topic)}{_hint(str(topic)[:100], list(TOPICS))}")
            ok = False

        tags = raw.get("tags", [])
        if isinstance(tags, str):
            tags = [tags]
        if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
            self.err(at("tags"), "'tags' must be a list of words")
            ok = False
            tags = []

        type_raw = raw.get("type", "basic")
        try:
            ctype = CardType(type_raw)
        except ValueError:
            self.err(at("type"), f"unknown card type {_q(type_raw)}{_hint(str(type_raw)[:100], _TYPES)};"
                     f" expected one of {', '.join(_TYPES)}")
            return None

        answer = raw.get("answer")
        options = raw.get("options")
        if ctype is CardType.truefalse:
            if not isinstance(answer, bool):
                self.err(at("answer"), "a truefalse card needs 'answer: true' or 'answer: false'")
                ok = False
        elif ctype is CardType.choice:
            if not isinstance(options, list) or len(options) < 2 or not all(
                isinstance(o, (str, int, float)) and not isinstance(o, bool) for o in options
            ):
                self.err(at("options"), "a choice card needs 'options': a list of at least two texts")
                ok = False
                options = []
            else:
                options = [str(o) for o in options]
                if answer is None or str(answer) not in options:
                    self.err(at("answer"), f"choice answer {_q(answer)} is not one of the options")
                    ok = False
                else:
                    answer = str(answer)
        elif ctype is CardType.numeric:
            if "answer" not in raw:
                self.err(line, "a numeric card needs an 'answer'")
                ok = False
            check = raw.get("check")
            if not isinstance(check, dict) or not isinstance(check.get("fn"), str) or not isinstance(
                check.get("args", {}), dict
            ):
                self.err(at("check"), "a numeric card needs 'check: {fn: <solver function>, args: {...}}'")
                ok = False
        if ctype is not CardType.choice and "options" in raw:
            self.err(at("options"), f"'options' only belongs on choice cards (this one is {ctype.value})")
            ok = False
        if ctype is not CardType.numeric and "check" in raw:
            self.err(at("check"), f"'check' only belongs on numeric cards (this one is {ctype.value})")
            ok = False
        if ctype is CardType.basic and "answer" in raw:
            self.err(at("answer"), "a basic card has no 'answer' (put it in 'back', or set a type)")
            ok = False

        erratum = raw.get("erratum")
        if erratum is not None and (not isinstance(erratum, str) or not erratum.strip()):
            self.err(at("erratum"), "'erratum' must be text")
            ok = False
        text_fields: dict[str, str | None] = {}
        for key in ("source", "disputed"):
            value = raw.get(key)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                self.err(at(key), f"'{key}' must be non-empty text")
                ok = False
                value = None
            text_fields[key] = value.strip() if isinstance(value, str) else None
        group = raw.get("group")
        if group is not None and not isinstance(group, str):
            self.err(at("group"), "'group' must be a slug")
            ok = False
        matrices = raw.get("matrices", {})
        if not isinstance(matrices, dict) or not all(
            isinstance(m, list) and m and all(isinstance(r, list) for r in m) for m in matrices.values()
        ):
            self.err(at("matrices"), "'matrices' must map a caption to a list of rows")
            ok = False
            matrices = {}
        elif not all(isinstance(k, str) for k in matrices):
            self.err(at("matrices"), "'matrices' captions must be text")
            ok = False
        for key, value in (("answer", answer), ("matrices", matrices), ("check", raw.get("check"))):
            problem = _size_problem(value)
            if problem:
                self.err(at(key), f"'{key}': {problem}")
                ok = False
        total = 0
        for key in ("id", "front", "back", "options", "erratum", "source", "disputed", "tags", "group", "answer"):
            longest, chars = _text_size(raw.get(key))
            total += chars
            limit = MAX_TEXT_CHARS if key not in ("id", "tags", "group") else MAX_NAME_CHARS
            if longest > limit:
                self.err(at(key), f"'{key}' has a text of {longest:,} characters (at most {limit:,})")
                ok = False
        if total > MAX_CARD_CHARS:
            self.err(line, f"the card's texts add up to {total:,} characters (at most {MAX_CARD_CHARS:,})")
            ok = False
        tolerance = raw.get("tolerance")
        if tolerance is not None and (isinstance(tolerance, bool) or not isinstance(tolerance, (int, float))
                                      or not math.isfinite(tolerance) or tolerance < 0):
            self.err(at("tolerance"), "'tolerance' must be a finite non-negative number")
            ok = False
        if not ok:
            return None
        return Card(
            id=cid, front=front.strip(), back=back if isinstance(back, list) else back.strip(),
            topic=sys.intern(topic), deck=deck, file=self.file, line=line, type=ctype,
            tags=tuple(sys.intern(t.strip()) for t in tags), answer=answer, options=tuple(options or ()),
            check=raw.get("check"), erratum=erratum, group=group, matrices=matrices or NO_MATRICES,
            tolerance=float(tolerance) if tolerance is not None else None,
            source=text_fields["source"], disputed=text_fields["disputed"],
        )


def _text_size(value: Any) -> tuple[int, int]:
    """(longest, total) length of the strings in ``value`` (a string or a list of them)."""
    if isinstance(value, str):
        return len(value), len(value)
    if isinstance(value, list):
        sizes = [len(v) for v in value if isinstance(v, str)]
        return max(sizes, default=0), sum(sizes)
    return 0, 0


def _size_problem(value: Any) -> str | None:
    """Why ``value`` (nested lists/mappings) is too big to use, or None.

    Every list is an array side: at most :data:`MAX_SIDE` entries; at most :data:`MAX_CELLS`
    values in all (the walk and the limits are :mod:`generators.limits`, shared with the checks).
    """
    too_big = size_problem(value, max_text=MAX_NAME_CHARS, max_cells=MAX_CELLS, max_side=MAX_SIDE)
    if too_big is None:
        return None
    return {
        "side": f"a list of {too_big.size:,} entries (at most {MAX_SIDE:,} per side)",
        "cells": f"more than {MAX_CELLS:,} values (the limit)",
        "text": f"a text of {too_big.size:,} characters (at most {MAX_NAME_CHARS:,} here)",
    }[too_big.kind]


def _constructor_message(e: yaml.YAMLError) -> str:
    problem = getattr(e, "problem", None) or str(e)
    if "could not determine a constructor" in problem:
        tag = problem.split("tag", 1)[-1].strip().strip("'")
        return f"unsafe or unknown YAML tag {tag} is not allowed (decks are loaded as plain data)"
    return problem


def parse_text(text: str, file: str, bundled: bool = False) -> tuple[Deck | None, list[DeckIssue]]:
    """Parse and validate one deck from text. Pure: no file system access."""
    parser = _Parser(file, bundled)
    deck = parser.parse(text)
    return deck, parser.issues


def load_file(path: Path, bundled: bool = False) -> tuple[Deck | None, list[DeckIssue]]:
    """Read, parse and validate one deck file."""
    name = str(path)
    try:
        with path.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        return None, [DeckIssue(name, 1, f"cannot read deck: {e.strerror or e}")]
    if len(data) > MAX_FILE_BYTES:
        return None, [DeckIssue(name, 1, f"deck file is larger than {MAX_FILE_BYTES // 2**20} MB (the limit); "
                                         f"split it into several decks")]
    if not data.strip():
        return None, [DeckIssue(name, 1, "empty file: expected a mapping with 'deck', 'source' and 'cards'")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        return None, [DeckIssue(name, line, f"not UTF-8: byte 0x{data[e.start]:02x} at offset {e.start}")]
    if text.startswith("\ufeff"):
        text = text[1:]
    return parse_text(text, name, bundled)


def expand_paths(paths: list[Path]) -> tuple[list[Path], list[DeckIssue]]:
    """Files as given; folders become their ``*.yaml``/``*.yml`` files (sorted, recursive)."""
    files: list[Path] = []
    issues: list[DeckIssue] = []
    for p in paths:
        if p.is_dir():
            files += sorted(q for q in p.rglob("*") if q.suffix in (".yaml", ".yml") and q.is_file())
        elif p.is_file():
            files.append(p)
        else:
            issues.append(DeckIssue(str(p), 1, "no such deck file or folder"))
    return files, issues


def deck_key(name: str) -> str:
    """How a ``--deck`` value is matched: case-insensitive, a ``.yaml``/``.yml`` suffix ignored."""
    key = " ".join(name.split()).casefold()
    for suffix in (".yaml", ".yml"):
        if key.endswith(suffix):
            return key[: -len(suffix)]
    return key


def deck_keys(deck: Deck) -> set[str]:
    """The names a deck answers to: its display name and its file name (with or without .yaml)."""
    return {deck_key(deck.name), deck_key(Path(deck.file).name)}


@dataclass
class Collection:
    """Every loaded deck, and every problem found on the way."""

    decks: list[Deck] = field(default_factory=list)
    issues: list[DeckIssue] = field(default_factory=list)

    @property
    def cards(self) -> list[Card]:
        return [c for d in self.decks for c in d.cards]

    def select(self, decks: list[str] | None = None, topics: list[str] | None = None) -> list[Card]:
        """Cards of the named decks (see :func:`deck_key`) and topics."""
        return [c for group in self.select_by_deck(decks, topics) for c in group]

    def select_by_deck(self, decks: list[str] | None = None, topics: list[str] | None = None) -> list[list[Card]]:
        """:meth:`select`, one list per deck (decks with no selected card left out)."""
        wanted = {deck_key(d) for d in decks or []}
        chosen = [d for d in self.decks if not wanted or deck_keys(d) & wanted]
        groups = [list(d.cards) if not topics else [c for c in d.cards if c.topic in topics] for d in chosen]
        return [g for g in groups if g]


def load_collection(
    paths: list[Path] | None = None, include_bundled: bool = True, use_cache: bool = True
) -> Collection:
    """Load the bundled decks (unless excluded) and the given user paths.

    A broken deck does not stop the others: its problems land in ``issues``.
    A card whose id was already seen is dropped (the first one wins) and reported,
    naming both places. Large files go through the parse cache (:mod:`cardcli.cache`).
    """
    from cardcli.gcpause import paused_gc

    with paused_gc():  # parsing allocates many long-lived objects: GC passes would make it superlinear
        return _load_collection(paths, include_bundled, use_cache)


def _load_collection(paths: list[Path] | None, include_bundled: bool, use_cache: bool) -> Collection:
    from cardcli.cache import cached_load
    from cardcli.paths import bundled_decks_dir

    col = Collection()
    sources: list[tuple[Path, bool]] = []
    if include_bundled:
        bundled, _ = expand_paths([bundled_decks_dir()])
        sources += [(p, True) for p in bundled]
    user, issues = expand_paths(list(paths or []))
    col.issues += issues
    seen_files: set[Path] = set()
    for p, is_bundled in sources + [(p, False) for p in user]:
        key = p.resolve()
        if key in seen_files:
            continue
        seen_files.add(key)
        if use_cache:
            deck, problems = cached_load(p, is_bundled, load_file)
        else:
            deck, problems = load_file(p, bundled=is_bundled)
        col.issues += problems
        if deck is not None:
            col.decks.append(deck)
    _dedupe(col)
    return col


def _dedupe(col: Collection) -> None:
    ids = [c.id for d in col.decks for c in d.cards]
    if len(set(ids)) == len(ids):  # the usual case: nothing to rebuild
        return
    first: dict[str, Card] = {}
    decks: list[Deck] = []
    for deck in col.decks:
        keep: list[Card] = []
        for card in deck.cards:
            prev = first.get(card.id)
            if prev is not None:
                col.issues.append(DeckIssue(
                    card.file, card.line,
                    f"duplicate card id '{card.id}' (first defined at {prev.file}:{prev.line})",
                ))
                continue
            first[card.id] = card
            keep.append(card)
        decks.append(Deck(deck.name, deck.source, deck.file, tuple(keep), deck.description, deck.bundled))
    col.decks = decks
