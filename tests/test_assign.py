"""Tests of matcher.assign: against brute force and scipy, properties, pinned examples, inputs."""

from __future__ import annotations

import doctest
import itertools
import math
from collections.abc import Iterator
from dataclasses import FrozenInstanceError
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

import matcher.assign.certificate
import matcher.assign.dense
import matcher.assign.greedy
from matcher.assign import (
    Assignment,
    certify,
    check_assignment,
    dual_prices,
    freeing_cost,
    solve,
    solve_dense,
    solve_greedy,
    solve_sparse,
)

TOL = 1e-9


# --- independent references -----------------------------------------------------------------


def all_assignments(scores: np.ndarray, slots: np.ndarray) -> Iterator[tuple[int, ...]]:
    """Every way to give each seeker an allowed role or none, within capacity."""
    n_seekers, n_roles = scores.shape
    room = [int(s) for s in slots]
    chosen: list[int] = []

    def extend(i: int) -> Iterator[tuple[int, ...]]:
        if i == n_seekers:
            yield tuple(chosen)
            return
        for j in [-1, *range(n_roles)]:
            if j >= 0 and (scores[i, j] <= 0 or room[j] == 0):
                continue
            if j >= 0:
                room[j] -= 1
            chosen.append(j)
            yield from extend(i + 1)
            chosen.pop()
            if j >= 0:
                room[j] += 1

    return extend(0)


def total_of(scores: np.ndarray, roles: tuple[int, ...] | np.ndarray) -> float:
    return math.fsum(scores[i, j] for i, j in enumerate(roles) if j >= 0)


def brute_optimum(scores: np.ndarray, slots: np.ndarray) -> float:
    return max(total_of(scores, roles) for roles in all_assignments(scores, slots))


def reference_total(scores: np.ndarray, slots: np.ndarray) -> float:
    """Plain linear_sum_assignment on the untrimmed seekers x slot-columns matrix."""
    columns = scores[:, np.repeat(np.arange(slots.size), slots)]
    if columns.size == 0:
        return 0.0
    rows, cols = linear_sum_assignment(columns, maximize=True)
    return float(columns[rows, cols].sum())


def assert_feasible(scores: np.ndarray, slots: np.ndarray, a: Assignment) -> None:
    roles = a.role_of_seeker
    assert roles.shape == (scores.shape[0],)  # one entry per seeker: each at most once
    assert roles.dtype == np.int64
    assert ((roles >= -1) & (roles < scores.shape[1])).all()
    matched = np.flatnonzero(roles >= 0)
    assert (scores[matched, roles[matched]] > 0).all()  # only allowed pairs
    assert (np.bincount(roles[matched], minlength=scores.shape[1]) <= slots).all()
    assert a.total == math.fsum(scores[matched, roles[matched]].tolist())


# --- instances ---------------------------------------------------------------------------------


