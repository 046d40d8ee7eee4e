"""The score stage's one pass over a block (matcher._scan.scan_block) and the certificate's pass
over what it left out (scan_pruned) against a plain reference that applies the definitions
cell by cell: counts, the best role of each kind, the top K allowed roles with a pinned one,
the pruned cells above the floors, and ties (scores drawn from a few values, so they are
many)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher._scan import merge_entries, reach_matrix, scan_block, scan_pruned, skill_product
from matcher.score import ASK_ROLES, _places, _reach_floor


def _case(seed: int, n_b: int, n_c: int, k: int) -> dict:
    rng = np.random.default_rng(seed)
    n_prof, n_lang, n_offer = 3, 2, 3

    def maybe_nan(x: np.ndarray, p: float) -> np.ndarray:
        return np.where(rng.random(x.shape) < p, np.nan, x)

    lat = maybe_nan(59.0 + rng.random(n_b), 0.2)
    role_lat = maybe_nan(59.0 + rng.random(n_c), 0.2)
    radius = np.where(np.isnan(lat), np.nan, rng.choice([5.0, 30.0, 80.0], n_b))
    places = _places(lat, 10.0 + rng.random(n_b))
    role_places = np.ascontiguousarray(_places(role_lat, 10.0 + rng.random(n_c)).T)
    return {
        "score_p": rng.choice([0.0, 0.2, 0.3, 0.5, 0.9], (n_b, n_prof)),
        "profile_of": rng.integers(0, n_prof, n_c),
        "places": places, "floor": _reach_floor(radius), "radius": radius,
        "role_places": role_places,
        "role_hours": maybe_nan(rng.choice([10.0, 20.0, 37.5], n_c), 0.3),
        "hours_max": maybe_nan(rng.choice([15.0, 30.0], n_b), 0.4),
        "lang_of": rng.integers(0, n_lang, n_c),
        "lang_ok": rng.random((n_b, n_lang)) < 0.8,
        "offer_of": rng.integers(0, n_offer, n_c),
        "needs_ok": rng.random((n_b, n_offer)) < 0.7,
        "min_score": float(rng.choice([0.0, 0.3])),
        "k": k,
        "pin": np.where(rng.random(n_b) < 0.4, rng.integers(0, max(n_c, 1), n_b), -1),
    }


def _floors(seed: int, n_b: int, n_c: int) -> tuple[np.ndarray, np.ndarray]:
    """Floors under which pruned cells are not listed (as dual prices would be)."""
    rng = np.random.default_rng(seed + 1)
    return rng.choice([-1.0, 0.0, 0.2], n_b), rng.choice([0.0, 0.1, 0.3, np.inf], n_c)


def _scan(c: dict, n_b: int, n_c: int, floors: tuple[np.ndarray, np.ndarray],
          col_floor: np.ndarray) -> dict:
    out = {
        "counts": np.zeros((n_b, 4), dtype=np.int64),
        "ask_col": np.full((n_b, ASK_ROLES), -1, dtype=np.int64),
        "ask_score": np.full((n_b, ASK_ROLES), np.nan),
        "below": np.full(n_b, -1, dtype=np.int64), "below_score": np.full(n_b, np.nan),
        "excluded": np.full(n_b, -1, dtype=np.int64), "excluded_score": np.full(n_b, np.nan),
        "excluded_by": np.zeros((n_b, 4), dtype=bool),
        "pruned_best": np.full(n_b, -np.inf),
        "cut_score": np.full(n_b, -np.inf), "cut_col": np.full(n_b, -1, dtype=np.int64),
    }
    rows, cols, e_rows, e_cols = scan_block(*c.values(), *out.values(), col_floor)
    assert np.array_equal(np.lexsort((e_cols, e_rows)), np.arange(e_rows.size))
    out["entry_rows"], out["entry_cols"] = e_rows, e_cols
    out["entries"] = np.zeros((n_b, n_c), dtype=bool)
    out["entries"][e_rows, e_cols] = True
    # the columns' roles: increasing, with gaps, as a block's columns are
    roles = np.cumsum(np.random.default_rng(n_c).integers(1, 4, n_c))
    cut_role = np.array([roles[j] if j >= 0 else -1 for j in out["cut_col"]], dtype=np.int64)
    cells = [v for key, v in c.items() if key not in ("k", "pin")]
    p_rows, p_cols = scan_pruned(*cells, roles, out["cut_score"], cut_role, c["pin"], *floors)
    out["pruned"] = np.zeros((n_b, n_c), dtype=bool)
    out["pruned"][p_rows, p_cols] = True
    assert np.array_equal(np.lexsort((p_cols, p_rows)), np.arange(p_rows.size))
    assert len(set(zip(p_rows.tolist(), p_cols.tolist(), strict=True))) == p_rows.size
    out["kept"] = np.zeros((n_b, n_c), dtype=bool)
    out["kept"][rows, cols] = True
    # sorted by row, then column, each cell once
    assert np.array_equal(np.lexsort((cols, rows)), np.arange(rows.size))
    assert len(set(zip(rows.tolist(), cols.tolist(), strict=True))) == rows.size
    return out


def _reference(c: dict, n_b: int, n_c: int, floors: tuple[np.ndarray, np.ndarray],
               col_floor: np.ndarray) -> dict:
    near = reach_matrix(c["places"], c["floor"], c["radius"], c["role_places"])
    out: dict = {key: [] for key in ("counts", "ask_col", "ask_score", "below", "below_score",
                                     "excluded", "excluded_score", "excluded_by", "kept",
                                     "pruned_best", "pruned", "cut_score", "cut_col",
                                     "entries")}
    for i in range(n_b):
        cells = []
        for j in range(n_c):
            s = c["score_p"][i, c["profile_of"][j]]
            checks = (bool(near[i, j]), not c["role_hours"][j] > c["hours_max"][i],
                      bool(c["lang_ok"][i, c["lang_of"][j]]),
                      bool(c["needs_ok"][i, c["offer_of"][j]]))
            cells.append((j, s, checks, s >= c["min_score"] and s > 0))
        by_rank = sorted(cells, key=lambda cell: (-cell[1], cell[0]))  # score down, column up
        feasible = [x for x in by_rank if all(x[2])]
        allowed = [x for x in feasible if x[3]]
        below = [x for x in feasible if not x[3]]
        outside = [x for x in by_rank if not all(x[2])]
        ask = [x for x in outside if all(x[2][:3]) and x[3]]
        out["counts"].append([sum(not x[2][0] for x in cells), len(feasible), len(allowed),
                              len(ask)])
        out["ask_col"].append([x[0] for x in ask[:ASK_ROLES]]
                              + [-1] * (ASK_ROLES - len(ask[:ASK_ROLES])))
        out["ask_score"].append([x[1] for x in ask[:ASK_ROLES]]
                                + [np.nan] * (ASK_ROLES - len(ask[:ASK_ROLES])))
        out["below"].append(below[0][0] if below else -1)
        out["below_score"].append(below[0][1] if below else np.nan)
        out["excluded"].append(outside[0][0] if outside else -1)
        out["excluded_score"].append(outside[0][1] if outside else np.nan)
        out["excluded_by"].append([not ok for ok in outside[0][2]] if outside else [False] * 4)
        k = c["k"]
        kept = allowed if k <= 0 or k >= n_c else allowed[:k] + [
            x for x in allowed[k:] if x[0] == c["pin"][i]]
        left = [x for x in allowed if x not in kept]
        out["kept"].append([any(x[0] == j for x in kept) for j in range(n_c)])
        out["pruned"].append([any(x[0] == j and x[1] > floors[0][i] + floors[1][j]
                                  for x in left) for j in range(n_c)])
        out["pruned_best"].append(left[0][1] if left else -np.inf)
        out["cut_score"].append(allowed[k - 1][1] if left else -np.inf)
        out["cut_col"].append(allowed[k - 1][0] if left else -1)
        out["entries"].append([col_floor.size > 0 and any(
            x[0] == j and x[1] >= col_floor[j] for x in allowed) for j in range(n_c)])
    return out


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_b=st.integers(1, 5), n_c=st.integers(0, 12),
       k=st.integers(0, 4), per_col=st.integers(0, 3))
def test_one_pass_equals_the_definitions_cell_by_cell(seed: int, n_b: int, n_c: int,
                                                      k: int, per_col: int) -> None:
    case, floors = _case(seed, n_b, n_c, k), _floors(seed, n_b, n_c)
    # what a row needs to enter a column's list: any allowed score, or more; or no lists
    col_floor = np.random.default_rng(seed + 2).choice([-np.inf, -np.inf, 0.3, 0.5], n_c)
    if per_col == 0:
        col_floor = np.zeros(0)
    got = _scan(case, n_b, n_c, floors, col_floor)
    want = _reference(case, n_b, n_c, floors, col_floor)
    for key, value in want.items():
        expected = np.asarray(value, dtype=got[key].dtype).reshape(got[key].shape)
        assert np.array_equal(got[key], expected, equal_nan=True), (key, got[key], expected)

    # the rows scanned in two blocks, the second listing only what can enter after the
    # first, and the entries merged give each column's top rows over every row (score down,
    # seeker up; the rows' seekers out of order, as a block's are), with the values carried
    # along (here ten times the score)
    if per_col == 0:
        return
    rng = np.random.default_rng(seed)
    seeker_id = rng.permutation(3 * n_b)[:n_b].astype(np.int64)
    allowed = [(case["score_p"][i, case["profile_of"][j]], int(seeker_id[i]), j)
               for i, j in zip(*np.nonzero(_scan(case, n_b, n_c, floors,
                                                 np.full(n_c, -np.inf))["entries"]),
                               strict=True)]
    split = rng.random(n_b) < 0.5
    roles = np.arange(n_c) * 2 + 1  # the block's columns are these roles of a larger batch
    top_s = np.full((2 * n_c + 1, per_col), -np.inf)
    top_id = np.full((2 * n_c + 1, per_col), -1, dtype=np.int64)
    top_v = np.zeros((2 * n_c + 1, per_col, 1))
    entry = np.full(2 * n_c + 1, -np.inf)
    for part in (split, ~split):
        sub = {key: (v[part] if key in _ROW_KEYS else v) for key, v in case.items()}
        one = _scan(sub, int(part.sum()), n_c, (floors[0][part], floors[1]), entry[roles])
        values = np.stack([sub["score_p"], sub["score_p"] * 10.0])
        merge_entries(top_s, top_id, top_v, entry, roles, one["entry_rows"], one["entry_cols"],
                      seeker_id[part], case["profile_of"], values)
    for j in range(n_c):
        best = sorted((x for x in allowed if x[2] == j), key=lambda x: (-x[0], x[1]))[:per_col]
        pad = per_col - len(best)
        assert top_s[roles[j]].tolist() == [x[0] for x in best] + [-np.inf] * pad
        assert top_id[roles[j]].tolist() == [x[1] for x in best] + [-1] * pad
        assert top_v[roles[j], :, 0].tolist() == [x[0] * 10.0 for x in best] + [0.0] * pad
        assert entry[roles[j]] == top_s[roles[j], -1]
    assert np.all(top_id[np.setdiff1d(np.arange(2 * n_c + 1), roles)] == -1)


#: the case's entries with one row per row of the block
_ROW_KEYS = ("score_p", "places", "floor", "radius", "hours_max", "lang_ok", "needs_ok", "pin")


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 8), m=st.integers(1, 30),
       p=st.integers(1, 6))
def test_skill_product_equals_scipys_to_the_bit(seed: int, n: int, m: int, p: int) -> None:
    """The same terms summed in the same order as scipy's sparse product, so the scores (and
    every tie and threshold after them) are those of ``(A[rows] @ W).toarray()``."""
    rng = np.random.default_rng(seed)
    a = sp.random_array((n, m), density=0.4, rng=rng, format="csr")
    w = sp.random_array((m, p), density=0.4, rng=rng, format="csr")
    rows = rng.integers(0, n, rng.integers(0, 2 * n))
    got = skill_product(rows, a.indptr, a.indices, a.data, w.indptr, w.indices, w.data, p)
    assert np.array_equal(got, (a[rows] @ w).toarray())
