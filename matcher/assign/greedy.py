"""The greedy baseline: best pairs first.

:func:`solve_greedy` takes the allowed pairs in descending score (ties by seeker index, then role
index) and keeps a pair while its seeker is free and its role has room. It is what a caseworker
would do by hand, and the yardstick the exact solver is measured against; it can be far from
optimal (a seeker who fits only one role loses it to someone who had other good options). Use
:func:`matcher.assign.solve_dense` for answers; use this one to show what optimisation gains.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from matcher.assign.dense import Assignment, _check_problem, _total

__all__ = ["solve_greedy"]

logger = logging.getLogger(__name__)


def solve_greedy(candidates: Any, slots: Any) -> Assignment:
    """Assign pairs in descending score while the seeker is free and the role has room.

    Parameters
    ----------
    candidates : scipy.sparse csr_array or csr_matrix, shape (n_seekers, n_roles)
        The stored entries are the allowed pairs and their scores (finite, > 0).
    slots : int array, shape (n_roles,)
        The number of places in each role (every entry >= 0).

    Returns
    -------
    Assignment
        ``solver='greedy'``. Feasible, deterministic, not necessarily optimal.

    Raises
    ------
    ValueError
        On the same inputs as :func:`matcher.assign.solve_dense`.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> w = sp.csr_array(np.array([[1.0, 0.9], [0.8, 0.0]]))
    >>> a = solve_greedy(w, np.array([1, 1]))
    >>> a.role_of_seeker, a.total
    (array([ 0, -1]), 1.0)
    """
    csr, slots_int = _check_problem(candidates, slots, "solve_greedy")
    n_seekers, n_roles = csr.shape
    seeker_of_entry = np.repeat(np.arange(n_seekers, dtype=np.int64), np.diff(csr.indptr))
    order = np.lexsort((csr.indices, seeker_of_entry, -csr.data))

    role_of_seeker = [-1] * n_seekers
    room = slots_int.tolist()
    to_place = min(n_seekers, int(slots_int.sum()))
    placed = 0
    for seeker, role in zip(
        seeker_of_entry[order].tolist(), csr.indices[order].tolist(), strict=True
    ):
        if placed == to_place:
            break
        if role_of_seeker[seeker] < 0 and room[role] > 0:
            role_of_seeker[seeker] = role
            room[role] -= 1
            placed += 1
    result = np.array(role_of_seeker, dtype=np.int64)
    logger.debug("solve_greedy: %d x %d, %d matched", n_seekers, n_roles, placed)
    return Assignment(result, _total(csr, result), "greedy")
