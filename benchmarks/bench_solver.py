"""The exact solvers on synthetic candidate graphs: time, peak memory, totals, and the certificate.

Run ``python benchmarks/bench_solver.py [--runs 3] [--k 50] [--scales office,region]``. Each
method runs ``--runs`` times, every run in a fresh forked process, so the peak memory it
reports is that run's own (``VmHWM`` after resetting it, minus the resident size at the start;
it sees OR-Tools' C++ allocations, which ``tracemalloc`` does not). The table gives medians and,
per scale, each CPU time's ratio to ``solve(solver='sparse')`` (CPU time, because the wall time
of a shared machine depends on its neighbours) and each total's ratio to the optimum.

Methods:

- ``solve sparse``: :func:`matcher.assign.solve` with ``solver='sparse'`` (validation,
  components, min-cost flow, answer);
- ``OR-Tools direct``: the same network built straight from the CSR arrays and solved with
  ``SimpleMinCostFlow`` (what one writes by hand: no checks, no trimming, no components);
- ``solve dense``: ``solver='dense'``, where the size guard allows it;
- ``greedy``: best pairs first;
- ``dual prices``: :func:`matcher.assign.dual_prices` on the sparse answer (the certificate);
- ``freeing (old BF)``: the full-round Bellman-Ford the freeing costs used before, still
  used to name what is wrong with a non-optimal assignment.

Instances: seekers and roles placed around a dozen "cities" of different weight; a seeker
reaches the roles within a radius that covers 18 % of them on average; a score mixes the
seeker's ability, the role's quality and noise; each seeker keeps its top ``k`` roles within
reach. Slots: 1 + a multinomial share of the rest, summing to the stated number. Not run by
the test suite.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import scipy.sparse as sp

from matcher.assign import dual_prices, solve, solve_greedy
from matcher.assign.certificate import _drop_closed, _role_paths, _scale
from matcher.assign.dense import _check_problem

SCALES = {
    "office": (2_000, 500, 1_500),
    "region": (20_000, 5_000, 15_000),
    # the country, run alone with --k 20 (the old Bellman-Ford is left out: it grows as
    # n^2.3); its graph is drawn from each seeker's nearest roles (national_graph)
    "national": (300_000, 80_000, 240_000),
}
#: roles a national seeker's candidates are drawn from: the nearest within reach
NEAREST = 200
REACH = 0.18


def _population(rng: Any, n_seekers: int, n_roles: int) -> tuple[Any, ...]:
    """Seekers and roles around a dozen "cities" of different weight, their ability and
    quality, and the radius that reaches :data:`REACH` of the roles on average."""
    centres = rng.random((12, 2))
    weight = rng.dirichlet(np.full(12, 0.7))

    def place(count: int) -> Any:
        return centres[rng.choice(12, size=count, p=weight)] + rng.normal(0, 0.08, (count, 2))

    seekers, roles = place(n_seekers), place(n_roles)
    quality, ability = rng.beta(2, 2, n_roles), rng.beta(2, 2, n_seekers)
    sample = rng.choice(n_seekers, size=min(n_seekers, 300), replace=False)
    radius = np.quantile(np.linalg.norm(seekers[sample, None] - roles[None], axis=2), REACH)
    return seekers, roles, ability, quality, radius


def candidate_graph(
    n_seekers: int, n_roles: int, n_slots: int, k: int, seed: int = 0, block: int = 2_000
) -> tuple[Any, Any]:
    """A top-``k`` candidate graph over roles within reach; deterministic in ``seed``."""
    rng = np.random.default_rng(seed)
    seekers, roles, ability, quality, radius = _population(rng, n_seekers, n_roles)
    keep_k = min(k, n_roles)
    rows, cols, vals = [], [], []
    for start in range(0, n_seekers, block):
        stop = min(n_seekers, start + block)
        near = np.linalg.norm(seekers[start:stop, None] - roles[None], axis=2) <= radius
        noise = rng.random((stop - start, n_roles))
        score = 0.5 * ability[start:stop, None] + 0.3 * quality[None] + 0.2 * noise
        score = np.where(near, np.clip(score, 1e-3, 1.0), 0.0)
        top = np.argpartition(-score, keep_k - 1, axis=1)[:, :keep_k]
        value = np.take_along_axis(score, top, axis=1)
        kept = value > 0
        rows.append(np.broadcast_to(np.arange(start, stop)[:, None], top.shape)[kept])
        cols.append(top[kept])
        vals.append(value[kept])
    graph = sp.csr_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_seekers, n_roles),
    )
    slots = 1 + rng.multinomial(n_slots - n_roles, np.full(n_roles, 1.0 / n_roles))
    return graph, slots.astype(np.int64)


def national_graph(n_seekers: int, n_roles: int, n_slots: int, k: int,
                   seed: int = 0) -> tuple[Any, Any]:
    """The same kind of instance as :func:`candidate_graph` at the country's size, where
    scoring every seeker x role cell in Python would take the better part of an hour: each
    seeker's top ``k`` among its :data:`NEAREST` nearest roles within reach (a k-d tree over
    the role places) rather than among all within reach; deterministic in ``seed``."""
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(seed)
    seekers, roles, ability, quality, radius = _population(rng, n_seekers, n_roles)
    distance, near = cKDTree(roles).query(seekers, k=NEAREST, distance_upper_bound=radius)
    within = np.isfinite(distance)
    near = np.where(within, near, 0)
    score = 0.5 * ability[:, None] + 0.3 * quality[near] + 0.2 * rng.random(near.shape)
    score = np.where(within, np.clip(score, 1e-3, 1.0), 0.0)
    top = np.argpartition(-score, k - 1, axis=1)[:, :k]
    value = np.take_along_axis(score, top, axis=1)
    kept = value > 0
    rows = np.broadcast_to(np.arange(n_seekers)[:, None], top.shape)[kept]
    graph = sp.csr_array((value[kept], (rows, np.take_along_axis(near, top, axis=1)[kept])),
                         shape=(n_seekers, n_roles))
    slots = 1 + rng.multinomial(n_slots - n_roles, np.full(n_roles, 1.0 / n_roles))
    return graph, slots.astype(np.int64)


def ortools_direct(candidates: Any, slots: Any) -> float:
    """The same network as the sparse solver, built and solved by hand."""
    from ortools.graph.python import min_cost_flow

    n, m = candidates.shape
    rows = np.repeat(np.arange(n), np.diff(candidates.indptr))
    sink = n + m
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate([rows, n + np.arange(m), np.arange(n)]).astype(np.int32),
        np.concatenate([n + candidates.indices, np.full(m + n, sink)]).astype(np.int32),
        np.concatenate([np.ones(candidates.nnz), slots, np.ones(n)]).astype(np.int64),
        np.concatenate([-np.rint(candidates.data * 2.0**40), np.zeros(m + n)]).astype(np.int64),
    )
    supplies = np.zeros(n + m + 1, dtype=np.int64)
    supplies[:n], supplies[sink] = 1, -n
    flow.set_nodes_supplies(np.arange(n + m + 1, dtype=np.int32), supplies)
    assert flow.solve() == flow.OPTIMAL
    chosen = np.asarray(flow.flows(np.arange(candidates.nnz, dtype=np.int32))) > 0
    return float(candidates.data[chosen].sum())


def old_freeing(candidates: Any, slots: Any, role_of_seeker: Any) -> None:
    csr, slots_int = _check_problem(candidates, slots, "bench")
    csr = _drop_closed(csr, slots_int)
    assert _role_paths(csr, slots_int, role_of_seeker, _scale(csr)).settled


def _memory() -> tuple[int, int]:
    fields = {}
    with open("/proc/self/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0]) * 1024
    return fields["VmRSS"], fields["VmHWM"]


def _child(fn: Callable[[], Any], out: Any) -> None:
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # reset the peak resident size to the current one
    before, _ = _memory()
    start, cpu = time.perf_counter(), time.process_time()
    try:
        result = fn()
    except ValueError as err:  # the dense size guard: hand the refusal to the parent
        out.send(err)
        out.close()
        return
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    out.send((seconds, cpu, _memory()[1] - before, result))
    out.close()


def measure(fn: Callable[[], Any], runs: int) -> tuple[float, float, float, Any]:
    """Median wall and CPU seconds and peak bytes over ``runs`` forked runs; the last result."""
    context = multiprocessing.get_context("fork")
    times, cpus, peaks, result = [], [], [], None
    for _ in range(runs):
        receive, send = context.Pipe(duplex=False)
        process = context.Process(target=_child, args=(fn, send))
        process.start()
        received = receive.recv()
        process.join()
        if isinstance(received, ValueError):
            raise received
        seconds, cpu, peak, result = received
        times.append(seconds)
        cpus.append(cpu)
        peaks.append(peak)
    return statistics.median(times), statistics.median(cpus), statistics.median(peaks), result


def total_of(answer: Any) -> float:
    return float(answer.total)


def main() -> bool:
    """The solver table; whether the growth table is wanted after it."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--k", type=int, default=50, help="candidates kept per seeker")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scales", default="office,region")
    parser.add_argument("--no-growth", action="store_true",
                        help="skip the freeing-cost growth table")
    args = parser.parse_args()

    header = (
        f"{'scale':<44} {'method':<18} {'median s':>9} {'cpu s':>8} {'x sparse':>9} "
        f"{'peak MiB':>9} {'total':>11} {'/ opt':>7}"
    )
    print(header)
    print("-" * len(header))
    for name in args.scales.split(","):
        n_seekers, n_roles, n_slots = SCALES[name]
        make = national_graph if name == "national" else candidate_graph
        candidates, slots = make(n_seekers, n_roles, n_slots, args.k, args.seed)
        label = f"{name} {n_seekers:,}x{n_roles:,} ({n_slots:,}), {candidates.nnz:,} pairs"
        sparse = solve(candidates, slots, "sparse")
        roles = sparse.role_of_seeker
        rows: list[tuple[str, Callable[[], Any], Callable[[Any], float | None]]] = [
            ("solve sparse", partial(solve, candidates, slots, "sparse"), total_of),
            ("OR-Tools direct", partial(ortools_direct, candidates, slots), float),
            ("solve dense", partial(solve, candidates, slots, "dense"), total_of),
            ("greedy", partial(solve_greedy, candidates, slots), total_of),
            ("dual prices", partial(dual_prices, candidates, slots, roles), lambda _: None),
        ]
        if name != "national":
            rows.append(("freeing (old BF)", partial(old_freeing, candidates, slots, roles),
                         lambda _: None))
        t_sparse = None
        for method, fn, value in rows:
            try:
                seconds, cpu, peak, result = measure(fn, args.runs)
            except ValueError as err:  # the dense size guard
                print(f"{label:<44} {method:<18} refused: {str(err).split(': ', 1)[1][:60]}...")
                label = ""
                continue
            t_sparse = t_sparse or cpu
            total = value(result)
            shown = f"{total:>11.4f} {total / sparse.total:>7.4f}" if total is not None else ""
            print(
                f"{label:<44} {method:<18} {seconds:>9.4f} {cpu:>8.4f} {cpu / t_sparse:>9.2f} "
                f"{peak / 2**20:>9.1f} {shown}"
            )
            label = ""
    return not args.no_growth


def growth(runs: int, seed: int) -> None:
    """Freeing costs on graphs with every pair within reach (what matcher match builds today):
    the old full-round Bellman-Ford against the frontier shortest paths, CPU seconds."""
    print()
    header = f"{'seekers x roles (slots), all within reach':<44} {'pairs':>10} {'old BF s':>9} " \
             f"{'prices s':>9} {'speed-up':>9}"
    print(header)
    print("-" * len(header))
    for n in (1_000, 2_000, 4_000, 8_000):
        m = n // 4
        candidates, slots = candidate_graph(n, m, 3 * m, 10**9, seed)
        roles = solve(candidates, slots, "sparse").role_of_seeker
        _, old, _, _ = measure(partial(old_freeing, candidates, slots, roles), runs)
        _, new, _, _ = measure(partial(dual_prices, candidates, slots, roles), runs)
        label = f"{n:,} x {m:,} ({3 * m:,})"
        print(f"{label:<44} {candidates.nnz:>10,} {old:>9.4f} {new:>9.4f} {old / new:>9.2f}")


if __name__ == "__main__":
    if main():
        growth(3, 0)
