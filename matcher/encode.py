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

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import polars as pl
import scipy.sparse as sp

from matcher.taxonomy import Resolution, Taxonomy
from matcher.taxonomy.adaptations import AdaptationMatch
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


def _rows_to_csr(rows: Sequence[dict[int, float]], n_cols: int) -> sp.csr_array:
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    indices = np.fromiter((k for r in rows for k in sorted(r)), dtype=np.int64, count=indptr[-1])
    data = np.fromiter(
        (r[k] for r in rows for k in sorted(r)), dtype=np.float64, count=indptr[-1]
    )
    return sp.csr_array((data, indices, indptr), shape=(len(rows), n_cols))


def _max_csr(rows: list[np.ndarray], cols: list[np.ndarray], values: list[np.ndarray],
             shape: tuple[int, int]) -> sp.csr_array:
    """A CSR matrix from (row, column, value) triples, the largest value where a cell is
    given more than once."""
    if not rows:
        return sp.csr_array(shape, dtype=np.float64)
    r, c, v = np.concatenate(rows), np.concatenate(cols), np.concatenate(values)
    order = np.lexsort((c, r))
    r, c, v = r[order], c[order], v[order]
    first = np.flatnonzero(np.r_[True, (r[1:] != r[:-1]) | (c[1:] != c[:-1])]) if r.size \
        else np.zeros(0, dtype=np.int64)
    data = np.maximum.reduceat(v, first) if r.size else v
    out = sp.csr_array((data, (r[first], c[first])), shape=shape)
    out.sort_indices()
    return out


def _occupation_skills(taxonomy: Taxonomy, res: Resolution) -> dict[int, float]:
    """Skills implied by an occupation concept; a group gives the mean over its occupations."""
    occ = taxonomy.occupation_skills
    total: dict[int, float] = {}
    for o in res.indices:
        lo, hi = occ.indptr[o], occ.indptr[o + 1]
        for k, v in zip(occ.indices[lo:hi].tolist(), occ.data[lo:hi].tolist(), strict=True):
            total[k] = total.get(k, 0.0) + float(v)
    n = max(len(res.indices), 1)
    return {k: v / n for k, v in total.items()}


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


def _keyed_matrix(cells: Sequence[Sequence[str]], index: dict[str, int]) -> np.ndarray:
    out = np.zeros((len(cells), len(index)), dtype=bool)
    for r, cell in enumerate(cells):
        for key in cell:
            out[r, index[key]] = True
    return out


def _floats(frame: pl.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(frame.height, np.nan)
    return frame.get_column(column).cast(pl.Float64).fill_null(np.nan).to_numpy().copy()


def _lists(frame: pl.DataFrame, column: str) -> list[list[str]]:
    if column not in frame.columns:
        return [[] for _ in range(frame.height)]
    return [list(v) if v is not None else [] for v in frame.get_column(column).to_list()]


def _adapt_keys(cells: list[list[AdaptationMatch]]) -> list[list[str]]:
    return [[m.key for m in cell] for cell in cells]


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
    # per seeker: the skills of each past occupation (computed once per distinct occupation)
    # and the skills they list (1.0); a skill named twice keeps its largest weight
    implied: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray]] = {}
    row_parts: list[np.ndarray] = []
    col_parts: list[np.ndarray] = []
    val_parts: list[np.ndarray] = []
    for i, (skills, past) in enumerate(
        zip(terms.concepts["skills"], terms.concepts["experience"], strict=True)
    ):
        for occ in past:
            key = tuple(occ.indices)
            if key not in implied:
                weights = _occupation_skills(taxonomy, occ)
                implied[key] = (np.fromiter(weights, dtype=np.int64, count=len(weights)),
                                np.fromiter(weights.values(), dtype=np.float64,
                                            count=len(weights)))
            cols, vals = implied[key]
            row_parts.append(np.full(cols.size, i, dtype=np.int64))
            col_parts.append(cols)
            val_parts.append(vals)
        listed = np.array([k for res in skills for k in res.indices], dtype=np.int64)
        row_parts.append(np.full(listed.size, i, dtype=np.int64))
        col_parts.append(listed)
        val_parts.append(np.ones(listed.size))
    have_m = _max_csr(row_parts, col_parts, val_parts, (frame.height, n_skill))
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
        languages=_keyed_matrix(_lists(frame, "languages"), language_index),
        needs=_keyed_matrix(_adapt_keys(terms.adaptations["needs"]), adaptation_index),
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
    n_skill = len(taxonomy.skill_uris)
    need_rows: list[dict[int, float]] = []
    trained_rows: list[dict[int, float]] = []
    occupation = np.full(frame.height, -1, dtype=np.int64)
    for r, (occ, required, trained) in enumerate(
        zip(
            terms.concepts["occupation"],
            terms.concepts["skills_required"],
            terms.concepts["skills_trained"],
            strict=True,
        )
    ):
        taught = {k for res in trained for k in res.indices}
        need: dict[int, float] = {}
        if required:
            for res in required:
                for k in res.indices:
                    need[k] = 1.0
        elif occ:
            need = _occupation_skills(taxonomy, occ[0])
        need_rows.append({k: v for k, v in need.items() if k not in taught})
        trained_rows.append(dict.fromkeys(taught, 1.0))
        if occ:
            occupation[r] = concepts.add(occ[0])
    need_m = _rows_to_csr(need_rows, n_skill)
    spread = sp.csr_array(need_m @ space.spread)
    weight = sp.csr_array(spread.multiply(space.idf[np.newaxis, :]))
    # full credit is what a seeker holding exactly the role's requirements reaches, with the
    # same weights (an occupation's optional skills count half on both sides)
    self_cover = space.up(need_m)
    full_credit = np.asarray(weight.multiply(self_cover).sum(axis=1)).ravel()
    offers_cells = _adapt_keys(terms.adaptations["offers"])
    permanent = (
        frame.get_column("permanent").fill_null(False).cast(pl.Float64).to_numpy().copy()
        if "permanent" in frame.columns
        else np.zeros(frame.height)
    )
    return RoleVectors(
        need=need_m,
        weight=weight,
        full_credit=full_credit,
        trained=_rows_to_csr(trained_rows, n_skill),
        occupation=occupation,
        permanent=permanent,
        languages=_keyed_matrix(_lists(frame, "languages"), language_index),
        offers=_keyed_matrix(offers_cells, adaptation_index),
        offers_stated=np.array([bool(c) for c in offers_cells], dtype=bool),
        hours=_floats(frame, "hours"),
        lat=_floats(frame, "lat"),
        lon=_floats(frame, "lon"),
        slots=frame.get_column("slots").cast(pl.Int64).to_numpy().copy(),
    )
