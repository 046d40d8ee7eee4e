"""What a place costs, and the certificate that an assignment is optimal.

Freeing a place
---------------
Given an optimal assignment, how much must the optimal total drop to free one place in role
``j``? Nothing, if ``j`` already has a free place. Otherwise one holder ``h`` of ``j`` must go:
either ``h`` becomes unmatched (the total loses ``w[h, j]``), or ``h`` moves to another allowed
role ``j'`` (the total changes by ``w[h, j'] - w[h, j]``) and a place must in turn be freed in
``j'``. So the freeing costs ``d`` are shortest-path distances over role nodes to an *outside*
node:

- ``j -> outside`` costs ``0`` if ``j`` has a free place, else ``min over holders h of w[h, j]``;
- ``j -> j'`` costs ``min over holders h of j with (h, j') allowed of w[h, j] - w[h, j']``.

These are the edges of the residual graph of the assignment, seen as a min-cost flow, with the
seeker nodes contracted away. Min-cost flow theory makes the distances exact: the best
assignment with one place fewer in ``j`` differs from the given one by one such path plus
cycles, and an optimal assignment has no negative cycle. The cost of forcing an *unmatched*
seeker ``i`` into role ``j`` is then exactly ``d[j] - w[i, j]``: ``i`` gains ``w[i, j]`` and the
others lose ``d[j]``. :func:`freeing_cost` returns ``d``.

The certificate
---------------
A feasible assignment is optimal if and only if its residual graph has no negative cycle. With
the outside node, each cycle is one of three kinds, and :func:`check_assignment` looks for each:

1. a cycle among roles: holders move round it and the total rises (the distances to the
   outside node do not settle);
2. outside -> ``j`` via an unmatched seeker ``i`` -> ... -> outside: ``w[i, j] > d[j]``, placing
   ``i`` in ``j`` is worth more than the place costs;
3. outside -> ``j`` via one of its holders -> ... -> outside: ``d[j] < 0``, moving holders along
   a chain of roles, ending at a free place, raises the total.

Every role reaches the outside node in one step (a free place, or a holder leaving), so a
negative cycle anywhere keeps the distances from settling; (1)-(3) are therefore complete.
Comparisons use a tolerance of ``1e-9 * max(1, largest score)``, far above the rounding of sums
of scores and far below any difference a caseworker could see.

The distances are found by a vectorised Bellman-Ford over the role graph's edges (one per
role pair that some holder links, the cheapest kept), a few milliseconds per round; rounds stop
when nothing improves, after at most ``n_roles + 1``.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from matcher.assign.dense import (
    PARAMETER_MESSAGE,
    ROLES_RULE,
    Assignment,
    FloatArray,
    IntArray,
    _check_problem,
    _fail,
    _scores_at,
)

__all__ = ["check_assignment", "freeing_cost"]

logger = logging.getLogger(__name__)

OPTIMALITY_TOLERANCE = 1e-9
"""Relative to ``max(1, largest score)``: a gain below this is rounding, not an improvement."""

_RELAXATION_TOLERANCE = 1e-12
"""Relative as above: Bellman-Ford keeps a shorter path only if it is shorter by more than this,
so that rounding around a zero-cost cycle (ties between optima) cannot keep it running."""

OPTIMAL_RULE = (
    "a feasible, optimal assignment for these candidates and slots (see check_assignment)"
)
ASSIGNMENT_RULE = "an Assignment"


@dataclass(frozen=True)
class _RolePaths:
    """Shortest residual paths from each role to the outside node."""

    distance: FloatArray  # d[j]
    next_role: IntArray  # the next role on the path; -1: it ends (a free place, or a holder out)
    mover: IntArray  # the holder of j who moves on the first step, -1 for a free place
    load: IntArray  # seekers held by each role
    settled: bool  # False: a negative cycle among roles
    cycle: list[int]  # the roles of one negative cycle, when found


def _role_paths(csr: Any, slots: IntArray, role_of_seeker: IntArray, scale: float) -> _RolePaths:
    """Bellman-Ford over role nodes; the assignment must be feasible."""
    n_roles = csr.shape[1]
    matched = np.flatnonzero(role_of_seeker >= 0)
    own = role_of_seeker[matched]
    own_score, _ = _scores_at(csr, matched, own)
    load = np.bincount(own, minlength=n_roles).astype(np.int64)
    full = load >= slots

    # First step "leave": a free place costs nothing; else the cheapest holder goes.
    by_role = np.lexsort((matched, own_score, own))
    first_holder = np.ones(by_role.size, dtype=bool)
    first_holder[1:] = own[by_role[1:]] != own[by_role[:-1]]
    cheapest = by_role[first_holder]
    distance = np.zeros(n_roles)
    mover = np.full(n_roles, -1, dtype=np.int64)
    at_full = full[own[cheapest]]
    distance[own[cheapest[at_full]]] = own_score[cheapest[at_full]]
    mover[own[cheapest[at_full]]] = matched[cheapest[at_full]]
    next_role = np.full(n_roles, -1, dtype=np.int64)

    # Edges role(h) -> j' for every holder h and other allowed role j'; keep the cheapest per pair.
    counts = np.diff(csr.indptr)[matched]
    holder = np.repeat(np.arange(matched.size), counts)
    first = csr.indptr[matched] - np.cumsum(counts) + counts
    entry = np.repeat(first, counts) + np.arange(int(counts.sum()))
    src, dst = own[holder], csr.indices[entry].astype(np.int64)
    cost = own_score[holder] - csr.data[entry]
    who = matched[holder]
    keep = src != dst
    src, dst, cost, who = src[keep], dst[keep], cost[keep], who[keep]
    order = np.lexsort((who, cost, dst, src))
    src, dst, cost, who = src[order], dst[order], cost[order], who[order]
    cheapest_edge = np.ones(src.size, dtype=bool)
    cheapest_edge[1:] = (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])
    src, dst, cost, who = (
        src[cheapest_edge],
        dst[cheapest_edge],
        cost[cheapest_edge],
        who[cheapest_edge],
    )

    settled, changed, rounds = True, np.empty(0, dtype=np.int64), 0
    if src.size:
        starts_here = np.ones(src.size, dtype=bool)
        starts_here[1:] = src[1:] != src[:-1]
        seg_start = np.flatnonzero(starts_here)
        seg_role = src[seg_start]
        seg_of_edge = np.cumsum(starts_here) - 1
        edge_index = np.arange(src.size)
        tol = _RELAXATION_TOLERANCE * scale
        settled = False
        while rounds <= n_roles:
            rounds += 1
            through = cost + distance[dst]
            best = np.minimum.reduceat(through, seg_start)
            improved = best < distance[seg_role] - tol
            if not improved.any():
                settled = True
                break
            first_best = np.minimum.reduceat(
                np.where(through == best[seg_of_edge], edge_index, src.size), seg_start
            )
            changed = seg_role[improved]
            step = first_best[improved]
            distance[changed] = best[improved]
            next_role[changed] = dst[step]
            mover[changed] = who[step]
    logger.debug(
        "freeing costs: %d roles, %d edges, %d rounds, settled=%s",
        n_roles,
        src.size,
        rounds,
        settled,
    )
    cycle = [] if settled else _find_cycle(next_role, int(changed[0]))
    return _RolePaths(distance, next_role, mover, load, settled, cycle)


def _find_cycle(next_role: IntArray, start: int) -> list[int]:
    """The cycle reached by following ``next_role`` from ``start``; [] if the walk leaves."""
    role = start
    for _ in range(next_role.size):
        role = int(next_role[role])
        if role < 0:
            return []
    cycle = [role]
    while (role := int(next_role[role])) != cycle[0]:
        if role < 0 or len(cycle) > next_role.size:
            return []
        cycle.append(role)
    return cycle


def _how_many(n: int, noun: str) -> str:
    return f"{n} such {noun}" + ("" if n == 1 else "s")


def _path_from(paths: _RolePaths, role: int) -> list[int]:
    path = [role]
    while (role := int(paths.next_role[role])) >= 0 and len(path) <= paths.next_role.size:
        path.append(role)
    return path


def _feasibility_problems(
    csr: Any, slots: IntArray, role_of_seeker: IntArray, total: float | None
) -> list[str]:
    """The violated feasibility invariants (and the total, when given), as sentences."""
    n_seekers, n_roles = csr.shape
    if role_of_seeker.shape != (n_seekers,):
        return [
            f"each seeker at most once: role_of_seeker must hold one entry per seeker, shape "
            f"({n_seekers},); got shape {role_of_seeker.shape}"
        ]
    out_of_range = np.flatnonzero((role_of_seeker < -1) | (role_of_seeker >= n_roles))
    if out_of_range.size:
        i = int(out_of_range[0])
        return [
            f"role indices: every entry must be -1 or a role in [0, {n_roles}); got "
            f"{int(role_of_seeker[i])} for seeker {i} ({_how_many(out_of_range.size, 'seeker')})"
        ]
    problems = []
    matched = np.flatnonzero(role_of_seeker >= 0)
    scores, stored = _scores_at(csr, matched, role_of_seeker[matched])
    if not stored.all():
        k = int(np.argmin(stored))
        problems.append(
            f"only stored pairs: seeker {int(matched[k])} is placed in role "
            f"{int(role_of_seeker[matched[k]])}, which is not an allowed pair "
            f"({_how_many(int((~stored).sum()), 'seeker')})"
        )
    load = np.bincount(role_of_seeker[matched], minlength=n_roles)
    over = np.flatnonzero(load > slots)
    if over.size:
        j = int(over[0])
        problems.append(
            f"capacity: role {j} holds {int(load[j])} seekers but has {int(slots[j])} slots "
            f"({_how_many(over.size, 'role')})"
        )
    if total is not None and stored.all():
        expected = math.fsum(scores.tolist())
        if not abs(total - expected) <= OPTIMALITY_TOLERANCE * max(1.0, abs(expected)):
            problems.append(
                f"total: the assignment says {total!r} but its scores sum to {expected!r}"
            )
    return problems


def _optimality_problems(
    csr: Any, role_of_seeker: IntArray, paths: _RolePaths, scale: float
) -> list[str]:
    """The negative residual cycles of a feasible assignment, as sentences."""
    if not paths.settled:
        where = f"the roles {paths.cycle}" if paths.cycle else "a cycle of roles"
        return [
            f"optimality: moving seekers round {where} raises the total "
            f"(a negative cycle in the residual graph)"
        ]
    tol = OPTIMALITY_TOLERANCE * scale
    problems = []
    chain = np.flatnonzero((paths.load > 0) & (paths.distance < -tol))
    if chain.size:
        j = int(chain[np.argmin(paths.distance[chain])])
        problems.append(
            f"optimality: moving seeker {int(paths.mover[j])} out of role {j} along the roles "
            f"{_path_from(paths, j)} to a free place raises the total by "
            f"{-paths.distance[j]:.6g} ({_how_many(chain.size, 'role')})"
        )
    unmatched = np.flatnonzero(role_of_seeker < 0)
    counts = np.diff(csr.indptr)[unmatched]
    first = csr.indptr[unmatched] - np.cumsum(counts) + counts
    entry = np.repeat(first, counts) + np.arange(int(counts.sum()))
    gain = csr.data[entry] - paths.distance[csr.indices[entry]]
    better = np.flatnonzero(gain > tol)
    if better.size:
        k = int(better[np.argmax(gain[better])])
        seeker = int(np.repeat(unmatched, counts)[k])
        role = int(csr.indices[entry[k]])
        problems.append(
            f"optimality: unmatched seeker {seeker} could take role {role} (score "
            f"{csr.data[entry[k]]:.6g}) at a cost of {paths.distance[role]:.6g} to the others, "
            f"raising the total by {gain[k]:.6g} ({_how_many(better.size, 'pair')})"
        )
    return problems


def _scale(csr: Any) -> float:
    return max(1.0, float(csr.data.max())) if csr.nnz else 1.0


def freeing_cost(candidates: Any, slots: Any, role_of_seeker: Any) -> FloatArray:
    """The exact drop in the optimal total needed to free one place in each role.

    Parameters
    ----------
    candidates : scipy.sparse csr_array or csr_matrix, shape (n_seekers, n_roles)
        The stored entries are the allowed pairs and their scores (finite, > 0).
    slots : int array, shape (n_roles,)
        The number of places in each role (every entry >= 1).
    role_of_seeker : int array, shape (n_seekers,)
        An optimal assignment (``-1`` = unmatched), e.g. ``solve_dense(...).role_of_seeker``.

    Returns
    -------
    ndarray of float64, shape (n_roles,)
        ``0`` where a role has a free place. Forcing an unmatched seeker ``i`` into role ``j``
        lowers the optimal total by exactly ``result[j] - score[i, j]``.

    Raises
    ------
    ValueError
        On invalid ``candidates`` or ``slots`` (as :func:`matcher.assign.solve_dense`), or if
        ``role_of_seeker`` is not a feasible, optimal assignment: the freeing costs of any other
        assignment say nothing about the optimum. :func:`check_assignment` tells what is wrong.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> w = sp.csr_array(np.array([[1.0, 0.9], [0.8, 0.0], [0.3, 0.0]]))
    >>> freeing_cost(w, np.array([1, 1]), np.array([1, 0, -1])).round(6)
    array([0.8, 0.7])

    Seeker 2 could take role 0 only if the total dropped by 0.8 - 0.3 = 0.5.
    """
    owner = "freeing_cost"
    csr, slots_int = _check_problem(candidates, slots, owner)
    given = np.asarray(role_of_seeker)
    if given.ndim != 1 or (given.dtype.kind not in "iu" and given.size > 0):
        got = f"an array of shape {given.shape} and dtype {given.dtype}"
        raise _fail(owner, "role_of_seeker", ROLES_RULE, got)
    roles = given.astype(np.int64)
    problems = _feasibility_problems(csr, slots_int, roles, None)
    if not problems:
        scale = _scale(csr)
        paths = _role_paths(csr, slots_int, roles, scale)
        problems = _optimality_problems(csr, roles, paths, scale)
    if problems:
        raise _fail(owner, "role_of_seeker", OPTIMAL_RULE, f"one that breaks {problems[0]}")
    # Freeing a place can never raise the optimum; clip the rounding of ties at zero.
    return np.maximum(paths.distance, 0.0)


def check_assignment(candidates: Any, slots: Any, assignment: Assignment) -> list[str]:
    """The invariants an assignment breaks, as sentences; empty means feasible and optimal.

    Feasibility: one entry per seeker (so each seeker at most once), role indices in range,
    only stored pairs, no role over its slots, ``total`` equal to the sum of the chosen
    scores. Optimality: no negative cycle in the residual graph (see the module notes), so an
    empty list certifies the assignment optimal.

    Parameters
    ----------
    candidates : scipy.sparse csr_array or csr_matrix, shape (n_seekers, n_roles)
    slots : int array, shape (n_roles,)
    assignment : Assignment

    Returns
    -------
    list of str
        One sentence per broken invariant, naming an example and how many there are.

    Raises
    ------
    ValueError
        On invalid ``candidates`` or ``slots``, or if ``assignment`` is not an Assignment.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> from matcher.assign import solve_greedy
    >>> w = sp.csr_array(np.array([[1.0, 0.9], [0.8, 0.0]]))
    >>> problems = check_assignment(w, np.array([1, 1]), solve_greedy(w, np.array([1, 1])))
    >>> for part in problems[0].split(", "):
    ...     print(part)
    optimality: unmatched seeker 1 could take role 0 (score 0.8) at a cost of 0.1 to the others
    raising the total by 0.7 (1 such pair)
    """
    owner = "check_assignment"
    csr, slots_int = _check_problem(candidates, slots, owner)
    if not isinstance(assignment, Assignment):
        got = f"an object of type {type(assignment).__name__}"
        raise ValueError(
            PARAMETER_MESSAGE.format(name="assignment", owner=owner, rule=ASSIGNMENT_RULE, got=got)
        )
    roles = assignment.role_of_seeker
    problems = _feasibility_problems(csr, slots_int, roles, assignment.total)
    if any(not p.startswith("total:") for p in problems):
        return problems
    scale = _scale(csr)
    return problems + _optimality_problems(
        csr, roles, _role_paths(csr, slots_int, roles, scale), scale
    )
