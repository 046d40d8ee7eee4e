"""The snapshot format: a taxonomy as a zip of JSON (strings) and ``.npy`` (arrays) entries.

:func:`write_snapshot` writes one (it is :meth:`Taxonomy.save`), :func:`read_snapshot` reads one
back. The same taxonomy always gives the same bytes: JSON with sorted keys, ``.npy`` arrays,
entries in name order with a fixed date, deflate level 9. The built-in snapshot
(``data/esco-v1.1.1.zip``) and the cache of compiled downloads are in this format.

The format sits above the data model and below the loader and the cache: it imports the model,
and the model reaches it only through ``Taxonomy.snapshot_writer``, which this module sets when
imported (``matcher.taxonomy`` imports it).
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from matcher.errors import TaxonomyError
from matcher.io.write import atomic_file
from matcher.taxonomy.model import Taxonomy
from matcher.taxonomy.resolve import stemmer_version

__all__ = ["FORMAT", "read_snapshot", "snapshot_entries", "write_snapshot"]

FORMAT = 1
"""The snapshot format's version; a snapshot of another format is refused."""
# A fixed date makes the zip a function of its contents alone (1980-01-01 is the zip epoch).
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def write_snapshot(tax: Taxonomy, path: Path) -> int:
    """Write ``tax`` as a snapshot zip at ``path``; return its size in bytes.

    Written through the package's one atomic writer (:func:`matcher.io.write.atomic_file`), so a
    failed write leaves no partial snapshot (and raises :class:`~matcher.errors.OutputError`).
    """
    path = Path(path)
    entries = snapshot_entries(tax)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, entries[name], compresslevel=9)
    data = buffer.getvalue()
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path) as temporary:
        temporary.write_bytes(data)
    return len(data)


def _json(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


def snapshot_entries(tax: Taxonomy) -> dict[str, bytes]:
    occ, par = tax.occupation_skills, tax.skill_parents
    occ.sort_indices()
    par.sort_indices()
    return {
        "meta.json": _json({
            "format": FORMAT,
            "version": tax.version,
            "provenance": tax.provenance,
            "stemmer": stemmer_version(),
            "counts": {"occupations": tax.n_occupations, "skills": tax.n_skills,
                       "occupation_skills": int(occ.nnz), "skill_parents": int(par.nnz)},
        }),
        "occupations.json": _json({"uri": tax.occupation_uris, "isco": tax.occupation_isco,
                                   "styrk": tax.occupation_styrk,
                                   "names": tax.occupation_names}),
        "skills.json": _json({"uri": tax.skill_uris, "names": tax.skill_names}),
        "isco.json": _json(tax.isco_names),
        "descriptions.json": _json(tax.occupation_descriptions),
        "styrk.json": _json(tax.styrk_labels),
        "stems.json": _json(tax.stem_table),
        "titles.json": _json([list(t) for t in tax.titles]),
        "skill_is_group.npy": _npy(tax.skill_is_group),
        "occupation_skills.indptr.npy": _npy(occ.indptr.astype(np.int32)),
        "occupation_skills.indices.npy": _npy(occ.indices.astype(np.int32)),
        "occupation_skills.data.npy": _npy(occ.data.astype(np.float32)),
        "skill_parents.indptr.npy": _npy(par.indptr.astype(np.int32)),
        "skill_parents.indices.npy": _npy(par.indices.astype(np.int32)),
    }


def read_snapshot(source: str | Path | io.BytesIO, where: str) -> Taxonomy:
    def fail(reason: str) -> TaxonomyError:
        return TaxonomyError(f"Cannot load taxonomy snapshot {where!r}: {reason}")

    try:
        archive = zipfile.ZipFile(source)
    except zipfile.BadZipFile:
        raise fail("not a zip file (corrupt or truncated?)") from None
    except OSError as exc:
        raise fail(str(exc)) from exc
    with archive:
        names = set(archive.namelist())
        if "meta.json" not in names:
            raise fail("no meta.json, so not a matcher snapshot; to compile an official ESCO "
                       "download pass the folder holding its zips")

        def entry(name: str) -> bytes:
            if name not in names:
                raise fail(f"the entry {name!r} is missing")
            try:
                return archive.read(name)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise fail(f"the entry {name!r} is unreadable: {exc}") from exc

        def load_json(name: str) -> Any:
            try:
                return json.loads(entry(name))
            except ValueError as exc:
                raise fail(f"the entry {name!r} is not valid JSON: {exc}") from exc

        def load_npy(name: str) -> np.ndarray:
            try:
                return np.load(io.BytesIO(entry(name)), allow_pickle=False)
            except ValueError as exc:
                raise fail(f"the entry {name!r} is not a valid .npy array: {exc}") from exc

        meta = load_json("meta.json")
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            got = meta.get("format") if isinstance(meta, dict) else meta
            raise fail(f"snapshot format {got!r} is not the supported format {FORMAT}; "
                       f"rebuild it with python -m matcher._build.compile")
        try:
            occupations = load_json("occupations.json")
            skills = load_json("skills.json")
            n_occ, n_skill = len(occupations["uri"]), len(skills["uri"])
            occupation_skills = sp.csr_matrix(
                (load_npy("occupation_skills.data.npy"),
                 load_npy("occupation_skills.indices.npy"),
                 load_npy("occupation_skills.indptr.npy")), shape=(n_occ, n_skill))
            parent_indices = load_npy("skill_parents.indices.npy")
            skill_parents = sp.csr_matrix(
                (np.ones(parent_indices.shape[0], dtype=bool), parent_indices,
                 load_npy("skill_parents.indptr.npy")), shape=(n_skill, n_skill))
            return Taxonomy(
                version=meta["version"],
                occupation_uris=occupations["uri"],
                occupation_isco=occupations["isco"],
                occupation_styrk=occupations["styrk"],
                occupation_names=occupations["names"],
                occupation_skills=occupation_skills,
                skill_uris=skills["uri"],
                skill_names=skills["names"],
                skill_is_group=load_npy("skill_is_group.npy"),
                skill_parents=skill_parents,
                isco_names=load_json("isco.json"),
                styrk_labels=load_json("styrk.json"),
                provenance=meta.get("provenance"),
                # Snapshots written before descriptions were kept load without them.
                occupation_descriptions=(load_json("descriptions.json")
                                         if "descriptions.json" in names else None),
                # Stems from another stemmer version would not meet the query's stems.
                stem_table=(load_json("stems.json") if meta.get("stemmer") == stemmer_version()
                            else None),
                # Snapshots written before national titles were shipped have none.
                titles=load_json("titles.json") if "titles.json" in names else (),
            )
        except TaxonomyError as exc:
            if str(exc).startswith("Cannot load"):
                raise
            raise fail(str(exc)) from exc
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise fail(f"inconsistent contents ({type(exc).__name__}: {exc})") from exc


Taxonomy.snapshot_writer = write_snapshot
