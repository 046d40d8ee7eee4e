"""Transfer similarity on the built-in taxonomy: its promised properties and pinned cases."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.taxonomy import Taxonomy, load_taxonomy
from matcher.taxonomy import similarity as sim
from matcher.taxonomy.similarity import carried_skills


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    # conftest keeps the cache (where the matrix is written once per session) out of the
    # user's home
    return load_taxonomy()


@pytest.fixture(scope="module")
def sample() -> np.ndarray:
    return np.random.default_rng(7).choice(3007, size=300, replace=False)


def occ(tax: Taxonomy, label: str) -> int:
    return tax.occupation_labels.index(label)


def test_bounds_symmetry_and_diagonal(tax: Taxonomy, sample: np.ndarray) -> None:
    s = tax.occupation_similarity(sample, sample)
    assert s.shape == (300, 300) and s.dtype == np.float64
    assert ((s >= 0.0) & (s <= 1.0)).all()
    assert np.array_equal(s, s.T)
    assert (s.diagonal() == 1.0).all()
    off = s[~np.eye(300, dtype=bool)]
    assert off.max() < 1.0


def test_rectangular_and_empty(tax: Taxonomy, sample: np.ndarray) -> None:
    left, right = sample[:40], sample[100:107]
    s = tax.occupation_similarity(left, right)
    assert s.shape == (40, 7)
    assert np.array_equal(s, tax.occupation_similarity(right, left).T)
    assert tax.occupation_similarity([], right).shape == (0, 7)
    with pytest.raises(IndexError, match="'right' parameter"):
        tax.occupation_similarity([0], [3007])


def test_each_occupation_is_its_own_nearest_neighbour(tax: Taxonomy) -> None:
    everything = tax.occupation_similarity(range(tax.n_occupations), range(tax.n_occupations))
    best = everything.argmax(axis=1)
    assert (best == np.arange(tax.n_occupations)).all()
    # strictly: no other occupation ties with the occupation itself
    second = np.sort(everything, axis=1)[:, -2]
    assert (second < 1.0).all()


def test_similar_occupations(tax: Taxonomy) -> None:
    bee = occ(tax, "bee breeder")
    ix, scores = tax.similar_occupations(bee, 20)
    assert ix.shape == scores.shape == (20,)
    assert bee not in ix.tolist()
    assert (np.diff(scores) <= 0).all()
    labels = {tax.occupation_labels[i] for i in ix}
    # bee breeder's neighbours are animal husbandry, first the hands-on work ...
    assert {"livestock worker", "shepherd", "animal care attendant"} <= labels
    assert not labels & {"software developer", "accountant", "dressmaker"}
    # ... then the other breeders
    wider = {tax.occupation_labels[i] for i in tax.similar_occupations(bee, 50)[0]}
    assert {"pig breeder", "sheep breeder", "fur animals breeder"} <= wider
    with pytest.raises(ValueError, match="'top' parameter"):
        tax.similar_occupations(bee, 0)


def test_the_hierarchy_lets_farming_reach_beekeeping(tax: Taxonomy) -> None:
    bee, crop, agro = (occ(tax, "bee breeder"), occ(tax, "crop production worker"),
                       occ(tax, "agronomist"))
    baseline = sim.baseline_similarity(tax)
    everything = tax.occupation_similarity([crop, agro], range(tax.n_occupations))
    for row, origin in enumerate((crop, agro)):
        others = np.delete(np.arange(tax.n_occupations), origin)
        rank_new = int((everything[row, others] > everything[row, bee]).sum())
        rank_old = int((baseline[origin, others] > baseline[origin, bee]).sum())
        rank_old = int((baseline[origin, others] >= baseline[origin, bee]).sum())
        # exact overlap: nothing shared between crop production worker and bee breeder
        assert rank_old > (2500 if origin == crop else 150)
        assert rank_new < (200 if origin == crop else 300)


def test_farming_ranks_above_unrelated_work(tax: Taxonomy) -> None:
    bee = occ(tax, "bee breeder")
    s = tax.occupation_similarity([bee], [occ(tax, "agronomist"), occ(tax, "software developer")])
    assert s[0, 0] > s[0, 1]


def test_carried_skills(tax: Taxonomy) -> None:
    agro, bee = occ(tax, "agronomist"), occ(tax, "bee breeder")
    carried = carried_skills(tax, agro, bee, 5)
    assert carried[:2] == ["manage livestock", "livestock species"]  # shared, rarest first
    assert len(carried) == 5 and "skills" not in carried and "knowledge" not in carried
    assert carried_skills(tax, agro, bee, 0) == []


def test_weights_are_declared_and_blend_checks_them(tax: Taxonomy) -> None:
    assert set(sim.TRANSFER_WEIGHTS) == {"skills", "text", "skill_text", "isco1", "isco4"}
    parts = {"skills": np.eye(3, dtype=np.float32)}
    with pytest.raises(ValueError, match="'weights' parameter of blend"):
        sim.blend(parts, {"skills": 0.0})
    out = sim.blend({"a": np.arange(9, dtype=np.float32).reshape(3, 3)}, {"a": 1.0})
    assert np.array_equal(out, out.T)


def test_spread_matrix_passes_half_to_each_level(tax: Taxonomy) -> None:
    spread = sim.spread_matrix(tax)
    child = int(np.flatnonzero(np.asarray(tax.skill_parents.sum(axis=1)).ravel() == 1)[0])
    parent = int(tax.skill_parents[child].indices[0])
    assert spread[child, child] == 1.0
    assert spread[child, parent] == pytest.approx(0.5)



def test_the_curve_is_calibrated_by_rank(tax: Taxonomy) -> None:
    """The documented meaning of the values: an origin's 3rd / 15th / 50th / 200th most similar
    occupation gets about 0.92 / 0.8 / 0.5 / 0.25 (medians over origins); a retrained ensemble
    without a re-set curve fails here."""
    everything = tax.occupation_similarity(range(tax.n_occupations), range(tax.n_occupations))
    np.fill_diagonal(everything, -1.0)
    ranked = -np.sort(-everything, axis=1)
    for rank, expected in ((3, 0.92), (15, 0.8), (50, 0.5), (200, 0.25)):
        assert float(np.median(ranked[:, rank - 1])) == pytest.approx(expected, abs=0.04), rank
    assert float(np.median(ranked[:, 1000])) < 0.03
