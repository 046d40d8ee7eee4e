"""Occupation transfer similarity: how far experience in one occupation counts toward another.

Exact skill overlap is a poor guide: ESCO writes the same know-how as different skills in
different occupations (bee breeder and agronomist share 2 skills). The similarity here blends
several views of an occupation, each turned into a per-origin standard score so that no single
view's scale dominates:

``skills``
    Cosine of the occupations' skill profiles: essential 1, optional 0.5, each skill spread up
    ESCO's skill hierarchy (half its weight to its parents, a quarter to theirs, ...), weighted
    by inverse occupation frequency over the spread profiles.
``text``
    Cosine of character 4-gram TF-IDF vectors of the occupation's English labels and
    description (catches "assembler" ~ "assembly", shared domain words).
``skill_text``
    Cosine of word TF-IDF vectors of the labels of the occupation's skills (two different skills
    that both mention "honey" or "hydraulic" meet here).
``isco1``, ``isco4``
    ISCO-08 structure: same major group, same unit group. Added as they are (0 or 1), not
    standardised.

The three cosines are standardised per origin (mean 0, standard deviation 1 over the other
occupations), blended with :data:`TRANSFER_WEIGHTS`, divided by the total weight and made
symmetric (the mean of both directions): the *first stage* (:func:`blend`; weights tuned by hand
on half the O*NET related-occupation pairs). It chooses each occupation's 200 best candidates;
the *second stage* (:mod:`matcher.taxonomy.rerank`) re-scores them with a small tree ensemble
over these and further views and neighbourhood features, trained on the pairs as labels. The
score is mapped onto (0, 1) by the monotone curve :data:`TRANSFER_CURVE`; the diagonal is 1.
``benchmarks/bench_transfer.py`` measures both stages, the second cross-fitted.

Use :meth:`matcher.taxonomy.Taxonomy.occupation_similarity` and
:meth:`~matcher.taxonomy.Taxonomy.similar_occupations`; this module holds the computation.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from matcher.validate import parameter_error

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from matcher.taxonomy.model import Taxonomy

log = logging.getLogger(__name__)

__all__ = [
    "TRANSFER_CURVE",
    "TRANSFER_WEIGHTS",
    "baseline_similarity",
    "carried_skills",
    "components",
    "spread_matrix",
    "standardise_rows",
]

TRANSFER_WEIGHTS: Mapping[str, float] = {
    "skills": 1.0, "text": 1.5, "skill_text": 1.0, "isco1": 0.5, "isco4": 0.5,
}
"""Weight of each view in the blend (tuned on half the dev pairs, checked on the other half)."""

TRANSFER_CURVE: tuple[tuple[float, float], ...] = (
    (-10.0, 0.0), (-7.0, 0.03), (-3.45, 0.25), (-1.25, 0.5), (-0.13, 0.8), (0.58, 0.92),
    (1.5, 0.97), (3.0, 0.99),
)
"""``(second-stage score, similarity)`` knots, joined linearly (clamped at both ends).

