"""The conditional creaming tests: C6 (regression, the headline) and C7 (Mantel-Haenszel).

Creaming is selection on employability *beyond fit*. A selector that picks on fit alone picks
fewer of the harder to place whenever they fit the roles worse; that is not creaming. Both tests
therefore compare candidates of the same opportunity with the same fit.

C6, :func:`conditional_logit`
    A logistic regression of ``selected`` on standardized employability, with one intercept per
    opportunity (the fixed-effects form of the conditional logit grouped by opportunity) and fit
    entered flexibly: a restricted cubic spline of ``logit(fit)`` with knots at its 5, 27.5, 50,
    72.5 and 95 % quantiles, so that any smooth monotone or non-monotone use of fit is absorbed
    and leaves no residual confounding through a correlation of fit with employability. Standard
    errors are clustered by seeker (one seeker is in many pools and is selected at most once).
    Within tiers, the intercepts are per opportunity x tier: tier-level differences are absorbed
    and only selection on employability *inside* a tier remains. The odds ratio per SD of
    employability > 1 is creaming; < 1 is positive action, which is not creaming, so the test is
    one-sided.
C7, :func:`mantel_haenszel`
    The Mantel-Haenszel common odds ratio of selection on membership of the easier tiers, strata
    fit deciles x opportunity (:class:`statsmodels.stats.contingency_tables.StratifiedTable`).
    Coarse strata leave employability correlated with fit inside a stratum, so a fit-only
    selector can move it: it is a robustness check, and ``benchmarks/bench_audit.py`` measures
    its false-positive rate.

When the selection is a fit threshold in every opportunity (the selected fit better than
everyone left out), fit explains the selection completely and no model is fitted
(``status='fit_determined'``). Perfect separation otherwise is reported as
``status='separated'``: no estimate, no test, and no warning leaks out of statsmodels.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from scipy import stats

__all__ = ["STATUS_MEANING", "Status", "TestResult", "conditional_logit", "mantel_haenszel",
           "parking_logit", "spline_basis"]

#: what a test's status means, the same in the JSON, the HTML report and the frames
Status = Literal["ok", "fit_determined", "separated", "no_variation", "too_small", "suppressed"]

STATUS_MEANING: dict[str, str] = {
    "ok": "estimated and tested",
    "fit_determined": "fit explains the selection completely: no model, no test",
    "separated": "perfect separation: the odds ratio is not estimable, no test",
    "no_variation": "nothing to compare: no test",
    "too_small": "too few people or decisions: no test",
    "suppressed": "withheld: it concerns a group whose counts are suppressed",
}

#: power at which the smallest detectable effect is stated
POWER = 0.8
_KNOT_QUANTILES = (0.05, 0.275, 0.5, 0.725, 0.95)
_EPS = 1e-4


@dataclass(frozen=True)
class TestResult:
    """One creaming test: the odds ratio (> 1 = favours the easier to place), its interval, the
    test statistic and the one-sided p-value of creaming; ``mde_or`` is the smallest odds ratio
    this pool detects with 80 % power at ``mde_alpha``."""

    test: str
    scope: str
    status: Status
    n: int | None
    n_selected: int | None
    n_groups: int | None
    odds_ratio: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    statistic: float | None = None
    p_value: float | None = None
    p_two_sided: float | None = None
    mde_or: float | None = None
    mde_alpha: float | None = None
    note: str = ""
    #: in the decisive family of the verdict, and its multiplicity-adjusted one-sided p-value
    decisive: bool = False
    p_adjusted: float | None = None
    correction: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: _clean(v) for k, v in asdict(self).items()}


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, np.floating | np.integer):
        return _clean(value.item())
    return value


def spline_basis(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Harrell's restricted cubic spline of ``x`` (linear beyond the outer knots), no intercept.

    Knots at the 5, 27.5, 50, 72.5 and 95 % quantiles of the distinct values; fewer distinct
    values give fewer knots (a single column, ``x`` itself, when there are under 5).
    Columns are centred and orthonormalised so that the fit is well conditioned.
    """
    distinct = np.unique(x)
    if distinct.size < 2:
        return np.empty((x.size, 0))
    columns = [x]
    if distinct.size >= 5:
        knots = np.unique(np.quantile(x, _KNOT_QUANTILES))
        if knots.size >= 3:
            k_last, k_prev = knots[-1], knots[-2]
            scale = (k_last - knots[0]) ** 2
            for k in knots[:-2]:
                term = (
                    np.maximum(x - k, 0) ** 3
                    - np.maximum(x - k_prev, 0) ** 3 * (k_last - k) / (k_last - k_prev)
                    + np.maximum(x - k_last, 0) ** 3 * (k_prev - k) / (k_last - k_prev)
                )
                columns.append(term / scale)
    basis = np.column_stack(columns)
    basis = basis - basis.mean(axis=0)
    # Orthonormal columns (same span): the truncated cubes are nearly collinear otherwise.
    q, r = np.linalg.qr(basis)
    keep = np.abs(np.diag(r)) > 1e-9 * max(1.0, float(np.abs(np.diag(r)).max()))
    return np.asarray(q[:, keep] * math.sqrt(x.size))


