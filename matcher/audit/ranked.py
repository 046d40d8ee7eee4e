"""Ranked lists (C10 exposure, C11 FA*IR) on the caseload's decisions that carry a ``rank``.

The statistics are in :mod:`matcher.audit.ranking`. Per tier only means are published (no count
of places); per list its length and the first short prefix.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import polars as pl

from matcher.audit import ranking
from matcher.audit.caseload import Caseload, opportunity_codes
from matcher.audit.disclosure import Key
from matcher.audit.records import ExposureRow, ListCheck, Ranked
from matcher.audit.selection import candidates_hidden

__all__ = ["ranked", "withhold"]


def ranked(cl: Caseload) -> Ranked | None:
    rows = cl.rows.filter(pl.col("rank").is_not_null())
    if rows.height == 0 or not cl.tiers:
        return None
    rank_seeker = np.array([cl.index[s] for s in rows["seeker_id"].to_list()])
    tier_of = cl.tier_rank_seeker[rank_seeker]
    labels = np.array(["" if t == 0 else cl.tiers[t - 1] for t in tier_of])
    by = ranking.exposure_by_group(rows["rank"].to_numpy(), labels, rows["fit"].to_numpy())
    exposure = []
    for t in cl.tiers:
        if t not in by:
            continue
        row = ExposureRow(tier=t, exposure=by[t]["exposure"], mean_fit=by[t]["mean_fit"],
                          exposure_per_fit=by[t]["exposure_per_fit"])
        if by[t]["n"] < cl.settings.min_cell:
            row = ExposureRow(tier=t, exposure=None, mean_fit=None, exposure_per_fit=None,
                              suppressed=True)
        exposure.append(row)
    easiest, hardest = by.get(cl.tiers[0]), by.get(cl.tiers[-1])
    ratio = ratio_fit = None
    if easiest and hardest and exposure[0].exposure is not None \
            and exposure[-1].exposure is not None:
        ratio = hardest["exposure"] / easiest["exposure"]
        ratio_fit = hardest["exposure_per_fit"] / easiest["exposure_per_fit"]
    # C11: per ranked list, the harder tiers' share of the list is p
    hard = ~cl.easy_seeker[rank_seeker]
    keys = rows.select("role_id", "batch").to_numpy()
    order = rows["rank"].to_numpy()
    codes = opportunity_codes(rows)
    lists = []
    failing = 0
    for c in range(int(codes.max()) + 1):
        m = np.flatnonzero(codes == c)
        m = m[np.argsort(order[m], kind="stable")]
        first = ranking.fair_prefix_check(hard[m], float(hard[m].mean()), cl.settings.alpha)
        failing += first is not None
        lists.append(ListCheck(role_id=str(keys[m[0]][0]), batch=str(keys[m[0]][1]),
                               length=int(m.size), first_short_prefix=first))
    return Ranked(exposure=exposure, ratio=ratio, ratio_per_fit=ratio_fit, lists=len(lists),
                  failing=failing, alpha=cl.settings.alpha, by_list=lists)


def withhold(r: Ranked | None, hidden: set[Key]) -> Ranked | None:
    """A tier whose counts are withheld shows no exposure either."""
    if r is None:
        return None
    rows = []
    for row in r.exposure:
        if candidates_hidden(row.tier, hidden):
            row = ExposureRow(tier=row.tier, exposure=None, mean_fit=None, exposure_per_fit=None,
                              suppressed=True)
        rows.append(row)
    ok = rows and rows[0].exposure is not None and rows[-1].exposure is not None
    return replace(r, exposure=rows, ratio=r.ratio if ok else None,
                   ratio_per_fit=r.ratio_per_fit if ok else None)
