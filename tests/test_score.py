"""Scoring: hard constraints exclude exactly the pairs a brute-force reference excludes, blocks do
not change the result, trained skills are not gaps, and transferable skills count."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matcher

OCCUPATIONS = ["bee breeder", "agronomist", "kokk", "barista", "lagerarbeider", "syer"]
LANGS = ["no", "en", "ar", "so"]
NEEDS = ["quiet workplace", "wheelchair access", "flexible hours"]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def allowed_pairs(result: matcher.MatchResult) -> set[tuple[str, str]]:
    return set(result.alternatives.select("seeker_id", "role_id").iter_rows())


def random_batch(rng: np.random.Generator, n_seekers: int, n_roles: int):
    def maybe(value, p=0.8):
        return value if rng.random() < p else None

    def some(items, k=2):
        return ";".join(rng.choice(items, size=rng.integers(1, k + 1), replace=False))

    seekers = pl.DataFrame(
        {
            "seeker_id": [f"S{i:03d}" for i in range(n_seekers)],
            "experience": [maybe(str(rng.choice(OCCUPATIONS))) for _ in range(n_seekers)],
            "languages": [maybe(some(LANGS), 0.7) for _ in range(n_seekers)],
            "needs": [maybe(some(NEEDS), 0.3) for _ in range(n_seekers)],
            "hours_max": [maybe(float(rng.integers(10, 40)), 0.6) for _ in range(n_seekers)],
            "lat": [59.0 + rng.random() for _ in range(n_seekers)],
            "lon": [10.0 + rng.random() for _ in range(n_seekers)],
            "max_distance_km": [maybe(float(rng.integers(5, 60)), 0.7) for _ in range(n_seekers)],
        }
    )
    located = [rng.random() < 0.8 for _ in range(n_roles)]
    roles = pl.DataFrame(
        {
            "role_id": [f"R{j:03d}" for j in range(n_roles)],
            "enterprise": [f"E{j % 3}" for j in range(n_roles)],
            "occupation": [str(rng.choice(OCCUPATIONS)) for _ in range(n_roles)],
            "slots": [int(rng.integers(1, 3)) for _ in range(n_roles)],
            "hours": [maybe(float(rng.integers(10, 40)), 0.7) for _ in range(n_roles)],
            "lat": [59.0 + rng.random() if ok else None for ok in located],
            "lon": [10.0 + rng.random() if ok else None for ok in located],
            "languages": [maybe(some(LANGS), 0.7) for _ in range(n_roles)],
            "offers": [maybe(some(NEEDS, 3), 0.6) for _ in range(n_roles)],
        }
    )
    return seekers, roles


def reference_feasible(seekers: pl.DataFrame, roles: pl.DataFrame, default_km: float):
    """Every hard constraint evaluated pair by pair, straight from the input rows."""
    out = set()
    for s in seekers.iter_rows(named=True):
        for r in roles.iter_rows(named=True):
            if s["lat"] is not None and r["lat"] is not None:
                limit = s["max_distance_km"] if s["max_distance_km"] is not None else default_km
                if haversine_km(s["lat"], s["lon"], r["lat"], r["lon"]) > limit:
                    continue
            hours, limit = r["hours"], s["hours_max"]
            if hours is not None and limit is not None and hours > limit:
                continue
            s_lang, r_lang = set((s["languages"] or "").split(";")), set(
                (r["languages"] or "").split(";"))
            if s["languages"] and r["languages"] and not s_lang & r_lang:
                continue
            needs, offers = set((s["needs"] or "").split(";")), set(
                (r["offers"] or "").split(";"))
            # a need is met only by a role that states it: a role stating nothing meets none
            if s["needs"] and not needs <= offers:
                continue
            out.add((s["seeker_id"], r["role_id"]))
    return out


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_hard_constraints_match_brute_force(seed: int, taxonomy: matcher.Taxonomy) -> None:
    rng = np.random.default_rng(seed)
    seekers, roles = random_batch(rng, 12, 8)
    result = matcher.match(seekers, roles, taxonomy=taxonomy, min_score=0.0, top_k=0)
    # with min_score 0 every feasible pair is allowed (the wish part alone keeps scores > 0)
    assert allowed_pairs(result) == reference_feasible(seekers, roles, 50.0)


def test_scores_do_not_depend_on_block_size(taxonomy: matcher.Taxonomy) -> None:
    seekers, roles = random_batch(np.random.default_rng(7), 30, 10)
    frames = [
        matcher.match(seekers, roles, taxonomy=taxonomy, block_size=b, top_k=0).alternatives
        for b in (1, 7, 4096)
    ]
    for other in frames[1:]:
        assert other.equals(frames[0])


def test_scores_lie_in_unit_interval(taxonomy: matcher.Taxonomy) -> None:
    seekers, roles = random_batch(np.random.default_rng(3), 30, 10)
    alts = matcher.match(seekers, roles, taxonomy=taxonomy, min_score=0.0, top_k=0).alternatives
    for column in ("score", "skill_fit", "transfer_fit", "wish_fit"):
        values = alts.get_column(column)
        assert values.min() >= 0.0 and values.max() <= 1.0, column
    w = matcher.MatchConfig().weights
    recomputed = (w.skill * alts["skill_fit"] + w.transfer * alts["transfer_fit"]
                  + w.wish * alts["wish_fit"] + w.permanent * alts["permanent"])
    assert np.allclose(recomputed.to_numpy(), alts["score"].to_numpy(), rtol=0, atol=1e-12)


def _fit(taxonomy, experience: list[str | None], role: dict) -> dict[str, float]:
    seekers = pl.DataFrame({"seeker_id": [f"S{i}" for i in range(len(experience))],
                            "experience": experience})
    roles = pl.DataFrame({"role_id": ["R1"], "enterprise": ["E"], "slots": [1], **{
        k: [v] for k, v in role.items()}})
    alts = matcher.match(seekers, roles, taxonomy=taxonomy, min_score=0.0, top_k=0).alternatives
    by_id = dict(zip(alts["seeker_id"], alts["skill_fit"], strict=True))
    return {exp or "": by_id.get(f"S{i}", 0.0) for i, exp in enumerate(experience)}


def test_transferable_skills_reach_beekeeping(taxonomy: matcher.Taxonomy) -> None:
    fits = _fit(
        taxonomy,
        ["agronomist", "crop production worker", "bee breeder", "software developer", None],
        {"occupation": ["bee breeder"][0]},
    )
    assert fits["bee breeder"] == pytest.approx(1.0)
    # farming experience carries over; unrelated experience and none carry much less
    assert fits["agronomist"] > 2 * fits["software developer"]
    assert fits["crop production worker"] > 2 * fits["software developer"]
    assert fits["agronomist"] > fits[""]


def test_trained_skill_is_not_a_gap(taxonomy: matcher.Taxonomy) -> None:
    untrained = _fit(taxonomy, [None], {"skills_required": ["breed insects"]})[""]
    trained = _fit(taxonomy, [None], {"skills_required": ["breed insects"],
                                      "skills_trained": ["breed insects"]})[""]
    assert untrained < 0.05
    assert trained == pytest.approx(1.0)


def test_transfer_fit_credits_past_occupations_and_stands_aside_when_silent(
    taxonomy: matcher.Taxonomy,
) -> None:
    seekers = pl.DataFrame({
        "seeker_id": ["same", "related", "unrelated", "no_experience"],
        "experience": ["bee breeder", "livestock farm worker", "software developer", None],
        "skills": [None, None, None, "breed insects"],
    })
    roles = pl.DataFrame({"role_id": ["BEES", "ANY"], "enterprise": ["E", "E"], "slots": [1, 1],
                          "occupation": ["birøkter", None]})
    alts = matcher.match(seekers, roles, taxonomy=taxonomy, min_score=0.0, top_k=0).alternatives
    fit = {(s, r): (k, t) for s, r, k, t in alts.select(
        "seeker_id", "role_id", "skill_fit", "transfer_fit").iter_rows()}
    assert fit["same", "BEES"][1] == pytest.approx(1.0)
    assert 0 < fit["unrelated", "BEES"][1] < fit["related", "BEES"][1] < 1.0
    # nothing to compare: the skill fit stands in, so silence is neither a plus nor a minus
    assert fit["no_experience", "BEES"][1] == fit["no_experience", "BEES"][0]
    for seeker in ("same", "related", "unrelated", "no_experience"):
        assert fit[seeker, "ANY"][1] == fit[seeker, "ANY"][0]


def test_spread_credit_is_decay_to_the_power_of_the_shortest_path(
    taxonomy: matcher.Taxonomy,
) -> None:
    """Reference: breadth-first search up the skill hierarchy from every skill (where several
    paths lead to a group, the shortest counts; they must not add up)."""
    from collections import deque

    from matcher.encode import skill_space

    space = skill_space(taxonomy, 0.5)
    parents = taxonomy.skill_parents.tocsr()
    for start in range(len(taxonomy.skill_uris)):
        depth = {start: 0}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            for up in parents.indices[parents.indptr[node]:parents.indptr[node + 1]].tolist():
                if up not in depth:
                    depth[up] = depth[node] + 1
                    queue.append(up)
        row = space.spread[[start]]
        got = dict(zip(row.indices.tolist(), row.data.tolist(), strict=True))
        assert got == {k: 0.5**d for k, d in depth.items()}


def test_issue_11_a_need_is_met_only_by_a_role_that_states_it(taxonomy: matcher.Taxonomy) -> None:
    """A seeker needing wheelchair access is never proposed a role that never mentioned access;
    a role offering it in Danish meets a need written in Norwegian."""
    seekers = pl.DataFrame({"seeker_id": ["S1"], "experience": ["kokk"],
                            "needs": ["rullestoltilgang"]})
    silent = pl.DataFrame({"role_id": ["R1"], "enterprise": ["Kafé"], "slots": [1],
                           "occupation": ["kokk"]})
    result = matcher.match(seekers, silent, taxonomy=taxonomy)
    assert result.matches["role_id"][0] is None
    assert result.alternatives.height == 0
    assert ("R1 at Kafé would fit but does not say whether it offers wheelchair access: ask "
            "them") in result.matches["reason"][0]
    offering = pl.concat([silent, pl.DataFrame({
        "role_id": ["R2"], "enterprise": ["Kantina"], "slots": [1], "occupation": ["kokk"],
        "offers": ["kørestolsadgang"]})], how="diagonal")
    result = matcher.match(seekers, offering, taxonomy=taxonomy)
    assert result.matches["role_id"][0] == "R2"
    assert result.matches["reason"][0].endswith("; the role offers wheelchair access.")



def test_a_pair_scoring_exactly_min_score_is_allowed(taxonomy: matcher.Taxonomy) -> None:
    """``min_score`` is inclusive: a pair scoring exactly it is allowed (``>=``, not ``>``)."""
    seekers, roles = random_batch(np.random.default_rng(5), 20, 8)
    alts = matcher.match(seekers, roles, taxonomy=taxonomy, min_score=0.0, top_k=0).alternatives
    scores = sorted(set(alts["score"].to_list()))
    threshold = scores[len(scores) // 2]  # a score some pair has, with pairs above and below
    expected = {(s, r) for s, r, score in alts.select("seeker_id", "role_id", "score").iter_rows()
                if score >= threshold}
    at = matcher.match(seekers, roles, taxonomy=taxonomy, min_score=threshold, top_k=0)
    assert allowed_pairs(at) == expected
    assert 0 < len(expected) < alts.height
    assert threshold in at.alternatives["score"].to_list()
