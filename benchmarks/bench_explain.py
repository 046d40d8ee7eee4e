"""The reasons of one batch in each language: time of the explain stage and what a caseworker
reads, English as the baseline in the same run; or, with ``--scale``, the explain stage of this
working tree against an earlier revision on the same batch.

    python benchmarks/bench_explain.py [--seekers 2000] [--roles 500] [--slots 3] [--runs 5]
    PYTHONPATH=$PWD python benchmarks/bench_explain.py --scale office region national-tenth
        [--runs 3]

Without ``--scale``: per language, the median time of the explain stage over the runs and its
ratio to English, and the length of the reasons (median and longest, in characters and
sentences), for matched and unmatched seekers apart. The assignment is the same in every
language (a check).

With ``--scale``: the population of ``bench_scale.py`` (office 2,000 x 500, region 20,000 x
5,000, a tenth of Norway 30,000 x 80,000 matched with ``--candidates 20``: every role within
reach scored, each seeker's 20 best kept), matched once per code tree in a fresh process
(``--runs`` is for the explain stage only; the match at national-tenth takes 1-2 minutes
per tree); then the explain stage (the reasons,
``_matches_frame``, and the alternatives, ``_alternatives_frame``) is run ``--runs`` times per
language on that match, each time on a fresh ``Explainer`` (no cache carried over). *old* is
``--baseline`` (a git revision, default the merge-base of HEAD and main) unpacked into a
temporary folder, *new* this working tree. Prints median CPU and wall seconds and the ratio old
/ new, and checks that both write byte-identical reasons and alternatives (sha256).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import population

import matcher
from matcher.config import REASON_LANGUAGES


def sentences(text: str) -> int:
    return len(re.findall(r"[.!?](?:\s|$)", text))


#: run in a fresh process with one code tree first on the path: match once, then time the
#: explain stage on fresh explainers (the names it hooks exist in old and new code alike)
_STAGE = """
import dataclasses, hashlib, json, sys, time
import matcher, matcher.api as api
seekers, roles, runs, langs = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].split(",")
settings = json.loads(sys.argv[5])
seen = {}
matches, alternatives = api._matches_frame, api._alternatives_frame
def hook_matches(explainer, role_of_seeker, cost):
    seen["matches"] = (explainer, role_of_seeker, cost)
    return matches(explainer, role_of_seeker, cost)
def hook_alternatives(*args, **kwargs):
    seen["alternatives"] = (args, kwargs)
    return alternatives(*args, **kwargs)
api._matches_frame, api._alternatives_frame = hook_matches, hook_alternatives
tax = matcher.load_taxonomy()
result = matcher.match(seekers, roles, taxonomy=tax, top_k=5, **settings)
api._matches_frame, api._alternatives_frame = matches, alternatives
explainer, role_of_seeker, cost = seen["matches"]
args, kwargs = seen["alternatives"]
out = {"matched": result.manifest["matched"], "timings": result.manifest["timings_s"],
       "langs": {}}
for lang in langs:
    cpu, wall = [], []
    for _ in range(runs):
        fresh = dataclasses.replace(explainer, lang=lang,
                                    choices=dataclasses.replace(explainer.choices))
        c, w = time.process_time(), time.perf_counter()
        frame = api._matches_frame(fresh, role_of_seeker, cost)
        alts = api._alternatives_frame(*args, **kwargs)
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    digest = hashlib.sha256(frame.write_csv().encode() + alts.write_csv().encode())
    out["langs"][lang] = {"cpu": cpu, "wall": wall, "sha256": digest.hexdigest()}
