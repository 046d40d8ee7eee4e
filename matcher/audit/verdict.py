"""The verdict: which tests decide, in which direction, and what a clean result does not mean.

- *Creaming detected* when a decisive test (C6 across tiers, C6 within tiers) shows an odds ratio
  per SD of employability above 1 with the multiplicity-adjusted one-sided p-value under alpha.
  The reason names the test that drove it (the smallest adjusted p-value).
- An odds ratio below 1 that is significant (two-sided p adjusted the same way) is *positive
  action*: reported, never flagged.
- *No creaming detected* always states the smallest odds ratio per SD this pool would detect with
  80 % power, so that a small audit is not read as a clean bill of health.
- C7 (Mantel-Haenszel) and the per-tier C6 fits are reported beside it; the four-fifths rule is a
  descriptive flag only.
- *Parking detected* when the data span at least two batches and the C9 test (hardest tier never
  selected more often than others of the same mean fit) is significant.
"""

from __future__ import annotations

from typing import Any

__all__ = ["verdict"]


def _fmt(x: float | None, digits: int = 2) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def _p(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"{x:.2g}" if x >= 0.001 else "< 0.001"


def _describe(d: dict[str, Any]) -> str:
    per = ("per SD of employability" if d["test"] == "C6" else
           "for the easier to place" if d["test"] == "C7" else "for the hardest tier")
    return (f"{d['test']} {d['scope']}: odds ratio {_fmt(d['odds_ratio'])} {per} "
            f"(CI {_fmt(d['ci_low'])}-{_fmt(d['ci_high'])}), one-sided p "
            f"{_p(d['p_value'])}, adjusted p {_p(d.get('p_adjusted'))}")


def verdict(primary: list[dict[str, Any]], per_tier: list[dict[str, Any]],
            selection: dict[str, Any], parking: dict[str, Any], alpha: float,
            score_source: str) -> dict[str, Any]:
    """Turn the test results into ``{"creaming_detected", "parking_detected", "driven_by",
    "reasons"}``."""
    reasons: list[str] = []
    decisive = [d for d in primary if d["decisive"]]
    ok = [d for d in decisive if d["status"] == "ok"]
    hits = [d for d in ok if d["p_adjusted"] is not None and d["p_adjusted"] < alpha
            and d["odds_ratio"] > 1]
    hits.sort(key=lambda d: (d["p_adjusted"], d["scope"]))
    creaming = bool(hits)
    driven_by = f"{hits[0]['test']} {hits[0]['scope']}" if hits else None
    if creaming:
        reasons.append(
            f"Creaming detected, driven by {driven_by}: selection favours employability beyond "
            f"fit. {_describe(hits[0])} < alpha {alpha}.")
        reasons += [f"Also significant: {_describe(d)}." for d in hits[1:]]
    else:
        reasons.append("No creaming detected by the conditional test (C6, fit and opportunity "
                       "held constant).")
        for d in decisive:
            if d["status"] == "ok":
                reasons.append(
                    f"{_describe(d)}. With this pool the smallest effect detectable with 80 % "
                    f"power is an odds ratio of {_fmt(d['mde_or'])} per SD (one-sided alpha "
                    f"{_fmt(d['mde_alpha'], 4)}): creaming weaker than that may go unseen.")
            elif d.get("mde_or") is not None:
                reasons.append(
                    f"{d['test']} {d['scope']}: {d['status']}: {d['note']}. With this pool the "
                    f"smallest effect detectable with 80 % power is about an odds ratio of "
                    f"{_fmt(d['mde_or'])} per SD (one-sided alpha {_fmt(d['mde_alpha'], 4)}): "
                    "creaming weaker than that may go unseen.")
            else:
                reasons.append(f"{d['test']} {d['scope']}: {d['status']}: {d['note']}. No power "
                               "statement is possible for it.")
    for d in ok:
        two = d["p_two_sided"]
        if d["odds_ratio"] < 1 and two is not None and min(1.0, two * len(ok)) < alpha:
            reasons.append(
                f"{d['test']} {d['scope']} favours the harder to place (odds ratio "
                f"{_fmt(d['odds_ratio'])}): positive action, which is not creaming.")
    for d in primary:
        if not d["decisive"]:
            status = _describe(d) if d["status"] == "ok" else f"{d['status']}: {d['note']}"
            reasons.append(f"Robustness check, not decisive (coarse fit strata leave residual "
                           f"confounding): Mantel-Haenszel {status}.")
    tiers = [d for d in per_tier if d["status"] == "ok" and d["p_adjusted"] is not None
             and d["p_adjusted"] < alpha and d["odds_ratio"] > 1]
    for d in tiers:
        reasons.append(f"Inside {d['scope']}: {_describe(d)} (reported per tier, not decisive).")
    c23 = selection.get("C2_C3") or {}
    if c23.get("four_fifths_flag"):
        reasons.append(
            f"Descriptive flag: the selection rate of {c23['hardest']} is "
            f"{_fmt(c23['C2_creaming_ratio'])} times that of {c23['easiest']} (under four fifths)."
            " It ignores fit and sample size and is not a test of creaming.")
    if score_source != "employability":
        reasons.append(f"Employability index: {score_source}; within-tier tests need "
                       "an employability column.")
    test = parking.get("test")
    parked = False
    if parking["batches"] < 2:
        reasons.append("Parking not assessed: it needs decisions over at least two batches.")
    elif test and test["status"] == "ok":
        parked = bool(test["p_value"] < alpha
                      and (test["odds_ratio"] is None or test["odds_ratio"] > 1))
        reasons.append(
            f"{'Parking detected' if parked else 'No parking detected'} over "
            f"{parking['batches']} batches (C9): the hardest tier was never selected with odds "
            f"ratio {_fmt(test['odds_ratio'])} relative to others of the same mean fit, one-sided "
            f"p {_p(test['p_value'])}; detectable with 80 % power: {_fmt(test['mde_or'])}.")
    elif test:
        reasons.append(f"Parking not assessed: {test['note']}.")
    return {"creaming_detected": creaming, "parking_detected": parked, "driven_by": driven_by,
            "reasons": reasons}
