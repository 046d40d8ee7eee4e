"""End to end through the library API: the contract of MATCHES, ALTS and the manifest."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scipy.optimize import linear_sum_assignment

import matcher


def test_every_seeker_exactly_once_sorted(sample_result, samples) -> None:
    seekers = pl.read_csv(samples[0])
    ids = sample_result.matches.get_column("seeker_id").to_list()
    assert ids == sorted(seekers.get_column("seeker_id").to_list())
    assert sample_result.matches.columns == ["seeker_id", "role_id", "score", "reason"]
    assert sample_result.matches.get_column("reason").null_count() == 0


def test_readme_example_agronomist_goes_to_beekeeping(sample_result) -> None:
    row = sample_result.matches.filter(pl.col("seeker_id") == "S001").row(0, named=True)
    assert row["role_id"] == "R01"
    assert "bee breeder" in row["reason"]
    assert "from experience as agronomist" in row["reason"]
    assert "the role trains" in row["reason"]


def test_capacity_and_feasibility_respected(sample_result, samples) -> None:
    roles = pl.read_csv(samples[1])
    slots = dict(zip(roles["role_id"], roles["slots"], strict=True))
    taken = sample_result.matches.drop_nulls("role_id").group_by("role_id").len()
    for role_id, n in taken.iter_rows():
        assert n <= slots[role_id]
    full = matcher.match(*samples, top_k=0).alternatives
    allowed = set(full.select("seeker_id", "role_id").iter_rows())
    for seeker_id, role_id in sample_result.matches.drop_nulls("role_id").select(
        "seeker_id", "role_id"
    ).iter_rows():
        assert (seeker_id, role_id) in allowed


def test_total_is_optimal_against_scipy_on_the_alternatives(samples, taxonomy) -> None:
    """Anyone can re-check optimality from ALTS with --top-k 0: do it with plain scipy."""
    result = matcher.match(*samples, taxonomy=taxonomy, top_k=0)
    roles = pl.read_csv(samples[1]).sort("role_id")
    seekers = result.matches.get_column("seeker_id").to_list()
    columns = [r for r, k in roles.select("role_id", "slots").iter_rows() for _ in range(k)]
    weights = np.zeros((len(seekers), len(columns)))
    s_index = {s: i for i, s in enumerate(seekers)}
    for s, r, score in result.alternatives.select("seeker_id", "role_id", "score").iter_rows():
        for c, role in enumerate(columns):
            if role == r:
                weights[s_index[s], c] = score
    rows, cols = linear_sum_assignment(weights, maximize=True)
    assert result.total_score == pytest.approx(weights[rows, cols].sum(), abs=1e-9)
    assert result.manifest["optimality"]["certified"] is True
    matched = result.matches.drop_nulls("score")
    assert result.total_score == pytest.approx(matched["score"].sum(), abs=1e-12)


def test_same_output_whatever_the_row_order(samples, taxonomy) -> None:
    seekers, roles = pl.read_csv(samples[0]), pl.read_csv(samples[1])
    base = matcher.match(seekers, roles, taxonomy=taxonomy)
    for seed in range(3):
        shuffled = matcher.match(
            seekers.sample(fraction=1.0, shuffle=True, seed=seed),
            roles.sample(fraction=1.0, shuffle=True, seed=seed + 10),
            taxonomy=taxonomy,
        )
        assert shuffled.matches.equals(base.matches)
        assert shuffled.alternatives.equals(base.alternatives)


def test_unmatched_seekers_get_the_constraint_that_excluded_most(sample_result) -> None:
    reasons = dict(sample_result.matches.select("seeker_id", "reason").iter_rows())
    # S010 lives in Bergen with a 30 km limit; every role is in Oslo or Copenhagen
    assert reasons["S010"].startswith("Not matched: none of the 9 roles passes")
    assert "9 are more than 30 km away" in reasons["S010"]
    # S011 speaks only Persian; every role states its languages
    assert "share no language" in reasons["S011"]


def test_lost_competition_names_the_role_and_the_cost(samples, taxonomy) -> None:
    """Two seekers, one place: the loser's reason names the winner and the exact loss."""
    seekers = pl.DataFrame({"seeker_id": ["A", "B"], "experience": ["bee breeder", "agronomist"]})
    roles = pl.DataFrame({"role_id": ["R1"], "enterprise": ["Bikuben"], "slots": [1],
                          "occupation": ["bee breeder"]})
    result = matcher.match(seekers, roles, taxonomy=taxonomy)
    rows = dict(result.matches.select("seeker_id", "role_id").iter_rows())
    assert rows == {"A": "R1", "B": None}
    alts = {s: v for s, v in result.alternatives.select("seeker_id", "score").iter_rows()}
    reason = result.matches.filter(pl.col("seeker_id") == "B")["reason"][0]
    assert "held by A" in reason
    assert f"lower the total score by {alts['A'] - alts['B']:.2f}" in reason


def test_manifest_records_settings_counts_and_hashes(sample_result) -> None:
    m = sample_result.manifest
    assert m["settings"] == matcher.MatchConfig().to_dict()
    assert m["counts"]["seekers"] == 24 and m["counts"]["roles"] == 9
    assert m["counts"]["slots"] == 17
    assert m["matched"] == sample_result.matches["role_id"].drop_nulls().len()
    assert len(m["inputs"]["seekers"]["sha256"]) == 64
    assert m["inputs"]["seekers"]["file"] == "seekers.csv"
    assert {"read", "validate", "resolve", "encode", "score", "assign", "explain"} <= set(
        m["timings_s"]
    )
    assert m["solver"]


def test_strict_mode_turns_unresolved_terms_into_errors(taxonomy) -> None:
    seekers = pl.DataFrame({"seeker_id": ["A"], "skills": ["xyzzy plugh"]})
    roles = pl.DataFrame({"role_id": ["R1"], "enterprise": ["E"], "slots": [1]})
    lenient = matcher.match(seekers, roles, taxonomy=taxonomy)
    assert str(lenient.warnings[0]).startswith(
        "seekers line 2, column 'skills': unresolved skill term"
    )
    with pytest.raises(matcher.UnresolvedTermError) as info:
        matcher.match(seekers, roles, taxonomy=taxonomy, strict=True)
    assert info.value.problems[0].value == "xyzzy plugh"


def test_result_renders_in_a_notebook(sample_result) -> None:
    html = sample_result._repr_html_()
    assert "<table" in html and "S001" in html


@pytest.mark.parametrize("term", ["syer", "lagermedarbejder", "birøkter"])
def test_ambiguous_terms_are_reported_with_the_other_candidates(taxonomy, term: str) -> None:
    from matcher.terms import AMBIGUOUS_BELOW

    seekers = pl.DataFrame({"seeker_id": ["A"], "experience": [term]})
    roles = pl.DataFrame({"role_id": ["R1"], "enterprise": ["E"], "slots": [1]})
    result = matcher.match(seekers, roles, taxonomy=taxonomy)
    res = taxonomy.resolve(term, "occupation")
    others = [s for s in res.suggestions if s != res.label]
    ambiguous = res.confidence < AMBIGUOUS_BELOW and bool(others)
    flagged = [w for w in result.warnings if w.rule.startswith("ambiguous")]
    assert bool(flagged) == ambiguous
    if flagged:
        assert f"took {res.label!r}" in flagged[0].rule
        assert repr(others[0]) in flagged[0].rule
        assert (flagged[0].line, flagged[0].column, flagged[0].value) == (2, "experience", term)
