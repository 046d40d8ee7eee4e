"""Parking (C9): per tier, the share of the caseload never selected in the batches looked at,
everyone included (people with no eligible opportunity are never selected), and the test of the
hardest tier against the rest at the same mean fit where there are at least two batches.

With one batch nothing is *left behind run after run*: parking is then not assessed, and no test
is shown (the rates are still reported, as a description).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import polars as pl

from matcher.audit import creaming, metrics
from matcher.audit.caseload import OVERALL, Caseload, is_eligible, never_in_window
from matcher.audit.disclosure import Key
from matcher.audit.records import NoEligibleReason, Parking, ParkingRow
from matcher.audit.selection import tier_keys

__all__ = ["parking", "withhold"]


def _row(cl: Caseload, tier: str) -> ParkingRow:
    where: dict[str, object] = {} if tier == OVERALL else {"tier": tier}
    keys = tier_keys(tier)
    n = cl.publish(keys["caseload"], where)
    none = cl.publish(keys["no_eligible"], where | {"status": lambda s: not is_eligible(s)})
    if cl.windowed:
        never = cl.publish(("C9", tier, "never_selected"), where | {"status": never_in_window})
    else:  # no eligible + not selected: computed from C1's counts, not a count of its own
        never = cl.ledger.value(keys["no_eligible"]) + cl.ledger.value(keys["not_selected"])
    lo, hi = metrics.wilson_interval(never, n, cl.settings.alpha) if n else (None, None)
    return ParkingRow(tier=tier, n=n, no_eligible=none, never_selected=never,
                      parking_rate=never / n if n else None, ci_low=lo, ci_high=hi)


def parking(cl: Caseload) -> Parking:
    rows = [_row(cl, t) for t in cl.tiers] + [_row(cl, OVERALL)]
    if cl.windowed and cl.tiers and all(t is not None for t in cl.everyone["tier"].to_list()):
        cl.ledger.relate(("C9", OVERALL, "never_selected"),
                         [("C9", t, "never_selected") for t in cl.tiers])
    reasons = []
    statuses = sorted({s for s in cl.everyone_status if not is_eligible(s)})
    for status in statuses:
        reason = status.removeprefix("none: ")
        if len(statuses) == 1:  # the overall count of people with no eligible opportunity
            n = cl.ledger.value(tier_keys(OVERALL)["no_eligible"])
        else:
            n = cl.publish(("C9", f"reason: {reason}", "no_eligible"), {"status": status})
        reasons.append(NoEligibleReason(reason=reason, n=n))
    base = Parking(status="not_assessed", batches=len(cl.window),
                   batch_labels=list(cl.window), by_tier=rows, no_eligible_reasons=reasons)
    if len(cl.window) < 2:
        return replace(base, note="it needs decisions over at least two batches: with one "
                       "batch nobody can have been passed over run after run")
    if cl.n_tiers < 2:
        return replace(base, note="it needs two or more tiers")
    # The test compares people who had an opportunity in the window, at the same mean fit.
    rows_w = cl.rows.filter(pl.col("batch").is_in(cl.window))
    per = rows_w.group_by("seeker_id").agg(pl.col("selected").max(),
                                           pl.col("fit").mean().alias("mean_fit"))
    per = cl.seekers.select("seeker_id").with_row_index("i").join(
        per, on="seeker_id", how="inner").sort("i")
    present = per["i"].to_numpy().astype(np.int64)
    never = 1 - per["selected"].to_numpy().astype(np.float64)
    test = creaming.parking_logit(never, cl.hardest_seeker[present].astype(np.float64),
                                  per["mean_fit"].to_numpy(), alpha=cl.settings.alpha)
    # Its counts are people with an opportunity: the same as C1's n when the window is all.
    test = replace(test, n=int(cl.selected.size) if not cl.windowed else None,
                   n_selected=None)
    if test.status != "ok":
        return replace(base, note=f"the test could not run: {test.note}", test=None)
    return replace(base, status="assessed", test=test)


def withhold(p: Parking, hidden: set[Key], published: set[Key]) -> Parking:
    """Blank withheld counts; ``published`` holds every key of the ledger."""
    p_keys = published
    rows = []
    for r in p.by_tier:
        keys = tier_keys(r.tier)
        n = None if keys["caseload"] in hidden else r.n
        none = None if keys["no_eligible"] in hidden else r.no_eligible
        if ("C9", r.tier, "never_selected") in p_keys:
            never = None if ("C9", r.tier, "never_selected") in hidden else r.never_selected
        else:
            never = None if keys["no_eligible"] in hidden or keys["not_selected"] in hidden \
                else r.never_selected
        out = replace(r, n=n, no_eligible=none, never_selected=never,
                      suppressed=None in (n, none, never))
        if n is None or never is None:
            out = replace(out, parking_rate=None, ci_low=None, ci_high=None)
        rows.append(out)
    single = len(p.no_eligible_reasons) == 1
    reasons = [replace(r, n=None if ("C9", f"reason: {r.reason}", "no_eligible") in hidden
                       or (single and tier_keys(OVERALL)["no_eligible"] in hidden) else r.n)
               for r in p.no_eligible_reasons]
    test = p.test
    if test is not None and tier_keys(OVERALL)["n"] in hidden:
        test = replace(test, n=None)
    return replace(p, by_tier=rows, no_eligible_reasons=reasons, test=test)