def random_instance(
    seed: int, n_seekers: int, n_roles: int, density: float, ties: bool, max_slots: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    allowed = rng.random((n_seekers, n_roles)) < density
    values = rng.integers(1, 6, size=allowed.shape) / 5 if ties else 1.0 - rng.random(allowed.shape)
    scores = np.where(allowed, values, 0.0)
    slots = rng.integers(1, max_slots + 1, size=n_roles).astype(np.int64)
    return scores, slots


@st.composite
def small_instances(draw: Any) -> tuple[np.ndarray, np.ndarray]:
    return random_instance(
        draw(st.integers(0, 2**32 - 1)),
        draw(st.integers(0, 6)),
        draw(st.integers(0, 4)),
        draw(st.sampled_from([0.3, 0.6, 1.0])),
        draw(st.booleans()),
    )


@st.composite
def medium_instances(draw: Any) -> tuple[np.ndarray, np.ndarray]:
    return random_instance(
        draw(st.integers(0, 2**32 - 1)),
        draw(st.integers(0, 40)),
        draw(st.integers(0, 12)),
        draw(st.sampled_from([0.1, 0.3, 0.7])),
        draw(st.booleans()),
        max_slots=4,
    )


def csr(scores: np.ndarray) -> Any:
    return sp.csr_array(scores)


# --- against brute force -----------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(small_instances())
def test_dense_equals_brute_force(instance: tuple[np.ndarray, np.ndarray]) -> None:
    scores, slots = instance
    a = solve_dense(csr(scores), slots)
    assert_feasible(scores, slots, a)
    assert a.total == pytest.approx(brute_optimum(scores, slots), abs=TOL)
    assert a.solver == "dense"


@settings(max_examples=300, deadline=None)
@given(small_instances())
def test_freeing_cost_equals_brute_force(instance: tuple[np.ndarray, np.ndarray]) -> None:
    scores, slots = instance
    a = solve_dense(csr(scores), slots)
    d = freeing_cost(csr(scores), slots, a.role_of_seeker)
    assert d.shape == slots.shape and d.dtype == np.float64

    options = [(roles, total_of(scores, roles)) for roles in all_assignments(scores, slots)]
    optimum = max(total for _, total in options)
    load = np.bincount(a.role_of_seeker[a.role_of_seeker >= 0], minlength=slots.size)
    for j in range(slots.size):
        # One place fewer in j: the best assignment with at most slots[j] - 1 seekers there.
        fewer = max(total for roles, total in options if roles.count(j) < slots[j])
        assert d[j] == pytest.approx(optimum - fewer, abs=TOL)
        if load[j] < slots[j]:
            assert d[j] == 0.0
    for i in np.flatnonzero(a.role_of_seeker < 0):
        for role in np.flatnonzero(scores[i] > 0):
            forced = max(total for roles, total in options if roles[i] == role)
            assert d[role] - scores[i, role] == pytest.approx(optimum - forced, abs=TOL)


@settings(max_examples=300, deadline=None)
@given(small_instances(), st.integers(0, 2**32 - 1))
def test_certificate_is_exact(instance: tuple[np.ndarray, np.ndarray], seed: int) -> None:
    """check_assignment passes a feasible assignment if and only if it is optimal."""
    scores, slots = instance
    options = list(all_assignments(scores, slots))
    optimum = max(total_of(scores, roles) for roles in options)
    rng = np.random.default_rng(seed)
    for k in rng.permutation(len(options))[:25]:
        roles = options[k]
        total = total_of(scores, roles)
        problems = check_assignment(csr(scores), slots, Assignment(np.array(roles), total, "test"))
        assert (problems == []) == (total >= optimum - TOL), (roles, problems)
        assert all(p.startswith("optimality:") for p in problems)


# --- properties on random instances ------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(medium_instances())
def test_dense_properties(instance: tuple[np.ndarray, np.ndarray]) -> None:
    scores, slots = instance
    a = solve_dense(csr(scores), slots)
    g = solve_greedy(csr(scores), slots)
    assert_feasible(scores, slots, a)
    assert_feasible(scores, slots, g)
    assert a.total >= g.total - TOL
    assert a.total == pytest.approx(reference_total(scores, slots), abs=TOL)
    assert check_assignment(csr(scores), slots, a) == []
    # The certificate flags greedy exactly when greedy is worse.
    greedy_problems = check_assignment(csr(scores), slots, g)
    assert (greedy_problems == []) == (g.total >= a.total - TOL), greedy_problems
    d = freeing_cost(csr(scores), slots, a.role_of_seeker)
    assert (d >= 0).all()


@settings(max_examples=300, deadline=None)
@given(medium_instances(), st.integers(0, 2**32 - 1))
def test_invariant_to_permutations(instance: tuple[np.ndarray, np.ndarray], seed: int) -> None:
    scores, slots = instance
    rng = np.random.default_rng(seed)
    rows, cols = rng.permutation(scores.shape[0]), rng.permutation(scores.shape[1])
    a = solve_dense(csr(scores), slots)
    b = solve_dense(csr(scores[rows][:, cols]), slots[cols])
    assert b.total == pytest.approx(a.total, abs=TOL)
    # Permuted back, b is an equally good assignment of the original problem.
    back = np.full(scores.shape[0], -1, dtype=np.int64)
    matched = b.role_of_seeker >= 0
    back[rows[matched]] = cols[b.role_of_seeker[matched]]
    back_total = total_of(scores, back)
    assert back_total == pytest.approx(a.total, abs=TOL)
    assert check_assignment(csr(scores), slots, Assignment(back, back_total, "back")) == []


@settings(max_examples=50, deadline=None)
@given(medium_instances())
def test_deterministic(instance: tuple[np.ndarray, np.ndarray]) -> None:
    scores, slots = instance
    assert solve_dense(csr(scores), slots) == solve_dense(csr(scores), slots)
    assert solve_greedy(csr(scores), slots) == solve_greedy(csr(scores), slots)


# --- pinned examples ---------------------------------------------------------------------------

# Seeker 0 is the best fit for role 0 but nearly as good for role 1; seeker 1 fits role 0 only.
# Greedy gives role 0 to seeker 0 (total 1.0); the optimum moves seeker 0 to role 1 (1.7).
GREEDY_TRAP = np.array([[1.0, 0.9], [0.8, 0.0]])
TWO_SLOTS = np.array([1, 1])


def test_pinned_greedy_is_worse_and_flagged() -> None:
    g = solve_greedy(csr(GREEDY_TRAP), TWO_SLOTS)
    a = solve_dense(csr(GREEDY_TRAP), TWO_SLOTS)
    assert g.role_of_seeker.tolist() == [0, -1] and g.total == 1.0
    assert a.role_of_seeker.tolist() == [1, 0] and a.total == pytest.approx(1.7)
    assert check_assignment(csr(GREEDY_TRAP), TWO_SLOTS, a) == []
    assert check_assignment(csr(GREEDY_TRAP), TWO_SLOTS, g) == [
        "optimality: unmatched seeker 1 could take role 0 (score 0.8) at a cost of 0.1 to the "
        "others, raising the total by 0.7 (1 such pair)"
    ]
    with pytest.raises(ValueError) as err:
        freeing_cost(csr(GREEDY_TRAP), TWO_SLOTS, g.role_of_seeker)
    assert str(err.value) == (
        "The 'role_of_seeker' parameter of freeing_cost must be a feasible, optimal assignment "
        "for these candidates and slots (see check_assignment). Got one that breaks optimality: "
        "unmatched seeker 1 could take role 0 (score 0.8) at a cost of 0.1 to the others, "
        "raising the total by 0.7 (1 such pair) instead."
    )


def test_pinned_freeing_cost() -> None:
    scores = np.array([[1.0, 0.9], [0.8, 0.0], [0.3, 0.0]])
    a = solve_dense(csr(scores), TWO_SLOTS)
    assert a.role_of_seeker.tolist() == [1, 0, -1]
    d = freeing_cost(csr(scores), TWO_SLOTS, a.role_of_seeker)
    # Role 0: seeker 1 leaves (0.8). Role 1: seeker 0 moves to role 0, pushing seeker 1 out
    # (0.9 - 1.0 + 0.8 = 0.7), cheaper than seeker 0 leaving (0.9).
    assert d == pytest.approx([0.8, 0.7])
    # Forcing seeker 2 into role 0 costs 0.8 - 0.3 = 0.5: the best such assignment is 0.9 + 0.3.
    assert a.total - (0.9 + 0.3) == pytest.approx(d[0] - scores[2, 0])


def test_pinned_negative_cycle_is_flagged() -> None:
    scores = np.array([[0.1, 0.9], [0.9, 0.1]])
    swapped = Assignment(np.array([0, 1]), 0.2, "test")
    assert check_assignment(csr(scores), TWO_SLOTS, swapped) == [
        "optimality: moving seekers round the roles [0, 1] raises the total (a negative cycle "
        "in the residual graph)"
    ] or check_assignment(csr(scores), TWO_SLOTS, swapped) == [
        "optimality: moving seekers round the roles [1, 0] raises the total (a negative cycle "
        "in the residual graph)"
    ]


def test_pinned_move_to_free_place_is_flagged() -> None:
    scores = np.array([[0.5, 0.7]])
    stuck = Assignment(np.array([0]), 0.5, "test")
    assert check_assignment(csr(scores), TWO_SLOTS, stuck) == [
        "optimality: moving seeker 0 out of role 0 along the roles [0, 1] to a free place raises "
        "the total by 0.2 (1 such role)"
    ]


def test_feasibility_problems_are_reported() -> None:
    scores = np.array([[1.0, 0.0], [1.0, 0.5], [1.0, 0.0]])
    c = csr(scores)
    assert check_assignment(c, TWO_SLOTS, Assignment(np.array([0, 0, 1]), 2.0, "test")) == [
        "only stored pairs: seeker 2 is placed in role 1, which is not an allowed pair "
        "(1 such seeker)",
        "capacity: role 0 holds 2 seekers but has 1 slots (1 such role)",
    ]
    assert check_assignment(c, TWO_SLOTS, Assignment(np.array([0, 1]), 1.5, "test")) == [
        "each seeker at most once: role_of_seeker must hold one entry per seeker, shape (3,); "
        "got shape (2,)"
    ]
    assert check_assignment(c, TWO_SLOTS, Assignment(np.array([0, 2, -1]), 1.0, "test")) == [
        "role indices: every entry must be -1 or a role in [0, 2); got 2 for seeker 1 "
        "(1 such seeker)"
    ]
    assert check_assignment(c, TWO_SLOTS, Assignment(np.array([0, 1, -1]), 1.4, "test")) == [
        "total: the assignment says 1.4 but its scores sum to 1.5"
    ]
    with pytest.raises(ValueError, match="Got one that breaks capacity: role 0 holds 2"):
        freeing_cost(c, TWO_SLOTS, np.array([0, 0, -1]))


# --- edge cases --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "slots"),
    [
        (np.zeros((0, 3)), np.array([1, 2, 1])),  # no seekers
        (np.zeros((4, 0)), np.array([], dtype=np.int64)),  # no roles
        (np.zeros((4, 0)), []),  # no roles, slots as a plain empty list
        (np.zeros((3, 2)), np.array([1, 1])),  # no allowed pairs
        (np.zeros((0, 0)), np.zeros(0, dtype=np.int64)),  # nothing at all
    ],
)
def test_nothing_to_assign(scores: np.ndarray, slots: Any) -> None:
    for method in (solve_dense, solve_greedy, solve_sparse, solve):
        a = method(csr(scores), slots)
        assert a.role_of_seeker.tolist() == [-1] * scores.shape[0]
        assert a.total == 0.0
        assert check_assignment(csr(scores), slots, a) == []
    d = freeing_cost(csr(scores), slots, np.full(scores.shape[0], -1))
    assert d.tolist() == [0.0] * scores.shape[1]


