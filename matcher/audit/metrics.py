"""Descriptive fairness metrics and the small-table tests behind them (C1-C5, C8, C12 pieces).

Every function here works on plain numbers or numpy arrays, so that each can be checked against
the reference values of public toolkits (fairlearn, AIF360, tableone / Hedges) on tiny inputs.
The audit (:func:`matcher.audit.audit`) applies them per tier and within tiers.

- rates and their intervals: :func:`selection_rate`, :func:`wilson_interval`;
- ratios of two rates: :func:`katz_ratio_interval` (log-ratio interval), :func:`two_proportion_z`,
  :func:`exact_tests` (Fisher, Boschloo and Barnard from :mod:`scipy.stats`);
- balance: :func:`smd` (continuous, with Hedges' correction) and :func:`binary_smd`;
- group summaries: :func:`group_rates`, :func:`parity`, :func:`equalized_odds`,
  :func:`generalized_entropy`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

__all__ = [
    "FOUR_FIFTHS",
    "SMD_THRESHOLD",
    "ExactTests",
    "SMDResult",
    "binary_smd",
    "equalized_odds",
    "exact_tests",
    "generalized_entropy",
    "group_rates",
    "katz_ratio_interval",
    "parity",
    "parity_to_overall",
    "selection_rate",
    "smd",
    "two_proportion_z",
    "wilson_interval",
]

#: the four-fifths rule: a descriptive flag only (no legal standing in Norway, blind to sample size)
FOUR_FIFTHS = 0.8
#: Austin (2009): an absolute standardized mean difference above 0.1 is a meaningful imbalance
SMD_THRESHOLD = 0.1

EMPTY_INPUT = "selection_rate needs at least one prediction; got an empty input"


def selection_rate(y_pred: Sequence[float] | np.ndarray, weights: Any = None) -> float:
    """The (weighted) share of positive predictions.

    >>> selection_rate([0, 0, 0, 1, 1, 1, 1, 1])
    0.625
    >>> selection_rate([0, 1, 1, 0, 0, 0, 0, 0], [1, 2, 3, 4, 1, 2, 1, 2])
    0.3125
    """
    y = np.asarray(y_pred, dtype=np.float64)
    if y.size == 0:
        raise ValueError(EMPTY_INPUT)
    w = np.ones_like(y) if weights is None else np.asarray(weights, dtype=np.float64)
    return float(np.sum((y == 1) * w) / np.sum(w))


def wilson_interval(k: float, n: float, alpha: float = 0.05) -> tuple[float, float]:
    """The Wilson score interval of a proportion ``k / n``; ``(nan, nan)`` when ``n`` is 0."""
    if n <= 0:
        return (math.nan, math.nan)
    z = float(stats.norm.ppf(1 - alpha / 2))
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def katz_ratio_interval(
    k1: float, n1: float, k0: float, n0: float, alpha: float = 0.05
) -> tuple[float, float, float]:
    """The ratio ``(k1/n1) / (k0/n0)`` and its Katz log-ratio interval.

    Returns ``(ratio, low, high)``; ``nan`` where a count is 0 (the log is undefined).

    >>> [round(x, 4) for x in katz_ratio_interval(21, 50, 48, 80)]
    [0.7, 0.4827, 1.0151]
    """
    if min(k1, k0, n1, n0) <= 0:
        ratio = (k1 / n1) / (k0 / n0) if n1 > 0 and n0 > 0 and k0 > 0 else math.nan
        return (ratio, math.nan, math.nan)
    ratio = (k1 / n1) / (k0 / n0)
    se = math.sqrt(1 / k1 - 1 / n1 + 1 / k0 - 1 / n0)
    z = float(stats.norm.ppf(1 - alpha / 2))
    return (ratio, ratio * math.exp(-z * se), ratio * math.exp(z * se))


def two_proportion_z(k1: float, n1: float, k0: float, n0: float) -> tuple[float, float]:
    """The pooled two-proportion z statistic of ``k1/n1 - k0/n0`` and its two-sided p-value.

    >>> [round(x, 4) for x in two_proportion_z(48, 80, 21, 50)]
    [2.0007, 0.0454]
    """
    p = (k1 + k0) / (n1 + n0)
    var = p * (1 - p) * (1 / n1 + 1 / n0)
    if var <= 0:
        return (math.nan, math.nan)
    z = (k1 / n1 - k0 / n0) / math.sqrt(var)
    return (z, float(2 * stats.norm.sf(abs(z))))


@dataclass(frozen=True)
class ExactTests:
    """Two-sided exact p-values for a 2x2 table (selected / not selected in two groups)."""

    fisher: float
    boschloo: float
    barnard: float


def exact_tests(k1: int, n1: int, k0: int, n0: int, *, barnard: bool = True) -> ExactTests:
    """Fisher, Boschloo and Barnard exact tests of ``k1/n1`` against ``k0/n0`` (two-sided).

    Boschloo and Barnard maximise over the nuisance parameter; they are slow for large tables,
    so the audit runs them only on small ones (``n1 + n0 <= 400``) and reports Fisher elsewhere.
    """
    table = np.array([[k1, n1 - k1], [k0, n0 - k0]], dtype=np.int64)
    fisher = float(stats.fisher_exact(table).pvalue)
    if min(n1, n0) == 0:
        return ExactTests(fisher, math.nan, math.nan)
    bosch = float(stats.boschloo_exact(table, alternative="two-sided", n=32).pvalue)
    barn = (
        float(stats.barnard_exact(table, alternative="two-sided", n=32).pvalue)
        if barnard
        else math.nan
    )
    return ExactTests(fisher, min(1.0, bosch), min(1.0, barn))


@dataclass(frozen=True)
class SMDResult:
    """A standardized mean difference, its standard error and the Hedges-corrected pair."""

    smd: float
    se: float
    hedges: float
    hedges_se: float


def smd(mean1: float, sd1: float, n1: int, mean0: float, sd0: float, n0: int) -> SMDResult:
    """``(mean1 - mean0) / sqrt((sd1^2 + sd0^2) / 2)``, as tableone reports it, with Hedges' g.

    >>> r = smd(100, 4.5, 50, 103, 5.5, 50)
    >>> round(r.smd, 4), round(r.se, 4), round(r.hedges, 4), round(r.hedges_se, 4)
    (-0.597, 0.2044, -0.5924, 0.2028)
    """
    pooled = math.sqrt((sd1 * sd1 + sd0 * sd0) / 2)
    d = (mean1 - mean0) / pooled if pooled > 0 else math.nan
    n = n1 + n0
    se = math.sqrt(n / (n1 * n0) + d * d / (2 * n)) if n1 > 0 and n0 > 0 else math.nan
    j = 1 - 3 / (4 * n - 9) if n > 3 else math.nan
    return SMDResult(d, se, d * j, se * j)


def binary_smd(p1: float, p0: float) -> float:
    """The standardized difference of two proportions (Austin 2009).

    >>> round(binary_smd(0.3, 0.2), 5)
    0.2325
    """
    denom = math.sqrt((p1 * (1 - p1) + p0 * (1 - p0)) / 2)
    return (p1 - p0) / denom if denom > 0 else math.nan


def group_rates(y: Any, groups: Any, weights: Any = None) -> dict[str, tuple[float, int]]:
    """Selection rate and count per group, keys sorted."""
    y_arr = np.asarray(y, dtype=np.float64)
    g = np.asarray(groups).astype(str)
    w = np.ones_like(y_arr) if weights is None else np.asarray(weights, dtype=np.float64)
    return {
        key: (selection_rate(y_arr[g == key], w[g == key]), int(np.sum(g == key)))
        for key in sorted(set(g.tolist()))
    }


def parity(rates: Sequence[float]) -> tuple[float, float]:
    """Demographic parity difference (max - min) and ratio (min / max) of group rates."""
    hi, lo = max(rates), min(rates)
    return (hi - lo, lo / hi if hi > 0 else math.nan)


def parity_to_overall(rates: Sequence[float], overall: float) -> tuple[float, float]:
    """fairlearn's selection-rate difference and ratio to the overall rate: the largest absolute
    gap and the smallest of ``min(rate / overall, overall / rate)`` over the groups."""
    diff = max(abs(r - overall) for r in rates)
    ratio = min(min(r / overall, overall / r) if r > 0 else 0.0 for r in rates)
    return (diff, ratio)


def equalized_odds(y_true: Any, y_pred: Any, groups: Any) -> tuple[float, float]:
    """fairlearn's equalized odds difference and ratio: the worse of the TPR and FPR gaps."""
    t = np.asarray(y_true)
    p = np.asarray(y_pred)
    g = np.asarray(groups).astype(str)
    diffs, ratios = [], []
    for label in (1, 0):  # true positive rates, then false positive rates
        mask = t == label
        rates = [selection_rate(p[mask & (g == key)]) for key in sorted(set(g[mask].tolist()))]
        d, r = parity(rates)
        diffs.append(d)
        ratios.append(r)
    return (max(diffs), min(ratios))


def generalized_entropy(benefits: Any, alpha: float = 2.0) -> float:
    """The generalized entropy index of individual benefits (AIF360's inequality measure).

    >>> generalized_entropy([1, 1, 1.25, 1.25, 1.25, 1.25, 0.75, 0.75, 0.75, 0.75])
    0.025
    """
    b = np.asarray(benefits, dtype=np.float64)
    mu = b.mean()
    if alpha == 1:
        return float(np.mean(b / mu * np.log(b / mu)))
    if alpha == 0:
        return float(-np.mean(np.log(b / mu)))
    return round(float(np.mean((b / mu) ** alpha - 1) / (alpha * (alpha - 1))), 15)
