"""Selection by tier and by group (C1-C4) and balance (C5, C8), with the tier-stratified
bootstrap.

Each function registers the counts it publishes in the caseload's ledger and returns typed
records with every count; :func:`withhold` then blanks what suppression withholds and every
figure computed from it.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from matcher.audit import inference, metrics
from matcher.audit.caseload import ELIGIBLE, OVERALL, Caseload, is_eligible, is_selected
from matcher.audit.disclosure import Key
from matcher.audit.records import BalanceRow, CreamingRatio, GroupRow, SelectionRow

__all__ = ["Selection", "balance", "bootstrap", "candidates_hidden", "groups", "selection",
           "tier_keys", "withhold"]

#: exact tests (Boschloo) run on 2x2 tables up to this many people
EXACT_LIMIT = 400
COUNTS = ("caseload", "no_eligible", "n", "selected", "not_selected")
#: weights of the counts in the choice of complements (see disclosure.Ledger.weights)
RATE_INPUT, RATE_SIZE = 3.0, 2.0


def tier_keys(tier: str) -> dict[str, Key]:
    return {c: ("C1", tier, c) for c in COUNTS}


def _publish_tier(cl: Caseload, tier: str) -> dict[str, int]:
    where: dict[str, object] = {} if tier == OVERALL else {"tier": tier}
    keys = tier_keys(tier)
    # The inputs of the rates (n, selected) are the dearest to lose, then the tier sizes
    # (the parking rates' n); the breakdown by eligibility goes first.
    return {
        "caseload": cl.publish(keys["caseload"], where, RATE_SIZE),
        "no_eligible": cl.publish(keys["no_eligible"], where | {
            "status": lambda s: not is_eligible(s)}),
        "n": cl.publish(keys["n"], where | {"status": is_eligible}, RATE_INPUT),
        "selected": cl.publish(keys["selected"], where | {"status": is_selected}, RATE_INPUT),
        "not_selected": cl.publish(keys["not_selected"], where | {"status": ELIGIBLE},
                                   RATE_INPUT),
    }


def bootstrap(cl: Caseload) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Bootstrap intervals: representation ratio per tier, then C3 gap, C2 ratio, C5 SMD."""
    t = cl.n_tiers
    if cl.settings.bootstrap == 0 or cl.selected.size == 0:
        return np.full(t + 3, np.nan), np.full(t + 3, np.nan)
    ranks, sel, z = cl.tier_rank_seeker, cl.selected, cl.z_seeker

    def stat(idx: NDArray[np.int64]) -> NDArray[np.float64]:
        s, r, zz = sel[idx], ranks[idx], z[idx]
        overall = s.mean()
        rates = np.array([s[r == d].mean() if np.any(r == d) else np.nan
                          for d in range(1, t + 1)])
        with np.errstate(all="ignore"):
            rr = rates / overall
            gap = rates[0] - rates[-1] if t else np.nan
            ratio = rates[-1] / rates[0] if t else np.nan
        return np.concatenate([rr, [gap, ratio, _smd_of(zz, s)]])

    return inference.stratified_bootstrap(ranks, stat, n_boot=cl.settings.bootstrap,
                                          seed=cl.settings.seed, alpha=cl.settings.alpha)


class Selection:
    """C1 overall and per tier, C2/C3, the bootstrap bounds."""

    def __init__(self, overall: SelectionRow, by_tier: list[SelectionRow],
                 ratio: CreamingRatio | None) -> None:
        self.overall, self.by_tier, self.ratio = overall, by_tier, ratio


def _row(cl: Caseload, label: str, counts: dict[str, int]) -> SelectionRow:
    k, n = counts["selected"], counts["n"]
    lo, hi = metrics.wilson_interval(k, n, cl.settings.alpha) if n else (None, None)
    return SelectionRow(tier=label, caseload=counts["caseload"],
                        no_eligible=counts["no_eligible"], n=n, selected=k,
                        not_selected=counts["not_selected"], rate=k / n if n else None,
                        ci_low=lo, ci_high=hi)


def _relate_rows(cl: Caseload, labels: list[str]) -> None:
    """Rows (caseload = no eligible + n, n = selected + not selected) and columns (overall =
    sum over the tiers) of C1's table."""
    for label in labels:
        k = tier_keys(label)
        cl.ledger.relate(k["caseload"], [k["no_eligible"], k["n"]])
        cl.ledger.relate(k["n"], [k["selected"], k["not_selected"]])
    if cl.tiers and all(t is not None for t in cl.everyone["tier"].to_list()):
        for c in COUNTS:
            cl.ledger.relate(tier_keys(OVERALL)[c], [tier_keys(t)[c] for t in cl.tiers])


