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

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

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


def _role_points(roles: RoleVectors) -> tuple[np.ndarray, np.ndarray]:
    """The roles that state a location, and their points on the unit sphere (built once)."""
    located = np.flatnonzero(~np.isnan(roles.lat))
    return located, _unit_vectors(roles.lat[located], roles.lon[located])


#: pairs whose squared chord lies this close to the seeker's limit are decided by the
#: haversine distance itself (the dot product's rounding is ~1e-15 at most)
_CHORD_BAND = 1e-12


def _within_reach(
    seekers: SeekerVectors, n_roles: int, rows: slice,
    role_points: tuple[np.ndarray, np.ndarray], roles: RoleVectors,
) -> np.ndarray:
    """Which roles each seeker of the block can reach: great-circle distance <= their radius.

    On the unit sphere the great-circle distance grows with the straight-line (chord)
    distance, ``chord = 2 sin(d / 2R)``, and ``chord**2 = 2 - 2 (p . q)``: one matrix product
    per block compares every pair with the seeker's limit. Pairs within a hair of the limit
    are decided by the haversine distance, so a pair on the boundary is judged exactly as the
    definition says.
    """
    n_block = rows.stop - rows.start
    role_located, points = role_points
    lat, lon, radius = seekers.lat[rows], seekers.lon[rows], seekers.radius_km[rows]
    seeker_located = ~np.isnan(lat)
    block_located = np.flatnonzero(seeker_located)
    # out of reach only where both sides state a place and the distance is too far
    ok = np.ones((n_block, n_roles), dtype=bool)
    if role_located.size == 0 or block_located.size == 0:
        return ok
    angle = np.minimum(radius[block_located] / EARTH_RADIUS_KM, np.pi)
    limit = (2.0 * np.sin(angle / 2.0)) ** 2
    # chord**2 <= limit  <=>  p . q >= 1 - limit / 2; ``gap`` is p . q less that bound
    gap = _unit_vectors(lat[block_located], lon[block_located]) @ points.T
    gap -= (1.0 - limit / 2.0)[:, np.newaxis]
    near = gap >= 0.0
    np.abs(gap, out=gap)
    unsure = gap <= _CHORD_BAND / 2.0
    bi, bj = np.nonzero(unsure) if unsure.any() else (np.zeros(0, dtype=np.int64),) * 2
    if bi.size:
        i, j = block_located[bi], role_located[bj]
        near[bi, bj] = _haversine_km(lat[i], lon[i], roles.lat[j], roles.lon[j]) <= radius[i]
    if block_located.size == n_block:
        ok[:, role_located] = near
    else:
        sub = ok[block_located]
        sub[:, role_located] = near
        ok[block_located] = sub
    return ok


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


