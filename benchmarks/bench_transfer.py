"""Occupation transfer quality: recall@10 / @50 on O*NET related-occupation pairs.

For each pair (origin, target) of ``../shared/data/benchmarks/transfer-pairs-dev.csv`` the
target's rank among all other ESCO occupations of the origin is taken under each similarity;
recall@N is the share of pairs whose target ranks within the top N (ties count in the
target's favour for every method alike). The pairs are split in two halves by a hash of the
origin URI: the weights in ``matcher.taxonomy.similarity.TRANSFER_WEIGHTS`` were tuned on
half A only; half B shows whether they overfit.

The pairs are only the yardstick: nothing here feeds them into a similarity.

    python benchmarks/bench_transfer.py [--pairs FILE] [--taxonomy PATH]
"""

from __future__ import annotations

import argparse
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl
import scipy.sparse as sp

from matcher.taxonomy import Taxonomy, load_taxonomy
from matcher.taxonomy import similarity as sim

PAIRS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "benchmarks" / (
    "transfer-pairs-dev.csv")


def load_pairs(path: Path, tax: Taxonomy) -> pl.DataFrame:
    index = {uri: i for i, uri in enumerate(tax.occupation_uris)}
    pairs = pl.read_csv(path, columns=["origin_uri", "target_uri", "onet_tier"])
    pairs = pairs.with_columns(
        pl.col("origin_uri").replace_strict(index, default=None, return_dtype=pl.Int64).alias("o"),
        pl.col("target_uri").replace_strict(index, default=None, return_dtype=pl.Int64).alias("t"),
        pl.Series("half", ["AB"[zlib.crc32(u.encode()) % 2] for u in pairs["origin_uri"]]),
    )
    return pairs.drop_nulls(["o", "t"]).filter(pl.col("o") != pl.col("t"))


def recall(matrix: np.ndarray, pairs: pl.DataFrame, tops: tuple[int, ...] = (10, 50),
           ) -> dict[int, float]:
    o, t = pairs["o"].to_numpy(), pairs["t"].to_numpy()
    rows = matrix[o].astype(np.float64)
    rows[np.arange(len(o)), o] = -np.inf
    rank = (rows > rows[np.arange(len(o)), t][:, None]).sum(axis=1)
    return {n: float((rank < n).mean()) for n in tops}


def variants(tax: Taxonomy) -> dict[str, Callable[[], np.ndarray]]:
    parts: dict[str, np.ndarray] = {}

    def part(name: str) -> np.ndarray:
        if not parts:
            parts.update(sim.components(tax))
        return parts[name]

    def idf_only() -> np.ndarray:
        return sim._cosine(sp.csr_matrix(tax.occupation_skills @ sp.diags(tax.skill_idf)))

    def isco_proximity() -> np.ndarray:
        codes = np.array([[int(c) for c in code] for code in tax.occupation_isco])
        same = codes[:, None, :] == codes[None, :, :]
        return np.cumprod(same, axis=2).sum(axis=2) / 4.0

    def engine_before() -> np.ndarray:
        return 0.6 * part("skills") + 0.4 * isco_proximity()

    weights = dict(sim.TRANSFER_WEIGHTS)
    return {
        "baseline: exact skills, essential 1 / optional 0.5": lambda: sim.baseline_similarity(tax),
        "exact skills, IDF": idf_only,
        "skills spread up the hierarchy, IDF (view `skills`)": lambda: part("skills"),
        "0.6 spread skills + 0.4 ISCO digits (the engine's old wish fit)": engine_before,
        "character TF-IDF of labels + description (view `text`)": lambda: part("text"),
        "word TF-IDF of skill labels (view `skill_text`)": lambda: part("skill_text"),
        "blend of the three cosines, standardised": lambda: sim.blend(
            parts, {"skills": 1.0, "text": 1.5, "skill_text": 1.0}),
        "**transfer similarity** (blend + same ISCO major / unit group)": lambda: sim.blend(
            parts, weights),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument("--taxonomy", default=None)
    args = parser.parse_args()
    tax = load_taxonomy(args.taxonomy)
    pairs = load_pairs(args.pairs, tax)
    short = pairs.filter(pl.col("onet_tier") == "Primary-Short")
    print(f"## Transfer: {pairs.height} pairs ({short.height} Primary-Short) over "
          f"{tax.n_occupations} occupations of {tax.version}\n")
    print("| similarity | PS r@10 | PS r@50 | all r@10 | all r@50 | PS r@50 half A (tuned) "
          "| PS r@50 half B (held out) |")
    print("|---|---|---|---|---|---|---|")
    for name, make in variants(tax).items():
        matrix = make()
        ps, every = recall(matrix, short), recall(matrix, pairs)
        a = recall(matrix, short.filter(pl.col("half") == "A"))[50]
        b = recall(matrix, short.filter(pl.col("half") == "B"))[50]
        print(f"| {name} | {ps[10]:.3f} | {ps[50]:.3f} | {every[10]:.3f} | {every[50]:.3f} "
              f"| {a:.3f} | {b:.3f} |", flush=True)
    # The final similarity as the engine sees it (squashed, symmetric) ranks like the blend.
    start = time.perf_counter()
    sim.transfer_matrix(tax)
    elapsed = time.perf_counter() - start
    final = tax.occupation_similarity(range(tax.n_occupations), range(tax.n_occupations))
    ps = recall(final, short)
    print(f"\nTaxonomy.occupation_similarity: PS r@50 {ps[50]:.3f}; whole matrix computed in "
          f"{elapsed:.1f} s; symmetric: {bool(np.array_equal(final, final.T))}")


if __name__ == "__main__":
    main()
