"""The encode stage against brute force: what a seeker brings, what a role asks, and how the
credit spreads up ESCO's skill hierarchy (transferable skills)."""

from __future__ import annotations

from collections import deque

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.encode import OccupationConcepts, encode_roles, encode_seekers, key_index, skill_space
from matcher.io import validate_roles, validate_seekers
from matcher.terms import ROLE_TERMS, SEEKER_TERMS, resolve_terms

DECAY = 0.5
OCCUPATIONS = ["agronomist", "bee breeder", "cook", "barista", "warehouse worker",
               "sewing machinist", "crop production worker", "baker"]
SKILLS = ["manage livestock", "breed insects", "process harvested honey", "bake goods",
          "operate forklift", "sew pieces of fabric"]


def _ancestors(tax, skill: int) -> dict[int, int]:
    """Every broader node of ``skill`` with the length of its shortest path (0 for itself)."""
    parents = tax.skill_parents.tocsr()
    depth = {skill: 0}
    queue = deque([skill])
    while queue:
        node = queue.popleft()
        for parent in parents.indices[parents.indptr[node]:parents.indptr[node + 1]].tolist():
            if parent not in depth:
                depth[parent] = depth[node] + 1
                queue.append(parent)
    return depth


def _spread(tax, have: dict[int, float], *, cap: bool) -> dict[int, float]:
    out: dict[int, float] = {}
    for skill, credit in have.items():
        for node, d in _ancestors(tax, skill).items():
            out[node] = out.get(node, 0.0) + credit * DECAY**d
    return {k: min(v, 1.0) if cap else v for k, v in out.items()}


def _occupation_skills(tax, label: str) -> dict[int, float]:
    occ = tax.resolve(label, "occupation").indices
    rows = tax.occupation_skills.tocsr()
    total: dict[int, float] = {}
    for o in occ:
        for k, v in zip(rows.indices[rows.indptr[o]:rows.indptr[o + 1]].tolist(),
                        rows.data[rows.indptr[o]:rows.indptr[o + 1]].tolist(), strict=True):
            total[k] = total.get(k, 0.0) + v
    return {k: v / len(occ) for k, v in total.items()}


def _encode(tax, seekers: pl.DataFrame, roles: pl.DataFrame):
    s = validate_seekers(seekers, "seekers")
    r = validate_roles(roles, "roles")
    s_terms = resolve_terms(s, name="seekers", columns=SEEKER_TERMS, taxonomy=tax)
    r_terms = resolve_terms(r, name="roles", columns=ROLE_TERMS, taxonomy=tax)
    space = skill_space(tax, DECAY)
    concepts = OccupationConcepts(tax)
    langs = key_index([[]], [[]])
    adapt = key_index([[]], [[]])
    sv = encode_seekers(s, s_terms, taxonomy=tax, space=space, concepts=concepts,
                        language_index=langs, adaptation_index=adapt,
                        default_max_distance_km=50.0)
    rv = encode_roles(r, r_terms, taxonomy=tax, space=space, concepts=concepts,
                      language_index=langs, adaptation_index=adapt)
    return sv, rv, space


def _row(matrix, i: int) -> dict[int, float]:
    m = matrix.tocsr()
    lo, hi = m.indptr[i], m.indptr[i + 1]
    return dict(zip(m.indices[lo:hi].tolist(), m.data[lo:hi].tolist(), strict=True))


def _close(got: dict[int, float], want: dict[int, float]) -> None:
    # a node every occupation reaches has IDF 0: stored or not, it weighs nothing
    assert {k for k, v in got.items() if v != 0} == {k for k, v in want.items() if v != 0}
    for k, v in want.items():
        assert got.get(k, 0.0) == pytest.approx(v, rel=1e-12), k


@settings(max_examples=15, deadline=None)
@given(past=st.lists(st.sampled_from(OCCUPATIONS), max_size=3, unique=True),
       listed=st.lists(st.sampled_from(SKILLS), max_size=3, unique=True))
def test_a_seeker_brings_listed_and_implied_skills_spread_up(taxonomy, past, listed) -> None:
    seekers = pl.DataFrame({"seeker_id": ["S1"], "experience": [";".join(past)],
                            "skills": [";".join(listed)]})
    roles = pl.DataFrame({"role_id": ["R1"], "enterprise": ["E"], "slots": ["1"]})
    sv, _, _ = _encode(taxonomy, seekers, roles)
    want: dict[int, float] = {}
    for label in past:  # an occupation implies its skills: essential 1.0, optional 0.5
        for k, v in _occupation_skills(taxonomy, label).items():
            want[k] = max(want.get(k, 0.0), v)
    for label in listed:  # a listed skill counts in full
        want[taxonomy.resolve(label, "skill").indices[0]] = 1.0
    _close(_row(sv.have, 0), want)
    _close(_row(sv.covered, 0), _spread(taxonomy, want, cap=True))


@pytest.mark.parametrize("required, trained", [
    ("", ""), ("", "breed insects;process harvested honey"), ("manage livestock;bake goods", ""),
    ("manage livestock;breed insects", "breed insects"),
])
def test_a_role_asks_its_untrained_requirements_weighted_by_idf(taxonomy, required,
                                                                 trained) -> None:
    roles = pl.DataFrame({"role_id": ["R1"], "enterprise": ["E"], "slots": ["1"],
                          "occupation": ["bee breeder"], "skills_required": [required],
                          "skills_trained": [trained]})
    seekers = pl.DataFrame({"seeker_id": ["S1"]})
    _, rv, space = _encode(taxonomy, seekers, roles)
    taught = {taxonomy.resolve(t, "skill").indices[0] for t in trained.split(";") if t}
    if required:
        need = {taxonomy.resolve(t, "skill").indices[0]: 1.0 for t in required.split(";")}
    else:  # no requirements listed: the occupation's own skills
        need = _occupation_skills(taxonomy, "bee breeder")
    need = {k: v for k, v in need.items() if k not in taught}
    _close(_row(rv.need, 0), need)
    _close(_row(rv.trained, 0), dict.fromkeys(taught, 1.0))
    weight = {k: v * space.idf[k] for k, v in _spread(taxonomy, need, cap=False).items()}
    _close(_row(rv.weight, 0), weight)
    covered = _spread(taxonomy, need, cap=True)
    assert rv.full_credit[0] == pytest.approx(sum(w * covered[k] for k, w in weight.items()))


def test_encoding_is_separable_per_seeker(taxonomy) -> None:
    """A block of seekers encodes exactly as the same rows of the whole caseload."""
    rng = np.random.default_rng(7)
    seekers = pl.DataFrame({
        "seeker_id": [f"S{i}" for i in range(12)],
        "experience": [";".join(rng.choice(OCCUPATIONS, size=rng.integers(0, 3), replace=False))
                       for _ in range(12)],
        "skills": [";".join(rng.choice(SKILLS, size=rng.integers(0, 3), replace=False))
                   for _ in range(12)],
    })
    roles = pl.DataFrame({"role_id": ["R1"], "enterprise": ["E"], "slots": ["1"]})
    whole, _, _ = _encode(taxonomy, seekers, roles)
    part, _, _ = _encode(taxonomy, seekers[5:9], roles)
    for i in range(4):
        assert _row(part.covered, i) == _row(whole.covered, 5 + i)
        assert _row(part.have, i) == _row(whole.have, 5 + i)
