"""End to end at office and region scale: today's path against sparse candidates, in one run.

A synthetic population (no real people) over Norwegian municipalities weighted by population,
so cities are dense and the countryside sparse: homes and workplaces lie around a municipality's
centre, each row carries its county (``fylke``, for ``--shard-by``); occupations, skills and
wishes as in :mod:`synthetic` (real ESCO occupations, wishes near experience), travel limits of
15-80 km, hours, languages and adaptation needs.

Congestion: ``Gini`` is the Gini coefficient of how often each slot is recommended among the
seekers' top 5 alternatives (a role's recommendations spread over its slots), ``roles rec.``
the share of roles recommended to anyone; compare ``--alternatives-by reduced`` with plain
ranking by score.

Each configuration runs in a fresh process (``python -c``) so that the peak resident memory
(``ru_maxrss``) is its own; *baseline* is the code of ``--baseline`` (a git revision, default
``main``) unpacked into a temporary folder, everything else this working tree. Medians over
``--runs``; the ratio is baseline time over this row's time; ``optimality`` is the manifest's.

    PYTHONPATH=$PWD python benchmarks/bench_scale.py --scale office --runs 3
    PYTHONPATH=$PWD python benchmarks/bench_scale.py --scale region --runs 1
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import population

ROOT = Path(__file__).resolve().parent.parent

#: municipality, county, latitude, longitude, inhabitants (approximate, SSB 2024)
MUNICIPALITIES = [
    ("Oslo", "Oslo", 59.91, 10.75, 709_000), ("Bergen", "Vestland", 60.39, 5.32, 291_000),
    ("Trondheim", "Trøndelag", 63.43, 10.39, 213_000),
    ("Stavanger", "Rogaland", 58.97, 5.73, 149_000), ("Bærum", "Akershus", 59.89, 10.52, 131_000),
    ("Kristiansand", "Agder", 58.15, 8.00, 116_000), ("Drammen", "Buskerud", 59.74, 10.20, 103_000),
    ("Asker", "Akershus", 59.83, 10.44, 98_000), ("Lillestrøm", "Akershus", 59.96, 11.05, 92_000),
    ("Fredrikstad", "Østfold", 59.22, 10.93, 84_000), ("Sandnes", "Rogaland", 58.85, 5.74, 83_000),
    ("Tromsø", "Troms", 69.65, 18.96, 78_000), ("Ålesund", "Møre og Romsdal", 62.47, 6.15, 67_000),
    ("Sandefjord", "Vestfold", 59.13, 10.22, 65_000),
    ("Nordre Follo", "Akershus", 59.72, 10.83, 62_000),
    ("Sarpsborg", "Østfold", 59.28, 11.11, 59_000), ("Tønsberg", "Vestfold", 59.27, 10.41, 58_000),
    ("Skien", "Telemark", 59.21, 9.61, 55_000), ("Bodø", "Nordland", 67.28, 14.40, 53_000),
    ("Moss", "Østfold", 59.43, 10.66, 50_000), ("Larvik", "Vestfold", 59.05, 10.03, 48_000),
    ("Arendal", "Agder", 58.46, 8.77, 46_000), ("Indre Østfold", "Østfold", 59.56, 11.33, 46_000),
    ("Karmøy", "Rogaland", 59.28, 5.30, 43_000), ("Ullensaker", "Akershus", 60.13, 11.17, 41_000),
    ("Haugesund", "Rogaland", 59.41, 5.27, 38_000), ("Porsgrunn", "Telemark", 59.14, 9.66, 37_000),
    ("Hamar", "Innlandet", 60.79, 11.07, 32_000), ("Molde", "Møre og Romsdal", 62.74, 7.16, 32_000),
    ("Gjøvik", "Innlandet", 60.80, 10.69, 31_000), ("Halden", "Østfold", 59.12, 11.39, 31_000),
    ("Lillehammer", "Innlandet", 61.12, 10.47, 29_000),
    ("Kongsberg", "Buskerud", 59.67, 9.65, 28_000), ("Rana", "Nordland", 66.31, 14.14, 26_000),
    ("Harstad", "Troms", 68.80, 16.54, 25_000), ("Steinkjer", "Trøndelag", 64.01, 11.50, 24_000),
    ("Kristiansund", "Møre og Romsdal", 63.11, 7.73, 24_000),
    ("Sunnfjord", "Vestland", 61.45, 5.86, 22_000), ("Alta", "Finnmark", 69.97, 23.27, 21_000),
    ("Narvik", "Nordland", 68.44, 17.43, 21_000),
]

SCALES = {  # seekers, roles, the counties they live in (None: the whole country)
    "office": (2_000, 500, ("Buskerud",)),
    "region": (20_000, 5_000, ("Oslo", "Akershus", "Østfold", "Buskerud", "Vestfold")),
    "national": (300_000, 80_000, None),
    # a tenth of the country's seekers against all its roles: the per-seeker cost of scoring
    # and explaining at national scale, in minutes rather than an hour
    "national-tenth": (30_000, 80_000, None),
}


def norwegian_population(n_seekers: int, n_roles: int, counties: tuple[str, ...] | None,
                         seed: int = 0) -> tuple[pl.DataFrame, pl.DataFrame]:
    """:func:`synthetic.population`, moved to municipalities weighted by inhabitants."""
    seekers, roles = population(n_seekers, n_roles, seed=seed)
    places = [m for m in MUNICIPALITIES if counties is None or m[1] in counties]
    weight = np.array([m[4] for m in places], dtype=float)
    rng = np.random.default_rng(seed + 1)

    def place(frame: pl.DataFrame) -> pl.DataFrame:
        pick = rng.choice(len(places), size=frame.height, p=weight / weight.sum())
        # a town's spread grows with its size: ~3 km for 20,000 people, ~15 km for Oslo
        km = 0.1 * np.sqrt(weight[pick] / 1_000.0) * rng.standard_normal((2, frame.height))
        lat = np.array([places[k][2] for k in pick]) + km[0] / 111.0
        lon = np.array([places[k][3] for k in pick]) + km[1] / (111.0 * np.cos(np.radians(lat)))
        return frame.with_columns(
            pl.Series("lat", lat), pl.Series("lon", lon),
            pl.Series("fylke", [places[k][1] for k in pick]),
        )

    return place(seekers), place(roles)


_RUN = """
import json, resource, sys, time
import matcher
settings = json.loads(sys.argv[3])
tax = matcher.load_taxonomy()
start = time.perf_counter()
result = matcher.match(sys.argv[1], sys.argv[2], taxonomy=tax, **settings)
seconds = time.perf_counter() - start
m = result.manifest
import numpy as np, polars as pl
roles = pl.read_parquet(sys.argv[2]).sort("role_id")
slots = roles["slots"].to_numpy()
counts = (result.alternatives.group_by("role_id").len()
          .join(roles.select("role_id"), on="role_id", how="right").fill_null(0)
          .sort("role_id")["len"].to_numpy())
