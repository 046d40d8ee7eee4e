"""The audit report: one self-contained HTML file (inline CSS and SVG, no scripts, no network).

Plots are drawn as hand-written SVG: selection rate by tier with Wilson intervals, an odds-ratio
forest plot of the creaming tests on a log scale, exposure by tier, and the price-of-fairness
curve. Every plot has its numbers in a table beside it.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matcher.audit.result import AuditResult

__all__ = ["render"]

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem;display:block;overflow-x:auto}
th,td{border:1px solid #ccc;padding:.2rem .5rem;text-align:right}th{background:#f2f2f2}
td:first-child,th:first-child{text-align:left}
.verdict{padding:.8rem 1rem;border-radius:.4rem;background:#eef5ee;border:1px solid #9c9}
.verdict.bad{background:#fbeeee;border-color:#c99}
.note{color:#555;font-size:.85rem}svg{display:block;margin:.5rem 0}
"""


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
    if isinstance(x, list):
        return "[" + ", ".join(_num(v, digits) for v in x) + "]"
    return _esc(x)


def _table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    if not rows:
        return "<p class='note'>Not available for this input.</p>"
    head = "".join(f"<th>{_esc(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_num(r.get(c))}</td>" for c in columns) + "</tr>" for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _interval_plot(labels: list[str], points: list[float | None],
                   lows: list[float | None], highs: list[float | None], *,
                   log: bool = False, reference: float | None = None, title: str = "") -> str:
    """Horizontal points with interval whiskers, one row per label."""
    values = [v for v in points + lows + highs if v is not None and (not log or v > 0)]
    if not values:
        return ""
    if reference is not None:
        values.append(reference)
    lo, hi = min(values), max(values)
    if log:
        lo, hi = math.log(lo), math.log(hi)
    if hi - lo < 1e-9:
        lo, hi = lo - 0.5, hi + 0.5
    pad = (hi - lo) * 0.08
    lo, hi = lo - pad, hi + pad
    left, width, row_h = 170, 380, 26
    height = row_h * len(labels) + 40

    def x(v: float) -> float:
        t = math.log(v) if log else v
        return left + (t - lo) / (hi - lo) * width

    parts = [f"<svg width='{left + width + 30}' "
             f"height='{height}' role='img' aria-label='{_esc(title)}'>"]
    if reference is not None:
        rx = x(reference)
        parts.append(f"<line x1='{rx:.1f}' y1='5' x2='{rx:.1f}' y2='{height - 30}' "
                     "stroke='#999' stroke-dasharray='4 3'/>")
    for i, label in enumerate(labels):
        y = 15 + i * row_h
        parts.append(f"<text x='5' y='{y + 4}' font-size='12'>{_esc(label)}</text>")
        p, a, b = points[i], lows[i], highs[i]
        if a is not None and b is not None and (not log or (a > 0 and b > 0)):
            parts.append(f"<line x1='{x(a):.1f}' y1='{y}' x2='{x(b):.1f}' y2='{y}' "
                         "stroke='#333' stroke-width='1.5'/>")
        if p is not None and (not log or p > 0):
            parts.append(f"<circle cx='{x(p):.1f}' cy='{y}' r='4' fill='#2a6f97'/>")
        elif p is None:
            parts.append(f"<text x='{left}' y='{y + 4}' font-size='11' fill='#777'>"
                         "suppressed or not estimable</text>")
    ticks = _ticks(lo, hi, log)
    base = height - 22
    parts.append(f"<line x1='{left}' y1='{base}' x2='{left + width}' y2='{base}' "
                 "stroke='#333'/>")
    for t in ticks:
        tx = left + ((math.log(t) if log else t) - lo) / (hi - lo) * width
        parts.append(f"<line x1='{tx:.1f}' y1='{base}' x2='{tx:.1f}' y2='{base + 4}' "
                     "stroke='#333'/>")
        parts.append(f"<text x='{tx:.1f}' y='{base + 16}' font-size='11' "
                     f"text-anchor='middle'>{t:g}</text>")
    parts.append("</svg>")
    return "".join(parts)


def _ticks(lo: float, hi: float, log: bool) -> list[float]:
    if log:
        candidates = [0.1, 0.2, 0.25, 0.5, 0.67, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 10]
        return [c for c in candidates if lo <= math.log(c) <= hi]
    step = _nice((hi - lo) / 5)
    start = math.ceil(lo / step) * step
    out = []
    v = start
    while v <= hi + 1e-12:
        out.append(round(v, 10))
        v += step
    return out


