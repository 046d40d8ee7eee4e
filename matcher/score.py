"""Score stage: every seeker x role pair gets a score in [0, 1], or is excluded.

``score = w_skill * skill_fit + w_transfer * transfer_fit + w_wish * wish_fit
+ w_permanent * permanent``

- **skill fit**: the share of the role's (IDF-weighted, hierarchy-spread) untrained requirements
  that the seeker covers, 1 when they hold every requirement, and 1 for a role that trains
  everything it asks for. Partial credit flows through shared skill groups.
- **transfer fit**: how far the seeker's best past occupation carries over to the role's
  occupation (the taxonomy's transfer similarity, tuned on expert-judged related occupations).
  Where either side names no occupation there is nothing to compare, and the skill fit stands
  in for it: silence is neither a plus nor a minus.
- **wish fit**: the best similarity between an occupation the seeker wishes and the role's
  occupation (``MatchConfig.neutral_wish`` when either side states nothing).
- **permanent**: 1 for a permanent role: permanent employment is what counts as inclusion.

Hard constraints **exclude** a pair; they are never a penalty:

- ``distance``: the role lies beyond the seeker's ``max_distance_km`` (great-circle distance,
  compared as chord lengths on the unit sphere, one matrix product per block, with the
  haversine distance deciding the pairs within a hair of the limit);
- ``hours``: the role's weekly hours exceed the seeker's ``hours_max``;
- ``language``: both sides state languages and share none;
- ``needs``: the role does not offer an adaptation the seeker needs. A need is met only by a
  role that states it: a role that states no adaptations meets no need (a seeker who needs
  wheelchair access is never proposed a place nobody said is accessible).

For distance, hours and language a side that does not state a field sets no constraint. The
roles a need alone kept out, and that would otherwise be allowed, are kept per seeker
(:attr:`CandidateGraph.ask_roles`): the reasons name them, so the caseworker can ask them.
Pairs scoring under ``min_score`` are left out of the assignment too. Seekers are scored in
blocks, so memory stays bounded by one block times the roles, never the whole seekers x roles
matrix.
"""

from __future__ import annotations

import collections
import itertools
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import scipy.sparse as sp
from scipy.spatial import cKDTree

from matcher.config import MatchConfig
from matcher.encode import OccupationConcepts, RoleVectors, SeekerVectors

__all__ = [
    "ASK_ROLES",
    "CONSTRAINTS",
    "EARTH_RADIUS_KM",
    "CandidateGraph",
    "pruned_blocks",
    "role_profiles",
    "score_pairs",
]

#: the hard constraints, in the column order of :attr:`CandidateGraph.excluded`
CONSTRAINTS = ("distance", "hours", "language", "needs")
#: roles kept per seeker that only a need kept out (the best first), for the reasons to name
ASK_ROLES = 3
#: mean Earth radius (IUGG)
EARTH_RADIUS_KM = 6371.0088
#: cells of one dense block (seekers x roles), about 64 MB of float64
_BLOCK_CELLS = 8_000_000
#: blocks scored at once (each holds a few arrays of _BLOCK_CELLS cells)
_THREADS = max(1, min(2, os.cpu_count() or 1))
_T = TypeVar("_T")


