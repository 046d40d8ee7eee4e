"""Encode stage: seekers and roles become sparse vectors over ESCO's skills.

Resource-first: a seeker's skills are the skills they list **plus** the skills their past
occupations imply (ESCO's essential skills at 1.0, optional at 0.5). Those are then spread up
ESCO's skill hierarchy: a skill passes ``decay`` of its credit to its broader skill or skill
group, ``decay**2`` to the next level, and so on. A crop production worker has no
"breed insects", but does have other skills in the same animal- and plant-husbandry groups, and
the spread is what lets that experience count toward a beekeeping role (transferable skills).

A role's requirements are its ``skills_required`` (or, when it lists none, the skills of its
occupation), minus the skills it trains on the job: a gap the enterprise will close is not a gap.
Requirements are weighted by inverse document frequency over ESCO's occupations (a skill every
occupation needs says little) and spread the same way, so partial credit flows through the
shared groups.

Everything here is separable per seeker: a block of seekers can be encoded and scored without
the rest, which is how national-scale batches run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from operator import attrgetter
from typing import Any

import numpy as np
import polars as pl
import scipy.sparse as sp

from matcher.taxonomy import Resolution, Taxonomy
from matcher.terms import ResolvedTerms

__all__ = [
    "OccupationConcepts",
    "RoleVectors",
    "SeekerVectors",
    "SkillSpace",
    "encode_roles",
    "encode_seekers",
    "skill_space",
]

#: ESCO's skill hierarchy is four levels deep below its pillars; stop well past that
MAX_DEPTH = 8


@dataclass(frozen=True, eq=False)
class SkillSpace:
    """The skill hierarchy as a spreading matrix, and skill weights.

    Attributes
    ----------
    spread : scipy.sparse.csr_array, shape (n_skill, n_skill)
        ``spread[i, a] = decay ** depth`` for every broader skill or group ``a`` of ``i``
        (``1`` on the diagonal); where several paths lead to ``a`` the shortest counts.
    idf : numpy.ndarray, shape (n_skill,)
        ``log((n_occ + 1) / (df + 1))`` where ``df`` counts occupations whose spread profile
        reaches the node.
    decay : float
    """

    spread: sp.csr_array
    idf: np.ndarray
    decay: float

    def up(self, vectors: sp.csr_array) -> sp.csr_array:
        """Spread vectors up the hierarchy and cap each node's credit at 1."""
        out = sp.csr_array(vectors @ self.spread)
        np.minimum(out.data, 1.0, out=out.data)
        return out


@lru_cache(maxsize=4)
def skill_space(taxonomy: Taxonomy, decay: float) -> SkillSpace:
    """Build (once per taxonomy and decay) the spreading matrix and the IDF weights."""
    n = len(taxonomy.skill_uris)
    parents = sp.csr_array(taxonomy.skill_parents, dtype=np.float64)
    spread = sp.csr_array(sp.identity(n, dtype=np.float64, format="csr"))
    frontier = spread
    for depth in range(1, MAX_DEPTH + 1):
        # every node reached at this depth gets decay**depth, however many paths lead there;
        # the maximum below keeps the shortest path's (largest) credit
        frontier = sp.csr_array(frontier @ parents)
        if frontier.nnz == 0:
            break
        frontier.data[:] = decay**depth
        spread = sp.csr_array(spread.maximum(frontier))
    spread.sum_duplicates()
    occ = sp.csr_array(taxonomy.occupation_skills, dtype=np.float64)
    reach = sp.csr_array(occ @ spread)
    df = np.bincount(reach.indices, minlength=n).astype(np.float64)
    idf = np.log((occ.shape[0] + 1.0) / (df + 1.0))
    return SkillSpace(spread=spread, idf=idf, decay=decay)


