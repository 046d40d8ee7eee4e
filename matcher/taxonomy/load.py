"""Load a taxonomy: the built-in snapshot, another snapshot, or an official ESCO download
(compiled once, then read from the cache), optionally with a crosswalk applied.

The loader sits above the model, the snapshot format (:mod:`matcher.taxonomy.snapshot`), the
compiler and the cache, and imports each of them; none of them imports it.
"""

from __future__ import annotations

import functools
import importlib.resources
import io
from pathlib import Path

from matcher.errors import TaxonomyError
from matcher.taxonomy.cache import load_download
from matcher.taxonomy.compile import apply_crosswalk, read_titles
from matcher.taxonomy.model import BUILTIN_SNAPSHOT, Taxonomy
from matcher.taxonomy.snapshot import read_snapshot

__all__ = ["load_taxonomy"]


@functools.lru_cache(maxsize=1)
def _builtin() -> Taxonomy:
    resource = importlib.resources.files("matcher.taxonomy").joinpath("data", BUILTIN_SNAPSHOT)
    try:
        data = resource.read_bytes()
    except OSError as exc:
        raise TaxonomyError(
            f"The built-in taxonomy snapshot {str(resource)!r} is missing ({exc}); rebuild it "
            f"with python -m matcher._build.compile") from exc
    return read_snapshot(io.BytesIO(data), str(resource))


def load_taxonomy(path: str | Path | None = None, *,
                  crosswalk: str | Path | None = None) -> Taxonomy:
    """Load a taxonomy.

    Parameters
    ----------
    path : str or Path, optional
        ``None`` (default): the built-in ESCO v1.1.1 snapshot, loaded once per process and
        shared. A ``.zip`` file: a snapshot written by :meth:`Taxonomy.save` or by
        ``python -m matcher._build.compile``. A folder: an official ESCO CSV download (its zips
        or extracted CSVs, plus any ``*labels*-<lang>*.tsv`` or other-language classification
        files), compiled once and then read from the cache (:mod:`matcher.taxonomy.cache`;
        ``$MATCHER_CACHE_DIR`` overrides where).
    crosswalk : str or Path, optional
        An official ESCO mapping table: ESCO-STYRK-08 gives each occupation its STYRK-08 code
        (and the codes' Norwegian titles); a table with finer national codes (ESCO-STAR) adds
        its titles as vocabulary for resolution (never as labels). With a folder it is
        compiled in (and is part of the cache key); with a snapshot it replaces the snapshot's
        STYRK codes.

    Returns
    -------
    Taxonomy

    Raises
    ------
    TaxonomyError
        When the path does not exist, or the file or download is unusable; the message names
        the path and what is wrong (for a download: every file that is missing).

    Examples
    --------
    >>> from matcher.taxonomy import load_taxonomy
    >>> load_taxonomy().version
    'ESCO v1.1.1'
    """
    cross = None if crosswalk is None else Path(crosswalk)
    if cross is not None and not cross.is_file():
        raise TaxonomyError(f"Cannot read crosswalk {str(cross)!r}: no such file")
    if path is None:
        taxonomy = _builtin()
    else:
        path = Path(path)
        if path.is_dir():
            return load_download(path, cross)
        if not path.exists():
            raise TaxonomyError(
                f"Cannot load taxonomy from {str(path)!r}: no such file or folder")
        if path.suffix.lower() != ".zip":
            raise TaxonomyError(f"Cannot load taxonomy from {str(path)!r}: expected a snapshot "
                                f"(.zip) or a folder holding an official ESCO download")
        taxonomy = read_snapshot(path, str(path))
    return taxonomy if cross is None else _with_crosswalk(taxonomy, cross)


@functools.lru_cache(maxsize=4)
def _builtin_with(crosswalk: Path, stamp: tuple[int, int]) -> Taxonomy:
    return _with_crosswalk(_builtin(), crosswalk, cached=False)


def _with_crosswalk(tax: Taxonomy, crosswalk: Path, cached: bool = True) -> Taxonomy:
    """A copy of ``tax`` whose STYRK codes (or national titles) come from ``crosswalk``."""
    if cached and tax is _builtin():
        stat = crosswalk.stat()
        return _builtin_with(crosswalk.resolve(), (stat.st_size, stat.st_mtime_ns))
    styrk, styrk_labels, national, _, _ = apply_crosswalk(
        crosswalk, tax.occupation_uris, tax.occupation_isco)
    titles = tax.titles
    if national:
        # National titles (ESCO-STAR) are vocabulary, as in a compiled snapshot: never labels.
        found, _ = read_titles(crosswalk, tax.occupation_uris, tax.isco_names, tax.styrk_labels)
        titles = sorted({*tax.titles, *found})
    isco_names = {code: dict(by_lang) for code, by_lang in tax.isco_names.items()}
    for code, title in styrk_labels.items():
        if code in isco_names:
            isco_names[code]["no"] = tuple(dict.fromkeys([*isco_names[code].get("no", ()),
                                                          title]))
    if not styrk_labels:  # a table of national titles only keeps the snapshot's STYRK codes
        styrk, styrk_labels = tax.occupation_styrk, tax.styrk_labels
    provenance = dict(tax.provenance)
    provenance["sources"] = sorted({*provenance.get("sources", []), crosswalk.name})
    return Taxonomy(
        version=tax.version, occupation_uris=tax.occupation_uris,
        occupation_isco=tax.occupation_isco, occupation_styrk=styrk,
        occupation_names=tax.occupation_names,
        occupation_skills=tax.occupation_skills, skill_uris=tax.skill_uris,
        skill_names=tax.skill_names, skill_is_group=tax.skill_is_group,
        skill_parents=tax.skill_parents, isco_names=isco_names, styrk_labels=styrk_labels,
        provenance=provenance, occupation_descriptions=tax.occupation_descriptions,
        # A word of a new title missing from the stem table is stemmed when first met.
        stem_table=tax._stem_table, titles=titles,
    )
