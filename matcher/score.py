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
import dataclasses
import itertools
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

import numpy as np
import scipy.sparse as sp

from matcher._scan import EARTH_RADIUS_KM, merge_entries, scan_block, scan_pruned, skill_product
from matcher.config import MatchConfig
from matcher.encode import OccupationConcepts, RoleVectors, SeekerVectors

__all__ = [
    "ASK_ROLES",
    "CONSTRAINTS",
    "EARTH_RADIUS_KM",
    "CandidateGraph",
    "PrunedPairs",
    "pruned_blocks",
    "role_profiles",
    "score_pairs",
]

#: the hard constraints, in the column order of :attr:`CandidateGraph.excluded`
CONSTRAINTS = ("distance", "hours", "language", "needs")
#: roles kept per seeker that only a need kept out (the best first), for the reasons to name
ASK_ROLES = 3
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
    cut_score, cut_role : arrays (n_seekers,)
        The last of each seeker's top ``candidates`` (-inf and -1 where nothing was left
        out): the allowed roles ranked after it (a lower score, or the same and a higher role
        index) and not pinned are the ones left out (:func:`pruned_blocks` lists them).
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
    cut_score: np.ndarray | None = None
    cut_role: np.ndarray | None = None

    def with_pairs(self, pairs: PrunedPairs) -> CandidateGraph:
        """The graph with pruned pairs put back (allowed pairs; those it holds already are
        skipped); the counts, ``pruned_best`` and the cut stay as they are (still a bound on
        what is left out, and what the first pass left out)."""
        n_roles = self.scores.shape[1]
        held = sp.coo_array(self.scores)
        new = ~np.isin(pairs.seeker * n_roles + pairs.role,
                       held.row.astype(np.int64) * n_roles + held.col)
        pairs = pairs.take(np.flatnonzero(new))
        if pairs.seeker.size == 0:
            return self

        def add(matrix: sp.csr_array, values: np.ndarray) -> sp.csr_array:
            # by index, never by arithmetic, so explicit zeros (a skill fit of 0) stay stored
            # and every component keeps the sparsity of the scores
            coo = sp.coo_array(matrix)
            return sp.csr_array((np.concatenate([coo.data, values]),
                                 (np.concatenate([coo.row, pairs.seeker]),
                                  np.concatenate([coo.col, pairs.role]))), shape=matrix.shape)

        return dataclasses.replace(
            self, scores=add(self.scores, pairs.score), skill_fit=add(self.skill_fit, pairs.skill),
            transfer_fit=add(self.transfer_fit, pairs.transfer),
            wish_fit=add(self.wish_fit, pairs.wish))


class PrunedPairs(NamedTuple):
    """Allowed pairs left out of the candidate graph, one entry per pair: seeker and role
    indices, the score and its components (see :func:`pruned_blocks`)."""

    seeker: np.ndarray
    role: np.ndarray
    score: np.ndarray
    skill: np.ndarray
    transfer: np.ndarray
    wish: np.ndarray

    @classmethod
    def concat(cls, parts: list[PrunedPairs]) -> PrunedPairs:
        if not parts:
            ints, floats = np.zeros(0, dtype=np.int64), np.zeros(0)
            return cls(ints, ints, floats, floats, floats, floats)
        return cls(*(np.concatenate(x) for x in zip(*parts, strict=True)))

    def take(self, which: np.ndarray) -> PrunedPairs:
        return PrunedPairs(*(x[which] for x in self))


def _unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points on the unit sphere (x, y, z) for latitudes and longitudes in degrees."""
    phi, lam = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


def _places(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Rows (x, y, z, lat, lon): the point on the unit sphere and the place in degrees, as
    the reach test takes them (NaN where no place is stated)."""
    return np.ascontiguousarray(np.column_stack([_unit_vectors(lat, lon), lat, lon]))


def _chord_limit(radius_km: np.ndarray) -> np.ndarray:
    """The straight-line distance through the unit sphere of a great-circle radius."""
    return 2.0 * np.sin(np.minimum(radius_km / EARTH_RADIUS_KM, np.pi) / 2.0)