@dataclass(frozen=True, eq=False)
class CandidateGraph:
    """The allowed pairs of a batch and what the explanations need about the rest.

    Attributes
    ----------
    scores : csr_array (n_seekers, n_roles)
        Stored entries are exactly the allowed pairs (every hard constraint passed, score at
        least ``min_score`` and above 0), holding the score the assignment maximises.
    skill_fit, transfer_fit, wish_fit : csr_array
        The components, with the same sparsity as ``scores``.
    excluded : int array (n_seekers, 4)
        Roles each hard constraint excluded, columns in :data:`CONSTRAINTS` order (a role
        that breaks two constraints counts in both).
    feasible : int array (n_seekers,)
        Roles passing every hard constraint (allowed or under ``min_score``).
    best_below, best_below_score : arrays (n_seekers,)
        The best feasible role scoring under ``min_score`` (-1 and NaN where none).
    best_excluded, best_excluded_score : arrays (n_seekers,)
        The best-scoring role that a hard constraint excluded (-1 and NaN where none).
    best_excluded_by : bool array (n_seekers, 4)
        Which constraints excluded it, in :data:`CONSTRAINTS` order.
    ask_count : int array (n_seekers,)
        Roles that pass every other hard constraint and would be allowed (score at least
        ``min_score`` and above 0) but do not state an adaptation the seeker needs.
    ask_roles : int array (n_seekers, ASK_ROLES)
        The best-scoring of them, best first (ties by role order), padded with -1.
    ask_scores : float array (n_seekers, ASK_ROLES)
        Their scores, NaN where padded.
    allowed : int array (n_seekers,)
        Allowed roles per seeker, those pruned by ``MatchConfig.candidates`` included (the
        graph holds at most ``candidates`` of them).
    pruned_best : float array (n_seekers,)
        The best score among a seeker's allowed roles that ``candidates`` left out (-inf where
        none): no pruned pair of a seeker whose dual price is at least this can raise the total.
    profiles : int
        Distinct role profiles (:func:`role_profiles`): the skill columns actually computed.
    """

    scores: sp.csr_array
    skill_fit: sp.csr_array
    transfer_fit: sp.csr_array
    wish_fit: sp.csr_array
    excluded: np.ndarray
    feasible: np.ndarray
    best_below: np.ndarray
    best_below_score: np.ndarray
    best_excluded: np.ndarray
    best_excluded_score: np.ndarray
    best_excluded_by: np.ndarray
    ask_count: np.ndarray
    ask_roles: np.ndarray
    ask_scores: np.ndarray
    allowed: np.ndarray | None = None
    profiles: int = 0
    pruned_best: np.ndarray | None = None


