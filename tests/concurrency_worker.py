"""One study process for tests/test_concurrency.py (run as its own process, not collected).

Usage: python concurrency_worker.py DB NAME SEED RATINGS WALL0

Runs real :class:`cardcli.session.Session` objects (scripted keys, output to a string) on a small
shared card set as fast as it can, rating 1-5 and pressing ``u`` now and then, until it has
given RATINGS / 3 scheduled (non-cram) ratings. Its cards carry deck NAME so the log shows which process rated what. The
clock is shared by all workers: simulated time runs SPEED times faster than the wall clock from
WALL0, so graduated cards fall due again while the test runs. Waits for a line on stdin before
starting (so all workers start together), prints a JSON summary at the end.
"""

from __future__ import annotations

import io
import json
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from rich.console import Console

from cardcli import scheduler as S
from cardcli.model import Card
from cardcli.session import Session
from cardcli.store import Store
from cardcli.terminal import ScriptedKeys

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
SPEED = 1000 * 86400  # 1,000 simulated days per real second: cards fall due again within the run
N_CARDS = 4


def main(db: str, name: str, seed: int, budget: int, wall0: float) -> None:
    rng = random.Random(seed)
    cards = [Card(f"x{i}", f"Front {i}", "Back", "conv", name) for i in range(N_CARDS)]

    def clock() -> datetime:
        return T0 + timedelta(seconds=(time.time() - wall0) * SPEED)

    totals = {"reviews": 0, "undone": 0, "cram": 0}
    sys.stdin.readline()  # the start signal
    with Store.open(Path(db)) as store:
        rounds = 0
        # until this process has given budget/3 scheduled (non-cram) ratings; the round cap only
        # stops a run whose cards never fall due again (the test's assertions then say so)
        while totals["reviews"] < budget // 3 and rounds < 40 * budget:
            rounds += 1
            keys: list[str] = []
            for _ in range(30):
                keys += ["u"] if rng.random() < 0.2 else ["", str(rng.choice([1, 2, 3, 3, 4, 4, 5]))]
            states = store.load_states()
            now = clock()
            cram = rng.random() < 0.15
            queue = S.plan(cards, states, now, rng, new_per_day=N_CARDS, new_seen_today=0, cram=cram)
            if len(queue) == 0:  # everything rated far ahead: cram instead (logged, never scheduled)
                cram = True
                queue = S.plan(cards, states, now, rng, new_per_day=N_CARDS, new_seen_today=0, cram=True)
            console = Console(file=io.StringIO(), width=80, color_system=None)
            summary = Session(queue, store, console, ScriptedKeys(keys), states, cards, cram=cram,
                              policy=S.policy_for(now), rng=rng, clock=clock).run()
            totals["cram" if cram else "reviews"] += summary.reviews
            totals["undone"] += summary.undone  # each undone rating was given first
    print(json.dumps(totals))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
