r"""Train the transfer re-ranker (``data/transfer-reranker.npz``) and report its held-out quality.

    python -m matcher.taxonomy.train_transfer \
        --pairs ../shared/data/benchmarks/transfer-pairs-dev.csv

The pairs (O*NET "Related Occupations" translated to ESCO) are the labels: a candidate pair of
an origin is positive when listed, weighted by tier (Primary-Short 1, Primary-Long 0.5,
Supplemental 0.25). No feature is computed from the pairs.

Quality is reported cross-fitted: the origins are split in two folds by a hash of their O*NET
code (ESCO occupations translated from the same O*NET occupation share their related
occupations, so they must fall in the same fold); for each fold an ensemble trained on the
other fold builds the whole similarity, and the fold's pairs are ranked under it. The shipped
ensemble is then trained on all pairs with the same settings; its in-sample numbers are not a
measure of quality.

Training is deterministic: the same taxonomy and pairs give the same file.
"""

from __future__ import annotations

import argparse
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from matcher.taxonomy import Taxonomy, load_taxonomy, rerank
from matcher.taxonomy import similarity as sim

__all__ = ["TIER_WEIGHTS", "TRAINING", "Context", "cross_fitted", "fit", "load_pairs", "recall"]

TIER_WEIGHTS = {"Primary-Short": 1.0, "Primary-Long": 0.5, "Supplemental": 0.25}

TRAINING: dict[str, Any] = {
    "learning_rate": 0.1, "max_iter": 150, "max_depth": 4, "max_leaf_nodes": None,
    "min_samples_leaf": 100, "l2_regularization": 1.0, "early_stopping": False, "random_state": 0,
}
"""Settings of scikit-learn's ``HistGradientBoostingClassifier``: 150 trees of depth 4."""


def load_pairs(path: str | Path, tax: Taxonomy) -> pl.DataFrame:
    """The pairs with occupation indices ``o``, ``t``, the tier, the origin's O*NET code and
    ``fold`` (0/1 by a hash of that code); pairs naming unknown occupations are left out."""
    index = {uri: i for i, uri in enumerate(tax.occupation_uris)}
    pairs = pl.read_csv(path, columns=["origin_uri", "target_uri", "onet_tier", "onet_origin"])
    pairs = pairs.with_columns(
        pl.col("origin_uri").replace_strict(index, default=None, return_dtype=pl.Int64).alias("o"),
        pl.col("target_uri").replace_strict(index, default=None, return_dtype=pl.Int64).alias("t"),
    ).drop_nulls(["o", "t"]).filter(pl.col("o") != pl.col("t"))
    # An ESCO origin translated from several O*NET codes takes the smallest for its fold.
    code = pairs.group_by("o").agg(pl.col("onet_origin").min().alias("onet_group"))
    code = code.with_columns(pl.col("onet_group").map_elements(
        lambda c: zlib.crc32(c.encode()) % 2, return_dtype=pl.Int64).alias("fold"))
    return pairs.join(code, on="o").sort("o", "t", "onet_tier")


def recall(matrix: np.ndarray, pairs: pl.DataFrame, tops: tuple[int, ...] = (10, 50),
           ) -> dict[int, float]:
    """Share of pairs whose target is among the origin's top N of all other occupations
    (ties count in the target's favour)."""
    hit = hits(matrix, pairs, tops)
    return {n: float(hit[n].mean()) if len(pairs) else float("nan") for n in tops}


def hits(matrix: np.ndarray, pairs: pl.DataFrame, tops: tuple[int, ...] = (10, 50),
         ) -> dict[int, np.ndarray]:
    o, t = pairs["o"].to_numpy(), pairs["t"].to_numpy()
    rows = matrix[o].astype(np.float64)
    rows[np.arange(len(o)), o] = -np.inf
    rank = (rows > rows[np.arange(len(o)), t][:, None]).sum(axis=1)
    return {n: rank < n for n in tops}


