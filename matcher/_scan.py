"""The score stage's inner loop: one pass over a block of seeker x role cells.

:mod:`matcher.score` prepares a block (each seeker's score per role profile, the
seekers' and roles' places, and the constraint tables per distinct set of languages and of
offers); :func:`scan_block` then visits every cell once, tests reach there, and keeps only
what the candidate graph and the reasons need: counts, the best roles of each kind, and the
top ``k`` allowed roles of each seeker and the top ``l`` seekers of each role
(:func:`merge_entries` combines the blocks'). :func:`scan_pruned` visits the cells
again for the certificate and lists only those left out that score above the dual prices.
:func:`skill_product` computes the profile scores' skill part. Compiled with numba (cached
on disk after the first run), so a cell costs a few nanoseconds instead of the dozens of
array passes a numpy version makes, and it runs outside Python's lock, so blocks are scanned
on several threads at once.

Also the one implementation of the reach test (:func:`reach_matrix` applies it on its own).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["CHORD_BAND", "EARTH_RADIUS_KM", "haversine_km", "merge_entries", "reach_matrix",
           "scan_block", "scan_pruned", "skill_product"]

#: mean Earth radius (IUGG)
EARTH_RADIUS_KM = 6371.0088
#: pairs whose squared chord lies this close to the seeker's limit are decided by the
#: haversine distance itself (the dot product's rounding is ~1e-15 at most)
CHORD_BAND = 1e-12


@njit(cache=True, nogil=True)
def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance on a sphere of radius :data:`EARTH_RADIUS_KM` (haversine form)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(max(h, 0.0), 1.0)))


@njit(cache=True, nogil=True)
def _near(seeker: np.ndarray, floor: float, radius: float, places: np.ndarray, j: int) -> bool:
    """Whether role ``j`` lies within a seeker's reach: great-circle distance <= ``radius``.

    ``seeker`` is the row (x, y, z, lat, lon) of its place: the point on the unit sphere and
    the place in degrees; ``places`` holds the roles' places as columns (5, n_roles). A side
    without a place (NaN) sets no limit. On the unit sphere the great-circle distance grows
    with the straight-line (chord) distance, ``chord = 2 sin(d / 2R)``, and ``chord**2 = 2 -
    2 (p . q)``, so ``p . q >= floor = 1 - chord_limit**2 / 2`` says it with one dot product;
    pairs within a hair of the limit are decided by the haversine distance, so a pair on the
    boundary is judged exactly as the definition says.
    """
    if math.isnan(places[3, j]) or math.isnan(seeker[3]):
        return True
    gap = (seeker[0] * places[0, j] + seeker[1] * places[1, j] + seeker[2] * places[2, j]
           - floor)
    if abs(gap) <= CHORD_BAND / 2.0:
        return haversine_km(seeker[3], seeker[4], places[3, j], places[4, j]) <= radius
    return gap >= 0.0


@njit(cache=True, nogil=True, inline="always")
def _tests(seeker: np.ndarray, floor: float, radius: float, role_places: np.ndarray,
           hours_max: float, role_hours: np.ndarray, lang_row: np.ndarray, lang_of: np.ndarray,
           needs_row: np.ndarray, offer_of: np.ndarray, j: int) -> tuple[bool, bool, bool, bool]:
    """The hard constraints of one cell, in :data:`matcher.score.CONSTRAINTS` order: within
    reach; hours (a side that states none sets no limit); a shared language; every need
    offered (the seeker's rows of the tables per distinct set of languages and of offers)."""
    return (_near(seeker, floor, radius, role_places, j), not (role_hours[j] > hours_max),
            lang_row[lang_of[j]], needs_row[offer_of[j]])


@njit(cache=True, nogil=True)
def reach_matrix(seekers: np.ndarray, floor: np.ndarray, radius: np.ndarray,
                 roles: np.ndarray) -> np.ndarray:
    """Which roles each seeker can reach (seekers as rows and roles as columns of (x, y, z,
    lat, lon), as :func:`_near` takes them)."""
    out = np.empty((seekers.shape[0], roles.shape[1]), dtype=np.bool_)
    for i in range(seekers.shape[0]):
        for j in range(roles.shape[1]):
            out[i, j] = _near(seekers[i], floor[i], radius[i], roles, j)
    return out


@njit(cache=True, nogil=True)
def skill_product(rows: np.ndarray, indptr: np.ndarray, indices: np.ndarray, data: np.ndarray,
                  w_indptr: np.ndarray, w_indices: np.ndarray, w_data: np.ndarray,
                  n_columns: int) -> np.ndarray:
    """``A[rows] @ W`` as a dense array, for sparse ``A`` (CSR: ``indptr, indices, data``) and
    sparse ``W`` (CSR, ``w_*``): each row's terms summed in the order of its stored entries,
    as scipy's sparse products sum them, but touching only the nonzero pairs and writing
    straight into the dense result."""
    out = np.zeros((rows.size, n_columns))
    for r in range(rows.size):
        i = rows[r]
        acc = out[r]
        for a in range(indptr[i], indptr[i + 1]):
            k, value = indices[a], data[a]
            for b in range(w_indptr[k], w_indptr[k + 1]):
                acc[w_indices[b]] += value * w_data[b]
    return out


@njit(cache=True, nogil=True)
def _insert(top_s: np.ndarray, top_c: np.ndarray, n: int, s: float, c: int) -> None:
    """Insert (s, c) into the first ``n`` entries of a list kept best first (ties: the
    entry already there, of lower column, stays ahead); the caller made room at ``n``."""
    p = n
    while p > 0 and top_s[p - 1] < s:
        top_s[p] = top_s[p - 1]
        top_c[p] = top_c[p - 1]
        p -= 1
    top_s[p] = s
    top_c[p] = c


@njit(cache=True, nogil=True, inline="always")
def _ahead(s: float, who: int, other_s: float, other: int) -> bool:
    """Whether seeker ``who`` scoring ``s`` ranks before seeker ``other`` (-1: an empty
    place, which anything allowed beats) scoring ``other_s``: score down, seeker up."""
    if s != other_s:
        return s > other_s
    return other >= 0 and who < other


@njit(cache=True, nogil=True)
def merge_entries(top_s: np.ndarray, top_id: np.ndarray, top_v: np.ndarray,
                  floor: np.ndarray, columns: np.ndarray, entry_row: np.ndarray,
                  entry_col: np.ndarray, row_id: np.ndarray, col_profile: np.ndarray,
                  values: np.ndarray) -> None:
    """Put a block's entries (what :func:`scan_block` listed: row and column of each allowed
    cell that may enter its role's list) into the per-role lists ``top_*`` (one row per
    role, best first: score down, seeker up; empty places hold -inf and -1), keeping each
    list's length. ``columns`` are the block columns' roles, ``row_id`` the rows' seekers;
    ``values[v, row, col_profile[col]]`` is what each entry carries (``v = 0`` its score).
    ``floor`` (one per role) is kept at the score of each list's last place, the least a
    later entry needs to enter it. The lists do not depend on the order of the entries."""
    n = top_s.shape[1]
    for e in range(entry_row.size):
        i, c = entry_row[e], entry_col[e]
        g, s, who = columns[c], values[0, i, col_profile[c]], row_id[i]
        if not _ahead(s, who, top_s[g, n - 1], top_id[g, n - 1]):
            continue
        p = n - 1
        while p > 0 and _ahead(s, who, top_s[g, p - 1], top_id[g, p - 1]):
            top_s[g, p], top_id[g, p] = top_s[g, p - 1], top_id[g, p - 1]
            for v in range(top_v.shape[2]):
                top_v[g, p, v] = top_v[g, p - 1, v]
            p -= 1
        top_s[g, p], top_id[g, p] = s, who
        for v in range(top_v.shape[2]):
            top_v[g, p, v] = values[v + 1, i, col_profile[c]]
        floor[g] = top_s[g, n - 1]


@njit(cache=True, nogil=True)
def _append(rows: np.ndarray, cols: np.ndarray, size: int, i: int, cells: np.ndarray,
            n: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Append row ``i``'s first ``n`` ``cells`` (columns) to the growable (rows, cols) lists
    holding ``size`` entries; returns them (grown when full) and the new size. Element by
    element, as everything here: numpy's slice assignment and sorts would compile their
    error messages and sort kernels too, seconds on every cold start."""
    if size + n > rows.size:
        grow = rows.size + max(rows.size, n)
        more_rows = np.empty(grow, dtype=np.int64)
        more_cols = np.empty(grow, dtype=np.int64)
        for a in range(size):
            more_rows[a] = rows[a]
            more_cols[a] = cols[a]
        rows, cols = more_rows, more_cols
    for a in range(n):
        rows[size + a] = i
        cols[size + a] = cells[a]
    return rows, cols, size + n


@njit(cache=True, nogil=True, inline="always")
def _sift(values: np.ndarray, root: int, n: int) -> None:
    """Move ``values[root]`` down the heap of the first ``n`` entries to its place."""
    while True:
        child = 2 * root + 1
        if child >= n:
            return
        if child + 1 < n and values[child + 1] > values[child]:
            child += 1
        if values[root] >= values[child]:
            return
        values[root], values[child] = values[child], values[root]
        root = child


@njit(cache=True, nogil=True)
def _sort(values: np.ndarray, n: int) -> None:
    """Sort the first ``n`` entries of ``values`` in place, ascending (heapsort)."""
    for root in range(n // 2 - 1, -1, -1):
        _sift(values, root, n)
    for end in range(n - 1, 0, -1):
        values[0], values[end] = values[end], values[0]
        _sift(values, 0, end)


@njit(cache=True, nogil=True)
def scan_block(
    score_p: np.ndarray,  # (n_b, n_profiles) float64: each seeker's score per profile
    profile_of: np.ndarray,  # (n_c,) int64: each column's profile
    places: np.ndarray,  # (n_b, 5) the seekers' places, as :func:`_near` takes them
    floor: np.ndarray,  # (n_b,) and radius: the seekers' reach, as :func:`_near` takes it
    radius: np.ndarray,
    role_places: np.ndarray,  # (5, n_c) the roles' places, as :func:`_near` takes them
    role_hours: np.ndarray,  # (n_c,) float64, NaN: not stated
    hours_max: np.ndarray,  # (n_b,) float64, NaN: not stated
    lang_of: np.ndarray,  # (n_c,) int64: each column's set of languages
    lang_ok: np.ndarray,  # (n_b, n_language_sets) bool
    offer_of: np.ndarray,  # (n_c,) int64: each column's set of offers
    needs_ok: np.ndarray,  # (n_b, n_offer_sets) bool
    min_score: float,
    k: int,  # top k allowed columns kept per row; 0: all of them
    pin: np.ndarray,  # (n_b,) int64: a column each row keeps as well when allowed, -1: none
    # outputs, one row per seeker of the block
    counts: np.ndarray,  # (n_b, 4) int64: out of reach, feasible, allowed, ask
    ask_col: np.ndarray,  # (n_b, n_ask) int64, best first, -1: none
    ask_score: np.ndarray,  # (n_b, n_ask) float64, NaN: none
    below: np.ndarray,  # (n_b,) int64: best feasible column under min_score, -1: none
    below_score: np.ndarray,  # (n_b,) float64
    excluded: np.ndarray,  # (n_b,) int64: best column a hard constraint excludes, -1: none
    excluded_score: np.ndarray,  # (n_b,) float64
    excluded_by: np.ndarray,  # (n_b, 4) bool: the constraints that exclude it
    pruned_best: np.ndarray,  # (n_b,) float64: best allowed score left out, -inf: none
    cut_score: np.ndarray,  # (n_b,) float64 and cut_col (n_b,) int64: the last of the row's
    cut_col: np.ndarray,  # top k, or -inf and -1 where the row left nothing out
    col_floor: np.ndarray,  # (n_c,) float64: the least score an entry needs; empty: none
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Visit every cell of the block once (see the module docstring); return the kept
    cells, (rows, columns) sorted by row and column: each row's top ``k`` allowed columns
    (score down, column up) and its pinned one when allowed, or every allowed column. The
    allowed cells ranked after ``(cut_score, cut_col)`` and not pinned are the row's *pruned*
    cells, which :func:`scan_pruned` lists for the certificate. Then the *entries*: the
    allowed cells scoring at least ``col_floor[j]`` (the least a seeker needs to enter the
    role's list of best seekers so far), (rows, columns) sorted by row and column, for
    :func:`merge_entries`; none when ``col_floor`` is empty.

    A cell is *feasible* when it is within reach and passes hours, language and needs;
    *allowed* when feasible and its score is at least ``min_score`` and above 0; an *ask*
    cell passes every constraint but needs and would be allowed. Ties between equal scores
    go to the lower column, everywhere.
    """
    n_b, n_c = score_p.shape[0], profile_of.shape[0]
    n_ask = ask_col.shape[1]
    keep_all = k <= 0 or k >= n_c
    cap = 1 if keep_all else k
    top_s = np.empty(cap + 1)
    top_c = np.empty(cap + 1, dtype=np.int64)
    chosen = np.empty(cap + 1, dtype=np.int64)  # the row's kept columns, sorted
    ask_s = np.empty(n_ask + 1)
    ask_c = np.empty(n_ask + 1, dtype=np.int64)
    want_entries = col_floor.size > 0
    n_entries = 0
    entry_rows = np.empty(64, dtype=np.int64)
    entry_cols = np.empty(64, dtype=np.int64)
    # a row's kept cells and entries, copied out after the row, so the loop never grows
    row_entries = np.empty(n_c if want_entries else 0, dtype=np.int64)
    row_kept = np.empty(n_c if keep_all else 0, dtype=np.int64)
    size = 0
    kept_rows = np.empty(n_b * (cap + 1), dtype=np.int64)
    kept_cols = np.empty(n_b * (cap + 1), dtype=np.int64)
    for i in range(n_b):
        hm = hours_max[i]
        seeker, fl, rad = places[i], floor[i], radius[i]
        row, lang_row, needs_row = score_p[i], lang_ok[i], needs_ok[i]
        n_top = 0
        n_kept = 0
        n_row = 0
        n_asks = 0
        far = 0
        feasible = 0
        allowed = 0
        asks = 0
        best_below, best_below_s = -1, -np.inf
        best_ex, best_ex_s = -1, -np.inf
        left_out = -np.inf
        pinned = False  # the pinned column was allowed and left the top k
        for j in range(n_c):
            # every test as a value and the counts by arithmetic: the branches below are
            # taken rarely, so they are predicted well whatever the pattern of the cells
            s = row[profile_of[j]]
            near, hours, language, needs = _tests(seeker, fl, rad, role_places, hm, role_hours,
                                                  lang_row, lang_of, needs_row, offer_of, j)
            good = (s >= min_score) & (s > 0.0)
            passes = near & hours & language
            ok = passes & needs
            far += not near
            feasible += ok
            if (not ok) & (s > best_ex_s):
                best_ex, best_ex_s = j, s
                excluded_by[i, 0] = not near
                excluded_by[i, 1] = not hours
                excluded_by[i, 2] = not language
                excluded_by[i, 3] = not needs
            if (not needs) & passes & good:
                asks += 1  # only a need keeps it out
                if n_asks < n_ask or s > ask_s[n_ask - 1]:
                    _insert(ask_s, ask_c, min(n_asks, n_ask), s, j)
                    n_asks = min(n_asks + 1, n_ask)
            if ok & (not good) & (s > best_below_s):
                best_below, best_below_s = j, s
            if not (ok & good):
                continue
            allowed += 1
            if want_entries and s >= col_floor[j]:
                row_entries[n_row] = j
                n_row += 1
            if keep_all:
                row_kept[n_kept] = j
                n_kept += 1
                continue
            if n_top < k:
                _insert(top_s, top_c, n_top, s, j)
                n_top += 1
                continue
            if s > top_s[k - 1]:  # j displaces the last of the list
                out, out_s = top_c[k - 1], top_s[k - 1]
                _insert(top_s, top_c, k - 1, s, j)
            else:
                out, out_s = j, s
            if out == pin[i]:  # a pinned column stays, outside the count of k
                pinned = True
                continue
            left_out = max(left_out, out_s)
        if keep_all:
            kept_rows, kept_cols, size = _append(kept_rows, kept_cols, size, i, row_kept,
                                                 n_kept)
        else:
            for a in range(n_top):
                chosen[a] = top_c[a]
            chosen[n_top] = pin[i]
            n_chosen = n_top + 1 if pinned else n_top
            _sort(chosen, n_chosen)
            kept_rows, kept_cols, size = _append(kept_rows, kept_cols, size, i, chosen,
                                                 n_chosen)
        entry_rows, entry_cols, n_entries = _append(entry_rows, entry_cols, n_entries, i,
                                                    row_entries, n_row)
        counts[i, 0] = far
        counts[i, 1] = feasible
        counts[i, 2] = allowed
        counts[i, 3] = asks
        for a in range(n_ask):
            if a < n_asks:
                ask_col[i, a] = ask_c[a]
                ask_score[i, a] = ask_s[a]
            else:
                ask_col[i, a] = -1
                ask_score[i, a] = np.nan
        below[i] = best_below
        below_score[i] = best_below_s if best_below >= 0 else np.nan
        excluded[i] = best_ex
        excluded_score[i] = best_ex_s if best_ex >= 0 else np.nan
        pruned_best[i] = left_out
        if left_out > -np.inf:
            cut_score[i], cut_col[i] = top_s[k - 1], top_c[k - 1]
        else:
            cut_score[i], cut_col[i] = -np.inf, -1
    return (kept_rows[:size], kept_cols[:size], entry_rows[:n_entries],
            entry_cols[:n_entries])


@njit(cache=True, nogil=True)
def scan_pruned(
    score_p: np.ndarray,  # (n_b, n_profiles) and the constraint inputs as scan_block takes them
    profile_of: np.ndarray,
    places: np.ndarray,
    floor: np.ndarray,
    radius: np.ndarray,
    role_places: np.ndarray,
    role_hours: np.ndarray,
    hours_max: np.ndarray,
    lang_of: np.ndarray,
    lang_ok: np.ndarray,
    offer_of: np.ndarray,
    needs_ok: np.ndarray,
    min_score: float,
    columns: np.ndarray,  # (n_c,) int64, increasing: each column's role
    cut_score: np.ndarray,  # (n_b,) float64 and cut_role (n_b,) int64: the last of each row's
    cut_role: np.ndarray,  # top k as scan_block found it (its column's role), -1: none
    pin: np.ndarray,  # (n_b,) int64: the pinned column, as scan_block took it
    floor_row: np.ndarray,  # (n_b,) and floor_col (n_c,): which pruned cells to return
    floor_col: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The *pruned* cells of a block scoring above ``floor_row[i] + floor_col[j]`` (the
    certificate's candidates for a gain), (rows, columns) sorted by row and column.

    A pruned cell is allowed (as :func:`scan_block` says), not pinned, and ranked after the
    last of the row's top ``k``: a lower score, or the same score and a higher role. The scores
    are the first pass's to the bit, so this is exactly the set that pass left out, found
    without ranking anything again. The columns are visited profile by profile: a profile
    whose score for the seeker is under the lowest floor of its columns (with dual prices as
    floors, most of them), or that the seeker keeps whole, is passed over without looking at
    its columns, so the pass costs a fraction of the first.
    """
    n_b, n_c, n_p = score_p.shape[0], profile_of.shape[0], score_p.shape[1]
    # the block's columns grouped by profile, and each profile's lowest column floor
    start = np.zeros(n_p + 1, dtype=np.int64)
    low = np.full(n_p, np.inf)
    for j in range(n_c):
        start[profile_of[j] + 1] += 1
        low[profile_of[j]] = min(low[profile_of[j]], floor_col[j])
    for p in range(n_p):
        start[p + 1] += start[p]
    order = np.empty(n_c, dtype=np.int64)  # the columns by profile, each profile's ascending
    filled = start.copy()
    for j in range(n_c):
        order[filled[profile_of[j]]] = j
        filled[profile_of[j]] += 1
    found = np.empty(n_c, dtype=np.int64)
    n_pruned = 0
    pruned_rows = np.empty(64, dtype=np.int64)
    pruned_cols = np.empty(64, dtype=np.int64)
    for i in range(n_b):
        if cut_role[i] < 0:
            continue  # the row left nothing out
        row, fr, cs, cr = score_p[i], floor_row[i], cut_score[i], cut_role[i]
        hm, seeker, fl, rad = hours_max[i], places[i], floor[i], radius[i]
        lang_row, needs_row = lang_ok[i], needs_ok[i]
        n_found = 0
        for p in range(n_p):
            s = row[p]
            if (not s > fr + low[p]) | (s > cs) | (not ((s >= min_score) & (s > 0.0))):
                continue  # under every floor, kept whole, or not allowed
            for a in range(start[p], start[p + 1]):
                j = order[a]
                if (not s > fr + floor_col[j]) | ((s == cs) & (columns[j] <= cr)) | (j == pin[i]):
                    continue  # under its floor, or kept
                near, hours, language, needs = _tests(seeker, fl, rad, role_places, hm,
                                                      role_hours, lang_row, lang_of, needs_row,
                                                      offer_of, j)
                if near & hours & language & needs:
                    found[n_found] = j
                    n_found += 1
        _sort(found, n_found)
        pruned_rows, pruned_cols, n_pruned = _append(pruned_rows, pruned_cols, n_pruned, i,
                                                     found, n_found)
    return pruned_rows[:n_pruned], pruned_cols[:n_pruned]
