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

Dual prices
-----------
The same distances are the minimal *dual prices* of the assignment as a linear programme:
``v[j] = d[j]`` for each role and ``u[i] = w[i, role(i)] - v[role(i)]`` for each matched seeker
(0 for the unmatched) satisfy ``u[i] + v[j] >= w[i, j]`` on every allowed pair, ``u, v >= 0``,
with equality on the chosen pairs and ``v = 0`` where a place is free. Duality then bounds every
assignment by ``sum(u) + sum(slots * v)``, which is this one's total: checking those inequalities
is a certificate of optimality that needs nothing but the prices (:func:`dual_prices`).
:func:`certify` checks pairs left *out* of the candidate graph against the same prices.

How the distances are found: OR-Tools' min-cost flow exposes no node potentials, so they come
from shortest paths on the residual graph (roles, matched seekers and *outside*), label-correcting
with a frontier: each round relaxes only the arcs into nodes whose distance changed in the round
before, read as contiguous runs of arcs sorted by head. Rounds stop when nothing improves; more
than one per node means a negative cycle, and then the full-round Bellman-Ford over the role graph
(kept for this) finds the improving cycle or move that :func:`check_assignment` names.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp

from matcher.assign.dense import (
    ROLES_RULE,
    Assignment,
    FloatArray,
    IntArray,
    _check_problem,
    _fail,
    _scores_at,
)

__all__ = [
    "Optimality",
    "Prices",
    "PrunedBlock",
    "certify",
    "check_assignment",
    "dual_prices",
    "freeing_cost",
]

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


def _drop_closed(csr: Any, slots: IntArray) -> Any:
    """``csr`` without the pairs of roles with 0 places: they can never be used (an exact cut)."""
    closed = slots[csr.indices] <= 0
    if not closed.any():
        return csr
    keep = ~closed
    indptr = np.concatenate([[0], np.cumsum(keep)])[csr.indptr]
    return sp.csr_array(
        (csr.data[keep], csr.indices[keep], indptr.astype(csr.indptr.dtype)), shape=csr.shape
    )


@dataclass(frozen=True, eq=False)
class Prices:
    """Dual prices of an optimal assignment: its certificate, and what each place costs.

    Attributes
    ----------
    seeker : ndarray of float64, shape (n_seekers,)
        ``u[i]``: what seeker ``i`` gains in its role over its price (0 if unmatched).
    role : ndarray of float64, shape (n_roles,)
        ``v[j]``: the price of a place in role ``j``, the smallest that supports the assignment:
        exactly the freeing cost (0 where a place is free; ``inf`` for a role with 0 places).

    ``u[i] + v[j] >= score[i, j]`` for every allowed pair, with equality on the chosen pairs,
    ``u >= 0`` and ``v >= 0``: linear-programming duality then makes ``sum(u) + sum(slots * v)``
    an upper bound on every assignment's total, equal to this one's.
    """

    seeker: FloatArray
    role: FloatArray


def _residual_arcs(
    csr: Any, slots: IntArray, role_of_seeker: IntArray
) -> tuple[IntArray, IntArray, FloatArray, int, int]:
    """The residual graph of a feasible assignment, as arcs towards an *outside* node.

    Nodes: the roles ``0..n_roles-1``, then one node per matched seeker, then *outside*.
    A place in role ``r`` is freed by a holder ``h`` leaving (``r -> h``, the total loses
    ``w[h, r]``), who then goes unmatched (``h -> outside``, 0) or takes a place in another
    allowed role ``j`` (``h -> j``, gains ``w[h, j]``); a role with a free place frees one at
    no cost (``r -> outside``, 0). Distances to *outside* are the freeing costs. There are no
    parallel arcs, so the arcs can go straight into a CSR graph.
    """
    n_roles = csr.shape[1]
    matched = np.flatnonzero(role_of_seeker >= 0)
    own = role_of_seeker[matched]
    own_score, _ = _scores_at(csr, matched, own)
    load = np.bincount(own, minlength=n_roles)
    seeker_node = n_roles + np.arange(matched.size, dtype=np.int64)
    outside = n_roles + matched.size

    counts = np.diff(csr.indptr)[matched]
    holder = np.repeat(np.arange(matched.size), counts)
    first = csr.indptr[matched] - np.cumsum(counts) + counts
    entry = np.repeat(first, counts) + np.arange(int(counts.sum()))
    moves = csr.indices[entry] != own[holder]
    free = np.flatnonzero((load < slots) & (slots > 0))
    tails = np.concatenate(
        [own, seeker_node, seeker_node[holder[moves]], free]
    ).astype(np.int64)
    heads = np.concatenate(
        [seeker_node, np.full(matched.size, outside), csr.indices[entry[moves]],
         np.full(free.size, outside)]
    ).astype(np.int64)
    costs = np.concatenate(
        [own_score, np.zeros(matched.size), -csr.data[entry[moves]], np.zeros(free.size)]
    )
    return tails, heads, costs, outside, int(matched.size)