def selection(cl: Caseload, boot: tuple[NDArray[np.float64], NDArray[np.float64]]
              ) -> Selection:
    overall = _row(cl, OVERALL, _publish_tier(cl, OVERALL))
    rows = []
    for label in cl.tiers:
        _publish_tier(cl, label)
    _relate_rows(cl, [OVERALL, *cl.tiers])
    for r, label in enumerate(cl.tiers):
        row = _row(cl, label, _publish_tier(cl, label))
        rr = (row.rate / overall.rate if row.rate is not None and overall.rate else None)
        rows.append(replace(row, representation_ratio=rr, rr_ci_low=boot[0][r],
                            rr_ci_high=boot[1][r]))
    ratio = _ratio_gap(cl, rows, boot) if len(rows) >= 2 else None
    return Selection(overall, rows, ratio)


def _ratio_gap(cl: Caseload, rows: list[SelectionRow],
               boot: tuple[NDArray[np.float64], NDArray[np.float64]]) -> CreamingRatio:
    alpha, t = cl.settings.alpha, cl.n_tiers
    e, h = rows[0], rows[-1]
    k_e, n_e, k_h, n_h = e.selected or 0, e.n or 0, h.selected or 0, h.n or 0
    base = CreamingRatio(easiest=e.tier, hardest=h.tier, status="ok")
    if not (n_e and n_h):
        return replace(base, note="a tier has no one with an eligible opportunity")
    ratio, lo, hi = metrics.katz_ratio_interval(k_h, n_h, k_e, n_e, alpha)
    z, p = metrics.two_proportion_z(k_e, n_e, k_h, n_h)
    exact = (metrics.exact_tests(k_e, n_e, k_h, n_h, barnard=False)
             if n_e + n_h <= EXACT_LIMIT else None)
    fisher = float(metrics.stats.fisher_exact(
        np.array([[k_e, n_e - k_e], [k_h, n_h - k_h]])).pvalue)
    return replace(
        base, C2_creaming_ratio=ratio, C2_ci_low=lo, C2_ci_high=hi,
        C2_bootstrap_ci_low=boot[0][t + 1], C2_bootstrap_ci_high=boot[1][t + 1],
        C3_creaming_gap_pp=100 * (k_e / n_e - k_h / n_h),
        C3_bootstrap_ci_low_pp=100 * boot[0][t], C3_bootstrap_ci_high_pp=100 * boot[1][t],
        z=z, p_z=p, p_fisher=fisher, p_boschloo=exact.boschloo if exact else None,
        four_fifths_flag=bool(ratio < metrics.FOUR_FIFTHS) if math.isfinite(ratio) else None)


def groups(cl: Caseload) -> list[GroupRow]:
    """C1 per value of each ``group`` column."""
    rows = []
    for g in cl.settings.group:
        values = sorted(set(cl.everyone[f"group:{g}"].to_list()))
        for v in values:
            where: dict[str, object] = {f"group:{g}": v}
            n = cl.publish((f"C1:{g}", v, "n"), where | {"status": is_eligible})
            k = cl.publish((f"C1:{g}", v, "selected"), where | {"status": is_selected})
            lo, hi = metrics.wilson_interval(k, n, cl.settings.alpha) if n else (None, None)
            rows.append(GroupRow(group=g, value=v, n=n, selected=k, rate=k / n if n else None,
                                 ci_low=lo, ci_high=hi))
        for c in ("n", "selected"):
            cl.ledger.relate(tier_keys(OVERALL)[c], [(f"C1:{g}", v, c) for v in values])
    return rows


