"""Second stage of the transfer similarity: a small tree ensemble that re-ranks each
occupation's nearest candidates.

The first stage (:func:`matcher.taxonomy.similarity.blend`) adds standardised views linearly.
Their information is richer than a weighted sum can use: whether two occupations' neighbours
agree (kNN and shared-neighbour features), whether one is a hub that is near everything, how far
apart their skill levels are, how many skills ESCO lists for each (few skills make a skill
cosine unreliable, so text must carry more). A gradient-boosted ensemble of shallow trees over
:data:`FEATURES` weighs these together.

For each occupation its :data:`CANDIDATES` best first-stage candidates are scored in both
directions; the mean of the two directions' scores is the pair's score (symmetric). Any pair
that is no one's candidate ranks below every candidate pair, in first-stage order.

The ensemble is trained by ``python -m matcher._build.train_transfer`` on the O*NET related
occupation pairs (the labels; the pairs never enter a feature) and shipped as
``data/transfer-reranker.npz``; its cross-fitted quality is in ``docs/taxonomy.md``. Only
numpy is needed to apply it (:class:`Forest`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from matcher.taxonomy.similarity import standardise_rows
from matcher.validate import Described, parameter_error

if TYPE_CHECKING:
    from matcher.taxonomy.model import Taxonomy

__all__ = ["CANDIDATES", "FEATURES", "MODEL_PATH", "Forest", "PairFeatures", "candidate_pairs",
           "rerank_scores"]

CANDIDATES = 200
"""First-stage candidates re-ranked per occupation (recall@50 needs only the top 50; 200 keeps
the targets the first stage ranks 50-200 within reach)."""

MODEL_PATH = Path(__file__).parent / "data" / "transfer-reranker.npz"

VIEWS = ("skills", "text", "skill_text", "exact_skills", "label_words", "description_words")
"""First-stage views used by the re-ranker, standardised per origin (see ``similarity``)."""

NEIGHBOURS = (5, 10, 30)
SHARED = 50

FEATURES: tuple[str, ...] = (
    *(f"{v}" for v in VIEWS),
    *(f"{v}_reverse" for v in VIEWS),
    "same_isco1", "same_isco2", "same_isco3", "same_isco4", "skill_level_gap",
    "blend", "log_rank", "log_rank_reverse",
    *(f"knn{k}" for k in NEIGHBOURS), "knn10_reverse", f"shared_top{SHARED}",
    "knn_skills", "knn_skills_reverse", "knn_text", "knn_text_reverse",
    "knn_skill_text", "knn_skill_text_reverse",
    "log_skills_origin", "log_skills_target",
    "log_indegree10_target", "log_indegree50_target", "log_indegree50_origin",
)
"""Features of an ordered pair (origin, target), in the ensemble's column order."""

_TABLE_NODES = 8
"""Trees with at most this many internal nodes are applied as a table of 2**k leaf values."""

# ISCO-08 skill levels of the major groups (ILO): 1 and 2 -> 4, 3 -> 3, 4-8 and 0 -> 2, 9 -> 1.
_SKILL_LEVEL = {"1": 4, "2": 4, "3": 3, "4": 2, "5": 2, "6": 2, "7": 2, "8": 2, "9": 1, "0": 2}


def _ranks(matrix: np.ndarray) -> np.ndarray:
    """Per row, the 0-based rank of each column (the diagonal last)."""
    n = matrix.shape[0]
    work = matrix.astype(np.float32, copy=True)
    np.fill_diagonal(work, -np.inf)
    order = np.argsort(-work, axis=1, kind="stable")
    ranks = np.empty((n, n), dtype=np.int32)
    ranks[np.arange(n)[:, None], order] = np.arange(n, dtype=np.int32)[None, :]
    return ranks


def _top(matrix: np.ndarray, k: int) -> np.ndarray:
    """Per row, the indices of the ``k`` largest off-diagonal entries, best first."""
    work = matrix.astype(np.float32, copy=True)
    np.fill_diagonal(work, -np.inf)
    k = min(k, max(work.shape[1] - 1, 1))
    part = np.argpartition(-work, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(work, part, axis=1), axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)