def test_one_role_with_more_slots_than_seekers() -> None:
    scores = np.array([[0.4], [0.6], [0.2]])
    slots = np.array([10])
    a = solve_dense(csr(scores), slots)
    assert a.role_of_seeker.tolist() == [0, 0, 0]
    assert a.total == pytest.approx(1.2)
    assert freeing_cost(csr(scores), slots, a.role_of_seeker).tolist() == [0.0]


def test_all_scores_equal_is_deterministic() -> None:
    scores = np.full((7, 3), 0.5)
    slots = np.array([2, 1, 2])
    first = solve_dense(csr(scores), slots)
    assert first.n_matched == 5 and first.total == 2.5
    for _ in range(3):
        assert solve_dense(csr(scores), slots) == first
    assert check_assignment(csr(scores), slots, first) == []
    # With every score equal, any holder can be swapped for an unmatched seeker at no cost.
    d = freeing_cost(csr(scores), slots, first.role_of_seeker)
    assert d.tolist() == [0.5, 0.5, 0.5]
    g = solve_greedy(csr(scores), slots)
    assert g.role_of_seeker.tolist() == [0, 0, 1, 2, 2, -1, -1]


@pytest.mark.parametrize("kind", [sp.csr_array, sp.csr_matrix])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64])
def test_accepts_csr_array_and_matrix_of_any_real_dtype(kind: Any, dtype: Any) -> None:
    scores = np.array([[3, 1, 0], [2, 0, 1], [0, 4, 2]], dtype=dtype)
    slots = [1, 2, 1]
    a = solve_dense(kind(scores), slots)
    assert a.total == 8.0  # seekers 0, 1, 2 in roles 0, 2, 1: 3 + 1 + 4
    assert a.total == brute_optimum(scores.astype(np.float64), np.array(slots))
    assert check_assignment(kind(scores), slots, a) == []
    assert freeing_cost(kind(scores), slots, a.role_of_seeker).shape == (3,)
    assert solve_greedy(kind(scores), slots).total <= a.total


