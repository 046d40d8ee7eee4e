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
- *Parking detected* when parking is assessed (at least two batches, the test ran) and the C9
  test (hardest tier never selected more often than others of the same mean fit) is
  significant. Not assessed means no test is shown, in the reasons or anywhere else.
- The people with no eligible opportunity are always counted and named per tier (or said to
  be withheld).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from matcher.audit.creaming import TestResult
from matcher.audit.records import Verdict

if TYPE_CHECKING:
    from matcher.audit.result import Families

__all__ = ["verdict"]


def _fmt(x: float | None, digits: int = 2) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def _p(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"{x:.2g}" if x >= 0.001 else "< 0.001"


def _describe(d: TestResult) -> str:
    per = ("per SD of employability" if d.test == "C6" else
           "for the easier to place" if d.test == "C7" else "for the hardest tier")
    return (f"{d.test} {d.scope}: odds ratio {_fmt(d.odds_ratio)} {per} "
            f"(CI {_fmt(d.ci_low)}-{_fmt(d.ci_high)}), one-sided p "
            f"{_p(d.p_value)}, adjusted p {_p(d.p_adjusted)}")


def verdict(f: Families, alpha: float, score_source: str, min_cell: int) -> Verdict:
    """Turn the typed results into a :class:`Verdict`."""
    decisive = [d for d in f.tests if d.decisive]
    ok = [d for d in decisive if d.status == "ok"]
    hits = [d for d in ok if d.p_adjusted is not None and d.p_adjusted < alpha
            and d.odds_ratio is not None and d.odds_ratio > 1]
    hits.sort(key=lambda d: (d.p_adjusted or 0.0, d.scope))
    driven_by = f"{hits[0].test} {hits[0].scope}" if hits else None
    reasons = _creaming(decisive, hits, alpha)
    reasons += _positive_action(ok, alpha)
    reasons += _secondary(f, alpha)
    c23 = f.ratio
    if c23 is not None and c23.four_fifths_flag:
        reasons.append(
            f"Descriptive flag: the selection rate of {c23.hardest} is "
            f"{_fmt(c23.C2_creaming_ratio)} times that of {c23.easiest} (under four fifths)."
            " It ignores fit and sample size and is not a test of creaming.")
    if score_source != "employability":
        reasons.append(f"Employability index: {score_source}; within-tier tests need "
                       "an employability column.")
    reasons += _no_eligible(f, min_cell)
    parked, said = _parking(f, alpha)
    reasons.append(said)
    return Verdict(creaming_detected=bool(hits), parking_detected=parked,
                   parking_assessed=f.parking.status == "assessed", driven_by=driven_by,
                   reasons=reasons)


def _creaming(decisive: list[TestResult], hits: list[TestResult], alpha: float) -> list[str]:
    """The decisive tests: creaming driven by the strongest hit, or none found, with what
    this pool could have detected."""
    if hits:
        return [
            f"Creaming detected, driven by {hits[0].test} {hits[0].scope}: selection favours "
            f"employability beyond fit. {_describe(hits[0])} < alpha {alpha}.",
            *(f"Also significant: {_describe(d)}." for d in hits[1:]),
        ]
    reasons = ["No creaming detected by the conditional test (C6, fit and opportunity "
               "held constant)."]
    for d in decisive:
        if d.status == "ok":
            reasons.append(
                f"{_describe(d)}. With this pool the smallest effect detectable with 80 % "
                f"power is an odds ratio of {_fmt(d.mde_or)} per SD (one-sided alpha "
                f"{_fmt(d.mde_alpha, 4)}): creaming weaker than that may go unseen.")
        elif d.mde_or is not None:
            reasons.append(
                f"{d.test} {d.scope}: {d.status}: {d.note}. With this pool the "
                f"smallest effect detectable with 80 % power is about an odds ratio of "
                f"{_fmt(d.mde_or)} per SD (one-sided alpha {_fmt(d.mde_alpha, 4)}): "
                "creaming weaker than that may go unseen.")
        else:
            reasons.append(f"{d.test} {d.scope}: {d.status}: {d.note}. No power "
                           "statement is possible for it.")
    return reasons


def _positive_action(ok: list[TestResult], alpha: float) -> list[str]:
    """Decisive tests that favour the harder to place (two-sided, Bonferroni over them)."""
    return [
        f"{d.test} {d.scope} favours the harder to place (odds ratio "
        f"{_fmt(d.odds_ratio)}): positive action, which is not creaming."
        for d in ok
        if d.odds_ratio is not None and d.odds_ratio < 1 and d.p_two_sided is not None
        and min(1.0, d.p_two_sided * len(ok)) < alpha
    ]


def _secondary(f: Families, alpha: float) -> list[str]:
    """The robustness check and the per-tier tests: reported, never decisive."""
    reasons = []
    for d in f.tests:
        if not d.decisive:
            status = _describe(d) if d.status == "ok" else f"{d.status}: {d.note}"
            reasons.append(f"Robustness check, not decisive (coarse fit strata leave residual "
                           f"confounding): Mantel-Haenszel {status}.")
    for d in f.tests_by_tier:
        if d.status == "ok" and d.p_adjusted is not None and d.p_adjusted < alpha \
                and d.odds_ratio is not None and d.odds_ratio > 1:
            reasons.append(f"Inside {d.scope}: {_describe(d)} (reported per tier, not "
                           "decisive).")
    return reasons


def _parking(f: Families, alpha: float) -> tuple[bool, str]:
    """Parking across batches (C9): detected or not, and the sentence that says so."""
    park, test = f.parking, f.parking.test
    if park.status != "assessed" or test is None:
        return False, f"Parking not assessed: {park.note}."
    parked = bool(test.p_value is not None and test.p_value < alpha
                  and (test.odds_ratio is None or test.odds_ratio > 1))
    return parked, (
        f"{'Parking detected' if parked else 'No parking detected'} over "
        f"{park.batches} batches (C9): the hardest tier was never selected with odds "
        f"ratio {_fmt(test.odds_ratio)} relative to others of the same mean fit, one-sided "
        f"p {_p(test.p_value)}; detectable with 80 % power: {_fmt(test.mde_or)}.")


def _no_eligible(f: Families, min_cell: int) -> list[str]:
    total = f.parking.by_tier[-1] if f.parking.by_tier else None
    if total is None or total.no_eligible == 0:
        return []
    if total.no_eligible is None:
        return [f"Some people in the caseload had no eligible opportunity; their number is "
                f"withheld (fewer than {min_cell}, or it would reveal such a count)."]
    parts = [f"{r.tier} {r.no_eligible if r.no_eligible is not None else 'withheld'}"
             for r in f.parking.by_tier[:-1]]
    why = "; ".join(f"{r.reason}: {r.n if r.n is not None else 'withheld'}"
                    for r in f.parking.no_eligible_reasons)
    return [f"{total.no_eligible} of {total.n if total.n is not None else 'the'} people in the "
            f"caseload had no eligible opportunity ({', '.join(parts)}). They count as never "
            f"selected in the parking rates (C9); the comparisons of candidates (C1 rates, "
            f"C5-C8) are about the people with at least one. Why: {why}."]
