"""Tests of locks and forbids: honoured, the rest still optimal (brute force), errors named."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from test_assign import all_assignments

import matcher
from matcher.assign import solve
from matcher.cli.base import cli
from matcher.errors import InputError
from matcher.policy import Override, parse_override, read_overrides, restrict

SEEKERS = [f"S{i}" for i in range(6)]
ROLES = [f"R{j}" for j in range(4)]


def brute_with(scores: np.ndarray, slots: np.ndarray, locks: dict[int, int],
               forbids: set[tuple[int, int]]) -> float:
    """The best total over every assignment that keeps the locks and avoids the forbids."""
    best = -math.inf
    for roles in all_assignments(scores, slots):
        if any(roles[i] != j for i, j in locks.items()):
            continue
        if any(roles[i] == j for i, j in forbids):
            continue
        best = max(best, math.fsum(scores[i, j] for i, j in enumerate(roles) if j >= 0))
    return best


@st.composite
def instances_with_overrides(draw: Any) -> tuple[np.ndarray, np.ndarray, list[Override]]:
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n, m = draw(st.integers(1, 6)), draw(st.integers(1, 4))
    scores = np.where(rng.random((n, m)) < 0.6, 0.25 + 0.75 * rng.random((n, m)), 0.0)
    slots = rng.integers(1, 3, size=m)
    room = slots.copy()
    overrides: list[Override] = []
    for i in range(n):
        allowed = np.flatnonzero(scores[i] > 0)
        if allowed.size and rng.random() < 0.3:
            j = int(rng.choice(allowed))
            if room[j] > 0:
                room[j] -= 1
                overrides.append(Override("lock", SEEKERS[i], ROLES[j]))
                continue
        for j in allowed:
            if rng.random() < 0.25:
                overrides.append(Override("forbid", SEEKERS[i], ROLES[int(j)], "--forbid"))
    return scores, slots, overrides


@settings(max_examples=80, deadline=None)
@given(instances_with_overrides())
def test_locks_and_forbids_are_honoured_and_the_rest_is_optimal(
    instance: tuple[np.ndarray, np.ndarray, list[Override]]
) -> None:
    scores, slots, overrides = instance
    n, m = scores.shape
    plan = restrict(sp.csr_array(scores), slots, overrides, SEEKERS[:n], ROLES[:m])
    roles = plan.combine(solve(plan.candidates, plan.slots).role_of_seeker)
    locks = {SEEKERS.index(o.seeker_id): ROLES.index(o.role_id)
             for o in overrides if o.kind == "lock"}
    forbids = {(SEEKERS.index(o.seeker_id), ROLES.index(o.role_id))
               for o in overrides if o.kind == "forbid"}
    assert all(roles[i] == j for i, j in locks.items())
    assert not any(roles[i] == j for i, j in forbids)
    matched = np.flatnonzero(roles >= 0)
    assert (scores[matched, roles[matched]] > 0).all()
    assert (np.bincount(roles[matched], minlength=m) <= slots).all()
    total = math.fsum(scores[i, roles[i]] for i in matched)
    assert total == pytest.approx(brute_with(scores, slots, locks, forbids), abs=1e-9)


SCORES = sp.csr_array(np.array([[0.9, 0.0], [0.8, 0.5], [0.0, 0.7]]))
SLOTS = np.array([1, 1])


@pytest.mark.parametrize(("overrides", "message"), [
    ([Override("lock", "S9", "R0")], "--lock line 1, column 'seeker_id': must name a job-seeker "
                                     "in seekers.csv, got 'S9'"),
    ([Override("forbid", "S0", "R7", "--forbid", 2)],
     "--forbid line 2, column 'role_id': must name a role in roles.csv, got 'R7'"),
    ([Override("lock", "S0", "R1")], "--lock line 1: a lock must name an allowed pair; this one "
                                     "breaks a hard constraint or scores below min_score, "
                                     "got 'S0=R1'"),
    ([Override("lock", "S0", "R0"), Override("lock", "S1", "R0", "--lock", 2)],
     "--lock line 2, column 'role_id': locks more job-seekers into role 'R0' than its 1 place(s), "
     "got 'R0'"),
    ([Override("lock", "S1", "R0"), Override("lock", "S1", "R1", "--lock", 2)],
     "--lock line 2, column 'seeker_id': the job-seeker is already locked to a role (line 1), "
     "got 'S1'"),
    ([Override("lock", "S1", "R0"), Override("forbid", "S1", "R0", "--forbid", 1)],
     "--forbid line 1: the pair is both locked and forbidden (line 1), got 'S1=R0'"),
])
def test_a_bad_override_is_an_error_naming_it(overrides: list[Override], message: str) -> None:
    with pytest.raises(InputError) as info:
        restrict(SCORES, SLOTS, overrides, ["S0", "S1", "S2"], ["R0", "R1"],
                 seeker_file="seekers.csv", role_file="roles.csv")
    assert str(info.value.problems[0]) == message


def test_overrides_file_names_file_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "endringer.csv"
    path.write_text("seeker_id,role_id,action\nS1,R0,LOCK\nS2,,forbid\nS0,R1,keep\n")
    with pytest.raises(InputError) as info:
        read_overrides(path)
    assert [str(p) for p in info.value.problems] == [
        "endringer.csv line 3, column 'role_id': must not be empty",
        "endringer.csv line 4, column 'action': must be one of lock, forbid, got 'keep'",
    ]
    path.write_text("seeker_id,role_id,action\nS1,R0,Lock\nS2,R1,forbid\n")
    assert read_overrides(path) == [Override("lock", "S1", "R0", "endringer.csv", 2),
                                    Override("forbid", "S2", "R1", "endringer.csv", 3)]
    assert parse_override("S1=R=2", "lock", 3) == Override("lock", "S1", "R=2", "--lock", 3)


def test_match_honours_overrides_and_prices_each_one(
    samples: tuple[Any, Any], taxonomy: matcher.Taxonomy, sample_result: matcher.MatchResult
) -> None:
    seekers, roles = samples
    base = sample_result.matches
    # lock an unmatched seeker into an allowed role, forbid a proposed pair
    alts = sample_result.alternatives
    unmatched = set(base.filter(base["role_id"].is_null())["seeker_id"])
    lock = alts.filter(alts["seeker_id"].is_in(list(unmatched))).row(0, named=True)
    taken = base.filter(base["role_id"].is_not_null()).row(0, named=True)
    changes = [Override("lock", lock["seeker_id"], lock["role_id"]),
               Override("forbid", taken["seeker_id"], taken["role_id"], "--forbid")]
    got = matcher.match(seekers, roles, taxonomy=taxonomy, overrides=changes)
    rows = dict(got.matches.select("seeker_id", "role_id").iter_rows())
    assert rows[lock["seeker_id"]] == lock["role_id"]
    assert rows[taken["seeker_id"]] != taken["role_id"]
    m = got.manifest
    assert m["optimality"]["certified"]
    free = sample_result.total_score
    assert m["overrides_cost"] == pytest.approx(free - got.total_score, abs=1e-12)
    assert m["overrides_cost"] > 0
    for item, other in zip(m["overrides"], reversed(changes), strict=True):
        alone = matcher.match(seekers, roles, taxonomy=taxonomy, overrides=[other])
        assert item["cost"] == pytest.approx(alone.total_score - got.total_score, abs=1e-12)


def test_cli_lock_that_breaks_a_rule_exits_2_and_writes_nothing(
    samples: tuple[Any, Any], tmp_path: Path
) -> None:
    seekers, roles = samples
    out = tmp_path / "m.csv"
    res = CliRunner().invoke(cli, ["match", str(seekers), str(roles), "--out", str(out),
                                   "--lock", "S001=R99"])
    assert res.exit_code == 2
    assert "--lock line 1, column 'role_id': must name a role in roles.csv, got 'R99'" in res.output
    assert not out.exists()
    res = CliRunner().invoke(cli, ["match", str(seekers), str(roles), "--out", str(out),
                                   "--forbid", "S002", "--lock", "=R01"])
    assert res.exit_code == 2
    assert "--forbid line 1: must be SEEKER=ROLE (two ids joined by '='), got 'S002'" in res.output
    assert "--lock line 1: must be SEEKER=ROLE" in res.output
    assert not out.exists()
