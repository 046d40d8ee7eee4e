"""End-to-end speed of one batch match, per stage, with baselines in the same run.

    python benchmarks/bench_match.py [--seekers 2000] [--roles 500] [--slots 3] [--runs 5]

Prints a table of medians over the runs (this machine is noisy: read the ratios), with the exact
solver against the greedy baseline and a naive dense solver (plain linear_sum_assignment on the
full seekers x slot-columns matrix, no reductions) on the same candidate graph. Targets on a
2-core machine at 2,000 seekers x 500 roles (1,500 slots): solve < 0.5 s, end to end < 5 s,
peak memory < 2 GiB.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import population

import matcher
from matcher.assign import solve_dense, solve_greedy


def naive_dense(candidates: sp.csr_array, slots: np.ndarray) -> float:
    columns = np.repeat(np.arange(slots.size), slots)
    weights = candidates.toarray()[:, columns]
    rows, cols = linear_sum_assignment(weights, maximize=True)
    return float(weights[rows, cols].sum())


def timed(fn, *args):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seekers", type=int, default=2000)
    parser.add_argument("--roles", type=int, default=500)
    parser.add_argument("--slots", type=int, default=3)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    t0 = time.perf_counter()
    taxonomy = matcher.load_taxonomy()
    load_s = time.perf_counter() - t0
    seekers, roles = population(args.seekers, args.roles, args.slots, seed=args.seed,
                                taxonomy=taxonomy)

    stages: dict[str, list[float]] = {}
    wall: list[float] = []
    result = None
    for _ in range(args.runs):
        seconds, result = timed(lambda: matcher.match(seekers, roles, taxonomy=taxonomy, top_k=0))
        wall.append(seconds)
        for stage, s in result.manifest["timings_s"].items():
            stages.setdefault(stage, []).append(s)
    first_run = wall[0]

    # what a caseworker waits for: the command in a fresh process (imports, taxonomy load,
    # resolver indexes built, CSV in and out)
    cli_wall = []
    with tempfile.TemporaryDirectory() as tmp:
        seekers.write_csv(f"{tmp}/seekers.csv")
        roles.write_csv(f"{tmp}/roles.csv")
        for _ in range(args.runs):
            t0 = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "matcher.cli", "match", f"{tmp}/seekers.csv",
                 f"{tmp}/roles.csv", "--out", f"{tmp}/m.csv", "--alternatives", f"{tmp}/a.csv"],
                check=True, capture_output=True,
            )
            cli_wall.append(time.perf_counter() - t0)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert result is not None

    # the candidate graph, rebuilt from ALTS (every allowed pair, sorted ids)
    alts = result.alternatives
    s_ids = {s: i for i, s in enumerate(result.matches["seeker_id"].to_list())}
    r_sorted = roles.sort("role_id")
    r_ids = {r: j for j, r in enumerate(r_sorted["role_id"].to_list())}
    graph = sp.csr_array((
        alts["score"].to_numpy(),
        ([s_ids[s] for s in alts["seeker_id"]], [r_ids[r] for r in alts["role_id"]]),
    ), shape=(len(s_ids), len(r_ids)))
    slots = r_sorted["slots"].to_numpy()

    solver_rows = []
    for name, fn in (("exact (solve_dense)", solve_dense), ("greedy baseline", solve_greedy),
                     ("naive dense LSA", naive_dense)):
        times, total = [], 0.0
        for _ in range(args.runs):
            seconds, out = timed(fn, graph, slots)
            times.append(seconds)
            total = out if isinstance(out, float) else out.total
        solver_rows.append((name, statistics.median(times), total))

    m = result.manifest
    print(f"## matcher end to end: {args.seekers} seekers x {args.roles} roles "
          f"({int(slots.sum())} slots), {graph.nnz} allowed pairs, medians of {args.runs} runs\n")
    print("| stage | median s |")
    print("|---|---|")
    for stage, values in stages.items():
        print(f"| {stage} | {statistics.median(values):.3f} |")
    print("| **end to end**, match() with the taxonomy loaded | "
          f"**{statistics.median(wall):.3f}** |")
    print("| end to end, first match() in the process (resolver indexes built) | "
          f"{first_run:.3f} |")
    print(f"| taxonomy load, first call (not in the runs above) | {load_s:.3f} |")
    print(f"| **`matcher match` command, fresh process**, CSV in and out | "
          f"**{statistics.median(cli_wall):.3f}** |")
    print(f"\npeak memory (max RSS of this process): {peak_mib:.0f} MiB; matched "
          f"{m['matched']} of {args.seekers}; optimality certified: "
          f"{m['optimality']['certified']}\n")
    exact_t, exact_total = solver_rows[0][1], solver_rows[0][2]
    print("| solver on the same graph | median s | time vs exact | total score | vs exact |")
    print("|---|---|---|---|---|")
    for name, t, total in solver_rows:
        print(f"| {name} | {t:.3f} | {t / exact_t:.2f}x | {total:.4f} | "
              f"{100 * (total - exact_total) / exact_total:+.2f} % |")


if __name__ == "__main__":
    main()
