"""The encode stage's shortcuts against the plain definition: what is computed once per
distinct occupation or requirement row and spread to the rows must give every seeker and role
exactly (bit for bit, entry order and dtype included) what encoding it alone gives."""

from __future__ import annotations

from unittest import mock

import numpy as np
import polars as pl
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matcher.encode as encode
from matcher.encode import OccupationConcepts, encode_roles, encode_seekers, key_index, skill_space
from matcher.io import validate_roles, validate_seekers
from matcher.terms import ROLE_TERMS, SEEKER_TERMS, resolve_terms

# occupations (one ESCO occupation, and ISCO groups of one and of five occupations) and skills,
# some of them skills the bee breeder's occupation implies, so training changes its row
OCCUPATIONS = ["bee breeder", "cook", "warehouse worker", "baker", "6123", "5120"]
SKILLS = ["manage livestock", "breed insects", "process harvested honey", "bake goods",
          "operate forklift", "maintain beehives"]

_SLOW = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]


def _encode(tax, seekers: pl.DataFrame, roles: pl.DataFrame):
    s = validate_seekers(seekers, "seekers")
    r = validate_roles(roles, "roles")
    s_terms = resolve_terms(s, name="seekers", columns=SEEKER_TERMS, taxonomy=tax)
    r_terms = resolve_terms(r, name="roles", columns=ROLE_TERMS, taxonomy=tax)
    space = skill_space(tax, 0.5)
    concepts = OccupationConcepts(tax)
    langs, adapt = key_index([[]], [[]]), key_index([[]], [[]])
    sv = encode_seekers(s, s_terms, taxonomy=tax, space=space, concepts=concepts,
                        language_index=langs, adaptation_index=adapt,
                        default_max_distance_km=50.0)
    rv = encode_roles(r, r_terms, taxonomy=tax, space=space, concepts=concepts,
                      language_index=langs, adaptation_index=adapt)
    return sv, rv


def _row(m: sp.csr_array, i: int) -> tuple[list[int], bytes]:
    """Row ``i`` as stored: its columns and the bits of its values, in stored order (scipy
    picks the index dtype per matrix, so only the values of the indices count)."""
    lo, hi = m.indptr[i], m.indptr[i + 1]
    return m.indices[lo:hi].tolist(), m.data[lo:hi].tobytes()


def _pick(draw, items: list[str], most: int) -> str:
    return ";".join(draw(st.lists(st.sampled_from(items), max_size=most, unique=True)))


@st.composite
def _batch(draw) -> tuple[pl.DataFrame, pl.DataFrame]:
    n_seekers, n_roles = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    seekers = pl.DataFrame({
        "seeker_id": [f"S{i}" for i in range(n_seekers)],
        "experience": [_pick(draw, OCCUPATIONS, 3) for _ in range(n_seekers)],
        "skills": [_pick(draw, SKILLS, 3) for _ in range(n_seekers)],
    })
    roles = pl.DataFrame({
        "role_id": [f"R{j}" for j in range(n_roles)],
        "enterprise": ["E"] * n_roles,
        "slots": ["1"] * n_roles,
        # few occupations, so rows repeat; training and requirements make them differ
        "occupation": [draw(st.sampled_from(OCCUPATIONS[:2] + OCCUPATIONS[4:]))
                       for _ in range(n_roles)],
        "skills_required": [draw(st.sampled_from(["", "", "bake goods;manage livestock"]))
                            for _ in range(n_roles)],
        "skills_trained": [_pick(draw, SKILLS, 2) for _ in range(n_roles)],
    })
    return seekers, roles


def _same_seeker(a, i: int, b, k: int) -> None:
    assert _row(a.have, i) == _row(b.have, k)
    assert _row(a.covered, i) == _row(b.covered, k)


def _same_role(a, j: int, b, k: int) -> None:
    for name in ("need", "weight", "trained"):
        assert _row(getattr(a, name), j) == _row(getattr(b, name), k), name
    assert a.full_credit[j].tobytes() == b.full_credit[k].tobytes()


@settings(max_examples=4, deadline=None, suppress_health_check=_SLOW)
@given(batch=_batch(), data=st.data())
def test_each_row_encodes_as_in_any_other_batch(taxonomy, batch, data) -> None:
    """A seeker's or role's vectors do not depend on the rows around it: the batch, the batch
    in another order and one row alone give the same bits. Keying the shared requirement rows
    on the occupation alone (not on what the role trains) fails this."""
    seekers, roles = batch
    whole_s, whole_r = _encode(taxonomy, seekers, roles)
    s_order = data.draw(st.permutations(range(seekers.height)))
    r_order = data.draw(st.permutations(range(roles.height)))
    other_s, other_r = _encode(taxonomy, seekers[s_order], roles[r_order])
    for k, i in enumerate(s_order):
        _same_seeker(whole_s, i, other_s, k)
    for k, j in enumerate(r_order):
        _same_role(whole_r, j, other_r, k)
    i = data.draw(st.integers(0, seekers.height - 1))
    j = data.draw(st.integers(0, roles.height - 1))
    alone_s, alone_r = _encode(taxonomy, seekers[i:i + 1], roles[j:j + 1])
    _same_seeker(whole_s, i, alone_s, 0)
    _same_role(whole_r, j, alone_r, 0)


