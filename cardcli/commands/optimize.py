"""`cardcli optimize`: fit FSRS to your own reviews; keep the fit only if it predicts better."""

from __future__ import annotations

import json

from rich.text import Text

from cardcli import clock

__all__ = ["run"]


def run(*, json_out: bool, dry_run: bool, reset: bool) -> None:
    """Fit and report (saving only a fit that is better on held-out reviews), or ``reset``."""
    from fsrs.scheduler import (
        DEFAULT_PARAMETERS,
        LOWER_BOUNDS_PARAMETERS,
        UPPER_BOUNDS_PARAMETERS,
    )

    from cardcli.console import out
    from cardcli.optimize import RECALL_KINDS, fit
    from cardcli.store import MemoryModel, Store

    with Store.open() as store:
        if reset:
            had = store.reset_memory_model()
            if json_out:
                out.print_json(json.dumps({"reset": had, "parameters": "default"}))
            else:
                out.print("Back to the default FSRS parameters." if had
                          else "Already using the default FSRS parameters.", highlight=False)
            return
        attempts = store.recall_attempts(RECALL_KINDS)
    now = clock.now()
    from cardcli.optimize import N_SPLITS
    from cardcli.progress import progress

    with progress(f"Fitting the memory model to {len(attempts):,} reviews", N_SPLITS + 1,
                  show=len(attempts) >= 50_000) as advance:
        result = fit(attempts, DEFAULT_PARAMETERS, advance=advance)
    saved = result.better and not dry_run
    if saved:
        # fsrs-rs keeps its parameters in float32 within its own bounds: clip to py-fsrs's
        params = tuple(min(max(w, lo), hi) for w, lo, hi in
                       zip(result.parameters, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS))
        with Store.open() as store:
            store.save_memory_model(MemoryModel(
                parameters=params, fitted_at=now, reviews=result.reviews,
                evaluation={"held_out": result.held_out, "default": result.default.as_json(),
                            "fitted": result.fitted.as_json()},
            ))
    if json_out:
        out.print_json(json.dumps(result.as_json(saved)))
        return
    out.print(Text(
        f"Fitted FSRS to your {result.reviews:,} reviews ({result.items:,} on a later day than the card's "
        f"previous review). Held out: {result.held_out:,} reviews, each predicted by parameters "
        f"fitted only on the reviews before it (time-series split, 5 folds)."
    ))
    out.print(Text(f"{'held-out reviews':<20}{'log loss':>10}{'RMSE(bins)':>12}"))
    for name, f in (("default parameters", result.default), ("fitted parameters", result.fitted)):
        out.print(Text(f"{name:<20}{f.log_loss:>10.4f}{f.rmse_bins:>12.4f}"))
    if saved:
        msg = ("Saved: the fitted parameters predict your held-out reviews better on both measures; "
               "they now schedule your cards (`cardcli optimize --reset` goes back to the defaults).")
    elif result.better:
        msg = "Not saved (--dry-run): the fitted parameters are better on held-out reviews."
    else:
        msg = ("Not saved: the fitted parameters do not beat the defaults on held-out reviews on both "
               "measures; the parameters in use are unchanged.")
    out.print(Text(msg))
