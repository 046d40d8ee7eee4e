"""The audit report: one self-contained HTML file (inline CSS and SVG, no script, no network)
that prints.

It shows the verdict, who is in the caseload (and who had no eligible opportunity, and why),
each metric family with its plot (:mod:`matcher.audit.plots`) and its table, the withheld cells
and a methods section a reviewer can cite. It reads only the typed records of the result; a
status means the same here as in the JSON (:data:`~matcher.audit.creaming.STATUS_MEANING`).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import fields
from typing import TYPE_CHECKING, Any

from matcher.audit import plots
from matcher.audit.creaming import STATUS_MEANING

if TYPE_CHECKING:
    from matcher.audit.result import AuditResult

__all__ = ["methods", "render", "table"]

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:62rem;margin:2rem auto;
padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}
h3{font-size:1rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.85rem;width:100%;table-layout:auto}
th,td{border:1px solid #ccc;padding:.2rem .4rem;text-align:right;vertical-align:top}
td{white-space:nowrap;font-variant-numeric:tabular-nums}
td.text{white-space:normal;overflow-wrap:break-word}
th{background:#f2f2f2;font-weight:600;overflow-wrap:normal}
td:first-child,th:first-child,td.text{text-align:left}
.verdict{padding:.8rem 1rem;border-radius:.4rem;background:#eef5ee;border:1px solid #9c9}
.verdict.bad{background:#fbeeee;border-color:#c99}
.note{color:#555;font-size:.85rem}svg{display:block;margin:.5rem 0;max-width:100%;height:auto}
dt{font-weight:600;margin-top:.5rem}dd{margin-left:1.2rem}
@media print{body{max-width:none;margin:0;font-size:10pt}table{font-size:8pt;
page-break-inside:auto}tr,svg{page-break-inside:avoid}h2{page-break-after:avoid}}
"""

#: column headings of the tables
HEADINGS = {
    "tier": "tier", "caseload": "caseload", "no_eligible": "no eligible opportunity",
    "n": "n", "selected": "selected", "not_selected": "not selected", "rate": "rate",
    "ci_low": "CI low", "ci_high": "CI high", "representation_ratio": "representation ratio",
    "rr_ci_low": "CI low (bootstrap)", "rr_ci_high": "CI high (bootstrap)",
    "never_selected": "never selected", "parking_rate": "parking rate", "test": "test",
    "scope": "scope", "status": "status", "n_groups": "opportunities",
    "odds_ratio": "odds ratio", "statistic": "z", "p_value": "p (one-sided)",
    "p_adjusted": "p adjusted", "mde_or": "detectable OR (80 % power)", "decisive": "decisive",
    "metric": "metric", "variable": "variable", "n_selected": "n selected",
    "n_not_selected": "n not selected", "smd": "SMD", "se": "SE", "hedges": "Hedges' g",
    "bootstrap_ci_low": "CI low (bootstrap)", "bootstrap_ci_high": "CI high (bootstrap)",
    "exposure": "mean exposure", "mean_fit": "mean fit", "exposure_per_fit": "exposure per fit",
    "outcome": "outcome", "yes": "yes", "p_two_sided": "p (two-sided)",
    "weight": "priority weight",
    "total_fit": "total fit", "price_of_fairness": "price of fairness",
    "harder_share_selected": "harder tiers' share of the selected",
    "mean_z_employability_selected": "mean z-employability of the selected",
    "group": "group", "value": "value", "reason": "reason", "table": "table", "row": "row",
    "cell": "cell", "note": "note", "comparison": "comparison", "easiest": "easiest tier",
    "hardest": "hardest tier", "C2_creaming_ratio": "C2 ratio (hardest / easiest)",
    "C2_ci_low": "CI low (Katz)", "C2_ci_high": "CI high (Katz)",
    "C3_creaming_gap_pp": "C3 gap (pp)", "C3_bootstrap_ci_low_pp": "CI low (bootstrap, pp)",
    "C3_bootstrap_ci_high_pp": "CI high (bootstrap, pp)", "z": "z", "p_z": "p (z-test)",
    "p_fisher": "p (Fisher)", "p_boschloo": "p (Boschloo)",
    "four_fifths_flag": "under four fifths", "imbalanced": "|SMD| > 0.1",
}
TEXT_COLUMNS = {"tier", "test", "scope", "status", "metric", "variable", "outcome", "group",
                "value", "reason", "table", "row", "cell", "note", "comparison", "easiest",
                "hardest"}


