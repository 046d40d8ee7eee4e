"""The audit as a researcher hands it on: everyone in the caseload accounted for, one meaning per
status, plots whose labels never collide, tables that wrap, a methods section."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import polars as pl
import pytest

import matcher
from matcher.audit import plots
from matcher.audit.creaming import STATUS_MEANING

NAV = ["standard innsats", "situasjonsbestemt innsats", "spesielt tilpasset innsats",
       "varig tilpasset innsats"]


def _caseload() -> tuple[pl.DataFrame, pl.DataFrame]:
    """26 people; 3 of the 5 in 'varig tilpasset innsats' have no eligible role."""
    tiers = [NAV[0]] * 8 + [NAV[1]] * 7 + [NAV[2]] * 6 + [NAV[3]] * 5
    seekers = pl.DataFrame({"seeker_id": [f"p{i:02d}" for i in range(26)], "tier": tiers,
                            "employability": np.linspace(0.8, 0.1, 26).round(3)})
    eligible = [i for i in range(26) if i not in (21, 22, 23)]
    decisions = pl.DataFrame({
        "seeker_id": [f"p{i:02d}" for i in eligible], "role_id": ["r1", "r2"] * 11 + ["r1"],
        "fit": np.linspace(0.9, 0.2, len(eligible)).round(3),
        "selected": [1 if i % 3 == 0 else 0 for i in eligible]})
    return seekers, decisions


def test_people_with_no_eligible_opportunity_are_counted_per_tier() -> None:
    seekers, decisions = _caseload()
    result = matcher.audit(seekers, decisions, bootstrap=0, min_cell=1)
    row = result.selection.filter(pl.col("tier") == NAV[3]).row(0, named=True)
    assert (row["caseload"], row["no_eligible"], row["n"]) == (5, 3, 2)
    parking = result.parking.filter(pl.col("tier") == NAV[3]).row(0, named=True)
    assert parking["n"] == 5 and parking["never_selected"] >= 3
    assert result.settings["pool"]["seekers"] == 26
    assert any("3 of 26 people in the caseload had no eligible opportunity" in r
               for r in result.verdict.reasons)


def test_with_the_default_min_cell_the_small_counts_are_withheld_not_dropped() -> None:
    seekers, decisions = _caseload()
    result = matcher.audit(seekers, decisions, bootstrap=0)
    assert result.settings["pool"]["seekers"] == 26
    row = result.parking.filter(pl.col("tier") == NAV[3]).row(0, named=True)
    assert row["no_eligible"] is None
    assert any("no eligible opportunity" in r for r in result.verdict.reasons)


def test_engine_mode_counts_everyone_in_matches(
        tmp_path: Path, sample_result: matcher.MatchResult, samples: tuple[Path, Path]) -> None:
    matches, alts = tmp_path / "m.csv", tmp_path / "a.csv"
    sample_result.write(matches, alternatives=alts)
    everyone = pl.read_csv(matches)["seeker_id"].to_list()
    with_pairs = set(pl.read_csv(alts)["seeker_id"].to_list())
    result = matcher.audit(samples[0], matches=matches, alternatives=alts, bootstrap=0,
                           min_cell=1)
    overall = result.families.parking.by_tier[-1]
    assert overall.n == len(everyone)
    assert overall.no_eligible == len(set(everyone) - with_pairs) > 0
    reasons = {r.reason: r.n for r in result.families.parking.no_eligible_reasons}
    assert sum(reasons.values()) == overall.no_eligible
    assert any("hard constraints" in r for r in reasons)


def test_one_batch_shows_no_parking_test_anywhere() -> None:
    seekers, decisions = _caseload()
    result = matcher.audit(seekers, decisions, bootstrap=0, min_cell=1)
    assert not result.verdict.parking_assessed and not result.verdict.parking_detected
    assert result.metrics["C9"]["status"] == "not_assessed"
    assert result.metrics["C9"]["test"] is None
    page = result.to_html()
    assert "Parking detected:</b> not assessed" in page
    assert "Not assessed</b>" in page and "C9 hardest tier vs the rest" not in page


def test_every_status_has_one_meaning_across_json_html_and_frames() -> None:
    seekers, decisions = _caseload()
    result = matcher.audit(seekers, decisions, bootstrap=0)
    statuses = set(result.tests["status"].to_list())
    assert statuses <= set(STATUS_MEANING)
    assert statuses == {t["status"] for t in result.metrics["C6_C7"] + result.metrics[
        "C6_by_tier"]}
    assert result.to_dict()["settings"]["status_meaning"] == STATUS_MEANING
    page = result.to_html()
    for status in statuses:
        assert STATUS_MEANING[status] in page
    for t in result.families.tests + result.families.tests_by_tier:
        if t.status != "ok":  # no estimate is shown as if it were a test
            assert t.odds_ratio is None and t.p_value is None


# ------------------------------------------------------------------ plots


def _boxes(svg: str) -> tuple[list[tuple[float, float, float, float, str]], float, float]:
    """Every text's box (left, top, right, bottom), estimated at 0.6 em per character (an
    average for sans-serif text), and the drawing's size."""
    root = ET.fromstring(svg)
    width, height = float(root.get("width", 0)), float(root.get("height", 0))
    boxes = []
    for node in root.iter("{http://www.w3.org/2000/svg}text"):
        if node.get("transform"):
            continue  # the rotated axis title stands apart, left of the tick labels
        size = float(node.get("font-size", 12))
        w = len(node.text or "") * size * 0.6
        x, y = float(node.get("x", 0)), float(node.get("y", 0))
        anchor = node.get("text-anchor", "start")
        left = x - (w / 2 if anchor == "middle" else w if anchor == "end" else 0)
        boxes.append((left, y - size * 0.8, left + w, y + size * 0.2, node.text or ""))
    return boxes, width, height