def _nice(x: float) -> float:
    exp = math.floor(math.log10(x)) if x > 0 else 0
    f = x / 10 ** exp
    return (1 if f < 1.5 else 2 if f < 3 else 5 if f < 7 else 10) * 10 ** exp


def _bars(labels: list[str], values: list[float | None], title: str) -> str:
    present = [v for v in values if v is not None]
    if not present:
        return ""
    top = max(present) or 1.0
    left, width, row_h = 170, 360, 24
    parts = [f"<svg width='{left + width + 60}' "
             f"height='{row_h * len(labels) + 10}' role='img' aria-label='{_esc(title)}'>"]
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        y = 5 + i * row_h
        parts.append(f"<text x='5' y='{y + 14}' font-size='12'>{_esc(label)}</text>")
        if v is None:
            continue
        w = v / top * width
        parts.append(f"<rect x='{left}' y='{y + 3}' width='{w:.1f}' height='{row_h - 8}' "
                     "fill='#2a6f97'/>")
        parts.append(f"<text x='{left + w + 4:.1f}' y='{y + 14}' font-size='11'>{v:.3f}</text>")
    parts.append("</svg>")
    return "".join(parts)


def _curve(xs: list[float], ys: list[float], title: str) -> str:
    if len(xs) < 2:
        return ""
    left, width, height = 50, 400, 180
    x_hi = max(xs) or 1.0
    y_hi = max(max(ys), 1e-6)
    pts = " ".join(f"{left + x / x_hi * width:.1f},{height - 20 - y / y_hi * (height - 40):.1f}"
                   for x, y in zip(xs, ys, strict=True))
    return (f"<svg width='{left + width + 20}' "
            f"height='{height}' role='img' aria-label='{_esc(title)}'>"
            f"<polyline points='{pts}' fill='none' stroke='#2a6f97' stroke-width='2'/>"
            f"<line x1='{left}' y1='{height - 20}' x2='{left + width}' y2='{height - 20}' "
            "stroke='#333'/>"
            f"<line x1='{left}' y1='20' x2='{left}' y2='{height - 20}' stroke='#333'/>"
            f"<text x='{left}' y='14' font-size='11'>price of fairness (max {y_hi:.4f})</text>"
            f"<text x='{left + width}' y='{height - 4}' font-size='11' text-anchor='end'>"
            f"priority strength (max {x_hi:g})</text></svg>")


