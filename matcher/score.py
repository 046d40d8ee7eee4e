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
  found with scikit-learn's ``BallTree`` radius queries, never an all-pairs loop);
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

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.spatial import cKDTree

from matcher.config import MatchConfig
from matcher.encode import OccupationConcepts, RoleVectors, SeekerVectors

__all__ = ["ASK_ROLES", "CONSTRAINTS", "EARTH_RADIUS_KM", "CandidateGraph", "score_pairs"]

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


def _role_tree(roles: RoleVectors) -> tuple[np.ndarray, cKDTree | None]:
    """The roles that state a location, and a k-d tree of their points on the unit sphere
    (built once)."""
    located = np.flatnonzero(~np.isnan(roles.lat))
    if located.size == 0:
        return located, None
    return located, cKDTree(_unit_vectors(roles.lat[located], roles.lon[located]))


def _within_reach(
    seekers: SeekerVectors, n_roles: int, rows: slice,
    role_tree: tuple[np.ndarray, cKDTree | None], roles: RoleVectors,
) -> np.ndarray:
    """Which roles each seeker of the block can reach: great-circle distance <= their radius.

    The tree finds the candidates by straight-line (chord) distance through the sphere,
    ``2 sin(d / 2R)``, widened by a hair; the haversine distance then decides, so a pair on
    the boundary is judged exactly as the definition says.
    """
    n_block = rows.stop - rows.start
    ok = np.ones((n_block, n_roles), dtype=bool)
    role_located, tree = role_tree
    lat, lon, radius = seekers.lat[rows], seekers.lon[rows], seekers.radius_km[rows]
    block_located = np.flatnonzero(~np.isnan(lat))
    if tree is None or block_located.size == 0:
        return ok
    angle = np.minimum(radius[block_located] / EARTH_RADIUS_KM, np.pi)
    chord = 2.0 * np.sin(angle / 2.0) * (1.0 + 1e-9) + 1e-12
    hits = tree.query_ball_point(
        _unit_vectors(lat[block_located], lon[block_located]), r=chord, return_sorted=False
    )
    ok[np.ix_(block_located, role_located)] = False
    for i, found in zip(block_located.tolist(), hits, strict=True):
        if not found:
            continue
        j = role_located[np.asarray(found, dtype=np.int64)]
        d = _haversine_km(lat[i], lon[i], roles.lat[j], roles.lon[j])
        ok[i, j[d <= radius[i]]] = True
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


def score_pairs(
    seekers: SeekerVectors,
    roles: RoleVectors,
    concepts: OccupationConcepts,
    config: MatchConfig,
) -> CandidateGraph:
    """Score every pair block by block and keep the allowed ones (see :class:`CandidateGraph`)."""
    n_seekers = seekers.have.shape[0]
    n_roles = roles.slots.shape[0]
    weights = config.weights

    named = sorted({c for w in seekers.wishes + seekers.experience for c in w})
    role_concepts = sorted({int(c) for c in roles.occupation if c >= 0})
    sim = concepts.similarity(named, role_concepts)
    position = {c: i for i, c in enumerate(named)}
    concept_col = {c: j for j, c in enumerate(role_concepts)}
    role_pos = np.array([concept_col.get(int(c), -1) for c in roles.occupation], dtype=np.int64)

    weight_t = sp.csr_array(roles.weight.T)
    role_tree = _role_tree(roles)
    no_need = roles.full_credit <= 0
    credit = np.where(no_need, 1.0, roles.full_credit)
    role_speaks = np.asarray(roles.languages.any(axis=1), dtype=bool)
    not_offered = (~roles.offers).astype(np.float64)

    excluded = np.zeros((n_seekers, len(CONSTRAINTS)), dtype=np.int64)
    feasible_count = np.zeros(n_seekers, dtype=np.int64)
    best_below = np.full(n_seekers, -1, dtype=np.int64)
    best_below_score = np.full(n_seekers, np.nan)
    best_excluded = np.full(n_seekers, -1, dtype=np.int64)
    best_excluded_score = np.full(n_seekers, np.nan)
    best_excluded_by = np.zeros((n_seekers, len(CONSTRAINTS)), dtype=bool)
    ask_count = np.zeros(n_seekers, dtype=np.int64)
    ask_roles = np.full((n_seekers, ASK_ROLES), -1, dtype=np.int64)
    ask_scores = np.full((n_seekers, ASK_ROLES), np.nan)
    parts: list[tuple[np.ndarray, ...]] = []

    step = max(1, min(config.block_size, _BLOCK_CELLS // max(n_roles, 1)))
    for start in range(0, n_seekers, step):
        rows = slice(start, min(start + step, n_seekers))
        skill = (seekers.covered[rows] @ weight_t).toarray() / credit[np.newaxis, :]
        skill[:, no_need] = 1.0
        np.clip(skill, 0.0, 1.0, out=skill)
        wish = _best_similarity(seekers.wishes[rows], sim, position, role_pos)
        wish[np.isnan(wish)] = config.neutral_wish
        transfer = _best_similarity(seekers.experience[rows], sim, position, role_pos)
        transfer = np.where(np.isnan(transfer), skill, transfer)
        score = (
            weights.skill * skill
            + weights.transfer * transfer
            + weights.wish * wish
            + weights.permanent * roles.permanent[np.newaxis, :]
        )

        reach = _within_reach(seekers, n_roles, rows, role_tree, roles)
        hours_max = seekers.hours_max[rows]
        with np.errstate(invalid="ignore"):
            hours_ok = ~(roles.hours[np.newaxis, :] > hours_max[:, np.newaxis])
        langs = seekers.languages[rows]
        shared = (langs.astype(np.float64) @ roles.languages.T.astype(np.float64)) > 0
        speaks = np.asarray(langs.any(axis=1), dtype=bool)
        lang_ok = shared | ~speaks[:, np.newaxis] | ~role_speaks[np.newaxis, :]
        # a role that states nothing offers nothing: its row of ``not_offered`` is all True
        needs_ok = ~((seekers.needs[rows].astype(np.float64) @ not_offered.T) > 0)

        checks = (reach, hours_ok, lang_ok, needs_ok)
        excluded[rows] = np.column_stack([(~c).sum(axis=1) for c in checks])
        feasible = reach & hours_ok & lang_ok & needs_ok
        feasible_count[rows] = feasible.sum(axis=1)
        good_enough = (score >= config.min_score) & (score > 0)
        allowed = feasible & good_enough
        ask = reach & hours_ok & lang_ok & ~needs_ok & good_enough
        ask_count[rows] = ask.sum(axis=1)
        top_roles = _top(ask, score, ASK_ROLES)
        ask_roles[rows] = top_roles
        ask_scores[rows] = np.where(
            top_roles >= 0, np.take_along_axis(score, np.maximum(top_roles, 0), axis=1), np.nan
        )

        arg, top = _best(feasible & ~allowed, score)
        best_below[rows], best_below_score[rows] = arg, top
        arg, top = _best(~feasible, score)
        best_excluded[rows], best_excluded_score[rows] = arg, top
        picked = np.maximum(arg, 0)
        block = np.arange(arg.shape[0])
        best_excluded_by[rows] = np.column_stack(
            [~c[block, picked] & (arg >= 0) for c in checks]
        )

        r, c = np.nonzero(allowed)
        parts.append((r + start, c, score[r, c], skill[r, c], transfer[r, c], wish[r, c]))

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
    )
