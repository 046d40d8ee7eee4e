"""Render a :class:`~matcher.report.run.Run` as one self-contained HTML page.

What is read once is written as HTML here (summary, audit, plots, overrides, price of
fairness); what can be 20,000 rows long (the job-seekers, open places, warnings) is embedded as
compact JSON and drawn a page at a time by the page's own script, so the page stays light
however large the batch.

Safety: every value from the files is escaped (``html.escape``) or travels inside the embedded
data, which is gzip-compressed JSON in base64 (:func:`pack`), so no value can close the script
element; the page's script only ever sets ``textContent``. A Content-Security-Policy allows exactly
the page's own script and style (by hash) and nothing from any network.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import html
import json
import math
from collections.abc import Sequence
from importlib import resources
from typing import Any

import numpy as np
import polars as pl

from matcher import __version__
from matcher.audit.disclosure import suppress_table
from matcher.audit.metrics import wilson_interval
from matcher.io.tiers import EMPLOYABILITY_BANDS, tier_order
from matcher.report.plots import curve_plot, histogram, interval_plot
from matcher.report.run import Run
from matcher.report.strings import HIDDEN, LANGUAGES, STRINGS, Lang, Numbers, optimality_text
from matcher.validate import Interval, Options, validate_params

__all__ = ["pack", "render", "tier_table", "unpack"]

#: strings the page's script uses (the rest are written into the HTML here)
_SCRIPT_STRINGS = (
    "unmatched", "alternatives", "no_alternatives", "rank", "role", "enterprise", "score",
    "skill_fit", "transfer_fit", "wish_fit", "assigned", "showing", "none_found", "previous",
    "next", "page", "yes", "no", "seeker", "status", "tier", "reason", "history",
    "history_cell", "history_streak", "places", "open", "file", "row", "column", "problem",
    "value", "tier_unknown", "ruled_out", "locked_yes",
)


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def tier_table(run: Run, min_cell: int, alpha: float = 0.05) -> list[dict[str, Any]]:
    """Match rates by tier with Wilson intervals, small cells suppressed as the audit does.

    One row per tier in order (and ``None`` for job-seekers whose tier is unknown, when there
    are any), then the overall row (``tier`` ``"*"``). Counts below ``min_cell`` are hidden
    (``None``) together with the cells that would give them away
    (:func:`matcher.audit.disclosure.suppress_table`); a row with a hidden cell hides its rate,
    interval and mean score too.
    """
    if run.tiers is None:
        return []
    frame = run.tiers.join(run.matches.select("seeker_id", "role_id", "score"),
                           on="seeker_id", how="left")
    labels: list[str | None] = list(run.tier_labels)
    if frame["tier"].null_count():
        labels.append(None)
    rows: list[dict[str, Any]] = []
    counts = np.zeros((len(labels), 2), dtype=np.int64)
    means: list[float | None] = []
    for r, label in enumerate(labels):
        part = frame.filter(pl.col("tier").is_null() if label is None
                            else pl.col("tier") == label)
        k = int(part["role_id"].is_not_null().sum())
        counts[r] = (k, part.height - k)
        means.append(float(part["score"].drop_nulls().mean()) if k else None)  # type: ignore[arg-type]
    hidden = suppress_table(counts, min_cell, public_columns=True)  # the summary shows both
    for r, label in enumerate(labels):
        k, n = int(counts[r, 0]), int(counts[r].sum())
        lo, hi = wilson_interval(k, n, alpha)
        row: dict[str, Any] = {"tier": label, "n": n, "matched": k,
                               "rate": k / n if n else None, "ci_low": lo, "ci_high": hi,
                               "mean_score": means[r],
                               "suppressed": bool(hidden.cells[r].any() or hidden.rows[r])}
        if row["suppressed"]:
            row.update(matched=None, rate=None, ci_low=None, ci_high=None, mean_score=None)
        if hidden.rows[r]:
            row["n"] = None
        rows.append(row)
    k_all, n_all = int(counts[:, 0].sum()), int(counts.sum())
    lo, hi = wilson_interval(k_all, n_all, alpha)
    overall = {"tier": "*", "n": n_all, "matched": k_all, "rate": k_all / n_all if n_all else None,
               "ci_low": lo, "ci_high": hi,
               "mean_score": float(run.matches["score"].drop_nulls().mean())  # type: ignore[arg-type]
               if k_all else None, "suppressed": False}
    if hidden.total or hidden.columns.any():
        overall.update(matched=None, rate=None, ci_low=None, ci_high=None, mean_score=None,
                       suppressed=True)
    if hidden.total:
        overall["n"] = None
    rows.append(overall)
    return rows


def _asset(name: str) -> str:
    return (resources.files("matcher.report") / "assets" / name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def pack(data: Any) -> str:
    """The page's data: compact JSON, gzip-compressed (no timestamp), in base64.

    Base64 has no character that could end the script element, and a 20,000-row run shrinks
    from about 11 MB of JSON to about 2 MB. The page unpacks it with the browser's own
    ``DecompressionStream``.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return base64.b64encode(gzip.compress(text.encode("utf-8"), 6, mtime=0)).decode("ascii")


