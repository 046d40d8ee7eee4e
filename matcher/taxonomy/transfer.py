"""The occupation transfer matrix: the first stage (:mod:`matcher.taxonomy.similarity`) picks
each occupation's candidates, the second (:mod:`matcher.taxonomy.rerank`) scores them, and the
result is cached on disk by a hash of everything it depends on.

Importing this module makes it the source of :meth:`Taxonomy.occupation_similarity`
(``matcher.taxonomy`` imports it), so the model itself never imports the computation above it.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from matcher.taxonomy import rerank, similarity
from matcher.taxonomy.cache import cache_dir
from matcher.taxonomy.model import Taxonomy
from matcher.taxonomy.similarity import (
    SPREAD_DECAY,
    SPREAD_LEVELS,
    TRANSFER_CURVE,
    TRANSFER_WEIGHTS,
    blend,
    components,
)

log = logging.getLogger(__name__)

__all__ = ["cached_transfer_matrix", "transfer_matrix"]


def transfer_matrix(tax: Taxonomy) -> np.ndarray:
    """The ``n_occ x n_occ`` transfer similarity in [0, 1]: symmetric, 1 on the diagonal only.

    The first stage (:func:`blend`) chooses each occupation's candidates; the second
    (:mod:`matcher.taxonomy.rerank`) scores them; :data:`TRANSFER_CURVE` maps the score onto
    (0, 1).
    """
    parts = components(tax)
    first = blend(parts)
    forest = rerank.Forest.load(rerank.MODEL_PATH)
    score = rerank.rerank_scores(rerank.PairFeatures(tax, parts, first), forest)
    knots = np.array(TRANSFER_CURVE, dtype=np.float64)
    sim = np.interp(score, knots[:, 0], knots[:, 1]).astype(np.float32)
    np.fill_diagonal(sim, 1.0)
    return sim


def _fingerprint(tax: Taxonomy) -> str:
    """Hash of everything the transfer matrix depends on: inputs, parameters, library."""
    import hashlib
    import json

    import sklearn

    digest = hashlib.sha256(Path(__file__).read_bytes())  # any change to the method
    digest.update(Path(similarity.__file__).read_bytes())
    digest.update(Path(rerank.__file__).read_bytes())
    digest.update(rerank.MODEL_PATH.read_bytes())
    digest.update(json.dumps({
        "weights": dict(TRANSFER_WEIGHTS), "curve": TRANSFER_CURVE,
        "spread": [SPREAD_DECAY, SPREAD_LEVELS], "sklearn": sklearn.__version__,
        "uris": tax.occupation_uris, "names": tax.occupation_names["en"],
        "descriptions": tax.occupation_descriptions, "isco": tax.occupation_isco,
        "skills": tax.skill_labels,
    }, ensure_ascii=False).encode())
    skills, parents = sp.csr_matrix(tax.occupation_skills), sp.csr_matrix(tax.skill_parents)
    for array in (skills.indptr, skills.indices, skills.data, parents.indptr, parents.indices):
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()[:32]


def cached_transfer_matrix(tax: Taxonomy) -> np.ndarray:
    """:func:`transfer_matrix`, read from the cache folder when computed before.

    The file is named by a hash of the taxonomy's relevant contents and of the similarity's
    parameters, so a change to either computes afresh; a cache that cannot be written costs
    only the time.
    """
    import os
    import tempfile

    n = tax.n_occupations
    path = cache_dir() / f"transfer-{_fingerprint(tax)}.npy"
    try:
        matrix = np.load(path, mmap_mode="r", allow_pickle=False)
        if matrix.shape == (n, n) and matrix.dtype == np.float32:
            return np.asarray(matrix)
    except (OSError, ValueError):
        pass
    # a pause of several seconds on a machine's first run: say why (ids and counts only)
    log.info("computing the occupation transfer matrix (%d x %d) once; later runs read %s",
             n, n, path)
    matrix = transfer_matrix(tax)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".transfer-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                np.save(out, matrix, allow_pickle=False)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        log.warning("cannot cache the occupation transfer matrix in %s (%s); every run will "
                    "compute it again", path.parent, exc)
    return matrix


Taxonomy.transfer_source = cached_transfer_matrix
