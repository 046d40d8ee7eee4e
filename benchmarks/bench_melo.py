"""MELO's Norwegian and Danish datasets: national occupation names linked to ESCO.

MELO (Multilingual Entity Linking of Occupations, Retyk et al., RecSys in HR 2024; MIT
licence) pairs the names of national classifications with the ESCO concepts that official
crosswalks link them to. Two of its datasets are in this project's languages:

- ``nor_q_no_c_no``: 96 STYRK-08 group names ("Kokker", "Renholdsledere i virksomheter");
- ``dnk_q_da_c_da``: 734 Danish DISCO-08 occupation names ("Meteorolog", "Vejrvært").

Each name is resolved as an occupation, in any language, as ``match`` resolves a file's terms.
An answer is right at 1 when the first candidate is one of the name's ESCO concepts, at 5 when
one of the first five is (for a term not taken, its suggestions, as in ``bench_resolve.py``),
and right by group when the first candidate's ISCO-08 group is the group of one of the name's
concepts (MELO also links a name to ISCO groups, which the resolver never answers with). Three
resolvers in one run, same terms:

- **before**: the resolver as it was before national titles (``git show
  878e603:matcher/taxonomy/resolve.py``, on the snapshot without titles), what "today" meant
  when the field-ready issue was written;
- **now, titles held out**: today's resolver on the snapshot without the titles that came from
  the same crosswalk as the dataset's names (ESCO-STAR's Danish titles for the Danish set; the
  Norwegian set's group names are not titles the snapshot ships), which is how it does on
  names it has not seen;
- **now**: today's resolver on the built-in snapshot, as a caseworker meets it.

MELO is not shipped with matcher; point the script at a copy::

    git clone --depth 1 https://github.com/Avature/melo-benchmark ../melo-benchmark
    python benchmarks/bench_melo.py --melo ../melo-benchmark
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from pathlib import Path

from bench_resolve import _old_resolver_module, _scratch_cache, _with_titles

from matcher.taxonomy import Resolution, Taxonomy, load_taxonomy
from matcher.taxonomy.resolve import Resolver

DATASETS = {"nor_q_no_c_no": ("no", "Norwegian: STYRK-08 group names"),
            "dnk_q_da_c_da": ("da", "Danish: DISCO-08 occupation names")}
STAR = "esco-star-dk-2021-11-10.csv"
"""The crosswalk whose Danish titles the snapshot ships, and MELO's Danish names come from."""


def _tsv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.reader(handle, delimiter="\t") if row]


def read_dataset(folder: Path) -> list[tuple[str, set[str]]]:
    """The dataset's names, each with the ESCO concept URIs it is linked to."""
    if not folder.is_dir():
        raise SystemExit(f"{folder}: no such MELO dataset folder; clone "
                         "https://github.com/Avature/melo-benchmark and give --melo its path")
    queries = {row[0]: row[1] for row in _tsv(folder / "queries.tsv")}
    concept = {row[0]: row[1] for row in _tsv(folder / "concept_mapping.tsv")}
    relevant: dict[str, set[str]] = defaultdict(set)
    for row in _tsv(folder / "annotations.tsv"):
        query, element, grade = row[0], row[2], row[3]
        if grade != "0":
            relevant[query].add(concept[element])
    return [(queries[q], relevant[q]) for q in sorted(queries) if relevant[q]]


def _isco(tax: Taxonomy, uri: str) -> str | None:
    """The ISCO-08 group (4 digits) of an ESCO occupation or ISCO group URI."""
    i = tax._occupation_by_uri.get(uri)
    if i is not None:
        return str(tax.occupation_isco[i])[:4]
    if "/isco/C" in uri:
        return uri.rsplit("/C", 1)[1]
    return None


def score(tax: Taxonomy, items: list[tuple[str, set[str]]],
          answers: list[Resolution]) -> dict[str, float]:
    """success@1, success@5, right by group, and the share taken (no warning)."""
    at1 = at5 = group = taken = 0
    for (_, uris), r in zip(items, answers, strict=True):
        first = list(r.candidates) or ([r.uri] if r.uri else [])
        groups = {g for g in (_isco(tax, u) for u in uris) if g and len(g) == 4}
        at1 += bool(first) and first[0] in uris
        at5 += any(u in uris for u in first[:5])
        group += bool(first) and _isco(tax, first[0]) in groups
        taken += bool(r.resolved)
    n = max(1, len(items))
    return {"success@1": at1 / n, "success@5": at5 / n, "group@1": group / n,
            "taken": taken / n}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--melo", type=Path, required=True,
                        help="a copy of github.com/Avature/melo-benchmark (or its "
                             "data/processed/melo folder)")
    parser.add_argument("--taxonomy", default=None)
    args = parser.parse_args()
    root = args.melo / "data" / "processed" / "melo"
    if not root.is_dir():
        root = args.melo
    tax = load_taxonomy(args.taxonomy)
    old = _old_resolver_module()
    print("| dataset | names | resolver | success@1 | success@5 | right by group | taken |"
          " terms/s |")
    print("|---|---|---|---|---|---|---|---|")
    for name, (lang, title) in DATASETS.items():
        items = read_dataset(root / name)
        terms = [term for term, _ in items]
        held_out = _with_titles(tax, [row for row in tax.titles if row[2] != STAR]
                                if lang == "da" else list(tax.titles))
        resolvers = [("before", old.Resolver(_with_titles(tax, []), "occupation")),
                     ("now, titles held out", Resolver(held_out, "occupation")),
                     ("now", Resolver(tax, "occupation"))]
        for label, resolver in resolvers:
            with _scratch_cache():
                resolver.resolve("varmt opp")
                start = time.perf_counter()
                answers = resolver.resolve_many(terms)
                rate = len(terms) / (time.perf_counter() - start)
            row = score(tax, items, answers)
            print(f"| {title} | {len(items)} | {label} | {row['success@1']:.3f} | "
                  f"{row['success@5']:.3f} | {row['group@1']:.3f} | {row['taken']:.3f} | "
                  f"{rate:,.0f} |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
