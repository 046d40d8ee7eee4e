"""The audit end to end: simulations with a known answer, inputs and their errors, the command
line, suppression, determinism and the self-contained report."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner

import matcher
from matcher.audit.creaming import conditional_logit
from matcher.audit.inputs import tier_order
from matcher.audit.simulate import simulate
from matcher.cli import cli
from matcher.errors import ConfigError, InputError


def _c6(seekers: pl.DataFrame, decisions: pl.DataFrame, within: bool = False) -> dict:
    """C6 alone (fast), for the multi-seed checks."""
    rows = decisions.join(seekers, on="seeker_id")
    e = rows["employability"].to_numpy()
    z = (e - e.mean()) / e.std()
    tier = np.array([int(t[1:]) for t in rows["tier"].to_list()])
    opp = np.unique(rows["role_id"].to_numpy(), return_inverse=True)[1]
    seeker = np.unique(rows["seeker_id"].to_numpy(), return_inverse=True)[1]
    r = conditional_logit(rows["selected"].to_numpy().astype(float), z,
                          rows["fit"].to_numpy(), opp, seeker, scope="x", mde_alpha=0.025,
                          strata=tier if within else None)
    return r.as_dict()


# ---------------------------------------------------------------- known answers


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_planted_creaming_is_detected(seed: int) -> None:
    seekers, decisions = simulate(beta=0.6, seed=seed)
    result = matcher.audit(seekers, decisions, bootstrap=0)
    assert result.verdict["creaming_detected"]
    assert result.verdict["driven_by"].startswith("C6")
    assert result.verdict["driven_by"] in result.verdict["reasons"][0]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_within_tier_creaming_is_detected(seed: int) -> None:
    # fit and selection depend on employability only inside the tiers: tier rates stay level
    seekers, decisions = simulate(within_beta=0.8, within_only_fit=True, seed=seed)
    r = _c6(seekers, decisions, within=True)
    assert r["odds_ratio"] > 1 and r["p_value"] < 0.025


def test_within_tier_creaming_in_the_full_audit() -> None:
    seekers, decisions = simulate(within_beta=0.8, within_only_fit=True, seed=3)
    result = matcher.audit(seekers, decisions, bootstrap=0)
    assert result.verdict["creaming_detected"]
    within = next(t for t in result.metrics["C6_C7"] if t["test"] == "C6"
                  and t["scope"] == "within tiers")
    assert within["p_adjusted"] < 0.05


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("shape", ["logit", "step"])
def test_fit_only_selector_is_not_flagged(seed: int, shape: str) -> None:
    seekers, decisions = simulate(beta=0.0, fit_employability=0.8, fit_shape=shape, seed=seed)
    for within in (False, True):
        r = _c6(seekers, decisions, within=within)
        assert r["status"] == "ok"
        assert r["p_value"] > 0.025


def test_fit_only_selector_passes_though_it_selects_fewer_hard_to_place() -> None:
    seekers, decisions = simulate(beta=0.0, fit_employability=1.0, seed=4, n_seekers=900)
    result = matcher.audit(seekers, decisions, bootstrap=0, min_cell=1)
    assert not result.verdict["creaming_detected"]
    c23 = result.metrics["C1"]["C2_C3"]
    assert c23["C2_creaming_ratio"] < 0.8  # the naive ratio would call it creaming
    assert any("four fifths" in r for r in result.verdict["reasons"])
    # every "no creaming" carries a power statement
    assert any("smallest effect detectable with 80 % power" in r
               for r in result.verdict["reasons"])


@pytest.mark.parametrize("seed", [0, 1])
def test_positive_action_is_not_creaming(seed: int) -> None:
    seekers, decisions = simulate(beta=-0.8, seed=seed)
    result = matcher.audit(seekers, decisions, bootstrap=0)
    assert not result.verdict["creaming_detected"]
    assert any("positive action" in r for r in result.verdict["reasons"])


def test_selection_exactly_on_fit_is_fit_determined() -> None:
    seekers, decisions = simulate(seed=5)
    top = decisions.with_columns(
        selected=(pl.col("fit").rank("ordinal", descending=True).over("role_id") <= 3)
        .cast(pl.Int8))
    result = matcher.audit(seekers, top, bootstrap=0)
    c6 = result.metrics["C6_C7"][0]
    assert c6["status"] == "fit_determined"
    assert not result.verdict["creaming_detected"]
    # even then, "no creaming" says what this pool could have seen
    assert c6["mde_or"] is not None and c6["mde_or"] > 1
    assert any("smallest effect detectable with 80 % power" in r
               for r in result.verdict["reasons"])


def test_design_power_matches_hsieh_sample_size() -> None:
    """Hsieh et al. (1998): p = 0.5, OR 1.5 per SD, two-sided 5 %, power 80 % -> n = 191."""
    from matcher.audit.creaming import _design_mde

    n = 191
    y = np.r_[np.ones(n // 2 + 1), np.zeros(n // 2)]
    zc = np.tile([-1.0, 1.0], n)[:n]
    zc = (zc - zc.mean()) / zc.std()
    assert _design_mde(y, zc, 0.025) == pytest.approx(1.5, abs=0.01)


def test_parking_across_batches() -> None:
    seekers, decisions = simulate(batches=3, park=0.9, seed=6, n_roles=30)
    assert matcher.audit(seekers, decisions, bootstrap=0).verdict["parking_detected"]
    seekers, decisions = simulate(batches=3, park=0.0, seed=6, n_roles=30)
    result = matcher.audit(seekers, decisions, bootstrap=0)
    assert not result.verdict["parking_detected"]
    assert result.metrics["C9"]["batches"] == 3
    window = matcher.audit(seekers, decisions, bootstrap=0, last_batches=2).metrics["C9"]
    assert window["batch_labels"] == ["B1", "B2"]


def test_one_batch_does_not_assess_parking() -> None:
    seekers, decisions = simulate(seed=0)
    result = matcher.audit(seekers, decisions, bootstrap=0)
    assert not result.verdict["parking_detected"]
    assert any("at least two batches" in r for r in result.verdict["reasons"])


# ---------------------------------------------------------------- result contents


@pytest.fixture(scope="module")
def sim_result() -> matcher.AuditResult:
    seekers, decisions = simulate(beta=0.4, seed=11, n_seekers=500, n_roles=30)
    decisions = decisions.with_columns(
        outcome_employed=(pl.col("fit") > 0.4).cast(pl.Int8),
        outcome_permanent=(pl.col("fit") > 0.6).cast(pl.Int8),
    )
    return matcher.audit(seekers, decisions, bootstrap=200, seed=3, min_cell=1)


def test_result_has_every_metric(sim_result: matcher.AuditResult) -> None:
    m = sim_result.metrics
    assert set(m) == {"C1", "C5_C8", "C6_C7", "C6_by_tier", "C9", "C10_C11", "C12", "C13"}
    assert sim_result.selection.columns[:6] == ["tier", "caseload", "no_eligible", "n",
                                                "selected", "not_selected"]
    assert {r["metric"] for r in m["C5_C8"]} == {"C5", "C8"}
    assert m["C10_C11"]["lists"] == 30
    assert sim_result.exposure.height == 4
    assert sim_result.outcomes.height > 0
    for row in m["C6_C7"]:
        if row["status"] == "ok":
            assert row["ci_low"] < row["odds_ratio"] < row["ci_high"]
    c23 = m["C1"]["C2_C3"]
    low, high = c23["C3_bootstrap_ci_low_pp"], c23["C3_bootstrap_ci_high_pp"]
    assert low <= c23["C3_creaming_gap_pp"] <= high
    assert "<ul>" in sim_result._repr_html_()


def test_price_of_fairness_curve_from_engine_scores(tmp_path: Path,
                                                    sample_result: matcher.MatchResult,
                                                    samples: tuple[Path, Path]) -> None:
    """C13 at every weight: the exact optimum of fit + weight * priority (the engine's
    priority: tier rank spaced evenly) on the pool, as scipy's assignment finds it."""
    from scipy.optimize import linear_sum_assignment

    from matcher.audit.outcomes import PRICE_WEIGHTS

    matches, alts = tmp_path / "m.csv", tmp_path / "a.csv"
    sample_result.write(matches, alternatives=alts)
    result = matcher.audit(samples[0], matches=matches, alternatives=alts, bootstrap=0)
    curve = result.metrics["C13"]
    assert [row["weight"] for row in curve] == list(PRICE_WEIGHTS)
    assert curve[0]["weight"] == 0 and curve[0]["price_of_fairness"] == 0
    pairs = pl.read_csv(alts).filter(pl.col("score") > 0)
    slots = pl.read_csv(matches).filter(pl.col("role_id").is_not_null()).group_by(
        "role_id").len()
    columns = [r for r, k in slots.iter_rows() for _ in range(k)]
    seekers = sorted(set(pairs["seeker_id"].to_list()))
    tier = dict(pl.read_csv(samples[0]).select("seeker_id", "tier").iter_rows())
    distance = {s: (int(tier[s][1:]) - 1) / 3 for s in seekers}  # T1..T4 -> 0, 1/3, 2/3, 1
    score = {(a, b): c for a, b, c in pairs.select("seeker_id", "role_id", "score").iter_rows()}
    fit = np.array([[score.get((a, b), 0.0) for b in columns] for a in seekers])
    for row in curve:
        gain = np.where(fit > 0, fit + row["weight"] * np.array(
            [distance[a] for a in seekers])[:, None], 0.0)
        rows, cols = linear_sum_assignment(gain, maximize=True)
        keep = fit[rows, cols] > 0
        assert row["total_fit"] == pytest.approx(fit[rows, cols][keep].sum(), abs=1e-9)
        assert row["total_fit"] <= curve[0]["total_fit"] + 1e-9
        assert row["price_of_fairness"] >= -1e-12
    assert curve[-1]["total_fit"] < curve[0]["total_fit"]  # the weights do move the answer
    assert result.settings["mode"].startswith("engine")


