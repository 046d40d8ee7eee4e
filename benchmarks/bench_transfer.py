"""Occupation transfer quality: recall@10 / @50 on O*NET related-occupation pairs.

For each pair (origin, target) of ``../shared/data/benchmarks/transfer-pairs-dev.csv`` the
target's rank among all other ESCO occupations of the origin is taken under each similarity;
recall@N is the share of pairs whose target ranks within the top N (ties count in the
target's favour for every method alike).

The engine's similarity has two stages: a hand-weighted blend of views (first stage) and a
tree ensemble that re-ranks each occupation's 200 best candidates (second stage), trained on
these pairs. Its honest number is the cross-fitted one: the origins are split in two folds by
their O*NET code, and each fold is ranked by a similarity whose ensemble was trained on the
other fold only. The shipped similarity's own numbers are in-sample and shown only to be
compared with the cross-fitted ones. The pairs never enter a feature.

    python benchmarks/bench_transfer.py [--pairs FILE] [--taxonomy PATH]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl
import scipy.sparse as sp

from matcher.taxonomy import Taxonomy, load_taxonomy
from matcher.taxonomy import similarity as sim
from matcher.taxonomy import train_transfer as train

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


def row(name: str, pairs: pl.DataFrame, hit: Callable[[pl.DataFrame, int], float]) -> str:
    short = pairs.filter(pl.col("onet_tier") == "Primary-Short")
    folds = [hit(short.filter(pl.col("fold") == f), 50) for f in (0, 1)]
    return (f"| {name} | {hit(short, 10):.3f} | {hit(short, 50):.3f} | {hit(pairs, 10):.3f} "
            f"| {hit(pairs, 50):.3f} | {folds[0]:.3f} | {folds[1]:.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument("--taxonomy", default=None)
    args = parser.parse_args()
    tax = load_taxonomy(args.taxonomy)
    pairs = train.load_pairs(args.pairs, tax)
    short = pairs.filter(pl.col("onet_tier") == "Primary-Short")
    start = time.perf_counter()
    ctx = train.Context.build(tax)
    built = time.perf_counter() - start
    print(f"## Transfer: {pairs.height} pairs ({short.height} Primary-Short) over "
          f"{tax.n_occupations} occupations of {tax.version}\n")
    print("| similarity | PS r@10 | PS r@50 | all r@10 | all r@50 | PS r@50 fold 0 "
          "| PS r@50 fold 1 |")
    print("|---|---|---|---|---|---|---|")
    for name, make in variants(tax, ctx).items():
        matrix = make()
        print(row(name, pairs, lambda p, n, m=matrix: train.recall(m, p, (n,))[n]), flush=True)
    held = train.cross_fitted(ctx, pairs)
    print(row("**two stages, cross-fitted** (each fold ranked by an ensemble trained on the "
              "other)", held, lambda p, n: float(p[f"hit{n}"].mean())))
    start = time.perf_counter()
    sim.transfer_matrix(tax)
    elapsed = time.perf_counter() - start
    final = tax.occupation_similarity(range(tax.n_occupations), range(tax.n_occupations))
    print(f"\nViews and features built in {built:.1f} s; the engine's whole matrix computed in "
          f"{elapsed:.1f} s; symmetric: {bool(np.array_equal(final, final.T))}")


if __name__ == "__main__":
    main()