def _informative(y: NDArray[np.float64], groups: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Rows of groups where some but not all were selected (the others carry no information)."""
    n_groups = int(groups.max()) + 1 if groups.size else 0
    total = np.bincount(groups, minlength=n_groups)
    chosen = np.bincount(groups, weights=y, minlength=n_groups)
    ok = (chosen > 0) & (chosen < total)
    return np.asarray(ok[groups], dtype=bool)


def _fit_threshold(y: NDArray[np.float64], fit: NDArray[np.float64],
                   groups: NDArray[np.int64]) -> bool:
    """True when in every group each selected candidate fits strictly better than each other."""
    n_groups = int(groups.max()) + 1
    low_sel = np.full(n_groups, np.inf)
    high_not = np.full(n_groups, -np.inf)
    np.minimum.at(low_sel, groups[y == 1], fit[y == 1])
    np.maximum.at(high_not, groups[y == 0], fit[y == 0])
    present = np.isfinite(low_sel) & np.isfinite(high_not)
    return bool(np.all(low_sel[present] > high_not[present]))


def _dense_codes(values: NDArray[Any]) -> NDArray[np.int64]:
    _, codes = np.unique(values, return_inverse=True)
    return codes.astype(np.int64)


def _design_mde(y: NDArray[np.float64], zc: NDArray[np.float64], alpha: float) -> float | None:
    """Smallest odds ratio per SD detectable with :data:`POWER` by the design alone.

    Hsieh, Bloch & Larsen (1998): for a logistic regression on a covariate with variance
    ``v`` left after the other terms, ``n p (1 - p) v beta**2 = (z_alpha + z_power)**2``. Used
    where the model itself cannot be fitted, so that a "no creaming" still says what it could
    have seen.
    """
    p = float(y.mean()) if y.size else 0.0
    v = float(np.var(zc)) if zc.size else 0.0
    if y.size == 0 or p in (0.0, 1.0) or v <= 0:
        return None
    beta = (float(stats.norm.ppf(1 - alpha)) + float(stats.norm.ppf(POWER))) / math.sqrt(
        y.size * p * (1 - p) * v)
    return math.exp(beta)


def conditional_logit(
    y: NDArray[np.float64],
    z: NDArray[np.float64],
    fit: NDArray[np.float64],
    groups: NDArray[np.int64],
    clusters: NDArray[np.int64],
    *,
    scope: str,
    alpha: float = 0.05,
    mde_alpha: float | None = None,
    min_rows: int = 20,
    strata: NDArray[np.int64] | None = None,
) -> TestResult:
    """C6: the odds ratio of selection per SD of employability, fit and opportunity held fixed.

    Parameters
    ----------
    y : 0/1 selected; z : standardized employability of the row's seeker; fit : in [0, 1];
    groups : opportunity codes; clusters : seeker codes.
    strata : tier codes for the within-tier test: one indicator per tier enters the model
        beside the opportunity intercepts, so the coefficient of employability is its effect
        inside a tier. (Intercepts per opportunity x tier would do the same but leave groups of
        a handful of candidates, where the fixed-effects logit is biased and separates.)
    scope : a label for the result (``'across tiers'``, ``'within tiers'``, ``'tier T2'``).
    alpha : for the interval (two-sided 1 - alpha).
    mde_alpha : one-sided level at which the smallest detectable effect is stated.

    Returns
    -------
    TestResult
        ``p_value`` is one-sided (creaming: OR > 1).
    """
    mde_alpha = alpha if mde_alpha is None else mde_alpha
    n_all = int(y.size)
    keep = _informative(y, groups) if y.size else np.zeros(0, dtype=bool)
    y, z, fit = y[keep], z[keep], fit[keep]
    g = _dense_codes(groups[keep])
    tiers = _dense_codes(strata[keep]) if strata is not None else None
    c = clusters[keep]
    base: dict[str, Any] = {"test": "C6", "scope": scope, "n": n_all, "n_selected": int(y.sum()),
            "n_groups": int(g.max()) + 1 if g.size else 0}
    if y.size < min_rows:
        return TestResult(status="too_small", note=(
            f"{y.size} rows in opportunities with both selected and not selected candidates; "
            f"at least {min_rows} are needed"), **base)
    cell = g if tiers is None else _dense_codes(g * (int(tiers.max()) + 1) + tiers)
    zc = z - np.bincount(cell, weights=z)[cell] / np.bincount(cell)[cell]
    if _fit_threshold(y, fit, g):
        return TestResult(status="fit_determined", note=(
            "in every opportunity the selected fit better than all who were not: fit explains "
            "the selection completely, so there is no selection on employability beyond fit; "
            "the detectable effect is the design's (Hsieh approximation)"),
            mde_or=_design_mde(y, zc, mde_alpha), mde_alpha=mde_alpha, **base)
    if np.allclose(zc, 0):
        return TestResult(status="no_variation", note=(
            "employability does not vary inside the opportunities (tier only, within tiers?)"),
            **base)
    f = np.clip(fit, _EPS, 1 - _EPS)
    basis = spline_basis(np.log(f / (1 - f)))
    dummies = np.zeros((y.size, int(g.max()) + 1))
    dummies[np.arange(y.size), g] = 1.0
    columns = [z[:, None], basis, dummies]
    if tiers is not None and tiers.max() > 0:
        tier_dummies = np.zeros((y.size, int(tiers.max())))
        rows = np.flatnonzero(tiers > 0)
        tier_dummies[rows, tiers[rows] - 1] = 1.0
        columns.append(tier_dummies)
    exog = np.column_stack(columns)
    from statsmodels.discrete.discrete_model import Logit
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        try:
            # Logit, not GLM: GLM's sandwich collapses to ~0 on designs like this one.
            result = Logit(y, exog, hasconst=True).fit(
                cov_type="cluster", cov_kwds={"groups": c}, maxiter=35, disp=0)
            beta = float(result.params[0])
            se = float(result.bse[0])
        except (np.linalg.LinAlgError, ValueError, FloatingPointError):
            beta, se = math.nan, math.nan
    # Quasi-separation in some opportunities sends their intercepts (or the fit terms) to
    # infinity while the employability coefficient converges: keep it, say so. Separation that
    # involves employability itself shows as a huge coefficient or standard error.
    trouble = [w for w in caught
               if issubclass(w.category, PerfectSeparationWarning | ConvergenceWarning)]
    if not (math.isfinite(beta) and math.isfinite(se)) or se <= 0 or se > 5 or abs(beta) > 15:
        return TestResult(status="separated", note=(
            "the selection is (almost) perfectly predicted by fit and employability together "
            "(perfect separation): the odds ratio is not estimable; the detectable effect is the "
            "design's (Hsieh approximation)"),
            mde_or=_design_mde(y, zc, mde_alpha), mde_alpha=mde_alpha, **base)
    if trouble:
        base["note"] = ("some opportunity or fit terms are not estimable (quasi-separation); the "
                        "employability coefficient converged")
    zq = float(stats.norm.ppf(1 - alpha / 2))
    stat = beta / se
    mde = math.exp((float(stats.norm.ppf(1 - mde_alpha)) + float(stats.norm.ppf(POWER))) * se)
    return TestResult(
        status="ok", odds_ratio=math.exp(beta), ci_low=math.exp(beta - zq * se),
        ci_high=math.exp(beta + zq * se), statistic=stat, p_value=float(stats.norm.sf(stat)),
        p_two_sided=float(2 * stats.norm.sf(abs(stat))), mde_or=mde, mde_alpha=mde_alpha,
        **base)


def mantel_haenszel(
    y: NDArray[np.float64],
    easy: NDArray[np.bool_],
    fit: NDArray[np.float64],
    groups: NDArray[np.int64],
    *,
    scope: str,
    alpha: float = 0.05,
    n_bins: int = 10,
) -> TestResult:
    """C7: Mantel-Haenszel odds ratio of selection for the easier to place, strata fit deciles x
    ``groups``. > 1 favours the easier to place; ``p_value`` is one-sided (creaming)."""
    from statsmodels.stats.contingency_tables import StratifiedTable

    n_all = int(y.size)
    cuts = np.linspace(0, 1, n_bins + 1)[1:-1]
    edges: Any = np.unique(np.quantile(fit, cuts)) if fit.size else []
    decile = np.searchsorted(edges, fit, side="right")
    strata = _dense_codes(groups * (n_bins + 1) + decile) if y.size else groups
    tables = []
    for s in range(int(strata.max()) + 1 if strata.size else 0):
        m = strata == s
        a = np.sum(m & easy & (y == 1))
        b = np.sum(m & easy & (y == 0))
        cc = np.sum(m & ~easy & (y == 1))
        d = np.sum(m & ~easy & (y == 0))
        if (a + b) and (cc + d) and (a + cc) and (b + d):
            tables.append(np.array([[a, b], [cc, d]], dtype=np.float64))
    base: dict[str, Any] = {"test": "C7", "scope": scope, "n": n_all, "n_selected": int(y.sum()),
            "n_groups": len(tables)}
    if len(tables) == 0:
        return TestResult(status="too_small", note="no stratum holds both an easier and a "
                          "harder candidate and both outcomes", **base)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        table = StratifiedTable(tables)
        odds = float(table.oddsratio_pooled)
        low, high = (float(v) for v in table.oddsratio_pooled_confint(alpha=alpha))
        test = table.test_null_odds(correction=False)
    stat = float(test.statistic)
    signed = math.copysign(math.sqrt(max(stat, 0.0)), math.log(odds)) if odds > 0 else math.nan
    if not (math.isfinite(odds) and odds > 0 and math.isfinite(signed)):
        return TestResult(status="separated", note="the pooled odds ratio is 0 or infinite",
                          **base)
    return TestResult(
        status="ok", odds_ratio=odds, ci_low=low, ci_high=high, statistic=signed,
        p_value=float(stats.norm.sf(signed)), p_two_sided=float(test.pvalue), **base,
    )


def parking_logit(
    never: NDArray[np.float64],
    hard: NDArray[np.float64],
    mean_fit: NDArray[np.float64],
    *,
    alpha: float = 0.05,
    min_rows: int = 20,
) -> TestResult:
    """C9's test: are the hardest to place left without any selection more often than others of
    the same mean fit? A seeker-level logistic regression of ``never`` (no selection in any batch)
    on hardest-tier membership with a spline of the seeker's mean ``logit(fit)``; OR > 1 = parking
    (one-sided)."""
    from statsmodels.discrete.discrete_model import Logit

    base: dict[str, Any] = {"test": "C9", "scope": "hardest tier vs the rest", "n": int(never.size),
            "n_selected": int(never.sum()), "n_groups": 1}
    if never.size < min_rows or never.min() == never.max() or hard.min() == hard.max():
        return TestResult(status="too_small", note="too few seekers, or no variation in being "
                          "never selected or in the hardest tier", **base)
    f = np.clip(mean_fit, _EPS, 1 - _EPS)
    exog = np.column_stack([np.ones_like(hard), hard, spline_basis(np.log(f / (1 - f)))])
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        try:
            result = Logit(never, exog, hasconst=True).fit(maxiter=35, disp=0)
            beta, se = float(result.params[1]), float(result.bse[1])
        except (np.linalg.LinAlgError, ValueError, FloatingPointError):
            beta, se = math.nan, math.nan
    if not (math.isfinite(beta) and math.isfinite(se)) or se <= 0 or se > 5 or abs(beta) > 15:
        # Separated (e.g. no one of the hardest tier ever selected): fall back to the one-sided
        # Fisher exact test of the 2x2 table, which does not hold fit constant.
        hard_b = hard.astype(bool)
        table = np.array([[np.sum(hard_b & (never == 1)), np.sum(hard_b & (never == 0))],
                          [np.sum(~hard_b & (never == 1)), np.sum(~hard_b & (never == 0))]])
        exact = stats.fisher_exact(table, alternative="greater")
        odds = float(exact.statistic)
        base["note"] = ("the fit-adjusted logit separates; one-sided Fisher exact test of the "
                        "2x2 table instead (fit not held constant)")
        return TestResult(status="ok", odds_ratio=odds if math.isfinite(odds) else None,
                          p_value=float(exact.pvalue), mde_alpha=alpha, **base)
    if caught:
        base["note"] = "quasi-separation in the fit terms; the tier coefficient converged"
    zq = float(stats.norm.ppf(1 - alpha / 2))
    stat = beta / se
    mde = math.exp((float(stats.norm.ppf(1 - alpha)) + float(stats.norm.ppf(POWER))) * se)
    return TestResult(
        status="ok", odds_ratio=math.exp(beta), ci_low=math.exp(beta - zq * se),
        ci_high=math.exp(beta + zq * se), statistic=stat, p_value=float(stats.norm.sf(stat)),
        p_two_sided=float(2 * stats.norm.sf(abs(stat))), mde_or=mde, mde_alpha=alpha,
        **base)
