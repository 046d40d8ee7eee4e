"""Compile an official ESCO download once, then read the compiled snapshot from a cache.

The cache key is a SHA-256 over the snapshot format, the compiler's version and, for every
input file (the download's ``.csv``/``.zip``/``.tsv`` files and the crosswalk), its name, size
and contents. Changing, adding or removing a file therefore gives a new key and a fresh build;
an unchanged download is read back (well under a second instead of seconds).

The cache lives in ``$MATCHER_CACHE_DIR`` when that is set, else in the user's cache directory
(``platformdirs.user_cache_dir("matcher")``, e.g. ``~/.cache/matcher``), under ``taxonomy/``.
Entries are written atomically, so concurrent runs never read a half-written snapshot; a
corrupt entry is rebuilt. Deleting the folder is always safe.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from matcher.errors import TaxonomyError
from matcher.taxonomy.cachedir import CACHE_ENV, cache_dir
from matcher.taxonomy.snapshot import FORMAT, read_snapshot

if TYPE_CHECKING:
    from matcher.taxonomy.model import Taxonomy

__all__ = ["CACHE_ENV", "cache_dir", "cache_key", "load_download"]

# Bump when the compiler's output changes for the same inputs.
COMPILER_VERSION = 2
_INPUT_SUFFIXES = (".csv", ".zip", ".tsv")

log = logging.getLogger(__name__)


def _inputs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*")
                  if p.is_file() and p.name.lower().endswith(_INPUT_SUFFIXES)
                  and not p.name.startswith("."))


def cache_key(folder: Path, crosswalk: Path | None = None) -> str:
    """Hex digest naming the compiled snapshot of ``folder`` (and ``crosswalk``)."""
    digest = hashlib.sha256(f"matcher-taxonomy format {FORMAT} compiler "
                            f"{COMPILER_VERSION}\n".encode())
    files = [(p.relative_to(folder).as_posix(), p) for p in _inputs(folder)]
    if crosswalk is not None:
        files.append((f"crosswalk:{crosswalk.name}", crosswalk))
    for name, path in files:
        try:
            size = path.stat().st_size
            digest.update(f"{name}\0{size}\0".encode())
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        except OSError as exc:
            raise TaxonomyError(f"cannot read {str(path)!r}: {exc}") from exc
    return digest.hexdigest()[:32]


def load_download(folder: Path, crosswalk: Path | None = None, *,
                  use_cache: bool = True) -> Taxonomy:
    """The taxonomy of an official download: from the cache, or compiled and cached."""
    from matcher.taxonomy.compile import compile_taxonomy

    if crosswalk is not None and not crosswalk.is_file():
        raise TaxonomyError(f"crosswalk {str(crosswalk)!r}: no such file")
    if not use_cache:
        return compile_taxonomy(folder, crosswalk)
    key = cache_key(folder, crosswalk)
    entry = cache_dir() / f"esco-{key}.zip"
    if entry.is_file():
        try:
            taxonomy = read_snapshot(entry, str(entry))
        except TaxonomyError as exc:  # damaged entry: rebuild it below
            log.warning("rebuilding the damaged taxonomy cache entry %s (%s)", entry, exc)
        else:
            log.info("taxonomy of %s read from the cache %s", folder, entry)
            return taxonomy
    taxonomy = compile_taxonomy(folder, crosswalk)
    try:
        taxonomy.save(entry)
        log.info("taxonomy of %s compiled and cached in %s", folder, entry)
    except OSError as exc:  # a read-only cache slows the next run, nothing more
        log.warning("cannot cache the compiled taxonomy in %s: %s", entry, exc)
    return taxonomy