def _distances_to_outside(
    tails: IntArray, heads: IntArray, costs: FloatArray, outside: int, scale: float
) -> FloatArray | None:
    """Shortest distances from every node to ``outside``; ``None`` on a negative cycle.

    Label-correcting (Bellman-Ford with a frontier): only the arcs into a node whose distance
    changed in the last round are looked at again, so a round costs what changed, not the whole
    graph. Rounds stop when nothing improves; more than ``n_nodes`` rounds mean a negative cycle.
    A distance improves only by more than ``1e-12 * scale``, so rounding round a zero-cost
    cycle (ties between optima) cannot keep it running.
    """
    n_nodes = outside + 1
    by_head = np.argsort(heads, kind="stable")
    tails, costs = tails[by_head], costs[by_head]  # arcs into one node are now contiguous
    indptr = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(heads, minlength=n_nodes), out=indptr[1:])
    distance = np.full(n_nodes, np.inf)
    distance[outside] = 0.0
    changed = np.array([outside], dtype=np.int64)
    best = np.full(n_nodes, np.inf)
    seen = np.zeros(n_nodes, dtype=bool)
    tol = _RELAXATION_TOLERANCE * scale
    for _ in range(n_nodes + 1):
        first = indptr[changed]
        counts = indptr[changed + 1] - first
        total = int(counts.sum())
        if not total:
            return distance
        arcs = np.repeat(first - np.cumsum(counts) + counts, counts) + np.arange(total)
        src = tails[arcs]
        np.minimum.at(best, src, costs[arcs] + np.repeat(distance[changed], counts))
        seen[src] = True
        src = np.flatnonzero(seen)
        seen[src] = False
        changed = src[best[src] < distance[src] - tol]
        distance[changed] = best[changed]
        best[src] = np.inf
    return None


def _prices(csr: Any, slots: IntArray, role_of_seeker: IntArray, scale: float) -> Prices | None:
    """Minimal dual prices of a feasible assignment; ``None`` if it is not optimal."""
    n_seekers, n_roles = csr.shape
    tol = OPTIMALITY_TOLERANCE * scale
    open_roles = np.flatnonzero(slots > 0)
    tails, heads, costs, outside, _ = _residual_arcs(csr, slots, role_of_seeker)
    if tails.size:
        distance = _distances_to_outside(tails, heads, costs, outside, scale)
        if distance is None:
            return None
        role = distance[:n_roles].copy()
    else:
        role = np.zeros(n_roles)
    role[slots <= 0] = np.inf
    matched = np.flatnonzero(role_of_seeker >= 0)
    own_score, _ = _scores_at(csr, matched, role_of_seeker[matched])
    seeker = np.zeros(n_seekers)
    seeker[matched] = own_score - role[role_of_seeker[matched]]
    # Optimal if and only if these prices are dual feasible (complementary slackness holds by
    # construction): no negative price or gain, and no allowed pair worth more than its prices.
    if role[open_roles].min(initial=0.0) < -tol or seeker.min(initial=0.0) < -tol:
        return None
    rows = np.repeat(np.arange(n_seekers), np.diff(csr.indptr))
    if csr.nnz and (csr.data - seeker[rows] - role[csr.indices]).max() > tol:
        return None
    # Rounding of ties can leave -1e-16 where 0 is meant; prices are never negative.
    return Prices(np.maximum(seeker, 0.0), np.maximum(role, 0.0))


