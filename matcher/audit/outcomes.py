"""What became of the selected (C12) and what an anti-creaming policy would cost (C13).

C12 counts people: a selected person had the outcome when any of their selected decisions had
it, did not when every known one did not. C13 re-solves the assignment with priority weights;
its counts are of a counterfactual selection, withheld when a share rests on fewer than
``min_cell`` people.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import polars as pl

from matcher.audit import metrics
from matcher.audit.caseload import Caseload, is_selected
from matcher.audit.disclosure import Key
from matcher.audit.records import OutcomeRow, OutcomeTest, PricePoint

__all__ = ["PRICE_MAX_PAIRS", "PRICE_WEIGHTS", "outcomes", "price", "withhold"]

#: C13: the priority weights tried (units of fit, as ``--priority-weight``), and the largest
#: pool of pairs re-solved (one exact solve per weight)
PRICE_WEIGHTS = (0.0, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
PRICE_MAX_PAIRS = 5_000_000


def outcomes(cl: Caseload) -> tuple[list[OutcomeRow], list[OutcomeTest]]:
    rows: list[OutcomeRow] = []
    tests: list[OutcomeTest] = []
    if not cl.tiers:
        return rows, tests
    for column in cl.outcome_columns():
        counts = []
        for tier in cl.tiers:
            where: dict[str, object] = {"tier": tier, "status": is_selected}
            n = cl.publish((f"C12:{column}", tier, "n"), where | {
                column: lambda o: o != "unknown"})
            k = cl.publish((f"C12:{column}", tier, "yes"), where | {column: "yes"})
            lo, hi = metrics.wilson_interval(k, n, cl.settings.alpha) if n else (None, None)
            rows.append(OutcomeRow(outcome=column, tier=tier, n=n, yes=k,
                                   rate=k / n if n else None, ci_low=lo, ci_high=hi))
            counts.append((k, n))
        (k_e, n_e), (k_h, n_h) = counts[0], counts[-1]
        if n_e and n_h and len(cl.tiers) >= 2:
            fisher = metrics.stats.fisher_exact(
                np.array([[k_e, n_e - k_e], [k_h, n_h - k_h]])).pvalue
            tests.append(OutcomeTest(outcome=column, comparison=f"{cl.tiers[0]} vs "
                                     f"{cl.tiers[-1]}", test="Fisher exact, two-sided",
                                     p_two_sided=float(fisher)))
    return rows, tests


def withhold(rows: list[OutcomeRow], tests: list[OutcomeTest], hidden: set[Key]
             ) -> tuple[list[OutcomeRow], list[OutcomeTest]]:
    out = []
    blocked = set()
    for r in rows:
        n_h = (f"C12:{r.outcome}", r.tier, "n") in hidden
        k_h = (f"C12:{r.outcome}", r.tier, "yes") in hidden
        if n_h or k_h:
            blocked.add((r.outcome, r.tier))
            r = replace(r, n=None if n_h else r.n, yes=None if k_h else r.yes, rate=None,
                        ci_low=None, ci_high=None, suppressed=True)
        out.append(r)
    kept = [t for t in tests if not any((t.outcome, tier) in blocked
                                        for tier in t.comparison.split(" vs "))]
    return out, kept


def price(cl: Caseload) -> list[PricePoint]:
    """C13 along :data:`PRICE_WEIGHTS` (one batch, each seeker selected at most once).

    The pool's pairs and fit, with as many places per role as were filled, solved by the one
    implementation the engine's ``policy-curve`` uses (:func:`matcher.audit.price.price_curve`)
    with the engine's priority (:func:`matcher.policy.priority`: tier, else 1 - employability).
    """
    from matcher.audit.price import price_curve
    from matcher.policy import priority

    rows = cl.rows.filter(pl.col("fit") > 0)
    if rows.height == 0 or len(set(rows["batch"].to_list())) > 1:
        return []
    per_seeker = rows.group_by("seeker_id").agg(pl.col("selected").sum())
    if int(per_seeker["selected"].max() or 0) > 1:  # type: ignore[arg-type]
        return []
    slots_frame = rows.group_by("role_id").agg(pl.col("selected").sum().alias("slots"))
    slots_frame = slots_frame.filter(pl.col("slots") > 0).sort("role_id")
    if slots_frame.height == 0:
        return []
    role_index = {r: j for j, r in enumerate(slots_frame["role_id"].to_list())}
    rows = rows.filter(pl.col("role_id").is_in(list(role_index)))
    if rows.height > PRICE_MAX_PAIRS:
        return []
    i = np.array([cl.index[s] for s in rows["seeker_id"].to_list()], dtype=np.int64)
    j = np.array([role_index[r] for r in rows["role_id"].to_list()], dtype=np.int64)
    fit = rows["fit"].to_numpy().astype(np.float64)
    slots = slots_frame["slots"].to_numpy().astype(np.int64)
    n = len(cl.index)
    import scipy.sparse as sp

    # everyone's priority, so that the tiers are spaced as the engine spaces them; then the pool
    distance = priority(cl.everyone)[cl.everyone["eligible"].to_numpy()]
    z = cl.z_seeker
    hard_mask = ~cl.easy_seeker
    fit_matrix = sp.csr_array((fit, (i, j)), shape=(n, slots.size))
    out = []
    curve = price_curve(fit_matrix, slots, distance, PRICE_WEIGHTS)
    base_total = curve[0].total_fit if curve else None
    for point in curve:
        placed = np.flatnonzero(point.role_of_seeker >= 0)
        total = point.total_fit
        harder = int(hard_mask[placed].sum())
        small = 0 < harder < cl.settings.min_cell or 0 < placed.size - harder < cl.settings.min_cell
        out.append(PricePoint(
            weight=point.weight, total_fit=total,
            price_of_fairness=(base_total - total) / base_total if base_total else None,
            selected=int(placed.size),
            harder_share_selected=harder / placed.size if placed.size and not small else None,
            mean_z_employability_selected=float(z[placed].mean()) if placed.size else None))
    return out
