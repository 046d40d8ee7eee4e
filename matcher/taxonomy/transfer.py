"""The occupation transfer matrix: the first stage (:mod:`matcher.taxonomy.similarity`) picks
each occupation's candidates, the second (:mod:`matcher.taxonomy.rerank`) scores them.

Computing the whole ``n x n`` matrix takes 10-20 s, so a user never waits for it with the
built-in taxonomy: it ships, computed, in ``data/transfer-matrix.zip`` (:data:`SHIPPED_PATH`,
built by ``python -m matcher._build.transfer``; ``pytest -m artefacts`` checks it is what the
computation gives). The file holds the float32 upper triangle, its four bytes split into planes
before deflate (12 MB instead of 14.6 MB; the matrix has about 980,000 distinct values of full
float32 precision, so no lossless form is much smaller), and is used for every taxonomy whose
contents it was computed from (:func:`taxonomy_fingerprint`), unpacked once into the cache
folder. Any other taxonomy (an official download, another release) gets the matrix computed
once and cached on disk by a hash of everything it depends on.

Importing this module makes it the source of :meth:`Taxonomy.occupation_similarity`
(``matcher.taxonomy`` imports it), so the model itself never imports the computation above it.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import zipfile
import zlib
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from matcher.io.write import atomic_file
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

__all__ = [
    "SHIPPED_PATH",
    "cached_transfer_matrix",
    "read_shipped",
    "shipped_bytes",
    "taxonomy_fingerprint",
    "transfer_matrix",
]

SHIPPED_PATH = Path(__file__).parent / "data" / "transfer-matrix.zip"
"""The built-in taxonomy's transfer matrix, computed (see the module docstring)."""
_SHIPPED_FORMAT = 1
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # a fixed date: the file is a function of the matrix alone


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


def taxonomy_fingerprint(tax: Taxonomy) -> str:
    """Hash of everything of a taxonomy that its transfer matrix depends on."""
    digest = hashlib.sha256(json.dumps({
        "uris": tax.occupation_uris, "names": tax.occupation_names["en"],
        "descriptions": tax.occupation_descriptions, "isco": tax.occupation_isco,
        "skills": tax.skill_labels,
    }, ensure_ascii=False).encode())
    skills, parents = sp.csr_matrix(tax.occupation_skills), sp.csr_matrix(tax.skill_parents)
    for array in (skills.indptr, skills.indices, skills.data, parents.indptr, parents.indices):
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()[:32]


def _fingerprint(tax: Taxonomy) -> str:
    """Hash of everything the computed matrix depends on: the taxonomy, the method's code and
    parameters, the library (names the disk cache's file)."""
    import sklearn

    digest = hashlib.sha256(Path(__file__).read_bytes())  # any change to the method
    digest.update(Path(similarity.__file__).read_bytes())
    digest.update(Path(rerank.__file__).read_bytes())
    digest.update(rerank.MODEL_PATH.read_bytes())
    digest.update(json.dumps({
        "weights": dict(TRANSFER_WEIGHTS), "curve": TRANSFER_CURVE,
        "spread": [SPREAD_DECAY, SPREAD_LEVELS], "sklearn": sklearn.__version__,
    }).encode())
    digest.update(taxonomy_fingerprint(tax).encode())
    return digest.hexdigest()[:32]


def shipped_bytes(matrix: np.ndarray, fingerprint: str) -> bytes:
    """The shipped file's bytes for ``matrix`` (symmetric float32) of a taxonomy whose
    :func:`taxonomy_fingerprint` is ``fingerprint``: the same matrix always gives the same
    bytes."""
    n = matrix.shape[0]
    upper = np.ascontiguousarray(matrix[np.triu_indices(n, 1)], dtype="<f4")
    planes = upper.view(np.uint8).reshape(-1, 4).T.tobytes()  # byte 0 of every value, ...
    meta = {"format": _SHIPPED_FORMAT, "n": n, "taxonomy": fingerprint,
            "layout": "float32 little-endian upper triangle without the diagonal, row by row, "
                      "as 4 byte planes; the diagonal is 1"}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in (("meta.json", json.dumps(meta, sort_keys=True).encode()),
                           ("upper.f32", planes)):
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compresslevel=9)
    return buffer.getvalue()