def _esc(x: Any) -> str:
    return html.escape(str(x))


def _num(x: Any, digits: int = 3) -> str:
    if x is None:
        return "&#8212;"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        if x != 0 and abs(x) < 10 ** -digits:
            return f"{x:.1e}"
        return f"{x:.{digits}f}"
    return _esc(x)


def _get(row: Any, column: str) -> Any:
    return row.get(column) if isinstance(row, dict) else getattr(row, column, None)


def table(rows: Sequence[Any], columns: Sequence[str], *, caption: str = "") -> str:
    """An HTML table of records (or dicts); withheld values show as an em dash."""
    if not rows:
        return "<p class='note'>Not available for this input.</p>"
    head = "".join(f"<th scope='col'>{_esc(HEADINGS.get(c, c))}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(
            f"<td class='text'>{_num(_get(r, c))}</td>" if c in TEXT_COLUMNS
            else f"<td>{_num(_get(r, c))}</td>" for c in columns) + "</tr>" for r in rows)
    cap = f"<caption class='note'>{_esc(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def methods(min_cell: int, alpha: float, bootstrap: int, correction: str) -> str:
    """The methods section: what each number is, its interval, its test, the suppression
    rule."""
    level = f"{100 * (1 - alpha):g} %"
    corr = "Holm" if correction == "holm" else "Benjamini-Hochberg"
    items = [
        ("Caseload and pool", "The caseload is every seeker in the input (SEEKERS, or MATCHES "
         "for the engine's proposal). People with no eligible opportunity are counted per tier "
         "with the reason and count as never selected in the parking rates; the comparisons "
         "of candidates are among the people with at least one eligible opportunity. A person "
         "counts as selected when any decision selected them."),
        ("C1 selection rate", f"Selected / n per tier, with a {level} Wilson interval. C4, "
         "the representation ratio, is the tier's rate over the overall rate, with a "
         f"percentile interval from {bootstrap} bootstrap replicates that resample people "
         "with replacement inside each tier (tier sizes kept; an interval is given only when "
         "more than half of the replicates define the statistic)."),
        ("C2, C3", "The hardest tier's rate over the easiest's (Katz log-ratio interval) and "
         "their difference in percentage points, with bootstrap intervals, the pooled "
         "two-proportion z-test, Fisher's and Boschloo's exact tests. The four-fifths flag "
         "(ratio under 0.8) is descriptive only."),
        ("C5, C8", "Standardized mean difference of employability between the selected and "
         "the others, over everyone (C5) and inside each tier (C8), with its standard error "
         "and Hedges' correction; |SMD| > 0.1 marks imbalance (Austin 2009)."),
        ("C6 (decisive)", "Logistic regression of selection on standardized employability "
         "with one intercept per opportunity and a restricted cubic spline of logit(fit): the "
         "odds ratio per SD of employability at equal fit, across tiers and within tiers "
         f"(tier indicators added). {level} Wald interval with standard errors clustered by "
         f"seeker; one-sided test of odds ratio > 1, {corr} adjustment across the decisive "
         "tests. Each comes with the smallest odds ratio detectable with 80 % power."),
        ("C7", "Mantel-Haenszel odds ratio of selection for the easier tiers, strata = fit "
         "deciles x opportunity: a robustness check, not decisive."),
        ("C9 parking", "Share of each tier of the caseload never selected in the batches "
         "looked at (Wilson interval). Assessed only with two or more batches: a logistic "
         "regression of never selected on hardest-tier membership with a spline of the "
         "person's mean logit(fit), one-sided. With one batch no test is run or shown."),
        ("C10, C11", "Mean exposure 1 / log2(1 + rank) per tier, raw and per unit of mean "
         "fit; FA*IR: ranked lists with a top-i prefix holding fewer harder-tier candidates "
         "than binom.ppf(alpha, i, p)."),
        ("C12, C13", "Outcome rates among the selected people per tier (Wilson; Fisher exact "
         "easiest vs hardest). The price of fairness: the assignment re-solved exactly with "
         "the engine's priority policy, fit + weight x priority (tier, else 1 - "
         "employability), (U* - U) / U* of total fit."),
        ("Test status", "; ".join(f"{k}: {v}" for k, v in STATUS_MEANING.items()) + "."),
        ("Small cells", f"Counts of 1 to {min_cell - 1} people are withheld, and so is a zero "
         "inside a withheld count. Then further counts are withheld until no withheld count "
         "can be recovered from the published ones: first the rule of two-way tables (a row "
         "or column with exactly one withheld cell loses its smallest other cell), then an "
         "exact check: for every withheld count, integer programs find the smallest and "
         "largest value consistent with every published count of the report (all tables, "
         "totals, and rates times n), and while the two are equal another count is withheld. "
         "Rates, intervals, ratios and tests are shown only where every count they are "
         "computed from is shown. Which withheld counts were small is not published."),
    ]
    body = "".join(f"<dt>{_esc(a)}</dt><dd>{_esc(b)}</dd>" for a, b in items)
    return f"<h2>Methods</h2><dl>{body}</dl>"


