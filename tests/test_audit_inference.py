"""The tier-stratified bootstrap against independent references: a plain loop written from its
definition, and ``scipy.stats.bootstrap`` (which resamples each sample on its own: with one
sample per tier, that is a stratified bootstrap).

Each of these breaks a test here: skipping the resampling, resampling across strata, taking
the alpha (not alpha / 2) quantiles, dropping the rule that an interval needs more than half of
the replicates to define the statistic.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from matcher.audit.inference import stratified_bootstrap


def _plain_loop(strata: np.ndarray, statistic, n_boot: int, seed: int, alpha: float
                ) -> tuple[np.ndarray, np.ndarray]:
    """The definition: per replicate, per stratum in sorted order, draw its size with
    replacement; percentile interval (alpha/2, 1 - alpha/2) of the finite replicates, given
    only where more than half of them are finite."""
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(n_boot):
        parts = []
        for s in sorted(set(strata.tolist())):
            members = np.flatnonzero(strata == s)
            parts.append(members[rng.integers(0, members.size, members.size)])
        draws.append(statistic(np.concatenate(parts)))
    values = np.array(draws, dtype=float)
    low, high = [], []
    for column in values.T:
        finite = column[np.isfinite(column)]
        if finite.size > n_boot / 2:
            low.append(np.quantile(finite, alpha / 2))
            high.append(np.quantile(finite, 1 - alpha / 2))
        else:
            low.append(np.nan)
            high.append(np.nan)
    return np.array(low), np.array(high)


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    strata = np.repeat([2, 0, 1], [9, 14, 6])  # unsorted labels, unequal sizes
    rng.shuffle(strata)
    return strata, rng.normal(size=strata.size) + strata


def _statistic(strata: np.ndarray, x: np.ndarray):
    def stat(idx: np.ndarray) -> np.ndarray:
        s, v = strata[idx], x[idx]
        gap = v[s == 2].mean() - v[s == 0].mean()
        small = v[s == 1]
        # undefined in about 60 % of the draws, and in about 25 %: the validity rule decides
        rare = small.mean() if small.mean() > np.median(x[strata == 1]) + 0.1 else np.nan
        common = small.mean() if small.max() > np.quantile(x[strata == 1], 0.6) else np.nan
        return np.array([v.mean(), gap, rare, common])

    return stat


@pytest.mark.parametrize("alpha", [0.05, 0.2])
def test_equals_the_plain_loop(data: tuple[np.ndarray, np.ndarray], alpha: float) -> None:
    strata, x = data
    stat = _statistic(strata, x)
    low, high = stratified_bootstrap(strata, stat, n_boot=400, seed=3, alpha=alpha)
    ref_low, ref_high = _plain_loop(strata, stat, 400, 3, alpha)
    np.testing.assert_array_equal(low, ref_low)
    np.testing.assert_array_equal(high, ref_high)
    # the two validity cases are both present
    assert np.isnan(low[2]) and np.isfinite(low[3])


def test_stratum_sizes_are_kept(data: tuple[np.ndarray, np.ndarray]) -> None:
    strata, _ = data
    sizes = np.bincount(strata)
    low, high = stratified_bootstrap(strata, lambda idx: np.bincount(strata[idx], minlength=3)
                                     .astype(float), n_boot=200, seed=1)
    assert low.tolist() == high.tolist() == sizes.tolist()


def test_overall_rate_of_pure_strata_does_not_move() -> None:
    """Tier 1 all selected, tier 2 none: resampled inside tiers the overall rate stays 0.6;
    resampled across tiers (scipy, one sample) it does not."""
    strata = np.repeat([0, 1], [30, 20])
    selected = (strata == 0).astype(float)
    low, high = stratified_bootstrap(strata, lambda idx: np.array([selected[idx].mean()]),
                                     n_boot=300, seed=0)
    assert (low[0], high[0]) == (pytest.approx(0.6), pytest.approx(0.6))
    across = stats.bootstrap((selected,), np.mean, n_resamples=300, method="percentile",
                             rng=np.random.default_rng(0)).confidence_interval
    assert across.high - across.low > 0.15


@pytest.mark.parametrize("alpha", [0.05, 0.2])
def test_agrees_with_scipy_bootstrap(alpha: float) -> None:
    """Difference of two tiers' means: our interval against scipy's percentile interval on the
    same data (two samples resampled separately), within Monte Carlo error."""
    rng = np.random.default_rng(11)
    a, b = rng.normal(1.0, 1.0, 40), rng.normal(0.0, 2.0, 25)
    strata = np.repeat([0, 1], [a.size, b.size])
    x = np.concatenate([a, b])
    n_boot = 4000

    def gap(idx: np.ndarray) -> np.ndarray:
        return np.array([x[idx][strata[idx] == 0].mean() - x[idx][strata[idx] == 1].mean()])

    low, high = stratified_bootstrap(strata, gap, n_boot=n_boot, seed=5, alpha=alpha)
    ref = stats.bootstrap((a, b), lambda u, v, axis: u.mean(axis) - v.mean(axis),
                          vectorized=True, n_resamples=n_boot, confidence_level=1 - alpha,
                          method="percentile", rng=np.random.default_rng(6))
    se = ref.standard_error
    assert abs(low[0] - ref.confidence_interval.low) < 0.12 * se
    assert abs(high[0] - ref.confidence_interval.high) < 0.12 * se
    # and the interval is as wide as the normal approximation says (not the alpha quantiles)
    width = (high[0] - low[0]) / se
    assert width == pytest.approx(2 * stats.norm.ppf(1 - alpha / 2), rel=0.08)


def test_undefined_everywhere_gives_no_interval() -> None:
    strata = np.repeat([0, 1], [5, 5])
    low, high = stratified_bootstrap(strata, lambda idx: np.array([np.nan, 1.0]), n_boot=100,
                                     seed=0)
    assert np.isnan(low[0]) and np.isnan(high[0])
    assert (low[1], high[1]) == (1.0, 1.0)
