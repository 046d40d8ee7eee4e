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

__all__ = ["PRICE_MAX_CELLS", "PRICE_STRENGTHS", "outcomes", "price", "withhold"]

#: C13: the strengths of the priority weight tried, and the largest dense problem re-solved
PRICE_STRENGTHS = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0)
PRICE_MAX_CELLS = 4_000_000


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
    """C13 along :data:`PRICE_STRENGTHS` (one batch, each seeker selected at most once)."""
    from matcher.assign import solve_dense

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
    i = np.array([cl.index[s] for s in rows["seeker_id"].to_list()], dtype=np.int64)
    j = np.array([role_index[r] for r in rows["role_id"].to_list()], dtype=np.int64)
    fit = rows["fit"].to_numpy().astype(np.float64)
    slots = slots_frame["slots"].to_numpy().astype(np.int64)
    n = len(cl.index)
    if n * int(slots.sum()) > PRICE_MAX_CELLS:
        return []
    import scipy.sparse as sp

    z = cl.z_seeker
    hardness = (z.max() - z) / (z.max() - z.min()) if z.max() > z.min() else np.zeros_like(z)
    hard_mask = ~cl.easy_seeker
    base_total = None
    out = []
    fit_matrix = sp.csr_array((fit, (i, j)), shape=(n, slots.size))
    for lam in PRICE_STRENGTHS:
        weights = fit * (1 + lam * hardness[i])
        matrix = sp.csr_array((weights, (i, j)), shape=(n, slots.size))
        chosen = solve_dense(matrix, slots).role_of_seeker
        placed = np.flatnonzero(chosen >= 0)
        total = float(fit_matrix[placed, chosen[placed]].sum()) if placed.size else 0.0
        if base_total is None:
            base_total = total
        harder = int(hard_mask[placed].sum())
        small = 0 < harder < cl.settings.min_cell or 0 < placed.size - harder < cl.settings.min_cell
        out.append(PricePoint(
            strength=lam, total_fit=total,
            price_of_fairness=(base_total - total) / base_total if base_total else None,
            selected=int(placed.size),
            harder_share_selected=harder / placed.size if placed.size and not small else None,
            mean_z_employability_selected=float(z[placed].mean()) if placed.size else None))
    return out