per_slot = np.sort(np.repeat(counts / slots, slots))
n = per_slot.size
gini = float(((2 * np.arange(1, n + 1) - n - 1) * per_slot).sum() / (n * per_slot.sum()))
print(json.dumps({"gini": gini, "recommended": float((counts > 0).mean()),
                  "seconds": seconds, "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "total": m["total_score"], "matched": m["matched"], "solver": m["solver"],
                  "optimality": m["optimality"], "counts": m["counts"],
                  "timings": m["timings_s"]}))
"""


def run(path: Path, seekers: Path, roles: Path, settings: dict[str, object]) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(path)}
    out = subprocess.run([sys.executable, "-c", _RUN, str(seekers), str(roles),
                          json.dumps(settings)], env=env, capture_output=True, text=True,
                         check=True, cwd=path)
    return json.loads(out.stdout.strip().splitlines()[-1])


def baseline_tree(revision: str, folder: Path) -> Path:
    archive = subprocess.run(["git", "archive", revision, "matcher", "data"], cwd=ROOT,
                             capture_output=True, check=True).stdout
    folder.mkdir()
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="office")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--candidates", type=int, nargs="+", default=[0, 10, 30])
    parser.add_argument("--role-candidates", type=int, nargs="+", default=[40],
                        help="with candidates > 0: one row per value (best seekers per role)")
    parser.add_argument("--repair-gap", type=float, default=0.0,
                        help="stop the repair rounds at this gap (0: only when certified)")
    parser.add_argument("--baseline", default=None,
                        help="git revision of today's path (default: merge-base of HEAD and main)")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--no-extras", action="store_true",
                        help="skip the alternatives-by reduced and shard-by rows")
    args = parser.parse_args()

    n_seekers, n_roles, counties = SCALES[args.scale]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        seekers, roles = norwegian_population(n_seekers, n_roles, counties)
        seekers.write_parquet(folder / "seekers.parquet")
        roles.write_parquet(folder / "roles.parquet")
        configs: list[tuple[str, Path, dict[str, object]]] = []
        if not args.no_baseline:
            revision = args.baseline or subprocess.run(
                ["git", "merge-base", "HEAD", "main"], cwd=ROOT, capture_output=True, text=True,
                check=True).stdout.strip()
            base = baseline_tree(revision, folder / "baseline")
            configs.append((f"baseline ({revision[:7]})", base, {"top_k": 5}))
        for k in args.candidates:
            for per_role in args.role_candidates if k > 0 else [0]:
                configs.append((f"candidates={k}" + (f", role {per_role}" if k > 0 else ""),
                                ROOT, {"top_k": 5, "candidates": k,
                                       "role_candidates": per_role,
                                       "repair_gap": args.repair_gap}))
        if not args.no_extras:
            configs.append(("candidates=0, alternatives-by reduced", ROOT,
                            {"top_k": 5, "alternatives_by": "reduced"}))
            configs.append(("candidates=10, shard-by fylke", ROOT,
                            {"top_k": 5, "candidates": 10, "shard_by": "fylke"}))

        print(f"{args.scale}: {n_seekers:,} seekers x {n_roles:,} roles "
              f"({int(roles['slots'].sum()):,} slots), median of {args.runs} run(s)")
        header = (f"| {'configuration':38} | {'time s':>7} | {'ratio':>5} | {'peak GiB':>8} | "
                  f"{'score s':>7} | {'pairs kept':>10} | {'total':>10} | {'certified':>9} | "
                  f"{'gap':>8} | {'rounds':>6} | {'Gini':>5} | {'roles rec.':>10} |")
        print(header)
        print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
        first = None
        stages: list[tuple[str, dict[str, float]]] = []
        for name, path, settings in configs:
            results = [run(path, folder / "seekers.parquet", folder / "roles.parquet", settings)
                       for _ in range(args.runs)]
            seconds = statistics.median(float(r["seconds"]) for r in results)
            peak = statistics.median(float(r["peak"]) for r in results) * 1024 / 2**30
            last = results[-1]
            first = first or seconds
            counts = last["counts"]
            kept = counts.get("candidate_pairs", counts["allowed_pairs"])
            opt = last["optimality"]
            print(f"| {name:38} | {seconds:7.2f} | {first / seconds:5.2f} | {peak:8.2f} | "
                  f"{last['timings']['score']:7.2f} | {kept:10,} | "
                  f"{last['total']:10.3f} | {opt['certified']!s:>9} | "
                  f"{opt['gap'] or 0:8.2e} | "
                  f"{counts.get('repair_rounds', 0):>6} | {last['gini']:5.3f} | "
                  f"{last['recommended']:10.1%} |")
            stages.append((name, last["timings"]))
        print("\nstages, s (last run):")
        for name, timings in stages:
            print(f"  {name}: " + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()))
        if "role_profiles" in counts:
            print(f"distinct role profiles: {counts['role_profiles']:,} of {n_roles:,} roles")


if __name__ == "__main__":
    main()