def test_matched_pair_missing_from_alternatives_is_a_warning(
        tmp_path: Path, sample_result: matcher.MatchResult, samples: tuple[Path, Path]) -> None:
    matches, alts = tmp_path / "m.csv", tmp_path / "a.csv"
    sample_result.write(matches, alternatives=alts)
    full = pl.read_csv(alts)
    pl.read_csv(alts).filter(~pl.col("assigned")).write_csv(alts)
    result = matcher.audit(samples[0], matches=matches, alternatives=alts, bootstrap=0)
    assert result.warnings
    assert "--top-k 0" in str(result.warnings[0])
    assert len(result.warnings) == full["assigned"].sum()


def test_same_input_and_seed_give_identical_json(tmp_path: Path) -> None:
    seekers, decisions = simulate(beta=0.3, seed=2, n_seekers=300, n_roles=20)
    a = matcher.audit(seekers, decisions, bootstrap=100, seed=9).write_json(tmp_path / "a.json")
    b = matcher.audit(seekers, decisions, bootstrap=100, seed=9).write_json(tmp_path / "b.json")
    assert a.read_bytes() == b.read_bytes()
    doc = json.loads(a.read_text())
    assert set(doc) == {"verdict", "metrics", "suppressed", "settings"}
    assert set(doc["verdict"]) >= {"creaming_detected", "parking_detected", "reasons"}


