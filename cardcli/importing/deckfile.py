"""Writing an imported deck as a YAML deck file (the documented deck format)."""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["deck_yaml"]


#: libyaml's emitter when PyYAML has it (about 10 times faster than the pure-Python one: a
#: 200,000-card import is mostly this), the same output
_Base: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # type: ignore[assignment]


class _Dumper(_Base):  # type: ignore[valid-type,misc]
    """Multi-line text as literal blocks (``|``), so the deck reads like the cards."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def deck_yaml(name: str, source: str, description: str, cards: list[dict[str, Any]]) -> str:
    doc = {"deck": name, "source": source, "description": description, "cards": cards}
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)