def _neighbour_mean(standardised: np.ndarray, top: np.ndarray) -> np.ndarray:
    """``out[i, j]``: mean standardised similarity of ``j`` to ``i``'s nearest ``top[i]``."""
    n, k = top.shape
    pick = sp.csr_matrix((np.full(n * k, 1.0 / k, dtype=np.float32),
                          (np.repeat(np.arange(n), k), top.ravel())), shape=(n, n))
    return np.asarray(pick @ standardised, dtype=np.float32)


class PairFeatures:
    """Everything :data:`FEATURES` needs, as ``n x n`` matrices; features of any pairs.

    ``views`` maps each name of :data:`VIEWS` to its raw ``n x n`` cosine; ``blend`` is the
    first stage's symmetric score.
    """

    def __init__(self, tax: Taxonomy, views: Mapping[str, np.ndarray],
                 blend: np.ndarray) -> None:
        n = tax.n_occupations
        self.n = n
        self.blend = np.asarray(blend, dtype=np.float32)
        self.standard = {name: standardise_rows(views[name]) for name in VIEWS}
        self.rank = _ranks(self.blend)
        top = _top(self.blend, max(*NEIGHBOURS, SHARED))
        z_blend = standardise_rows(self.blend)
        self.knn = {k: _neighbour_mean(z_blend, top[:, :k]) for k in NEIGHBOURS}
        shared = sp.csr_matrix((np.ones(n * top[:, :SHARED].shape[1], dtype=np.float32),
                                (np.repeat(np.arange(n), top[:, :SHARED].shape[1]),
                                 top[:, :SHARED].ravel())), shape=(n, n))
        self.shared = np.asarray((shared @ shared.T).toarray(), dtype=np.float32)
        # How many occupations have it among their 10 / 50 nearest (a hub is near everything).
        self.indegree = {k: np.log1p(np.bincount(top[:, :k].ravel(), minlength=n)).astype(
            np.float32) for k in (10, SHARED)}
        self.view_knn = {name: _neighbour_mean(self.standard[name],
                                               _top(views[name], 10))
                         for name in ("skills", "text", "skill_text")}
        codes = [code if len(code) == 4 and code.isdigit() else "" for code in tax.occupation_isco]
        self.isco = [np.array([code[:d] or f"?{i}" for i, code in enumerate(codes)])
                     for d in (1, 2, 3, 4)]
        self.level = np.array([_SKILL_LEVEL.get(code[:1], 2) for code in codes], dtype=np.float32)
        counts = np.diff(sp.csr_matrix(tax.occupation_skills).indptr)
        self.log_skills = np.log1p(counts).astype(np.float32)

    def __call__(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """``len(FEATURES) x len(rows)`` float32 (one contiguous row per feature)."""
        r, c = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        columns: list[np.ndarray] = []
        columns += [self.standard[v][r, c] for v in VIEWS]
        columns += [self.standard[v][c, r] for v in VIEWS]
        columns += [(g[r] == g[c]).astype(np.float32) for g in self.isco]
        columns += [np.abs(self.level[r] - self.level[c])]
        columns += [self.blend[r, c], np.log1p(self.rank[r, c]), np.log1p(self.rank[c, r])]
        columns += [self.knn[k][r, c] for k in NEIGHBOURS]
        columns += [self.knn[10][c, r], self.shared[r, c]]
        for name in ("skills", "text", "skill_text"):
            columns += [self.view_knn[name][r, c], self.view_knn[name][c, r]]
        columns += [self.log_skills[r], self.log_skills[c]]
        columns += [self.indegree[10][c], self.indegree[SHARED][c], self.indegree[SHARED][r]]
        out = np.empty((len(columns), r.size), dtype=np.float32)
        for i, column in enumerate(columns):
            out[i] = column
        return out


@dataclass(frozen=True, eq=False)
class Forest:
    """A boosted ensemble of binary trees over :data:`FEATURES`, applied with numpy only.

    Node arrays hold every tree's nodes one after another; ``roots`` are the trees' first
    nodes. An internal node sends a row left when ``x[feature] <= threshold``; a leaf adds its
    ``value``. The score is ``baseline + sum over trees`` (a log-odds).
    """

    feature_names: tuple[str, ...]
    feature: np.ndarray  # int32, -1 at leaves
    threshold: np.ndarray  # float64
    left: np.ndarray  # int32 global node index, -1 at leaves
    right: np.ndarray
    value: np.ndarray  # float64, used at leaves
    roots: np.ndarray  # int32
    baseline: float
    trained_with: str = ""  # the scikit-learn version that fitted it (provenance only)

    @classmethod
    def from_sklearn(cls, model: Any, feature_names: Sequence[str]) -> Forest:
        """From a fitted binary ``HistGradientBoostingClassifier`` without categorical features."""
        if model.n_trees_per_iteration_ != 1:
            raise parameter_error("Forest.from_sklearn", "model", "a binary classifier",
                                  Described(f"{model.n_trees_per_iteration_} trees per "
                                            "iteration"))
        parts: dict[str, list[np.ndarray]] = {k: [] for k in
                                               ("feature", "threshold", "left", "right", "value")}
        roots: list[int] = []
        offset = 0
        for (predictor,) in model._predictors:
            nodes = predictor.nodes
            if nodes["is_categorical"].any():
                raise ValueError("Forest.from_sklearn supports numeric splits only.")
            leaf = nodes["is_leaf"].astype(bool)
            roots.append(offset)
            parts["feature"].append(np.where(leaf, -1, nodes["feature_idx"]).astype(np.int32))
            parts["threshold"].append(nodes["num_threshold"].astype(np.float64))
            parts["left"].append(np.where(leaf, -1, nodes["left"] + offset).astype(np.int32))
            parts["right"].append(np.where(leaf, -1, nodes["right"] + offset).astype(np.int32))
            parts["value"].append(nodes["value"].astype(np.float64))
            offset += len(nodes)
        import sklearn

        arrays = {k: np.concatenate(v) for k, v in parts.items()}
        return cls(feature_names=tuple(feature_names), roots=np.asarray(roots, dtype=np.int32),
                   baseline=float(np.ravel(model._baseline_prediction)[0]),
                   trained_with=sklearn.__version__, **arrays)

    def save(self, path: str | Path) -> None:
        """Write an ``.npz`` (no pickles) atomically."""
        from matcher.io.write import atomic_file

        with atomic_file(Path(path)) as temporary, open(temporary, "wb") as out:
            np.savez_compressed(
                out, feature_names=np.array(self.feature_names), feature=self.feature,
                threshold=self.threshold, left=self.left, right=self.right, value=self.value,
                roots=self.roots, baseline=np.array([self.baseline]),
                trained_with=np.array(self.trained_with))

    @classmethod
    def load(cls, path: str | Path) -> Forest:
        with np.load(path, allow_pickle=False) as data:
            return cls(feature_names=tuple(str(x) for x in data["feature_names"]),
                       feature=data["feature"], threshold=data["threshold"],
                       left=data["left"], right=data["right"], value=data["value"],
                       roots=data["roots"], baseline=float(data["baseline"][0]),
                       trained_with=str(data["trained_with"]) if "trained_with" in data else "")

    def _tables(self, dtype: np.dtype) -> list[tuple[np.ndarray, np.ndarray, np.ndarray] | int]:
        """Per tree with at most :data:`_TABLE_NODES` internal nodes: their features and
        thresholds, and the leaf value for every combination of their test outcomes (bit ``b``
        set: node ``b`` sent the row left); a larger tree is left as its root index.

        For float32 features the thresholds are float32 too: ``x <= t`` for a float64 ``t``
        holds exactly when ``x <= t'``, ``t'`` the largest float32 not above ``t``, so every
        row is decided as the float64 test would decide it, without widening the features.
        """
        tables: list[tuple[np.ndarray, np.ndarray, np.ndarray] | int] = []
        ends = [*self.roots.tolist()[1:], len(self.feature)]
        for root, end in zip(self.roots.tolist(), ends, strict=True):
            internal = [v for v in range(root, end) if self.feature[v] >= 0]
            if len(internal) > _TABLE_NODES:
                tables.append(root)
                continue
            bit = {v: b for b, v in enumerate(internal)}
            leaves = np.empty(1 << len(internal), dtype=np.float64)
            for code in range(leaves.size):
                v = root
                while self.feature[v] >= 0:
                    v = int(self.left[v] if (code >> bit[v]) & 1 else self.right[v])
                leaves[code] = self.value[v]
            threshold = self.threshold[internal]
            if dtype == np.float32:
                t32 = threshold.astype(np.float32)
                threshold = np.where(t32.astype(np.float64) > threshold,
                                     np.nextafter(t32, np.float32(-np.inf)), t32)
            tables.append((self.feature[internal].astype(np.int64),
                           threshold.astype(dtype), leaves))
        return tables

    def _walk(self, root: int, x: np.ndarray, acc: np.ndarray) -> None:
        """Add one tree's leaf values to ``acc``, carrying the mask of rows at each node."""
        stack: list[tuple[int, np.ndarray | None]] = [(root, None)]
        while stack:
            node, reach = stack.pop()
            feature = int(self.feature[node])
            if feature < 0:
                if reach is None:
                    acc += self.value[node]
                else:
                    np.add(acc, self.value[node], out=acc, where=reach)
                continue
            go_left = x[feature] <= self.threshold[node]
            if reach is None:
                stack.append((int(self.left[node]), go_left))
                stack.append((int(self.right[node]), ~go_left))
            else:
                stack.append((int(self.left[node]), reach & go_left))
                stack.append((int(self.right[node]), reach & ~go_left))

    def decision(self, columns: np.ndarray, block: int = 65536) -> np.ndarray:
        """Log-odds of each row; ``columns`` is ``n_features x n_rows`` (one row per feature).

        A small tree is applied as a table: its node tests give a small integer per row, which
        indexes its leaf values; a larger one is walked node by node.
        """
        if columns.shape[0] != len(self.feature_names):
            raise parameter_error("Forest.decision", "columns", f"an array of "
                                  f"{len(self.feature_names)} rows (features)",
                                  Described(f"{columns.shape[0]} rows"))
        if columns.dtype not in (np.float32, np.float64):
            columns = columns.astype(np.float64)
        tables = self._tables(columns.dtype)
        n = columns.shape[1]
        out = np.full(n, self.baseline, dtype=np.float64)
        code = np.empty(min(block, n), dtype=np.uint8)
        test = np.empty(min(block, n), dtype=bool)
        for start in range(0, n, block):
            x = columns[:, start:start + block]
            m = x.shape[1]
            acc, c, t = out[start:start + m], code[:m], test[:m]
            for table in tables:
                if isinstance(table, int):
                    self._walk(table, x, acc)
                    continue
                features, thresholds, leaves = table
                c[:] = 0
                for b, (f, threshold) in enumerate(zip(features.tolist(), thresholds,
                                                       strict=True)):
                    np.less_equal(x[f], threshold, out=t)
                    c |= t.view(np.uint8) << np.uint8(b)
                acc += leaves[c]
        return out


def candidate_pairs(blend: np.ndarray, k: int = CANDIDATES) -> tuple[np.ndarray, np.ndarray]:
    """Unordered pairs ``(i < j)`` where either is among the other's ``k`` best by ``blend``."""
    top = _top(blend, k)
    n = blend.shape[0]
    rows = np.repeat(np.arange(n), top.shape[1])
    cols = top.ravel()
    lo, hi = np.minimum(rows, cols), np.maximum(rows, cols)
    key = np.unique(lo.astype(np.int64) * n + hi)
    return (key // n).astype(np.int64), (key % n).astype(np.int64)


def rerank_scores(features: PairFeatures, forest: Forest, k: int = CANDIDATES) -> np.ndarray:
    """The symmetric ``n x n`` second-stage score (log-odds scale); the diagonal is +inf.

    Candidate pairs get the mean of both directions' ensemble scores; every other pair ranks
    below all candidate pairs, in first-stage order.
    """
    if tuple(forest.feature_names) != FEATURES:
        raise ValueError("The transfer re-ranker was trained on other features than this "
                         "version computes; retrain it with python -m "
                         "matcher._build.train_transfer.")
    lo, hi = candidate_pairs(features.blend, k)
    forward = forest.decision(features(lo, hi))
    backward = forest.decision(features(hi, lo))
    score = ((forward + backward) / 2.0).astype(np.float32)
    floor = float(score.min()) if score.size else 0.0
    # Below every candidate, ordered by the (symmetric) first stage: floor - 2 .. floor - 1.
    out = (floor - 2.0 + 1.0 / (1.0 + np.exp(-features.blend.astype(np.float64))))
    out = out.astype(np.float32)
    out[lo, hi] = score
    out[hi, lo] = score
    np.fill_diagonal(out, np.inf)
    return out