# ---------------------------------------------------------------- suppression


def test_small_tier_is_suppressed_in_the_audit() -> None:
    seekers = pl.DataFrame({"seeker_id": [f"s{i}" for i in range(60)],
                            "tier": ["T1"] * 30 + ["T2"] * 27 + ["T3"] * 3,
                            "employability": np.linspace(0.9, 0.1, 60).round(3)})
    decisions = pl.DataFrame({"seeker_id": [f"s{i}" for i in range(60)],
                              "role_id": ["r1"] * 60, "fit": np.linspace(0.2, 0.8, 60).round(3),
                              "selected": [1, 0] * 30})
    result = matcher.audit(seekers, decisions, bootstrap=0)
    t3 = result.selection.filter(pl.col("tier") == "T3").row(0, named=True)
    assert t3["selected"] is None and t3["rate"] is None and t3["n"] is None
    cells = {(s.table, s.row, s.cell) for s in result.suppressed}
    assert ("C1", "T3", "n") in cells and ("C1", "T3", "selected") in cells
    assert len({row for table, row, _ in cells if table == "C1"}) >= 2  # and its complement
    assert result.metrics["C1"]["C2_C3"]["C2_creaming_ratio"] is None


# ---------------------------------------------------------------- inputs and errors


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


SEEKERS_CSV = "seeker_id,tier,employability\n" + "".join(
    f"s{i},T{1 + i % 3},{0.2 + 0.02 * i:.2f}\n" for i in range(30))