def _columns(record_type: Any, skip: Sequence[str] = ()) -> list[str]:
    return [f.name for f in fields(record_type) if f.name not in skip]


def render(result: AuditResult) -> str:
    """The report as one HTML string."""
    from matcher.audit.records import OutcomeRow, PricePoint

    v, f, s = result.verdict, result.families, result.settings
    bad = v.creaming_detected or v.parking_detected
    parking_text = (_num(v.parking_detected) if v.parking_assessed else "not assessed")
    out = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
           "<meta name='viewport' content='width=device-width, initial-scale=1'>",
           "<title>matcher: creaming and parking audit</title>",
           f"<style>{_CSS}</style></head><body>",
           "<h1>Creaming and parking audit</h1>",
           f"<div class='verdict{' bad' if bad else ''}'><p><b>Creaming detected:</b> "
           f"{_num(v.creaming_detected)} &#160; <b>Parking detected:</b> {parking_text}"
           + (f" &#160; <b>Driven by:</b> {_esc(v.driven_by)}" if v.driven_by else "")
           + "</p><ul>" + "".join(f"<li>{_esc(r)}</li>" for r in v.reasons) + "</ul></div>"]
    pool = s["pool"]
    seekers = pool["seekers"] if pool["seekers"] is not None else "(withheld)"
    out.append(f"<p class='note'>Caseload: {seekers} people, {pool['pairs']} eligible pairs, "
               f"{pool['opportunities']} opportunities, {pool['batches']} batch(es). "
               f"Mode: {_esc(s['mode'])}. Employability index: "
               f"{_esc(s['employability_index'])}. Alpha {s['alpha']}, {s['correction']} "
               f"correction, {s['bootstrap']} bootstrap replicates (seed {s['seed']}), counts "
               f"under {s['min_cell']} withheld with the counts that would reveal them.</p>")

    out.append("<h2>The caseload and who had no eligible opportunity</h2>")
    out.append(table(f.parking.by_tier, ["tier", "n", "no_eligible"],
                     caption="n: everyone in the caseload"))
    out.append(table(f.parking.no_eligible_reasons, ["reason", "n"],
                     caption="why people had no eligible opportunity"))

    tiers = f.by_tier
    out.append("<h2>Selection rate by tier (C1, C4)</h2>")
    out.append(plots.interval_plot(
        [t.tier for t in tiers], [t.rate for t in tiers], [t.ci_low for t in tiers],
        [t.ci_high for t in tiers], reference=f.selection.rate,
        title="Selection rate by tier", axis="selection rate (dashed: overall)",
        missing=["suppressed" if t.suppressed else "no one eligible" for t in tiers]))
    out.append(table([*tiers, f.selection], ["tier", "caseload", "no_eligible", "n", "selected",
                                             "not_selected"],
                     caption="counts: n is the people with at least one eligible opportunity"))
    out.append(table([*tiers, f.selection], ["tier", "rate", "ci_low", "ci_high",
                                             "representation_ratio", "rr_ci_low",
                                             "rr_ci_high"],
                     caption="selection rate = selected / n (Wilson interval); "
                     "representation ratio = rate / overall rate (bootstrap interval)"))
    if f.ratio is not None:
        out.append("<h2>Creaming ratio and gap (C2, C3)</h2>")
        if f.ratio.status == "suppressed":
            out.append(f"<p class='note'>{_esc(f.ratio.note)}.</p>")
        else:
            out.append(table([f.ratio], ["easiest", "hardest", "C2_creaming_ratio", "C2_ci_low",
                                         "C2_ci_high", "C3_creaming_gap_pp",
                                         "C3_bootstrap_ci_low_pp", "C3_bootstrap_ci_high_pp"]))
            out.append(table([f.ratio], ["z", "p_z", "p_fisher", "p_boschloo",
                                         "four_fifths_flag"],
                             caption="two-sided tests; the four-fifths flag is descriptive "
                             "only: it ignores fit and sample size"))
    if f.groups:
        out.append("<h2>Selection rate by group</h2>")
        out.append(table(f.groups, ["group", "value", "n", "selected", "rate", "ci_low",
                                    "ci_high"]))
    tests = f.tests + f.tests_by_tier
    out.append("<h2>Creaming with fit held constant (C6, C7)</h2>")
    out.append(plots.interval_plot(
        [f"{t.test} {t.scope}" for t in tests], [t.odds_ratio for t in tests],
        [t.ci_low for t in tests], [t.ci_high for t in tests], log=True, reference=1.0,
        title="Odds ratios (log scale)", axis="odds ratio (above 1 favours the easier to place)",
        missing=[t.status.replace("_", " ") for t in tests]))
    out.append(table(tests, ["test", "scope", "status", "odds_ratio", "ci_low", "ci_high",
                             "p_value", "p_adjusted"]))
    out.append(table(tests, ["test", "scope", "decisive", "mde_or", "n", "n_selected",
                             "n_groups", "statistic", "note"],
                     caption="power, decisions (pairs: n, n selected) and notes"))
    out.append("<h2>Balance: employability of selected vs not (C5, C8)</h2>")
    out.append(table(f.balance, ["metric", "scope", "variable", "status", "n_selected",
                                 "n_not_selected"]))
    out.append(table(f.balance, ["metric", "scope", "variable", "smd", "se", "hedges",
                                 "imbalanced", "bootstrap_ci_low", "bootstrap_ci_high"],
                     caption="standardized mean difference, selected minus not selected"))
    out.append("<h2>Parking (C9)</h2>")
    park = f.parking
    if park.status == "assessed" and park.test is not None:
        out.append(table([park.test], ["test", "scope", "status", "odds_ratio", "ci_low",
                                       "ci_high", "p_value", "mde_or", "note"]))
    else:
        out.append(f"<p><b>Not assessed</b>: {_esc(park.note)}. The shares below describe "
                   "this batch; they are not a test of parking.</p>")
    out.append(table(park.by_tier, ["tier", "n", "no_eligible", "never_selected",
                                    "parking_rate", "ci_low", "ci_high"]))
    ranked = f.ranked
    if ranked is not None:
        out.append("<h2>Exposure in ranked lists (C10)</h2>")
        out.append(plots.bar_plot([r.tier for r in ranked.exposure],
                                  [r.exposure for r in ranked.exposure],
                                  title="Mean exposure by tier",
                                  axis="mean exposure 1 / log2(1 + rank)"))
        out.append(table(ranked.exposure, ["tier", "exposure", "mean_fit", "exposure_per_fit"]))
        out.append("<h2>FA*IR top-k representation (C11)</h2>")
        out.append(f"<p>{ranked.failing} of {ranked.lists} ranked lists have a prefix with "
                   f"fewer harder-tier candidates than the FA*IR minimum (alpha "
                   f"{ranked.alpha}).</p>")
    if f.outcomes:
        out.append("<h2>Outcomes among the selected (C12)</h2>")
        out.append(table(f.outcomes, _columns(OutcomeRow)))
        out.append(table(f.outcome_tests, ["outcome", "comparison", "test", "p_two_sided"]))
    if f.price:
        out.append("<h2>Price of fairness (C13)</h2>")
        out.append(plots.line_plot([p.weight for p in f.price],
                                   [p.price_of_fairness or 0.0 for p in f.price],
                                   title="Price of fairness", x_axis="priority weight",
                                   y_axis="share of total fit lost"))
        out.append(table(f.price, _columns(PricePoint)))
    out.append("<h2>Withheld counts</h2>")
    if result.suppressed:
        out.append(table(result.suppressed, ["table", "row", "cell"]))
    else:
        out.append("<p class='note'>None.</p>")
    out.append(methods(s["min_cell"], s["alpha"], s["bootstrap"], s["correction"]))
    out.append("</body></html>")
    return "\n".join(out)