def _roles_argument(owner: str, role_of_seeker: Any) -> IntArray:
    given = np.asarray(role_of_seeker)
    if given.ndim != 1 or (given.dtype.kind not in "iu" and given.size > 0):
        got = f"an array of shape {given.shape} and dtype {given.dtype}"
        raise _fail(owner, "role_of_seeker", ROLES_RULE, got)
    return given.astype(np.int64)


def _optimal_prices(owner: str, csr: Any, slots: IntArray, roles: IntArray) -> Prices:
    """The prices of a feasible, optimal assignment, or the ValueError that says what is wrong."""
    problems = _feasibility_problems(csr, slots, roles, None)
    if not problems:
        usable = _drop_closed(csr, slots)
        scale = _scale(usable)
        prices = _prices(usable, slots, roles, scale)
        if prices is not None:
            return prices
        # Not optimal: Bellman-Ford finds the improving cycle or path to name.
        problems = _optimality_problems(
            usable, roles, _role_paths(usable, slots, roles, scale), scale
        ) or ["optimality (dual prices that certify it do not exist)"]
    raise _fail(owner, "role_of_seeker", OPTIMAL_RULE, f"one that breaks {problems[0]}")


def dual_prices(candidates: Any, slots: Any, role_of_seeker: Any) -> Prices:
    """The minimal dual prices of an optimal assignment: seeker and role potentials.

    Found as shortest paths on the assignment's residual graph: OR-Tools' min-cost flow finds a
    shortest-path tree (integer costs), the float costs summed along it are potentials, and
    Dijkstra (:func:`scipy.sparse.csgraph.dijkstra`) on the reduced costs makes the distances
    exact in floats. Then every allowed pair is checked against them, so a returned
    :class:`Prices` *is* the certificate that the assignment is optimal.

    Parameters
    ----------
    candidates : scipy.sparse csr_array or csr_matrix, shape (n_seekers, n_roles)
    slots : int array, shape (n_roles,)
    role_of_seeker : int array, shape (n_seekers,)
        An optimal assignment (``-1`` = unmatched).

    Returns
    -------
    Prices

    Raises
    ------
    ValueError
        On invalid input, or if ``role_of_seeker`` is not feasible and optimal.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> w = sp.csr_array(np.array([[1.0, 0.9], [0.8, 0.0], [0.3, 0.0]]))
    >>> p = dual_prices(w, np.array([1, 1]), np.array([1, 0, -1]))
    >>> p.seeker.round(6), p.role.round(6)
    (array([0.2, 0. , 0. ]), array([0.8, 0.7]))
    """
    owner = "dual_prices"
    csr, slots_int = _check_problem(candidates, slots, owner)
    return _optimal_prices(owner, csr, slots_int, _roles_argument(owner, role_of_seeker))