def test_duplicate_entries_are_summed_as_scipy_does() -> None:
    c = sp.csr_array(
        (np.array([0.25, 0.5, 0.5]), np.array([0, 0, 1]), np.array([0, 2, 3])), shape=(2, 2)
    )
    a = solve_dense(c, TWO_SLOTS)
    assert a.role_of_seeker.tolist() == [0, 1]
    assert a.total == 1.25
    assert check_assignment(c, TWO_SLOTS, a) == []
    # Unsorted indices with duplicates: seeker 0 has role 1 at 0.5 and role 0 at 0.25 + 0.5.
    unsorted = sp.csr_array(
        (np.array([0.5, 0.25, 0.5]), np.array([1, 0, 0]), np.array([0, 3, 3])), shape=(2, 2)
    )
    for method in (solve_dense, solve_greedy, solve_sparse, solve):
        a = method(unsorted, TWO_SLOTS)
        assert a.role_of_seeker.tolist() == [0, -1]
        assert a.total == 0.75
        assert check_assignment(unsorted, TWO_SLOTS, a) == []
    assert freeing_cost(unsorted, TWO_SLOTS, np.array([0, -1])).tolist() == [0.25, 0.0]
    # The caller's arrays are left as they were.
    assert unsorted.data.tolist() == [0.5, 0.25, 0.5]
    assert unsorted.indices.tolist() == [1, 0, 0]


