"""Inference shared by the metrics: multiple-test correction and the tier-stratified bootstrap
(small-cell suppression is :mod:`matcher.audit.disclosure`).

- :func:`adjust`: Holm (default) or Benjamini-Hochberg over a family of p-values.
- :func:`stratified_bootstrap`: percentile intervals of seeker-level statistics, resampling
  seekers with replacement inside each tier, from one seeded generator.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from matcher.validate import Options, validate_params

__all__ = ["Correction", "adjust", "stratified_bootstrap"]

Correction = Literal["holm", "bh"]


def adjust(p_values: Sequence[float], method: Correction = "holm") -> list[float]:
    """Adjusted p-values, in the order given (the same numbers as statsmodels' ``multipletests``
    with ``'holm'`` / ``'fdr_bh'``, which the tests check; written out here because that function
    runs a full garbage collection on every call).

    >>> [round(p, 3) for p in adjust([0.01, 0.04, 0.03])]
    [0.03, 0.06, 0.06]
    >>> [round(p, 3) for p in adjust([0.01, 0.04, 0.03], "bh")]
    [0.03, 0.04, 0.04]
    """
    validate_params("adjust", {"method": method}, {"method": [Options(("holm", "bh"))]})
    p = np.asarray(p_values, dtype=np.float64)
    m = p.size
    if m == 0:
        return []
    order = np.argsort(p, kind="stable")
    ranked = p[order]
    if method == "holm":
        stepped = np.maximum.accumulate((m - np.arange(m)) * ranked)
    else:
        stepped = np.minimum.accumulate((m / np.arange(m, 0, -1)) * ranked[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(stepped, 1.0)
    return [float(v) for v in out]


def stratified_bootstrap(
    strata: NDArray[np.int64],
    statistic: Callable[[NDArray[np.int64]], NDArray[np.float64]],
    *,
    n_boot: int,
    seed: int,
    alpha: float = 0.05,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Percentile interval of ``statistic(indices)`` under resampling within strata.

    ``statistic`` takes an index array (a resample of the rows) and returns a vector of
    statistics; returns the lower and upper bounds (``nan`` where a replicate was undefined in
    more than half the draws).
    """
    rng = np.random.default_rng(seed)
    members = [np.flatnonzero(strata == s) for s in np.unique(strata)]
    draws = []
    for _ in range(n_boot):
        idx = np.concatenate([m[rng.integers(0, m.size, m.size)] for m in members])
        draws.append(statistic(idx))
    values = np.asarray(draws, dtype=np.float64)
    low = np.full(values.shape[1], np.nan)
    high = np.full(values.shape[1], np.nan)
    for j in range(values.shape[1]):
        v = values[:, j][np.isfinite(values[:, j])]
        if v.size > n_boot / 2:
            low[j], high[j] = np.quantile(v, [alpha / 2, 1 - alpha / 2])
    return low, high