def render(result: AuditResult) -> str:
    """The report as one HTML string."""
    v, m, s = result.verdict, result.metrics, result.settings
    bad = v["creaming_detected"] or v["parking_detected"]
    out = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
           "<title>matcher: creaming and parking audit</title>",
           f"<style>{_CSS}</style></head><body>",
           "<h1>Creaming and parking audit</h1>",
           f"<div class='verdict{' bad' if bad else ''}'><p><b>Creaming detected:</b> "
           f"{_num(v['creaming_detected'])} &#160; <b>Parking detected:</b> "
           f"{_num(v['parking_detected'])}"
           + (f" &#160; <b>Driven by:</b> {_esc(v['driven_by'])}" if v["driven_by"] else "")
           + "</p><ul>" + "".join(f"<li>{_esc(r)}</li>" for r in v["reasons"]) + "</ul></div>"]
    pool = s["pool"]
    out.append(f"<p class='note'>Pool: {pool['seekers']} seekers, {pool['pairs']} eligible "
               f"pairs, {pool['opportunities']} opportunities, {pool['batches']} batch(es). "
               f"Mode: {_esc(s['mode'])}. Employability index: "
               f"{_esc(s['employability_index'])}. Alpha {s['alpha']}, {s['correction']} "
               f"correction, {s['bootstrap']} bootstrap replicates (seed {s['seed']}), cells "
               f"under {s['min_cell']} suppressed.</p>")

    tiers = m["C1"].get("by_tier") or []
    out.append("<h2>Selection rate by tier (C1, C4)</h2>")
    out.append(_interval_plot([t["tier"] for t in tiers], [t["rate"] for t in tiers],
                              [t["ci_low"] for t in tiers], [t["ci_high"] for t in tiers],
                              reference=m["C1"]["overall"]["rate"],
                              title="selection rate by tier"))
    out.append(_table(tiers, ["tier", "n", "selected", "rate", "ci_low", "ci_high",
                              "representation_ratio", "rr_ci_low", "rr_ci_high"]))
    c23 = m["C1"].get("C2_C3") or {}
    if c23:
        out.append("<h2>Creaming ratio and gap (C2, C3)</h2>")
        out.append(_table([c23], ["easiest", "hardest", "C2_creaming_ratio", "C2_ci_low",
                                  "C2_ci_high", "C3_creaming_gap_pp", "C3_bootstrap_ci_pp", "z",
                                  "p_z", "p_fisher", "p_boschloo", "four_fifths_flag"]))
        out.append("<p class='note'>The four-fifths flag is descriptive only: it ignores fit "
                   "and sample size.</p>")
    if m["C1"].get("by_group"):
        out.append("<h2>Selection rate by group</h2>")
        out.append(_table(m["C1"]["by_group"], ["group", "value", "n", "selected", "rate",
                                                "ci_low", "ci_high"]))
    tests = m["C6_C7"] + m["C6_by_tier"]
    out.append("<h2>Creaming with fit held constant (C6, C7)</h2>")
    out.append(_interval_plot([f"{t['test']} {t['scope']}" for t in tests],
                              [t["odds_ratio"] for t in tests], [t["ci_low"] for t in tests],
                              [t["ci_high"] for t in tests], log=True, reference=1.0,
                              title="odds-ratio forest plot"))
    out.append("<p class='note'>Odds ratio per SD of employability (C6) or for the easier "
               "tiers (C7); above 1 favours the easier to place. Log scale.</p>")
    out.append(_table(tests, ["test", "scope", "status", "n", "n_groups", "odds_ratio", "ci_low",
                              "ci_high", "statistic", "p_value", "p_adjusted", "mde_or",
                              "decisive"]))
    out.append("<h2>Balance: employability of selected vs not (C5, C8)</h2>")
    out.append(_table(m["C5_C8"], ["metric", "scope", "variable", "n_selected",
                                   "n_not_selected", "smd", "se", "hedges", "bootstrap_ci"]))
    out.append("<h2>Parking (C9)</h2>")
    out.append(_table(m["C9"].get("by_tier") or [], ["tier", "n", "never_selected",
                                                     "parking_rate", "ci_low", "ci_high"]))
    if m["C9"].get("test"):
        out.append(_table([m["C9"]["test"]], ["test", "status", "odds_ratio", "ci_low",
                                              "ci_high", "p_value", "mde_or", "note"]))
    ranked = m["C10_C11"]
    if ranked:
        out.append("<h2>Exposure in ranked lists (C10)</h2>")
        rows = ranked.get("C10") or []
        out.append(_bars([r["tier"] for r in rows], [r["exposure"] for r in rows],
                         "mean exposure by tier"))
        out.append(_table(rows, ["tier", "n", "exposure", "mean_fit", "exposure_per_fit"]))
        c11 = ranked.get("C11") or {}
        out.append("<h2>FA*IR top-k representation (C11)</h2>")
        out.append(f"<p>{c11.get('failing', 0)} of {c11.get('lists', 0)} ranked lists have a "
                   f"prefix with fewer harder-tier candidates than the FA*IR minimum "
                   f"(alpha {c11.get('alpha')}).</p>")
    if m["C12"]:
        out.append("<h2>Outcomes among the selected (C12)</h2>")
        out.append(_table(m["C12"], ["outcome", "tier", "n", "yes", "rate", "ci_low", "ci_high",
                                     "p_value"]))
    if m["C13"]:
        out.append("<h2>Price of fairness (C13)</h2>")
        out.append(_curve([r["strength"] for r in m["C13"]],
                          [r["price_of_fairness"] or 0.0 for r in m["C13"]], "price of fairness"))
        out.append(_table(m["C13"], ["strength", "total_fit", "price_of_fairness", "selected",
                                     "harder_share_selected", "mean_z_employability_selected"]))
    if result.suppressed:
        out.append("<h2>Suppressed cells</h2>")
        out.append(_table(result.suppressed, ["metric", "row", "cell", "kind"]))
    out.append("</body></html>")
    return "\n".join(out)