def read_shipped(path: Path, fingerprint: str) -> np.ndarray | None:
    """The matrix in the shipped file at ``path`` when it was computed for a taxonomy with
    this ``fingerprint``; ``None`` when it was not (or the file is missing or unreadable)."""
    try:
        with zipfile.ZipFile(path) as archive:
            meta = json.loads(archive.read("meta.json"))
            if meta.get("format") != _SHIPPED_FORMAT or meta.get("taxonomy") != fingerprint:
                return None
            n = int(meta["n"])
            planes = np.frombuffer(archive.read("upper.f32"), dtype=np.uint8)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, zlib.error) as exc:
        log.warning("cannot read the shipped transfer matrix %s (%s); computing it", path, exc)
        return None
    count = n * (n - 1) // 2
    if planes.size != 4 * count:
        log.warning("the shipped transfer matrix %s is truncated; computing it", path)
        return None
    upper = planes.reshape(4, count).T.copy().view("<f4").reshape(-1).astype(np.float32)
    matrix = np.zeros((n, n), dtype=np.float32)
    start = 0
    for i in range(n - 1):  # row i holds columns i+1 .. n-1
        matrix[i, i + 1:] = upper[start:start + n - 1 - i]
        start += n - 1 - i
    matrix += matrix.T  # x + 0 is x exactly: the lower triangle mirrors the upper
    np.fill_diagonal(matrix, 1.0)
    return matrix


def _shipped_key(path: Path, fingerprint: str) -> str | None:
    """A name for the shipped file's contents when it holds this taxonomy's matrix (its
    directory and ``meta.json`` only: cheap), else ``None``."""
    try:
        with zipfile.ZipFile(path) as archive:
            meta = json.loads(archive.read("meta.json"))
            crc = archive.getinfo("upper.f32").CRC
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, zlib.error):
        return None
    if meta.get("format") != _SHIPPED_FORMAT or meta.get("taxonomy") != fingerprint:
        return None
    return f"{fingerprint}-{crc:08x}"


def _read_cached(path: Path, n: int) -> np.ndarray | None:
    try:
        matrix = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError):
        return None
    return np.asarray(matrix) if matrix.shape == (n, n) and matrix.dtype == np.float32 else None


def _cache(path: Path, matrix: np.ndarray) -> None:
    """Keep ``matrix`` in the cache folder; a cache that cannot be written costs only time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_file(path) as temporary, temporary.open("wb") as out:
            np.save(out, matrix, allow_pickle=False)
    except OSError as exc:  # OutputError included
        log.warning("cannot cache the occupation transfer matrix in %s (%s); every run will "
                    "compute or unpack it again", path.parent, exc)


def cached_transfer_matrix(tax: Taxonomy) -> np.ndarray:
    """:func:`transfer_matrix`: the shipped one for the taxonomy it was computed from, else
    computed; either kept in the cache folder, so a later process reads it in milliseconds.

    The shipped matrix is unpacked once (about half a second) and cached under a name for the
    shipped file's contents. A computed one is cached under a hash of the taxonomy's relevant
    contents and of the similarity's code and parameters, so a change to either computes
    afresh.
    """
    n = tax.n_occupations
    fingerprint = taxonomy_fingerprint(tax)
    key = _shipped_key(SHIPPED_PATH, fingerprint)
    if key is not None:
        path = cache_dir() / f"transfer-shipped-{key}.npy"
        matrix = _read_cached(path, n)
        if matrix is not None:
            return matrix
        matrix = read_shipped(SHIPPED_PATH, fingerprint)
        if matrix is not None and matrix.shape == (n, n):
            _cache(path, matrix)
            return matrix
    path = cache_dir() / f"transfer-{_fingerprint(tax)}.npy"
    matrix = _read_cached(path, n)
    if matrix is not None:
        return matrix
    # a pause of several seconds on a machine's first run: say why (ids and counts only)
    log.info("computing the occupation transfer matrix (%d x %d) once; later runs read %s",
             n, n, path)
    matrix = transfer_matrix(tax)
    _cache(path, matrix)
    return matrix


Taxonomy.transfer_source = cached_transfer_matrix