def unpack(text: str) -> Any:
    """The inverse of :func:`pack` (for tests and for scripts that read an archived report)."""
    return json.loads(gzip.decompress(base64.b64decode(text)).decode("utf-8"))


def _round(x: Any, digits: int = 3) -> float | None:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return None
    return round(float(x), digits)


def _in_tier_order(keys: set[str], known: Sequence[str]) -> list[str]:
    """Tier labels in the order of the run's tier table (closest to work first), whatever
    order a file stored them in (a manifest's JSON has its keys sorted)."""
    ordered = [t for t in known if t in keys]
    rest = [k for k in keys if k not in ordered]
    bands = [label for _, label in EMPLOYABILITY_BANDS]
    if all(k in bands for k in rest):
        return ordered + [b for b in bands if b in rest]
    return ordered + tier_order(rest)


def _dl(rows: Sequence[tuple[str, str]]) -> str:
    return "<dl>" + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>"


class _Page:
    def __init__(self, run: Run, lang: Lang, min_cell: int) -> None:
        validate_params("render", {"lang": lang, "min_cell": min_cell},
                        {"lang": [Options(LANGUAGES)], "min_cell": [Interval(int, 1, None)]})
        self.run, self.lang, self.min_cell = run, lang, min_cell
        self.t = dict(STRINGS[lang])
        if run.tier_source == "employability":  # bands of employability stand in for tiers
            for key, band in (("tier", "band"), ("audit_intro", "band_intro"),
                              ("rate_plot", "band_plot"), ("sort_tier", "sort_band")):
                self.t[key] = self.t[band]
        self.f = Numbers(lang)
        self.m = run.manifest

    # ------------------------------------------------------------------ sections
    def summary(self) -> str:
        t, f, m = self.t, self.f, self.m
        c = m.get("counts", {})
        slots = c.get("slots")
        open_places = slots - m["matched"] if isinstance(slots, int) else None
        counts = [
            (t["seekers_n"], f.int(c.get("seekers"))),
            (t["roles_n"], f.int(c.get("roles"))),
            (t["slots_n"], f.int(slots)),
            (t["matched_n"], f.int(m.get("matched"))),
            (t["unmatched_n"], f.int(c.get("unmatched"))),
            (t["open_n"], f.int(open_places)),
            (t["allowed_pairs"], f.int(c.get("allowed_pairs"))),
            (t["feasible_pairs"], f.int(c.get("feasible_pairs"))),
            (t["warnings_n"], f.int(c.get("warnings"))),
        ]
        certified = (m.get("optimality") or {}).get("certified")
        tax = m.get("taxonomy") or {}
        timings = m.get("timings_s") or {}
        result = [
            (t["total_score"], f.num(m.get("total_score"), 3)),
            *([(t["objective_total"], f.num(m.get("objective_total"), 3))]
              if (m.get("settings") or {}).get("policy") == "priority"
              and m.get("objective_total") is not None else []),
            (t["solver"], _e(t.get(f"solver_{m.get('solver')}", m.get("solver", HIDDEN)))),
            (t["optimality"], f"<span class='{'ok' if certified else 'bad'}'>"
                              f"{_e(optimality_text(m.get('optimality'), self.lang))}</span>"),
            (t["taxonomy"], _e(" ".join(str(v) for v in (
                tax.get("version"),
                t["built_in"] if tax.get("source") == "built-in" else tax.get("source"),
                tax.get("crosswalk")) if v))),
            (t["version"], _e(m.get("matcher_version", HIDDEN))),
            (t["time"], t["seconds"].format(s=f.num(sum(timings.values()), 1))
             if timings else HIDDEN),
        ]
        kinds = {"seekers": t["seekers_n"], "roles": t["roles_n"], "overrides": t["overrides_file"]}
        inputs = "".join(
            f"<tr><td>{_e(kinds.get(kind, kind))}</td><td>{_e(v.get('file', ''))}</td>"
            f"<td class='hash'>{_e(v.get('sha256', ''))}</td></tr>"
            for kind, v in sorted((m.get("inputs") or {}).items()))
        settings = "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>"
                           for k, v in self._settings())
        return (
            f"<section id='summary'><h2>{t['summary']}</h2><div class='cards'>"
            f"<div class='card'><h3>{t['counts']}</h3>{_dl(counts)}</div>"
            f"<div class='card'><h3>{t['result']}</h3>{_dl(result)}</div></div>"
            f"<h3>{t['inputs']}</h3><div class='scroll'><table class='plain inputs'><thead><tr>"
            f"<th></th><th>{t['file']}</th><th>{t['sha256']}</th></tr></thead>"
            f"<tbody>{inputs}</tbody></table></div>"
            f"<h3>{t['settings']}</h3><table class='plain settings'><tbody>{settings}</tbody>"
            f"</table></section>")

    def _settings(self) -> list[tuple[str, str]]:
        t = self.t
        out = []
        for key, value in sorted((self.m.get("settings") or {}).items()):
            if key in ("taxonomy", "crosswalk", "block_size", "neutral_wish", "history"):
                continue  # shown with the catalogue, or internal
            label = t.get(f"setting_{key}", key)
            if isinstance(value, bool):
                text = t["yes"] if value else t["no"]
            elif f"{key}_{value}" in t:  # a choice: policy, lang, solver, executor, ...
                text = t[f"{key}_{value}"]
            elif isinstance(value, dict):
                names = {"skill": t["skill_fit"], "transfer": t["transfer_fit"],
                         "wish": t["wish_fit"], "permanent": t["permanent"]}
                text = ", ".join(f"{(names.get(k) or k).lower()} {self._value(v)}"
                                 for k, v in sorted(value.items()))
            else:
                text = self._value(value)
            out.append((label, text))
        return out

    def _value(self, v: Any) -> str:
        if v is None:
            return self.t["none"]
        if isinstance(v, float):
            return self.f.num(v, 0 if v.is_integer() else 2)
        return str(v)

    def audit(self) -> str:
        t, f = self.t, self.f
        head = f"<section id='audit'><h2>{t['audit']}</h2>"
        rows = tier_table(self.run, self.min_cell)
        parts = [head]
        if not rows:
            parts.append(f"<p class='note'>{_e(t['no_tiers'])}</p>")
        else:
            parts.append(f"<p>{_e(t['audit_intro'])}</p>")
            tiers = rows[:-1]
            labels = [t["tier_unknown"] if r["tier"] is None else r["tier"] for r in tiers]
            parts.append("<figure>" + interval_plot(
                labels, [r["rate"] for r in tiers], [r["ci_low"] for r in tiers],
                [r["ci_high"] for r in tiers], title=t["rate_plot"], fmt=f.pct,
                overall=rows[-1]["rate"]) + f"<figcaption>{_e(t['rate_plot'])}</figcaption>"
                "</figure>")
            body = []
            for r, label in zip(rows, [*labels, t["all_tiers"]], strict=True):
                ci = (f"{f.pct(r['ci_low'])}\u2013{f.pct(r['ci_high'])}"
                      if r["ci_low"] is not None else HIDDEN)
                body.append(
                    f"<tr{' class=total' if r['tier'] == '*' else ''}><td>{_e(label)}</td>"
                    f"<td>{f.int(r['n'])}</td><td>{f.int(r['matched'])}</td>"
                    f"<td>{f.pct(r['rate'])}</td><td>{ci}</td>"
                    f"<td>{f.num(r['mean_score'])}</td></tr>")
            parts.append(
                f"<div class='scroll'><table class='plain num'><thead><tr><th>{t['tier']}</th>"
                f"<th>{t['people']}</th><th>{t['matched_n']}</th><th>{t['rate']}</th>"
                f"<th>{t['interval']}</th><th>{t['mean_score']}</th></tr></thead>"
                f"<tbody>{''.join(body)}</tbody></table></div>")
            if any(r["suppressed"] or r["n"] is None for r in rows):
                parts.append(f"<p class='note'>{_e(t['suppressed_note'].format(n=self.min_cell))}"
                             "</p>")
        scores = self.run.matches["score"].drop_nulls().to_list()
        if scores:
            lo = float((self.m.get("settings") or {}).get("min_score", 0.0) or 0.0)
            lo = math.floor(min(lo, min(scores)) * 20) / 20
            parts.append("<figure>" + histogram(
                scores, lo=lo, hi=1.0, bins=max(1, round((1.0 - lo) * 20)),
                title=t["score_plot"], x_label=t["score_axis"], y_label=t["count_axis"],
                fmt=lambda v: f.num(v, 1)) + f"<figcaption>{_e(t['score_plot'])}</figcaption>"
                "</figure>")
        parts.append("</section>")
        return "".join(parts)

    def parking(self) -> str:
        """Seekers unmatched in at least K runs in a row, by tier (needs a history)."""
        history = self.m.get("history")
        if not isinstance(history, dict) or self.run.tiers is None:
            return ""
        k = int(history.get("parked_after", 2))
        per = history.get("seekers") or {}
        streak = pl.Series([int((per.get(s) or {}).get("unmatched_streak", 0))
                            for s in self.run.tiers["seeker_id"].to_list()])
        frame = self.run.tiers.with_columns(parked=streak >= k)
        labels: list[str | None] = list(self.run.tier_labels)
        if frame["tier"].null_count():
            labels.append(None)
        counts = np.array([[int(p["parked"].sum()), p.height - int(p["parked"].sum())]
                           for p in (frame.filter(pl.col("tier").is_null() if lab is None
                                                  else pl.col("tier") == lab)
                                     for lab in labels)], dtype=np.int64).reshape(-1, 2)
        withheld = suppress_table(counts, self.min_cell)
        hidden = [bool(withheld.cells[r].any() or withheld.rows[r]) for r in range(len(labels))]
        t, f = self.t, self.f
        body = "".join(
            f"<tr><td>{_e(t['tier_unknown'] if lab is None else lab)}</td>"
            f"<td>{f.int(None if withheld.rows[r] else int(counts[r].sum()))}</td>"
            f"<td>{f.int(None if hidden[r] else int(counts[r, 0]))}</td>"
            f"<td>{f.pct(None if hidden[r] else counts[r, 0] / counts[r].sum())}</td></tr>"
            for r, lab in enumerate(labels))
        return (f"<section id='parking'><h2>{t['parking']}</h2>"
                f"<p>{_e(t['parking_intro'].format(k=k))}</p>"
                f"<div class='scroll'><table class='plain num'><thead><tr><th>{t['tier']}</th>"
                f"<th>{t['people']}</th><th>{_e(t['parked'].format(k=k))}</th><th>%</th></tr>"
                f"</thead><tbody>{body}</tbody></table></div>"
                f"<p class='note'>{_e(t['suppressed_note'].format(n=self.min_cell))}</p>"
                "</section>")

    def curve(self) -> str:
        """The price of fairness: total fit given up against match rates by tier."""
        curve = self.m.get("policy_curve")
        if not isinstance(curve, list) or not curve:
            return ""
        t, f = self.t, self.f
        points = sorted(curve, key=lambda p: float(p["weight"]))
        base = float(points[0]["total_score"])
        tiers = _in_tier_order({k for p in points for k in (p.get("match_rate_by_tier") or {})},
                               self.run.tier_labels)
        series = [(tier, [(base - float(p["total_score"]), float(p["match_rate_by_tier"][tier]))
                          for p in points
                          if (p.get("match_rate_by_tier") or {}).get(tier) is not None])
                  for tier in tiers]
        plot = curve_plot(series, title=t["curve"], x_label=t["fit_lost"], y_label=t["rate"],
                          fmt_x=lambda v: f.num(v, 2), fmt_y=f.pct)
        head = "".join(f"<th>{_e(tier)}</th>" for tier in tiers)
        body = "".join(
            f"<tr><td>{f.num(float(p['weight']), 2)}</td>"
            f"<td>{f.num(base - float(p['total_score']), 3)}</td>"
            + "".join(f"<td>{f.pct((p.get('match_rate_by_tier') or {}).get(tier))}</td>"
                      for tier in tiers) + "</tr>" for p in points)
        return (f"<section id='curve'><h2>{t['curve']}</h2><p>{_e(t['curve_intro'])}</p>"
                f"<figure>{plot}<figcaption>{_e(t['curve'])}</figcaption></figure>"
                f"<div class='scroll'><table class='plain num'><thead><tr><th>{t['weight']}</th>"
                f"<th>{t['fit_lost']}</th>{head}</tr></thead><tbody>{body}</tbody></table></div>"
                "</section>")

    def overrides(self, role_names: dict[str, str]) -> str:
        """Each change made by hand with its cost in fit, and in fit plus priority where the
        run's policy weighed priority (the manifest's ``objective_cost``)."""
        items = self.m.get("overrides")
        if not isinstance(items, list) or not items:
            return ""
        t, f = self.t, self.f
        priority = any("objective_cost" in o for o in items)

        def costs(fit: Any, objective: Any) -> str:
            cells = f"<td data-label='{_e(t['cost'])}'>{f.num(fit, 3)}</td>"
            return cells + (f"<td data-label='{_e(t['cost_objective'])}'>{f.num(objective, 3)}"
                            "</td>" if priority else "")

        body = "".join(
            f"<tr><td data-label='{_e(t['kind'])}'>{_e(t.get(str(o.get('kind')), o.get('kind')))}"
            f"</td><td data-label='{_e(t['seeker'])}'>{_e(o.get('seeker_id'))}</td>"
            f"<td data-label='{_e(t['role'])}'>"
            f"{_e(role_names.get(str(o.get('role_id')), o.get('role_id')))}</td>"
            f"{costs(o.get('cost'), o.get('objective_cost'))}</tr>" for o in items)
        if len(items) > 1 and "overrides_cost" in self.m:
            total = costs(self.m.get("overrides_cost"), self.m.get("overrides_objective_cost"))
            body += (f"<tr class=total><td colspan=3>{_e(t['overrides_total'])}</td>{total}"
                     "</tr>")
        head = f"<th>{t['cost']}</th>" + (f"<th>{t['cost_objective']}</th>" if priority else "")
        note = f"<p class='note'>{_e(t['overrides_priority'])}</p>" if priority else ""
        return (f"<section id='overrides'><h2>{t['overrides']}</h2>"
                f"<p>{_e(t['overrides_intro'])}</p><div class='scroll'>"
                "<table class='plain changes'>"
                f"<thead><tr><th>{t['kind']}</th><th>{t['seeker']}</th><th>{t['role']}</th>"
                f"{head}</tr></thead><tbody>{body}</tbody></table></div>{note}</section>")

    # ------------------------------------------------------------------ embedded data
    def data(self) -> dict[str, Any]:
        run = self.run
        role_ids: list[str] = []
        titles: dict[str, tuple[str, str]] = {}
        if run.roles is not None:
            for rid, title, ent, _slots in run.roles.iter_rows():
                titles[rid] = (title or "", ent or "")
        for frame in (run.matches, run.alternatives):
            if frame is not None:
                role_ids += frame["role_id"].drop_nulls().to_list()
        role_ids = sorted(set(role_ids) | set(titles))
        role_index = {r: i for i, r in enumerate(role_ids)}
        roles = [[r, *titles.get(r, ("", ""))] for r in role_ids]

        reasons: dict[str, int] = {}
        tier_of: dict[str, int] = {}
        tier_labels = list(run.tier_labels)
        if run.tiers is not None:
            rank = {label: i for i, label in enumerate(tier_labels)}
            tier_of = {s: rank[tv] for s, tv in run.tiers.iter_rows() if tv is not None}
        history = (self.m.get("history") or {}).get("seekers") if isinstance(
            self.m.get("history"), dict) else None
        seekers = []
        for sid, rid, score, reason in run.matches.iter_rows():
            row: list[Any] = [sid, role_index[rid] if rid is not None else -1, _round(score),
                              reasons.setdefault(reason, len(reasons)),
                              tier_of.get(sid, -1 if run.tiers is not None else None)]
            if history is not None:
                h = history.get(sid) or {}
                row.append([int(h.get("runs", 0)), int(h.get("matched", 0)),
                            int(h.get("unmatched_streak", 0))])
            seekers.append(row)
        alts: list[list[list[Any]]] = [[] for _ in seekers]
        # the caseworker's changes mark the alternatives: 2 ruled out by hand, 3 locked
        changes = {(str(o.get("seeker_id")), str(o.get("role_id"))): o.get("kind")
                   for o in (self.m.get("overrides") or []) if isinstance(o, dict)}
        if run.alternatives is not None:
            index = {s[0]: i for i, s in enumerate(seekers)}
            for sid, rid, rank_, score, skill, transfer, wish, assigned in \
                    run.alternatives.select("seeker_id", "role_id", "rank", "score", "skill_fit",
                                            "transfer_fit", "wish_fit", "assigned").iter_rows():
                kind = changes.get((sid, rid))
                flag = 2 if kind == "forbid" else 3 if kind == "lock" and assigned else \
                    int(bool(assigned))
                alts[index[sid]].append([role_index[rid], rank_, _round(score), _round(skill),
                                         _round(transfer), _round(wish), flag])
        open_rows: list[list[int]] = []
        if run.roles is not None:
            taken = run.matches["role_id"].drop_nulls().value_counts()
            used = dict(zip(taken["role_id"].to_list(), taken["count"].to_list(), strict=True))
            open_rows = [[role_index[rid], int(slots), int(slots) - used.get(rid, 0)]
                         for rid, _t, _e2, slots in run.roles.iter_rows()
                         if int(slots) > used.get(rid, 0)]
        warnings = ([list(r) for r in run.warnings.iter_rows()]
                    if run.warnings is not None else [])
        return {
            "lang": self.lang, "t": {k: self.t[k] for k in _SCRIPT_STRINGS},
            "tiers": tier_labels, "hasTiers": run.tiers is not None,
            "hasHistory": history is not None, "hasAlts": run.alternatives is not None,
            "roles": roles, "reasons": list(reasons), "seekers": seekers, "alts": alts,
            "open": open_rows, "rolesKnown": run.roles is not None, "warnings": warnings,
        }

    # ------------------------------------------------------------------ the page
    def html(self) -> str:
        t = self.t
        data = self.data()
        role_names = {r[0]: (f"{r[1]} ({r[0]})" if r[1] else r[0]) for r in data["roles"]}
        sections = [self.summary(), self.audit(), self.parking(), self.curve(),
                    self.overrides(role_names)]
        c = self.m.get("counts", {})
        slots, matched = c.get("slots"), self.m.get("matched")
        open_note = ""
        if not data["rolesKnown"] and isinstance(slots, int) and isinstance(matched, int):
            left = self.f.int(slots - matched)
            open_note = f"<p class='note'>{_e(t['open_unknown'].format(n=left))}</p>"
        no_open = (f"<p class='note' id='no-open'>{_e(t['no_open'])}</p>"
                   if data["rolesKnown"] and not data["open"] else "")
        nav = [("summary", t["summary"]), ("audit", t["audit"])]
        nav += [(sid, t[key]) for sid, key in (("parking", "parking"), ("curve", "curve"),
                                               ("overrides", "overrides"))
                if f"id='{sid}'" in "".join(sections)]
        nav += [("matches", t["matches"]), ("open", t["open_places"]),
                ("warnings", t["warnings"])]
        sort_options = "".join(f"<option value='{k}'>{_e(t['sort_' + k])}</option>"
                               for k in ("id", "score_desc", "score_asc", "tier")
                               if k != "tier" or data["hasTiers"])
        tier_filter = ""
        if data["hasTiers"]:
            opts = "".join(f"<option value='{i}'>{_e(lab)}</option>"
                           for i, lab in enumerate(data["tiers"]))
            tier_filter = (f"<label>{t['tier']}<select id='f-tier'><option value=''>"
                           f"{t['show_all']}</option>{opts}<option value='-1'>"
                           f"{t['tier_unknown']}</option></select></label>")
        matches = (
            f"<section id='matches'><h2>{t['matches']}</h2>"
            f"<p>{_e(t['matches_intro'].format(alternatives=t['alternatives']))}</p>"
            f"<noscript><p class='note'>{_e(t['noscript'])}</p></noscript>"
            f"<p class='note' id='old-browser' hidden>{_e(t['old_browser'])}</p>"
            f"<div class='controls'><label>{t['search']}<input id='q' type='search' "
            f"autocomplete='off' placeholder='{_e(t['search_placeholder'])}'></label>"
            f"<label>{t['show']}<select id='f-status'><option value='all'>{t['show_all']}</option>"
            f"<option value='matched'>{t['show_matched']}</option><option value='unmatched'>"
            f"{t['show_unmatched']}</option></select></label>{tier_filter}"
            f"<label>{t['sort']}<select id='f-sort'>{sort_options}</select></label></div>"
            f"<div id='seeker-list' class='list' aria-live='polite'></div></section>")
        open_section = (f"<section id='open'><h2>{t['open_places']}</h2>"
                        f"<p>{_e(t['open_intro'])}</p>{open_note}{no_open}"
                        "<div id='open-list' class='list'></div></section>")
        counted = (self.m.get("counts") or {}).get("warnings")
        if data["warnings"]:
            warn_intro = t["warnings_intro"]
        elif isinstance(counted, int) and counted > 0:  # the run had some; its file is not here
            warn_intro = t["warnings_missing"].format(n=self.f.int(counted))
        else:
            warn_intro = t["no_warnings"]
        warn_section = (f"<section id='warnings'><h2>{t['warnings']}</h2>"
                        f"<p>{_e(warn_intro)}</p>"
                        f"<div id='warning-list' class='list'></div></section>")
        css, js = _asset("report.css"), _asset("report.js")
        csp = (f"default-src 'none'; script-src {_csp_hash(js)}; style-src {_csp_hash(css)}; "
               "img-src data:; base-uri 'none'; form-action 'none'")
        contents = "".join(f"<li><a href='#{sid}'>{_e(label)}</a></li>" for sid, label in nav)
        return (
            f"<!DOCTYPE html>\n<html lang='{self.lang}'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<meta http-equiv='Content-Security-Policy' content=\"{csp}\">"
            f"<meta name='referrer' content='no-referrer'>"
            f"<title>{_e(t['title'])}</title><style>{css}</style></head><body>"
            f"<header><h1>{_e(t['title'])}</h1><p class='sub'>{_e(t['subtitle'])}</p>"
            f"<nav aria-label='{_e(t['contents'])}'><ul>{contents}</ul></nav></header><main>"
            + "".join(sections) + matches + open_section + warn_section +
            f"</main><footer>{_e(t['footer'].format(version=__version__))}</footer>"
            f"<script type='application/octet-stream' id='report-data' "
            f"data-encoding='gzip+base64'>{pack(data)}</script>"
            f"<script>{js}</script></body></html>\n")


def render(run: Run, *, lang: Lang = "en", min_cell: int = 5) -> str:
    """The report of ``run`` as one HTML document (a string), in ``lang``.

    The same run, language and ``min_cell`` give the same bytes: nothing depends on the clock.
    """
    return _Page(run, lang, min_cell).html()
