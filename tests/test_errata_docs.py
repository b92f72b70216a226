"""The errata page's table (docs/errata.md) lists exactly the bundled cards that carry an erratum or are disputed."""

from __future__ import annotations

import re
from pathlib import Path

from cardcli.loader import load_collection

README = Path(__file__).resolve().parent.parent / "docs" / "errata.md"


def test_readme_errata_table_matches_the_decks():
    text = README.read_text(encoding="utf-8")
    section = text.split("# Errata in the course documents", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\| [^|]+ \| `([a-z0-9._-]+)` \|", section, flags=re.MULTILINE)
    cards = load_collection([], include_bundled=True, use_cache=False).cards
    flagged = {c.id for c in cards if c.erratum or c.disputed}
    assert len(listed) == len(set(listed)), "a card is listed twice"
    assert set(listed) == flagged
    disputed = {c.id for c in cards if c.disputed}
    assert disputed and all(re.search(rf"`{re.escape(i)}` \|[^\n]*DISPUTED", section) for i in disputed)