def _overlaps(svg: str) -> list[tuple[str, str]]:
    boxes, width, height = _boxes(svg)
    found = [(t, "edge") for a, b, c, d, t in boxes if a < -1 or c > width + 1 or b < -1
             or d > height + 1]
    for i, (a1, b1, c1, d1, t1) in enumerate(boxes):
        for a2, b2, c2, d2, t2 in boxes[i + 1:]:
            if a1 < c2 and a2 < c1 and b1 < d2 and b2 < d1:
                found.append((t1, t2))
    return found


def test_the_overlap_check_can_fail() -> None:
    svg = ("<svg xmlns='http://www.w3.org/2000/svg' width='200' height='50'>"
           "<text x='10' y='20' font-size='12'>0.2</text>"
           "<text x='22' y='20' font-size='12'>0.25</text></svg>")
    assert _overlaps(svg) == [("0.2", "0.25")]


@pytest.mark.parametrize("labels", [
    ["T1", "T2"],
    NAV,
    ["tier with a very long name that a municipality uses for its own grouping of people",
     "x" * 90, "spesielt tilpasset innsats (herunder arbeidsavklaringspenger)"],
])
def test_interval_plot_labels_never_collide(labels: list[str]) -> None:
    k = len(labels)
    points = [0.21, None, 0.24, 0.25][:k]
    lows = [0.2, None, 0.22, 0.21][:k]
    highs = [0.22, None, 0.26, 0.3][:k]
    svg = plots.interval_plot(labels, points, lows, highs, reference=0.23,
                              title="Selection rate by tier", axis="selection rate",
                              missing=["suppressed"] * k)
    assert _overlaps(svg) == []
    ticks = [t for *_, t in _boxes(svg)[0] if t.replace(".", "").isdigit()]
    assert len(ticks) >= 3 and len(set(ticks)) == len(ticks)
    assert len({len(t.split(".")[-1]) for t in ticks}) == 1  # one number of decimals


def test_forest_plot_on_a_log_scale_and_bars() -> None:
    svg = plots.interval_plot(["C6 across tiers", "C6 within tiers", "C6 tier " + NAV[2]],
                              [1.3, None, 0.7], [1.1, None, 0.4], [1.6, None, 1.2], log=True,
                              reference=1.0, title="Odds ratios", axis="odds ratio",
                              missing=["", "separated", ""])
    assert _overlaps(svg) == []
    assert "separated" in svg
    bars = plots.bar_plot(NAV, [0.61, 0.5, None, 0.32], title="Exposure", axis="exposure")
    assert _overlaps(bars) == []


def test_price_curve_has_ticks_on_both_axes() -> None:
    svg = plots.line_plot([0, 0.1, 0.25, 0.5, 1, 2, 4],
                          [0, 0.001, 0.004, 0.012, 0.03, 0.05, 0.061],
                          title="Price of fairness", x_axis="priority weight",
                          y_axis="share of total fit lost")
    assert _overlaps(svg) == []
    texts = ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")
    ticks = [(t.get("text-anchor"), t.text or "") for t in texts
             if (t.text or "").replace(".", "").isdigit()]
    x = [float(v) for a, v in ticks if a == "middle"]
    y = [v for a, v in ticks if a == "end"]
    assert len(x) >= 4 and min(x) == 0 and max(x) == 4
    assert len(y) >= 3 and len({len(v) for v in y}) == 1


def test_report_prints_and_has_a_methods_section(tmp_path: Path) -> None:
    seekers, decisions = _caseload()
    page = matcher.audit(seekers, decisions, bootstrap=0).write_html(
        tmp_path / "a.html").read_text()
    assert "@media print" in page and "overflow-wrap:break-word" in page
    assert "display:block;overflow-x" not in page  # a scrolled table is cut on paper
    assert "<h2>Methods</h2>" in page
    for words in ("Wilson interval", "bootstrap", "Holm", "Counts of 1 to 4 people",
                  "integer programs"):
        assert words in page
    for svg in page.split("<svg")[1:]:
        assert _overlaps("<svg" + svg.split("</svg>")[0] + "</svg>") == []


def test_engine_mode_names_strangers_and_leaves_out_seekers_not_in_the_run(
        tmp_path: Path, sample_result: matcher.MatchResult, samples: tuple[Path, Path]) -> None:
    from matcher.errors import InputError

    matches, alts = tmp_path / "m.csv", tmp_path / "a.csv"
    sample_result.write(matches, alternatives=alts)
    seekers = pl.read_csv(samples[0])
    extra = seekers.head(1).with_columns(seeker_id=pl.lit("S999"))
    wider = tmp_path / "seekers.csv"
    pl.concat([seekers, extra]).write_csv(wider)
    result = matcher.audit(wider, matches=matches, alternatives=alts, bootstrap=0)
    assert result.settings["pool"]["seekers_not_in_this_run"] == 1
    assert result.settings["pool"]["seekers"] == seekers.height
    stranger = tmp_path / "m2.csv"
    pl.read_csv(matches).with_columns(
        seeker_id=pl.when(pl.col("seeker_id") == "S003").then(pl.lit("S777"))
        .otherwise(pl.col("seeker_id"))).write_csv(stranger)
    with pytest.raises(InputError, match=re.escape(
            "m2.csv column 'seeker_id': must name a seeker in seekers.csv, got 'S777'")):
        matcher.audit(wider, matches=stranger, alternatives=alts, bootstrap=0)
