"""Build script: compile an official ESCO download into the built-in taxonomy snapshot.

    python -m matcher._build.compile --esco ../shared/data/esco \\
        --crosswalk ../shared/data/crosswalks/esco-styrk08-no-2022-09-20.csv \\
        --titles ../shared/data/nav/nav-job-titles-styrk08-dev.csv \\
        --titles ../shared/data/crosswalks/esco-star-dk-2021-11-10.csv \\
        --out matcher/taxonomy/data/esco-v1.1.1.zip

The compiler itself is :func:`matcher.taxonomy.compile.compile_taxonomy` (the loader also uses it
for a download given at run time); this is only its command line. The same inputs give the same
bytes; ``pytest -m artefacts`` checks that the shipped snapshot is what this builds.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from matcher.errors import TaxonomyError
from matcher.taxonomy.compile import compile_taxonomy
from matcher.taxonomy.model import MAX_SNAPSHOT_BYTES

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: compile a download and write the snapshot."""
    parser = argparse.ArgumentParser(
        prog="python -m matcher._build.compile",
        description="Compile an official ESCO CSV download into a matcher taxonomy snapshot.")
    parser.add_argument("--esco", required=True, type=Path,
                        help="folder holding the ESCO classification and relations zips (or CSVs)")
    parser.add_argument("--crosswalk", type=Path, help="ESCO -> STYRK-08 mapping table (CSV)")
    parser.add_argument("--titles", type=Path, action="append", default=[],
                        help="national job titles: a 'title, styrk08' CSV (NAV) or an "
                             "ESCO-STAR mapping table; repeatable")
    parser.add_argument("--out", required=True, type=Path, help="snapshot to write (.zip)")
    parser.add_argument("--version", help="version string, e.g. 'ESCO v1.1.1' (default: from "
                                          "the file names)")
    args = parser.parse_args(argv)
    try:
        taxonomy = compile_taxonomy(args.esco, args.crosswalk, version=args.version,
                                    titles=args.titles)
        size = taxonomy.save(args.out)
    except TaxonomyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{args.out}: {taxonomy!r}, {size / 1e6:.2f} MB")
    if size > MAX_SNAPSHOT_BYTES:
        print(f"error: the snapshot exceeds {MAX_SNAPSHOT_BYTES / 1e6:.0f} MB", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
