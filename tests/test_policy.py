"""Tests of matcher.policy: the priority scale, the objective, and what raising the weight does.

The property tested on random instances is the one that holds for exact optima (see the
module notes of matcher.policy): as the weight grows, for every threshold t the number of
matched seekers with priority >= t never falls; so the furthest tier's count never falls, the
total fit never rises and the total priority never falls.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from test_assign import all_assignments

import matcher
from matcher.assign import solve
from matcher.audit.price import price_curve, rates_by_group
from matcher.errors import ConfigError
from matcher.policy import Override, objective, priority, restrict

# --- the priority scale ------------------------------------------------------------------------


def test_priority_scales_tier_rank_evenly_to_unit_interval() -> None:
    frame = pl.DataFrame({"tier": ["T2", "T10", None, "T1", "T3"],
                          "employability": [None, None, 0.3, None, None]})
    # natural order T1 < T2 < T3 < T10; no tier: 1 - employability
    assert priority(frame).tolist() == pytest.approx([1 / 3, 1.0, 0.7, 0.0, 2 / 3])


def test_priority_knows_navs_groups_and_defaults_to_zero() -> None:
    frame = pl.DataFrame({"tier": ["varig tilpasset innsats", "Standard innsats",
                                   "situasjonsbestemt innsats", None]})
    assert priority(frame).tolist() == pytest.approx([1.0, 0.0, 0.5, 0.0])
    assert priority(pl.DataFrame({"seeker_id": ["a", "b"]})).tolist() == [0.0, 0.0]


def test_parked_seekers_get_the_highest_priority() -> None:
    frame = pl.DataFrame({"tier": ["T1", "T2", "T3"]})
    got = priority(frame, np.array([True, False, False]))
    assert got.tolist() == pytest.approx([1.0, 0.5, 1.0])


def test_objective_changes_values_of_allowed_pairs_only() -> None:
    scores = sp.csr_array(np.array([[0.5, 0.0], [0.0, 0.9], [0.3, 0.4]]))
    out = objective(scores, np.array([1.0, 0.0, 0.5]), 0.2)
    assert (out.indptr == scores.indptr).all() and (out.indices == scores.indices).all()
    assert out.toarray() == pytest.approx(np.array([[0.7, 0.0], [0.0, 0.9], [0.4, 0.5]]))
    assert objective(scores, np.ones(3), 0.0) is scores


def test_harder_to_place_seeker_with_nearly_the_same_fit_wins_the_place() -> None:
    scores = sp.csr_array(np.array([[0.80], [0.75]]))  # seeker 0 in T1, seeker 1 in T4
    p = priority(pl.DataFrame({"tier": ["T1", "T4"]}))
    assert solve(objective(scores, p, 0.0), np.array([1])).role_of_seeker.tolist() == [0, -1]
    assert solve(objective(scores, p, 0.1), np.array([1])).role_of_seeker.tolist() == [-1, 0]
    # a fit gap larger than the weight still decides
    assert solve(objective(scores, p, 0.04), np.array([1])).role_of_seeker.tolist() == [0, -1]


def test_config_refuses_a_weight_without_the_priority_policy() -> None:
    with pytest.raises(ConfigError, match="'priority_weight' parameter of MatchConfig"):
        matcher.MatchConfig(priority_weight=0.3)
    with pytest.raises(ConfigError, match="'policy' parameter"):
        matcher.MatchConfig(policy="creaming")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="'protect_parked' parameter"):
        matcher.MatchConfig(policy="priority", protect_parked=2)  # no history


# --- raising the weight ------------------------------------------------------------------------


def solve_at(scores: np.ndarray, slots: np.ndarray, p: np.ndarray, w: float) -> np.ndarray:
    return solve(objective(sp.csr_array(scores), p, w), slots).role_of_seeker


@st.composite
def tiered_instances(draw: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    seed = draw(st.integers(0, 2**32 - 1))
    n, m = draw(st.integers(1, 9)), draw(st.integers(1, 5))
    rng = np.random.default_rng(seed)
    allowed = rng.random((n, m)) < draw(st.floats(0.3, 1.0))
    scores = np.where(allowed, 0.25 + 0.75 * rng.random((n, m)), 0.0)
    slots = rng.integers(1, 3, size=m)
    tiers = rng.integers(0, 4, size=n)
    return scores, slots, tiers


@settings(max_examples=150, deadline=None)
@given(tiered_instances(), st.floats(0.0, 2.0), st.floats(0.001, 2.0))
def test_raising_the_weight_never_takes_places_from_those_further_from_work(
    instance: tuple[np.ndarray, np.ndarray, np.ndarray], w1: float, step: float
) -> None:
    scores, slots, tiers = instance
    p = tiers / 3.0
    low, high = solve_at(scores, slots, p, w1), solve_at(scores, slots, p, w1 + step)
    for k in range(4):  # "tier k or further": the furthest tier is k = 3
        in_group = tiers >= k
        assert ((high >= 0) & in_group).sum() >= ((low >= 0) & in_group).sum(), k

    def fit(roles: np.ndarray) -> float:
        return math.fsum(scores[i, j] for i, j in enumerate(roles) if j >= 0)

    assert fit(high) <= fit(low) + 1e-9
    assert p[high >= 0].sum() >= p[low >= 0].sum() - 1e-9


@settings(max_examples=30, deadline=None)
@given(tiered_instances(), st.data())
def test_the_price_curve_is_the_exact_optimum_at_each_weight_with_the_overrides_kept(
    instance: tuple[np.ndarray, np.ndarray, np.ndarray], data: st.DataObject
) -> None:
    """The one implementation of the price of fairness (policy-curve, the manifest, the
    audit's C13) against brute force over every assignment, locks and forbids included."""
    scores, slots, tiers = instance
    n, m = scores.shape
    if n > 6:
        scores, tiers = scores[:6], tiers[:6]
        n = 6
    p = tiers / 3.0
    ids, roles = [f"S{i}" for i in range(n)], [f"R{j}" for j in range(m)]
    allowed = [(i, j) for i in range(n) for j in range(m) if scores[i, j] > 0]
    picked = data.draw(st.lists(st.sampled_from(allowed), max_size=2, unique=True)
                       if allowed else st.just([]))
    lock = picked[:1] if picked and slots[picked[0][1]] > 0 else []
    forbid = [pair for pair in picked[1:] if pair[0] != (lock[0][0] if lock else -1)]
    overrides = ([Override("lock", ids[i], roles[j]) for i, j in lock]
                 + [Override("forbid", ids[i], roles[j], "--forbid") for i, j in forbid])
    plan = restrict(sp.csr_array(scores), slots, overrides, ids, roles)
    weights = [0.0, 0.3, 1.5]
    curve = price_curve(sp.csr_array(scores), slots, p, weights, restricted=plan)
    assert [c.weight for c in curve] == weights
    for point in curve:
        best = -math.inf
        for assignment in all_assignments(scores, slots):
            if any(assignment[i] != j for i, j in lock) or \
                    any(assignment[i] == j for i, j in forbid):
                continue
            best = max(best, math.fsum(scores[i, j] + point.weight * p[i]
                                       for i, j in enumerate(assignment) if j >= 0))
        chosen = point.role_of_seeker
        assert point.objective_total == pytest.approx(best, abs=1e-9)
        assert point.total_fit == pytest.approx(
            math.fsum(scores[i, j] for i, j in enumerate(chosen) if j >= 0), abs=1e-12)
        assert all(chosen[i] == j for i, j in lock)
        groups = {f"T{k + 1}": np.flatnonzero(tiers == k) for k in range(4)}
        rates = rates_by_group(chosen, groups)
        assert all(rates[g] == (chosen[idx] >= 0).mean() for g, idx in groups.items()
                   if idx.size)


# --- through the API ---------------------------------------------------------------------------


def test_priority_weight_zero_equals_the_fit_policy(
    samples: tuple[Any, Any], taxonomy: matcher.Taxonomy, sample_result: matcher.MatchResult
) -> None:
    seekers, roles = samples
    got = matcher.match(seekers, roles, taxonomy=taxonomy, policy="priority",
                        priority_weight=0.0, curve=[0.0, 0.2, 1.0])
    assert_frame_equal(got.matches, sample_result.matches)
    assert_frame_equal(got.alternatives, sample_result.alternatives)
    assert got.total_score == sample_result.total_score
    assert got.manifest["objective_total"] == sample_result.manifest["objective_total"]
    assert sample_result.manifest["objective_total"] == sample_result.total_score
    assert got.manifest["settings"]["policy"] == "priority"
    curve = got.manifest["policy_curve"]
    assert [c["weight"] for c in curve] == [0.0, 0.2, 1.0]
    assert curve[0]["total_score"] == pytest.approx(sample_result.total_score, abs=1e-12)
    fits = [c["total_score"] for c in curve]
    assert fits == sorted(fits, reverse=True)
    tiers = list(curve[0]["match_rate_by_tier"])
    assert tiers == ["T1", "T2", "T3", "T4"]
    furthest = [c["match_rate_by_tier"]["T4"] for c in curve]
    assert furthest == sorted(furthest)


def test_priority_policy_reports_fit_and_records_the_objective(
    samples: tuple[Any, Any], taxonomy: matcher.Taxonomy
) -> None:
    seekers, roles = samples
    got = matcher.match(seekers, roles, taxonomy=taxonomy, policy="priority",
                        priority_weight=1.0)
    m = got.matches.filter(pl.col("role_id").is_not_null())
    alts = got.alternatives.filter("assigned").select("seeker_id", "role_id", "score")
    # MATCHES keeps the fit score of each pair, not the objective
    assert_frame_equal(m.select("seeker_id", "role_id", "score").sort("seeker_id"),
                       alts.sort("seeker_id"))
    assert got.total_score == pytest.approx(math.fsum(m["score"].to_list()), abs=1e-12)
    tiers = pl.read_csv(seekers).select("seeker_id", "tier")
    p = priority(tiers)
    matched = np.isin(tiers["seeker_id"].to_numpy(), m["seeker_id"].to_numpy())
    assert got.manifest["objective_total"] == pytest.approx(
        got.total_score + 1.0 * p[matched].sum(), abs=1e-9)
    assert got.manifest["optimality"]["certified"]


def test_policy_curve_command_prints_each_weight_and_writes_json(
    samples: tuple[Any, Any], sample_result: matcher.MatchResult, tmp_path: Any
) -> None:
    import json

    from click.testing import CliRunner

    from matcher.cli.base import cli

    seekers, roles = samples
    out = tmp_path / "curve.json"
    res = CliRunner().invoke(cli, ["policy-curve", str(seekers), str(roles),
                                   "--weights", "0,0.5,1", "--json", str(out)])
    assert res.exit_code == 0, res.output
    lines = res.output.strip().splitlines()
    assert lines[0].split() == ["weight", "total", "fit", "fit", "lost", "matched",
                                "T1", "T2", "T3", "T4"]
    assert [line.split()[0] for line in lines[1:]] == ["0", "0.5", "1"]
    assert lines[1].split()[1] == f"{sample_result.total_score:.4f}"
    points = json.loads(out.read_text())
    assert [p["weight"] for p in points] == [0.0, 0.5, 1.0]
    bad = CliRunner().invoke(cli, ["policy-curve", str(seekers), str(roles),
                                   "--weights", "0,x"])
    assert bad.exit_code == 2
    assert ("--weights line 2: must be numbers in [0, 100] separated by commas, got 'x'"
            in bad.output)
