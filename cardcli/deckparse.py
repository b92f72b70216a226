"""The YAML deck parser: one deck file read, parsed and validated.

Every problem is collected (never just the first) and reported as ``file:line: message``.
Only safe YAML is loaded: tags such as ``!!python/object`` are errors and never construct
anything. PyYAML is imported at the first parse, and :mod:`cardcli.loader` imports this module
only for a deck the parse cache (:mod:`cardcli.cache`) misses.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cardcli.errors import DeckIssue, did_you_mean
from cardcli.model import CARD_KEYS, DECK_KEYS, NO_MATRICES, Card, CardType, Deck
from cardcli.safetext import excerpt, one_line
from cardcli.topics import TOPICS
from generators import limits
from generators.limits import size_problem

if TYPE_CHECKING:
    import yaml

__all__ = ["load_file", "parse_text", "MAX_FILE_BYTES", "MAX_CELLS", "MAX_SIDE", "MAX_TEXT_CHARS", "MAX_NAME_CHARS",
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
#: a continuation line of a plain (unquoted) text that looks like YAML structure: a list item or a key
_STRUCTURE_RE = re.compile(r"^(-(\s|$)|[A-Za-z_][\w-]*:(\s|$))")
#: card keys whose values are prose (a folded list item or key inside one is a slip)
_PROSE_KEYS = ("front", "back", "options", "erratum", "source", "disputed")
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
        self.lines: list[str] = []

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
        self.lines = text.splitlines()
        from cardcli.safeyaml import DeckLoader, YamlLimitError, compose

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

    def _dash_columns(self, card: yaml.MappingNode) -> set[int]:
        """The columns of the ``-`` of the card's block lists (``back:`` bullets, ``options:``…)."""
        cols = set()
        for _, vnode in card.value:
            if isinstance(vnode, yaml.SequenceNode) and not vnode.flow_style:
                for item in vnode.value:
                    line = self.lines[item.start_mark.line] if item.start_mark.line < len(self.lines) else ""
                    cols.add(len(line) - len(line.lstrip()))
        return cols

    def _swallowed(self, key: str, node: yaml.Node, dash_columns: set[int]) -> None:
        """A plain (unquoted) text continues over more-indented lines, so a list item written one
        level too deep (``source: …`` then ``  - "last bullet"``) silently becomes part of the text.
        A continuation line is taken for a swallowed item when it starts with ``- "`` / ``- '`` (a
        quoted bullet) or its ``-`` stands in the column of the card's other bullets — a long text
        wrapped by a YAML writer may well continue with "- which…", and that is left alone.
        Reported (the card still loads) with the line of the swallowed item."""
        scalars = node.value if isinstance(node, yaml.SequenceNode) else [node]
        for scalar in scalars:
            if not isinstance(scalar, yaml.ScalarNode) or scalar.style not in (None, ""):  # plain only
                continue
            for n in range(scalar.start_mark.line + 1, min(scalar.end_mark.line + 1, len(self.lines))):
                text = self.lines[n].strip()
                column = len(self.lines[n]) - len(self.lines[n].lstrip())
                if _STRUCTURE_RE.match(text) and (not text.startswith("-") or re.match(r"-\s+[\"']", text)
                                                  or column in dash_columns):
                    what = "a list item" if self.lines[n].strip().startswith("-") else "a key"
                    self.err(n + 1, f"'{key}' swallowed {what} ({excerpt(self.lines[n].strip(), 40)}): an unquoted "
                                    f"text continues over more-indented lines; move the line to where it belongs "
                                    f"(same indent as its list or key) or quote the text")
                    break

    def _card(self, loader: Any, node: yaml.Node, deck: str) -> Card | None:
        line = _line(node)
        if not isinstance(node, yaml.MappingNode):
            self.err(line, "a card must be a mapping with 'id', 'front' and 'back'")
            return None
        f = _Fields(line=line, report=self.err)
        dashes = self._dash_columns(node)
        for knode, vnode in node.value:
            key = knode.value if isinstance(knode, yaml.ScalarNode) else str(knode.value)
            if key not in CARD_KEYS:
                f.fail(_line(knode), f"unknown card key '{excerpt(key, 60)}'{_hint(key[:100], CARD_KEYS)}")
                continue
            f.present.add(key)
            try:
                f.raw[key] = self.value(loader, vnode)
            except yaml.YAMLError as e:
                f.fail(_line(vnode), f"'{key}': {_constructor_message(e)}")
                continue
            f.lines[key] = _line(vnode)
            if key in _PROSE_KEYS:
                self._swallowed(key, vnode, dashes)
        for check in CARD_CHECKS:  # in order; a check returning False stops the card there
            if check(f) is False:
                return None
        if not f.ok:
            return None
        raw = f.raw
        return Card(
            id=raw["id"], front=raw["front"].strip(), back=f.back if isinstance(f.back, list) else f.back.strip(),
            topic=sys.intern(raw["topic"]), deck=deck, file=self.file, line=line, type=f.ctype,
            tags=tuple(sys.intern(t.strip()) for t in f.tags), answer=f.answer, options=tuple(f.options or ()),
            check=raw.get("check"), erratum=raw.get("erratum"), group=raw.get("group"),
            matrices=f.matrices or NO_MATRICES,
            tolerance=float(raw["tolerance"]) if raw.get("tolerance") is not None else None,
            source=f.texts["source"], disputed=f.texts["disputed"],
        )


