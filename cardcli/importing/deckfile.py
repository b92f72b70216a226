"""Writing an imported deck as a YAML deck file (the documented deck format)."""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["deck_yaml", "deck_parts"]


#: libyaml's emitter when PyYAML has it (about 10 times faster than the pure-Python one: a
#: 200,000-card import is mostly this), the same output
_Base: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_Base):  # type: ignore[valid-type,misc]
    """Multi-line text as literal blocks (``|``), so the deck reads like the cards."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


#: cards dumped per call: the representer's node tree is built per batch, not for the whole deck
_BATCH = 2_000


def _dump(value: Any) -> str:
    return yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)


def deck_parts(name: str, source: str, description: str, cards: list[dict[str, Any]]) -> tuple[str, list[str]]:
    """The deck file's head (through ``cards:``) and its cards in batches: ``head + "".join(batches)``
    is the file, and ``head + batch`` is a valid deck of that batch's cards (checked batch by batch,
    so the check's memory does not grow with the deck)."""
    head = _dump({"deck": name, "source": source, "description": description}) + "cards:\n"
    return head, [_dump(cards[i:i + _BATCH]) for i in range(0, len(cards), _BATCH)]


def deck_yaml(name: str, source: str, description: str, cards: list[dict[str, Any]]) -> str:
    """The deck file's text: the same as dumping the whole document at once, written in batches of
    cards (a block sequence under a top-level key starts at column 0, so batches concatenate)."""
    if not cards:
        return _dump({"deck": name, "source": source, "description": description, "cards": cards})
    head, batches = deck_parts(name, source, description, cards)
    return head + "".join(batches)
