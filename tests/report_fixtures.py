"""Synthetic runs for the report's tests, written as ``matcher match`` writes them.

Only synthetic people. ``HOSTILE`` values stand in for what a file may hold: markup, a closing
script tag inside the embedded JSON, quotes, and non-Latin text.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path
from typing import Any

import polars as pl

from matcher.io import write_json, write_table

HOSTILE = (
    "<script>window.__pwned=1</script>",
    '"><img src=x onerror="window.__pwned=1">',
    "</script><script>window.__pwned=1</script>",
    "Bi & Honning «ærlig» \u2028 ApS",
)


def make_run(folder: Path, *, n_seekers: int = 60, n_roles: int = 8, seed: int = 1,
             hostile: bool = True, tiers: bool = True, top_k: int = 3,
             extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Write MATCHES, ALTS, warnings, manifest, SEEKERS and ROLES of a synthetic run."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    seekers = [f"S{i:05d}" for i in range(n_seekers)]
    if hostile:
        seekers[1] = HOSTILE[0]
        seekers[2] = HOSTILE[1]
    roles = [f"R{j:03d}" for j in range(n_roles)]
    titles = [f"Rolle {j}" for j in range(n_roles)]
    enterprises = [f"Virksomhet {j}" for j in range(n_roles)]
    if hostile:
        titles[0], enterprises[0] = HOSTILE[2], HOSTILE[3]
        roles[1] = HOSTILE[1]
    slots = [rng.randint(1, 4) for _ in roles]
    free = dict(zip(roles, slots, strict=True))
    match_rows, alt_rows = [], []
    for s in seekers:
        options = rng.sample(roles, k=min(top_k, n_roles))
        scores = sorted((round(rng.uniform(0.25, 1.0), 6) for _ in options), reverse=True)
        chosen = next((r for r in options if free[r] > 0 and rng.random() < 0.7), None)
        if chosen is not None:
            free[chosen] -= 1
            score = scores[options.index(chosen)]
            reason = f"Matched to {chosen} (score {score:.2f}): {HOSTILE[2] if hostile else ''}"
            match_rows.append((s, chosen, score, reason))
        else:
            match_rows.append((s, None, None, "Not matched: no role fits well enough."))
        for rank, (r, sc) in enumerate(zip(options, scores, strict=True), start=1):
            alt_rows.append((s, r, rank, sc, sc / 2, sc / 3, 0.5, 1.0, r == chosen))
    matches = pl.DataFrame(match_rows, schema=["seeker_id", "role_id", "score", "reason"],
                           orient="row")
    alts = pl.DataFrame(alt_rows, schema=["seeker_id", "role_id", "rank", "score", "skill_fit",
                                          "transfer_fit", "wish_fit", "permanent", "assigned"],
                        orient="row")
    warnings = pl.DataFrame([("seekers.csv", 3, "wishes", "unresolved occupation term",
                              HOSTILE[0] if hostile else "birøktar")],
                            schema=["file", "line", "column", "rule", "value"], orient="row")
    tier_names = ["T1", "T2", "T3", "T4"]
    seeker_table = pl.DataFrame({
        "seeker_id": seekers,
        "experience": ["agronom"] * n_seekers,
        **({"tier": [tier_names[rng.randrange(4)] for _ in seekers]} if tiers else {}),
    })
    role_table = pl.DataFrame({"role_id": roles, "enterprise": enterprises, "title": titles,
                               "slots": slots, "occupation": ["birøkter"] * n_roles})
    write_table(seeker_table, folder / "seekers.csv")
    write_table(role_table, folder / "roles.csv")
    matched = matches["role_id"].drop_nulls().len()
    manifest: dict[str, Any] = {
        "matcher_version": "0.1.0",
        "taxonomy": {"version": "ESCO v1.1.1", "source": "built-in", "crosswalk": None},
        "inputs": {k: {"file": f"{k}.csv", "sha256": hashlib.sha256(
            (folder / f"{k}.csv").read_bytes()).hexdigest()} for k in ("seekers", "roles")},
        "settings": {"min_score": 0.25, "top_k": top_k, "strict": False, "seed": 0,
                     "weights": {"skill": 0.4, "transfer": 0.25, "wish": 0.3,
                                 "permanent": 0.05}},
        "solver": "dense",
        "optimality": {"certified": True, "violations": []},
        "total_score": float(matches["score"].drop_nulls().sum()),
        "matched": matched,
        "counts": {"seekers": n_seekers, "roles": n_roles, "slots": sum(slots),
                   "feasible_pairs": alts.height, "allowed_pairs": alts.height,
                   "unmatched": n_seekers - matched, "unresolved_terms": 1, "warnings": 1},
        "timings_s": {"assign": 0.01, "score": 0.2},
        **(extra or {}),
    }
    write_table(matches, folder / "matches.csv")
    write_table(alts, folder / "alternatives.csv")
    write_table(warnings, folder / "warnings.csv")
    write_json(manifest, folder / "matches.csv.manifest.json")
    return {"seekers": seekers, "roles": roles, "matches": matches, "alts": alts,
            "seeker_table": seeker_table, "role_table": role_table, "manifest": manifest}
