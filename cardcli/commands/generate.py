"""``cardcli generate``: generated problems as JSON Lines (one ``Problem.to_json()`` per line, plus
``mistakes``: what each common mistake of the family gives, see :func:`cardcli.diagnosis.mistake_table`)."""

from __future__ import annotations

import json
import sys

__all__ = ["run"]


def run(family: str, count: int, seed: int, difficulty: int, list_families: bool) -> None:
    from cardcli.errors import UsageError
    from generators.families import FAMILIES, generate

    if list_families:
        width = max(len(name) for name in FAMILIES)
        twidth = max(len(", ".join(f.topics)) for f in FAMILIES.values())
        for fam in FAMILIES.values():
            sys.stdout.write(f"{fam.name:<{width}}  {', '.join(fam.topics):<{twidth}}  {fam.description}\n")
        return
    if not family:
        raise UsageError("give a problem family, e.g. `cardcli generate conv-forward` "
                         "(`cardcli generate --list` shows them all)")
    from cardcli.diagnosis import mistake_table

    for problem in generate(family, count, seed, difficulty):
        record = {**problem.to_json(), "mistakes": mistake_table(problem)}
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
