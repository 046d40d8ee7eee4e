"""Candidate generation: role profiles, each seeker's top K allowed roles, and the certificate
over every allowed pair when top-K prunes some of them."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_score import random_batch

import matcher
from matcher.assign import solve_dense
from matcher.config import MatchConfig
from matcher.encode import OccupationConcepts, encode_roles, key_index, skill_space
from matcher.errors import ConfigError
from matcher.policy import Override
from matcher.score import role_profiles
from matcher.terms import ROLE_TERMS, resolve_terms


def _frames(result: matcher.MatchResult) -> tuple[pl.DataFrame, pl.DataFrame]:
    return result.matches, result.alternatives


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_top_k_covering_every_pair_changes_nothing(seed: int, taxonomy: matcher.Taxonomy) -> None:
    seekers, roles = random_batch(np.random.default_rng(seed), 12, 8)
    every = matcher.match(seekers, roles, taxonomy=taxonomy, top_k=0, min_score=0.1)
    covering = matcher.match(seekers, roles, taxonomy=taxonomy, top_k=0, min_score=0.1,
                             candidates=8)
    for a, b in zip(_frames(every), _frames(covering), strict=True):
        assert a.equals(b)
    assert covering.manifest["optimality"] == every.manifest["optimality"]
    assert covering.manifest["counts"]["candidate_pairs"] == every.alternatives.height


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), k=st.integers(1, 4), per_role=st.integers(0, 3))
def test_top_k_keeps_each_seekers_and_roles_best_and_bounds_the_optimum(
    seed: int, k: int, per_role: int, taxonomy: matcher.Taxonomy
) -> None:
    seekers, roles = random_batch(np.random.default_rng(seed), 14, 10)
    every = matcher.match(seekers, roles, taxonomy=taxonomy, top_k=0, min_score=0.1)
    pruned = matcher.match(seekers, roles, taxonomy=taxonomy, top_k=0, min_score=0.1,
                           candidates=k, role_candidates=per_role, repair_rounds=0)
    # the graph holds the first k of each seeker's full ranking (score down, role id up) and
    # the first per_role of each role's (score down, seeker's row up)
    order = {s: i for i, s in enumerate(seekers.get_column("seeker_id").to_list())}
    pairs = every.alternatives.with_columns(
        pl.col("seeker_id").replace_strict(order).alias("row"))
    by_role = pairs.sort(["role_id", "score", "row"], descending=[False, True, False]).filter(
        pl.int_range(pl.len()).over("role_id") < per_role)
    expected = pl.concat([pairs.filter(pl.col("rank") <= k), by_role]).select(
        "seeker_id", "role_id").unique()
    got = pruned.alternatives.select("seeker_id", "role_id")
    assert got.sort(pl.all()).equals(expected.sort(pl.all()))
    assert pruned.manifest["counts"]["allowed_pairs"] == every.alternatives.height
    assert pruned.manifest["counts"]["candidate_pairs"] == expected.height

    best = every.manifest["total_score"]
    total = pruned.manifest["total_score"]
    opt = pruned.manifest["optimality"]
    tol = 1e-9
    assert total <= best + tol
    assert opt["upper_bound"] >= best - tol  # a bound over every allowed pair
    if opt["certified"]:
        assert total == pytest.approx(best, abs=tol)
    else:
        assert opt["gap"] == pytest.approx((opt["upper_bound"] - total) / opt["upper_bound"])


def _planted() -> tuple[pl.DataFrame, pl.DataFrame]:
    """Two cooks, two kitchens with one place each. A can reach both and scores the permanent
    one a little higher; B reaches only the permanent one. Top-1 keeps the permanent kitchen
    for both, so the optimum (A in the other kitchen, B in the permanent one) is pruned."""
    seekers = pl.DataFrame({
        "seeker_id": ["A", "B"],
        "experience": ["kokk", "kokk"],
        "lat": [59.91, 59.91],
        "lon": [10.75, 10.75],
        "max_distance_km": [30.0, 5.0],
    })
    roles = pl.DataFrame({
        "role_id": ["R1", "R2"],
        "enterprise": ["Kjøkkenet", "Kantina"],
        "occupation": ["kokk", "kokk"],
        "slots": [1, 1],
        "lat": [59.91, 60.05],
        "lon": [10.76, 10.75],
        "permanent": ["ja", "nei"],
    })
    return seekers, roles


def test_certificate_catches_a_pruned_optimum(taxonomy: matcher.Taxonomy) -> None:
    seekers, roles = _planted()
    every = matcher.match(seekers, roles, taxonomy=taxonomy, top_k=0)
    assert every.alternatives.height == 3
    pruned = matcher.match(seekers, roles, taxonomy=taxonomy, top_k=0, candidates=1,
                           role_candidates=0, repair_rounds=0)
    assert pruned.manifest["counts"]["candidate_pairs"] == 2
    opt = pruned.manifest["optimality"]
    total = pruned.manifest["total_score"]
    assert pruned.manifest["matched"] == 1
    assert not opt["certified"]

    # the dense optimum over every allowed pair, independently of the sparse path
    ids = {"A": 0, "B": 1}
    w = np.zeros((2, 2))
    for s, r, score in every.alternatives.select("seeker_id", "role_id", "score").iter_rows():
        w[ids[s], int(r[1]) - 1] = score
    import scipy.sparse as sp

    dense = solve_dense(sp.csr_array(w), np.array([1, 1])).total
    assert dense == pytest.approx(every.manifest["total_score"])
    assert dense > total + 0.2
    assert opt["upper_bound"] >= dense - 1e-9
    assert opt["gap"] == pytest.approx((opt["upper_bound"] - total) / opt["upper_bound"])
    assert opt["gap"] >= (dense - total) / opt["upper_bound"] - 1e-12
    summary = dict(pruned.summary().iter_rows())
    assert summary["Best possible assignment"] == (
        f"Not confirmed: at most {opt['gap']:.2%} below the best "
        f"(upper bound {opt['upper_bound']:.4f})")

    # a gap within what the caller accepts is left as it is
    enough = matcher.match(seekers, roles, taxonomy=taxonomy, top_k=0, candidates=1,
                           role_candidates=0, repair_gap=opt["gap"])
    assert enough.manifest["counts"]["repair_rounds"] == 0
    assert enough.manifest["optimality"] == opt
    # one repair round puts the missed pair back: the dense optimum, certified
    repaired = matcher.match(seekers, roles, taxonomy=taxonomy, top_k=0, candidates=1,
                             role_candidates=0)
    assert repaired.manifest["counts"]["repair_rounds"] == 1
    assert repaired.manifest["counts"]["repaired_pairs"] == 1
    assert repaired.manifest["optimality"]["certified"]
    assert repaired.manifest["total_score"] == pytest.approx(dense, abs=1e-9)


def test_role_profiles_group_roles_that_score_alike(taxonomy: matcher.Taxonomy) -> None:
    roles = pl.DataFrame({
        "role_id": [f"R{j}" for j in range(6)],
        "enterprise": ["E"] * 6,
        "occupation": ["kokk", "kokk", "kokk", "barista", "kokk", "kokk"],
        "skills_required": [None, None, None, None, "prepare desserts", "prepare desserts"],
        "slots": [1] * 6,
        "permanent": ["ja", "ja", "nei", "ja", "ja", "ja"],
        "lat": [59.9, 60.1, 59.9, 59.9, 58.0, 59.9],
        "lon": [10.7] * 6,
    })
    frame = matcher.io.validate_roles(roles, "roles")
    terms = resolve_terms(frame, name="roles", columns=ROLE_TERMS, taxonomy=taxonomy,
                          strict=False)
    space = skill_space(taxonomy, 0.5)
    vec = encode_roles(frame, terms, taxonomy=taxonomy, space=space,
                       concepts=OccupationConcepts(taxonomy), language_index=key_index([]),
                       adaptation_index=key_index([]))
    profile, first = role_profiles(vec)
    # place does not split a profile; permanence, occupation and requirements do
    assert profile.tolist() == [0, 0, 1, 2, 3, 3]
    assert first.tolist() == [0, 2, 3, 4]


def test_candidates_setting_is_validated() -> None:
    with pytest.raises(ConfigError, match="'candidates' parameter of MatchConfig must be an int"):
        MatchConfig(candidates=-1)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), k=st.integers(1, 3))
def test_top_k_under_the_priority_policy_and_overrides_bounds_the_same_optimum(
    seed: int, k: int, taxonomy: matcher.Taxonomy
) -> None:
    """Pruning, the priority objective and the caseworker's overrides together: the pruned
    pairs are checked in the objective's units, a lock stays solvable whatever K, a forbidden
    pair never counts as a missed gain, and the certificate bounds the optimum over every
    allowed pair (solved with K = 0)."""
    rng = np.random.default_rng(seed)
    seekers, roles = random_batch(rng, 14, 10)
    seekers = seekers.with_columns(pl.Series("employability", rng.random(seekers.height)))
    every = matcher.match(seekers, roles, taxonomy=taxonomy, top_k=0, min_score=0.1)
    pairs = every.alternatives.select("seeker_id", "role_id", "rank").rows()
    if len(pairs) < 2:
        return
    # lock a seeker's lowest-ranked allowed role (pruned by top-K when it ranks below K), and
    # forbid another seeker's best one
    worst = max(pairs, key=lambda p: (p[2], p[0]))
    other = next((p for p in pairs if p[0] != worst[0] and p[2] == 1), None)
    changes = [Override("lock", worst[0], worst[1])]
    if other is not None:
        changes.append(Override("forbid", other[0], other[1]))
    kwargs = dict(taxonomy=taxonomy, top_k=0, min_score=0.1, policy="priority",
                  priority_weight=0.5, overrides=changes, role_candidates=0)
    full = matcher.match(seekers, roles, **kwargs)
    pruned = matcher.match(seekers, roles, candidates=k, repair_rounds=0, **kwargs)

    placed = dict(pruned.matches.select("seeker_id", "role_id").rows())
    assert placed[worst[0]] == worst[1]
    if other is not None:
        assert placed.get(other[0]) != other[1]
    best = full.manifest["objective_total"]
    assert full.manifest["optimality"]["certified"]
    total = pruned.manifest["objective_total"]
    opt = pruned.manifest["optimality"]
    tol = 1e-9
    assert total <= best + tol
    assert opt["upper_bound"] >= best - tol  # a bound over every allowed pair, locks included
    if opt["certified"]:
        assert total == pytest.approx(best, abs=tol)
    # putting back what the prices say is missing, round after round, reaches that optimum
    repaired = matcher.match(seekers, roles, candidates=k, repair_rounds=50, **kwargs)
    assert repaired.manifest["optimality"]["certified"]
    assert repaired.manifest["objective_total"] == pytest.approx(best, abs=tol)
    assert dict(repaired.matches.select("seeker_id", "role_id").rows())[worst[0]] == worst[1]



def test_a_forbidden_pair_left_out_by_top_k_is_no_missed_gain(taxonomy: matcher.Taxonomy) -> None:
    """B's best role goes to A (A wishes it too); B's second, pruned at K = 1, is forbidden to
    B by a caseworker, and too long a week for A: nothing better exists, so the run is
    certified. Counting the forbidden pair as a missed gain would report a gap."""
    seekers = pl.DataFrame({"seeker_id": ["A", "B"], "experience": ["kokk", "kokk"],
                            "wishes": ["kokk", None], "hours_max": [20.0, None]})
    roles = pl.DataFrame({"role_id": ["R1", "R2"], "enterprise": ["E", "E"],
                          "occupation": ["kokk", "barista"], "slots": [1, 1],
                          "hours": [20.0, 37.5]})
    forbid = [Override("forbid", "B", "R2")]
    free = matcher.match(seekers, roles, taxonomy=taxonomy, top_k=0, candidates=1,
                         role_candidates=0, repair_rounds=0)
    assert not free.manifest["optimality"]["certified"]  # B-R2 is a real missed gain
    result = matcher.match(seekers, roles, taxonomy=taxonomy, top_k=0, candidates=1,
                           role_candidates=0, overrides=forbid)
    assert result.matches.filter(pl.col("role_id").is_not_null()).get_column(
        "seeker_id").to_list() == ["A"]
    assert result.manifest["optimality"] == {"certified": True, "upper_bound": pytest.approx(
        result.manifest["total_score"]), "gap": 0.0}
