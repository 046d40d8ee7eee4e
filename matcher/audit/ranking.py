"""Ranked lists: exposure by tier (C10) and the FA*IR top-k representation test (C11).

C10 (Singh & Joachims 2018): a candidate at rank ``r`` gets the attention ``1 / log2(1 + r)``;
the mean exposure of a tier, raw and divided by the tier's mean fit (relevance), shows whether
the harder to place sit lower in the lists than their fit would put them.

C11 (Zehlike et al. 2017): a list is fair to a protected group of pool share ``p`` when each
top-``i`` prefix holds at least ``binom.ppf(alpha, i, p)`` of its members. Here the protected
group is the harder tiers; the table is unadjusted (no multiple-prefix correction).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

__all__ = ["exposure", "exposure_by_group", "fair_minimum_table", "fair_prefix_check"]


def exposure(ranks: Any) -> np.ndarray:
    """``1 / log2(1 + rank)`` for 1-based ranks."""
    return 1.0 / np.log2(1.0 + np.asarray(ranks, dtype=np.float64))


def exposure_by_group(ranks: Any, groups: Any, relevance: Any) -> dict[str, dict[str, float]]:
    """Mean exposure and exposure per unit of mean relevance, per group (keys sorted).

    >>> r = exposure_by_group([1, 2, 3, 4, 5, 6], list("MMMWWW"),
    ...                       [0.82, 0.81, 0.80, 0.79, 0.78, 0.77])
    >>> round(r["M"]["exposure"], 6), round(r["W"]["exposure_per_fit"], 6)
    (0.71031, 0.501597)
    """
    e = exposure(ranks)
    g = np.asarray(groups).astype(str)
    rel = np.asarray(relevance, dtype=np.float64)
    out = {}
    for key in sorted(set(g.tolist())):
        m = g == key
        mean_e = float(e[m].mean())
        mean_r = float(rel[m].mean())
        out[key] = {"n": int(m.sum()), "exposure": mean_e, "mean_fit": mean_r,
                    "exposure_per_fit": mean_e / mean_r if mean_r > 0 else float("nan")}
    return out


def fair_minimum_table(k: int, p: float, alpha: float) -> list[int]:
    """The minimum number of protected candidates in each top-i prefix, i = 1..k.

    >>> fair_minimum_table(10, 0.2, 0.15)
    [0, 0, 0, 0, 0, 0, 0, 0, 1, 1]
    """
    i = np.arange(1, k + 1)
    return [int(v) for v in stats.binom.ppf(alpha, i, p)]


def fair_prefix_check(protected_in_order: Any, p: float, alpha: float) -> int | None:
    """The first 1-based prefix length that holds too few protected candidates, or ``None``."""
    flags = np.asarray(protected_in_order, dtype=np.int64)
    if flags.size == 0:
        return None
    need = np.asarray(fair_minimum_table(int(flags.size), p, alpha))
    short = np.flatnonzero(np.cumsum(flags) < need)
    return int(short[0]) + 1 if short.size else None
