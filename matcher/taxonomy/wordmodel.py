"""The word model: which STYRK-08 group a title's words name, learnt discriminatively.

The resolver's group model (naive Bayes over character n-grams, :mod:`matcher.taxonomy.resolve`)
reads a title's spelling. This model reads its words: each word of the base, the head and the
modifier of its last word where the head is a known one-word label (``renholds|arbeider``,
``lastebil|sjåfør``) and the words of a qualifier in parentheses as features of their own
(``Lærling (rørlegger)``: the qualifier names the trade). Features are TF-IDF weighted
(sublinear term frequency, smoothed IDF, rows L2-normalised), and the weights are a ridge
classifier (least squares on the groups' one-hot columns, as scikit-learn's
``RidgeClassifier``), solved here by conjugate gradients on the normal equations, so it needs
neither scikit-learn nor a dense factorisation: about 2 s for the built-in taxonomy. The
resolver adds its scores to the naive Bayes log-likelihoods (``resolve.WORD_WEIGHT``); what that
gains on NAV's held-out titles is in ``docs/taxonomy.md`` ("The round after").

The fitted weights (pruned below :data:`WORD_PRUNE`, about 1.4 MB) are kept in the taxonomy's
cache folder (``words-<hash>.npz``), named by a hash of this module's code and every training
row, written atomically; a damaged entry is fitted again.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from matcher.io.write import atomic_file
from matcher.taxonomy.cachedir import cache_dir, code_stamp

__all__ = ["WordModel", "fit_word_model", "load_word_model", "word_features"]

log = logging.getLogger(__name__)

WORD_ALPHA = 3.0
"""Ridge penalty (chosen on the folds grouped by base; docs/taxonomy.md)."""
WORD_PRUNE = 0.01
"""Weights smaller than this in absolute value are dropped (no change held out)."""
MIN_HEAD = 4
"""Shortest one-word label that counts as a compound's head."""
_CG_ITERATIONS = 60
_CG_TOLERANCE = 1e-9
_FORMAT = "matcher-word-model 1"

Row = tuple[str, str, int, float]
"""(base, qualifier, group, weight): one training example."""


def word_features(base: str, qualifier: str, heads: frozenset[str]) -> list[str]:
    """The features of a normalised title: ``w:`` each word of the base, ``h:`` / ``m:`` the
    head and modifier of its last word (the longest known head that leaves a modifier),
    ``q:`` each word of the qualifier."""
    words = base.split()
    out = [f"w:{w}" for w in words]
    if words:
        last = words[-1]
        for k in range(1, len(last) - MIN_HEAD + 1):
            if last[k:] in heads:
                out += [f"h:{last[k:]}", f"m:{last[:k]}"]
                break
    out += [f"q:{w}" for w in qualifier.split()]
    return out


@dataclass(frozen=True, slots=True)
class WordModel:
    """Fitted word model: ``scores(pairs)`` gives a row of group scores per (base, qualifier)."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    weights: sp.csr_matrix
    """features x groups"""
    heads: frozenset[str]

    def transform(self, pairs: Iterable[tuple[str, str]]) -> sp.csr_matrix:
        """TF-IDF rows (sublinear tf, L2-normalised) of the pairs' features."""
        indices, counts, indptr = count_features(
            (word_features(base, qualifier, self.heads) for base, qualifier in pairs),
            self.vocabulary)
        return _tfidf(indices, counts, indptr, self.idf)

    def scores(self, pairs: Iterable[tuple[str, str]]) -> np.ndarray:
        """Pairs x groups."""
        return np.asarray((self.transform(pairs) @ self.weights).toarray(), dtype=np.float64)


def count_features(rows: Iterable[Iterable[str]],
                   vocabulary: Mapping[str, int]) -> tuple[list[int], list[int], list[int]]:
    """Each row's known features counted, as CSR pieces: column indices (ascending within a
    row), their counts and the rows' starts (what a count vectorizer's ``transform`` gives)."""
    indptr = [0]
    indices: list[int] = []
    counts: list[int] = []
    for features in rows:
        row: dict[int, int] = {}
        for feature in features:
            j = vocabulary.get(feature)
            if j is not None:
                row[j] = row.get(j, 0) + 1
        for j in sorted(row):
            indices.append(j)
            counts.append(row[j])
        indptr.append(len(indices))
    return indices, counts, indptr


def _tfidf(indices: list[int], counts: Sequence[float], indptr: list[int],
           idf: np.ndarray) -> sp.csr_matrix:
    columns = np.asarray(indices, dtype=np.int32)
    data = (np.log(np.asarray(counts, dtype=np.float64)) + 1.0) * idf[columns]
    starts = np.asarray(indptr, dtype=np.int64)
    lengths = np.diff(starts)
    rows = np.repeat(np.arange(lengths.size), lengths)
    norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=lengths.size))
    data = data / np.where(norms[rows] > 0, norms[rows], 1.0)
    return sp.csr_matrix((data, columns, starts), shape=(lengths.size, idf.size))