def _best(mask: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row the highest-scoring column within ``mask`` (first on ties), or -1 and NaN."""
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
    """One block of seekers scored against every role (dense over roles, bounded in rows)."""

    start: int
    profile_score: np.ndarray  # (n_block, n_profiles)
    score: np.ndarray  # (n_block, n_roles)
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
    kept = allowed.copy()
    masked = np.where(allowed[over], score[over], -np.inf)
    kth = -np.partition(-masked, k - 1, axis=1)[:, k - 1]
    above = masked > kth[:, np.newaxis]
    tied = masked == kth[:, np.newaxis]
    room = k - above.sum(axis=1)
    keep = above | (tied & (np.cumsum(tied, axis=1) <= room[:, np.newaxis]))
    if pinned is not None:
        rows = np.flatnonzero(pinned[over] >= 0)
        keep[rows, pinned[over][rows]] |= allowed[over][rows, pinned[over][rows]]
    kept[over] = keep
    pruned_best[over] = np.where(keep, -np.inf, masked).max(axis=1)
    return kept, pruned_best


def _top(mask: np.ndarray, score: np.ndarray, k: int) -> np.ndarray:
    """Per row the ``k`` highest-scoring columns within ``mask``, best first (ties by column),
    padded with -1."""
    masked = np.where(mask, score, -np.inf)
    order = np.argsort(-masked, axis=1, kind="stable")[:, :k]
    picked = np.take_along_axis(masked, order, axis=1)
    out = np.where(np.isfinite(picked), order, -1)
    if out.shape[1] < k:
        out = np.hstack([out, np.full((out.shape[0], k - out.shape[1]), -1, dtype=out.dtype)])
    return out


def _score_blocks(
    seekers: SeekerVectors,
    roles: RoleVectors,
    concepts: OccupationConcepts,
    config: MatchConfig,
    profiles: tuple[np.ndarray, np.ndarray],
    only: np.ndarray | None = None,
    pinned: np.ndarray | None = None,
) -> Iterator[_Block]:
    """Score seekers block by block: the skill product and the wish and transfer fits once per
    role profile, then spread to the roles; the hard constraints per role. With ``only`` (a
    bool mask of seekers), blocks without any of them are skipped; ``pinned`` as in
    :func:`score_pairs`."""
    n_seekers = seekers.have.shape[0]
    n_roles = roles.slots.shape[0]
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
    no_need = roles.full_credit[first] <= 0
    credit = np.where(no_need, 1.0, roles.full_credit[first])
    permanent = roles.permanent[first]
    role_speaks = np.asarray(roles.languages.any(axis=1), dtype=bool)
    not_offered = (~roles.offers).astype(np.float64)
    role_languages = roles.languages.T.astype(np.float64)

    step = max(1, min(config.block_size, _BLOCK_CELLS // max(n_roles, 1)))
    for start in range(0, n_seekers, step):
        rows = slice(start, min(start + step, n_seekers))
        if only is not None and not only[rows].any():
            continue
        skill_p = (seekers.covered[rows] @ weight_t).toarray() / credit[np.newaxis, :]
        skill_p[:, no_need] = 1.0
        np.clip(skill_p, 0.0, 1.0, out=skill_p)
        wish_p = _best_similarity(seekers.wishes[rows], sim, position, profile_pos)
        wish_p[np.isnan(wish_p)] = config.neutral_wish
        transfer_p = _best_similarity(seekers.experience[rows], sim, position, profile_pos)
        transfer_p = np.where(np.isnan(transfer_p), skill_p, transfer_p)
        score_p = (
            weights.skill * skill_p
            + weights.transfer * transfer_p
            + weights.wish * wish_p
            + weights.permanent * permanent[np.newaxis, :]
        )
        score = score_p[:, profile]

        reach = _within_reach(seekers, n_roles, rows, role_points, roles)
        hours_max = seekers.hours_max[rows]
        with np.errstate(invalid="ignore"):
            hours_ok = ~(roles.hours[np.newaxis, :] > hours_max[:, np.newaxis])
        langs = seekers.languages[rows]
        shared = (langs.astype(np.float64) @ role_languages) > 0
        speaks = np.asarray(langs.any(axis=1), dtype=bool)
        lang_ok = shared | ~speaks[:, np.newaxis] | ~role_speaks[np.newaxis, :]
        # a role that states nothing offers nothing: its row of ``not_offered`` is all True
        needs_ok = ~((seekers.needs[rows].astype(np.float64) @ not_offered.T) > 0)

        feasible = reach & hours_ok & lang_ok & needs_ok
        good_enough = (score >= config.min_score) & (score > 0)
        allowed = feasible & good_enough
        kept, pruned_best = _top_candidates(allowed, score, config.candidates,
                                            None if pinned is None else pinned[rows])
        yield _Block(
            start=start, profile_score=score_p, score=score, skill=skill_p,
            transfer=transfer_p, wish=wish_p,
            checks=(reach, hours_ok, lang_ok, needs_ok), feasible=feasible,
            good_enough=good_enough, allowed=allowed,
            kept=kept, pruned_best=pruned_best,
        )


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

    for b in _score_blocks(seekers, roles, concepts, config, profiles, pinned=pinned):
        rows = slice(b.start, b.start + b.score.shape[0])
        excluded[rows] = np.column_stack([(~c).sum(axis=1) for c in b.checks])
        feasible_count[rows] = b.feasible.sum(axis=1)
        allowed_count[rows] = b.allowed.sum(axis=1)
        pruned_best[rows] = b.pruned_best

        reach, hours_ok, lang_ok, needs_ok = b.checks
        ask = reach & hours_ok & lang_ok & ~needs_ok & b.good_enough
        ask_count[rows] = ask.sum(axis=1)
        top_roles = _top(ask, b.score, ASK_ROLES)
        ask_roles[rows] = top_roles
        ask_scores[rows] = np.where(
            top_roles >= 0, np.take_along_axis(b.score, np.maximum(top_roles, 0), axis=1),
            np.nan,
        )

        arg, top = _best(b.feasible & ~b.allowed, b.score)
        best_below[rows], best_below_score[rows] = arg, top
        arg, top = _best(~b.feasible, b.score)
        best_excluded[rows], best_excluded_score[rows] = arg, top
        picked = np.maximum(arg, 0)
        block = np.arange(arg.shape[0])
        best_excluded_by[rows] = np.column_stack(
            [~c[block, picked] & (arg >= 0) for c in b.checks]
        )

        if on_block is not None:
            on_block(b.score.shape[0])
        r, c = np.nonzero(b.kept)
        p = profiles[0][c]
        parts.append((r + b.start, c, b.score[r, c], b.skill[r, p], b.transfer[r, p],
                      b.wish[r, p]))

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
    order = np.argsort(profile, kind="stable")
    bounds = np.searchsorted(profile[order], np.arange(first.size + 1))
    for b in _score_blocks(seekers, roles, concepts, config, profiles, only, pinned):
        pruned = b.allowed & ~b.kept
        if only is not None:
            pruned &= only[b.start:b.start + b.score.shape[0], np.newaxis]
        if not pruned.any():
            continue
        seeker_idx = np.arange(b.start, b.start + b.score.shape[0])
        hit = np.flatnonzero(np.bincount(profile, weights=pruned.sum(axis=0),
                                         minlength=first.size))
        for p in hit.tolist():
            members = order[bounds[p]:bounds[p + 1]]
            mask = pruned[:, members]
            some = mask.any(axis=1)
            yield seeker_idx[some], members, b.profile_score[some, p:p + 1], mask[some]
