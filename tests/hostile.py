"""Hostile deck files (issue 10), shared by the tests and `bench/bench.py --only hostile`.

Each entry of :data:`HOSTILE` is ``name -> (deck text, what cardcli must do)``. The texts are
written out with YAML escapes (``\\e``, ``\\x9b``), exactly as an attacker would put them in a file.
"""

from __future__ import annotations

__all__ = ["ESCAPES_DECK", "HOSTILE", "alias_bomb", "deep_tags", "write"]

ESC_SEQUENCES = r"\e]52;c;aGVsbG8=\e\\ \e]0;owned\a \e[2J \x9b31m"

#: a valid deck whose every text field carries terminal escapes and rich markup
ESCAPES_DECK = rf"""deck: "Evil {ESC_SEQUENCES} [link=file:///etc/passwd]x[/link] CS231N [draft] Lists [/]"
source: "src {ESC_SEQUENCES}"
description: "desc {ESC_SEQUENCES} [bold]"
cards:
  - id: evil-choice
    topic: conv
    type: choice
    front: "front {ESC_SEQUENCES} [bold]B[/bold] [link=file:///etc/passwd]L[/link]"
    options: ["opt {ESC_SEQUENCES} [red]", "plain"]
    answer: plain
    back: "back {ESC_SEQUENCES} [/]"
    erratum: "erratum {ESC_SEQUENCES} [/]"
    tags: ["tag\e[2J", "[bold]"]
  - id: evil-matrix
    topic: conv
    front: "matrix {ESC_SEQUENCES}"
    back: ["item {ESC_SEQUENCES}", "two"]
    matrices: {{"[bold]caption {ESC_SEQUENCES} [/]": [[1, "\e[2J"], [3, 4]]}}
"""


def alias_bomb(levels: int = 8, width: int = 10) -> str:
    """A flow list whose aliases expand to ``width ** levels`` values (10^8 from about 600 bytes)."""
    node = "&b0 [" + ", ".join(["0"] * width) + "]"
    for i in range(1, levels):
        node = f"&b{i} [{node}" + f", *b{i - 1}" * (width - 1) + "]"
    return node


def deep_tags(depth: int = 40_000) -> str:
    return "[" * depth + "]" * depth


def _card(extra: str, type_: str = "basic") -> str:
    return (f"deck: H\nsource: s\ncards:\n  - {{id: h-one, topic: conv, type: {type_}, front: f, back: b, "
            f"{extra}}}\n")


_NUMERIC = "check: {fn: conv2d, args: {input: [[1]], weight: [[1]]}}"

HOSTILE: dict[str, tuple[str, str]] = {
    "terminal escapes": (ESCAPES_DECK, "loads; text shown with escapes visible"),
    "markup deck name": ('deck: "Lists [/]"\nsource: s\ncards:\n  - {id: m-one, topic: conv, front: f, back: b}\n',
                         "loads; name shown literally"),
    "impossible date": ("deck: D\nsource: s\ncards:\n  - {id: d-one, topic: conv, front: f, back: 2024-02-30}\n",
                        "loads; the back is the text 2024-02-30"),
    "5,000-digit integer": ("deck: D\nsource: s\ncards:\n  - {id: d-one, topic: conv, front: f, back: "
                            + "9" * 5000 + "}\n", "line 4: cannot read a value"),
    "!!int abc": (_card("tags: [!!int abc]"), "line 4: cannot read a value"),
    "tags nested 40,000 deep": (_card("tags: " + deep_tags()), "line 4: nested more than 64 levels"),
    "conv2d padding 20000": ("deck: P\ncards:\n- {id: p, topic: conv, type: numeric, front: f, back: b, answer: 1,"
                             " check: {fn: conv2d, args: {input: [[1]], weight: [[1]], padding: 20000}}}\n",
                             "check: padding 20,000 is too large"),
    "alias bomb in answer": (_card(f"answer: {alias_bomb()}, {_NUMERIC}", "numeric"), "aliases expand"),
    "alias bomb in check.args": (_card("answer: 1, check: {fn: conv2d, args: {weight: [[1]], input: "
                                       f"{alias_bomb()}}}}}", "numeric"), "aliases expand"),
    "alias bomb in matrices": (_card(f"matrices: {{M: {alias_bomb()}}}"), "aliases expand"),
    "recursive alias": (_card("tags: &x [*x]"), "recursive structure"),
    "duplicate cards key": ("deck: D\nsource: s\ncards:\n  - {id: d-one, topic: conv, front: f, back: b}\n"
                            "cards:\n  - {id: d-two, topic: conv, front: f, back: b}\n",
                            "line 5: duplicate key 'cards' (first at line 3"),
    "tolerance .inf": (_card(f"answer: [[1]], tolerance: .inf, {_NUMERIC}", "numeric"), "finite"),
    "tolerance .nan": (_card(f"answer: [[1]], tolerance: .nan, {_NUMERIC}", "numeric"), "finite"),
    "NUL byte": ('deck: D\nsource: s\ncards:\n  - {id: d-one, topic: conv, front: "f\x00", back: b}\n',
                 "line 4: control character U+0000"),
}


def write(folder, name: str) -> object:
    """Write the hostile deck ``name`` into ``folder`` (a pathlib.Path) and return its path."""
    slug = "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-")
    path = folder / f"{slug}.yaml"
    path.write_text(HOSTILE[name][0], encoding="utf-8")
    return path
