"""Occupation transfer quality: recall@10 / @50 on O*NET related-occupation pairs.

For each pair (origin, target) of ``../shared/data/benchmarks/transfer-pairs-dev.csv`` the
target's rank among all other ESCO occupations of the origin is taken under each similarity;
recall@N is the share of pairs whose target ranks within the top N (ties count in the
target's favour for every method alike). "covered" ranks among the 1,287 occupations that occur
in the pairs only (the others cannot be targets): a method that merely learnt which occupations
the O*NET crosswalk covers gains nothing there.

The engine's similarity has two stages: a hand-weighted blend of views (first stage) and a
tree ensemble that re-ranks each occupation's 200 best candidates (second stage), trained on
these pairs. Its honest numbers are cross-fitted (``matcher._build.train_transfer``): by
origin (each fold of origins ranked by an ensemble trained on the other fold's pairs) and
strict (both ends of every test pair unseen in training, compared with the first stage on the
same pairs). The shipped similarity's own numbers are in-sample. The pairs never enter a
feature.

    python benchmarks/bench_transfer.py [--pairs FILE] [--taxonomy PATH]
    python benchmarks/bench_transfer.py --start [--runs 5]

``--start`` measures instead what the matrix costs a user: the time from a loaded built-in
taxonomy to its first similarity, each run in a fresh process, on a machine's first run (the
matrix computed, as before it shipped), a warm run (read back from the disk cache), a first
run unpacking the shipped file and a warm run after it; medians, and each against the first
computed run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl
import scipy.sparse as sp

from matcher._build import train_transfer as train
from matcher.taxonomy import Taxonomy, load_taxonomy, transfer
from matcher.taxonomy import similarity as sim

PAIRS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "benchmarks" / (
    "transfer-pairs-dev.csv")


def variants(tax: Taxonomy, ctx: train.Context) -> dict[str, Callable[[], np.ndarray]]:
    parts = ctx.parts

    def idf_only() -> np.ndarray:
        return sim._cosine(sp.csr_matrix(tax.occupation_skills @ sp.diags(tax.skill_idf)))

    return {
        "baseline: exact skills, essential 1 / optional 0.5": lambda: sim.baseline_similarity(tax),
        "exact skills, IDF": idf_only,
        "skills spread up the hierarchy, IDF (view `skills`)": lambda: parts["skills"],
        "character TF-IDF of labels + description (view `text`)": lambda: parts["text"],
        "word TF-IDF of skill labels (view `skill_text`)": lambda: parts["skill_text"],
        "first stage: blend of the views + same ISCO major / unit group": lambda: ctx.blend,
        "shipped similarity (in-sample: its ensemble saw these pairs)": lambda: (
            tax.occupation_similarity(range(tax.n_occupations), range(tax.n_occupations))),
    }


def row(name: str, pairs: pl.DataFrame, hit: Callable[[pl.DataFrame, int], float],
        covered: float | None) -> str:
    short = pairs.filter(pl.col("onet_tier") == "Primary-Short")
    cov = "" if covered is None else f"{covered:.3f}"
    return (f"| {name} | {hit(short, 10):.3f} | {hit(short, 50):.3f} | {hit(pairs, 10):.3f} "
            f"| {hit(pairs, 50):.3f} | {cov} |")


_PROBE = """
import json, resource, sys, time
from pathlib import Path
from matcher.taxonomy import load_taxonomy, transfer
if sys.argv[1] == "computed":
    transfer.SHIPPED_PATH = Path("/nonexistent/transfer-matrix.zip")
tax = load_taxonomy()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
tax.occupation_similarity([0], [1])
print(json.dumps({"s": time.perf_counter() - start,
                  "mib": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024}))
