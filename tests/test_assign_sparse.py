"""Tests of the sparse solver, solve() with its size guard and decomposition, dual prices and the
certificate over pruned pairs: against brute force, the dense solver, the Bellman-Ford reference,
and on planted cases."""

from __future__ import annotations

import doctest
import tracemalloc
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from test_assign import all_assignments, assert_feasible, brute_optimum, total_of

import matcher.assign.certificate
import matcher.assign.decompose
import matcher.assign.sparse
from matcher.assign import (
    Assignment,
    PrunedBlock,
    certify,
    check_assignment,
    components,
    dual_prices,
    freeing_cost,
    solve,
    solve_dense,
    solve_sparse,
)
from matcher.assign.certificate import _role_paths, _scale
from matcher.assign.dense import _check_problem

TOL = 1e-9


def instance(
    seed: int, n_seekers: int, n_roles: int, density: float, ties: bool, max_slots: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """Random scores in (0, 1] (on a grid of fifths when ``ties``) and slots in 0..max_slots,
    so closed roles, ties and seekers without any pair all occur."""
    rng = np.random.default_rng(seed)
    allowed = rng.random((n_seekers, n_roles)) < density
    values = rng.integers(1, 6, size=allowed.shape) / 5 if ties else 1.0 - rng.random(allowed.shape)
    scores = np.where(allowed, values, 0.0)
    slots = rng.integers(0, max_slots + 1, size=n_roles).astype(np.int64)
    return scores, slots


@st.composite
def small(draw: Any) -> tuple[np.ndarray, np.ndarray]:
    return instance(
        draw(st.integers(0, 2**32 - 1)),
        draw(st.integers(0, 7)),
        draw(st.integers(0, 4)),
        draw(st.sampled_from([0.3, 0.6, 1.0])),
        draw(st.booleans()),
    )


@st.composite
def medium(draw: Any) -> tuple[np.ndarray, np.ndarray]:
    return instance(
        draw(st.integers(0, 2**32 - 1)),
        draw(st.integers(0, 40)),
        draw(st.integers(0, 12)),
        draw(st.sampled_from([0.1, 0.3, 0.7])),
        draw(st.booleans()),
        max_slots=4,
    )


def csr(scores: np.ndarray) -> Any:
    return sp.csr_array(scores)


def check(scores: np.ndarray, slots: np.ndarray, a: Assignment) -> None:
    assert_feasible(scores, slots, a)
    assert check_assignment(csr(scores), slots, a) == []


# --- the sparse solver ---------------------------------------------------------------------------


@settings(max_examples=70, deadline=None)
@given(small())
def test_sparse_equals_brute_force(case: tuple[np.ndarray, np.ndarray]) -> None:
    scores, slots = case
    best = brute_optimum(scores, slots)
    for a in (solve_sparse(csr(scores), slots), solve(csr(scores), slots, "sparse"),
              solve(csr(scores), slots, "dense"), solve(csr(scores), slots)):
        assert a.total == pytest.approx(best, abs=TOL)
        check(scores, slots, a)


@settings(max_examples=90, deadline=None)
@given(medium())
def test_sparse_equals_dense(case: tuple[np.ndarray, np.ndarray]) -> None:
    scores, slots = case
    sparse, dense = solve_sparse(csr(scores), slots), solve_dense(csr(scores), slots)
    assert sparse.solver == "sparse"
    assert sparse.total == pytest.approx(dense.total, abs=TOL)
    check(scores, slots, sparse)


def test_cost_scale_is_fine_enough() -> None:
    """1e6 would pick the wrong answer here: two pairs rounding down beat one rounding up."""
    scores = np.array([[0.40000049, 0.80000051], [0.0, 0.40000049]])
    slots = np.array([1, 1])
    a = solve_sparse(csr(scores), slots)
    assert a.role_of_seeker.tolist() == [0, 1]
    check(scores, slots, a)


def test_a_broken_solver_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """Break the solver on purpose (the usual 1e6 cost scale): the certificate catches it."""
    scores = np.array([[0.40000049, 0.80000051], [0.0, 0.40000049]])
    slots = np.array([1, 1])
    monkeypatch.setattr(matcher.assign.sparse, "cost_scale", lambda *_: 1e6)
    a = solve_sparse(csr(scores), slots)
    assert a.role_of_seeker.tolist() == [1, -1]
    problems = check_assignment(csr(scores), slots, a)
    assert problems and problems[0].startswith("optimality:")
    with pytest.raises(ValueError, match="must be a feasible, optimal assignment"):
        certify(csr(scores), slots, a)


def test_cost_scale_fits_or_tools_at_national_size() -> None:
    n_nodes = 300_000 + 80_000 + 1
    scale = matcher.assign.sparse.cost_scale(n_nodes, 1.0)
    assert 0.5 / scale < 1e-12  # rounding per pair, far below the 1e-9 check
    assert 300_000 * scale < 2.0**63  # the total cost fits int64
    # OR-Tools itself accepts the largest cost at that many nodes (with room: it gives up
    # between 4x and 8x more), and refuses 16x more.
    for factor, accepted in ((1, True), (4, True), (16, False)):
        flow = matcher.assign.sparse._min_cost_flow()
        flow.add_arcs_with_capacity_and_unit_cost(
            np.array([0, 0, 1, 2], np.int32), np.array([1, 2, 3, 3], np.int32),
            np.ones(4, np.int64), np.array([-factor * int(scale), -1, 0, 0], np.int64),
        )
        supplies = np.zeros(n_nodes, np.int64)
        supplies[0], supplies[3] = 1, -1
        flow.set_nodes_supplies(np.arange(n_nodes, dtype=np.int32), supplies)
        assert (flow.solve() == flow.OPTIMAL) == accepted


def test_empty_and_closed() -> None:
    scores = np.array([[0.5, 0.9], [0.0, 0.0], [0.3, 0.7]])
    a = solve_sparse(csr(scores), np.array([1, 0]))  # role 1 is closed
    assert a.role_of_seeker.tolist() == [0, -1, -1]
    assert freeing_cost(csr(scores), np.array([1, 0]), a.role_of_seeker).tolist() == [
        pytest.approx(0.5), np.inf,
    ]
    for s in ("sparse", "dense", "auto"):
        assert solve(csr(np.zeros((3, 2))), [1, 1], s).role_of_seeker.tolist() == [-1] * 3
        assert solve(csr(np.zeros((0, 0))), np.zeros(0, int), s).total == 0.0


# --- dual prices and freeing costs --------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(medium())
def test_freeing_cost_equals_bellman_ford(case: tuple[np.ndarray, np.ndarray]) -> None:
    """The frontier shortest paths give what the full-round Bellman-Ford gave."""
    scores, slots = case
    a = solve_sparse(csr(scores), slots)
    d = freeing_cost(csr(scores), slots, a.role_of_seeker)
    c, s = _check_problem(csr(scores), slots, "test")
    c = matcher.assign.certificate._drop_closed(c, s)
    old = _role_paths(c, s, a.role_of_seeker, _scale(c))
    assert old.settled
    open_role = slots > 0
    np.testing.assert_allclose(d[open_role], np.maximum(old.distance, 0)[open_role], atol=TOL)
    assert np.isinf(d[~open_role]).all()


@settings(max_examples=60, deadline=None)
@given(small())
def test_prices_are_an_optimal_dual(case: tuple[np.ndarray, np.ndarray]) -> None:
    """Feasible for the dual, and its objective equals the brute-force optimum."""
    scores, slots = case
    a = solve_sparse(csr(scores), slots)
    p = dual_prices(csr(scores), slots, a.role_of_seeker)
    assert (p.seeker >= 0).all() and (p.role >= 0).all()
    i, j = np.nonzero((scores > 0) & (slots > 0)[None, :])
    assert (p.seeker[i] + p.role[j] >= scores[i, j] - TOL).all()
    open_role = slots > 0
    dual = p.seeker.sum() + (slots[open_role] * p.role[open_role]).sum()
    assert dual == pytest.approx(brute_optimum(scores, slots), abs=1e-8)


def test_freeing_cost_brute_force_with_closed_roles() -> None:
    scores = np.array([[0.9, 0.6, 0.2], [0.8, 0.0, 0.5], [0.7, 0.4, 0.0]])
    slots = np.array([1, 1, 0])
    a = solve_sparse(csr(scores), slots)
    d = freeing_cost(csr(scores), slots, a.role_of_seeker)
    options = [(r, total_of(scores, r)) for r in all_assignments(scores, slots)]
    best = max(t for _, t in options)
    for j in (0, 1):
        fewer = max(t for r, t in options if r.count(j) < slots[j])
        assert d[j] == pytest.approx(best - fewer, abs=TOL)
    assert d[2] == np.inf


# --- the certificate over pruned pairs ----------------------------------------------------------


def prune(scores: np.ndarray, keep: int) -> tuple[np.ndarray, np.ndarray]:
    """Keep each seeker's ``keep`` best pairs: the candidates, and the pruned rest."""
    order = np.argsort(-scores, axis=1, kind="stable")
    kept = np.zeros_like(scores, dtype=bool)
    np.put_along_axis(kept, order[:, :keep], True, axis=1)
    return np.where(kept, scores, 0.0), np.where(kept, 0.0, scores)


@settings(max_examples=80, deadline=None)
@given(medium(), st.integers(1, 3))
def test_certificate_bounds_the_optimum(case: tuple[np.ndarray, np.ndarray], keep: int) -> None:
    scores, slots = case
    kept, pruned = prune(scores, keep)
    a = solve_sparse(csr(kept), slots)
    full = solve_dense(csr(scores), slots).total
    rows = np.arange(scores.shape[0])
    o = certify(csr(kept), slots, a, [(rows, np.arange(scores.shape[1]), pruned)])
    assert o.total == a.total
    assert o.upper_bound >= full - TOL  # a bound on the optimum over all pairs
    if o.certified:
        assert full == pytest.approx(a.total, abs=TOL) and o.gap == 0.0
    else:
        assert o.violations > 0 and o.worst is not None and o.worst[2] > 0
        assert o.gap == pytest.approx((o.upper_bound - a.total) / o.upper_bound)
    if full > a.total + 1e-7:
        assert not o.certified  # a real improvement among pruned pairs is never missed


def test_planted_improvement_is_detected_with_its_gap() -> None:
    """Each seeker keeps only its best pair, all in role 0; the good pairs elsewhere were pruned."""
    scores = np.array([[0.9, 0.85, 0.0], [0.8, 0.0, 0.75], [0.7, 0.0, 0.0]])
    slots = np.array([1, 1, 1])
    kept, pruned = prune(scores, 1)
    a = solve_sparse(csr(kept), slots)
    assert a.role_of_seeker.tolist() == [0, -1, -1] and a.total == pytest.approx(0.9)
    o = certify(csr(kept), slots, a, [PrunedBlock(np.arange(3), np.arange(3), pruned)])
    truth = solve_dense(csr(scores), slots).total  # 0.85 + 0.75 + 0.7
    assert truth == pytest.approx(2.3)
    assert not o.certified and o.violations == 2
    # Prices: v0 = 0.9 (freeing role 0), u = 0: seekers 0, 1 gain 0.85 and 0.75 by their
    # pruned pairs; seeker-side bound 0.9 + 0.85 + 0.75 = 2.5 >= 2.3.
    assert o.upper_bound == pytest.approx(2.5)
    assert o.gap == pytest.approx((2.5 - 0.9) / 2.5)
    assert o.worst == (0, 1, pytest.approx(0.85))
    # Once the pruned pairs are candidates too, the optimum is certified.
    b = solve_sparse(csr(scores), slots)
    assert certify(csr(scores), slots, b, [(np.arange(3), np.arange(3), scores)]).certified


def test_block_shapes_agree() -> None:
    """A role-profile column, a feasibility mask and a sparse block mean the same pairs."""
    rng = np.random.default_rng(3)
    scores = np.where(rng.random((30, 8)) < 0.6, rng.random((30, 8)) + 0.01, 0.0)
    slots = np.full(8, 2)
    kept, _ = prune(scores, 1)
    a = solve_sparse(csr(kept), slots)
    seekers, roles = np.arange(30), np.array([2, 5, 6])
    column = rng.random((30, 1)) + 0.01  # one score per seeker for the whole profile
    allowed = rng.random((30, 3)) < 0.5
    dense = np.where(allowed, column, 0.0)
    expected = certify(csr(kept), slots, a, [(seekers, roles, dense)])
    as_profile = certify(csr(kept), slots, a, [PrunedBlock(seekers, roles, column, allowed)])
    as_sparse = certify(csr(kept), slots, a, [(seekers, roles, sp.csr_array(dense))])
    split = certify(
        csr(kept), slots, a, ((seekers[k::3], roles, dense[k::3]) for k in range(3))
    )
    assert expected.violations > 0
    for o in (as_profile, as_sparse, split):
        assert o == expected
    # Without a mask a profile column is checked without touching the pairs one by one.
    every = certify(csr(kept), slots, a, [(seekers, roles, np.repeat(column, 3, axis=1))])
    fast = certify(csr(kept), slots, a, [(seekers, roles, column)])
    assert fast == every and every.violations > expected.violations


@settings(max_examples=40, deadline=None)
@given(medium(), st.integers(0, 2**32 - 1))
def test_profile_columns_equal_their_pairs(case: tuple[np.ndarray, np.ndarray], seed: int) -> None:
    scores, slots = case
    a = solve_sparse(csr(scores), slots)
    rng = np.random.default_rng(seed)
    n_seekers, n_roles = scores.shape
    seekers = rng.choice(n_seekers, size=rng.integers(0, n_seekers + 1), replace=False)
    roles = rng.choice(n_roles, size=rng.integers(0, n_roles + 1), replace=False)
    column = np.where(rng.random((seekers.size, 1)) < 0.8, rng.random((seekers.size, 1)), 0.0)
    pairs = np.repeat(column, roles.size, axis=1)
    fast = certify(csr(scores), slots, a, [(seekers, roles, column)])
    every = certify(csr(scores), slots, a, [(seekers, roles, pairs)])
    assert fast.violations == every.violations and fast.certified == every.certified
    assert fast.upper_bound == pytest.approx(every.upper_bound, abs=TOL)
    if every.worst is not None and fast.worst is not None:
        assert fast.worst[2] == pytest.approx(every.worst[2], abs=TOL)


@pytest.mark.parametrize(
    ("block", "got"),
    [
        ("nope", "block 0: str"),
        (([0], [9], [[0.5]]), "block 0 with role index 9 (there are 2)"),
        (([-1], [0], [[0.5]]), "block 0 with seeker index -1 (there are 2)"),
        (([0, 1], [0], [[0.5, 0.1, 0.2]]), "block 0 with scores of shape (1, 3) for 2 x 1 pairs"),
        (([0], [1], [[np.nan]]), "block 0 with a score of nan for seeker 0 and role 1"),
        (([0], [1], sp.csr_array(np.ones((2, 2)))), "block 0 with sparse scores of shape (2, 2) "
                                                     "for 1 x 1 pairs"),
    ],
)
def test_bad_blocks_are_named(block: Any, got: str) -> None:
    w = csr(np.array([[0.9, 0.0], [0.8, 0.0]]))
    a = solve_sparse(w, [1, 1])
    with pytest.raises(ValueError) as err:
        certify(w, [1, 1], a, [block])
    assert str(err.value) == (
        "The 'pruned' parameter of certify must be an iterable of (seekers, roles, "
        "scores[, allowed]) blocks: int index arrays in range and finite scores >= 0 of shape "
        f"(len(seekers), len(roles)). Got {got} instead."
    )


# --- solve(): guard, decomposition, executors ---------------------------------------------------


def test_dense_refused_before_it_allocates() -> None:
    rng = np.random.default_rng(0)
    n_seekers, n_roles = 30_000, 10_000
    rows = np.repeat(np.arange(n_seekers), 3)
    cols = rng.integers(0, n_roles, size=rows.size)
    w = sp.csr_array((rng.random(rows.size) + 0.01, (rows, cols)), shape=(n_seekers, n_roles))
    slots = np.full(n_roles, 3)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as err:
            solve(w, slots, "dense")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    message = str(err.value)
    assert message.startswith("The 'solver' parameter of solve must be 'auto' or 'sparse'")
    assert "solver='sparse'" in message and message.endswith("Got 'dense' instead.")
    assert peak < 64 * 2**20  # the dense matrix (~10 GiB) was never allocated


def test_auto_says_which_solver_it_used() -> None:
    small_case, slots = instance(1, 30, 10, 0.3, ties=False)
    assert solve(csr(small_case), slots).solver == "dense"
    cells = matcher.assign.decompose.DENSE_AUTO_MAX_CELLS
    n = int(np.sqrt(cells)) + 60  # seekers x slot columns just past the threshold
    big = sp.csr_array(np.eye(n) * 0.5)
    assert solve(big, np.ones(n, dtype=np.int64)).solver == "sparse"


def test_bad_solver_and_executor() -> None:
    w = csr(np.array([[0.5]]))
    with pytest.raises(ValueError) as err:
        solve(w, [1], "fast")  # type: ignore[arg-type]
    assert str(err.value) == (
        "The 'solver' parameter of solve must be one of 'auto', 'dense', 'sparse'. "
        "Got 'fast' instead."
    )
    with pytest.raises(ValueError, match="'executor' parameter of solve must be a concurrent"):
        solve(w, [1], executor="processes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'shard_pairs' parameter of solve must be an int >= 1"):
        solve(w, [1], shard_pairs=0)


def blocks(seed: int, sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """A block-diagonal instance (several labour markets), rows and columns then shuffled."""
    parts = [instance(seed + k, n, max(1, n // 3), 0.5, ties=bool(k % 2)) for k, n in
             enumerate(sizes)]
    scores = sp.block_diag([p[0] for p in parts]).toarray()
    slots = np.concatenate([p[1] for p in parts])
    rng = np.random.default_rng(seed)
    rows, cols = rng.permutation(scores.shape[0]), rng.permutation(scores.shape[1])
    return scores[rows][:, cols], slots[cols]


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.lists(st.integers(1, 12), min_size=1, max_size=5))
def test_shards_equal_the_unsharded_optimum(seed: int, sizes: list[int]) -> None:
    scores, slots = blocks(seed, sizes)
    whole = solve_dense(csr(scores), slots).total
    for solver in ("sparse", "dense"):
        for size in (1, 7, 10**9):
            a = solve(csr(scores), slots, solver, shard_pairs=size)  # type: ignore[arg-type]
            assert a.total == pytest.approx(whole, abs=TOL)
            check(scores, slots, a)


def test_components_are_exact() -> None:
    scores, _ = blocks(5, [6, 4, 9])
    n, seeker_of, role_of = components(csr(scores))
    i, j = np.nonzero(scores)
    assert (seeker_of[i] == role_of[j]).all()  # no pair crosses components
    assert n == len(set(seeker_of[i].tolist()))
    assert (seeker_of[(scores > 0).sum(axis=1) == 0] == -1).all()


class Recorder(Executor):
    """Runs in process, counting the shards it was given."""

    def __init__(self) -> None:
        self.calls = 0

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.calls += 1
        future: Future[Any] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def test_any_executor_gives_the_same_bytes() -> None:
    scores, slots = blocks(11, [20, 15, 25, 10])
    plain = solve(csr(scores), slots, "sparse", shard_pairs=50)
    recorder = Recorder()
    recorded = solve(csr(scores), slots, "sparse", executor=recorder, shard_pairs=50)
    assert recorder.calls >= 3
    with ProcessPoolExecutor(max_workers=2) as pool:
        pooled = solve(csr(scores), slots, "sparse", executor=pool, shard_pairs=50)
    for other in (recorded, pooled):
        assert other.role_of_seeker.tobytes() == plain.role_of_seeker.tobytes()
        assert other.total == plain.total and other.solver == "sparse"


@pytest.mark.parametrize(
    "module", [matcher.assign.sparse, matcher.assign.decompose, matcher.assign.certificate]
)
def test_docstring_examples(module: Any) -> None:
    failed, attempted = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert attempted > 0 and failed == 0
