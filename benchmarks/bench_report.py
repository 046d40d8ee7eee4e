"""Size and speed of the caseworker's report at region scale, against a static page baseline.

    python benchmarks/bench_report.py [--seekers 20000] [--roles 5000] [--top-k 5] [--runs 3]

Writes a synthetic run (no real people; reasons as long as the engine's, 300-600 characters,
each different) and measures, as medians over the runs:

- the report (``matcher.report``): rows embedded as JSON, one page of 50 rows drawn by the
  page's script;
- the baseline: the same rows written as one static HTML table (every job-seeker, reason and
  alternative in the DOM), which is what a report without paging would be.

For each: the file size (and gzipped, as it would travel by e-mail or an archive), the time to
render it in Python, the time to first render in headless Chromium (navigation start to the
first rows drawn: ``data-ready-ms`` for the report, the load event for the static page), the
number of DOM elements, and for the report the time a search takes over all rows. Needs
Chromium at /usr/bin/chromium and Playwright.
"""

from __future__ import annotations

import argparse
import gzip
import html
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import polars as pl

from matcher.report import Run, render

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SKILLS = ["manage livestock", "harvest crop", "sew pieces of fabric", "operate forklift",
          "clean surfaces", "prepare food", "serve customers", "stock shelves",
          "maintain garden", "use hand tools", "follow hygiene standards", "pack goods"]
OCCUPATIONS = ["agronomist", "dressmaker", "warehouse worker", "kitchen assistant",
               "gardener", "cleaner", "shop assistant", "bee breeder", "baker", "driver"]


def synthetic_run(n_seekers: int, n_roles: int, top_k: int, seed: int = 0) -> Run:
    rng = random.Random(seed)
    roles = [f"R{j:05d}" for j in range(n_roles)]
    slots = [rng.randint(1, 4) for _ in roles]
    free = dict(zip(roles, slots, strict=True))
    seekers = [f"S{i:06d}" for i in range(n_seekers)]
    m_rows: list[tuple[Any, ...]] = []
    a_rows: list[tuple[Any, ...]] = []
    for s in seekers:
        options = rng.sample(roles, top_k)
        scores = sorted((rng.uniform(0.25, 1.0) for _ in options), reverse=True)
        chosen = next((r for r in options if free[r] and rng.random() < 0.8), None)
        occ = rng.choice(OCCUPATIONS)
        skills = rng.sample(SKILLS, 4)
        if chosen is not None:
            free[chosen] -= 1
            sc = scores[options.index(chosen)]
            reason = (f"Matched to {chosen} 'Rolle {chosen[1:]}' at Virksomhet {chosen[1:]} "
                      f"(score {sc:.2f}): brings {rng.randint(1, 5)} of the role's "
                      f"{rng.randint(5, 30)} required skills ({skills[0]}; {skills[1]} from "
                      f"experience as {occ}); related skills count toward '{skills[2]}' from "
                      f"experience as {occ}; wishes to work as {rng.choice(OCCUPATIONS)}; the "
                      f"role trains {skills[3]}; still to learn: {rng.choice(SKILLS)} and "
                      f"{rng.choice(SKILLS)}; a permanent position.")
            m_rows.append((s, chosen, sc, reason))
        else:
            r = options[0]
            reason = (f"Not matched: {top_k} roles fit, but each went to someone who fits it "
                      f"better or has fewer alternatives. The closest is {r} 'Rolle {r[1:]}' at "
                      f"Virksomhet {r[1:]} (score {scores[0]:.2f}); giving this seeker a place "
                      f"there would lower the total score by {rng.uniform(0.01, 0.5):.2f}. "
                      f"Experience as {occ} carries over to {rng.choice(OCCUPATIONS)}.")
            m_rows.append((s, None, None, reason))
        for rank, (r, sc) in enumerate(zip(options, scores, strict=True), start=1):
            a_rows.append((s, r, rank, sc, sc * 0.6, sc * 0.8, 0.5, r == chosen))
    matches = pl.DataFrame(m_rows, schema={"seeker_id": pl.String, "role_id": pl.String,
                                           "score": pl.Float64, "reason": pl.String},
                           orient="row")
    alts = pl.DataFrame(a_rows, schema=["seeker_id", "role_id", "rank", "score", "skill_fit",
                                        "transfer_fit", "wish_fit", "assigned"], orient="row")
    tiers = pl.DataFrame({"seeker_id": seekers,
                          "tier": [f"T{rng.randint(1, 4)}" for _ in seekers]})
    role_frame = pl.DataFrame({"role_id": roles, "title": [f"Rolle {r[1:]}" for r in roles],
                               "enterprise": [f"Virksomhet {r[1:]}" for r in roles],
                               "slots": slots})
    matched = matches["role_id"].drop_nulls().len()
    manifest = {
        "matcher_version": "0.1.0", "solver": "dense",
        "taxonomy": {"version": "ESCO v1.1.1", "source": "built-in", "crosswalk": None},
        "inputs": {"seekers": {"file": "seekers.csv", "sha256": "0" * 64},
                   "roles": {"file": "roles.csv", "sha256": "1" * 64}},
        "settings": {"min_score": 0.25, "top_k": top_k}, "total_score": 0.0,
        "optimality": {"certified": True, "violations": []}, "matched": matched,
        "counts": {"seekers": n_seekers, "roles": n_roles, "slots": sum(slots),
                   "allowed_pairs": alts.height, "feasible_pairs": alts.height,
                   "unmatched": n_seekers - matched, "warnings": 0},
        "timings_s": {},
    }
    return Run(manifest=manifest, matches=matches, alternatives=alts, tiers=tiers,
               tier_labels=("T1", "T2", "T3", "T4"), roles=role_frame)