def test_input_is_not_modified() -> None:
    scores = np.array([[1.0, 0.9], [0.8, 0.0]])
    c = csr(scores)
    slots = np.array([1, 1])
    solve_dense(c, slots)
    solve_greedy(c, slots)
    freeing_cost(c, slots, np.array([1, 0]))
    assert (c.toarray() == scores).all() and slots.tolist() == [1, 1]


def test_assignment_record() -> None:
    a = Assignment(np.array([1, -1, 0]), 1.5, "dense")
    assert a.role_of_seeker.dtype == np.int64
    assert a.n_matched == 2
    with pytest.raises(FrozenInstanceError):
        a.total = 2.0  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        a.role_of_seeker[0] = 3
    assert a == Assignment(np.array([1, -1, 0]), 1.5, "dense")
    assert a != Assignment(np.array([1, -1, 1]), 1.5, "dense")
    with pytest.raises(ValueError) as err:
        Assignment(np.array([0.5]), 0.0, "x")
    assert str(err.value) == (
        "The 'role_of_seeker' parameter of Assignment must be an int array (-1 = unmatched) of "
        "shape (n_seekers,). Got an array of shape (1,) and dtype float64 instead."
    )


# --- bad inputs --------------------------------------------------------------------------------

CANDIDATES = (
    "The 'candidates' parameter of {owner} must be a scipy.sparse CSR matrix (csr_array or "
    "csr_matrix) of shape (n_seekers, n_roles). Got {got} instead."
)
STORED = (
    "The 'candidates' parameter of {owner} must be a CSR matrix whose stored entries are finite "
    "scores > 0 (leave forbidden pairs unstored). Got {got} instead."
)
SCORES = (
    "The 'candidates' parameter of {owner} must be a CSR matrix of real scores (int or float "
    "dtype). Got {got} instead."
)
SLOTS = (
    "The 'slots' parameter of {owner} must be an int array of shape (n_roles,) with every entry "
    ">= 0. Got {got} instead."
)