@dataclass
class Context:
    """The first stage and the re-ranker's features of one taxonomy (built once)."""

    tax: Taxonomy
    parts: dict[str, np.ndarray]
    blend: np.ndarray
    features: rerank.PairFeatures

    @classmethod
    def build(cls, tax: Taxonomy) -> Context:
        parts = sim.components(tax)
        blend = sim.blend(parts)
        return cls(tax, parts, blend, rerank.PairFeatures(tax, parts, blend))


def _training_rows(ctx: Context, pairs: pl.DataFrame, origins: np.ndarray,
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    weight: dict[tuple[int, int], float] = {}
    for o, t, tier in pairs.select("o", "t", "onet_tier").iter_rows():
        weight[(o, t)] = max(weight.get((o, t), 0.0), TIER_WEIGHTS.get(tier, 0.0))
    top = rerank._top(ctx.blend, rerank.CANDIDATES)[origins]
    rows = np.repeat(origins, top.shape[1])
    cols = top.ravel()
    w = np.array([weight.get((o, c), 0.0) for o, c in zip(rows.tolist(), cols.tolist(),
                                                          strict=True)])
    y = w > 0
    return ctx.features(rows, cols).T, y, np.where(y, w, 1.0)


def fit(ctx: Context, pairs: pl.DataFrame, origins: np.ndarray | None = None) -> rerank.Forest:
    """Train the ensemble on the candidates of ``origins`` (default: every origin of pairs)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    if origins is None:
        origins = np.unique(pairs["o"].to_numpy())
    x, y, w = _training_rows(ctx, pairs, origins)
    model = HistGradientBoostingClassifier(**TRAINING)
    model.fit(x, y, sample_weight=w)
    return rerank.Forest.from_sklearn(model, rerank.FEATURES)


def similarity(ctx: Context, forest: rerank.Forest) -> np.ndarray:
    """The symmetric second-stage score matrix with ``forest``."""
    return rerank.rerank_scores(ctx.features, forest)


def cross_fitted(ctx: Context, pairs: pl.DataFrame, tops: tuple[int, ...] = (10, 50),
                 ) -> pl.DataFrame:
    """Per pair: whether its target is in the origin's top N under a similarity whose ensemble
    never saw the pair's fold (columns ``hit10``, ``hit50``, ... added to ``pairs``)."""
    out = []
    for fold in (0, 1):
        train = np.unique(pairs.filter(pl.col("fold") != fold)["o"].to_numpy())
        matrix = similarity(ctx, fit(ctx, pairs, train))
        held = pairs.filter(pl.col("fold") == fold)
        hit = hits(matrix, held, tops)
        out.append(held.with_columns(*(pl.Series(f"hit{n}", hit[n]) for n in tops)))
    return pl.concat(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, required=True,
                        help="transfer-pairs CSV (origin_uri, target_uri, onet_tier, onet_origin)")
    parser.add_argument("--taxonomy", default=None)
    parser.add_argument("--out", type=Path, default=rerank.MODEL_PATH)
    args = parser.parse_args(argv)
    tax = load_taxonomy(args.taxonomy)
    pairs = load_pairs(args.pairs, tax)
    ctx = Context.build(tax)
    held = cross_fitted(ctx, pairs)
    print("| held out (cross-fitted, O*NET-grouped folds) | pairs | r@10 | r@50 |")
    print("|---|---|---|---|")
    for name, part in (("Primary-Short", held.filter(pl.col("onet_tier") == "Primary-Short")),
                       ("all tiers", held)):
        r10, r50 = float(part["hit10"].mean()), float(part["hit50"].mean())  # type: ignore[arg-type]
        print(f"| {name} | {part.height} | {r10:.3f} | {r50:.3f} |")
    forest = fit(ctx, pairs)
    forest.save(args.out)
    score = similarity(ctx, forest)
    finite = np.where(np.isinf(score), -np.inf, score)
    ranked = -np.sort(-finite, axis=1)
    print(f"\nwrote {args.out} ({len(forest.roots)} trees, {forest.value.size} nodes)")
    for k in (3, 15, 50):
        print(f"median score of an origin's {k}th most similar occupation: "
              f"{float(np.median(ranked[:, k - 1])):.3f}")


if __name__ == "__main__":
    main()
