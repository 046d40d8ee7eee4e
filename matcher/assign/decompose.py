"""One entry point for the exact assignment: decomposition, executors and the size guard.

:func:`solve` is what the rest of the engine calls. It

1. splits the candidate graph exactly into its connected components
   (:func:`scipy.sparse.csgraph.connected_components` on the seekers + roles graph): people only
   travel so far, so a region falls apart into labour markets that share no allowed pair, and the
   optimum of the whole is the union of the optima of the parts;
2. packs consecutive components into *shards* of about ``shard_pairs`` allowed pairs (a shard of
   several components is still solved exactly: they share nothing), in a fixed order that does
   not depend on the executor;
3. solves every shard with one solver on any :class:`concurrent.futures.Executor` (default: in
   this process, one after the other), and puts the answers together. Each shard's answer
   depends only on the shard, so the result is the same, byte for byte, whichever executor ran
   it.

Which solver
------------
``solver="sparse"`` (:func:`matcher.assign.solve_sparse`) works at any scale: min-cost flow
on the allowed pairs. ``solver="dense"`` (:func:`matcher.assign.solve_dense`) builds a dense
seekers x slot-columns matrix for the largest shard, and is refused before anything is allocated
when that would take more than :data:`DENSE_MAX_BYTES` (2 GiB). ``solver="auto"`` picks dense only
for a largest shard of at most :data:`DENSE_AUTO_MAX_CELLS` seeker x slot-column cells, where both
take about 0.02 s on a 2-core machine; past it the sparse solver is faster (at 2,000 x 1,500 slots
the dense solver takes ~0.8 s, the sparse ~0.02 s). The solver used is
``Assignment.solver``.
"""

from __future__ import annotations

import logging
from concurrent.futures import Executor
from typing import Any, Literal, get_args

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from matcher.assign.dense import (
    Assignment,
    IntArray,
    _check_problem,
    _total,
    solve_dense,
)
from matcher.assign.sparse import _solve_canonical
from matcher.validate import (
    Constraint,
    InstanceOf,
    Interval,
    Options,
    parameter_error,
    validate_params,
)

__all__ = [
    "DENSE_AUTO_MAX_CELLS",
    "DENSE_MAX_BYTES",
    "SHARD_PAIRS",
    "Solver",
    "components",
    "dense_bytes",
    "solve",
]

logger = logging.getLogger(__name__)

Solver = Literal["auto", "dense", "sparse"]
SOLVERS: tuple[str, ...] = get_args(Solver)

DENSE_AUTO_MAX_CELLS = 250_000
"""``solver="auto"`` uses the dense solver only up to this many seeker x slot-column cells."""

DENSE_MAX_BYTES = 2 * 2**30
"""``solver="dense"`` is refused when its estimated peak memory passes this (2 GiB)."""

SHARD_PAIRS = 200_000
"""Components are packed into shards of about this many allowed pairs."""

DENSE_TOO_LARGE = (
    "'auto' or 'sparse' for an instance this large (solver='sparse' solves it exactly in far "
    "less memory): the dense solver would need about {gib:.1f} GiB for {seekers} seekers x "
    "{columns} slot columns in its largest part, and the limit is {limit:.0f} GiB"
)
_SOLVE_CONSTRAINTS: dict[str, list[Constraint | type | None]] = {
    "solver": [Options(SOLVERS)],
    "executor": [InstanceOf(Executor, "a concurrent.futures.Executor"), None],
    "shard_pairs": [Interval(int, 1, None)],
}


def dense_bytes(n_seekers: int, n_roles: int, n_columns: int) -> int:
    """Estimated peak memory of :func:`solve_dense`: ``8 * n * (m + 2 * columns)`` bytes.

    The seekers x roles weights, the seekers x slot-columns cost matrix, and the copy that
    :func:`scipy.optimize.linear_sum_assignment` makes of it, all float64.

    Examples
    --------
    >>> round(dense_bytes(20_000, 5_000, 15_000) / 2**30, 1)  # a region: past the limit
    5.2
    """
    return 8 * n_seekers * (n_roles + 2 * n_columns)