@pytest.mark.parametrize(("line", "rule", "column", "value"), [
    ("zz,r1,0.5,1", "must name a seeker in seekers.csv", "seeker_id", "zz"),
    ("s1,r1,0.5,2", "must be 0 or 1", "selected", "2"),
    ("s1,r1,1.5,0", "must be a number in [0, 1]", "fit", "1.5"),
    ("s1,,0.5,0", "must not be empty", "role_id", None),
])
def test_bad_decisions_name_file_row_column_rule_value(
        tmp_path: Path, line: str, rule: str, column: str, value: str | None) -> None:
    seekers = _write(tmp_path, "seekers.csv", SEEKERS_CSV)
    decisions = _write(tmp_path, "decisions.csv",
                       "seeker_id,role_id,fit,selected\ns0,r1,0.4,0\n" + line + "\n")
    with pytest.raises(InputError) as info:
        matcher.audit(seekers, decisions)
    problem = info.value.problems[0]
    assert (problem.file, problem.line, problem.column, problem.rule, problem.value) == (
        "decisions.csv", 3, column, rule, value)


def test_empty_pool_and_missing_columns(tmp_path: Path) -> None:
    seekers = _write(tmp_path, "seekers.csv", SEEKERS_CSV)
    empty = _write(tmp_path, "d.csv", "seeker_id,role_id,fit,selected\n")
    with pytest.raises(InputError, match="has no data rows"):
        matcher.audit(seekers, empty)
    missing = _write(tmp_path, "d2.csv", "seeker_id,role_id,fit\ns1,r1,0.5\n")
    with pytest.raises(InputError, match="column 'selected': required column is missing"):
        matcher.audit(seekers, missing)
    no_tier = _write(tmp_path, "s2.csv", "seeker_id\ns1\n")
    with pytest.raises(InputError, match="needs a 'tier' or an 'employability' column"):
        matcher.audit(no_tier, missing)


def test_duplicate_pairs_and_bad_seekers(tmp_path: Path) -> None:
    seekers = _write(tmp_path, "seekers.csv", "seeker_id,tier,employability\ns1,T1,1.2\n"
                     "s1,T2,0.5\n")
    with pytest.raises(InputError) as info:
        matcher.audit(seekers, pl.DataFrame({"seeker_id": ["s1"], "role_id": ["r"],
                                             "fit": [0.5], "selected": [1]}))
    text = str(info.value)
    assert "seekers.csv line 2, column 'employability': must be a number in [0, 1], got '1.2'" \
        in text
    assert "seekers.csv line 3, column 'seeker_id': must be unique; first seen on line 2" in text
    seekers = _write(tmp_path, "ok.csv", SEEKERS_CSV)
    decisions = _write(tmp_path, "d.csv", "seeker_id,role_id,fit,selected\ns1,r1,0.5,1\n"
                       "s1,r1,0.4,0\n")
    with pytest.raises(InputError, match="line 3, column 'role_id': the pair"):
        matcher.audit(seekers, decisions)


def test_settings_are_validated() -> None:
    seekers, decisions = simulate(seed=0, n_seekers=100, n_roles=5)
    with pytest.raises(ConfigError, match="'min_cell' parameter of audit must be an int >= 1"):
        matcher.audit(seekers, decisions, min_cell=0)
    with pytest.raises(ConfigError, match="'alpha'"):
        matcher.audit(seekers, decisions, alpha=0.7)
    with pytest.raises(ConfigError, match="either decisions"):
        matcher.audit(seekers)


