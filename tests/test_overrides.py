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
        "endringer.csv line 4, column 'action': must be one of lock, forbid (lås, utelukk; "
        "lås, udeluk), got 'keep'",
    ]
    path.write_text("seeker_id,role_id,action\nS1,R0,Lock\nS2,R1,forbid\n")
    assert read_overrides(path) == [Override("lock", "S1", "R0", "endringer.csv", 2),
                                    Override("forbid", "S2", "R1", "endringer.csv", 3)]
    assert parse_override("S1=R=2", "lock", 3) == Override("lock", "S1", "R=2", "--lock", 3)


def test_an_overrides_file_in_norwegian_or_danish(tmp_path: Path) -> None:
    """The columns answer to the names the match knows, the actions to lås / utelukk (udeluk),
    and a problem names the column as written."""
    path = tmp_path / "endringer.csv"
    path.write_text("Løpenr;Stilling-ID;Handling\nS1;R0;Lås\nS2;R1;utelukk\nS0;R1;udeluk\n",
                    encoding="utf-8")
    assert read_overrides(path) == [Override("lock", "S1", "R0", "endringer.csv", 2),
                                    Override("forbid", "S2", "R1", "endringer.csv", 3),
                                    Override("forbid", "S0", "R1", "endringer.csv", 4)]
    path.write_text("Løpenr;Stilling-ID;Handling\nS1;R0;behold\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_overrides(path)
    assert [str(p) for p in info.value.problems] == [
        "endringer.csv line 2, column 'Handling': must be one of lock, forbid (lås, utelukk; "
        "lås, udeluk), got 'behold'"]
    path.write_text("Løpenr;Stiling-ID;Handling\nS1;R0;lås\n", encoding="utf-8")  # near miss
    with pytest.raises(InputError, match="did you mean"):
        read_overrides(path)


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


def test_a_forbidden_pair_leaves_the_alternatives_and_the_rest_keep_their_order(
    samples: tuple[Any, Any], taxonomy: matcher.Taxonomy, sample_result: matcher.MatchResult
) -> None:
    """The alternatives are what the caseworker could propose instead: a pair ruled out by hand
    is not one of them (the seeker's reason names it); the others move up one place."""
    alts = sample_result.alternatives
    full = alts.filter(alts["rank"] == 2).row(0, named=True)  # a seeker with two or more
    listed = alts.filter(alts["seeker_id"] == full["seeker_id"])
    gone = listed.filter(listed["rank"] == 1).row(0, named=True)["role_id"]
    got = matcher.match(*samples, taxonomy=taxonomy, top_k=3,
                        overrides=[Override("forbid", full["seeker_id"], gone, "--forbid")])
    again = got.alternatives.filter(got.alternatives["seeker_id"] == full["seeker_id"])
    assert gone not in set(again["role_id"])
    assert again["rank"].to_list() == list(range(1, again.height + 1))
    before = matcher.match(*samples, taxonomy=taxonomy, top_k=4).alternatives
    before = before.filter((before["seeker_id"] == full["seeker_id"]) & (before["role_id"] != gone))
    assert again["role_id"].to_list() == before["role_id"].to_list()[:3]
    # every other seeker's list is what it was without the forbid, ranks from 1
    free = matcher.match(*samples, taxonomy=taxonomy, top_k=3).alternatives
    mine = got.alternatives["seeker_id"] == full["seeker_id"]
    columns = ["seeker_id", "role_id", "rank"]
    assert got.alternatives.filter(~mine).select(columns).equals(
        free.filter(free["seeker_id"] != full["seeker_id"]).select(columns))


# -- what the reasons say about locks, forbids and the price of a missed place -----------------


@st.composite
def priority_instances(draw: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n, m = draw(st.integers(2, 6)), draw(st.integers(1, 3))
    scores = np.where(rng.random((n, m)) < 0.7, 0.25 + 0.75 * rng.random((n, m)), 0.0)
    slots = rng.integers(1, 3, size=m)
    bonus = draw(st.sampled_from([0.0, 0.1, 0.5])) * rng.integers(0, 4, size=n) / 3
    return scores, slots, bonus


@settings(max_examples=30, deadline=None)
@given(priority_instances())
def test_a_missed_place_is_priced_in_fit_and_in_the_objective_as_a_re_solve_finds(
    instance: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> None:
    """For every unmatched seeker and allowed role: forcing the pair and solving again (brute
    force) lowers the objective and the fit by exactly what the reason states."""
    from matcher.assign import dual_prices
    from matcher.explain import Choices
    from matcher.policy import objective

    scores, slots, bonus = instance
    target = objective(sp.csr_array(scores), bonus, 1.0)
    obj = target.toarray()
    role = solve(target, slots).role_of_seeker
    v = dual_prices(target, slots, role).role
    choices = Choices(target, bonus)

    def best(force: tuple[int, int] | None) -> tuple[float, float]:
        top = (-math.inf, 0.0)
        for roles in all_assignments(scores, slots):
            if force is not None and roles[force[0]] != force[1]:
                continue
            matched = [(i, j) for i, j in enumerate(roles) if j >= 0]
            top = max(top, (math.fsum(obj[i, j] for i, j in matched),
                            math.fsum(scores[i, j] for i, j in matched)))
        return top

    base_obj, base_fit = best(None)
    for i in np.flatnonzero(role < 0).tolist():
        for j in np.flatnonzero(scores[i] > 0).tolist():
            fit_loss, obj_loss = choices.fit_loss(i, j, scores[i, j], v, role)
            forced_obj, forced_fit = best((i, j))
            expected = obj_loss if obj_loss is not None else fit_loss
            assert expected == pytest.approx(base_obj - forced_obj, abs=1e-9)
            assert fit_loss == pytest.approx(base_fit - forced_fit, abs=1e-9)
            assert (obj_loss is None) == (not bonus.any())


@pytest.fixture(scope="module")
def small_batch() -> tuple[Any, Any]:
    from test_explain import ROLES, SEEKERS

    return SEEKERS, ROLES


def test_a_forbidden_role_is_never_offered_as_the_best_one(
    small_batch: tuple[Any, Any], taxonomy: matcher.Taxonomy
) -> None:
    seekers, roles = small_batch
    base = matcher.match(seekers, roles, taxonomy=taxonomy)
    reason = dict(base.matches.select("seeker_id", "reason").iter_rows())["A7"]
    assert "The best is R3 'Kjøkkenhjelp'" in reason  # the role the tests below forbid
    one = matcher.match(seekers, roles, taxonomy=taxonomy,
                        overrides=[Override("forbid", "A7", "R3", "--forbid")])
    reason = dict(one.matches.select("seeker_id", "reason").iter_rows())["A7"]
    assert "The best is R3" not in reason
    assert reason.startswith("Not matched: 2 roles fit, but each went to someone")
    assert reason.endswith("; R3 'Kjøkkenhjelp' at Kafé Inkludert was ruled out by hand.")
    fitting = base.alternatives.filter(base.alternatives["seeker_id"] == "A7")["role_id"]
    every = [Override("forbid", "A7", r, "--forbid") for r in fitting]
    for lang, expected in (
        ("en", "Not matched: 3 roles fit, but each was ruled out by hand: R3 'Kjøkkenhjelp' at "
               "Kafé Inkludert, "),
        ("nb", "Ingen stilling foreslått. 3 stillinger passer, men veilederen har utelukket "
               "alle: R3 «Kjøkkenhjelp» hos Kafé Inkludert, "),
        ("da", "Ingen stilling foreslået. 3 stillinger passer, men sagsbehandleren har "
               "udelukket dem alle: R3 »Kjøkkenhjelp« hos Kafé Inkludert, "),
    ):
        got = matcher.match(seekers, roles, taxonomy=taxonomy, overrides=every, lang=lang)
        assert dict(got.matches.select("seeker_id", "reason").iter_rows())["A7"].startswith(
            expected)


def test_a_locked_match_says_it_was_locked_by_hand_and_what_it_cost(
    small_batch: tuple[Any, Any], taxonomy: matcher.Taxonomy
) -> None:
    seekers, roles = small_batch
    heads = {"en": "Locked by hand to R3 'Kjøkkenhjelp' at Kafé Inkludert (score 0.59): "
                   "without the lock the total score would be {} higher; ",
             "nb": "Låst av veileder til R3 «Kjøkkenhjelp» hos Kafé Inkludert (skår 0,59). "
                   "Uten låsen ville den samlede skåren vært {} høyere. ",
             "da": "Låst af sagsbehandleren til R3 »Kjøkkenhjelp« hos Kafé Inkludert (score "
                   "0,59). Uden låsen ville den samlede score have været {} højere. "}
    for lang, head in heads.items():
        got = matcher.match(seekers, roles, taxonomy=taxonomy, lang=lang,
                            overrides=[Override("lock", "A7", "R3")])
        (item,) = got.manifest["overrides"]
        assert item["cost"] > 0.005 and "objective_cost" not in item
        cost = f"{item['cost']:.2f}".replace(".", "." if lang == "en" else ",")
        reasons = dict(got.matches.select("seeker_id", "reason").iter_rows())
        assert reasons["A7"].startswith(head.format(cost))
        assert not reasons["A8"].startswith(head[:6])  # nobody else reads as locked


def test_under_priority_an_override_is_priced_in_fit_with_the_objective_beside_it(
    samples: tuple[Any, Any], taxonomy: matcher.Taxonomy
) -> None:
    seekers, roles = samples
    free = matcher.match(seekers, roles, taxonomy=taxonomy, policy="priority",
                         priority_weight=0.5)
    taken = free.matches.filter(free.matches["role_id"].is_not_null()).row(0, named=True)
    change = Override("forbid", taken["seeker_id"], taken["role_id"], "--forbid")
    got = matcher.match(seekers, roles, taxonomy=taxonomy, policy="priority",
                        priority_weight=0.5, overrides=[change])
    m = got.manifest
    (item,) = m["overrides"]
    assert item["cost"] == pytest.approx(free.total_score - got.total_score, abs=1e-12)
    assert item["objective_cost"] == pytest.approx(
        free.manifest["objective_total"] - m["objective_total"], abs=1e-12)
    assert m["overrides_cost"] == item["cost"]
    assert m["overrides_objective_cost"] == item["objective_cost"]
    assert item["cost"] != pytest.approx(item["objective_cost"], abs=1e-6)
    summary = dict(got.summary().iter_rows())
    assert summary["Total fit plus priority"] == f"{m['objective_total']:.4f}"
    assert summary["Changes made by hand, cost in fit"] == f"{item['cost']:.4f}"
    assert summary["Changes made by hand, cost with priority counted"] == (
        f"{item['objective_cost']:.4f}")