# -- card validation: a table of small checks ------------------------------------------------------
@dataclass
class _Fields:
    """One card's keys as read (``raw``, their ``lines``), the values the checks normalise, and
    whether every check passed. :meth:`fail` reports ``file:line: message`` and marks the card bad."""

    line: int
    report: Callable[[int, str], None]
    raw: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    present: set[str] = field(default_factory=set)
    ok: bool = True
    back: Any = None
    tags: list[str] = field(default_factory=list)
    ctype: CardType = CardType.basic
    answer: Any = None
    options: list[str] | None = None
    matrices: Any = None
    texts: dict[str, str | None] = field(default_factory=dict)

    def at(self, key: str) -> int:
        """The line of ``key``'s value (the card's line when the key is absent)."""
        return self.lines.get(key, self.line)

    def fail(self, where: int | str, message: str) -> None:
        self.report(self.at(where) if isinstance(where, str) else where, message)
        self.ok = False


def _required(f: _Fields) -> None:
    for key in ("id", "front", "back"):
        if key not in f.present:
            f.fail(f.line, f"card is missing '{key}'")


def _id(f: _Fields) -> None:
    cid = f.raw.get("id")
    if "id" in f.raw and (not isinstance(cid, str) or not _ID_RE.match(cid)):
        f.fail("id", f"card id {_q(cid)} must be a lowercase slug (a-z, 0-9, '-', '_', '.')")


def _front(f: _Fields) -> None:
    front = f.raw.get("front")
    if "front" in f.raw and (not isinstance(front, str) or not front.strip()):
        f.fail("front", "'front' must be non-empty text")


def _back(f: _Fields) -> None:
    back = f.back = f.raw.get("back")
    if "back" not in f.raw:
        return
    if isinstance(back, list):
        if not back or not all(isinstance(b, (str, int, float)) for b in back):
            f.fail("back", "'back' list must hold text items")
        else:
            f.back = [str(b) for b in back]
    elif isinstance(back, (int, float)) and not isinstance(back, bool):
        f.back = str(back)
    elif not isinstance(back, str) or not back.strip():
        f.fail("back", "'back' must be non-empty text or a list of text")


def _topic(f: _Fields) -> None:
    topic = f.raw.get("topic")
    if "topic" not in f.present:
        f.fail(f.line, "card is missing 'topic'")
    elif "topic" not in f.raw:  # present, but its value could not be read (already reported)
        f.ok = False
    elif not isinstance(topic, str) or topic not in TOPICS:
        f.fail("topic", f"unknown topic {_q(topic)}{_hint(str(topic)[:100], list(TOPICS))}")


def _tags(f: _Fields) -> None:
    tags = f.raw.get("tags", [])
    if isinstance(tags, str):
        tags = [tags]
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        f.fail("tags", "'tags' must be a list of words")
        tags = []
    f.tags = tags


def _type(f: _Fields) -> bool:
    type_raw = f.raw.get("type", "basic")
    try:
        f.ctype = CardType(type_raw)
    except ValueError:
        f.fail("type", f"unknown card type {_q(type_raw)}{_hint(str(type_raw)[:100], _TYPES)};"
                       f" expected one of {', '.join(_TYPES)}")
        return False  # the checks after this one depend on the type
    return True


def _truefalse(f: _Fields) -> None:
    if f.ctype is CardType.truefalse and not isinstance(f.answer, bool):
        f.fail("answer", "a truefalse card needs 'answer: true' or 'answer: false'")


def _choice(f: _Fields) -> None:
    if f.ctype is not CardType.choice:
        return
    options = f.options
    if not isinstance(options, list) or len(options) < 2 or not all(
        isinstance(o, (str, int, float)) and not isinstance(o, bool) for o in options
    ):
        f.fail("options", "a choice card needs 'options': a list of at least two texts")
        f.options = []
        return
    f.options = [str(o) for o in options]
    if f.answer is None or str(f.answer) not in f.options:
        f.fail("answer", f"choice answer {_q(f.answer)} is not one of the options")
    else:
        f.answer = str(f.answer)