def static_page(run: Run) -> str:
    """The baseline: every row, reason and alternative written into one HTML table."""
    assert run.alternatives is not None
    titles = {r: (t, e) for r, t, e, _ in run.roles.iter_rows()} if run.roles is not None else {}
    by_seeker = run.alternatives.partition_by("seeker_id", as_dict=True, maintain_order=True)
    rows = []
    for sid, rid, score, reason in run.matches.iter_rows():
        alts = by_seeker.get((sid,))
        alt_rows = "" if alts is None else "".join(
            f"<tr><td>{rank}</td><td>{html.escape(titles[r][0])} ({html.escape(r)})</td>"
            f"<td>{html.escape(titles[r][1])}</td><td>{sc:.2f}</td><td>{sk:.2f}</td>"
            f"<td>{tr:.2f}</td><td>{w:.2f}</td><td>{'yes' if a else ''}</td></tr>"
            for _, r, rank, sc, sk, tr, w, a in alts.iter_rows())
        status = (f"{html.escape(titles[rid][0])}<br>{html.escape(titles[rid][1])}"
                  if rid else "Not matched")
        rows.append(f"<tr><td>{html.escape(sid)}</td><td>{status}</td>"
                    f"<td>{'' if score is None else f'{score:.2f}'}</td>"
                    f"<td>{html.escape(reason)}<details><summary>Alternatives</summary>"
                    f"<table>{alt_rows}</table></details></td></tr>")
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>static</title>"
            "</head><body><table>" + "".join(rows) + "</table></body></html>")


def chromium_times(path: Path, runs: int, report: bool) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    first, nodes, search = [], 0, []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            for _ in range(runs):
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(path.as_uri(), timeout=300_000)
                if report:
                    page.wait_for_selector("html[data-ready]", timeout=300_000)
                    first.append(float(page.evaluate(
                        "Number(document.documentElement.getAttribute('data-ready-ms'))")))
                    search.append(float(page.evaluate("""() => {
                        const q = document.getElementById('q'), t0 = performance.now();
                        q.value = 'virksomhet 0042'; q.dispatchEvent(new Event('change'));
                        return performance.now() - t0; }""")))
                else:
                    first.append(float(page.evaluate(
                        "performance.getEntriesByType('navigation')[0].loadEventEnd")))
                nodes = int(page.evaluate("document.getElementsByTagName('*').length"))
                page.close()
        finally:
            browser.close()
    out = {"first_render_ms": statistics.median(first), "dom_elements": float(nodes)}
    if search:
        out["search_ms"] = statistics.median(search)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seekers", type=int, default=20_000)
    ap.add_argument("--roles", type=int, default=5_000)
    ap.add_argument("--top-k", type=int, default=5)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    run = synthetic_run(args.seekers, args.roles, args.top_k)
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        report_name = "report (paged, packed JSON)"
        for name, make, is_report in ((report_name, lambda: render(run, lang="nb"), True),
                                      ("baseline (static table)", lambda: static_page(run),
                                       False)):
            times, text = [], ""
            for _ in range(args.runs):
                t0 = time.perf_counter()
                text = make()
                times.append(time.perf_counter() - t0)
            data = text.encode()
            path = Path(tmp) / ("report.html" if is_report else "static.html")
            path.write_bytes(data)
            results[name] = {"size_mb": len(data) / 1e6,
                             "gzip_mb": len(gzip.compress(data, 6)) / 1e6,
                             "python_s": statistics.median(times),
                             **chromium_times(path, args.runs, is_report)}
    print(f"{args.seekers} seekers, {args.roles} roles, top-k {args.top_k}; medians of "
          f"{args.runs} runs")
    cols = ["size_mb", "gzip_mb", "python_s", "first_render_ms", "dom_elements", "search_ms"]
    print("| page | " + " | ".join(cols) + " |")
    print("|---|" + "---:|" * len(cols))
    for name, r in results.items():
        print(f"| {name} | " + " | ".join(
            f"{r[c]:,.2f}" if c in r and c != "dom_elements" else
            (f"{r[c]:,.0f}" if c in r else "") for c in cols) + " |")
    rep, base = results["report (paged, packed JSON)"], results["baseline (static table)"]
    print("| report / baseline | " + " | ".join(
        f"{rep[c] / base[c]:.2f}" if c in rep and c in base and base[c] else ""
        for c in cols) + " |")


if __name__ == "__main__":
    sys.exit(main())
