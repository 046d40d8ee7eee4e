"""Synthetic pools with a planted selection rule: the known answers the audit is checked against.

:func:`simulate` draws seekers in four tiers (``T1`` closest to work) with an employability that
falls with the tier, opportunities with random eligible pools, and a fit that correlates with
employability. Each opportunity then selects its ``slots`` best candidates by the utility

    u = fit_weight * g(fit) + beta * z + within_beta * (z - tier mean of z) + Gumbel noise

where ``z`` is standardized employability and ``g`` is ``logit`` (``fit_shape='logit'``) or a
step-and-slope shape (``'step'``) that a linear control would get wrong. ``beta = 0`` is a
fit-only selector (not creaming, even though it selects fewer of the hard tiers), ``beta > 0``
creaming, ``beta < 0`` positive action, ``within_beta > 0`` creaming inside the tiers. With
``park > 0`` the hardest tier is passed over in that share of opportunities, batch after batch.

Returns SEEKERS and DECISIONS frames ready for :func:`matcher.audit`; the same seed gives the
same frames.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import polars as pl

__all__ = ["simulate"]


def simulate(
    *,
    n_seekers: int = 600,
    n_roles: int = 40,
    pool_size: int = 30,
    slots: int = 3,
    beta: float = 0.0,
    within_beta: float = 0.0,
    fit_weight: float = 2.0,
    fit_employability: float = 0.6,
    within_only_fit: bool = False,
    fit_shape: Literal["logit", "step"] = "logit",
    batches: int = 1,
    park: float = 0.0,
    seed: int = 0,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A synthetic SEEKERS and DECISIONS pair with a planted selection rule (see the module)."""
    rng = np.random.default_rng(seed)
    tier = rng.choice(4, size=n_seekers, p=[0.3, 0.3, 0.25, 0.15])
    logit_e = 1.0 - 0.8 * tier + rng.normal(0, 0.8, n_seekers)
    employability = 1 / (1 + np.exp(-logit_e))
    z = (logit_e - logit_e.mean()) / logit_e.std()
    tier_mean = np.array([z[tier == t].mean() if np.any(tier == t) else 0.0 for t in range(4)])
    z_within = z - tier_mean[tier]
    driver = z_within if within_only_fit else z
    rows = []
    for b in range(batches):
        pools = np.array([rng.choice(n_seekers, pool_size, replace=False)
                          for _ in range(n_roles)])
        fit_logit = -0.2 + fit_employability * driver[pools] + rng.normal(0, 1.0, pools.shape)
        fit = np.round(1 / (1 + np.exp(-fit_logit)), 6)
        fit = np.clip(fit, 1e-6, 1 - 1e-6)
        lf = np.log(fit / (1 - fit))
        g = lf if fit_shape == "logit" else 2.0 * (fit > 0.55) + 0.3 * lf
        u = (fit_weight * g + beta * z[pools] + within_beta * z_within[pools]
             + rng.gumbel(size=pools.shape))
        if park > 0:
            passed = rng.random(n_roles) < park
            u = np.where(passed[:, None] & (tier[pools] == 3), -np.inf, u)
        order = np.argsort(-u, axis=1, kind="stable")
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, np.arange(pool_size)[None, :].repeat(n_roles, 0), axis=1)
        selected = (rank < slots).astype(np.int8)
        for j in range(n_roles):
            for c in range(pool_size):
                rows.append((f"S{pools[j, c]:05d}", f"R{j:03d}", float(fit[j, c]),
                             int(selected[j, c]), int(rank[j, c]) + 1, f"B{b}"))
    decisions = pl.DataFrame(rows, schema=["seeker_id", "role_id", "fit", "selected", "rank",
                                           "batch"], orient="row")
    seekers = pl.DataFrame({
        "seeker_id": [f"S{i:05d}" for i in range(n_seekers)],
        "tier": [f"T{t + 1}" for t in tier],
        "employability": np.round(employability, 6),
    })
    return seekers, decisions
