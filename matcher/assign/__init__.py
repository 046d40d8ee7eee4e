"""Assign seekers to role places: maximise the total score, and certify the answer.

Which function to use:

- :func:`solve`: the answer to give. Exact; splits the candidate graph into its connected
  components, runs them on any :class:`concurrent.futures.Executor`, and picks the dense or the
  sparse solver by size (``solver="auto"``), saying which it used.
- :func:`solve_sparse`: exact, min-cost flow on the allowed pairs only (OR-Tools); time and
  memory grow with the number of pairs. Any scale.
- :func:`solve_dense`: exact, on a dense seekers x slot-columns matrix; small instances only.
- :func:`solve_greedy`: best pairs first; the baseline that shows what optimisation gains.
- :func:`dual_prices`: the seeker and role prices that certify an optimal assignment.
- :func:`certify`: whether pairs left out of the candidate graph could have raised the total;
  an upper bound and the gap when they could.
- :func:`freeing_cost`: for an optimal assignment, what one place in each role costs the others;
  the explanation stage turns it into "placing this seeker in X would lower the total by Y".
- :func:`check_assignment`: every broken invariant of any assignment, optimality included; an
  empty list is a certificate.

All of them take arrays and return arrays: a CSR seekers x roles matrix whose stored entries are
the allowed pairs and their scores, and an int array of slots per role.
"""

from matcher.assign.certificate import (
    Optimality,
    Prices,
    PrunedBlock,
    certify,
    check_assignment,
    dual_prices,
    freeing_cost,
)
from matcher.assign.decompose import DENSE_AUTO_MAX_CELLS, DENSE_MAX_BYTES, components, solve
from matcher.assign.dense import Assignment, solve_dense
from matcher.assign.greedy import solve_greedy
from matcher.assign.sparse import solve_sparse

__all__ = [
    "DENSE_AUTO_MAX_CELLS",
    "DENSE_MAX_BYTES",
    "Assignment",
    "Optimality",
    "Prices",
    "PrunedBlock",
    "certify",
    "check_assignment",
    "components",
    "dual_prices",
    "freeing_cost",
    "solve",
    "solve_dense",
    "solve_greedy",
    "solve_sparse",
]
