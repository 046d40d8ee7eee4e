"""The exact solver on a sparse candidate graph: min-cost flow through OR-Tools.

The network
-----------
Each seeker with at least one allowed pair is a node with a supply of one; one *sink* node takes
them all. A seeker sends its unit either to a role it is allowed in (cost ``-score``) or straight
to the sink (cost 0: left unmatched); a role passes at most ``slots[j]`` units on to the sink.
A minimum-cost flow is then a maximum-score assignment, and the flow problem has integral
optima, so OR-Tools' :class:`SimpleMinCostFlow` (cost-scaling push-relabel, integer costs)
returns one directly. Memory and time grow with the number of allowed pairs, not with
seekers x slots as in :func:`matcher.assign.solve_dense`.

Integer costs, and why the answer is exact in floats
----------------------------------------------------
Scores become ``round(score * scale)`` with ``scale`` a power of two, as large as OR-Tools allows
for the size of the network: it multiplies every cost by ``n_nodes + 1`` internally and gives up
(``BAD_COST_RANGE``) once that passes about ``2**62``, so ``scale = 2**floor(60 - log2((n_nodes +
1) * largest score))``. That is ``2**48`` (2.8e14) for an office and ``2**41`` (2.2e12) for
300,000 seekers and 80,000 roles; totals stay below ``2**60`` as well. Rounding moves each score
by at most ``0.5 / scale``, so an assignment that is optimal for the rounded scores is within
``n_matched / scale`` of the optimum in total (below 1.4e-7 at national scale) and any single
exchange of ``k`` pairs it misses gains less than ``k / scale``: far below the tolerance of
:func:`matcher.assign.check_assignment` (``1e-9``). ``1e6``, the usual choice, is not fine
enough: it leaves pairs ``9e-7`` off. Exactness is not assumed: the certificate
(:func:`matcher.assign.certify`) checks the answer against dual prices in floating point.

The same input always gives the same output: the network is built in input order and OR-Tools'
solver is deterministic.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np

from matcher.assign.dense import Assignment, IntArray, _check_problem, _total

__all__ = ["cost_scale", "solve_sparse"]

logger = logging.getLogger(__name__)

_COST_BITS = 60
"""OR-Tools multiplies costs by ``n_nodes + 1`` and needs the product below ~2**62; keep two
bits of room for its potentials and for the total."""

INSTALL_MESSAGE = (
    "The sparse solver needs OR-Tools, which is not installed. Install it with: "
    "pip install 'ortools>=9.10'"
)


def cost_scale(n_nodes: int, largest: float) -> float:
    """The power of two that scores are multiplied by before rounding to integer costs.

    Parameters
    ----------
    n_nodes : int
        Nodes of the flow network.
    largest : float
        The largest absolute cost, in score units.

    Returns
    -------
    float
        ``2**floor(60 - log2((n_nodes + 1) * max(largest, 1)))``.

    Examples
    --------
    >>> cost_scale(2_501, 1.0) == 2.0**48
    True
    >>> cost_scale(380_002, 1.0) == 2.0**41
    True
    """
    room = (n_nodes + 1) * max(float(largest), 1.0)
    return float(2.0 ** math.floor(_COST_BITS - math.log2(room)))


def _min_cost_flow() -> Any:
    """A fresh ``SimpleMinCostFlow``; OR-Tools is imported on first use (~40 ms)."""
    try:
        from ortools.graph.python import min_cost_flow
    except ImportError as err:  # pragma: no cover - ortools is a core dependency
        raise ImportError(INSTALL_MESSAGE) from err
    return min_cost_flow.SimpleMinCostFlow()


def _solved(flow: Any, what: str) -> None:
    status = flow.solve()
    if status != flow.OPTIMAL:  # pragma: no cover - the networks built here are always feasible
        raise RuntimeError(f"OR-Tools min-cost flow ({what}) stopped with status {status!r}")


def _solve_canonical(csr: Any, slots: IntArray) -> IntArray:
    """``role_of_seeker`` for a canonical CSR matrix (see ``_check_problem``) and its slots."""
    n_seekers, n_roles = csr.shape
    role_of_seeker = np.full(n_seekers, -1, dtype=np.int64)
    open_role = slots > 0
    rows = np.repeat(np.arange(n_seekers, dtype=np.int64), np.diff(csr.indptr))
    usable = open_role[csr.indices]
    rows, roles, scores = rows[usable], csr.indices[usable].astype(np.int64), csr.data[usable]
    if rows.size == 0:
        return role_of_seeker

    # Only seekers and roles that have a usable pair become nodes (an exact cut: the others can
    # never be placed or filled); both keep their input order.
    has_pair = np.zeros(n_seekers, dtype=bool)
    has_pair[rows] = True
    seekers = np.flatnonzero(has_pair)
    node_of_seeker = (np.cumsum(has_pair) - 1)[rows]
    role_used = np.zeros(n_roles, dtype=bool)
    role_used[roles] = True
    used_roles = np.flatnonzero(role_used)
    node_of_role = seekers.size + (np.cumsum(role_used) - 1)[roles]
    sink = seekers.size + used_roles.size
    n_nodes = sink + 1
    allowed = np.bincount(roles, minlength=n_roles)[used_roles]
    capacity = np.minimum(slots[used_roles], allowed)

    scale = cost_scale(n_nodes, float(scores.max()))
    n_pairs = rows.size
    tails = np.concatenate(
        [node_of_seeker, seekers.size + np.arange(used_roles.size), np.arange(seekers.size)]
    ).astype(np.int32)
    heads = np.concatenate(
        [node_of_role, np.full(used_roles.size + seekers.size, sink)]
    ).astype(np.int32)
    capacities = np.concatenate(
        [np.ones(n_pairs, dtype=np.int64), capacity, np.ones(seekers.size, dtype=np.int64)]
    )
    costs = np.concatenate(
        [
            -np.rint(scores * scale).astype(np.int64),
            np.zeros(used_roles.size + seekers.size, dtype=np.int64),
        ]
    )
    supplies = np.zeros(n_nodes, dtype=np.int64)
    supplies[: seekers.size] = 1
    supplies[sink] = -seekers.size

    flow = _min_cost_flow()
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    flow.set_nodes_supplies(np.arange(n_nodes, dtype=np.int32), supplies)
    _solved(flow, "assignment")
    chosen = np.asarray(flow.flows(np.arange(n_pairs, dtype=np.int32))) > 0
    role_of_seeker[rows[chosen]] = roles[chosen]
    logger.debug(
        "solve_sparse: %d x %d, %d usable pairs, scale 2**%d; %d matched",
        n_seekers,
        n_roles,
        n_pairs,
        int(math.log2(scale)),
        int(chosen.sum()),
    )
    return role_of_seeker


def solve_sparse(candidates: Any, slots: Any) -> Assignment:
    """Maximise the total score exactly, by min-cost flow on the allowed pairs only.

    Parameters
    ----------
    candidates : scipy.sparse csr_array or csr_matrix, shape (n_seekers, n_roles)
        The stored entries are the allowed pairs and their scores (finite, > 0).
    slots : int array, shape (n_roles,)
        The number of places in each role (every entry >= 0; a role with 0 places is closed).

    Returns
    -------
    Assignment
        ``solver='sparse'``. Optimal (see the module notes); the same input always gives the
        same output.

    Raises
    ------
    ValueError
        On the same inputs as :func:`matcher.assign.solve_dense`.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> w = sp.csr_array(np.array([[1.0, 0.9], [0.8, 0.0]]))
    >>> a = solve_sparse(w, np.array([1, 1]))
    >>> a.role_of_seeker, round(a.total, 6), a.solver
    (array([1, 0]), 1.7, 'sparse')
    """
    csr, slots_int = _check_problem(candidates, slots, "solve_sparse")
    role_of_seeker = _solve_canonical(csr, slots_int)
    return Assignment(role_of_seeker, _total(csr, role_of_seeker), "sparse")
