"""The creaming tests on the caseload's decisions: C6 across and within tiers (the decisive
family, adjusted with Holm or BH), C7 (reported, not decisive) and C6 fitted inside each tier.

The statistics are in :mod:`matcher.audit.creaming`; this module picks the rows and the family.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from matcher.audit import creaming, inference
from matcher.audit.caseload import OVERALL, Caseload, opportunity_codes
from matcher.audit.creaming import TestResult
from matcher.audit.disclosure import Key
from matcher.audit.selection import candidates_hidden, tier_keys

__all__ = ["C7_DECIDES", "conditional_tests", "withhold"]

#: whether C7 counts toward the verdict. benchmarks/bench_audit.py (200 seeds) measured its
#: false-positive rate on fit-only selectors at 0.075-0.12 for a nominal 0.05 (C6: 0.04-0.06);
#: in the Holm family it lifts the verdict's rate to 0.06-0.085. Reported, not decisive.
C7_DECIDES = False


def conditional_tests(cl: Caseload) -> tuple[list[TestResult], list[TestResult]]:
    """``(family and C7, per tier)``; the decisive ones carry ``p_adjusted``."""
    if cl.rows.height == 0:
        return [], []
    settings = cl.settings
    y = cl.rows["selected"].to_numpy().astype(np.float64)
    fit = cl.rows["fit"].to_numpy().astype(np.float64)
    opp = opportunity_codes(cl.rows)
    z = cl.z_seeker[cl.row_seeker]
    seeker = cl.row_seeker
    tier = cl.tier_rank_seeker[seeker]
    alpha = settings.alpha
    within = cl.has_employability and cl.n_tiers >= 2
    mde_alpha = alpha / (2 if within else 1)
    family = [creaming.conditional_logit(y, z, fit, opp, seeker, scope="across tiers",
                                         alpha=alpha, mde_alpha=mde_alpha)]
    if within:
        family.append(creaming.conditional_logit(
            y, z, fit, opp, seeker, scope="within tiers", alpha=alpha, mde_alpha=mde_alpha,
            strata=tier))
    extra = []
    if within:
        for d, label in enumerate(cl.tiers, start=1):
            m = tier == d
            extra.append(creaming.conditional_logit(
                y[m], z[m], fit[m], opp[m], seeker[m], scope=f"tier {label}", alpha=alpha))
    easy = cl.easy_seeker[seeker]
    robust = [creaming.mantel_haenszel(y, easy, fit, opp, scope="across tiers", alpha=alpha)]
    if within:
        above = np.zeros(seeker.size, dtype=bool)
        for d in range(1, cl.n_tiers + 1):
            m = tier == d
            if m.any():
                above[m] = z[m] >= np.median(cl.z_seeker[cl.tier_rank_seeker == d])
        robust.append(creaming.mantel_haenszel(
            y, above, fit, opp * (cl.n_tiers + 1) + tier, scope="within tiers", alpha=alpha))
    decisive = family + (robust if C7_DECIDES else [])
    primary = [replace(r, decisive=True, correction=settings.correction) for r in decisive]
    primary = _adjusted(primary, settings.correction)
    primary += [r for r in robust if r not in decisive]
    return primary, _adjusted(extra, settings.correction)


def _adjusted(results: list[TestResult], correction: str) -> list[TestResult]:
    ok = [i for i, r in enumerate(results) if r.status == "ok" and r.p_value is not None]
    adj = inference.adjust([float(results[i].p_value) for i in ok],  # type: ignore[arg-type]
                           correction)  # type: ignore[arg-type]
    out = list(results)
    for i, p in zip(ok, adj, strict=True):
        out[i] = replace(out[i], p_adjusted=p)
    return out


def withhold(primary: list[TestResult], per_tier: list[TestResult], hidden: set[Key]
             ) -> tuple[list[TestResult], list[TestResult]]:
    """Decision counts of a family are withheld with the selected/not selected totals; a
    per-tier fit of a tier with withheld counts is withheld whole (status ``suppressed``)."""
    overall = tier_keys(OVERALL)
    if overall["selected"] in hidden or overall["not_selected"] in hidden:
        primary = [replace(r, n_selected=None) for r in primary]
    out = []
    for r in per_tier:
        label = r.scope.removeprefix("tier ")
        if candidates_hidden(label, hidden):
            r = creaming.TestResult(test=r.test, scope=r.scope, status="suppressed", n=None,
                                    n_selected=None, n_groups=None,
                                    note="withheld: the counts of this tier are suppressed")
        else:
            r = replace(r, n=None, n_selected=None)  # decisions per tier: not published
        out.append(r)
    return primary, out
