"""The exact solver for office and region scale, and the record every solver returns.

The problem
-----------
``candidates`` is a CSR matrix, seekers x roles, whose *stored* entries are the allowed pairs
with their scores (> 0); ``slots[j]`` is the number of places in role ``j``. An assignment gives
each seeker at most one role, each role at most ``slots[j]`` seekers, and uses stored pairs only.
The solvers maximise the total score.

:func:`solve_dense` is exact: it hands the problem to
:func:`scipy.optimize.linear_sum_assignment` on a dense seekers x slot-columns matrix, where a
role with ``k`` places becomes ``k`` identical columns. Forbidden pairs get weight 0 there; as
every allowed score is > 0, an optimum that uses a weight-0 pair stays optimal without it, so
such pairs are simply dropped from the answer. Use it when the dense matrix fits in memory
(thousands of seekers and slots); :func:`matcher.assign.solve_greedy` is the baseline to compare
against, and :func:`matcher.assign.check_assignment` certifies any answer.

Before building the matrix the problem is trimmed, and each cut is exact:

- a seeker with no stored pair can never be placed, so dropping the row changes nothing;
- a role with no stored pair can never be filled, so dropping its columns changes nothing;
- role ``j`` can hold at most ``n_j`` seekers, the number of seekers allowed in it (each seeker
  takes one role at most), so columns beyond ``min(slots[j], n_j)`` can never be used.

The same input always gives the same output: the trimming keeps the input order and
``linear_sum_assignment`` is deterministic.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from matcher.validate import Described, parameter_error

__all__ = ["Assignment", "solve_dense"]

logger = logging.getLogger(__name__)

CANDIDATES_RULE = (
    "a scipy.sparse CSR matrix (csr_array or csr_matrix) of shape (n_seekers, n_roles)"
)
SCORES_RULE = "a CSR matrix of real scores (int or float dtype)"
STORED_RULE = (
    "a CSR matrix whose stored entries are finite scores > 0 (leave forbidden pairs unstored)"
)
SLOTS_RULE = "an int array of shape (n_roles,) with every entry >= 0"
ROLES_RULE = "an int array (-1 = unmatched) of shape (n_seekers,)"

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Assignment:
    """A solver's answer.

    Attributes
    ----------
    role_of_seeker : ndarray of int64, shape (n_seekers,)
        The role index of each seeker, ``-1`` for unmatched. Read-only.
    total : float
        The sum of the chosen scores (``math.fsum`` in seeker order).
    solver : str
        Which solver produced it, e.g. ``'dense'`` or ``'greedy'``.

    Examples
    --------
    >>> import numpy as np
    >>> a = Assignment(np.array([1, -1, 0]), 1.5, "dense")
    >>> a.role_of_seeker
    array([ 1, -1,  0])
    >>> a.n_matched
    2
    """

    role_of_seeker: IntArray
    total: float
    solver: str

    def __post_init__(self) -> None:
        given = np.asarray(self.role_of_seeker)
        if given.ndim != 1 or (given.dtype.kind not in "iu" and given.size > 0):
            got = f"an array of shape {given.shape} and dtype {given.dtype}"
            raise _fail("Assignment", "role_of_seeker", ROLES_RULE, got)
        roles = given.astype(np.int64)  # always a copy
        roles.setflags(write=False)
        object.__setattr__(self, "role_of_seeker", roles)
        object.__setattr__(self, "total", float(self.total))

    @property
    def n_matched(self) -> int:
        """The number of seekers with a role."""
        return int(np.count_nonzero(self.role_of_seeker >= 0))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Assignment):
            return NotImplemented
        return (
            np.array_equal(self.role_of_seeker, other.role_of_seeker)
            and self.total == other.total
            and self.solver == other.solver
        )

    __hash__ = None  # type: ignore[assignment]  # holds an array, like a list


def _fail(owner: str, name: str, rule: str, got: str) -> Exception:
    return parameter_error(owner, name, rule, Described(got))


def _check_problem(candidates: Any, slots: Any, owner: str) -> tuple[Any, IntArray]:
    """Validate ``candidates`` and ``slots``; return a canonical float64 csr_array and int64 slots.

    The returned matrix is a copy with sorted indices and duplicates summed (scipy's meaning of
    duplicate entries), so that lookups by binary search are valid.
    """
    if not (sp.issparse(candidates) and candidates.format == "csr"):
        raise _fail(
            owner, "candidates", CANDIDATES_RULE, f"an object of type {type(candidates).__name__}"
        )
    if len(candidates.shape) != 2:
        raise _fail(
            owner, "candidates", CANDIDATES_RULE, f"a CSR matrix of shape {candidates.shape}"
        )
    if candidates.dtype.kind not in "iuf":
        raise _fail(owner, "candidates", SCORES_RULE, f"a CSR matrix of dtype {candidates.dtype}")
    n_seekers, n_roles = candidates.shape
    data = np.array(candidates.data, dtype=np.float64)  # a copy: sum_duplicates sorts in place
    bad = ~(np.isfinite(data) & (data > 0))
    if bad.any():
        k = int(np.argmax(bad))
        seeker = int(np.searchsorted(candidates.indptr, k, side="right")) - 1
        role = int(candidates.indices[k])
        got = f"a stored entry of {float(data[k])!r} for seeker {seeker} and role {role}"
        raise _fail(owner, "candidates", STORED_RULE, got)

    try:
        slots_arr = np.asarray(slots)
    except (TypeError, ValueError):
        slots_arr = np.asarray(None)
    if isinstance(slots, str | bytes) or slots_arr.dtype == object or slots_arr.ndim == 0:
        raise _fail(owner, "slots", SLOTS_RULE, f"an object of type {type(slots).__name__}")
    if slots_arr.shape != (n_roles,):
        got = f"an array of shape {slots_arr.shape} for {n_roles} roles"
        raise _fail(owner, "slots", SLOTS_RULE, got)
    if slots_arr.dtype.kind not in "iu" and slots_arr.size > 0:
        raise _fail(owner, "slots", SLOTS_RULE, f"an array of dtype {slots_arr.dtype}")
    slots_int = slots_arr.astype(np.int64)
    if slots_int.size and slots_int.min() < 0:
        j = int(np.argmin(slots_int))
        raise _fail(owner, "slots", SLOTS_RULE, f"an entry of {int(slots_int[j])} for role {j}")

    csr = sp.csr_array(
        (data, np.array(candidates.indices), np.array(candidates.indptr)),
        shape=(n_seekers, n_roles),
    )
    csr.sum_duplicates()
    return csr, slots_int


def _scores_at(
    csr: Any, seekers: IntArray, roles: IntArray
) -> tuple[FloatArray, NDArray[np.bool_]]:
    """The stored scores of the pairs ``(seekers[k], roles[k])`` and whether each is stored.

    ``csr`` must be canonical (sorted indices, no duplicates): then ``row * n_roles + col`` of the
    stored entries is increasing and a binary search finds any pair.
    """
    n_roles = csr.shape[1]
    rows = np.repeat(np.arange(csr.shape[0], dtype=np.int64), np.diff(csr.indptr))
    keys = rows * n_roles + csr.indices
    query = np.asarray(seekers, dtype=np.int64) * n_roles + np.asarray(roles, dtype=np.int64)
    pos = np.searchsorted(keys, query)
    inside = pos < keys.size
    found = np.zeros(query.shape, dtype=bool)
    found[inside] = keys[pos[inside]] == query[inside]
    scores = np.zeros(query.shape, dtype=np.float64)
    scores[found] = csr.data[pos[found]]
    return scores, found


def _total(csr: Any, role_of_seeker: IntArray) -> float:
    """The sum of the chosen stored scores, in seeker order, with ``math.fsum``."""
    matched = np.flatnonzero(role_of_seeker >= 0)
    scores, _ = _scores_at(csr, matched, role_of_seeker[matched])
    return math.fsum(scores.tolist())


def solve_dense(candidates: Any, slots: Any) -> Assignment:
    """Maximise the total score exactly, on a dense seekers x slot-columns matrix.

    Parameters
    ----------
    candidates : scipy.sparse csr_array or csr_matrix, shape (n_seekers, n_roles)
        The stored entries are the allowed pairs and their scores (finite, > 0).
    slots : int array, shape (n_roles,)
        The number of places in each role (every entry >= 0; a role with 0 places is closed).

    Returns
    -------
    Assignment
        ``solver='dense'``. Optimal; the same input always gives the same output.

    Raises
    ------
    ValueError
        If ``candidates`` is not CSR, holds a stored score that is not finite and > 0, or
        ``slots`` is not an int array of shape (n_roles,) with every entry >= 0.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> w = sp.csr_array(np.array([[1.0, 0.9], [0.8, 0.0]]))
    >>> a = solve_dense(w, np.array([1, 1]))
    >>> a.role_of_seeker, round(a.total, 6)
    (array([1, 0]), 1.7)
    """
    csr, slots_int = _check_problem(candidates, slots, "solve_dense")
    n_seekers, n_roles = csr.shape
    role_of_seeker = np.full(n_seekers, -1, dtype=np.int64)
    if csr.nnz == 0:
        return Assignment(role_of_seeker, 0.0, "dense")

    seekers = np.flatnonzero(np.diff(csr.indptr) > 0)
    allowed = np.bincount(csr.indices, minlength=n_roles)
    roles = np.flatnonzero(allowed > 0)
    columns = np.minimum(slots_int[roles], allowed[roles])
    # Hand linear_sum_assignment the negated weights with rows <= columns, the orientation and
    # sign it works in internally: that saves it two copies of the matrix.
    weights = csr[seekers][:, roles].toarray()
    role_of_column = np.repeat(np.arange(roles.size), columns)
    if role_of_column.size <= seekers.size:
        cost = np.negative(weights.T[role_of_column])
        column, row = linear_sum_assignment(cost)
        chosen = cost[column, row]
    else:
        cost = np.negative(weights[:, role_of_column])
        row, column = linear_sum_assignment(cost)
        chosen = cost[row, column]
    used = chosen < 0  # weight 0: a forbidden pair, or a slot left empty
    role_of_seeker[seekers[row[used]]] = roles[role_of_column[column[used]]]
    logger.debug(
        "solve_dense: %d x %d trimmed to %d seekers x %d slot columns; %d matched",
        n_seekers,
        n_roles,
        seekers.size,
        role_of_column.size,
        int(used.sum()),
    )
    return Assignment(role_of_seeker, _total(csr, role_of_seeker), "dense")