print(json.dumps(out))
"""


#: match settings per scale: a tenth of Norway keeps each seeker's 20 best roles (every allowed
#: pair of 30,000 seekers x 80,000 roles would not fit)
_SETTINGS: dict[str, dict[str, int]] = {"national-tenth": {"candidates": 20}}


def _stage(tree: Path, seekers: Path, roles: Path, runs: int, langs: list[str],
           settings: dict[str, int]) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, "-c", _STAGE, str(seekers), str(roles), str(runs),
                           ",".join(langs), json.dumps(settings)], env=env,
                          capture_output=True, text=True, check=True, cwd=tree)
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare(scales: list[str], runs: int, baseline: str | None) -> None:
    """The explain stage of ``baseline`` against this working tree, per scale and language."""
    from bench_scale import ROOT, SCALES, baseline_tree, norwegian_population

    revision = baseline or subprocess.run(
        ["git", "merge-base", "HEAD", "main"], cwd=ROOT, capture_output=True, text=True,
        check=True).stdout.strip()
    langs = ["en", *[lang for lang in REASON_LANGUAGES if lang != "en"]]
    print(f"## explain stage: {revision[:7]} (old) against this tree (new), "
          f"medians of {runs} runs per language, CPU and wall seconds\n")
    print("| scale | lang | old CPU s | new CPU s | CPU ratio | old wall s | new wall s "
          "| wall ratio | same bytes |")
    print("|---|---|---|---|---|---|---|---|---|")
    stages: list[tuple[str, dict, dict]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        old_tree = baseline_tree(revision, folder / "old")
        for scale in scales:
            n_seekers, n_roles, counties = SCALES[scale]
            seekers, roles = norwegian_population(n_seekers, n_roles, counties)
            seekers.write_parquet(folder / f"{scale}-seekers.parquet")
            roles.write_parquet(folder / f"{scale}-roles.parquet")
            files = (folder / f"{scale}-seekers.parquet", folder / f"{scale}-roles.parquet")
            settings = _SETTINGS.get(scale, {})
            old = _stage(old_tree, *files, runs, langs, settings)
            new = _stage(ROOT, *files, runs, langs, settings)
            label = f"{scale} {n_seekers:,} x {n_roles:,}"
            for lang in langs:
                a, b = old["langs"][lang], new["langs"][lang]
                oc, nc = statistics.median(a["cpu"]), statistics.median(b["cpu"])
                ow, nw = statistics.median(a["wall"]), statistics.median(b["wall"])
                same = "yes" if a["sha256"] == b["sha256"] else "NO"
                print(f"| {label} | {lang} | {oc:.2f} | {nc:.2f} | {oc / nc:.1f}x | {ow:.2f} | "
                      f"{nw:.2f} | {ow / nw:.1f}x | {same} |", flush=True)
                label = ""
            stages.append((scale, old["timings"], new["timings"]))
    print("\nthe stages of the one match() per tree (seconds, largest three; explain includes "
          "the first language's caches):")
    for scale, old_t, new_t in stages:
        for name, timings in (("old", old_t), ("new", new_t)):
            top = sorted(timings.items(), key=lambda kv: -kv[1])[:3]
            print(f"  {scale} {name}: " + ", ".join(f"{k} {v:.2f}" for k, v in top)
                  + f"; explain {timings['explain']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seekers", type=int, default=2000)
    parser.add_argument("--roles", type=int, default=500)
    parser.add_argument("--slots", type=int, default=3)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scale", nargs="+", choices=["office", "region", "national-tenth"],
                        help="compare the explain stage with --baseline at these scales")
    parser.add_argument("--baseline", default=None,
                        help="git revision of the old code (default: merge-base of HEAD, main)")
    args = parser.parse_args()
    if args.scale:
        compare(args.scale, args.runs, args.baseline)
        return

    taxonomy = matcher.load_taxonomy()
    seekers, roles = population(args.seekers, args.roles, args.slots, seed=args.seed,
                                taxonomy=taxonomy)
    matcher.match(seekers, roles, taxonomy=taxonomy)  # warm up: resolver indexes, caches

    order = ["en", *[lang for lang in REASON_LANGUAGES if lang != "en"]]
    explain: dict[str, list[float]] = {lang: [] for lang in order}
    totals: dict[str, list[float]] = {lang: [] for lang in order}
    last: dict[str, matcher.MatchResult] = {}
    for _ in range(args.runs):
        for lang in order:  # interleaved, so drift on a shared machine hits all alike
            result = matcher.match(seekers, roles, taxonomy=taxonomy, lang=lang)
            explain[lang].append(result.manifest["timings_s"]["explain"])
            totals[lang].append(sum(result.manifest["timings_s"].values()))
            last[lang] = result
    roles_of = {lang: r.matches["role_id"].to_list() for lang, r in last.items()}
    assert all(v == roles_of["en"] for v in roles_of.values()), "assignment differs by language"

    base = statistics.median(explain["en"])
    m = last["en"].manifest
    print(f"## reasons by language: {args.seekers} seekers x {args.roles} roles, "
          f"{m['matched']} matched, medians of {args.runs} runs\n")
    print("| lang | explain median s | vs en | match() median s | matched: chars median / max "
          "| sentences median | unmatched: chars median / max |")
    print("|---|---|---|---|---|---|---|")
    for lang in order:
        frame = last[lang].matches
        matched = frame.filter(frame["role_id"].is_not_null())["reason"].to_list()
        unmatched = frame.filter(frame["role_id"].is_null())["reason"].to_list()
        med = statistics.median(explain[lang])

        def lengths(texts: list[str]) -> str:
            if not texts:
                return "-"
            return f"{statistics.median(map(len, texts)):.0f} / {max(map(len, texts))}"

        print(f"| {lang} | {med:.3f} | {med / base:.2f}x | "
              f"{statistics.median(totals[lang]):.3f} | {lengths(matched)} | "
              f"{statistics.median(map(sentences, matched)) if matched else 0:.0f} | "
              f"{lengths(unmatched)} |")


if __name__ == "__main__":
    main()
