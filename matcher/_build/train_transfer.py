r"""Train the transfer re-ranker (``data/transfer-reranker.npz``) and report its held-out quality.

    python -m matcher._build.train_transfer \
        --pairs ../shared/data/benchmarks/transfer-pairs-dev.csv

The pairs (O*NET "Related Occupations" translated to ESCO) are the labels: a candidate pair of
an origin is positive when listed, weighted by tier (Primary-Short 1, Primary-Long 0.5,
Supplemental 0.25). No feature is computed from the pairs.

Only 1,287 of ESCO's 3,007 occupations occur in the pairs at all: the others have no O*NET
counterpart in the crosswalk and can never be a listed target. An ensemble trained on every
candidate would learn to spot *covered* occupations, which raises the benchmark without
improving transfer. So training uses only candidates that occur in the training pairs; the
ensemble then ranks among covered occupations, and applies to all.

Quality is reported cross-fitted, two ways. Every occupation gets a fold (0/1) by a hash of its
O*NET code (ESCO occupations translated from the same O*NET occupation share their related
occupations and must not be split):

* *by origin*: an ensemble trained on the pairs whose origin is in the other fold builds the
  whole similarity; the fold's pairs are ranked under it. Their targets may have been seen as
  targets in training.
* *strict*: trained only on pairs and candidates with both ends in the other fold; tested on
  pairs with both ends in the fold, against the first stage on the same pairs. Nothing about
  the test occupations is learnt, at the price of training on a quarter of the pairs.

The shipped ensemble is trained on all pairs with the same settings; its in-sample numbers are
not a measure of quality. Training is deterministic: the same taxonomy, pairs and scikit-learn
version give the same file.
"""

from __future__ import annotations

import argparse
import sys
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
    "learning_rate": 0.1, "max_iter": 300, "max_depth": 3, "max_leaf_nodes": None,
    "min_samples_leaf": 400, "l2_regularization": 1.0, "early_stopping": False, "random_state": 0,
}
"""Settings of scikit-learn's ``HistGradientBoostingClassifier``: 300 trees of depth 3.

Deeper trees score higher cross-fitted by origin but lower strictly (depth 4: 0.499 / 0.510,
5: 0.505 / 0.507, 6: 0.509 / 0.501, 8: higher still by origin): they learn to recognise
particular target occupations, which does not carry over to unseen ones."""


def load_pairs(path: str | Path, tax: Taxonomy) -> pl.DataFrame:
    """The pairs with occupation indices ``o``, ``t``, the tier and the origin's and target's
    ``fold``; pairs naming unknown occupations are left out (see :func:`occupation_folds`)."""
    index = {uri: i for i, uri in enumerate(tax.occupation_uris)}
    pairs = pl.read_csv(path, columns=["origin_uri", "target_uri", "onet_tier", "onet_origin",
                                       "onet_target"])
    pairs = pairs.with_columns(
        pl.col("origin_uri").replace_strict(index, default=None, return_dtype=pl.Int64).alias("o"),
        pl.col("target_uri").replace_strict(index, default=None, return_dtype=pl.Int64).alias("t"),
    ).drop_nulls(["o", "t"]).filter(pl.col("o") != pl.col("t"))
    folds = occupation_folds(tax, pairs)
    return pairs.with_columns(
        pl.Series("fold", folds[pairs["o"].to_numpy()]),
        pl.Series("target_fold", folds[pairs["t"].to_numpy()]),
    ).sort("o", "t", "onet_tier")


def occupation_folds(tax: Taxonomy, pairs: pl.DataFrame) -> np.ndarray:
    """0/1 per occupation by a hash of its smallest O*NET code in the pairs (as origin or
    target); an occupation the pairs never name hashes its URI."""
    code: dict[int, str] = {}
    for o, c in pairs.select("o", "onet_origin").iter_rows():
        code[o] = min(code.get(o, c), c)
    for t, c in pairs.select("t", "onet_target").iter_rows():
        code[t] = min(code.get(t, c), c)
    return np.array([zlib.crc32((code.get(i) or uri).encode()) % 2
                     for i, uri in enumerate(tax.occupation_uris)], dtype=np.int64)


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
                   allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    weight: dict[tuple[int, int], float] = {}
    for o, t, tier in pairs.select("o", "t", "onet_tier").iter_rows():
        weight[(o, t)] = max(weight.get((o, t), 0.0), TIER_WEIGHTS.get(tier, 0.0))
    top = rerank._top(ctx.blend, rerank.CANDIDATES)[origins]
    rows = np.repeat(origins, top.shape[1])
    cols = top.ravel()
    keep = allowed[cols]
    rows, cols = rows[keep], cols[keep]
    w = np.array([weight.get((o, c), 0.0) for o, c in zip(rows.tolist(), cols.tolist(),
                                                          strict=True)])
    y = w > 0
    return ctx.features(rows, cols).T, y, np.where(y, w, 1.0)