def components(candidates: Any) -> tuple[int, IntArray, IntArray]:
    """Connected components of the candidate graph, seekers and roles together.

    Returns
    -------
    n : int
        The number of components that hold at least one allowed pair.
    seeker_component, role_component : int arrays
        The component of each seeker and role, numbered ``0..n-1`` in order of their first
        seeker; ``-1`` for a seeker or role without any allowed pair.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> w = sp.csr_array(np.array([[0.5, 0.0, 0.0], [0.0, 0.0, 0.7], [0.2, 0.0, 0.0]]))
    >>> components(w)
    (2, array([0, 1, 0]), array([ 0, -1,  1]))
    """
    n_seekers, n_roles = candidates.shape
    rows = np.repeat(np.arange(n_seekers, dtype=np.int64), np.diff(candidates.indptr))
    graph = sp.csr_array(
        (np.ones(rows.size, dtype=np.int8), (rows, n_seekers + candidates.indices)),
        shape=(n_seekers + n_roles, n_seekers + n_roles),
    )
    _, labels = connected_components(graph, directed=False)
    has_pair = np.zeros(n_seekers + n_roles, dtype=bool)
    has_pair[rows] = True
    has_pair[n_seekers + candidates.indices] = True
    # Number the components with a pair in order of first appearance (seekers come first).
    kept = np.unique(labels[has_pair], return_index=True)
    order = np.argsort(kept[1], kind="stable")
    renumber = np.full(labels.max(initial=-1) + 1, -1, dtype=np.int64)
    renumber[kept[0][order]] = np.arange(order.size)
    component = np.where(has_pair, renumber[labels], -1)
    return int(order.size), component[:n_seekers], component[n_seekers:]


def _solve_shard(candidates: Any, slots: IntArray, solver: str) -> IntArray:
    """One shard's ``role_of_seeker`` (module level, so that process pools can pickle it)."""
    if solver == "dense":
        return np.asarray(solve_dense(candidates, slots).role_of_seeker)
    return _solve_canonical(candidates, slots)


def _shards(
    n: int, seeker_component: IntArray, role_component: IntArray, pairs: IntArray, size: int
) -> list[tuple[IntArray, IntArray]]:
    """Consecutive components packed into shards of about ``size`` pairs: (seekers, roles)."""
    if n == 0:
        return []
    per_component = np.bincount(seeker_component[seeker_component >= 0],
                                weights=pairs[seeker_component >= 0], minlength=n)
    shard_of = np.zeros(n, dtype=np.int64)
    filled, shard = 0.0, 0
    for c, count in enumerate(per_component.tolist()):
        if filled and filled + count > size:
            shard, filled = shard + 1, 0.0
        shard_of[c] = shard
        filled += count
    seeker_shard = np.where(seeker_component >= 0, shard_of[seeker_component], -1)
    role_shard = np.where(role_component >= 0, shard_of[role_component], -1)
    seeker_order = np.argsort(seeker_shard, kind="stable")
    role_order = np.argsort(role_shard, kind="stable")
    n_shards = shard + 1
    seeker_cut = np.searchsorted(seeker_shard[seeker_order], np.arange(n_shards + 1))
    role_cut = np.searchsorted(role_shard[role_order], np.arange(n_shards + 1))
    return [
        (seeker_order[seeker_cut[s]: seeker_cut[s + 1]], role_order[role_cut[s]: role_cut[s + 1]])
        for s in range(n_shards)
    ]