def _unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points on the unit sphere (x, y, z) for latitudes and longitudes in degrees."""
    phi, lam = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


def _haversine_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray,
                  lon2: np.ndarray) -> np.ndarray:
    """Great-circle distance on a sphere of radius :data:`EARTH_RADIUS_KM` (haversine form)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = (np.sin((p2 - p1) / 2) ** 2
         + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def _role_points(roles: RoleVectors) -> np.ndarray:
    """Each role's point on the unit sphere (NaN where the role states no location)."""
    return _unit_vectors(roles.lat, roles.lon)


#: pairs whose squared chord lies this close to the seeker's limit are decided by the
#: haversine distance itself (the dot product's rounding is ~1e-15 at most)
_CHORD_BAND = 1e-12


def _chord_limit(radius_km: np.ndarray) -> np.ndarray:
    """The straight-line distance through the unit sphere of a great-circle radius."""
    return 2.0 * np.sin(np.minimum(radius_km / EARTH_RADIUS_KM, np.pi) / 2.0)


def _within_reach(
    seekers: SeekerVectors, rows: np.ndarray, roles: RoleVectors, columns: np.ndarray,
    role_points: np.ndarray,
) -> np.ndarray:
    """Which of the roles ``columns`` each seeker of ``rows`` can reach: great-circle distance
    <= their radius.

    On the unit sphere the great-circle distance grows with the straight-line (chord)
    distance, ``chord = 2 sin(d / 2R)``, and ``chord**2 = 2 - 2 (p . q)``: one matrix product
    per block compares every pair with the seeker's limit. Pairs within a hair of the limit
    are decided by the haversine distance, so a pair on the boundary is judged exactly as the
    definition says.
    """
    lat, lon, radius = seekers.lat[rows], seekers.lon[rows], seekers.radius_km[rows]
    block_located = np.flatnonzero(~np.isnan(lat))
    role_located = np.flatnonzero(~np.isnan(roles.lat[columns]))
    # out of reach only where both sides state a place and the distance is too far
    ok = np.ones((rows.size, columns.size), dtype=bool)
    if role_located.size == 0 or block_located.size == 0:
        return ok
    limit = _chord_limit(radius[block_located]) ** 2
    # chord**2 <= limit  <=>  p . q >= 1 - limit / 2; ``gap`` is p . q less that bound
    gap = _unit_vectors(lat[block_located], lon[block_located]) @ \
        role_points[columns[role_located]].T
    gap -= (1.0 - limit / 2.0)[:, np.newaxis]
    near = gap >= 0.0
    np.abs(gap, out=gap)
    unsure = gap <= _CHORD_BAND / 2.0
    if unsure.any():
        bi, bj = np.nonzero(unsure)
        i, j = rows[block_located[bi]], columns[role_located[bj]]
        near[bi, bj] = _haversine_km(seekers.lat[i], seekers.lon[i], roles.lat[j],
                                     roles.lon[j]) <= seekers.radius_km[i]
    if block_located.size == rows.size and role_located.size == columns.size:
        return near
    sub = ok[block_located]
    sub[:, role_located] = near
    ok[block_located] = sub
    return ok


def _morton(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """A Z-order key of each point (16 bits of latitude and longitude interleaved), so
    seekers sorted by it come in compact areas; points without a location come last."""
    located = ~np.isnan(lat)
    y = np.zeros(lat.shape, dtype=np.uint64)
    x = np.zeros(lat.shape, dtype=np.uint64)
    y[located] = np.clip((lat[located] + 90.0) / 180.0 * 65535, 0, 65535).astype(np.uint64)
    x[located] = np.clip((lon[located] + 180.0) / 360.0 * 65535, 0, 65535).astype(np.uint64)
    key = np.zeros(lat.shape, dtype=np.uint64)
    for bit in range(16):
        key |= ((x >> np.uint64(bit)) & np.uint64(1)) << np.uint64(2 * bit)
        key |= ((y >> np.uint64(bit)) & np.uint64(1)) << np.uint64(2 * bit + 1)
    key[~located] = np.uint64(1) << np.uint64(40)
    return key


class _Columns:
    """Which roles a block of seekers must be scored against densely: every role some seeker
    of the block can reach (a k-d tree query around the block), and every role without a
    location. The others are out of reach for the whole block; :class:`_Outside` sums them
    up without scoring them pair by pair."""

    def __init__(self, roles: RoleVectors, points: np.ndarray) -> None:
        self.n_roles = roles.slots.shape[0]
        located = ~np.isnan(roles.lat)
        self.located = np.flatnonzero(located)
        self.unlocated = np.flatnonzero(~located)
        self.tree = cKDTree(points[self.located]) if self.located.size else None
        self.all = np.arange(self.n_roles)

    def of(self, seekers: SeekerVectors, rows: np.ndarray, points: np.ndarray) -> np.ndarray:
        if self.tree is None:
            return self.all
        if np.isnan(seekers.lat[rows]).any():
            return self.all  # a seeker without a location reaches every role
        p = points[rows] if points.shape[0] else points
        centre = p.mean(axis=0)
        norm = float(np.linalg.norm(centre))
        if norm < 1e-9:
            return self.all
        centre /= norm
        spread = float(np.sqrt(((p - centre) ** 2).sum(axis=1)).max())
        reach = float(_chord_limit(seekers.radius_km[rows]).max())
        if spread + reach >= 2.0:
            return self.all
        hits = self.tree.query_ball_point(centre, r=(spread + reach) * (1 + 1e-9) + 1e-12)
        near = self.located[np.asarray(hits, dtype=np.int64)]
        if near.size == self.located.size:
            return self.all
        return np.union1d(near, self.unlocated)


def _best_similarity(
    lists: list[list[int]],
    sim: np.ndarray,
    position: dict[int, int],
    role_pos: np.ndarray,
) -> np.ndarray:
    """Per seeker and role the best similarity of the seeker's concepts to the role's.

    NaN where the seeker lists no concept or the role names no occupation.
    """
    fit = np.full((len(lists), role_pos.shape[0]), np.nan)
    width = max((len(w) for w in lists), default=0)
    has_occ = role_pos >= 0
    if width == 0 or not has_occ.any():
        return fit
    # sim with an extra row of -inf for padding, restricted to roles that name an occupation
    sim_roles = np.vstack([sim[:, role_pos[has_occ]], np.full((1, int(has_occ.sum())), -np.inf)])
    pad = sim_roles.shape[0] - 1
    table = np.full((len(lists), width), pad, dtype=np.int64)
    for i, w in enumerate(lists):
        table[i, : len(w)] = [position[c] for c in w]
    best = sim_roles[table].max(axis=1)  # (n_block, n_roles_with_occupation)
    stated = np.array([len(w) > 0 for w in lists])
    fit[np.ix_(stated, has_occ)] = best[stated]
    return fit


def _to_roles(columns: np.ndarray, local: np.ndarray) -> np.ndarray:
    """Block column positions (-1: none) as role indices (-1: none)."""
    out = np.full(local.shape, -1, dtype=np.int64)
    found = local >= 0
    out[found] = columns[local[found]]
    return out


def _best(mask: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row the highest-scoring column within ``mask`` (first on ties), or -1 and NaN."""
    if mask.shape[1] == 0:
        return np.full(mask.shape[0], -1, dtype=np.int64), np.full(mask.shape[0], np.nan)
    masked = np.where(mask, score, -np.inf)
    arg = masked.argmax(axis=1)
    top = masked[np.arange(masked.shape[0]), arg]
    has = np.isfinite(top)
    return np.where(has, arg, -1), np.where(has, top, np.nan)


def role_profiles(roles: RoleVectors) -> tuple[np.ndarray, np.ndarray]:
    """Roles that every seeker scores the same: one *profile* per distinct occupation, weighted
    requirements, full credit and permanence (training is in the weights already).

    Returns
    -------
    profile : int array (n_roles,)
        The profile of each role, numbered in order of its first role.
    first : int array (n_profiles,)
        The first role of each profile: the one whose column stands for all of them.
    """
    weight = sp.csr_array(roles.weight, copy=True)
    weight.sum_duplicates()
    weight.sort_indices()
    indptr, indices, data = weight.indptr, weight.indices, weight.data
    seen: dict[tuple[Any, ...], int] = {}
    profile = np.empty(roles.slots.shape[0], dtype=np.int64)
    for j in range(profile.size):
        lo, hi = indptr[j], indptr[j + 1]
        key = (int(roles.occupation[j]), float(roles.full_credit[j]),
               float(roles.permanent[j]), indices[lo:hi].tobytes(), data[lo:hi].tobytes())
        profile[j] = seen.setdefault(key, len(seen))
    first = np.unique(profile, return_index=True)[1].astype(np.int64)
    return profile, first


@dataclass
class _Block:
    """One block of seekers scored densely against the roles any of them can reach (bounded
    in cells); every other role is out of reach for the whole block."""

    seekers: np.ndarray  # (n_block,) seeker indices
    columns: np.ndarray  # (n_cols,) role indices, ascending
    profile_score: np.ndarray  # (n_block, n_profiles)
    score: np.ndarray  # (n_block, n_cols)
    skill: np.ndarray  # (n_block, n_profiles), like transfer and wish
    transfer: np.ndarray
    wish: np.ndarray
    checks: tuple[np.ndarray, ...]  # in CONSTRAINTS order
    feasible: np.ndarray
    good_enough: np.ndarray  # score at least min_score and above 0
    allowed: np.ndarray
    kept: np.ndarray  # allowed and among the seeker's top `candidates`
    pruned_best: np.ndarray  # (n_block,) best score among the allowed pairs left out


def _top_candidates(allowed: np.ndarray, score: np.ndarray, k: int,
                    pinned: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per row the ``k`` allowed columns of highest score (lower column first on ties), and
    the best score among the allowed columns left out (-inf where none). ``pinned[i]`` (-1:
    none) is a column row ``i`` keeps as well when it is allowed (a caseworker's lock)."""
    pruned_best = np.full(allowed.shape[0], -np.inf)
    if k <= 0 or allowed.shape[1] <= k:
        return allowed, pruned_best
    over = allowed.sum(axis=1) > k
    if not over.any():
        return allowed, pruned_best
    # only the allowed cells are ranked (a few in a hundred): sorted by row, score down and
    # column up, the first k of each row are kept
    r, c = np.nonzero(allowed & over[:, np.newaxis])
    v = score[r, c]
    order = np.lexsort((c, -v, r))
    r, c, v = r[order], c[order], v[order]
    rank = np.arange(r.size) - np.searchsorted(r, r, side="left")
    keep = rank < k
    if pinned is not None:
        keep |= c == pinned[r]
    kept = allowed.copy()
    kept[r[~keep], c[~keep]] = False
    left = np.flatnonzero(~keep)  # sorted by row, best first: the first of a row is its best
    first = left[np.r_[True, r[left][1:] != r[left][:-1]]] if left.size else left
    pruned_best[r[first]] = v[first]
    return kept, pruned_best


def _top(mask: np.ndarray, score: np.ndarray, k: int) -> np.ndarray:
    """Per row the ``k`` highest-scoring columns within ``mask``, best first (ties by column),
    padded with -1."""
    out = np.full((mask.shape[0], k), -1, dtype=np.int64)
    some = np.flatnonzero(mask.any(axis=1))  # rows with nothing to rank are left as -1
    if some.size == 0:
        return out
    masked = np.where(mask[some], score[some], -np.inf)
    order = np.argsort(-masked, axis=1, kind="stable")[:, :k]
    picked = np.take_along_axis(masked, order, axis=1)
    out[some, :order.shape[1]] = np.where(np.isfinite(picked), order, -1)
    return out


def _blocks(seekers: SeekerVectors, columns: _Columns, points: np.ndarray, limit: int,
            only: np.ndarray | None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Seekers in Z-order (so a block covers a compact area), cut into blocks of at most
    ``limit`` rows whose seekers x reachable roles stay within :data:`_BLOCK_CELLS`."""
    order = np.argsort(_morton(seekers.lat, seekers.lon), kind="stable")
    if only is not None:
        order = order[only[order]]
    start = 0
    while start < order.size:
        step = limit
        while True:
            rows = order[start:start + step]
            cols = columns.of(seekers, rows, points)
            if rows.size * cols.size <= _BLOCK_CELLS or step == 1:
                break
            step = max(1, min(step // 2, _BLOCK_CELLS // max(cols.size, 1)))
        yield rows, cols
        start += rows.size


def _score_blocks(
    seekers: SeekerVectors,
    roles: RoleVectors,
    concepts: OccupationConcepts,
    config: MatchConfig,
    profiles: tuple[np.ndarray, np.ndarray],
    only: np.ndarray | None = None,
    pinned: np.ndarray | None = None,
    *,
    then: Callable[[_Block], _T],
) -> Iterator[_T]:
    """Score seekers block by block: the skill product and the wish and transfer fits once per
    role profile, then spread to the roles the block can reach; the hard constraints per role.
    With ``only`` (a bool mask of seekers), only those are scored; ``pinned`` as in
    :func:`score_pairs`.

    Blocks are independent, so they are scored on :data:`_THREADS` threads (numpy works
    outside Python's lock); ``then(block)`` runs on the same thread, so only its (small)
    result is kept, and the results come in block order whatever the threads.
    """
    weights = config.weights
    profile, first = profiles

    named = sorted({c for w in seekers.wishes + seekers.experience for c in w})
    role_concepts = sorted({int(c) for c in roles.occupation if c >= 0})
    sim = concepts.similarity(named, role_concepts)
    position = {c: i for i, c in enumerate(named)}
    concept_col = {c: j for j, c in enumerate(role_concepts)}
    profile_pos = np.array([concept_col.get(int(c), -1) for c in roles.occupation[first]],
                           dtype=np.int64)

    weight_t = sp.csr_array(roles.weight[first].T)
    role_points = _role_points(roles)
    seeker_points = _unit_vectors(seekers.lat, seekers.lon)
    columns = _Columns(roles, role_points)
    no_need = roles.full_credit[first] <= 0
    credit = np.where(no_need, 1.0, roles.full_credit[first])
    permanent = roles.permanent[first]
    role_speaks = np.asarray(roles.languages.any(axis=1), dtype=bool)
    not_offered = (~roles.offers).astype(np.float64)
    role_languages = roles.languages.T.astype(np.float64)

    def score_block(rows: np.ndarray, cols: np.ndarray) -> _T:
        skill_p = (seekers.covered[rows] @ weight_t).toarray() / credit[np.newaxis, :]
        skill_p[:, no_need] = 1.0
        np.clip(skill_p, 0.0, 1.0, out=skill_p)
        wishes = [seekers.wishes[i] for i in rows.tolist()]
        wish_p = _best_similarity(wishes, sim, position, profile_pos)
        wish_p[np.isnan(wish_p)] = config.neutral_wish
        past = [seekers.experience[i] for i in rows.tolist()]
        transfer_p = _best_similarity(past, sim, position, profile_pos)
        transfer_p = np.where(np.isnan(transfer_p), skill_p, transfer_p)
        score_p = (
            weights.skill * skill_p
            + weights.transfer * transfer_p
            + weights.wish * wish_p
            + weights.permanent * permanent[np.newaxis, :]
        )
        score = score_p[:, profile[cols]]

        reach = _within_reach(seekers, rows, roles, cols, role_points)
        hours_max = seekers.hours_max[rows]
        with np.errstate(invalid="ignore"):
            hours_ok = ~(roles.hours[cols][np.newaxis, :] > hours_max[:, np.newaxis])
        langs = seekers.languages[rows]
        shared = (langs.astype(np.float64) @ role_languages[:, cols]) > 0
        speaks = np.asarray(langs.any(axis=1), dtype=bool)
        lang_ok = shared | ~speaks[:, np.newaxis] | ~role_speaks[cols][np.newaxis, :]
        # a role that states nothing offers nothing: its row of ``not_offered`` is all True
        needs_ok = ~((seekers.needs[rows].astype(np.float64) @ not_offered[cols].T) > 0)

        feasible = reach & hours_ok & lang_ok & needs_ok
        good_enough = (score >= config.min_score) & (score > 0)
        allowed = feasible & good_enough
        local_pin = None
        if pinned is not None:
            pin = pinned[rows]
            at = np.searchsorted(cols, np.maximum(pin, 0))
            found = (pin >= 0) & (at < cols.size) & (cols[np.minimum(at, cols.size - 1)] == pin)
            local_pin = np.where(found, at, -1)
        kept, pruned_best = _top_candidates(allowed, score, config.candidates, local_pin)
        return then(_Block(
            seekers=rows, columns=cols, profile_score=score_p, score=score, skill=skill_p,
            transfer=transfer_p, wish=wish_p,
            checks=(reach, hours_ok, lang_ok, needs_ok), feasible=feasible,
            good_enough=good_enough, allowed=allowed,
            kept=kept, pruned_best=pruned_best,
        ))

    blocks = _blocks(seekers, columns, seeker_points, config.block_size, only)
    head = list(itertools.islice(blocks, 2))
    blocks = itertools.chain(head, blocks)
    if _THREADS == 1 or len(head) < 2:  # one block, or one core: nothing to overlap
        for rows, cols in blocks:
            yield score_block(rows, cols)
        return
    with ThreadPoolExecutor(max_workers=_THREADS) as pool:
        # at most _THREADS blocks ahead of the one being handed out, so memory stays bounded
        pending: collections.deque[Future[_T]] = collections.deque()
        for rows, cols in blocks:
            pending.append(pool.submit(score_block, rows, cols))
            if len(pending) > _THREADS:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


class _Outside:
    """What the explanations need about the roles a block was not scored against (all out of
    reach for it), computed per seeker without listing pairs: how many roles each constraint
    excludes over *all* roles (hours by a sorted search, language and needs per distinct
    set of languages or offers), and the best-scoring of the roles outside the block (per
    role profile, its first role outside)."""

    def __init__(self, roles: RoleVectors, profiles: tuple[np.ndarray, np.ndarray]) -> None:
        self.roles = roles
        self.n_roles = roles.slots.shape[0]
        hours = roles.hours[~np.isnan(roles.hours)]
        self.hours = np.sort(hours)
        self.lang_sets, lang_of = np.unique(roles.languages, axis=0, return_inverse=True)
        self.lang_size = np.bincount(lang_of.ravel(), minlength=self.lang_sets.shape[0])
        self.offer_sets, offer_of = np.unique(roles.offers, axis=0, return_inverse=True)
        self.offer_size = np.bincount(offer_of.ravel(), minlength=self.offer_sets.shape[0])
        self.profile = profiles[0]
        self.order = np.argsort(self.profile, kind="stable")
        self.bounds = np.searchsorted(self.profile[self.order],
                                      np.arange(profiles[1].size + 1))

    def excluded(self, seekers: SeekerVectors, rows: np.ndarray,
                 reach: np.ndarray) -> np.ndarray:
        """Roles each constraint excludes per seeker, in :data:`CONSTRAINTS` order."""
        outside = self.n_roles - reach.shape[1]
        far = (~reach).sum(axis=1) + outside
        hours_max = seekers.hours_max[rows]
        stated = ~np.isnan(hours_max)
        hours = np.zeros(rows.size, dtype=np.int64)
        hours[stated] = self.hours.size - np.searchsorted(self.hours, hours_max[stated],
                                                         side="right")
        langs = seekers.languages[rows]
        shared = (langs.astype(np.float64) @ self.lang_sets.T.astype(np.float64)) > 0
        speaks = np.asarray(langs.any(axis=1), dtype=bool)
        set_speaks = np.asarray(self.lang_sets.any(axis=1), dtype=bool)
        apart = ~shared & speaks[:, np.newaxis] & set_speaks[np.newaxis, :]
        language = apart.astype(np.int64) @ self.lang_size
        unmet = (seekers.needs[rows].astype(np.float64)
                 @ (~self.offer_sets).T.astype(np.float64)) > 0
        needs = unmet.astype(np.int64) @ self.offer_size
        return np.column_stack([far, hours, language, needs])

    def best(self, columns: np.ndarray, profile_score: np.ndarray) -> tuple[np.ndarray, ...]:
        """Per seeker the best-scoring role outside ``columns`` (first by role order on ties):
        the role (-1 where every role is inside) and its score."""
        n = profile_score.shape[0]
        if columns.size == self.n_roles:
            return np.full(n, -1, dtype=np.int64), np.full(n, np.nan)
        inside = np.zeros(self.n_roles, dtype=bool)
        inside[columns] = True
        candidate = np.where(inside[self.order], self.n_roles, self.order)
        first_out = np.minimum.reduceat(candidate, self.bounds[:-1])
        have = np.flatnonzero(first_out < self.n_roles)
        have = have[np.argsort(first_out[have], kind="stable")]
        values = profile_score[:, have]
        k = values.argmax(axis=1)
        return first_out[have][k], values[np.arange(n), k]

    def checks(self, seekers: SeekerVectors, rows: np.ndarray,
               role: np.ndarray) -> list[np.ndarray]:
        """Which constraints exclude the pair (rows[k], role[k]), in :data:`CONSTRAINTS`
        order (the role lies outside the block, so out of reach)."""
        roles = self.roles
        with np.errstate(invalid="ignore"):
            hours = roles.hours[role] > seekers.hours_max[rows]
        langs, spoken = seekers.languages[rows], roles.languages[role]
        language = ~(langs & spoken).any(axis=1) & langs.any(axis=1) & spoken.any(axis=1)
        needs = (seekers.needs[rows] & ~roles.offers[role]).any(axis=1)
        return [np.ones(rows.size, dtype=bool), hours, language, needs]


def score_pairs(
    seekers: SeekerVectors,
    roles: RoleVectors,
    concepts: OccupationConcepts,
    config: MatchConfig,
    on_block: Callable[[int], None] | None = None,
    pinned: np.ndarray | None = None,
) -> CandidateGraph:
    """Score every pair block by block and keep the candidates (see :class:`CandidateGraph`).

    With ``config.candidates = K > 0`` only each seeker's ``K`` best allowed roles enter the
    graph, so its memory is bounded by ``K x seekers`` whatever the number of roles;
    :func:`pruned_blocks` gives the rest back, grouped by role profile, for the certificate.
    ``on_block(n)`` is called after each block with its number of seekers (for progress).
    ``pinned[i]`` (an int array, -1: none) is a role seeker ``i`` keeps in the graph whatever
    ``K`` when the pair is allowed: a caseworker's lock stays solvable.
    """
    n_seekers = seekers.have.shape[0]
    n_roles = roles.slots.shape[0]
    profiles = role_profiles(roles)

    excluded = np.zeros((n_seekers, len(CONSTRAINTS)), dtype=np.int64)
    feasible_count = np.zeros(n_seekers, dtype=np.int64)
    allowed_count = np.zeros(n_seekers, dtype=np.int64)
    pruned_best = np.full(n_seekers, -np.inf)
    best_below = np.full(n_seekers, -1, dtype=np.int64)
    best_below_score = np.full(n_seekers, np.nan)
    best_excluded = np.full(n_seekers, -1, dtype=np.int64)
    best_excluded_score = np.full(n_seekers, np.nan)
    best_excluded_by = np.zeros((n_seekers, len(CONSTRAINTS)), dtype=bool)
    ask_count = np.zeros(n_seekers, dtype=np.int64)
    ask_roles = np.full((n_seekers, ASK_ROLES), -1, dtype=np.int64)
    ask_scores = np.full((n_seekers, ASK_ROLES), np.nan)
    parts: list[tuple[np.ndarray, ...]] = []

    outside = _Outside(roles, profiles)
    def summarize(b: _Block) -> tuple[int, tuple[np.ndarray, ...]]:
        """Write one block's rows of the outputs (rows of blocks never overlap) and return
        its kept pairs."""
        rows, cols = b.seekers, b.columns
        reach, hours_ok, lang_ok, needs_ok = b.checks
        excluded[rows] = outside.excluded(seekers, rows, reach)
        feasible_count[rows] = b.feasible.sum(axis=1)
        allowed_count[rows] = b.allowed.sum(axis=1)
        pruned_best[rows] = b.pruned_best

        ask = reach & hours_ok & lang_ok & ~needs_ok & b.good_enough
        ask_count[rows] = ask.sum(axis=1)
        top_roles = _top(ask, b.score, ASK_ROLES)
        ask_roles[rows] = _to_roles(cols, top_roles)
        ask_scores[rows] = np.nan
        if cols.size:
            ask_scores[rows] = np.where(
                top_roles >= 0, np.take_along_axis(b.score, np.maximum(top_roles, 0), axis=1),
                np.nan,
            )

        arg, top = _best(b.feasible & ~b.allowed, b.score)
        best_below[rows] = _to_roles(cols, arg)
        best_below_score[rows] = top
        # the best excluded role: inside the block, or the best of those outside it (all
        # out of reach), whichever scores more (the lower role index on a tie)
        arg, top = _best(~b.feasible, b.score)
        role = _to_roles(cols, arg)
        flags = np.zeros((rows.size, len(CONSTRAINTS)), dtype=bool)
        if cols.size:
            picked, block = np.maximum(arg, 0), np.arange(arg.shape[0])
            flags = np.column_stack([~c[block, picked] & (arg >= 0) for c in b.checks])
        far, far_score = outside.best(cols, b.profile_score)
        use = (far >= 0) & ((role < 0) | (far_score > top)
                            | ((far_score == top) & (far < role)))
        if use.any():
            role[use], top[use] = far[use], far_score[use]
            flags[use] = np.column_stack(outside.checks(seekers, rows[use], far[use]))
        best_excluded[rows], best_excluded_score[rows] = role, top
        best_excluded_by[rows] = flags

        r, c = np.nonzero(b.kept)
        p = profiles[0][cols[c]]
        return rows.size, (rows[r], cols[c], b.score[r, c], b.skill[r, p], b.transfer[r, p],
                           b.wish[r, p])

    for size, part in _score_blocks(seekers, roles, concepts, config, profiles, pinned=pinned,
                                    then=summarize):
        parts.append(part)
        if on_block is not None:
            on_block(size)

    if parts:
        r, c, s, k, t, w = (np.concatenate(x) for x in zip(*parts, strict=True))
    else:
        r = c = np.zeros(0, dtype=np.int64)
        s = k = t = w = np.zeros(0)

    def csr(data: np.ndarray) -> sp.csr_array:
        return sp.csr_array((data, (r, c)), shape=(n_seekers, n_roles))

    return CandidateGraph(
        scores=csr(s),
        skill_fit=csr(k),
        transfer_fit=csr(t),
        wish_fit=csr(w),
        excluded=excluded,
        feasible=feasible_count,
        best_below=best_below,
        best_below_score=best_below_score,
        best_excluded=best_excluded,
        best_excluded_score=best_excluded_score,
        best_excluded_by=best_excluded_by,
        ask_count=ask_count,
        ask_roles=ask_roles,
        ask_scores=ask_scores,
        allowed=allowed_count,
        profiles=int(profiles[1].size),
        pruned_best=pruned_best,
    )


def pruned_blocks(
    seekers: SeekerVectors,
    roles: RoleVectors,
    concepts: OccupationConcepts,
    config: MatchConfig,
    only: np.ndarray | None = None,
    pinned: np.ndarray | None = None,
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """The allowed pairs that ``config.candidates`` left out of the graph, for
    :func:`matcher.assign.certify`: per block of seekers, one ``(seekers, roles, scores,
    allowed)`` block per role profile (a ``PrunedBlock``), holding the profile's one score
    column and which of its roles were pruned, so pairs are never listed one by one.

    The seekers are scored again, block by block, so memory stays bounded; nothing is yielded
    when ``config.candidates`` is 0 (every allowed pair is in the graph). ``only`` (a bool mask)
    limits it to those seekers, skipping blocks without any; ``pinned`` must be what
    :func:`score_pairs` was given.
    """
    if config.candidates <= 0:
        return
    profile, first = profiles = role_profiles(roles)
    def pieces(b: _Block) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        pruned = b.allowed & ~b.kept
        if not pruned.any():
            return []
        local = profile[b.columns]
        order = np.argsort(local, kind="stable")
        bounds = np.searchsorted(local[order], np.arange(first.size + 1))
        hit = np.flatnonzero(np.bincount(local, weights=pruned.sum(axis=0),
                                         minlength=first.size))
        out = []
        for p in hit.tolist():
            members = order[bounds[p]:bounds[p + 1]]
            mask = pruned[:, members]
            some = mask.any(axis=1)
            out.append((b.seekers[some], b.columns[members], b.profile_score[some, p:p + 1],
                        mask[some]))
        return out

    for found in _score_blocks(seekers, roles, concepts, config, profiles, only, pinned,
                               then=pieces):
        yield from found
