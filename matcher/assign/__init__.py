"""Assign seekers to role places: maximise the total score, and certify the answer.

Which function to use:

- :func:`solve_dense`: exact, for office and region scale (the dense seekers x slots matrix must
  fit in memory). The answer to give.
- :func:`solve_greedy`: best pairs first; the baseline that shows what optimisation gains.
- :func:`freeing_cost`: for an optimal assignment, what one place in each role costs the others;
  the explanation stage turns it into "placing this seeker in X would lower the total by Y".
- :func:`check_assignment`: every broken invariant of any assignment, optimality included; an
  empty list is a certificate.

All of them take arrays and return arrays: a CSR seekers x roles matrix whose stored entries are
the allowed pairs and their scores, and an int array of slots per role.
"""

from matcher.assign.certificate import check_assignment, freeing_cost
from matcher.assign.dense import Assignment, solve_dense
from matcher.assign.greedy import solve_greedy

__all__ = ["Assignment", "check_assignment", "freeing_cost", "solve_dense", "solve_greedy"]