def solve(
    candidates: Any,
    slots: Any,
    solver: Solver = "auto",
    *,
    executor: Executor | None = None,
    shard_pairs: int = SHARD_PAIRS,
) -> Assignment:
    """Maximise the total score exactly: by components, on any executor, dense or sparse.

    Parameters
    ----------
    candidates : scipy.sparse csr_array or csr_matrix, shape (n_seekers, n_roles)
        The stored entries are the allowed pairs and their scores (finite, > 0).
    slots : int array, shape (n_roles,)
        The number of places in each role (every entry >= 0).
    solver : {'auto', 'dense', 'sparse'}
        See the module notes; ``Assignment.solver`` says which one ran.
    executor : concurrent.futures.Executor, optional
        Where the shards run (e.g. a ``ProcessPoolExecutor``); ``None``: in this process. The
        answer is the same whichever executor runs it.
    shard_pairs : int
        About how many allowed pairs one shard holds.

    Returns
    -------
    Assignment
        Optimal; ``solver`` is ``'dense'`` or ``'sparse'``.

    Raises
    ------
    ValueError
        On the inputs :func:`matcher.assign.solve_dense` refuses, an unknown ``solver``, or
        ``solver='dense'`` on an instance too large for it (before anything is allocated; the
        message names ``solver='sparse'``).

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> w = sp.csr_array(np.array([[1.0, 0.9, 0.0], [0.8, 0.0, 0.0], [0.0, 0.0, 0.4]]))
    >>> a = solve(w, np.array([1, 1, 1]))
    >>> a.role_of_seeker, round(a.total, 6), a.solver
    (array([1, 0, 2]), 2.1, 'dense')
    >>> solve(w, np.array([1, 1, 1]), "sparse").role_of_seeker
    array([1, 0, 2])
    """
    owner = "solve"
    validate_params(owner, {"solver": solver, "executor": executor, "shard_pairs": shard_pairs},
                    _SOLVE_CONSTRAINTS)
    csr, slots_int = _check_problem(candidates, slots, owner)
    n_seekers, n_roles = csr.shape
    role_of_seeker = np.full(n_seekers, -1, dtype=np.int64)

    n, seeker_component, role_component = components(csr)
    pairs = np.diff(csr.indptr)
    shards = _shards(n, seeker_component, role_component, pairs, shard_pairs)
    allowed = np.bincount(csr.indices, minlength=n_roles)
    columns = np.minimum(slots_int, allowed)
    largest = max(
        ((s.size, r.size, int(columns[r].sum())) for s, r in shards),
        key=lambda t: t[0] * t[2],
        default=(0, 0, 0),
    )
    chosen = solver
    if solver == "auto":
        chosen = "dense" if largest[0] * largest[2] <= DENSE_AUTO_MAX_CELLS else "sparse"
    elif solver == "dense" and dense_bytes(*largest) > DENSE_MAX_BYTES:
        raise parameter_error(owner, "solver", DENSE_TOO_LARGE.format(
            gib=dense_bytes(*largest) / 2**30, seekers=largest[0], columns=largest[2],
            limit=DENSE_MAX_BYTES / 2**30,
        ), solver)

    if len(shards) == 1:  # one shard: the solvers trim it themselves, no need to cut it out
        shards = [(np.arange(n_seekers), np.arange(n_roles))]
        jobs = [(csr, slots_int, chosen)]
    else:
        jobs = [(csr[s][:, r], slots_int[r], chosen) for s, r in shards]
    if executor is None:
        results = [_solve_shard(*job) for job in jobs]
    else:
        futures = [executor.submit(_solve_shard, *job) for job in jobs]
        results = [future.result() for future in futures]
    for (seekers, roles), result in zip(shards, results, strict=True):
        placed = result >= 0
        role_of_seeker[seekers[placed]] = roles[result[placed]]
    logger.debug(
        "solve: %d x %d, %d components in %d shards, solver %s; %d matched",
        n_seekers, n_roles, n, len(shards), chosen, int((role_of_seeker >= 0).sum()),
    )
    return Assignment(role_of_seeker, _total(csr, role_of_seeker), chosen)