def balance(cl: Caseload, boot_smd: tuple[float, float]) -> list[BalanceRow]:
    """C5 (all seekers) and C8 (inside each tier): SMD of employability, selected minus not."""
    sel = cl.selected.astype(bool)
    rows = []
    scopes: list[tuple[str, str, NDArray[np.bool_]]] = [
        ("all", OVERALL, np.ones(sel.size, dtype=bool))]
    if cl.has_employability:
        scopes += [(f"tier {t}", t, cl.tier_rank_seeker == i + 1)
                   for i, t in enumerate(cl.tiers)]
    variables: list[tuple[str, NDArray[np.float64]]] = [
        ("employability" if cl.has_employability else "closeness to work (tier)", cl.z_seeker)]
    months = cl.seekers["months_unemployed"]
    if months.null_count() == 0 and months.len():
        variables.append(("months_unemployed", months.to_numpy().astype(np.float64)))
    for scope, _, mask in scopes:
        for name, x in variables:
            a, b = x[mask & sel], x[mask & ~sel]
            metric: Literal["C5", "C8"] = "C5" if scope == "all" else "C8"
            if min(a.size, b.size) < max(2, cl.settings.min_cell):
                rows.append(BalanceRow(metric=metric, scope=scope, variable=name,
                                       status="too_small", n_selected=int(a.size),
                                       n_not_selected=int(b.size),
                                       note="fewer than min_cell people on one side"))
                continue
            r = metrics.smd(float(a.mean()), float(a.std(ddof=1)), a.size,
                            float(b.mean()), float(b.std(ddof=1)), b.size)
            boot = boot_smd if scope == "all" and name != "months_unemployed" else (None, None)
            rows.append(BalanceRow(metric=metric, scope=scope, variable=name, status="ok",
                                   n_selected=int(a.size), n_not_selected=int(b.size),
                                   smd=r.smd, se=r.se, hedges=r.hedges,
                                   imbalanced=bool(abs(r.smd) > metrics.SMD_THRESHOLD),
                                   bootstrap_ci_low=boot[0], bootstrap_ci_high=boot[1]))
    if cl.n_tiers >= 2 and sel.size:
        hard = cl.hardest_seeker
        p1 = float(hard[sel].mean()) if sel.any() else math.nan
        p0 = float(hard[~sel].mean()) if (~sel).any() else math.nan
        rows.append(BalanceRow(metric="C5", scope="all", variable="in hardest tier (binary)",
                               status="ok", n_selected=int(sel.sum()),
                               n_not_selected=int((~sel).sum()),
                               smd=metrics.binary_smd(p1, p0)))
    return rows


def _hidden_tier(tier: str, hidden: set[Key]) -> bool:
    return any(k in hidden for k in tier_keys(tier).values())


def candidates_hidden(tier: str, hidden: set[Key]) -> bool:
    """Whether a count of the tier's candidates (n, selected, not selected) is withheld: what
    every comparison of candidates inside the tier is computed from."""
    keys = tier_keys(tier)
    return any(keys[c] in hidden for c in ("n", "selected", "not_selected"))


def withhold(sel: Selection, group_rows: list[GroupRow], balance_rows: list[BalanceRow],
             hidden: set[Key]) -> tuple[Selection, list[GroupRow], list[BalanceRow]]:
    """Blank the withheld counts and every figure computed from one."""

    def blank(row: SelectionRow) -> SelectionRow:
        keys = tier_keys(row.tier)
        counts: dict[str, Any] = {c: (None if keys[c] in hidden else getattr(row, c))
                                  for c in COUNTS}
        out = replace(row, suppressed=_hidden_tier(row.tier, hidden), **counts)
        if counts["n"] is None or counts["selected"] is None:
            out = replace(out, rate=None, ci_low=None, ci_high=None)
        return out

    overall = blank(sel.overall)
    rows = []
    for row in sel.by_tier:
        out = blank(row)
        if out.rate is None or overall.rate is None:
            out = replace(out, representation_ratio=None, rr_ci_low=None, rr_ci_high=None)
        rows.append(out)
    ratio = sel.ratio
    if ratio is not None and (candidates_hidden(ratio.easiest, hidden)
                              or candidates_hidden(ratio.hardest, hidden)):
        ratio = CreamingRatio(easiest=ratio.easiest, hardest=ratio.hardest, status="suppressed",
                              note="withheld: the easiest or the hardest tier has suppressed "
                              "counts")
    group_out = []
    for g in group_rows:
        n_h = (f"C1:{g.group}", g.value, "n") in hidden
        k_h = (f"C1:{g.group}", g.value, "selected") in hidden
        g_out = replace(g, n=None if n_h else g.n, selected=None if k_h else g.selected,
                        suppressed=n_h or k_h)
        if n_h or k_h:
            g_out = replace(g_out, rate=None, ci_low=None, ci_high=None)
        group_out.append(g_out)
    balance_out = []
    for b in balance_rows:
        tiers = [OVERALL] if b.scope == "all" else [b.scope.removeprefix("tier ")]
        if b.variable == "in hardest tier (binary)":
            tiers = [OVERALL, sel.by_tier[-1].tier]
        keys = [k for t in tiers for k in (("C1", t, "selected"), ("C1", t, "not_selected"))]
        if any(k in hidden for k in keys):
            b = BalanceRow(metric=b.metric, scope=b.scope, variable=b.variable,
                           status="suppressed", note="withheld: the counts of this group "
                           "are suppressed")
        balance_out.append(b)
    return Selection(overall, rows, ratio), group_out, balance_out


def _smd_of(x: NDArray[np.float64], sel: NDArray[np.float64]) -> float:
    a, b = x[sel == 1], x[sel == 0]
    if a.size < 2 or b.size < 2:
        return math.nan
    pooled = math.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2)
    return float((a.mean() - b.mean()) / pooled) if pooled > 0 else math.nan