Set from the shipped ensemble (``python -m matcher._build.train_transfer`` prints the medians):
in ESCO v1.1.1 the median origin's 3rd most similar occupation scores 0.58 (similarity 0.92),
its 15th -0.13 (0.8), its 50th -1.26 (0.5) and its 200th -3.46 (0.25), so experience counts for
about a quarter toward an occupation in the top 7 % (agronomist -> bee breeder, 200th: 0.31).
Pairs that are no one's candidate score below -7 (under 0.03). The curve never reaches 1, which
only an occupation has with itself; a test checks the calibration."""

SPREAD_DECAY = 0.5
SPREAD_LEVELS = 5


def spread_matrix(tax: Taxonomy, decay: float = SPREAD_DECAY,
                  levels: int = SPREAD_LEVELS) -> sp.csr_matrix:
    """``n_skill x n_skill``: a skill keeps weight 1 and passes ``decay`` to its parents.

    A skill with several parents divides what it passes among them; each further level
    multiplies by ``decay`` again.
    """
    parents = sp.csr_matrix(tax.skill_parents, dtype=np.float64)
    degree = np.asarray(parents.sum(axis=1)).ravel()
    degree[degree == 0] = 1.0
    step = sp.csr_matrix(sp.diags(decay / degree) @ parents)
    total = sp.identity(tax.n_skills, format="csr", dtype=np.float64)
    current = total
    for _ in range(levels):
        current = sp.csr_matrix(current @ step)
        if current.nnz == 0:
            break
        total = sp.csr_matrix(total + current)
    return total


def _unit_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ matrix)


def _cosine(matrix: sp.csr_matrix) -> np.ndarray:
    unit = _unit_rows(sp.csr_matrix(matrix, dtype=np.float32))
    return np.asarray((unit @ unit.T).toarray(), dtype=np.float32)


def skill_profiles(tax: Taxonomy) -> sp.csr_matrix:
    """IDF-weighted, hierarchy-spread skill profiles of all occupations (rows not normalised)."""
    spread = sp.csr_matrix(sp.csr_matrix(tax.occupation_skills, dtype=np.float64)
                           @ spread_matrix(tax))
    df = np.bincount(spread.indices, minlength=tax.n_skills)
    idf = np.log((1.0 + tax.n_occupations) / (1.0 + df)) + 1.0
    return sp.csr_matrix(spread @ sp.diags(idf))


def _tfidf_cosine(vectorizer: TfidfVectorizer, texts: list[str]) -> np.ndarray:
    try:
        return _cosine(vectorizer.fit_transform(texts))
    except ValueError:  # a tiny taxonomy: no term occurs in two occupations
        return np.zeros((len(texts), len(texts)), dtype=np.float32)


def components(tax: Taxonomy) -> dict[str, np.ndarray]:
    """Each view as an ``n_occ x n_occ`` float32 matrix (raw): those of
    :data:`TRANSFER_WEIGHTS` and those only the second stage uses (``exact_skills``: IDF cosine
    of the listed skills; ``label_words``, ``description_words``: word TF-IDF cosines)."""
    # scikit-learn costs almost a second to import; only a first run (no cached matrix) needs it
    from sklearn.feature_extraction.text import TfidfVectorizer

    out: dict[str, np.ndarray] = {"skills": _cosine(skill_profiles(tax))}
    texts = [" ".join(names) + " " + desc
             for names, desc in zip(tax.occupation_names["en"], tax.occupation_descriptions,
                                    strict=True)]
    # 4-grams alone rank as well as 3- to 5-grams on the dev pairs, at a third of the cost.
    chars = TfidfVectorizer(sublinear_tf=True, analyzer="char_wb", ngram_range=(4, 4),
                            min_df=2, dtype=np.float32)
    out["text"] = _tfidf_cosine(chars, texts)
    skills = sp.csr_matrix(tax.occupation_skills)
    labels = tax.skill_labels
    skill_texts = [" ".join(labels[j] for j in skills.indices[start:end])
                   for start, end in zip(skills.indptr[:-1], skills.indptr[1:], strict=True)]
    words = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=2, dtype=np.float32)
    out["skill_text"] = _tfidf_cosine(words, skill_texts)
    # Views the second stage (matcher.taxonomy.rerank) uses besides the blended ones.
    out["exact_skills"] = _cosine(sp.csr_matrix(skills @ sp.diags(tax.skill_idf)))
    out["label_words"] = _tfidf_cosine(
        TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=2, dtype=np.float32),
        [" ".join(names) for names in tax.occupation_names["en"]])
    out["description_words"] = _tfidf_cosine(
        TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=2, ngram_range=(1, 2),
                        dtype=np.float32), list(tax.occupation_descriptions))
    codes = [code if len(code) == 4 and code.isdigit() else "" for code in tax.occupation_isco]
    major = np.array([code[:1] or f"?{i}" for i, code in enumerate(codes)])
    unit = np.array([code or f"?{i}" for i, code in enumerate(codes)])
    out["isco1"] = (major[:, None] == major[None, :]).astype(np.float32)
    out["isco4"] = (unit[:, None] == unit[None, :]).astype(np.float32)
    return out


_STANDARDISED = ("skills", "text", "skill_text")


def standardise_rows(matrix: np.ndarray) -> np.ndarray:
    """Per row: (x - mean) / std over the off-diagonal entries; the diagonal becomes 0."""
    n = matrix.shape[0]
    off = matrix.astype(np.float64)
    np.fill_diagonal(off, 0.0)
    count = max(n - 1, 1)
    mean = off.sum(axis=1) / count
    square = (off * off).sum(axis=1) / count
    std = np.sqrt(np.maximum(square - mean * mean, 0.0))
    std[std == 0] = 1.0
    out = ((matrix - mean[:, None]) / std[:, None]).astype(np.float32)
    np.fill_diagonal(out, 0.0)
    return out


def blend(parts: Mapping[str, np.ndarray],
          weights: Mapping[str, float] = TRANSFER_WEIGHTS) -> np.ndarray:
    """Weighted mean of the views (cosines standardised per origin), made symmetric."""
    total = float(sum(weights.values()))
    score: np.ndarray | None = None
    for name, weight in weights.items():
        if not weight:
            continue
        part = standardise_rows(parts[name]) if name in _STANDARDISED else parts[name]
        term = (weight / total) * part
        score = term if score is None else score + term
    if score is None:
        raise parameter_error("blend", "weights", "weights that give some view a weight > 0",
                              dict(weights))
    return ((score + score.T) / 2.0).astype(np.float32)


def baseline_similarity(tax: Taxonomy) -> np.ndarray:
    """The plain baseline: cosine over exact skills, essential 1, optional 0.5."""
    return _cosine(sp.csr_matrix(tax.occupation_skills))


class _CarryOver:
    """Per-occupation skill sets and spread group weights, for listing what carries over."""

    def __init__(self, tax: Taxonomy) -> None:
        skills = sp.csr_matrix(tax.occupation_skills)
        idf = tax.skill_idf
        self.labels = tax.skill_labels
        # Each occupation's skills, rarest first, and as a set.
        self.ordered = [sorted(skills.indices[s:e].tolist(), key=lambda j: (-idf[j], j))
                        for s, e in zip(skills.indptr[:-1], skills.indptr[1:], strict=True)]
        self.sets = [set(row) for row in self.ordered]
        # Groups only: a shared skill is listed by itself; the roots ("skills", "knowledge")
        # say nothing.
        roots = np.asarray(tax.skill_parents.sum(axis=1)).ravel() == 0
        self.groups = np.flatnonzero(tax.skill_is_group & ~roots)
        spread = sp.csr_matrix(skills @ spread_matrix(tax))
        self.group_weight = np.asarray(spread[:, self.groups].toarray(), dtype=np.float32)

    def __call__(self, origin: int, target: int, top: int) -> list[str]:
        other = self.sets[target]
        shared = [j for j in self.ordered[origin] if j in other][:top]
        labels = [self.labels[j] for j in shared]
        if len(labels) < top:
            both = np.minimum(self.group_weight[origin], self.group_weight[target])
            need = top - len(labels)
            best = (np.argpartition(-both, need)[:need] if need < both.size
                    else np.arange(both.size))
            for k in sorted(best.tolist(), key=lambda k: (-both[k], k)):
                if both[k] > 0:
                    labels.append(self.labels[int(self.groups[k])])
        return labels


def carried_skills(tax: Taxonomy, origin: int, target: int, top: int = 5) -> list[str]:
    """Labels of what carries over from ``origin`` to ``target``, most specific first.

    The skills both occupations list (rarest first); when they share fewer than ``top``, the
    skill groups both reach through the hierarchy fill up the list (the more weight both put
    on a group, the earlier).
    """
    carry = tax._carry_cache
    if not isinstance(carry, _CarryOver):
        carry = tax._carry_cache = _CarryOver(tax)
    return carry(origin, target, top)
