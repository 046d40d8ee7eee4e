"""The reasons of one batch in each language: time of the explain stage and what a caseworker
reads, English as the baseline in the same run.

    python benchmarks/bench_explain.py [--seekers 2000] [--roles 500] [--slots 3] [--runs 5]

Prints, per language, the median time of the explain stage over the runs and its ratio to
English, and the length of the reasons (median and longest, in characters and sentences), for
matched and unmatched seekers apart. The assignment is the same in every language (a check).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import population

import matcher
from matcher.config import REASON_LANGUAGES


def sentences(text: str) -> int:
    return len(re.findall(r"[.!?](?:\s|$)", text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seekers", type=int, default=2000)
    parser.add_argument("--roles", type=int, default=500)
    parser.add_argument("--slots", type=int, default=3)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

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
