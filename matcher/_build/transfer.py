"""Build script: compute the built-in taxonomy's transfer matrix and write the shipped file.

    python -m matcher._build.transfer [--out matcher/taxonomy/data/transfer-matrix.zip]

The matrix is :func:`matcher.taxonomy.transfer.transfer_matrix` of the built-in taxonomy
(10-20 s); the file is :func:`matcher.taxonomy.transfer.shipped_bytes` of it, the same bytes for
the same matrix. Rebuild it whenever the similarity, the re-ranker or the snapshot changes:
``pytest -m artefacts`` fails until then.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from matcher.io.write import atomic_file
from matcher.taxonomy import load_taxonomy
from matcher.taxonomy.transfer import (
    SHIPPED_PATH,
    shipped_bytes,
    taxonomy_fingerprint,
    transfer_matrix,
)

__all__ = ["build", "main"]


def build() -> bytes:
    """The shipped file's bytes, computed afresh from the built-in taxonomy."""
    tax = load_taxonomy()
    return shipped_bytes(transfer_matrix(tax), taxonomy_fingerprint(tax))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matcher._build.transfer",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SHIPPED_PATH,
                        help="file to write (default: the shipped one)")
    args = parser.parse_args(argv)
    data = build()
    with atomic_file(args.out) as temporary:
        temporary.write_bytes(data)
    print(f"{args.out}: {len(data) / 1e6:.2f} MB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