def _reach_floor(radius_km: np.ndarray) -> np.ndarray:
    """The least dot product of two points on the unit sphere within ``radius_km``."""
    return 1.0 - _chord_limit(radius_km) ** 2 / 2.0


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
    of the block can reach (those within the block's radius plus the farthest reach of its
    seekers around its centre, a generous bound), and every role without a location. The
    others are out of reach for the whole block; :class:`_Outside` sums them up without
    scoring them pair by pair."""

    def __init__(self, roles: RoleVectors, points: np.ndarray) -> None:
        self.n_roles = roles.slots.shape[0]
        located = ~np.isnan(roles.lat)
        self.located = np.flatnonzero(located)
        self.unlocated = np.flatnonzero(~located)
        self.points = np.ascontiguousarray(points[self.located])
        self.all = np.arange(self.n_roles)

    def of(self, seekers: SeekerVectors, rows: np.ndarray, points: np.ndarray) -> np.ndarray:
        if self.located.size == 0:
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
        bound = (spread + reach) * (1 + 1e-9) + 1e-12
        # squared chord to the centre, 1 - 2 p.c + 1 for unit vectors, against the bound
        near = self.points @ centre >= 1.0 - bound * bound / 2.0 - 1e-12
        if near.all():
            return self.all
        return np.sort(np.concatenate([self.located[near], self.unlocated]))


class _BestSimilarity:
    """Per seeker and role profile the best similarity of the seeker's concepts (wishes, or
    past occupations) to the profile's occupation; NaN where the seeker lists no concept or
    the profile names no occupation. The similarity table is cut to the batch once."""

    def __init__(self, sim: np.ndarray, position: dict[int, int], role_pos: np.ndarray) -> None:
        self.position = position
        self.n_roles = role_pos.shape[0]
        self.has_occ = role_pos >= 0
        # sim with an extra row of -inf for padding, restricted to roles naming an occupation
        self.table = np.vstack([sim[:, role_pos[self.has_occ]],
                                np.full((1, int(self.has_occ.sum())), -np.inf)])

    def __call__(self, lists: list[list[int]]) -> np.ndarray:
        fit = np.full((len(lists), self.n_roles), np.nan)
        width = max((len(w) for w in lists), default=0)
        if width == 0 or not self.has_occ.any():
            return fit
        pad = self.table.shape[0] - 1
        rows = np.full((len(lists), width), pad, dtype=np.int64)
        for i, w in enumerate(lists):
            rows[i, : len(w)] = [self.position[c] for c in w]
        best = self.table[rows[:, 0]]  # (n_block, n_roles_with_occupation)
        for c in range(1, width):
            np.maximum(best, self.table[rows[:, c]], out=best)
        stated = np.array([len(w) > 0 for w in lists])
        fit[np.ix_(stated, self.has_occ)] = best[stated]
        return fit


def _to_roles(columns: np.ndarray, local: np.ndarray) -> np.ndarray:
    """Block column positions (-1: none) as role indices (-1: none)."""
    out = np.full(local.shape, -1, dtype=np.int64)
    found = local >= 0
    out[found] = columns[local[found]]
    return out


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


@dataclass(frozen=True)
class _Tables:
    """Hours, language and needs of a block's seekers against the roles' distinct sets of
    languages and of offers (a handful in any batch), so a pair's constraints are looked up,
    never recomputed per role."""

    hours_max: np.ndarray  # (n_block,)
    lang_ok: np.ndarray  # (n_block, n_language_sets)
    needs_ok: np.ndarray  # (n_block, n_offer_sets)


@dataclass
class _Block:
    """One block of seekers scanned against the roles any of them can reach (bounded in
    cells); every other role is out of reach for the whole block. Per seeker what
    :func:`matcher._scan.scan_block` keeps, plus the per-profile fits."""

    seekers: np.ndarray  # (n_block,) seeker indices
    columns: np.ndarray  # (n_cols,) role indices, ascending
    profile_score: np.ndarray  # (n_block, n_profiles)
    skill: np.ndarray  # (n_block, n_profiles), like transfer and wish
    transfer: np.ndarray
    wish: np.ndarray
    tables: _Tables  # the constraint tables of the block's seekers
    counts: np.ndarray  # (n_block, 4): out of reach in the block, feasible, allowed, ask
    ask_col: np.ndarray  # (n_block, ASK_ROLES) block columns, -1: none
    ask_score: np.ndarray
    below: np.ndarray  # (n_block,) block column, -1: none
    below_score: np.ndarray
    excluded: np.ndarray  # (n_block,) block column, -1: none
    excluded_score: np.ndarray
    excluded_by: np.ndarray  # (n_block, 4)
    kept: tuple[np.ndarray, np.ndarray]  # (rows, block columns) of the pairs kept: allowed
    # and among the seeker's top `candidates` (or pinned)
    pruned: tuple[np.ndarray, np.ndarray]  # (rows, block columns) allowed, left out, and
    # above the floors asked for (none when none were asked)
    pruned_best: np.ndarray  # (n_block,) best score among the allowed pairs left out
    cut_score: np.ndarray  # (n_block,) the last of the seeker's top `candidates`, -inf and
    cut_col: np.ndarray  # block column -1 where nothing was left out
    entries: tuple[np.ndarray, np.ndarray]  # (rows, block columns) of the allowed pairs
    # that may enter their role's list of best seekers (none without role candidates)


class _Constraints:
    """Hours, language and needs: the one implementation of those three hard constraints.

    Roles are grouped by their set of languages and by their set of offers; :meth:`tables`
    judges a block of seekers against each set once. A pair passes hours unless both state
    hours and the role's exceed the seeker's limit; language when either side states none
    or they share one; needs when the role offers every adaptation the seeker needs (a role
    that states none offers none).
    """

    def __init__(self, roles: RoleVectors) -> None:
        self.n_roles = roles.slots.shape[0]
        self.hours = roles.hours
        self.sorted_hours = np.sort(roles.hours[~np.isnan(roles.hours)])
        lang_sets, lang_of = np.unique(roles.languages, axis=0, return_inverse=True)
        offer_sets, offer_of = np.unique(roles.offers, axis=0, return_inverse=True)
        self.lang_of = lang_of.ravel().astype(np.int64)
        self.offer_of = offer_of.ravel().astype(np.int64)
        self.lang_size = np.bincount(self.lang_of, minlength=lang_sets.shape[0])
        self.offer_size = np.bincount(self.offer_of, minlength=offer_sets.shape[0])
        self.lang_sets = lang_sets.T.astype(np.float64)
        self.set_speaks = np.asarray(lang_sets.any(axis=1), dtype=bool)
        self.not_offered = (~offer_sets).T.astype(np.float64)

    def tables(self, seekers: SeekerVectors, rows: np.ndarray) -> _Tables:
        langs = seekers.languages[rows]
        shared = (langs.astype(np.float64) @ self.lang_sets) > 0
        speaks = np.asarray(langs.any(axis=1), dtype=bool)
        lang_ok = shared | ~speaks[:, np.newaxis] | ~self.set_speaks[np.newaxis, :]
        needs_ok = ~((seekers.needs[rows].astype(np.float64) @ self.not_offered) > 0)
        return _Tables(np.ascontiguousarray(seekers.hours_max[rows]),
                       np.ascontiguousarray(lang_ok), np.ascontiguousarray(needs_ok))

    def excluded(self, tables: _Tables) -> np.ndarray:
        """Roles that hours, language and needs exclude per seeker, over every role."""
        hours = np.zeros(tables.hours_max.size, dtype=np.int64)
        stated = ~np.isnan(tables.hours_max)
        hours[stated] = self.sorted_hours.size - np.searchsorted(
            self.sorted_hours, tables.hours_max[stated], side="right")
        language = (~tables.lang_ok).astype(np.int64) @ self.lang_size
        needs = (~tables.needs_ok).astype(np.int64) @ self.offer_size
        return np.column_stack([hours, language, needs])

    def checks(self, tables: _Tables, at: np.ndarray, role: np.ndarray) -> list[np.ndarray]:
        """Which of hours, language and needs exclude the pairs (block row ``at[k]``,
        ``role[k]``)."""
        with np.errstate(invalid="ignore"):
            hours = self.hours[role] > tables.hours_max[at]
        return [hours, ~tables.lang_ok[at, self.lang_of[role]],
                ~tables.needs_ok[at, self.offer_of[role]]]


def _score_blocks(
    seekers: SeekerVectors,
    roles: RoleVectors,
    concepts: OccupationConcepts,
    config: MatchConfig,
    profiles: tuple[np.ndarray, np.ndarray],
    constraints: _Constraints,
    only: np.ndarray | None = None,
    pinned: np.ndarray | None = None,
    *,
    then: Callable[[_Block], _T],
    prune: tuple[np.ndarray, ...] | None = None,
    entry: np.ndarray | None = None,
) -> Iterator[_T]:
    """Score seekers block by block: the skill product and the wish and transfer fits once per
    role profile; then one pass over the block's cells (:func:`matcher._scan.scan_block`)
    applies the hard constraints and keeps the candidates. With ``only`` (a bool mask of
    seekers), only those are scored; ``pinned`` as in :func:`score_pairs`. With ``prune =
    (seeker_floor, role_floor, cut_score, cut_role)`` the pass is
    :func:`matcher._scan.scan_pruned` instead: the block lists the allowed pairs
    ``candidates`` left out (ranked after each seeker's cut, as the first pass found it) that
    score above ``seeker_floor[i] + role_floor[j]``, and nothing else. ``entry`` (per role,
    read as each block starts) is the least score a seeker needs to enter the role's list of
    best seekers (``config.role_candidates``); with it, the block lists those entries.

    Blocks are independent, so they are scored on :data:`_THREADS` threads (numpy and the
    scan work outside Python's lock); ``then(block)`` runs on the same thread, so only its
    (small) result is kept, and the results come in block order whatever the threads.
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
    best_similarity = _BestSimilarity(sim, position, profile_pos)

    weight_t = sp.csr_array(roles.weight[first].T)  # skills x profiles
    covered = sp.csr_array(seekers.covered)
    role_places = np.ascontiguousarray(_places(roles.lat, roles.lon).T)  # (5, n_roles)
    seeker_places = _places(seekers.lat, seekers.lon)
    floor = _reach_floor(seekers.radius_km)
    columns = _Columns(roles, role_places[:3].T)
    no_need = roles.full_credit[first] <= 0
    credit = np.where(no_need, 1.0, roles.full_credit[first])
    permanent = roles.permanent[first]
    k = config.candidates

    def score_block(rows: np.ndarray, cols: np.ndarray) -> _T:
        skill_p = skill_product(rows, covered.indptr, covered.indices, covered.data,
                                weight_t.indptr, weight_t.indices, weight_t.data,
                                first.size) / credit[np.newaxis, :]
        skill_p[:, no_need] = 1.0
        np.clip(skill_p, 0.0, 1.0, out=skill_p)
        wishes = [seekers.wishes[i] for i in rows.tolist()]
        wish_p = best_similarity(wishes)
        wish_p[np.isnan(wish_p)] = config.neutral_wish
        past = [seekers.experience[i] for i in rows.tolist()]
        transfer_p = best_similarity(past)
        transfer_p = np.where(np.isnan(transfer_p), skill_p, transfer_p)
        score_p = np.ascontiguousarray(
            weights.skill * skill_p
            + weights.transfer * transfer_p
            + weights.wish * wish_p
            + weights.permanent * permanent[np.newaxis, :]
        )
        tables = constraints.tables(seekers, rows)
        local_pin = np.full(rows.size, -1, dtype=np.int64)
        if pinned is not None:
            pin = pinned[rows]
            at = np.searchsorted(cols, np.maximum(pin, 0))
            found = (pin >= 0) & (at < cols.size) & (cols[np.minimum(at, cols.size - 1)] == pin)
            local_pin = np.where(found, at, -1)
        n = rows.size
        b = _Block(
            seekers=rows, columns=cols, profile_score=score_p, skill=skill_p,
            transfer=transfer_p, wish=wish_p, tables=tables,
            counts=np.zeros((n, 4), dtype=np.int64),
            ask_col=np.full((n, ASK_ROLES), -1, dtype=np.int64),
            ask_score=np.full((n, ASK_ROLES), np.nan),
            below=np.full(n, -1, dtype=np.int64), below_score=np.full(n, np.nan),
            excluded=np.full(n, -1, dtype=np.int64), excluded_score=np.full(n, np.nan),
            excluded_by=np.zeros((n, len(CONSTRAINTS)), dtype=bool),
            kept=(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)),
            pruned=(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)),
            pruned_best=np.full(n, -np.inf),
            cut_score=np.full(n, -np.inf), cut_col=np.full(n, -1, dtype=np.int64),
            entries=(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)),
        )
        col_floor = entry[cols] if entry is not None else np.zeros(0)
        cells = (  # indexed copies are contiguous, as the compiled passes expect
            score_p, profile[cols], seeker_places[rows], floor[rows],
            seekers.radius_km[rows], role_places[:, cols],
            roles.hours[cols], tables.hours_max,
            constraints.lang_of[cols], tables.lang_ok,
            constraints.offer_of[cols], tables.needs_ok,
            float(config.min_score))
        if prune is None:
            kept_r, kept_c, entry_r, entry_c = scan_block(
                *cells, int(k), local_pin,
                b.counts, b.ask_col, b.ask_score, b.below, b.below_score, b.excluded,
                b.excluded_score, b.excluded_by, b.pruned_best, b.cut_score, b.cut_col,
                col_floor)
            b.kept, b.entries = (kept_r, kept_c), (entry_r, entry_c)
        else:
            seeker_floor, role_floor, cut_score, cut_role = prune
            b.pruned = scan_pruned(*cells, cols, cut_score[rows], cut_role[rows], local_pin,
                                   seeker_floor[rows], role_floor[cols])
        return then(b)

    blocks = _blocks(seekers, columns, seeker_places[:, :3], config.block_size, only)
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
    """The best-scoring role outside a block's columns (all out of reach for it), per seeker,
    without listing pairs: per role profile, its first role outside."""

    def __init__(self, roles: RoleVectors, profiles: tuple[np.ndarray, np.ndarray]) -> None:
        self.n_roles = roles.slots.shape[0]
        self.profile = profiles[0]
        self.order = np.argsort(self.profile, kind="stable")
        self.bounds = np.searchsorted(self.profile[self.order],
                                      np.arange(profiles[1].size + 1))

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