"""


def start_up(runs: int) -> None:
    """The table of ``--start`` (module docstring)."""
    cases = [("first run, computed (before: no shipped matrix)", "computed", False),
             ("warm run, read from the disk cache (before)", "computed", True),
             ("first run, the shipped matrix unpacked (after)", "shipped", False),
             ("warm run, the unpacked matrix from the disk cache (after)", "shipped", True)]
    results: dict[str, list[dict[str, float]]] = {name: [] for name, _, _ in cases}
    for _ in range(runs):
        for name, mode, warm in cases:
            with tempfile.TemporaryDirectory() as cache:
                env = {**os.environ, "MATCHER_CACHE_DIR": cache}
                if warm:  # fill the cache first, in a process of its own
                    subprocess.run([sys.executable, "-c", _PROBE, mode], env=env, check=True,
                                   capture_output=True)
                out = subprocess.run([sys.executable, "-c", _PROBE, mode], env=env, check=True,
                                     capture_output=True, text=True).stdout
            results[name].append(json.loads(out.splitlines()[-1]))
    base = statistics.median(r["s"] for r in results[cases[0][0]])
    print(f"## The transfer matrix at a user's first similarity (medians of {runs} runs, "
          f"each in a fresh process)\n")
    print("| case | wall s | x computed | added peak MiB |")
    print("|---|---|---|---|")
    for name, _, _ in cases:
        wall = statistics.median(r["s"] for r in results[name])
        mib = statistics.median(r["mib"] for r in results[name])
        print(f"| {name} | {wall:.3f} | {wall / base:.3f} | {mib:.0f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument("--taxonomy", default=None)
    parser.add_argument("--start", action="store_true",
                        help="measure what the matrix costs at start-up instead")
    parser.add_argument("--runs", type=int, default=3, help="runs per case with --start")
    args = parser.parse_args()
    if args.start:
        start_up(args.runs)
        return
    tax = load_taxonomy(args.taxonomy)
    pairs = train.load_pairs(args.pairs, tax)
    short = pairs.filter(pl.col("onet_tier") == "Primary-Short")
    covered = np.zeros(tax.n_occupations, dtype=bool)
    covered[pairs["o"].to_numpy()] = covered[pairs["t"].to_numpy()] = True
    start = time.perf_counter()
    ctx = train.Context.build(tax)
    built = time.perf_counter() - start
    print(f"## Transfer: {pairs.height} pairs ({short.height} Primary-Short) over "
          f"{tax.n_occupations} occupations of {tax.version} ({int(covered.sum())} covered)\n")
    print("| similarity | PS r@10 | PS r@50 | all r@10 | all r@50 | PS r@50 among covered |")
    print("|---|---|---|---|---|---|")
    for name, make in variants(tax, ctx).items():
        matrix = make()
        among = np.where(covered[None, :], matrix.astype(np.float64), -np.inf)
        print(row(name, pairs, lambda p, n, m=matrix: train.recall(m, p, (n,))[n],
                  train.recall(among, short, (50,))[50]), flush=True)
    for strict in (False, True):
        held = train.cross_fitted(ctx, pairs, strict=strict)
        label = ("**two stages, cross-fitted by origin** (each fold of origins ranked by an "
                 "ensemble trained on the other fold)" if not strict else
                 "two stages, cross-fitted strictly (both ends unseen; "
                 f"{held.height} pairs)")
        print(row(label, held, lambda p, n: float(p[f"hit{n}"].mean()), None))  # type: ignore[arg-type]
        if strict:
            print(row("first stage on the same strict pairs", held,
                      lambda p, n: float(p[f"blend{n}"].mean()), None))  # type: ignore[arg-type]
    start = time.perf_counter()
    transfer.transfer_matrix(tax)
    elapsed = time.perf_counter() - start
    final = tax.occupation_similarity(range(tax.n_occupations), range(tax.n_occupations))
    print(f"\nViews and features built in {built:.1f} s; the engine's whole matrix computed in "
          f"{elapsed:.1f} s; symmetric: {bool(np.array_equal(final, final.T))}")


if __name__ == "__main__":
    main()