def test_tier_order() -> None:
    assert tier_order(["T3", "T1", "T2"]) == ["T1", "T2", "T3"]
    assert tier_order(["permanently adapted", "standard", "specially adapted",
                       "situation-dependent"]) == ["standard", "situation-dependent",
                                                   "specially adapted", "permanently adapted"]


def test_navs_graded_group_lies_between_specially_and_permanently_adapted() -> None:
    labels = ["Varig tilpasset innsats", "Gradert varig tilpasset innsats", "Standard innsats",
              "Spesielt tilpasset innsats", "Situasjonsbestemt innsats"]
    assert tier_order(labels) == [labels[2], labels[4], labels[3], labels[1], labels[0]]
    # as NAV's systems and Arena write them, and the words NAV shows the person
    codes = ["VARIG_TILPASSET_INNSATS", "STANDARD_INNSATS", "GRADERT_VARIG_TILPASSET_INNSATS"]
    assert tier_order(codes) == [codes[1], codes[2], codes[0]]
    assert tier_order(["VARIG", "BATT", "IKVAL", "BFORM"]) == ["IKVAL", "BFORM", "BATT", "VARIG"]
    words = ["Liten mulighet til å jobbe", "Trenger veiledning", "Gode muligheter"]
    assert tier_order(words) == [words[2], words[1], words[0]]


def test_danish_readiness_categories_are_ordered_closest_to_work_first() -> None:
    """Jobparat is closest to work and aktivitetsparat furthest, so the priority policy puts
    aktivitetsparat first (in natural order it would come first as the closest)."""
    from matcher.policy import priority

    labels = ["Aktivitetsparat", "jobparat", "Uddannelsesparat"]
    assert tier_order(labels) == ["jobparat", "Uddannelsesparat", "Aktivitetsparat"]
    assert tier_order(["jobparat", "T1", "aktivitetsparat"]) == [
        "aktivitetsparat", "jobparat", "T1"]  # not all of one scheme: natural order
    seekers = pl.DataFrame({"seeker_id": ["S1", "S2", "S3"], "tier": labels})
    assert priority(seekers).tolist() == [1.0, 0.0, 0.5]


def test_tier_only_seekers_use_tier_as_index() -> None:
    seekers, decisions = simulate(beta=0.0, seed=1)
    result = matcher.audit(seekers.drop("employability"), decisions, bootstrap=0)
    assert result.settings["employability_index"].startswith("tier")
    assert [t["scope"] for t in result.metrics["C6_C7"] if t["test"] == "C6"] == [
        "across tiers"]


# ---------------------------------------------------------------- command line and report


def test_cli_audit_writes_json_and_html(tmp_path: Path) -> None:
    seekers, decisions = simulate(beta=0.6, seed=0, n_seekers=400, n_roles=25)
    s, d = tmp_path / "seekers.csv", tmp_path / "decisions.parquet"
    seekers.write_csv(s)
    decisions.write_parquet(d)
    out, page = tmp_path / "audit.json", tmp_path / "audit.html"
    run = CliRunner().invoke(cli, ["audit", "--seekers", str(s), "--decisions", str(d),
                                   "--json", str(out), "--html", str(page), "--bootstrap", "100",
                                   "--seed", "4"])
    assert run.exit_code == 0, run.output
    assert "creaming detected: yes" in run.output
    assert json.loads(out.read_text())["verdict"]["creaming_detected"] is True
    _assert_self_contained(page.read_text())


def test_cli_bad_input_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    s = _write(tmp_path, "seekers.csv", SEEKERS_CSV)
    d = _write(tmp_path, "decisions.csv", "seeker_id,role_id,fit,selected\ns1,r1,0.5,yes\n")
    out = tmp_path / "audit.json"
    run = CliRunner().invoke(cli, ["audit", "--seekers", str(s), "--decisions", str(d),
                                   "--json", str(out)])
    assert run.exit_code == 2
    assert ("error: decisions.csv line 2, column 'selected': must be 0 or 1, got 'yes'"
            in run.output)
    assert not out.exists()
    run = CliRunner().invoke(cli, ["audit", "--seekers", str(s)])
    assert run.exit_code == 2


