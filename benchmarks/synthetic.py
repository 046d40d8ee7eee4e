"""Synthetic caseloads and roles over real ESCO occupations, for benchmarks (no real people).

Seekers get one or two past occupations (by English preferred label, so resolution is part of
the measured path), a few listed skills, wishes near their experience (same ISCO-08 minor
group), languages, sometimes an adaptation need, hours and a home within a region. Roles get an
occupation, sometimes explicit required and trained skills, slots, hours, a workplace in the
same region, languages and adaptations offered.
"""

from __future__ import annotations

import numpy as np
import polars as pl

import matcher

LANGS = np.array(["no", "en", "ar", "so", "pl", "ti", "ur", "fa", "uk", "da"])
NEEDS = np.array(["quiet workplace", "wheelchair access", "flexible hours", "language support",
                  "adapted tasks", "mentor"])


def population(
    n_seekers: int, n_roles: int, slots_per_role: int = 3, *, seed: int = 0,
    taxonomy: matcher.Taxonomy | None = None, centre: tuple[float, float] = (59.91, 10.75),
    spread_deg: float = 0.6,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Seekers and roles frames, deterministic in ``seed``."""
    tax = taxonomy or matcher.load_taxonomy()
    rng = np.random.default_rng(seed)
    labels = np.asarray(tax.occupation_labels, dtype=object)
    isco = np.asarray(tax.occupation_isco, dtype=object)
    skills = np.asarray(
        [label for label, group in zip(tax.skill_labels, tax.skill_is_group, strict=True)
         if not group], dtype=object,
    )
    # a regional labour market: roles come from a few hundred occupations, not all 3,007
    market = rng.choice(len(labels), size=min(300, len(labels)), replace=False)
    by_minor: dict[str, list[int]] = {}
    for o in range(len(labels)):
        by_minor.setdefault(str(isco[o])[:3], []).append(o)

    def langs(k_max: int) -> str | None:
        if rng.random() < 0.15:
            return None
        return ";".join(rng.choice(LANGS[:6], size=rng.integers(1, k_max + 1), replace=False))

    def near(o: int) -> int:
        group = by_minor[str(isco[o])[:3]]
        return int(group[rng.integers(len(group))])

    seekers = []
    for i in range(n_seekers):
        past = [int(market[rng.integers(len(market))]) if rng.random() < 0.7
                else int(rng.integers(len(labels))) for _ in range(rng.integers(1, 3))]
        wishes = [near(past[0])] + ([int(market[rng.integers(len(market))])]
                                    if rng.random() < 0.5 else [])
        seekers.append({
            "seeker_id": f"S{i:06d}",
            "experience": ";".join(labels[past]),
            "skills": ";".join(rng.choice(skills, size=rng.integers(0, 4))) or None,
            "wishes": ";".join(labels[wishes]),
            "languages": langs(3),
            "needs": str(rng.choice(NEEDS)) if rng.random() < 0.2 else None,
            "hours_max": float(rng.choice([20, 25, 30, 37.5])) if rng.random() < 0.6 else None,
            "lat": centre[0] + rng.uniform(-spread_deg, spread_deg) / 2,
            "lon": centre[1] + rng.uniform(-spread_deg, spread_deg),
            "max_distance_km": float(rng.choice([15, 30, 50, 80])) if rng.random() < 0.7 else None,
            "tier": f"T{rng.integers(1, 5)}",
            "employability": round(float(rng.beta(2, 3)), 3),
        })
    roles = []
    for j in range(n_roles):
        occ = int(market[rng.integers(len(market))])
        roles.append({
            "role_id": f"R{j:05d}",
            "enterprise": f"Enterprise {j % max(1, n_roles // 3)}",
            "title": f"Role {j}",
            "occupation": str(labels[occ]),
            "skills_trained": ";".join(rng.choice(skills, size=rng.integers(0, 3))) or None,
            "slots": slots_per_role,
            "hours": float(rng.choice([15, 20, 30, 37.5])),
            "lat": centre[0] + rng.uniform(-spread_deg, spread_deg) / 2,
            "lon": centre[1] + rng.uniform(-spread_deg, spread_deg),
            "languages": langs(3),
            "offers": ";".join(rng.choice(NEEDS, size=rng.integers(0, 4), replace=False)) or None,
            "permanent": bool(rng.random() < 0.4),
            "form": str(rng.choice(["grant", "supplier", "employment", "development"])),
        })
    return pl.DataFrame(seekers), pl.DataFrame(roles)