def test_a_role_that_trains_its_occupations_skill_keeps_its_own_row(taxonomy) -> None:
    """Two roles of one occupation, one training a skill that occupation implies: their
    requirement rows differ, and so do their weights."""
    roles = pl.DataFrame({"role_id": ["R1", "R2", "R3"], "enterprise": ["E"] * 3,
                          "slots": ["1"] * 3, "occupation": ["bee breeder"] * 3,
                          "skills_trained": ["", "breed insects", ""]})
    seekers = pl.DataFrame({"seeker_id": ["S1"]})
    _, rv = _encode(taxonomy, seekers, roles)
    _, alone = _encode(taxonomy, seekers, roles[1:2])
    assert _row(rv.need, 0) == _row(rv.need, 2) != _row(rv.need, 1)
    _same_role(rv, 1, alone, 0)
    assert rv.weight.nnz > 0 and _row(rv.weight, 0) != _row(rv.weight, 1)


def test_rows_that_share_a_hash_are_told_apart(taxonomy, monkeypatch) -> None:
    """Rows are grouped by a hash and then compared entry by entry: with every row hashing
    alike the roles encode exactly as before."""
    seekers = pl.DataFrame({"seeker_id": ["S1"]})
    # rows of one length with other entries, and a row that only repeats another
    roles = pl.DataFrame({"role_id": [f"R{j}" for j in range(6)], "enterprise": ["E"] * 6,
                          "slots": ["1"] * 6,
                          "occupation": ["cook", "bee breeder", "bee breeder", "baker", "cook",
                                         "cook"],
                          "skills_required": ["bake goods;manage livestock", "", "", "",
                                              "operate forklift;breed insects",
                                              "bake goods;manage livestock"],
                          "skills_trained": ["", "", "breed insects", "", "", ""]})
    _, honest = _encode(taxonomy, seekers, roles)
    monkeypatch.setattr(encode, "_row_hash", lambda m: np.zeros(m.shape[0], dtype=np.uint64))
    _, colliding = _encode(taxonomy, seekers, roles)
    for j in range(roles.height):
        _same_role(honest, j, colliding, j)


@st.composite
def _matrix(draw) -> sp.csr_array:
    """A small CSR matrix whose rows repeat, with empty rows, -0.0 beside 0.0, and rows of
    the same entries in another stored order."""
    pool = draw(st.lists(st.lists(st.tuples(st.integers(0, 5),
                                            st.sampled_from([0.0, -0.0, 0.5, 1.0, 2.5])),
                                  max_size=4, unique_by=lambda t: t[0]),
                         min_size=1, max_size=4))
    rows = draw(st.lists(st.integers(0, len(pool) - 1), min_size=1, max_size=12))
    flips = draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows)))
    cells = [pool[r][::-1] if flip else pool[r] for r, flip in zip(rows, flips, strict=True)]
    indptr = np.cumsum([0] + [len(c) for c in cells])
    indices = np.array([k for c in cells for k, _ in c], dtype=np.int32)
    data = np.array([v for c in cells for _, v in c], dtype=np.float64)
    return sp.csr_array((data, indices, indptr), shape=(len(cells), 6))


@settings(max_examples=60, deadline=None)
@given(m=_matrix(), collide=st.booleans())
def test_distinct_rows_against_a_dictionary_of_rows(m, collide: bool) -> None:
    """Each row equals its group's first row, bit for bit and in stored order, also when
    every row hashes alike; with an honest hash no two groups hold equal rows."""
    if collide:
        with mock.patch.object(encode, "_row_hash",
                               lambda m: np.zeros(m.shape[0], dtype=np.uint64)):
            first, inverse = encode._distinct_rows(m)
    else:
        first, inverse = encode._distinct_rows(m)
    stored = [(tuple(k), v) for k, v in (_row(m, i) for i in range(m.shape[0]))]
    assert len(set(stored)) <= len(first)
    if not collide:
        assert len({stored[f] for f in first.tolist()}) == len(first)  # every group once
    for i, g in enumerate(inverse.tolist()):
        assert stored[first[g]] == stored[i]
    taken = encode._take_rows(m, first[inverse])
    assert [(tuple(k), v) for k, v in (_row(taken, i) for i in range(m.shape[0]))] == stored
    assert taken.indices.dtype == m.indices.dtype and taken.indptr.dtype == m.indptr.dtype


@pytest.mark.parametrize("term", ["5120", "6123", "bee breeder"])
def test_occupation_skills_sum_in_order_like_the_plain_loop(taxonomy, term) -> None:
    """A group's implied skills are the mean of its occupations' rows, summed in the order of
    its occupations: the same bits as a running sum in Python."""
    res = taxonomy.resolve(term, "occupation")
    occ = taxonomy.occupation_skills
    total: dict[int, float] = {}
    for o in res.indices:
        for k, v in zip(occ.indices[occ.indptr[o]:occ.indptr[o + 1]].tolist(),
                        occ.data[occ.indptr[o]:occ.indptr[o + 1]].tolist(), strict=True):
            total[k] = total.get(k, 0.0) + float(v)
    cols, vals = encode._occupation_skills(taxonomy, res)
    assert cols.tolist() == sorted(total)
    assert vals.tolist() == [total[k] / len(res.indices) for k in sorted(total)]