def freeing_cost(candidates: Any, slots: Any, role_of_seeker: Any) -> FloatArray:
    """The exact drop in the optimal total needed to free one place in each role.

    Parameters
    ----------
    candidates : scipy.sparse csr_array or csr_matrix, shape (n_seekers, n_roles)
        The stored entries are the allowed pairs and their scores (finite, > 0).
    slots : int array, shape (n_roles,)
        The number of places in each role (every entry >= 0).
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
    return _optimal_prices(owner, csr, slots_int, _roles_argument(owner, role_of_seeker)).role


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
        raise _fail(owner, "assignment", ASSIGNMENT_RULE, got)
    roles = assignment.role_of_seeker
    problems = _feasibility_problems(csr, slots_int, roles, assignment.total)
    if any(not p.startswith("total:") for p in problems):
        return problems
    usable = _drop_closed(csr, slots_int)
    scale = _scale(usable)
    if _prices(usable, slots_int, roles, scale) is not None:
        return problems
    return problems + (
        _optimality_problems(usable, roles, _role_paths(usable, slots_int, roles, scale), scale)
        or ["optimality: dual prices that certify it do not exist"]
    )


class PrunedBlock(NamedTuple):
    """Pairs left out of the candidate graph, for :func:`certify` to check in one vectorised step.

    Attributes
    ----------
    seekers : int array, shape (a,)
        Seeker indices (rows of the candidate graph).
    roles : int array, shape (b,)
        Role indices (columns).
    scores : array broadcastable to (a, b), or a scipy.sparse matrix of shape (a, b)
        ``scores[k, l]`` is the score of ``(seekers[k], roles[l])``; 0 (or unstored) means not
        allowed. A column of shape (a, 1) gives every role of the block the same score: the
        shape of a *role profile* (roles with the same occupation, requirements and training).
    allowed : bool array broadcastable to (a, b), optional
        Which pairs pass the hard constraints (distance, hours, ...); ``None``: all of them.

    A plain ``(seekers, roles, scores)`` tuple is a block too. Pairs that are also in the
    candidate graph may be included: an optimal assignment leaves them no positive reduced score.
    """

    seekers: Any
    roles: Any
    scores: Any
    allowed: Any = None


@dataclass(frozen=True)
class Optimality:
    """How close an assignment is to the best over *all* allowed pairs, pruned ones included.

    Attributes
    ----------
    certified : bool
        True: no pruned pair has a positive reduced score, so the assignment is a global
        optimum (to the tolerance ``1e-9 * max(1, largest score)``).
    upper_bound : float
        No assignment over all pairs scores more. Equal to ``total`` when certified.
    gap : float
        ``(upper_bound - total) / upper_bound``, 0 when certified (and when both are 0).
    total : float
        The assignment's total score.
    violations : int
        Pruned pairs with a positive reduced score ``score - u[seeker] - v[role]``.
    worst : tuple of (int, int, float) or None
        The pruned pair with the largest reduced score: seeker, role, reduced score.
    """

    certified: bool
    upper_bound: float
    gap: float
    total: float
    violations: int = 0
    worst: tuple[int, int, float] | None = None

    def as_dict(self) -> dict[str, Any]:
        """The manifest's ``optimality`` object.

        Examples
        --------
        >>> Optimality(False, 2.5, 0.64, 0.9, 2, (0, 1, 0.85)).as_dict()
        {'certified': False, 'upper_bound': 2.5, 'gap': 0.64}
        """
        return {"certified": self.certified, "upper_bound": self.upper_bound, "gap": self.gap}


PRUNED_RULE = (
    "an iterable of (seekers, roles, scores[, allowed]) blocks: int index arrays in range and "
    "finite scores >= 0 of shape (len(seekers), len(roles))"
)


class _Summary(NamedTuple):
    """What one block adds: the largest reduced score per seeker and per role, the count of
    positive ones, and the largest of all (seeker, role, reduced score)."""

    seekers: IntArray
    seeker_gain: FloatArray
    roles: IntArray
    role_gain: FloatArray
    violations: int
    worst: tuple[int, int, float] | None


def _pairs_summary(
    excess: FloatArray, who: IntArray, where: IntArray, tol: float
) -> _Summary:
    if excess.size == 0:
        return _Summary(who, excess, where, excess, 0, None)
    top = int(np.argmax(excess))
    worst = (int(who[top]), int(where[top]), float(excess[top]))
    return _Summary(who, excess, where, excess, int(np.count_nonzero(excess > tol)), worst)


def _profile_summary(
    seekers: IntArray, roles: IntArray, column: FloatArray, prices: Prices, tol: float
) -> _Summary:
    """A block where every role has the same score for a seeker and every pair is allowed.

    ``score[i] - u[i] - v[j]`` is largest at the cheapest role for each seeker and at the seeker
    with the largest ``score - u`` for each role; the positive pairs are counted by a binary
    search of each seeker's ``score - u`` among the sorted role prices: O((a + b) log b), never
    the a x b pairs one by one.
    """
    scored = column > 0
    role_price = prices.role[roles]
    open_role = np.isfinite(role_price)
    seekers, surplus = seekers[scored], column[scored] - prices.seeker[seekers[scored]]
    roles, role_price = roles[open_role], role_price[open_role]
    if seekers.size == 0 or roles.size == 0:
        empty = np.zeros(0)
        return _Summary(seekers[:0], empty, roles[:0], empty, 0, None)
    cheapest, richest = int(np.argmin(role_price)), int(np.argmax(surplus))
    sorted_price = np.sort(role_price)
    violations = int(np.searchsorted(sorted_price, surplus - tol, side="left").sum())
    worst = (
        int(seekers[richest]),
        int(roles[cheapest]),
        float(surplus[richest] - role_price[cheapest]),
    )
    return _Summary(
        seekers, surplus - role_price[cheapest], roles, surplus[richest] - role_price,
        violations, worst,
    )


def _block_summary(
    owner: str, k: int, block: Any, prices: Prices, shape: tuple[int, int], tol: float
) -> _Summary:
    """Check one block and summarise the reduced scores of its allowed pairs."""
    n_seekers, n_roles = shape
    try:
        seekers, roles, scores, allowed = PrunedBlock(*block)
        seekers = np.asarray(seekers)
        roles = np.asarray(roles)
        ok = seekers.ndim == 1 and roles.ndim == 1
        ok = ok and (seekers.dtype.kind in "iu" or seekers.size == 0)
        ok = ok and (roles.dtype.kind in "iu" or roles.size == 0)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise _fail(owner, "pruned", PRUNED_RULE, f"block {k}: {type(block).__name__}")
    seekers, roles = seekers.astype(np.int64), roles.astype(np.int64)
    for name, idx, bound in (("seeker", seekers, n_seekers), ("role", roles, n_roles)):
        bad = np.flatnonzero((idx < 0) | (idx >= bound))
        if bad.size:
            got = f"block {k} with {name} index {int(idx[bad[0]])} (there are {bound})"
            raise _fail(owner, "pruned", PRUNED_RULE, got)
    a, b = seekers.size, roles.size
    u, v = prices.seeker, prices.role
    if allowed is None and not sp.issparse(scores) and np.shape(scores) == (a, 1):
        column = np.asarray(scores, dtype=np.float64)[:, 0]
        bad = np.flatnonzero(~(np.isfinite(column) & (column >= 0)))
        if bad.size:
            got = (
                f"block {k} with a score of {float(column[bad[0]])!r} for seeker "
                f"{int(seekers[bad[0]])} and role {int(roles[0])}"
            )
            raise _fail(owner, "pruned", PRUNED_RULE, got)
        return _profile_summary(seekers, roles, column, prices, tol)
    if sp.issparse(scores):
        coo = sp.coo_array(scores)
        if coo.shape != (a, b):
            got = f"block {k} with sparse scores of shape {coo.shape} for {a} x {b} pairs"
            raise _fail(owner, "pruned", PRUNED_RULE, got)
        row, col, data = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data
        if allowed is not None:
            keep = np.broadcast_to(np.asarray(allowed, dtype=bool), (a, b))[row, col]
            row, col, data = row[keep], col[keep], data[keep]
    else:
        try:
            dense = np.broadcast_to(np.asarray(scores, dtype=np.float64), (a, b))
            mask = dense > 0
            if allowed is not None:
                mask = mask & np.broadcast_to(np.asarray(allowed, dtype=bool), (a, b))
        except (TypeError, ValueError):
            got = f"block {k} with scores of shape {np.shape(scores)} for {a} x {b} pairs"
            raise _fail(owner, "pruned", PRUNED_RULE, got) from None
        mask = mask | ~np.isfinite(dense) | (dense < 0)  # so that the check below sees them
        row, col = np.nonzero(mask)
        data = dense[row, col]
    bad_score = ~(np.isfinite(data) & (data >= 0))
    if bad_score.any():
        i = int(np.argmax(bad_score))
        got = (
            f"block {k} with a score of {float(data[i])!r} for seeker {int(seekers[row[i]])} "
            f"and role {int(roles[col[i]])}"
        )
        raise _fail(owner, "pruned", PRUNED_RULE, got)
    pos = data > 0
    row, col, data = row[pos], col[pos], data[pos]
    excess = data - u[seekers[row]] - v[roles[col]]
    return _pairs_summary(excess, seekers[row], roles[col], tol)


def certify(
    candidates: Any,
    slots: Any,
    assignment: Assignment,
    pruned: Iterable[Any] = (),
    *,
    prices: Prices | None = None,
) -> Optimality:
    """Certify an optimal assignment against pairs left out of the candidate graph.

    The dual prices ``u`` (seekers) and ``v`` (roles) of the assignment bound every assignment
    on the candidate graph by ``sum(u) + sum(slots * v)``, which equals its total. A pruned
    pair with ``score <= u[seeker] + v[role]`` cannot raise that bound, so when no pruned pair
    has a positive *reduced score* ``score - u - v`` the assignment is optimal over all pairs.
    Otherwise raising ``u[i]`` by the largest reduced score among seeker ``i``'s pruned pairs
    (or ``v[j]`` by role ``j``'s, paid ``slots[j]`` times) makes the prices feasible again; the
    cheaper of the two repairs is the upper bound, and the gap is reported against it.

    Parameters
    ----------
    candidates : scipy.sparse csr_array or csr_matrix, shape (n_seekers, n_roles)
        The candidate graph the assignment was solved on.
    slots : int array, shape (n_roles,)
    assignment : Assignment
        Optimal on ``candidates`` (e.g. from :func:`matcher.assign.solve`).
    pruned : iterable of PrunedBlock or (seekers, roles, scores[, allowed]) tuples
        The pairs left out, in blocks of any size (a generator is read once, block by block,
        so the pruned pairs never need to be in memory together).
    prices : Prices, optional
        The assignment's :func:`dual_prices`, when already at hand.

    Returns
    -------
    Optimality

    Raises
    ------
    ValueError
        On invalid input, a malformed block (named by its position, from 0), or an assignment
        that is not optimal on the candidate graph.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> from matcher.assign import solve_sparse
    >>> w = sp.csr_array(np.array([[0.9, 0.0], [0.8, 0.0]]))
    >>> a = solve_sparse(w, np.array([1, 1]))
    >>> certify(w, [1, 1], a).certified
    True

    Seeker 1 was pruned from role 1, where it scores 0.7:

    >>> o = certify(w, [1, 1], a, [([1], [1], [[0.7]])])
    >>> o.certified, round(o.upper_bound, 6), round(o.gap, 4), o.worst[:2]
    (False, 1.6, 0.4375, (1, 1))
    """
    owner = "certify"
    csr, slots_int = _check_problem(candidates, slots, owner)
    if not isinstance(assignment, Assignment):
        got = f"an object of type {type(assignment).__name__}"
        raise _fail(owner, "assignment", ASSIGNMENT_RULE, got)
    roles_of = assignment.role_of_seeker
    if prices is None:
        prices = _optimal_prices(owner, csr, slots_int, roles_of)
    n_seekers, n_roles = csr.shape
    u, v = prices.seeker, prices.role
    open_role = slots_int > 0
    dual = math.fsum(u.tolist()) + math.fsum((slots_int[open_role] * v[open_role]).tolist())
    tol = OPTIMALITY_TOLERANCE * _scale(csr)
    seeker_gain = np.zeros(n_seekers)
    role_gain = np.zeros(n_roles)
    violations, worst = 0, None
    if isinstance(pruned, PrunedBlock):
        pruned = [pruned]
    for k, block in enumerate(pruned):
        part = _block_summary(owner, k, block, prices, csr.shape, tol)
        np.maximum.at(seeker_gain, part.seekers, part.seeker_gain)
        np.maximum.at(role_gain, part.roles, part.role_gain)
        violations += part.violations
        if part.worst is not None and (worst is None or part.worst[2] > worst[2]):
            worst = part.worst
    total = assignment.total
    if violations == 0:
        return Optimality(True, total, 0.0, total, 0, worst)
    by_seeker = dual + math.fsum(np.maximum(seeker_gain, 0.0).tolist())
    by_role = dual + math.fsum((slots_int * np.maximum(role_gain, 0.0)).tolist())
    upper = max(min(by_seeker, by_role), total)
    gap = (upper - total) / upper if upper > 0 else 0.0
    logger.debug(
        "certify: %d pruned pairs with a positive reduced score; bound %.6g, gap %.3g",
        violations, upper, gap,
    )
    return Optimality(False, upper, gap, total, violations, worst)
