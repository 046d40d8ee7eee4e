"""Speed of the exact dense solver against the greedy baseline and a naive dense reference.

Run ``python benchmarks/bench_solver.py [--seed N] [--runs 5]``. Prints, per scale, the median
wall time over the runs of:

- ``solve_dense``: trimmed, oriented, negated matrix handed to ``linear_sum_assignment``;
- ``solve_greedy``: best pairs first;
- ``naive dense``: ``linear_sum_assignment(maximize=True)`` on the full, untrimmed seekers x
  slot-columns matrix built from ``candidates.toarray()`` (what one writes first);
- ``freeing_cost`` and ``check_assignment`` on the dense answer (the certificate);

with each time's ratio to ``solve_dense`` and each total's ratio to the optimum. Instances:
random scores in (0, 1] on ~30% of the pairs; slots 1 + a multinomial share of the rest, so they
vary by role and sum exactly to the stated number. Not run by the test suite.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment

from matcher.assign import check_assignment, freeing_cost, solve_dense, solve_greedy

SCALES = [("office (small)", 200, 50, 150), ("office (large)", 2_000, 500, 1_500)]
DENSITY = 0.3


def make_instance(n_seekers: int, n_roles: int, n_slots: int, seed: int) -> tuple[Any, Any]:
    rng = np.random.default_rng(seed)
    allowed = rng.random((n_seekers, n_roles)) < DENSITY
    scores = np.where(allowed, 1.0 - rng.random((n_seekers, n_roles)), 0.0)  # (0, 1]
    slots = 1 + rng.multinomial(n_slots - n_roles, np.full(n_roles, 1.0 / n_roles))
    return sp.csr_array(scores), slots.astype(np.int64)


def naive_dense(candidates: Any, slots: Any) -> float:
    columns = candidates.toarray()[:, np.repeat(np.arange(slots.size), slots)]
    rows, cols = linear_sum_assignment(columns, maximize=True)
    return float(columns[rows, cols].sum())


def median_time(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    header = (
        f"{'scale':<37} {'method':<17} {'median s':>9} {'x dense':>8} {'total':>10} {'/ opt':>7}"
    )
    print(header)
    print("-" * len(header))
    for name, n_seekers, n_roles, n_slots in SCALES:
        candidates, slots = make_instance(n_seekers, n_roles, n_slots, args.seed)
        label = f"{name} {n_seekers}x{n_roles} ({n_slots} slots)"
        t_dense, dense = median_time(partial(solve_dense, candidates, slots), args.runs)
        t_greedy, greedy = median_time(partial(solve_greedy, candidates, slots), args.runs)
        t_naive, naive = median_time(partial(naive_dense, candidates, slots), args.runs)
        roles = dense.role_of_seeker
        t_free, _ = median_time(partial(freeing_cost, candidates, slots, roles), args.runs)
        t_check, problems = median_time(
            partial(check_assignment, candidates, slots, dense), args.runs
        )
        assert not problems and abs(naive - dense.total) < 1e-9 * n_seekers, (problems, naive)
        rows = [
            ("solve_dense", t_dense, dense.total),
            ("solve_greedy", t_greedy, greedy.total),
            ("naive dense", t_naive, naive),
            ("freeing_cost", t_free, None),
            ("check_assignment", t_check, None),
        ]
        for method, seconds, total in rows:
            shown = (
                f"{total:>10.3f} {total / dense.total:>7.4f}" if total is not None else f"{'':>18}"
            )
            print(f"{label:<37} {method:<17} {seconds:>9.4f} {seconds / t_dense:>8.2f} {shown}")
            label = ""


if __name__ == "__main__":
    main()
