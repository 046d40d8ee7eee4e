"""The folder the taxonomy's disk cache lives in: compiled downloads (:mod:`.cache`), the
transfer matrix (:mod:`.transfer`), the resolver's n-gram index (:mod:`.resolve`) and its word
model (:mod:`.wordmodel`).

``$MATCHER_CACHE_DIR/taxonomy`` when that variable is set, else the user's cache directory
(``platformdirs.user_cache_dir("matcher")``, e.g. ``~/.cache/matcher``) under ``taxonomy/``.
Deleting the folder is always safe.
"""

from __future__ import annotations

import importlib.metadata
import os
from pathlib import Path

__all__ = ["CACHE_ENV", "cache_dir", "code_stamp"]

CACHE_ENV = "MATCHER_CACHE_DIR"
"""Environment variable that overrides the cache folder."""


def cache_dir() -> Path:
    """The folder compiled taxonomies are cached in (created on first write)."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override) / "taxonomy"
    import platformdirs

    return Path(platformdirs.user_cache_dir("matcher")) / "taxonomy"


def code_stamp(module_file: str) -> bytes:
    """What names the method a cached entry was computed by: the module's code (any change to
    it), or in a zipped install, where it is not a plain file, the package's version."""
    try:
        return Path(module_file).read_bytes()
    except OSError:
        try:
            return importlib.metadata.version("matcher").encode()
        except importlib.metadata.PackageNotFoundError:
            return b"unknown"
