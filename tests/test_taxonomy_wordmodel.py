"""The resolver's word model: its TF-IDF and ridge weights against scikit-learn, its cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.taxonomy import wordmodel
from matcher.taxonomy.wordmodel import fit_word_model, load_word_model, word_features

HEADS = frozenset({"arbeider", "sjåfør", "lærling", "renholder", "elektriker"})
ROWS = [
    ("renholder", "", 0, 1.0), ("renholdsarbeider", "", 0, 1.0), ("renholder", "skole", 0, 6.0),
    ("gårdsarbeider", "", 1, 1.0), ("landbruksarbeider", "", 1, 1.0),
    ("lastebilsjåfør", "", 2, 1.0), ("bussjåfør", "", 2, 6.0), ("sjåfør", "buss", 2, 6.0),
    ("lærling", "elektriker", 3, 6.0), ("elektriker", "", 3, 1.0), ("lærling", "baker", 4, 6.0),
    ("baker", "", 4, 1.0), ("konditor", "", 4, 1.0),
]


def test_features_split_a_compound_at_its_longest_known_head() -> None:
    assert word_features("renholdsarbeider", "", HEADS) == [
        "w:renholdsarbeider", "h:arbeider", "m:renholds"]
    assert word_features("lærling", "elektriker", HEADS) == ["w:lærling", "q:elektriker"]
    # a head must leave a modifier: the word itself is no compound
    assert word_features("sjåfør", "", HEADS) == ["w:sjåfør"]


def _unpruned(monkeypatch: pytest.MonkeyPatch) -> wordmodel.WordModel:
    monkeypatch.setattr(wordmodel, "WORD_PRUNE", 0.0)
    return fit_word_model(ROWS, 5, HEADS)


def test_the_tfidf_is_scikit_learns(monkeypatch: pytest.MonkeyPatch) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    model = _unpruned(monkeypatch)
    docs = [word_features(b, q, HEADS) for b, q, _, _ in ROWS]
    reference = TfidfVectorizer(analyzer=lambda d: d, sublinear_tf=True).fit(docs)
    assert model.vocabulary == reference.vocabulary_
    np.testing.assert_allclose(model.idf, reference.idf_)
    pairs = [(b, q) for b, q, _, _ in ROWS] + [("renholder renholder", "buss"), ("xyz", "")]
    np.testing.assert_allclose(
        model.transform(pairs).toarray(),
        reference.transform([word_features(b, q, HEADS) for b, q in pairs]).toarray(),
        atol=1e-12)


def test_the_weights_are_scikit_learns_ridge(monkeypatch: pytest.MonkeyPatch) -> None:
    from sklearn.linear_model import Ridge

    model = _unpruned(monkeypatch)
    x = model.transform([(b, q) for b, q, _, _ in ROWS])
    y = np.eye(5)[[g for _, _, g, _ in ROWS]]
    ridge = Ridge(alpha=wordmodel.WORD_ALPHA, fit_intercept=False, solver="cholesky").fit(
        x.toarray(), y, sample_weight=[w for *_, w in ROWS])
    np.testing.assert_allclose(model.weights.toarray(), ridge.coef_.T, atol=2e-4)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["renholder", "sjåfør", "baker", "lærling", "arbeider",
                                 "gårds", "buss", "elektriker", "skole"]),
                min_size=1, max_size=4),
       st.sampled_from(["", "skole", "baker", "buss"]))
def test_a_title_scores_highest_for_its_own_group_when_it_was_taught(words: list[str],
                                                                      qualifier: str) -> None:
    model = fit_word_model(ROWS, 5, HEADS)
    scores = model.scores([(" ".join(words), qualifier)])
    assert scores.shape == (1, 5) and np.isfinite(scores).all()
    taught = model.scores([(b, q) for b, q, _, _ in ROWS])
    assert (taught.argmax(axis=1) == [g for _, _, g, _ in ROWS]).mean() >= 0.9


def test_the_model_is_cached_by_its_rows_and_a_damaged_entry_is_fitted_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
        ) -> None:
    monkeypatch.setenv("MATCHER_CACHE_DIR", str(tmp_path))
    fits: list[int] = []
    fit = wordmodel.fit_word_model
    monkeypatch.setattr(wordmodel, "fit_word_model",
                        lambda *args: fits.append(1) or fit(*args))
    first = load_word_model(ROWS, 5, HEADS)
    entries = list((tmp_path / "taxonomy").glob("words-*.npz"))
    assert len(entries) == 1 and fits == [1]
    again = load_word_model(ROWS, 5, HEADS)
    assert fits == [1] and again.vocabulary == first.vocabulary and again.heads == HEADS
    assert (again.weights != first.weights).nnz == 0
    # other training rows (another fold's titles) are another model, never this one
    load_word_model(ROWS[:-1], 5, HEADS)
    assert fits == [1, 1] and len(list((tmp_path / "taxonomy").glob("words-*.npz"))) == 2
    entries[0].write_bytes(entries[0].read_bytes()[:200])
    repaired = load_word_model(ROWS, 5, HEADS)
    assert "damaged word model" in caplog.text
    assert fits == [1, 1, 1] and (repaired.weights != first.weights).nnz == 0

