"""The audit's metrics against the reference values of independent implementations
(../shared/docs/FAIRNESS.md): fairlearn, AIF360, tableone / Hedges, scipy's exact tests,
Singh & Joachims exposure and the FA*IR tables."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.audit import metrics, ranking

Y_TRUE = [0, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1]
Y_PRED = [0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0]
GROUP = list("bbabbcccaacabccbcc")


def test_fairlearn_selection_rates_by_group() -> None:
    rates = metrics.group_rates(Y_PRED, GROUP)
    assert {k: (round(r, 6), n) for k, (r, n) in rates.items()} == {
        "a": (0.75, 4), "b": (0.5, 6), "c": (0.5, 8)}
    overall = metrics.selection_rate(Y_PRED)
    assert overall == pytest.approx(0.555556, abs=1e-6)
    diff, ratio = metrics.parity([r for r, _ in rates.values()])
    assert (diff, ratio) == (pytest.approx(0.25), pytest.approx(0.666667, abs=1e-6))
    diff, ratio = metrics.parity_to_overall([r for r, _ in rates.values()], overall)
    assert diff == pytest.approx(0.194444, abs=1e-6)
    assert ratio == pytest.approx(0.740741, abs=1e-6)


def test_fairlearn_equalized_odds() -> None:
    assert metrics.equalized_odds(Y_TRUE, Y_PRED, GROUP) == (pytest.approx(1.0),
                                                             pytest.approx(0.0))


def test_fairlearn_selection_rate() -> None:
    assert metrics.selection_rate([0, 0, 0, 1, 1, 1, 1, 1]) == 0.625
    assert metrics.selection_rate([0, 1, 1, 0, 0, 0, 0, 0], [1, 2, 3, 4, 1, 2, 1, 2]) == 0.3125
    with pytest.raises(ValueError, match="empty input"):
        metrics.selection_rate([])


def test_aif360_counts() -> None:
    rate_u = 9585 / (9585 + 1177)
    rate_p = 15119 / (15119 + 6660)
    assert rate_u - rate_p == pytest.approx(0.19643287553870947, abs=1e-15)
    ratio, _, _ = metrics.katz_ratio_interval(9585, 9585 + 1177, 15119, 15119 + 6660)
    assert round(ratio, 4) == 1.2830


def test_aif360_generalized_entropy() -> None:
    b = [1, 1, 1.25, 1.25, 1.25, 1.25, 0.75, 0.75, 0.75, 0.75]
    assert metrics.generalized_entropy(b, alpha=2) == pytest.approx(0.025, abs=1e-12)


def test_tableone_hedges_smd() -> None:
    r = metrics.smd(100, 4.5, 50, 103, 5.5, 50)
    assert round(r.smd, 4) == -0.5970
    assert round(r.se, 4) == 0.2044
    assert round(r.hedges, 4) == -0.5924
    assert round(r.hedges_se, 4) == 0.2028
    assert round(metrics.binary_smd(0.3, 0.2), 5) == 0.23250


def test_disagreeing_tests_fixture() -> None:
    ratio, low, high = metrics.katz_ratio_interval(21, 50, 48, 80)
    assert round(ratio, 2) == 0.70
    assert ratio < metrics.FOUR_FIFTHS  # the four-fifths flag is raised ...
    assert (round(low, 4), round(high, 4)) == (0.4827, 1.0151)  # ... but the interval holds 1
    z, _ = metrics.two_proportion_z(48, 80, 21, 50)
    assert round(z, 4) == 2.0007
    exact = metrics.exact_tests(48, 80, 21, 50)
    assert round(exact.fisher, 4) == 0.0495
    assert round(exact.boschloo, 5) == 0.04999
    assert round(exact.barnard, 5) == 0.04843


def test_small_table_fixture() -> None:
    ratio, _, _ = metrics.katz_ratio_interval(2, 3, 3, 3)
    assert round(ratio, 3) == 0.667
    z, p = metrics.two_proportion_z(3, 3, 2, 3)
    assert round(z, 4) == 1.0954
    assert p > 0.05
    assert metrics.exact_tests(3, 3, 2, 3).fisher == pytest.approx(1.0)


def test_wilson_interval() -> None:
    # Wilson (1927) / Newcombe (1998) example: 81 of 263 -> [0.2553, 0.3662]
    low, high = metrics.wilson_interval(81, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)


def test_exposure_singh_joachims() -> None:
    rel = [0.82, 0.81, 0.80, 0.79, 0.78, 0.77]
    r = ranking.exposure_by_group([1, 2, 3, 4, 5, 6], list("MMMWWW"), rel)
    assert round(r["M"]["exposure"], 6) == 0.710310
    assert round(r["W"]["exposure"], 6) == 0.391246
    assert round(r["W"]["exposure"] / r["M"]["exposure"], 6) == 0.550810
    assert round(r["M"]["exposure_per_fit"], 6) == 0.876926
    assert round(r["W"]["exposure_per_fit"], 6) == 0.501597
    assert round(r["W"]["exposure_per_fit"] / r["M"]["exposure_per_fit"], 6) == 0.571995


def test_fair_minimum_tables() -> None:
    assert ranking.fair_minimum_table(10, 0.2, 0.15) == [0, 0, 0, 0, 0, 0, 0, 0, 1, 1]
    assert ranking.fair_minimum_table(20, 0.25, 0.1) == [0] * 8 + [1] * 6 + [2] * 5 + [3]


def test_fair_prefix_check() -> None:
    # 20 candidates, a quarter protected, all at the bottom: the 9th prefix is already short
    assert ranking.fair_prefix_check([0] * 15 + [1] * 5, 0.25, 0.1) == 9
    assert ranking.fair_prefix_check([1, 0, 0, 0] * 5, 0.25, 0.1) is None


@pytest.mark.parametrize(("method", "name"), [("holm", "holm"), ("bh", "fdr_bh")])
def test_adjust_agrees_with_statsmodels(method: str, name: str) -> None:
    from statsmodels.stats.multitest import multipletests

    from matcher.audit.inference import adjust

    rng = np.random.default_rng(0)
    for size in (1, 2, 5, 17):
        p = rng.uniform(0, 0.2, size).tolist()
        assert adjust(p, method) == pytest.approx(  # type: ignore[arg-type]
            multipletests(p, method=name)[1].tolist(), abs=1e-12)
