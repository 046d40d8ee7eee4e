"""The transfer re-ranker: its numpy trees against scikit-learn, its features against brute
force, the symmetric candidate scores, and the shipped ensemble against its training script."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.ensemble import HistGradientBoostingClassifier

from matcher._build import train_transfer as train
from matcher.taxonomy import Taxonomy, load_taxonomy, rerank
from matcher.taxonomy import similarity as sim

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
PAIRS = SHARED_DATA / "benchmarks" / "transfer-pairs-dev.csv"


def _fitted(seed: int, n_features: int = 6, **kw: object) -> tuple[object, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(3000, n_features)).astype(np.float32)
    x[:, 0] = np.round(x[:, 0], 1)  # ties at thresholds: "<=" must go left
    logit = x[:, 0] + x[:, 1] * x[:, 2] - 0.5 * (x[:, 3] > 0.3)
    y = rng.random(3000) < 1 / (1 + np.exp(-logit))
    params = {"max_iter": 30, "max_depth": 4, "random_state": 0, "early_stopping": False}
    params.update(kw)
    model = HistGradientBoostingClassifier(**params).fit(x, y)  # type: ignore[arg-type]
    return model, rng.normal(size=(2000, n_features)).astype(np.float32)


@pytest.mark.parametrize("seed, kw", [(0, {}), (1, {"max_depth": None, "max_leaf_nodes": 9}),
                                      (2, {"learning_rate": 0.5})])
def test_forest_scores_exactly_as_scikit_learn(seed: int, kw: dict[str, object]) -> None:
    model, x = _fitted(seed, **kw)
    x[:, 0] = np.round(x[:, 0], 1)
    names = [f"f{i}" for i in range(x.shape[1])]
    forest = rerank.Forest.from_sklearn(model, names)
    expected = model.decision_function(x)  # type: ignore[attr-defined]
    got = forest.decision(np.ascontiguousarray(x.T), block=777)  # blocks must not matter
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)


def test_forest_round_trips_through_npz(tmp_path: Path) -> None:
    model, x = _fitted(3)
    forest = rerank.Forest.from_sklearn(model, [f"f{i}" for i in range(6)])
    path = tmp_path / "forest.npz"
    forest.save(path)
    again = rerank.Forest.load(path)
    assert (again.feature_names, again.baseline, again.trained_with) == (
        forest.feature_names, forest.baseline, forest.trained_with)
    assert again.trained_with  # provenance is recorded
    np.testing.assert_array_equal(again.decision(x.T), forest.decision(x.T))
    assert [p.name for p in tmp_path.iterdir()] == ["forest.npz"]  # no temporary left behind


def test_forest_refuses_what_it_cannot_represent() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 3))
    multi = HistGradientBoostingClassifier(max_iter=3).fit(x, rng.integers(0, 3, 300))
    with pytest.raises(ValueError, match="binary"):
        rerank.Forest.from_sklearn(multi, ["a", "b", "c"])
    model, _ = _fitted(4)
    forest = rerank.Forest.from_sklearn(model, [f"f{i}" for i in range(6)])
    with pytest.raises(ValueError, match="must be an array of 6 rows"):
        forest.decision(np.zeros((5, 10), dtype=np.float32))


@settings(max_examples=25, deadline=None)
@given(st.integers(3, 40), st.integers(1, 12), st.integers(0, 2**31 - 1))
def test_candidate_pairs_are_everyones_top_k(n: int, k: int, seed: int) -> None:
    m = np.random.default_rng(seed).normal(size=(n, n)).astype(np.float32)
    m = (m + m.T) / 2
    lo, hi = rerank.candidate_pairs(m, k)
    expected = set()
    for i in range(n):
        order = [j for j in np.argsort(-m[i], kind="stable") if j != i][:k]
        expected |= {(min(i, j), max(i, j)) for j in order}
    assert set(zip(lo.tolist(), hi.tolist(), strict=True)) == expected
    assert (lo < hi).all() and len(set(zip(lo.tolist(), hi.tolist(), strict=True))) == lo.size


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return load_taxonomy()


@pytest.fixture(scope="module")
def ctx(tax: Taxonomy) -> train.Context:
    return train.Context.build(tax)


def test_features_against_brute_force(tax: Taxonomy, ctx: train.Context) -> None:
    rng = np.random.default_rng(5)
    rows = rng.integers(0, tax.n_occupations, 40)
    cols = rng.integers(0, tax.n_occupations, 40)
    x = ctx.features(rows, cols)
    assert x.shape == (len(rerank.FEATURES), 40) and x.dtype == np.float32
    col = {name: x[i] for i, name in enumerate(rerank.FEATURES)}
    blend = ctx.blend.astype(np.float64)
    for k, (i, j) in enumerate(zip(rows.tolist(), cols.tolist(), strict=True)):
        others = np.delete(np.arange(tax.n_occupations), i)
        row = blend[i, others]
        order = others[np.argsort(-row, kind="stable")]
        if i != j:
            assert col["log_rank"][k] == pytest.approx(np.log1p(int(np.flatnonzero(order == j)[0])))
        mine = set(order[:rerank.SHARED].tolist())
        theirs = set(np.delete(np.arange(tax.n_occupations), j)[
            np.argsort(-np.delete(blend[j], j), kind="stable")][:rerank.SHARED].tolist())
        assert col[f"shared_top{rerank.SHARED}"][k] == len(mine & theirs)
        znb = np.array([(blend[p] - np.delete(blend[p], p).mean()) / np.delete(blend[p], p).std()
                        for p in order[:10]])
        zj = znb[:, j].copy()
        zj[order[:10] == j] = 0.0  # the standardised diagonal is 0
        assert col["knn10"][k] == pytest.approx(zj.mean(), abs=1e-4)
        assert col["blend"][k] == pytest.approx(blend[i, j], abs=1e-6)
        same4 = tax.occupation_isco[i] == tax.occupation_isco[j]
        assert col["same_isco4"][k] == float(same4)
        if i != j:
            assert col["skills"][k] == pytest.approx(
                (ctx.parts["skills"][i, j] - np.delete(ctx.parts["skills"][i], i).mean())
                / np.delete(ctx.parts["skills"][i], i).std(), abs=1e-3)


def test_rerank_scores_are_symmetric_and_candidates_come_first(ctx: train.Context) -> None:
    forest = rerank.Forest.load(rerank.MODEL_PATH)
    score = rerank.rerank_scores(ctx.features, forest, k=20)
    assert np.array_equal(score, score.T)
    assert np.isposinf(score.diagonal()).all()
    lo, hi = rerank.candidate_pairs(ctx.blend, 20)
    cand = np.zeros(score.shape, dtype=bool)
    cand[lo, hi] = cand[hi, lo] = True
    for i in np.random.default_rng(1).choice(score.shape[0], 50, replace=False):
        inside, outside = score[i, cand[i]], score[i, ~cand[i]]
        outside = outside[np.isfinite(outside)]
        assert inside.min() > outside.max()
        # outside the candidates the first stage decides the order
        blend_out = ctx.blend[i, ~cand[i] & (np.arange(score.shape[0]) != i)]
        order = np.argsort(blend_out, kind="stable")
        assert (np.diff(outside[order]) >= 0).all()
    # a candidate pair scores the mean of both directions
    x_fwd, x_bwd = ctx.features(lo[:5], hi[:5]), ctx.features(hi[:5], lo[:5])
    mean = (forest.decision(x_fwd) + forest.decision(x_bwd)) / 2
    np.testing.assert_allclose(score[lo[:5], hi[:5]], mean.astype(np.float32), rtol=1e-6)


def test_an_ensemble_of_other_features_is_refused(ctx: train.Context) -> None:
    model, _ = _fitted(6)
    stale = rerank.Forest.from_sklearn(model, [f"f{i}" for i in range(6)])
    with pytest.raises(ValueError, match="retrain it with python -m"):
        rerank.rerank_scores(ctx.features, stale)


def test_the_curve_is_monotone_and_below_one() -> None:
    knots = np.array(sim.TRANSFER_CURVE)
    assert (np.diff(knots[:, 0]) > 0).all() and (np.diff(knots[:, 1]) > 0).all()
    assert knots[0, 1] >= 0.0 and knots[-1, 1] < 1.0


@pytest.mark.artefacts
@pytest.mark.skipif(not PAIRS.exists(), reason=f"the reference pairs are not at {PAIRS}")
def test_the_shipped_ensemble_is_what_the_training_script_builds(ctx: train.Context,
                                                                tax: Taxonomy) -> None:
    import sklearn

    shipped = rerank.Forest.load(rerank.MODEL_PATH)
    if shipped.trained_with != sklearn.__version__:
        pytest.skip(f"the shipped ensemble was trained with scikit-learn {shipped.trained_with}, "
                    f"this is {sklearn.__version__}: trees may differ")
    pairs = train.load_pairs(PAIRS, tax)
    rebuilt = train.fit(ctx, pairs)
    assert rebuilt.feature_names == shipped.feature_names == rerank.FEATURES
    for field in ("feature", "left", "right", "roots"):
        np.testing.assert_array_equal(getattr(rebuilt, field), getattr(shipped, field))
    np.testing.assert_allclose(rebuilt.threshold, shipped.threshold, rtol=1e-12)
    np.testing.assert_allclose(rebuilt.value, shipped.value, rtol=1e-9, atol=1e-12)


def test_folds_keep_occupations_of_one_onet_code_together() -> None:
    import types

    import polars as pl

    uris = [f"u{i}" for i in range(8)]
    tax = types.SimpleNamespace(occupation_uris=uris)
    pairs = pl.DataFrame({"o": [0, 1, 2, 3], "t": [4, 5, 6, 0],
                          "onet_origin": ["11-1011.00", "11-1011.00", "47-2031.01", "29-1141.00"],
                          "onet_target": ["13-2011.00", "13-2011.00", "47-2111.00", "11-1011.00"]})
    folds = train.occupation_folds(tax, pairs)  # type: ignore[arg-type]
    import zlib

    def by(code: str) -> int:
        return zlib.crc32(code.encode()) % 2

    assert folds[0] == folds[1] == by("11-1011.00")  # same O*NET code, same fold
    assert folds[4] == folds[5] == by("13-2011.00")
    assert folds[3] == by("11-1011.00")  # the smallest of its codes (as origin or target)
    assert folds[7] == by("u7")  # never named: its URI decides
    assert set(folds.tolist()) <= {0, 1}


def test_training_never_sees_uncovered_candidates(ctx: train.Context) -> None:
    import polars as pl

    origins = np.array([10, 20, 30])
    allowed = np.zeros(ctx.tax.n_occupations, dtype=bool)
    allowed[::3] = True
    top = rerank._top(ctx.blend, rerank.CANDIDATES)[origins]
    pairs = pl.DataFrame({"o": [10, 10], "t": [int(top[0, 0]), int(top[0, 1])],
                          "onet_tier": ["Primary-Short", "Supplemental"]})
    x, y, w = train._training_rows(ctx, pairs, origins, allowed)
    assert x.shape == (int(allowed[top].sum()), len(rerank.FEATURES))
    expected = {(10, int(c)): {"Primary-Short": 1.0, "Supplemental": 0.25}[tier]
                for c, tier in zip(top[0, :2], ("Primary-Short", "Supplemental"), strict=True)
                if allowed[c]}
    assert int(y.sum()) == len(expected)
    assert sorted(w[y].tolist()) == sorted(expected.values())
    assert (w[~y] == 1.0).all()


def test_training_script_names_a_bad_pairs_file(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "pairs.csv"
    bad.write_text("origin,target\nx,y\n", encoding="utf-8")
    out = tmp_path / "model.npz"
    for path, expected in ((bad, 'unable to find column "origin_uri"'),
                           (tmp_path / "missing.csv", "No such file")):
        with pytest.raises(SystemExit) as stop:
            train.main(["--pairs", str(path), "--out", str(out)])
        assert stop.value.code == 2
        err = capsys.readouterr().err
        assert f"cannot read the pairs file '{path}'" in err and expected in err
        assert "Traceback" not in err
    assert not out.exists()


def test_float32_features_meet_float64_thresholds_exactly() -> None:
    # one stump at 0.1: float32(0.1) is 0.100000001..., above the threshold, so it goes right,
    # while the largest float32 below it goes left, in float32 as in float64
    stump = rerank.Forest(feature_names=("f",), feature=np.array([0, -1, -1], dtype=np.int32),
                          threshold=np.array([0.1, 0.0, 0.0]),
                          left=np.array([1, -1, -1], dtype=np.int32),
                          right=np.array([2, -1, -1], dtype=np.int32),
                          value=np.array([0.0, -1.0, 1.0]), roots=np.array([0], dtype=np.int32),
                          baseline=0.0)
    x32 = np.array([[np.float32(0.1), np.nextafter(np.float32(0.1), np.float32(0))]],
                   dtype=np.float32)
    np.testing.assert_array_equal(stump.decision(x32), [1.0, -1.0])
    np.testing.assert_array_equal(stump.decision(x32.astype(np.float64)), [1.0, -1.0])