def with_stored(value: float) -> Any:
    """Seeker 0: role 1 at 0.5; seeker 1: role 0 at ``value`` (stored explicitly)."""
    return sp.csr_array(
        (np.array([0.5, value]), np.array([1, 0]), np.array([0, 1, 2])), shape=(2, 2)
    )


BAD_INPUTS = [
    (np.ones((2, 2)), [1, 1], CANDIDATES, "an object of type ndarray"),
    (sp.coo_array(np.ones((2, 2))), [1, 1], CANDIDATES, "an object of type coo_array"),
    (sp.csc_matrix(np.ones((2, 2))), [1, 1], CANDIDATES, "an object of type csc_matrix"),
    (sp.csr_array(np.ones(2)), [1, 1], CANDIDATES, "a CSR matrix of shape (2,)"),
    (sp.csr_array(np.eye(2, dtype=bool)), [1, 1], SCORES, "a CSR matrix of dtype bool"),
    (sp.csr_array(np.eye(2, dtype=complex)), [1, 1], SCORES, "a CSR matrix of dtype complex128"),
    (with_stored(0.0), [1, 1], STORED, "a stored entry of 0.0 for seeker 1 and role 0"),
    (with_stored(-0.25), [1, 1], STORED, "a stored entry of -0.25 for seeker 1 and role 0"),
    (with_stored(np.nan), [1, 1], STORED, "a stored entry of nan for seeker 1 and role 0"),
    (with_stored(np.inf), [1, 1], STORED, "a stored entry of inf for seeker 1 and role 0"),
    (sp.csr_array(np.eye(2)), [1, 1, 1], SLOTS, "an array of shape (3,) for 2 roles"),
    (sp.csr_array(np.eye(2)), np.ones((2, 1), int), SLOTS, "an array of shape (2, 1) for 2 roles"),
    (sp.csr_array(np.eye(2)), np.array([1.0, 2.0]), SLOTS, "an array of dtype float64"),
    (sp.csr_array(np.eye(2)), [True, True], SLOTS, "an array of dtype bool"),
    (sp.csr_array(np.eye(2)), [-3, 1], SLOTS, "an entry of -3 for role 0"),
    (sp.csr_array(np.eye(2)), None, SLOTS, "an object of type NoneType"),
    (sp.csr_array(np.eye(2)), 2, SLOTS, "an object of type int"),
    (sp.csr_array(np.eye(2)), "11", SLOTS, "an object of type str"),
]


@pytest.mark.parametrize(("candidates", "slots", "message", "got"), BAD_INPUTS)
def test_bad_inputs_raise_value_error(candidates: Any, slots: Any, message: str, got: str) -> None:
    calls = {
        "solve_dense": lambda: solve_dense(candidates, slots),
        "solve_greedy": lambda: solve_greedy(candidates, slots),
        "freeing_cost": lambda: freeing_cost(candidates, slots, np.array([-1, -1])),
        "solve_sparse": lambda: solve_sparse(candidates, slots),
        "solve": lambda: solve(candidates, slots),
        "dual_prices": lambda: dual_prices(candidates, slots, np.array([-1, -1])),
        "certify": lambda: certify(candidates, slots, Assignment(np.array([-1, -1]), 0.0, "x")),
        "check_assignment": lambda: check_assignment(
            candidates, slots, Assignment(np.array([-1, -1]), 0.0, "x")
        ),
    }
    for owner, call in calls.items():
        with pytest.raises(ValueError) as err:
            call()
        assert str(err.value) == message.format(owner=owner, got=got)


