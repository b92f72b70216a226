"""YAML composing with bounds, for deck files written by someone else.

PyYAML's composers recurse once per nesting level (libyaml's C composer overflows the C stack
at a few ten thousand levels: a segmentation fault), and aliases let 600 bytes describe 10^8
values ("billion laughs"). :func:`compose` builds the node tree from the parser's events with an
explicit stack instead, and checks while it goes, before anything is constructed:

* nesting depth at most :data:`MAX_DEPTH`;
* aliases may add at most :data:`MAX_ALIAS_NODES` nodes to the expanded document, and an alias
  may not point into the collection that contains it (a recursive structure);
* no mapping has the same key twice (YAML keeps the last one silently: a second ``cards:``
  would drop the first section).

:class:`DeckLoader` is the safe loader with two changes for decks: every string is made
terminal-safe (:func:`cardcli.safetext.clean`), and dates are not special (``2024-02-30`` is the
text ``2024-02-30``, not a constructor error).
"""

from __future__ import annotations

from typing import Any

from yaml.error import MarkedYAMLError
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from cardcli.safetext import clean, excerpt

__all__ = ["DeckLoader", "YamlLimitError", "compose", "MAX_DEPTH", "MAX_ALIAS_NODES"]

try:  # the C parser is much faster; fall back to pure Python where libyaml is missing
    from yaml import CSafeLoader as _Base
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Base  # type: ignore[assignment]

#: deepest nesting a deck may use (a deck needs about 10: deck > cards > card > check > args > 4-D array)
MAX_DEPTH = 64
#: nodes that aliases may add to a document once expanded
MAX_ALIAS_NODES = 1_000_000
_TOO_DEEP = f"nested more than {MAX_DEPTH} levels deep (a deck needs about 10)"

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"


class YamlLimitError(Exception):
    """A document over a bound, or with a duplicate key; ``line`` is 1-based."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


class DeckLoader(_Base):
    """The safe loader; strings made terminal-safe; timestamps are plain strings."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
        for first, resolvers in _Base.yaml_implicit_resolvers.items()
    }

    def construct_clean_str(self, node: ScalarNode) -> str:
        return clean(self.construct_scalar(node))


DeckLoader.add_constructor(_STR, DeckLoader.construct_clean_str)
DeckLoader.add_constructor(_TIMESTAMP, DeckLoader.construct_clean_str)  # an explicit !!timestamp too


def _line(mark: Any) -> int:
    return mark.line + 1 if mark is not None else 1


def compose(loader: Any) -> Any:
    """The single document of ``loader``'s stream as a node tree (None for an empty stream).

    Raises :class:`YamlLimitError` past a bound and ``yaml.YAMLError`` on syntax errors.
    """
    try:
        loader.get_event()  # StreamStart
        if loader.check_event(StreamEndEvent):
            loader.get_event()
            return None
        root = _document(loader)
    except MarkedYAMLError as e:
        # libyaml ≥ 0.2.5 (PyYAML ≥ 6.0.4's C parser) has a nesting limit of its own, which can fire
        # before ours: the deck gets the same message whichever library stops first
        if "nesting" not in str(e.problem or ""):
            raise
        raise YamlLimitError(_line(e.problem_mark), _TOO_DEEP) from None
    if not loader.check_event(StreamEndEvent):
        event = loader.get_event()
        raise YamlLimitError(_line(event.start_mark), "expected a single document, found a second one")
    loader.get_event()
    return root


def _document(loader: Any) -> Any:
    """The nodes of one document; a hot loop (one pass per event), so kept flat.

    Each open collection is a frame ``[node, expanded size, pending key, keys seen, anchor]``;
    ``keys seen`` maps a scalar key's (tag, value) to its node, for mappings only.
    """
    start = loader.get_event()
    assert isinstance(start, DocumentStartEvent), start
    anchors: dict[str, tuple[Any, int | None]] = {}  # name -> (node, expanded size; None while open)
    stack: list[list[Any]] = []
    get_event, resolve = loader.get_event, loader.resolve
    alias_extra = 0
    root = None
    node: Any
    size: Any
    while True:
        event = get_event()
        cls = type(event)
        if cls is ScalarEvent:
            tag = event.tag
            if tag is None or tag == "!":
                tag = resolve(ScalarNode, event.value, event.implicit)
            node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
            size = 1
            if event.anchor is not None:
                anchors[event.anchor] = (node, 1)
        elif cls is MappingEndEvent or cls is SequenceEndEvent:
            node, size, _, _, anchor = stack.pop()
            node.end_mark = event.end_mark
            if anchor is not None and anchors[anchor][0] is node:
                anchors[anchor] = (node, size)
        elif cls is MappingStartEvent or cls is SequenceStartEvent:
            if len(stack) >= MAX_DEPTH:
                raise YamlLimitError(_line(event.start_mark), _TOO_DEEP)
            kind = MappingNode if cls is MappingStartEvent else SequenceNode
            tag = event.tag
            if tag is None or tag == "!":
                tag = resolve(kind, None, event.implicit)
            node = kind(tag, [], event.start_mark, None, flow_style=event.flow_style)
            if event.anchor is not None:
                anchors[event.anchor] = (node, None)
            stack.append([node, 1, None, {} if kind is MappingNode else None, event.anchor])
            continue
        elif cls is AliasEvent:
            if event.anchor not in anchors:
                raise YamlLimitError(_line(event.start_mark), f"undefined alias *{excerpt(event.anchor, 40)}")
            node, size = anchors[event.anchor]
            if size is None:
                raise YamlLimitError(_line(event.start_mark),
                                     f"alias *{excerpt(event.anchor, 40)} refers to a collection that contains it "
                                     f"(a recursive structure is not allowed)")
            alias_extra += size
            if alias_extra > MAX_ALIAS_NODES:
                raise YamlLimitError(_line(event.start_mark),
                                     f"aliases expand to more than {MAX_ALIAS_NODES:,} values "
                                     f"(an alias bomb?); write the values out or use fewer aliases")
        elif cls is DocumentEndEvent:
            break
        else:  # pragma: no cover - the parser never sends these inside a document
            raise YamlLimitError(_line(event.start_mark), "unexpected end of the document")
        if not stack:
            root = node
            continue
        parent = stack[-1]
        parent[1] += size
        keys = parent[3]
        if keys is None:
            parent[0].value.append(node)
        elif parent[2] is None:
            parent[2] = node
            if cls is ScalarEvent and node.tag != _MERGE:
                ident = (node.tag, node.value)
                first = keys.get(ident)
                if first is not None:
                    raise YamlLimitError(_line(node.start_mark),
                                         f"duplicate key '{excerpt(node.value, 60)}' (first at line "
                                         f"{_line(first.start_mark)}; YAML would silently keep only the last one)")
                keys[ident] = node
        else:
            parent[0].value.append((parent[2], node))
            parent[2] = None
    return root