def fit(ctx: Context, pairs: pl.DataFrame) -> rerank.Forest:
    """Train the ensemble on the candidates of every origin of ``pairs`` that occur in them."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    covered = np.zeros(ctx.tax.n_occupations, dtype=bool)
    covered[pairs["o"].to_numpy()] = True
    covered[pairs["t"].to_numpy()] = True
    x, y, w = _training_rows(ctx, pairs, np.unique(pairs["o"].to_numpy()), covered)
    model = HistGradientBoostingClassifier(**TRAINING)
    model.fit(x, y, sample_weight=w)
    return rerank.Forest.from_sklearn(model, rerank.FEATURES)


def similarity(ctx: Context, forest: rerank.Forest) -> np.ndarray:
    """The symmetric second-stage score matrix with ``forest``."""
    return rerank.rerank_scores(ctx.features, forest)


def cross_fitted(ctx: Context, pairs: pl.DataFrame, tops: tuple[int, ...] = (10, 50),
                 strict: bool = False) -> pl.DataFrame:
    """Per held-out pair: whether its target is in the origin's top N (columns ``hit10``,
    ``hit50``, ...) under a similarity whose ensemble never saw the pair's fold, and under the
    first stage (``blend10``, ``blend50``, ...). By origin, or ``strict`` (module docstring)."""
    out = []
    for fold in (0, 1):
        if strict:
            train = pairs.filter((pl.col("fold") != fold) & (pl.col("target_fold") != fold))
            held = pairs.filter((pl.col("fold") == fold) & (pl.col("target_fold") == fold))
        else:
            train = pairs.filter(pl.col("fold") != fold)
            held = pairs.filter(pl.col("fold") == fold)
        matrix = similarity(ctx, fit(ctx, train))
        hit, first = hits(matrix, held, tops), hits(ctx.blend, held, tops)
        out.append(held.with_columns(*(pl.Series(f"hit{n}", hit[n]) for n in tops),
                                     *(pl.Series(f"blend{n}", first[n]) for n in tops)))
    return pl.concat(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m matcher._build.train_transfer",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, required=True,
                        help="transfer-pairs CSV (origin_uri, target_uri, onet_tier, onet_origin)")
    parser.add_argument("--taxonomy", default=None)
    parser.add_argument("--out", type=Path, default=rerank.MODEL_PATH)
    args = parser.parse_args(argv)
    tax = load_taxonomy(args.taxonomy)
    try:
        pairs = load_pairs(args.pairs, tax)
    except (OSError, pl.exceptions.PolarsError) as exc:
        parser.error(f"cannot read the pairs file '{args.pairs}': {str(exc).splitlines()[0]}")
    if pairs.is_empty():
        parser.error(f"the pairs file '{args.pairs}' names no pair of {tax.version}'s "
                     "occupations")
    print("building the views and features; each cross-fitted row trains two ensembles "
          "(about a minute in all)", file=sys.stderr, flush=True)
    ctx = Context.build(tax)
    print("| held out (cross-fitted) | pairs | r@10 | r@50 | first stage r@50 |")
    print("|---|---|---|---|---|")
    for strict in (False, True):
        held = cross_fitted(ctx, pairs, strict=strict)
        for name, part in (("Primary-Short", held.filter(pl.col("onet_tier") == "Primary-Short")),
                           ("all tiers", held)):
            r10, r50, b50 = (float(part[c].mean())  # type: ignore[arg-type]
                             for c in ("hit10", "hit50", "blend50"))
            print(f"| {'strict' if strict else 'by origin'}, {name} | {part.height} | {r10:.3f} "
                  f"| {r50:.3f} | {b50:.3f} |", flush=True)
    forest = fit(ctx, pairs)
    forest.save(args.out)
    score = similarity(ctx, forest)
    finite = np.where(np.isinf(score), -np.inf, score)
    ranked = -np.sort(-finite, axis=1)
    print(f"\nwrote {args.out} ({len(forest.roots)} trees, {forest.value.size} nodes)")
    for k in (3, 15, 50, 200):
        print(f"median score of an origin's {k}th most similar occupation: "
              f"{float(np.median(ranked[:, k - 1])):.3f}")


if __name__ == "__main__":
    main()
