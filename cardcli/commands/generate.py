"""``cardcli generate``: generated problems as JSON Lines (one ``Problem.to_json()`` per line, plus
``mistakes``: what each common mistake of the family gives, see :func:`cardcli.diagnosis.mistake_table`).

With a family: problems 0..n-1 of that family. Without one (``--topic`` or none): exactly the
problems ``cardcli quiz`` would ask for the same options and history (weakest families first).
"""

from __future__ import annotations

import json
import sys
from datetime import date

from cardcli import clock

__all__ = ["run"]


def run(family: str, count: int, seed: int, difficulty: int, list_families: bool,
        topics: list[str] | None = None, exam: date | None = None) -> None:
    from cardcli.errors import UsageError
    from generators.families import FAMILIES, generate, problem

    if list_families:
        width = max(len(name) for name in FAMILIES)
        twidth = max(len(", ".join(f.topics)) for f in FAMILIES.values())
        for fam in FAMILIES.values():
            sys.stdout.write(f"{fam.name:<{width}}  {', '.join(fam.topics):<{twidth}}  {fam.description}\n")
        return
    if family and topics:
        raise UsageError("give a problem family or --topic, not both")
    if family:
        generate(family, 0, seed, difficulty)  # checks the family name and difficulty
        problems = (problem(family, seed, difficulty, i) for i in range(count))
    else:

        from cardcli.quizplan import planned_problems
        from cardcli.store import Store
        from cardcli.studyday import from_env

        with Store.open() as store:  # the order comes from the history; the problems are made below
            _, problems, _ = planned_problems(store, topics or [], count, seed, difficulty, exam,
                                              clock.now(), from_env(), lazy=True)
    from cardcli.charset import can_encode
    from cardcli.diagnosis import mistake_table

    ascii_only = not can_encode(sys.stdout, "\u2014\u2212\u03a3\u00d7\u4e2d")  # JSON stays lossless: \uXXXX escapes
    # streamed: each problem is printed as it is made (memory does not grow with -n; a pipe sees the first at once)
    for p in problems:
        record = {**p.to_json(), "mistakes": mistake_table(p)}
        sys.stdout.write(json.dumps(record, ensure_ascii=ascii_only) + "\n")
        sys.stdout.flush()
