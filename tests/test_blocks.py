"""Blocks scored only against the roles they can reach: the same candidate graph and reasons
as scoring every role, when seekers and roles are spread over the country."""

from __future__ import annotations

import dataclasses

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_score import random_batch

import matcher
import matcher.api
import matcher.score
from matcher.score import CandidateGraph


def _spread(frame: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Move located rows to towns from Kristiansand to Alta, some of them close together."""
    towns = np.array([[58.15, 8.0], [59.91, 10.75], [60.39, 5.32], [63.43, 10.39],
                      [69.65, 18.96], [69.97, 23.27]])
    pick = rng.integers(0, len(towns), frame.height)
    jitter = rng.normal(0.0, 0.15, (frame.height, 2))
    located = frame.get_column("lat").is_not_null().to_numpy()
    lat = np.where(located, towns[pick, 0] + jitter[:, 0], np.nan)
    lon = np.where(located, towns[pick, 1] + jitter[:, 1], np.nan)
    return frame.with_columns(pl.Series("lat", lat).fill_nan(None),
                              pl.Series("lon", lon).fill_nan(None))


def _run(seekers, roles, taxonomy, monkeypatch, *, every_role: bool, **settings_):
    graphs: list[CandidateGraph] = []
    original = matcher.score.score_pairs

    def spy(*args, **kwargs):
        graphs.append(original(*args, **kwargs))
        return graphs[-1]

    with monkeypatch.context() as m:
        m.setattr(matcher.api, "score_pairs", spy)
        if every_role:  # the reference: every block scored against every role
            m.setattr(matcher.score._Columns, "of", lambda self, *a: self.all)
        result = matcher.match(seekers, roles, taxonomy=taxonomy, top_k=3, **settings_)
    return result, graphs[0]


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), block=st.integers(1, 4), k=st.sampled_from([0, 2]))
def test_reachable_columns_give_the_graph_of_every_column(
    seed: int, block: int, k: int, taxonomy: matcher.Taxonomy, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(seed)
    seekers, roles = random_batch(rng, 14, 12)
    seekers, roles = _spread(seekers, rng), _spread(roles, rng)
    got, graph = _run(seekers, roles, taxonomy, monkeypatch, every_role=False,
                      block_size=block, candidates=k, role_candidates=2)
    want, reference = _run(seekers, roles, taxonomy, monkeypatch, every_role=True,
                           block_size=block, candidates=k, role_candidates=2)
    for field in dataclasses.fields(CandidateGraph):
        a, b = getattr(graph, field.name), getattr(reference, field.name)
        if hasattr(a, "toarray"):
            assert (a != b).nnz == 0, field.name
            assert np.array_equal(a.indices, b.indices), field.name
        else:
            assert np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True), field.name
    assert got.matches.equals(want.matches)
    assert got.alternatives.equals(want.alternatives)
    assert got.manifest["optimality"] == want.manifest["optimality"]


def test_a_block_far_from_every_role_still_names_the_best_excluded_one(
    taxonomy: matcher.Taxonomy,
) -> None:
    """Seekers in Alta, roles in Oslo: no role is scored densely for them, yet the reason
    names the best-scoring role and says it is too far away."""
    seekers = pl.DataFrame({"seeker_id": ["S1"], "experience": ["kokk"], "lat": [69.97],
                            "lon": [23.27], "max_distance_km": [30.0]})
    roles = pl.DataFrame({"role_id": ["R1", "R2"], "enterprise": ["A", "B"],
                          "occupation": ["renholder", "kokk"], "slots": [1, 1],
                          "lat": [59.91, 59.92], "lon": [10.75, 10.76]})
    result, graph = _run(seekers, roles, taxonomy, pytest.MonkeyPatch(), every_role=False)
    assert graph.best_excluded.tolist() == [1]
    assert graph.best_excluded_by[0].tolist() == [True, False, False, False]
    assert graph.excluded[0].tolist() == [2, 0, 0, 0]
    reason = result.matches.get_column("reason")[0]
    assert "R2" in reason and "R1" not in reason


def test_one_thread_scores_every_block_as_two_do(
    taxonomy: matcher.Taxonomy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many blocks of one seeker each: scored on one thread (a one-core machine) or on two,
    the candidate graph and the outputs are the same."""
    rng = np.random.default_rng(11)
    seekers, roles = random_batch(rng, 9, 12)
    seekers, roles = _spread(seekers, rng), _spread(roles, rng)
    two, graph_two = _run(seekers, roles, taxonomy, monkeypatch, every_role=False, block_size=1)
    monkeypatch.setattr(matcher.score, "_THREADS", 1)
    one, graph_one = _run(seekers, roles, taxonomy, monkeypatch, every_role=False, block_size=1)
    assert (graph_one.scores != graph_two.scores).nnz == 0
    assert np.array_equal(graph_one.excluded, graph_two.excluded)
    assert one.matches.equals(two.matches)
    assert one.alternatives.equals(two.alternatives)


def test_pruned_pairs_are_not_listed_from_a_graph_without_its_cut(taxonomy, monkeypatch) -> None:
    """The certificate rests on the pairs pruned_blocks lists: from a graph that lacks the
    first pass's cut it would list none, and a pruned optimum would pass as certified."""
    seekers, roles = random_batch(np.random.default_rng(5), 30, 12)
    calls: list[tuple] = []
    original = matcher.score.score_pairs

    def spy(*args, **kwargs):
        calls.append((args, kwargs, original(*args, **kwargs)))
        return calls[-1][2]

    with monkeypatch.context() as m:
        m.setattr(matcher.api, "score_pairs", spy)
        matcher.match(seekers, roles, taxonomy=taxonomy, candidates=1, role_candidates=0)
    (vectors, roles_vec, concepts, config), kwargs, graph = calls[0][0][:4], calls[0][1], \
        calls[0][2]
    floors = (np.full(len(seekers), -1.0), np.zeros(len(roles)))  # every pruned pair
    listed = list(matcher.score.pruned_blocks(vectors, roles_vec, concepts, config, graph,
                                              floors, pinned=kwargs.get("pinned")))
    assert sum(len(p.seeker) for p in listed) > 0  # the premise: pairs were pruned
    uncut = dataclasses.replace(graph, cut_score=None)
    with pytest.raises(ValueError, match="no cut_score and cut_role"):
        list(matcher.score.pruned_blocks(vectors, roles_vec, concepts, config, uncut, floors))
