"""The encode stage alone: this working tree against an earlier revision on the same batch.

    PYTHONPATH=$PWD python benchmarks/bench_encode.py [--scale office region national-tenth]
        [--runs 3] [--baseline REV]

The population of ``bench_scale.py`` (office 2,000 x 500, region 20,000 x 5,000, a tenth of
Norway 30,000 x 80,000; synthetic, over Norwegian municipalities). Each code tree runs in a
fresh process with that tree first on the path: read, validate and resolve once, then the
encode stage of :func:`matcher.match` (the skill space, the key indexes, ``encode_seekers``
and ``encode_roles``; what the manifest's ``timings_s['encode']`` measures) ``--runs`` times,
each on a fresh :class:`~matcher.encode.OccupationConcepts`. *old* is ``--baseline`` (a git
revision, default the merge-base of HEAD and main) unpacked into a temporary folder, *new*
this working tree. Prints median CPU and wall seconds, seekers and roles apart, the ratio old
/ new, and whether both trees encoded the same bytes (every field of ``SeekerVectors`` and
``RoleVectors``, arrays with their dtypes, and the occupation concepts, by sha256).
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

sys.path.insert(0, str(Path(__file__).resolve().parent))

#: run in a fresh process with one code tree first on the path (the names it uses exist in the
#: old and new code alike)
_STAGE = """
import dataclasses, hashlib, json, sys, time
import numpy as np
import matcher, matcher.api as api
from matcher.encode import (OccupationConcepts, encode_roles, encode_seekers, key_index,
                            skill_space)
from matcher.terms import ROLE_TERMS, SEEKER_TERMS, resolve_terms
seekers, roles, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
tax = matcher.load_taxonomy()
batch = api._Inputs.read(seekers, roles)
batch.validate()
sf, rf = batch.seeker_frame, batch.role_frame
st = resolve_terms(sf, name="seekers", columns=SEEKER_TERMS, taxonomy=tax)
rt = resolve_terms(rf, name="roles", columns=ROLE_TERMS, taxonomy=tax)

def stage():
    times = {}
    c, w = time.process_time(), time.perf_counter()
    space = skill_space(tax, 0.5)
    concepts = OccupationConcepts(tax)
    languages = key_index([v or [] for v in sf.get_column("languages").to_list()],
                          [v or [] for v in rf.get_column("languages").to_list()])
    needs = [[m.key for m in c] for c in st.adaptations["needs"]]
    offers = [[m.key for m in c] for c in rt.adaptations["offers"]]
    adaptations = key_index(needs, offers)
    c1, w1 = time.process_time(), time.perf_counter()
    s = encode_seekers(sf, st, taxonomy=tax, space=space, concepts=concepts,
                       language_index=languages, adaptation_index=adaptations,
                       default_max_distance_km=30.0)
    c2, w2 = time.process_time(), time.perf_counter()
    r = encode_roles(rf, rt, taxonomy=tax, space=space, concepts=concepts,
                     language_index=languages, adaptation_index=adaptations)
    c3, w3 = time.process_time(), time.perf_counter()
    times = {"cpu": c3 - c, "wall": w3 - w, "seekers_cpu": c2 - c1, "roles_cpu": c3 - c2}
    return times, s, r, concepts

def digest(vectors, concepts):
    h = hashlib.sha256()
    for f in dataclasses.fields(vectors):
        v = getattr(vectors, f.name)
        if hasattr(v, "indptr"):
            for a in (v.data, v.indices, v.indptr):
                h.update(str(a.dtype).encode()); h.update(np.ascontiguousarray(a).tobytes())
        elif isinstance(v, np.ndarray):
            h.update(str(v.dtype).encode()); h.update(np.ascontiguousarray(v).tobytes())
        else:
            h.update(json.dumps(v).encode())
    h.update(json.dumps([res.uri or list(res.indices) for res in concepts.resolutions]).encode())
    return h.hexdigest()

out = {"runs": []}
for _ in range(runs):
    times, s, r, concepts = stage()
    out["runs"].append(times)
out["sha256"] = digest(s, concepts) + digest(r, concepts)
print(json.dumps(out))
"""


def _stage(tree: Path, seekers: Path, roles: Path, runs: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, "-c", _STAGE, str(seekers), str(roles), str(runs)],
                          env=env, capture_output=True, text=True, check=True, cwd=tree)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    from bench_scale import ROOT, SCALES, baseline_tree, norwegian_population

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", nargs="+", default=["office", "region", "national-tenth"],
                        choices=["office", "region", "national-tenth", "national"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline", default=None,
                        help="git revision of the old code (default: merge-base of HEAD, main)")
    args = parser.parse_args()

    revision = args.baseline or subprocess.run(
        ["git", "merge-base", "HEAD", "main"], cwd=ROOT, capture_output=True, text=True,
        check=True).stdout.strip()
    print(f"## encode stage: {revision[:7]} (old) against this tree (new), medians of "
          f"{args.runs} runs, CPU and wall seconds\n")
    print("| scale | old CPU s | new CPU s | CPU ratio | old wall s | new wall s | wall ratio "
          "| seekers CPU old / new | roles CPU old / new | same bytes |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        old_tree = baseline_tree(revision, folder / "old")
        for scale in args.scale:
            n_seekers, n_roles, counties = SCALES[scale]
            seekers, roles = norwegian_population(n_seekers, n_roles, counties)
            files = (folder / f"{scale}-seekers.parquet", folder / f"{scale}-roles.parquet")
            seekers.write_parquet(files[0])
            roles.write_parquet(files[1])
            old = _stage(old_tree, *files, args.runs)
            new = _stage(ROOT, *files, args.runs)

            def med(result: dict, key: str) -> float:
                return statistics.median(run[key] for run in result["runs"])

            same = "yes" if old["sha256"] == new["sha256"] else "NO"
            print(f"| {scale} {n_seekers:,} x {n_roles:,} | {med(old, 'cpu'):.2f} | "
                  f"{med(new, 'cpu'):.2f} | {med(old, 'cpu') / med(new, 'cpu'):.1f}x | "
                  f"{med(old, 'wall'):.2f} | {med(new, 'wall'):.2f} | "
                  f"{med(old, 'wall') / med(new, 'wall'):.1f}x | "
                  f"{med(old, 'seekers_cpu'):.2f} / {med(new, 'seekers_cpu'):.2f} | "
                  f"{med(old, 'roles_cpu'):.2f} / {med(new, 'roles_cpu'):.2f} | {same} |",
                  flush=True)


if __name__ == "__main__":
    main()