def fit_word_model(rows: Sequence[Row], n_groups: int, heads: frozenset[str]) -> WordModel:
    """Fit the ridge classifier on weighted (base, qualifier, group) rows."""
    features = [word_features(base, qualifier, heads) for base, qualifier, _, _ in rows]
    vocabulary = {f: j for j, f in enumerate(sorted({f for row in features for f in row}))}
    indices, counts, indptr = count_features(features, vocabulary)
    df = np.bincount(indices, minlength=len(vocabulary)).astype(np.float64)
    n = len(rows)
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    x = _tfidf(indices, counts, indptr, idf)
    weight = np.asarray([w for *_, w in rows], dtype=np.float64)
    groups = np.asarray([g for _, _, g, _ in rows], dtype=np.int64)
    y = sp.csr_matrix((np.ones(n), (np.arange(n), groups)), shape=(n, n_groups))
    xtw = (x.T @ sp.diags(weight)).tocsr()
    gram = (xtw @ x + WORD_ALPHA * sp.identity(x.shape[1], format="csr")).tocsr()
    solution = _conjugate_gradients(gram, np.asarray((xtw @ y).toarray()))
    solution[np.abs(solution) < WORD_PRUNE] = 0.0
    weights = sp.csr_matrix(solution.astype(np.float32))
    return WordModel(vocabulary, idf, weights, heads)


def _conjugate_gradients(a: sp.csr_matrix, b: np.ndarray) -> np.ndarray:
    """Solve ``a @ x = b`` for every column of ``b`` at once (``a`` symmetric positive
    definite), Jacobi-preconditioned, in float32 and in place (the arrays are features x
    groups, and memory traffic is the cost)."""
    a = a.astype(np.float32)
    inverse = (1.0 / a.diagonal()).astype(np.float32)[:, None]
    b = b.astype(np.float32)
    x = np.zeros_like(b)
    r = b.copy()
    z = r * inverse
    p = z.copy()
    rz = np.einsum("ij,ij->j", r, z)
    scale = float(np.einsum("ij,ij->", b, b)) or 1.0
    for _ in range(_CG_ITERATIONS):
        ap = a @ p
        step = rz / np.maximum(np.einsum("ij,ij->j", p, ap), 1e-30)
        x += p * step
        ap *= step
        r -= ap
        if float(np.einsum("ij,ij->", r, r)) / scale < _CG_TOLERANCE:
            break
        np.multiply(r, inverse, out=z)
        rz_next = np.einsum("ij,ij->j", r, z)
        p *= rz_next / np.maximum(rz, 1e-30)
        p += z
        rz = rz_next
    return x.astype(np.float64)


@functools.cache
def _code() -> bytes:
    return code_stamp(__file__)


def _key(rows: Sequence[Row], n_groups: int, heads: frozenset[str]) -> str:
    digest = hashlib.sha256(_FORMAT.encode() + b"\0" + _code())
    digest.update(f"{n_groups}\0".encode())
    digest.update("\n".join(sorted(heads)).encode() + b"\0")
    for base, qualifier, group, weight in rows:
        digest.update(f"{base}\t{qualifier}\t{group}\t{weight!r}\n".encode())
    return digest.hexdigest()[:32]


def _write(path: Path, model: WordModel) -> None:
    features = sorted(model.vocabulary, key=model.vocabulary.__getitem__)
    w = model.weights
    arrays = {"features": np.frombuffer("\n".join(features).encode(), dtype=np.uint8),
              "heads": np.frombuffer("\n".join(sorted(model.heads)).encode(), dtype=np.uint8),
              "idf": model.idf, "data": w.data, "indices": w.indices, "indptr": w.indptr,
              "shape": np.asarray(w.shape, dtype=np.int64)}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_file(path) as temporary, temporary.open("wb") as out:
            np.savez(out, **arrays)
    except OSError as exc:  # OutputError included
        log.warning("cannot cache the resolver's word model in %s (%s); every process will "
                    "fit it again", path.parent, exc)


def _read(path: Path, n_groups: int) -> WordModel | None:
    if not path.is_file():
        return None
    try:
        with path.open("rb") as handle, np.load(handle, allow_pickle=False) as stored:
            features = bytes(stored["features"]).decode().split("\n")
            heads = bytes(stored["heads"]).decode().split("\n")
            idf = stored["idf"]
            weights = sp.csr_matrix((stored["data"], stored["indices"], stored["indptr"]),
                                    shape=tuple(int(n) for n in stored["shape"]))
    except (OSError, ValueError, KeyError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
        log.warning("fitting again the damaged word model cache entry %s (%s)", path, exc)
        return None
    if weights.shape != (len(features), n_groups) or idf.shape != (len(features),):
        log.warning("fitting again the damaged word model cache entry %s (shapes)", path)
        return None
    return WordModel(dict(zip(features, range(len(features)), strict=True)), idf, weights,
                     frozenset(h for h in heads if h))


def load_word_model(rows: Sequence[Row], n_groups: int, heads: frozenset[str]) -> WordModel:
    """The word model of these rows: read from the cache folder, else fitted and cached."""
    path = cache_dir() / f"words-{_key(rows, n_groups, heads)}.npz"
    found = _read(path, n_groups)
    if found is None:
        found = fit_word_model(rows, n_groups, heads)
        _write(path, found)
    return found