def _numeric(f: _Fields) -> None:
    if f.ctype is not CardType.numeric:
        return
    if "answer" not in f.raw:
        f.fail(f.line, "a numeric card needs an 'answer'")
    check = f.raw.get("check")
    if not isinstance(check, dict) or not isinstance(check.get("fn"), str) or not isinstance(
        check.get("args", {}), dict
    ):
        f.fail("check", "a numeric card needs 'check: {fn: <solver function>, args: {...}}'")


def _answer_and_options(f: _Fields) -> None:
    f.answer, f.options = f.raw.get("answer"), f.raw.get("options")
    _truefalse(f)
    _choice(f)
    _numeric(f)


def _misplaced(f: _Fields) -> None:
    if f.ctype is not CardType.choice and "options" in f.raw:
        f.fail("options", f"'options' only belongs on choice cards (this one is {f.ctype.value})")
    if f.ctype is not CardType.numeric and "check" in f.raw:
        f.fail("check", f"'check' only belongs on numeric cards (this one is {f.ctype.value})")
    if f.ctype is CardType.basic and "answer" in f.raw:
        f.fail("answer", "a basic card has no 'answer' (put it in 'back', or set a type)")


def _erratum(f: _Fields) -> None:
    erratum = f.raw.get("erratum")
    if erratum is not None and (not isinstance(erratum, str) or not erratum.strip()):
        f.fail("erratum", "'erratum' must be text")


def _source_and_disputed(f: _Fields) -> None:
    for key in ("source", "disputed"):
        value = f.raw.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            f.fail(key, f"'{key}' must be non-empty text")
            value = None
        f.texts[key] = value.strip() if isinstance(value, str) else None


def _group(f: _Fields) -> None:
    if f.raw.get("group") is not None and not isinstance(f.raw["group"], str):
        f.fail("group", "'group' must be a slug")


def _matrices(f: _Fields) -> None:
    matrices = f.matrices = f.raw.get("matrices", {})
    if not isinstance(matrices, dict) or not all(
        isinstance(m, list) and m and all(isinstance(r, list) for r in m) for m in matrices.values()
    ):
        f.fail("matrices", "'matrices' must map a caption to a list of rows")
        f.matrices = {}
    elif not all(isinstance(k, str) for k in matrices):
        f.fail("matrices", "'matrices' captions must be text")


def _sizes(f: _Fields) -> None:
    for key, value in (("answer", f.answer), ("matrices", f.matrices), ("check", f.raw.get("check"))):
        problem = _size_problem(value)
        if problem:
            f.fail(key, f"'{key}': {problem}")


def _text_lengths(f: _Fields) -> None:
    total = 0
    for key in ("id", "front", "back", "options", "erratum", "source", "disputed", "tags", "group", "answer"):
        longest, chars = _text_size(f.raw.get(key))
        total += chars
        limit = MAX_TEXT_CHARS if key not in ("id", "tags", "group") else MAX_NAME_CHARS
        if longest > limit:
            f.fail(key, f"'{key}' has a text of {longest:,} characters (at most {limit:,})")
    if total > MAX_CARD_CHARS:
        f.fail(f.line, f"the card's texts add up to {total:,} characters (at most {MAX_CARD_CHARS:,})")


def _tolerance(f: _Fields) -> None:
    tolerance = f.raw.get("tolerance")
    if tolerance is not None and (isinstance(tolerance, bool) or not isinstance(tolerance, (int, float))
                                  or not math.isfinite(tolerance) or tolerance < 0):
        f.fail("tolerance", "'tolerance' must be a finite non-negative number")


#: the card checks, in the order their messages are reported; each reads ``_Fields.raw``, may
#: normalise a value for the card, and calls :meth:`_Fields.fail` with a ``file:line`` message
CARD_CHECKS: tuple[Callable[[_Fields], bool | None], ...] = (
    _required, _id, _front, _back, _topic, _tags, _type, _answer_and_options, _misplaced, _erratum,
    _source_and_disputed, _group, _matrices, _sizes, _text_lengths, _tolerance,
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
    _import_yaml()
    parser = _Parser(file, bundled)
    deck = parser.parse(text)
    return deck, parser.issues


def _import_yaml() -> None:
    """PyYAML, imported at the first parse: a run whose decks all come from the parse cache
    (:mod:`cardcli.cache`) never loads it (a tenth of `cardcli study`'s start-up)."""
    global yaml
    import yaml


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