def test_cli_audits_the_engine_proposal(tmp_path: Path, sample_result: matcher.MatchResult,
                                        samples: tuple[Path, Path]) -> None:
    matches, alts = tmp_path / "m.csv", tmp_path / "a.csv"
    sample_result.write(matches, alternatives=alts)
    run = CliRunner().invoke(cli, ["audit", "--seekers", str(samples[0]), "--matches",
                                   str(matches), "--alternatives", str(alts), "--bootstrap", "0"])
    assert run.exit_code == 0, run.output
    assert "creaming detected:" in run.output


def _assert_self_contained(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    refs = re.findall(r"""(?:src|href)\s*=\s*["']?([^"'\s>]+)""", page, flags=re.I)
    refs += re.findall(r"url\(\s*['\"]?([^'\")]+)", page, flags=re.I)
    assert not [r for r in refs if re.match(r"(https?:)?//", r, flags=re.I)]
    assert "<script" not in page.lower()
    assert "<svg" in page


def test_html_report_is_self_contained(sim_result: matcher.AuditResult, tmp_path: Path) -> None:
    page = sim_result.write_html(tmp_path / "r.html").read_text()
    _assert_self_contained(page)
    for heading in ("Selection rate by tier", "Creaming with fit held constant", "Exposure",
                    "Parking"):
        assert heading in page


def test_self_containment_check_can_fail() -> None:
    with pytest.raises(AssertionError):
        _assert_self_contained("<!DOCTYPE html><svg></svg><img src='https://x.org/a.png'>")
    with pytest.raises(AssertionError):
        _assert_self_contained("<!DOCTYPE html><svg></svg><style>a{background:url(//x/y)}"
                               "</style>")


def test_row_order_and_groups(tmp_path: Path) -> None:
    seekers, decisions = simulate(beta=0.2, seed=8, n_seekers=300, n_roles=20)
    seekers = seekers.with_columns(
        region=pl.Series(["north", "south", "west"] * 100))
    a = matcher.audit(seekers, decisions, group=["region"], bootstrap=100, seed=2)
    b = matcher.audit(seekers.sample(fraction=1.0, shuffle=True, seed=1),
                      decisions.sample(fraction=1.0, shuffle=True, seed=2),
                      group=["region"], bootstrap=100, seed=2)
    assert a.to_dict() == b.to_dict()
    assert a.groups["value"].to_list() == ["north", "south", "west"]
    assert a.groups["n"].sum() == a.metrics["C1"]["overall"]["n"]
    with pytest.raises(InputError, match="group column named with --group is missing"):
        matcher.audit(seekers, decisions, group=["county"])


def test_the_audit_finds_the_id_and_tier_columns_under_the_names_the_match_knows(
        tmp_path: Path) -> None:
    """One column matching for SEEKERS: a caseworker's ``Løpenr`` and ``Innsatsgruppe`` are
    the id and the tier for the audit and the report as for the match, and a problem names
    the column as the file writes it."""
    from matcher.audit.inputs import read_seekers

    frame = pl.DataFrame({"Løpenr": ["A1", "A2"], "Innsatsgruppe": ["standard innsats",
                                                                     "varig tilpasset innsats"],
                          "Ansettbarhet": ["0,5", "0.2"]})
    typed, tiers = read_seekers(frame, name="s.xlsx")
    assert typed["seeker_id"].to_list() == ["A1", "A2"]
    assert tiers == ("standard innsats", "varig tilpasset innsats")
    with pytest.raises(InputError) as info:
        read_seekers(frame.with_columns(Ansettbarhet=pl.Series(["2", "0.2"])), name="s.xlsx")
    assert [p.column for p in info.value.problems] == ["Ansettbarhet"]