def test_bad_role_of_seeker_and_assignment() -> None:
    c = csr(GREEDY_TRAP)
    with pytest.raises(ValueError) as err:
        freeing_cost(c, TWO_SLOTS, np.array([0.0, 1.0]))
    assert str(err.value) == (
        "The 'role_of_seeker' parameter of freeing_cost must be an int array (-1 = unmatched) of "
        "shape (n_seekers,). Got an array of shape (2,) and dtype float64 instead."
    )
    with pytest.raises(ValueError) as err:
        check_assignment(c, TWO_SLOTS, [1, 0])  # type: ignore[arg-type]
    assert str(err.value) == (
        "The 'assignment' parameter of check_assignment must be an Assignment. "
        "Got an object of type list instead."
    )


@pytest.mark.parametrize(
    "module", [matcher.assign.dense, matcher.assign.greedy, matcher.assign.certificate]
)
def test_docstring_examples(module: Any) -> None:
    failed, attempted = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert attempted > 0 and failed == 0


def test_a_few_hundred_pairs_against_reference() -> None:
    """One larger instance than hypothesis draws, with a certificate."""
    scores, slots = random_instance(7, 120, 30, 0.3, ties=False, max_slots=4)
    a = solve_dense(csr(scores), slots)
    assert a.total == pytest.approx(reference_total(scores, slots), abs=TOL)
    assert check_assignment(csr(scores), slots, a) == []
    assert_feasible(scores, slots, a)


def test_all_permutations_of_a_tiny_instance() -> None:
    """Every row order of one instance gives the same total."""
    scores = np.array([[0.9, 0.2, 0.0], [0.8, 0.0, 0.3], [0.0, 0.7, 0.6], [0.5, 0.5, 0.5]])
    slots = np.array([1, 2, 1])
    totals = {
        round(solve_dense(csr(scores[list(p)]), slots).total, 12)
        for p in itertools.permutations(range(4))
    }
    assert totals == {round(brute_optimum(scores, slots), 12)}


# --- mutants that lived: each test fails on the mutant named ------------------------------------


def test_a_disallowed_pair_inside_the_stored_range_is_flagged() -> None:
    # stored pairs (0, 0), (1, 0), (1, 1) have keys 0, 2, 3; seeker 0 in role 1 is key 1, inside
    # that range, so only the key comparison (not the range check) can tell it is not stored
    c = csr(np.array([[1.0, 0.0], [0.6, 0.5]]))
    assert check_assignment(c, TWO_SLOTS, Assignment(np.array([1, 0]), 0.6, "test")) == [
        "only stored pairs: seeker 0 is placed in role 1, which is not an allowed pair "
        "(1 such seeker)"
    ]


@settings(max_examples=60, deadline=None)
@given(small_instances(), st.integers(0, 2**32 - 1))
def test_only_stored_pairs_is_flagged_exactly_when_a_pair_is_not_stored(
    instance: tuple[np.ndarray, np.ndarray], seed: int
) -> None:
    scores, slots = instance
    rng = np.random.default_rng(seed)
    n_seekers = scores.shape[0]
    # any assignment within the capacities, stored pairs or not
    roles = np.full(n_seekers, -1, dtype=np.int64)
    left = slots.copy()
    for i in rng.permutation(n_seekers):
        open_roles = np.flatnonzero(left > 0)
        if open_roles.size and rng.random() < 0.8:
            roles[i] = rng.choice(open_roles)
            left[roles[i]] -= 1
    unstored = [i for i in range(n_seekers) if roles[i] >= 0 and scores[i, roles[i]] == 0]
    total = math.fsum(scores[i, roles[i]] for i in range(n_seekers) if roles[i] >= 0)
    problems = check_assignment(csr(scores), slots, Assignment(roles, total, "test"))
    flagged = [p for p in problems if p.startswith("only stored pairs")]
    if unstored:
        assert flagged == [
            f"only stored pairs: seeker {unstored[0]} is placed in role {roles[unstored[0]]}, "
            f"which is not an allowed pair ({len(unstored)} such seeker"
            f"{'' if len(unstored) == 1 else 's'})"
        ]
    else:
        assert flagged == []