def _csr_from_keys(keys: np.ndarray, data: np.ndarray, shape: tuple[int, int]) -> sp.csr_array:
    """A CSR matrix from sorted, distinct keys ``row * n_cols + column`` and their values,
    built from index arrays in one go (no per-row Python)."""
    n_rows, n_cols = shape
    rows = keys // n_cols
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
    return sp.csr_array((data, keys - rows * n_cols, indptr), shape=shape)


def _max_csr(rows: np.ndarray, cols: np.ndarray, values: np.ndarray,
             shape: tuple[int, int]) -> sp.csr_array:
    """A CSR matrix from (row, column, value) triples, the largest value where a cell is
    given more than once."""
    keys = rows * shape[1] + cols
    order = np.argsort(keys)  # any order among equal keys: the largest value is kept
    keys, values = keys[order], values[order]
    first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if keys.size \
        else np.zeros(0, dtype=np.int64)
    data = np.maximum.reduceat(values, first) if keys.size else values
    return _csr_from_keys(keys[first], data, shape)


def _member(keys: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """Whether each of ``keys`` is one of ``sorted_keys`` (a binary search each)."""
    if sorted_keys.size == 0:
        return np.zeros(keys.size, dtype=bool)
    at = np.minimum(np.searchsorted(sorted_keys, keys), sorted_keys.size - 1)
    return sorted_keys[at] == keys


def _row_hash(matrix: sp.csr_array) -> np.ndarray:
    """A 64-bit hash of each row's stored entries (column, value bits and place in the row,
    splitmix64 of each, summed), mixed with the row's length; equal rows hash equal."""
    lens = np.diff(matrix.indptr)
    place = np.arange(matrix.indices.size) - np.repeat(matrix.indptr[:-1], lens)
    x = matrix.indices.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    x ^= np.ascontiguousarray(matrix.data, dtype=np.float64).view(np.uint64)
    x += place.astype(np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F)
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    out = lens.astype(np.uint64) * np.uint64(0xD6E8FEB86659FD93)
    full = lens > 0
    if x.size:
        out[full] += np.add.reduceat(x, matrix.indptr[:-1][full])
    return out


def _distinct_rows(matrix: sp.csr_array) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of a CSR matrix: (``first``, ``inverse``) with
    ``matrix[first][inverse]`` equal to ``matrix``, entry for entry in stored order.

    Rows are grouped by a hash, then every row is compared with its group's first row; a row
    that differs (a hash collision) becomes a group of its own, so the grouping is exact.
    """
    _, first, inverse = np.unique(_row_hash(matrix), return_index=True, return_inverse=True)
    lens = np.diff(matrix.indptr)
    rep = first[inverse]
    same = lens == lens[rep]
    rows = np.flatnonzero(same & (rep != np.arange(rep.size)))
    if rows.size:
        take = lens[rows]
        offset = np.arange(int(take.sum())) - np.repeat(np.cumsum(take) - take, take)
        mine = np.repeat(matrix.indptr[rows], take) + offset
        theirs = np.repeat(matrix.indptr[rep[rows]], take) + offset
        bits = np.ascontiguousarray(matrix.data, dtype=np.float64).view(np.uint64)
        equal = (matrix.indices[mine] == matrix.indices[theirs]) & (bits[mine] == bits[theirs])
        unequal = np.bincount(np.repeat(np.arange(rows.size), take), weights=~equal,
                              minlength=rows.size)
        same[rows[unequal > 0]] = False
    alone = np.flatnonzero(~same)
    if alone.size:
        inverse = inverse.copy()
        inverse[alone] = first.size + np.arange(alone.size)
        first = np.concatenate([first, alone])
    return first, inverse


def _take_rows(matrix: sp.csr_array, rows: np.ndarray) -> sp.csr_array:
    """``matrix[rows]`` (each row's entries in stored order), keeping the index dtype, which
    scipy's constructor would narrow where the values fit."""
    out = sp.csr_array(matrix[rows])
    out.indices = out.indices.astype(matrix.indices.dtype, copy=False)
    out.indptr = out.indptr.astype(matrix.indptr.dtype, copy=False)
    return out


def _occupation_skills(taxonomy: Taxonomy, res: Resolution) -> tuple[np.ndarray, np.ndarray]:
    """Skills implied by an occupation concept, ascending, with their weights; a group gives
    the mean over its occupations (summed in the order of its occupations, then divided)."""
    occ = taxonomy.occupation_skills
    lo, hi = occ.indptr[list(res.indices)], occ.indptr[[o + 1 for o in res.indices]]
    parts = [np.arange(a, b) for a, b in zip(lo.tolist(), hi.tolist(), strict=True)]
    at = np.concatenate([*parts, np.zeros(0, dtype=np.int64)])
    cols, where = np.unique(occ.indices[at].astype(np.int64), return_inverse=True)
    total = np.zeros(cols.size)
    np.add.at(total, where, occ.data[at].astype(np.float64))  # in order, as a running sum
    return cols, total / max(len(res.indices), 1)


class _Implied:
    """The skills each distinct occupation concept implies, computed once per concept (keyed
    on its occupation indices, all the skills depend on) and laid end to end, so that the
    skills of many mentions are gathered with one index array."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self._taxonomy = taxonomy
        self._ids: dict[tuple[int, ...], int] = {}
        self._cols: list[np.ndarray] = []
        self._vals: list[np.ndarray] = []

    def ids(self, mentions: Sequence[Resolution]) -> np.ndarray:
        """Each mention's concept number; a concept seen for the first time has its skills
        computed here."""
        ids, out = self._ids, np.empty(len(mentions), dtype=np.int64)
        for m, res in enumerate(mentions):
            k = ids.get(res.indices)
            if k is None:
                k = ids[res.indices] = len(self._cols)
                cols, vals = _occupation_skills(self._taxonomy, res)
                self._cols.append(cols)
                self._vals.append(vals)
            out[m] = k
        return out

    def gather(self, owner: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, ...]:
        """(owner, skill, weight) of every skill implied by each mention, each mention's skills
        in ascending order, mentions in the order given."""
        lens = np.fromiter((c.size for c in self._cols), dtype=np.int64, count=len(self._cols))
        starts = np.zeros(lens.size, dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])
        cols = np.concatenate([*self._cols, np.zeros(0, dtype=np.int64)])
        vals = np.concatenate([*self._vals, np.zeros(0)])
        take = lens[ids]
        pos = np.repeat(starts[ids] - np.cumsum(take) + take, take) + np.arange(int(take.sum()))
        return np.repeat(owner, take), cols[pos], vals[pos]


def _flat(cells: Sequence[Sequence[Resolution]]) -> tuple[np.ndarray, list[Resolution]]:
    """The mentions of every cell in order, each with the number of its row."""
    lens = np.fromiter((len(c) for c in cells), dtype=np.int64, count=len(cells))
    return np.repeat(np.arange(len(cells), dtype=np.int64), lens), list(chain.from_iterable(cells))


def _skill_mentions(cells: Sequence[Sequence[Resolution]]) -> tuple[np.ndarray, np.ndarray]:
    """(row, skill) of every skill index named in the cells, in order."""
    owner, mentions = _flat(cells)
    indices = [res.indices for res in mentions]
    lens = np.fromiter(map(len, indices), dtype=np.int64, count=len(indices))
    skills = np.fromiter(chain.from_iterable(indices), dtype=np.int64, count=int(lens.sum()))
    return np.repeat(owner, lens), skills


class OccupationConcepts:
    """The distinct occupation concepts (occupations or ISCO groups) named in one batch.

    Wish fit and transfer fit compare what a seeker wishes or has done with a role's
    occupation. Both sides are concepts here, so a similarity is looked up once per pair of
    concepts, not per pair of people. The similarity is the taxonomy's tuned transfer
    similarity (:meth:`matcher.taxonomy.Taxonomy.occupation_similarity`); for an ISCO group,
    the best over the occupations in it (a wish for group 6123 is fully met by a bee-breeder
    role).
    """

    def __init__(self, taxonomy: Taxonomy) -> None:
        self._taxonomy = taxonomy
        self._ids: dict[str, int] = {}
        self._known: tuple[dict[int, int], dict[int, int], np.ndarray] = (
            {}, {}, np.zeros((0, 0))
        )
        self.resolutions: list[Resolution] = []

    def add(self, res: Resolution) -> int:
        key = res.uri or ",".join(map(str, res.indices))
        if key not in self._ids:
            self._ids[key] = len(self.resolutions)
            self.resolutions.append(res)
        return self._ids[key]

    def similarity(self, left: Sequence[int], right: Sequence[int]) -> np.ndarray:
        """Similarity in [0, 1] between two lists of concept ids (1 for the same occupation).

        The last matrix computed is kept, so the explanations reuse what scoring computed.
        """
        if not left or not right:
            return np.zeros((len(left), len(right)))
        rows, cols, known = self._known
        if all(i in rows for i in left) and all(j in cols for j in right):
            return known[np.ix_([rows[i] for i in left], [cols[j] for j in right])]
        lmembers = [self.resolutions[i].indices for i in left]
        rmembers = [self.resolutions[j].indices for j in right]
        occ_left = sorted({o for m in lmembers for o in m})
        occ_right = sorted({o for m in rmembers for o in m})
        lpos = {o: k for k, o in enumerate(occ_left)}
        rpos = {o: k for k, o in enumerate(occ_right)}
        full = self._taxonomy.occupation_similarity(occ_left, occ_right)
        by_row = np.vstack([full[[lpos[o] for o in m]].max(axis=0) for m in lmembers])
        sim = np.column_stack(
            [by_row[:, [rpos[o] for o in m]].max(axis=1) for m in rmembers]
        )
        self._known = ({i: a for a, i in enumerate(left)}, {j: b for b, j in enumerate(right)},
                       sim)
        return sim


def _keyed_matrix(cells: Sequence[Sequence[Any]], index: dict[str, int],
                  key: Callable[[Any], str] | None = None) -> np.ndarray:
    """A bool matrix rows x keys: which keys each cell names (``key`` maps an item to its
    key)."""
    lens = np.fromiter(map(len, cells), dtype=np.int64, count=len(cells))
    flat = chain.from_iterable(cells)
    keys = np.fromiter(map(index.__getitem__, flat if key is None else map(key, flat)),
                       dtype=np.int64, count=int(lens.sum()))
    out = np.zeros((len(cells), len(index)), dtype=bool)
    out[np.repeat(np.arange(len(cells)), lens), keys] = True
    return out


def _floats(frame: pl.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(frame.height, np.nan)
    return frame.get_column(column).cast(pl.Float64).fill_null(np.nan).to_numpy().copy()


def _keyed_column(frame: pl.DataFrame, column: str, index: dict[str, int]) -> np.ndarray:
    """:func:`_keyed_matrix` of a list column, read in one go (no list per row)."""
    if column not in frame.columns:
        return np.zeros((frame.height, len(index)), dtype=bool)
    cells = frame.get_column(column)
    lens = cells.list.len().fill_null(0).to_numpy()
    flat = cells.explode(empty_as_null=False, keep_nulls=False).to_list()
    keys = np.fromiter(map(index.__getitem__, flat), dtype=np.int64, count=len(flat))
    out = np.zeros((frame.height, len(index)), dtype=bool)
    out[np.repeat(np.arange(frame.height), lens), keys] = True
    return out


_KEY = attrgetter("key")


@dataclass(frozen=True, eq=False)
class SeekerVectors:
    """Seekers as vectors (rows in the order of the frame given to :func:`encode_seekers`).

    Attributes
    ----------
    have : csr_array (n_seekers, n_skill)
        Listed skills (1.0) and skills implied by past occupations (1.0 / 0.5), before spreading.
    covered : csr_array (n_seekers, n_skill)
        ``have`` spread up the hierarchy, capped at 1: the credit a seeker brings to each node.
    wishes, experience : list of list of int
        Wished and past occupation concepts (ids into the batch's :class:`OccupationConcepts`).
    languages, needs : bool arrays (n_seekers, n_keys)
    hours_max, lat, lon, radius_km : float arrays, NaN where not stated
    """

    have: sp.csr_array
    covered: sp.csr_array
    wishes: list[list[int]]
    experience: list[list[int]]
    languages: np.ndarray
    needs: np.ndarray
    hours_max: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    radius_km: np.ndarray


@dataclass(frozen=True, eq=False)
class RoleVectors:
    """Roles as vectors (rows in the order of the frame given to :func:`encode_roles`).

    Attributes
    ----------
    need : csr_array (n_roles, n_skill)
        Untrained requirements (1.0 listed or essential, 0.5 optional).
    weight : csr_array (n_roles, n_skill)
        ``need`` spread up the hierarchy and multiplied by IDF: what each node is worth.
    full_credit : float array (n_roles,)
        The skill-fit numerator a seeker holding exactly the requirements (with their weights)
        would reach;
        0 when the role asks for nothing it does not train (every seeker fits fully).
    trained : csr_array (n_roles, n_skill)
        Skills the role teaches on the job.
    occupation : int array (n_roles,)
        Occupation concept id, -1 when not stated.
    permanent : float array (n_roles,)
        1.0 for a permanent role.
    languages, offers : bool arrays; ``offers_stated`` : bool array (n_roles,)
    hours, lat, lon : float arrays, NaN where not stated
    slots : int array
    """

    need: sp.csr_array
    weight: sp.csr_array
    full_credit: np.ndarray
    trained: sp.csr_array
    occupation: np.ndarray
    permanent: np.ndarray
    languages: np.ndarray
    offers: np.ndarray
    offers_stated: np.ndarray
    hours: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    slots: np.ndarray


def key_index(*cells: Sequence[Sequence[str]]) -> dict[str, int]:
    """A sorted index of every key used on either side (languages, adaptations)."""
    keys = sorted({k for side in cells for cell in side for k in cell})
    return {k: i for i, k in enumerate(keys)}


def encode_seekers(
    frame: pl.DataFrame,
    terms: ResolvedTerms,
    *,
    taxonomy: Taxonomy,
    space: SkillSpace,
    concepts: OccupationConcepts,
    language_index: dict[str, int],
    adaptation_index: dict[str, int],
    default_max_distance_km: float,
) -> SeekerVectors:
    """Encode validated seekers (see :class:`SeekerVectors`)."""
    n_skill = len(taxonomy.skill_uris)
    # per seeker: the skills of each past occupation (computed once per distinct occupation,
    # gathered for every mention at once) and the skills they list (1.0); a skill named twice
    # keeps its largest weight
    owner, past = _flat(terms.concepts["experience"])
    implied = _Implied(taxonomy)
    rows, cols, vals = implied.gather(owner, implied.ids(past))
    listed_rows, listed = _skill_mentions(terms.concepts["skills"])
    have_m = _max_csr(np.concatenate([rows, listed_rows]), np.concatenate([cols, listed]),
                      np.concatenate([vals, np.ones(listed.size)]), (frame.height, n_skill))
    wishes = [[concepts.add(r) for r in cell] for cell in terms.concepts["wishes"]]
    experience = [[concepts.add(r) for r in cell] for cell in terms.concepts["experience"]]
    lat, lon = _floats(frame, "lat"), _floats(frame, "lon")
    radius = _floats(frame, "max_distance_km")
    located = ~np.isnan(lat)
    radius[located & np.isnan(radius)] = default_max_distance_km
    return SeekerVectors(
        have=have_m,
        covered=space.up(have_m),
        wishes=wishes,
        experience=experience,
        languages=_keyed_column(frame, "languages", language_index),
        needs=_keyed_matrix(terms.adaptations["needs"], adaptation_index, _KEY),
        hours_max=_floats(frame, "hours_max"),
        lat=lat,
        lon=lon,
        radius_km=radius,
    )


def encode_roles(
    frame: pl.DataFrame,
    terms: ResolvedTerms,
    *,
    taxonomy: Taxonomy,
    space: SkillSpace,
    concepts: OccupationConcepts,
    language_index: dict[str, int],
    adaptation_index: dict[str, int],
) -> RoleVectors:
    """Encode validated roles (see :class:`RoleVectors`)."""
    n_skill, n = len(taxonomy.skill_uris), frame.height
    occupations = terms.concepts["occupation"]
    required = terms.concepts["skills_required"]
    occupation = np.full(n, -1, dtype=np.int64)
    for r, occ in enumerate(occupations):
        if occ:
            occupation[r] = concepts.add(occ[0])
    # the requirements: the listed skills (1.0), or when none are listed the skills of the
    # occupation (computed once per distinct occupation); minus the skills the role trains
    req_rows, req_skills = _skill_mentions(required)
    by_occupation = [(r, occ[0]) for r, (occ, req) in enumerate(zip(occupations, required,
                                                                     strict=True))
                     if occ and not req]
    implied = _Implied(taxonomy)
    occ_rows, occ_skills, occ_weights = implied.gather(
        np.fromiter((r for r, _ in by_occupation), dtype=np.int64, count=len(by_occupation)),
        implied.ids([res for _, res in by_occupation]))
    taught_rows, taught_skills = _skill_mentions(terms.concepts["skills_trained"])
    taught = np.unique(taught_rows * n_skill + taught_skills)
    keys = np.concatenate([req_rows * n_skill + req_skills, occ_rows * n_skill + occ_skills])
    weights = np.concatenate([np.ones(req_skills.size), occ_weights])
    kept = ~_member(keys, taught)
    keys, weights = keys[kept], weights[kept]
    # sorted runs already (each occupation's skills ascending, roles in order): a stable sort
    # merges them in linear time; a skill listed twice is kept once (both weigh 1.0)
    order = np.argsort(keys, kind="stable")
    keys, weights = keys[order], weights[order]
    first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if keys.size else order
    need_all = _csr_from_keys(keys[first], weights[first], (n, n_skill))
    # what follows is row by row: computed once per distinct requirement row (a few hundred
    # among a country's roles) and spread to the roles by gathering rows
    first, inverse = _distinct_rows(need_all)
    need_m = _take_rows(need_all, first)
    spread = sp.csr_array(need_m @ space.spread)
    weight = sp.csr_array(spread.multiply(space.idf[np.newaxis, :]))
    # full credit is what a seeker holding exactly the role's requirements reaches, with the
    # same weights (an occupation's optional skills count half on both sides)
    self_cover = space.up(need_m)
    full_credit = np.asarray(weight.multiply(self_cover).sum(axis=1)).ravel()[inverse]
    weight = _take_rows(weight, inverse)
    offers_cells = terms.adaptations["offers"]
    permanent = (
        frame.get_column("permanent").fill_null(False).cast(pl.Float64).to_numpy().copy()
        if "permanent" in frame.columns
        else np.zeros(frame.height)
    )
    return RoleVectors(
        need=need_all,
        weight=weight,
        full_credit=full_credit,
        trained=_csr_from_keys(taught, np.ones(taught.size), (n, n_skill)),
        occupation=occupation,
        permanent=permanent,
        languages=_keyed_column(frame, "languages", language_index),
        offers=_keyed_matrix(offers_cells, adaptation_index, _KEY),
        offers_stated=np.fromiter((bool(c) for c in offers_cells), dtype=bool, count=n),
        hours=_floats(frame, "hours"),
        lat=_floats(frame, "lat"),
        lon=_floats(frame, "lon"),
        slots=frame.get_column("slots").cast(pl.Int64).to_numpy().copy(),
    )