def score_pairs(
    seekers: SeekerVectors,
    roles: RoleVectors,
    concepts: OccupationConcepts,
    config: MatchConfig,
    on_block: Callable[[int], None] | None = None,
    pinned: np.ndarray | None = None,
) -> CandidateGraph:
    """Score every pair block by block and keep the candidates (see :class:`CandidateGraph`).

    With ``config.candidates = K > 0`` only each seeker's ``K`` best allowed roles and each
    role's ``L = config.role_candidates`` best allowed seekers (score down, seeker order on
    ties) enter the graph, so its memory is bounded by ``K x seekers + L x roles`` whatever the
    size of the batch; :func:`pruned_blocks` lists those of the rest (ranked after a seeker's
    top ``K``) that could raise the total, for the certificate.
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
    cut_score = np.full(n_seekers, -np.inf)
    cut_role = np.full(n_seekers, -1, dtype=np.int64)
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
    constraints = _Constraints(roles)
    per_role = config.role_candidates if config.candidates > 0 else 0

    def summarize(b: _Block) -> tuple[int, tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
        """Write one block's rows of the outputs (rows of blocks never overlap) and return
        its kept pairs and the pairs that may enter their role's list of best seekers."""
        rows, cols = b.seekers, b.columns
        excluded[rows, 0] = b.counts[:, 0] + (n_roles - cols.size)
        excluded[rows, 1:] = constraints.excluded(b.tables)
        feasible_count[rows] = b.counts[:, 1]
        allowed_count[rows] = b.counts[:, 2]
        ask_count[rows] = b.counts[:, 3]
        pruned_best[rows] = b.pruned_best
        cut_score[rows], cut_role[rows] = b.cut_score, _to_roles(cols, b.cut_col)
        ask_roles[rows] = _to_roles(cols, b.ask_col)
        ask_scores[rows] = b.ask_score
        best_below[rows] = _to_roles(cols, b.below)
        best_below_score[rows] = b.below_score
        # the best excluded role: inside the block, or the best of those outside it (all
        # out of reach), whichever scores more (the lower role index on a tie)
        role, top, flags = _to_roles(cols, b.excluded), b.excluded_score, b.excluded_by
        far, far_score = outside.best(cols, b.profile_score)
        use = (far >= 0) & ((role < 0) | (far_score > top)
                            | ((far_score == top) & (far < role)))
        if use.any():
            at = np.flatnonzero(use)
            role[use], top[use] = far[use], far_score[use]
            flags[use] = np.column_stack([np.ones(at.size, dtype=bool),
                                          *constraints.checks(b.tables, at, far[use])])
        best_excluded[rows], best_excluded_score[rows] = role, top
        best_excluded_by[rows] = flags

        r, c = b.kept
        p = profiles[0][cols[c]]
        kept = (rows[r], cols[c], b.profile_score[r, p], b.skill[r, p], b.transfer[r, p],
                b.wish[r, p])
        # the pairs that may enter their role's list of best seekers, and what they carry
        if not per_role:
            return rows.size, kept, ()
        return rows.size, kept, (cols, *b.entries, rows, profiles[0][cols],
                                 np.stack([b.profile_score, b.skill, b.transfer, b.wish]))

    # each role's best `role_candidates` seekers over all blocks: score, seeker, fits
    role_score = np.full((n_roles, per_role), -np.inf)
    role_seeker = np.full((n_roles, per_role), -1, dtype=np.int64)
    role_fits = np.zeros((n_roles, per_role, 3))
    # the least a seeker needs to enter each role's list so far (only ever rises, so a block
    # that read it a little earlier lists a few more seekers, never fewer than needed)
    role_floor = np.full(n_roles, -np.inf)
    for size, part, best in _score_blocks(seekers, roles, concepts, config, profiles,
                                          constraints, pinned=pinned, then=summarize,
                                          entry=role_floor if per_role else None):
        parts.append(part)
        if per_role:
            merge_entries(role_score, role_seeker, role_fits, role_floor, *best)
        if on_block is not None:
            on_block(size)

    if per_role:  # the roles' best seekers join the graph (once: most are there already)
        at = np.flatnonzero(role_seeker.ravel() >= 0)
        fits = role_fits.reshape(-1, 3)[at]
        parts.append((role_seeker.ravel()[at], at // per_role, role_score.ravel()[at],
                      fits[:, 0], fits[:, 1], fits[:, 2]))
    if parts:
        r, c, s, k, t, w = (np.concatenate(x) for x in zip(*parts, strict=True))
        if per_role:
            first = np.unique(r * n_roles + c, return_index=True)[1]
            r, c, s, k, t, w = (x[first] for x in (r, c, s, k, t, w))
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
        cut_score=cut_score,
        cut_role=cut_role,
    )


