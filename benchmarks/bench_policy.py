"""The policy stage: what priority, overrides, the curve and the history add to a solve.

Run ``python benchmarks/bench_policy.py [--runs 5] [--scales office,region]``. On the solver
benchmark's synthetic candidate graphs (``bench_solver.candidate_graph``: top 50 roles within
reach per seeker), with tiers T1-T4 drawn so that seekers further from work fit a little worse
(the situation in which creaming happens). Medians of ``--runs`` in this process; the ratio
column is CPU time against the plain fit solve of the same scale, measured in the same run.
Then the price of fairness at each scale: fit lost and the share matched in
each tier by weight. Not run by the test suite.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl
from bench_solver import SCALES, candidate_graph

from matcher.assign import dual_prices, solve
from matcher.audit.price import price_curve
from matcher.explain import Choices
from matcher.io.history import append_run, read_history, seeker_history
from matcher.policy import Override, objective, priority, restrict


def measure(fn: Callable[[], Any], runs: int) -> tuple[float, float]:
    wall, cpu = [], []
    for _ in range(runs):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu)


def tiers_for(graph: Any, seed: int) -> np.ndarray:
    """Tier 0-3 per seeker: lower best fit, further from work (with noise)."""
    rng = np.random.default_rng(seed)
    best = graph.max(axis=1).toarray().ravel() if hasattr(graph.max(axis=1), "toarray") \
        else np.asarray(graph.max(axis=1)).ravel()
    key = -best + rng.normal(0, 0.05, best.size)
    return np.searchsorted(np.quantile(key, [0.25, 0.5, 0.75]), key)


def bench_scale(name: str, runs: int) -> list[tuple[float, float, list[float]]]:
    """Print one scale's rows; return the price-of-fairness curve."""
    n, m, slots_total = SCALES[name]
    graph, slots = candidate_graph(n, m, slots_total, 50, seed=1)
    tiers = tiers_for(graph, 2)
    p = priority(pl.DataFrame({"tier": [f"T{t + 1}" for t in tiers]}))
    ids = [f"S{i:06d}" for i in range(n)]
    role_ids = [f"R{j:05d}" for j in range(m)]
    base = solve(graph, slots)
    rng = np.random.default_rng(3)
    overrides = []
    for i in rng.choice(np.flatnonzero(base.role_of_seeker >= 0), 10, replace=False):
        overrides.append(Override("forbid", ids[i], role_ids[base.role_of_seeker[i]]))
    for i in rng.choice(np.flatnonzero(base.role_of_seeker < 0), 10, replace=False):
        overrides.append(Override("lock", ids[i], role_ids[int(graph.indices[graph.indptr[i]])]))
    try:
        restrict(graph, slots, overrides, ids, role_ids)
    except ValueError:  # a lock over capacity: keep the forbids only
        overrides = overrides[:10]

    def with_overrides(ov: list[Override] = overrides) -> None:
        plan = restrict(objective(graph, p, 0.1), slots, ov, ids, role_ids)
        plan.combine(solve(plan.candidates, plan.slots).role_of_seeker)

    def override_costs() -> None:
        with_overrides()
        for k in range(len(overrides)):
            with_overrides(overrides[:k] + overrides[k + 1:])

    def curve_solves() -> None:
        price_curve(graph, slots, p, (0, 0.05, 0.1, 0.2, 0.5, 1.0))

    def curve_with_overrides() -> None:
        plan = restrict(graph, slots, overrides, ids, role_ids)
        price_curve(graph, slots, p, (0, 0.05, 0.1, 0.2, 0.5, 1.0), restricted=plan)

    target = objective(graph, p, 0.1)
    chosen = solve(target, slots).role_of_seeker
    prices = dual_prices(target, slots, chosen).role
    missed = [(i, int(graph.indices[graph.indptr[i]:graph.indptr[i + 1]][np.argmax(
        graph.data[graph.indptr[i]:graph.indptr[i + 1]])]))
        for i in np.flatnonzero(chosen < 0) if graph.indptr[i + 1] > graph.indptr[i]]

    def price_missed_places() -> None:
        choices = Choices(target, 0.1 * p)  # a fresh record: nothing cached between runs
        for i, j in missed:
            choices.fit_loss(i, j, float(graph[i, j]), prices, chosen)

    folder = tempfile.mkdtemp()
    record = {"assignment": [[s, None if r < 0 else role_ids[r], None]
                             for s, r in zip(ids, base.role_of_seeker.tolist(), strict=True)]}
    for _ in range(10):
        append_run(folder, record)

    steps: list[tuple[str, Callable[[], Any]]] = [
        ("fit: solve", lambda: solve(graph, slots)),
        ("priority W=0.1: objective + solve", lambda: solve(objective(graph, p, 0.1), slots)),
        (f"{len(overrides)} overrides: restrict + solve", with_overrides),
        (f"cost of each of {len(overrides)} overrides", override_costs),
        ("curve of 6 weights", curve_solves),
        (f"curve of 6 weights, {len(overrides)} overrides kept", curve_with_overrides),
        (f"priority W=0.1: price {len(missed):,} missed places in fit", price_missed_places),
        ("history: append one run", lambda: append_run(folder, record)),
        ("history: read 10+ runs, streaks",
         lambda: seeker_history(read_history(folder), ids)),
    ]
    ref = None
    for label, fn in steps:
        wall, cpu = measure(fn, runs)
        ref = ref or cpu
        print(f"| {name} {n:,} x {m:,} ({slots_total:,} slots), {graph.nnz:,} pairs "
              f"| {label} | {wall:.3f} | {cpu:.3f} | {cpu / ref:.2f} |", flush=True)
    curve = []
    for w in (0, 0.02, 0.05, 0.1, 0.2, 0.5):
        roles = solve(objective(graph, p, w), slots).role_of_seeker
        fit = float(graph[np.flatnonzero(roles >= 0), roles[roles >= 0]].sum())
        rates = [float((roles[tiers == t] >= 0).mean()) for t in range(4)]
        curve.append((w, fit, rates))
    return curve


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scales", default="office,region")
    args = parser.parse_args()
    print("| scale | step | wall s | CPU s | x fit solve |")
    print("|---|---|---:|---:|---:|")
    curves = {name: bench_scale(name, args.runs) for name in args.scales.split(",")}
    for name, curve in curves.items():
        print(f"\nPrice of fairness, {name}:\n")
        print("| W | total fit | fit lost | T1 | T2 | T3 | T4 |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for w, fit, rates in curve:
            print(f"| {w:g} | {fit:.2f} | {curve[0][1] - fit:.2f} | "
                  + " | ".join(f"{100 * r:.1f} %" for r in rates) + " |")


if __name__ == "__main__":
    main()