def pruned_blocks(
    seekers: SeekerVectors,
    roles: RoleVectors,
    concepts: OccupationConcepts,
    config: MatchConfig,
    graph: CandidateGraph,
    floors: tuple[np.ndarray, np.ndarray],
    only: np.ndarray | None = None,
    pinned: np.ndarray | None = None,
    on_block: Callable[[int], None] | None = None,
) -> Iterator[PrunedPairs]:
    """The allowed pairs that ``config.candidates`` left out of ``graph`` (what
    :func:`score_pairs` returned for the same arguments) and that could raise the total, for
    :func:`matcher.assign.certify`: per block of seekers, the pairs scoring above
    ``seeker_floor[i] + role_floor[j]`` (``floors``; with the dual prices as floors, only pairs
    with a positive reduced score are listed, and in a certified optimum there are none).

    The seekers are scored again, block by block, so memory stays bounded, and each seeker's
    cells are passed over unless they score above the floors (:func:`matcher._scan.scan_pruned`);
    nothing is yielded when ``config.candidates`` is 0 (every allowed pair is in the graph).
    ``only`` (a bool mask) limits it to those seekers, skipping blocks without any; ``pinned``
    must be what :func:`score_pairs` was given; ``on_block(n)`` is called after each block with
    its number of seekers (for progress).
    """
    if config.candidates <= 0:
        return
    if graph.cut_score is None or graph.cut_role is None:  # listing nothing would certify
        raise ValueError("pruned_blocks: the graph has no cut_score and cut_role; pass the "
                         "graph score_pairs returned for the same arguments")
    profiles = role_profiles(roles)
    profile = profiles[0]

    def pieces(b: _Block) -> tuple[int, PrunedPairs | None]:
        r, c = b.pruned
        if r.size == 0:
            return b.seekers.size, None
        p = profile[b.columns[c]]
        return b.seekers.size, PrunedPairs(b.seekers[r], b.columns[c], b.profile_score[r, p],
                                           b.skill[r, p], b.transfer[r, p], b.wish[r, p])

    for size, found in _score_blocks(seekers, roles, concepts, config, profiles,
                                     _Constraints(roles), only, pinned, then=pieces,
                                     prune=(*floors, graph.cut_score, graph.cut_role)):
        if on_block is not None:
            on_block(size)
        if found is not None:
            yield found
