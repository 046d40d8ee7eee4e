"""Compile an official ESCO download into a :class:`~matcher.taxonomy.model.Taxonomy`.

ESCO is published as CSV files, one zip for the classification of a language
(``occupations_en.csv``, ``skills_en.csv``, ``skillGroups_en.csv``, ``ISCOGroups_en.csv``, ...)
and one for the relations (``occupationSkillRelations.csv``, ``broaderRelationsSkillPillar.csv``).
Compiling keeps what matching needs and nothing else:

- every occupation with its English labels and description, its 4-digit ISCO-08 code, labels in
  other languages and, when a crosswalk is given, its Norwegian STYRK-08 code;
- the ISCO groups with their labels;
- skills and skill groups in one index space, with the skill pillar's broader relations
  (``[child, parent]``) and the occupation -> skill relations (1.0 essential, 0.5 optional).

Labels in other languages come from two kinds of files found in the same folder: the official
classification of another language (``occupations_no.csv``, ``skills_da.csv``, ...) and label
tables named ``*labels*-<lang>*.tsv`` with columns ``conceptUri, label, preferred`` (the language
is taken from the file name).

The STYRK-08 crosswalk is the ESCO secretariat's mapping table (metadata lines, a blank line, then
a CSV table with ``Classification 1 URI`` ... ``Mapping relation``). Where an occupation maps to
several codes the closest relation wins (exact, close, narrow, broad), then the code equal to the
occupation's ISCO code, then the lowest code.

National job titles (``--titles``) are vocabulary: they resolve to what they name but never
become an occupation's preferred label (ESCO's own labels name occupations). Two kinds of file
are read:

- a list of titles with their 4-digit STYRK-08 code, columns ``title, styrk08`` (NAV's
  yrkesbetegnelser, ``nav-job-titles-styrk08-*.csv``): each title names the STYRK-08 group;
- an ESCO mapping table with national titles (ESCO-STAR, ``esco-star-dk-*.csv``): each title
  names the ESCO occupations (or ISCO group) it is mapped to, closest relation only.

The built-in snapshot is rebuilt by the build script :mod:`matcher._build.compile`::

    python -m matcher._build.compile --esco ../shared/data/esco \\
        --crosswalk ../shared/data/crosswalks/esco-styrk08-no-2022-09-20.csv \\
        --titles ../shared/data/nav/nav-job-titles-styrk08-dev.csv \\
        --titles ../shared/data/crosswalks/esco-star-dk-2021-11-10.csv \\
        --out matcher/taxonomy/data/esco-v1.1.1.zip

The same inputs give the same bytes: the snapshot's contents are sorted and its zip entries carry
a fixed date.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import scipy.sparse as sp

from matcher.errors import TaxonomyError
from matcher.taxonomy.model import Taxonomy

__all__ = ["compile_taxonomy"]

_ISCO_URI = "http://data.europa.eu/esco/isco/C"
_RELATION_WEIGHT = {"essential": 1.0, "optional": 0.5}
# Closest mapping first; "no relation" rows are dropped.
_MAPPING_PRIORITY = {"skos:exactMatch": 0, "skos:closeMatch": 1, "skos:narrowMatch": 2,
                     "skos:broadMatch": 3}
_LABEL_FILE = re.compile(r"labels[-_]([a-z]{2,3})(?=[-_.])", re.IGNORECASE)
_CLASSIFICATION_FILE = re.compile(
    r"^(occupations|skills|skillGroups|ISCOGroups)_([a-z]{2,3})\.csv$")
_VERSION = re.compile(r"esco[-_ ]?v?(\d+\.\d+(?:\.\d+)?)", re.IGNORECASE)


_REQUIRED = {
    "occupations_en.csv": "classification", "skills_en.csv": "classification",
    "skillGroups_en.csv": "classification", "ISCOGroups_en.csv": "classification",
    "occupationSkillRelations.csv": "relations", "broaderRelationsSkillPillar.csv": "relations",
}


@dataclass
class _Download:
    """The CSV files of an official download, whether extracted or still inside its zips."""

    folder: Path
    csv: dict[str, tuple[Path, str | None]] = field(default_factory=dict)
    label_tables: list[tuple[str, Path]] = field(default_factory=list)
    version: str | None = None
    used: set[str] = field(default_factory=set)

    @classmethod
    def scan(cls, folder: Path) -> _Download:
        if not folder.is_dir():
            what = "does not exist" if not folder.exists() else "is not a folder"
            raise TaxonomyError(f"ESCO download {str(folder)!r} {what}")
        found = cls(folder)
        # Sorted so that, should a name occur twice, the same file wins on every machine.
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = path.name
            if name.endswith(".csv"):
                found.csv.setdefault(name, (path, None))
            elif name.endswith(".zip"):
                try:
                    with zipfile.ZipFile(path) as archive:
                        members = sorted(archive.namelist())
                except (zipfile.BadZipFile, OSError) as exc:
                    raise TaxonomyError(f"ESCO download file {str(path)!r} is not a readable "
                                        f"zip file: {exc}") from exc
                for member in members:
                    if member.endswith(".csv"):
                        found.csv.setdefault(Path(member).name, (path, member))
                found._note_version(name)
            elif name.endswith(".tsv") and (match := _LABEL_FILE.search(name)):
                found.label_tables.append((match.group(1).lower(), path))
        found._note_version(folder.name)
        return found

    def _note_version(self, name: str) -> None:
        if self.version is None and (match := _VERSION.search(name)):
            self.version = match.group(1)

    def check(self) -> None:
        """Fail with every missing file at once, and where it should have come from."""
        missing = [f"{name} (from the {part} zip)" for name, part in _REQUIRED.items()
                   if name not in self.csv]
        if missing:
            seen = sorted(p.name for p in self.folder.iterdir()) if self.folder.is_dir() else []
            raise TaxonomyError(
                f"ESCO download {str(self.folder)!r} is incomplete: it lacks "
                f"{', '.join(missing)}, neither as a file nor inside a zip (found: "
                f"{', '.join(seen) or 'nothing'}); download both the classification and the "
                f"relations CSV zips of the official ESCO download")

    def has(self, name: str) -> bool:
        return name in self.csv

    def read(self, name: str, columns: Sequence[str]) -> pl.DataFrame:
        if name not in self.csv:
            raise TaxonomyError(f"ESCO download {str(self.folder)!r} lacks {name} (neither as a "
                                f"file nor inside a zip); is it the official CSV download?")
        path, member = self.csv[name]
        self.used.add(path.name)
        where = f"{path}!{member}" if member else str(path)
        try:
            if member is None:
                data = path.read_bytes()
            else:
                with zipfile.ZipFile(path) as archive:
                    data = archive.read(member)
            frame = pl.read_csv(io.BytesIO(data), infer_schema=False)
        except (OSError, zipfile.BadZipFile, pl.exceptions.PolarsError) as exc:
            raise TaxonomyError(f"cannot read {where!r}: {exc}") from exc
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise TaxonomyError(f"{where!r} lacks the column(s) {', '.join(missing)}")
        return frame.select(columns)

    def languages(self, kind: str) -> list[str]:
        """Languages of the official classification files of one kind, English first."""
        found = {m.group(2) for n in self.csv if (m := _CLASSIFICATION_FILE.match(n))
                 and m.group(1) == kind}
        return sorted(found, key=lambda lang: (lang != "en", lang))


def _split(cell: str | None) -> list[str]:
    """ESCO packs several labels in one cell, one a line."""
    if not cell:
        return []
    return [part.strip() for part in cell.split("\n") if part.strip()]


def _unique(labels: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(label for label in labels if label))


def _classification_names(frame: pl.DataFrame) -> dict[str, list[str]]:
    """URI -> [preferred, alt..., hidden...] from an official classification table."""
    names: dict[str, list[str]] = {}
    has_alt = "altLabels" in frame.columns
    has_hidden = "hiddenLabels" in frame.columns
    for row in frame.iter_rows(named=True):
        labels = [(row["preferredLabel"] or "").strip()]
        labels += _split(row["altLabels"]) if has_alt else []
        labels += _split(row["hiddenLabels"]) if has_hidden else []
        names[row["conceptUri"]] = _unique(labels)
    return names


def _read_label_table(path: Path) -> dict[str, list[str]]:
    """URI -> labels (preferred first) from a ``conceptUri, label, preferred`` TSV."""
    try:
        frame = pl.read_csv(path, separator="\t", infer_schema=False, quote_char=None)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise TaxonomyError(f"cannot read label table {str(path)!r}: {exc}") from exc
    missing = [c for c in ("conceptUri", "label", "preferred") if c not in frame.columns]
    if missing:
        raise TaxonomyError(f"label table {str(path)!r} lacks the column(s) {', '.join(missing)}")
    frame = (
        frame.with_row_index("_order")
        .filter(pl.col("label").is_not_null() & pl.col("conceptUri").is_not_null())
        .with_columns(
            pl.col("label").str.strip_chars(),
            (pl.col("preferred").str.to_lowercase() != "true").alias("_alt"),
        )
        .sort("conceptUri", "_alt", "_order")
    )
    names: dict[str, list[str]] = {}
    for uri, label in frame.select("conceptUri", "label").iter_rows():
        names.setdefault(uri, []).append(label)
    return {uri: _unique(labels) for uri, labels in names.items()}


def _merge(into: dict[str, dict[str, list[str]]], lang: str, names: dict[str, list[str]]) -> None:
    target = into.setdefault(lang, {})
    for uri, labels in names.items():
        target[uri] = _unique([*target.get(uri, []), *labels])


def _read_crosswalk(path: Path) -> pl.DataFrame:
    """The ESCO -> STYRK-08 table as (occupation URI, code, label, priority)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TaxonomyError(f"cannot read crosswalk {str(path)!r}: {exc}") from exc
    # The table starts after a block of metadata lines whose length varies between editions.
    start = raw.find(b"Classification 1 URI,")
    if start < 0:
        raise TaxonomyError(f"crosswalk {str(path)!r} has no 'Classification 1 URI' header line; "
                            f"is it an ESCO mapping table?")
    try:
        frame = pl.read_csv(io.BytesIO(raw[start:]), infer_schema=False)
    except pl.exceptions.PolarsError as exc:
        raise TaxonomyError(f"cannot read crosswalk {str(path)!r}: {exc}") from exc
    needed = ["Classification 1 URI", "Classification 2 URI", "Classification 2 PrefLabel",
              "Mapping relation"]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise TaxonomyError(f"crosswalk {str(path)!r} lacks the column(s) {', '.join(missing)}")
    return (
        frame.select(
            pl.col("Classification 1 URI").alias("uri"),
            # Codes appear as .../6123, .../C6123 and, for the armed forces, .../110.
            pl.col("Classification 2 URI").str.extract(r"/C?(\d{1,4})$").str.zfill(4).alias("code"),
            pl.col("Classification 2 PrefLabel").str.strip_chars().alias("label"),
            pl.col("Mapping relation").replace_strict(_MAPPING_PRIORITY, default=None,
                                                      return_dtype=pl.Int8).alias("priority"),
        )
        .with_columns(pl.when(pl.col("code") != "0000").then(pl.col("code")).alias("code"))
        .filter(pl.col("uri").is_not_null() & pl.col("priority").is_not_null())
    )


def apply_crosswalk(
    path: Path, occupation_uris: Sequence[str], occupation_isco: Sequence[str],
) -> tuple[list[str], dict[str, str], dict[str, list[str]], str, int]:
    """Read an ESCO mapping table against the given occupations.

    Returns ``(styrk code per occupation, code -> title, uri -> national titles, language of the
    titles, rows of unknown occupations)``. A table with 4-digit codes (ESCO-STYRK-08) gives
    codes; one with finer national codes (ESCO-STAR ``9629.4``) gives no codes, and its titles
    become labels of the mapped occupations in the table's language.
    """
    mapping = _read_crosswalk(path)
    known = set(occupation_uris)
    mapped = mapping.filter(pl.col("uri").is_in(list(known)))
    index = {uri: i for i, uri in enumerate(occupation_uris)}
    styrk = [""] * len(occupation_uris)
    coded = mapped.filter(pl.col("code").is_not_null())
    isco_of = pl.DataFrame({"uri": list(occupation_uris), "isco": list(occupation_isco)})
    best = (
        coded.join(isco_of, on="uri", how="left")
        .with_columns((pl.col("code") != pl.col("isco")).alias("_other"))
        .sort("uri", "priority", "_other", "code")
        .unique("uri", keep="first", maintain_order=True)
    )
    for uri, code in best.select("uri", "code").iter_rows():
        styrk[index[uri]] = code
    labels = coded.filter(pl.col("label").is_not_null()).group_by("code").agg(
        pl.col("label").sort().first()).sort("code")
    national: dict[str, list[str]] = {}
    if coded.is_empty():
        for uri, label in (mapped.filter(pl.col("label").is_not_null())
                           .sort("uri", "priority", "label").select("uri", "label").iter_rows()):
            national.setdefault(uri, []).append(label)
    lang = _crosswalk_language(path)
    return styrk, dict(labels.iter_rows()), national, lang, mapping.height - mapped.height


def _crosswalk_language(path: Path) -> str:
    """``Classification 2 Language`` from the table's metadata lines (default ``no``)."""
    try:
        head = path.read_bytes()[:4000].decode("utf-8", "replace")
    except OSError:
        return "no"
    found = re.search(r"^Classification 2 Language,\s*([a-z]{2,3})", head, re.MULTILINE)
    return found.group(1) if found else "no"


#: credit lines of the sources a snapshot may carry, by the start of the file name
CREDITS = {
    "esco-": "This service uses the ESCO classification of the European Commission.",
    "nav-": "Inneholder data fra NAV.",
    "esco-styrk08": "STYRK-08: Kilde: Statistisk sentralbyrå.",
}


def read_titles(path: Path, occupation_uris: Sequence[str], isco_codes: Iterable[str],
                styrk_codes: Iterable[str]) -> tuple[list[tuple[str, str, str, str]], int]:
    """National job titles as ``(title, language, source, target)`` rows, and the rows dropped.

    ``target`` is a STYRK-08/ISCO-08 code (a NAV title names a group) or an occupation or ISCO
    group URI (an ESCO-STAR title names what the mapping table maps it to, closest relation
    only). Rows naming unknown codes or concepts are counted, not kept.
    """
    try:
        head = path.read_bytes()[:4000]
    except OSError as exc:
        raise TaxonomyError(f"cannot read titles file {str(path)!r}: {exc}") from exc
    source = path.name
    if b"Classification 1 URI," in head or b"Mapping project" in head:
        mapping = _read_crosswalk(path)
        known = set(occupation_uris) | {_ISCO_URI + c for c in isco_codes}
        rows = (mapping.filter(pl.col("label").is_not_null() & pl.col("uri").is_in(list(known)))
                .with_columns(pl.col("priority").min().over("label").alias("_best"))
                .filter(pl.col("priority") == pl.col("_best"))
                .select("label", "uri").unique().sort("label", "uri"))
        lang = _crosswalk_language(path)
        out = [(title, lang, source, uri) for title, uri in rows.iter_rows()]
        return out, mapping.height - mapping.filter(pl.col("uri").is_in(list(known))).height
    try:
        frame = pl.read_csv(path, infer_schema=False)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise TaxonomyError(f"cannot read titles file {str(path)!r}: {exc}") from exc
    missing = [c for c in ("title", "styrk08") if c not in frame.columns]
    if missing:
        raise TaxonomyError(f"titles file {str(path)!r} lacks the column(s) "
                            f"{', '.join(missing)}; expected 'title, styrk08' or an ESCO "
                            f"mapping table")
    codes = set(isco_codes) | set(styrk_codes)
    frame = frame.select(pl.col("title").str.strip_chars(),
                         pl.col("styrk08").str.strip_chars().str.zfill(4))
    usable = frame.filter(pl.col("title").is_not_null() & (pl.col("title") != "")
                          & pl.col("styrk08").is_in(list(codes))).unique().sort("title", "styrk08")
    return ([(title, "no", source, code) for title, code in usable.iter_rows()],
            frame.height - usable.height)


def _csr(rows: np.ndarray, cols: np.ndarray, data: np.ndarray, shape: tuple[int, int],
         dtype: type) -> sp.csr_matrix:
    """A CSR matrix with sorted column indices, built the same way every time."""
    order = np.lexsort((cols, rows))
    indptr = np.zeros(shape[0] + 1, dtype=np.int32)
    np.cumsum(np.bincount(rows, minlength=shape[0]), out=indptr[1:])
    return sp.csr_matrix(
        (data[order].astype(dtype), cols[order].astype(np.int32), indptr), shape=shape
    )


def _by_index(names: dict[str, dict[str, list[str]]], uris: list[str],
              ) -> dict[str, list[tuple[str, ...]]]:
    """Names per language in the order of ``uris`` (English first, then by language code)."""
    return {lang: [tuple(per_uri.get(uri, ())) for uri in uris]
            for lang, per_uri in sorted(names.items(), key=lambda kv: (kv[0] != "en", kv[0]))}


_NAME_COLUMNS = {
    "occupations": ["conceptUri", "preferredLabel", "altLabels", "hiddenLabels"],
    "ISCOGroups": ["conceptUri", "preferredLabel", "altLabels"],
    "skills": ["conceptUri", "preferredLabel", "altLabels", "hiddenLabels"],
    "skillGroups": ["conceptUri", "preferredLabel", "altLabels", "hiddenLabels"],
}


def _names_by_language(
    download: _Download, english: dict[str, pl.DataFrame], occ_index: dict[str, int],
    isco_by_uri: dict[str, str], skill_index: dict[str, int], dropped: dict[str, int],
) -> tuple[dict[str, dict[str, list[str]]], ...]:
    """Occupation, ISCO group and skill names by language: the official classification files
    first (English from the frames already read), then label tables."""
    occ_names: dict[str, dict[str, list[str]]] = {}
    isco_names: dict[str, dict[str, list[str]]] = {}
    skill_names: dict[str, dict[str, list[str]]] = {}
    into = {"occupations": occ_names, "ISCOGroups": isco_names, "skills": skill_names,
            "skillGroups": skill_names}
    for kind, names in into.items():
        for lang in download.languages(kind):
            frame = english[kind] if lang == "en" else download.read(
                f"{kind}_{lang}.csv", _NAME_COLUMNS[kind])
            _merge(names, lang, _classification_names(frame))
    for lang, path in sorted(download.label_tables):
        table_names = _read_label_table(path)
        known = {u: n for u, n in table_names.items() if u in occ_index or u in isco_by_uri
                 or u in skill_index}
        dropped[f"{path.name}: labels of unknown concepts"] = len(table_names) - len(known)
        _merge(occ_names, lang, {u: n for u, n in known.items() if u in occ_index})
        _merge(isco_names, lang, {u: n for u, n in known.items() if u in isco_by_uri})
        _merge(skill_names, lang, {u: n for u, n in known.items() if u in skill_index})
    return occ_names, isco_names, skill_names


def _occupation_skills(download: _Download, occ_index: dict[str, int],
                       skill_index: dict[str, int], dropped: dict[str, int]) -> sp.csr_array:
    """Occupation x skill relations: 1 essential, 0.5 optional (the stronger of a pair listed
    twice)."""
    relations = download.read("occupationSkillRelations.csv",
                              ["occupationUri", "relationType", "skillUri"])
    relations = relations.with_columns(
        pl.col("occupationUri").replace_strict(occ_index, default=None, return_dtype=pl.Int32)
        .alias("row"),
        pl.col("skillUri").replace_strict(skill_index, default=None, return_dtype=pl.Int32)
        .alias("col"),
        pl.col("relationType").replace_strict(_RELATION_WEIGHT, default=None,
                                              return_dtype=pl.Float32).alias("weight"),
    )
    usable = relations.drop_nulls(["row", "col", "weight"])
    if usable.height < relations.height:
        dropped["occupationSkillRelations.csv: unknown URI or relation type"] = (
            relations.height - usable.height)
    usable = usable.group_by("row", "col").agg(pl.col("weight").max())
    return _csr(usable["row"].to_numpy(), usable["col"].to_numpy(),
                usable["weight"].to_numpy(), (len(occ_index), len(skill_index)), np.float32)


def _skill_parents(download: _Download, skill_index: dict[str, int],
                   dropped: dict[str, int]) -> sp.csr_array:
    """The skill hierarchy: skill x broader skill or group, True where related."""
    broader = download.read("broaderRelationsSkillPillar.csv", ["conceptUri", "broaderUri"])
    broader = broader.with_columns(
        pl.col("conceptUri").replace_strict(skill_index, default=None, return_dtype=pl.Int32)
        .alias("row"),
        pl.col("broaderUri").replace_strict(skill_index, default=None, return_dtype=pl.Int32)
        .alias("col"),
    )
    usable = broader.drop_nulls(["row", "col"]).unique(["row", "col"])
    if usable.height < broader.height:
        # ESCO v1.1.1 names 7 parents that its skillGroups file does not define.
        dropped["broaderRelationsSkillPillar.csv: unknown URI or repeated pair"] = (
            broader.height - usable.height)
    return _csr(usable["row"].to_numpy(), usable["col"].to_numpy(),
                np.ones(usable.height, dtype=bool), (len(skill_index), len(skill_index)), bool)


def compile_taxonomy(
    esco: str | Path, crosswalk: str | Path | None = None, *, version: str | None = None,
    titles: Sequence[str | Path] = (),
) -> Taxonomy:
    """Build a taxonomy from an official ESCO CSV download.

    Parameters
    ----------
    esco : str or Path
        A folder holding the classification and relations zips of the download, or their
        extracted CSV files (subfolders are searched). Other-language classification files
        (``occupations_no.csv``, ...) and label tables (``*labels*-<lang>*.tsv``) found there add
        labels in those languages.
    crosswalk : str or Path, optional
        The ESCO -> STYRK-08 mapping table; without it no occupation has a STYRK code.
    version : str, optional
        The version string, e.g. ``"ESCO v1.1.1"``; read from the file names when not given.
    titles : sequence of str or Path
        National job-title files (NAV's ``title, styrk08`` list, an ESCO-STAR mapping table):
        vocabulary for resolution, see :func:`read_titles`.

    Returns
    -------
    Taxonomy

    Raises
    ------
    TaxonomyError
        When a file is missing, unreadable or lacks a needed column.
    """
    download = _Download.scan(Path(esco))
    download.check()
    if version is None:
        version = f"ESCO v{download.version}" if download.version else "ESCO (version unknown)"
    dropped: dict[str, int] = {}

    # --- occupations ------------------------------------------------------------------------
    occupations = download.read(
        "occupations_en.csv", ["conceptUri", "iscoGroup", "preferredLabel", "altLabels",
                               "hiddenLabels", "description"]
    ).sort("conceptUri")
    occupation_uris = occupations["conceptUri"].to_list()
    occupation_isco = occupations["iscoGroup"].fill_null("").to_list()
    # Descriptions feed the text signal of occupation similarity (matcher.taxonomy.similarity).
    occupation_descriptions = [" ".join(text.split()) for text in
                               occupations["description"].fill_null("").to_list()]
    occ_index = {uri: i for i, uri in enumerate(occupation_uris)}

    isco = download.read("ISCOGroups_en.csv", ["conceptUri", "code", "preferredLabel",
                                               "altLabels"]).sort("code")
    isco_codes = isco["code"].to_list()
    isco_by_uri = dict(zip(isco["conceptUri"].to_list(), isco_codes, strict=True))

    skills = download.read("skills_en.csv", ["conceptUri", "preferredLabel", "altLabels",
                                             "hiddenLabels"]).sort("conceptUri")
    groups = download.read("skillGroups_en.csv", ["conceptUri", "preferredLabel", "altLabels",
                                                  "hiddenLabels"]).sort("conceptUri")
    skill_uris = skills["conceptUri"].to_list() + groups["conceptUri"].to_list()
    skill_index = {uri: i for i, uri in enumerate(skill_uris)}
    if len(skill_index) != len(skill_uris):
        raise TaxonomyError(f"ESCO download {str(esco)!r}: a URI is both a skill and a skill group")
    skill_is_group = np.zeros(len(skill_uris), dtype=bool)
    skill_is_group[skills.height:] = True

    # --- labels by language: official classifications first, then label tables ----------------
    occ_names, isco_names, skill_names = _names_by_language(
        download, {"occupations": occupations, "ISCOGroups": isco, "skills": skills,
                   "skillGroups": groups}, occ_index, isco_by_uri, skill_index, dropped)

    # --- STYRK-08 / national titles ---------------------------------------------------------
    occupation_styrk = [""] * len(occupation_uris)
    styrk_labels: dict[str, str] = {}
    crosswalk_titles = False
    if crosswalk is not None:
        occupation_styrk, styrk_labels, national, _lang, unknown = apply_crosswalk(
            Path(crosswalk), occupation_uris, occupation_isco)
        dropped["crosswalk: rows of unknown occupations"] = unknown
        if national:  # national titles (ESCO-STAR) are vocabulary, never labels
            crosswalk_titles = True
        # The STYRK title is the Norwegian name of the ISCO group with the same code, often in
        # a fuller form than the label tables give ("Biologer, botanikere, zoologer mv.").
        _merge(isco_names, "no", {_ISCO_URI + c: [label] for c, label in styrk_labels.items()
                                  if _ISCO_URI + c in isco_by_uri})

    # --- relations --------------------------------------------------------------------------
    occupation_skills = _occupation_skills(download, occ_index, skill_index, dropped)
    skill_parents = _skill_parents(download, skill_index, dropped)

    title_rows: list[tuple[str, str, str, str]] = []
    for title_file in [*titles, *([crosswalk] if crosswalk_titles and crosswalk else [])]:
        rows, unknown = read_titles(Path(title_file), occupation_uris, isco_codes, styrk_labels)
        title_rows += rows
        dropped[f"{Path(title_file).name}: titles of unknown codes or concepts"] = unknown
    sources = sorted(download.used | {p.name for _, p in download.label_tables}
                     | ({Path(crosswalk).name} if crosswalk is not None else set())
                     | {Path(t).name for t in titles})
    isco_uris = [_ISCO_URI + code for code in isco_codes]
    isco_by_code = _by_index(isco_names, isco_uris)
    return Taxonomy(
        version=version,
        occupation_uris=occupation_uris,
        occupation_isco=occupation_isco,
        occupation_styrk=occupation_styrk,
        occupation_names=_by_index(occ_names, occupation_uris),
        occupation_descriptions=occupation_descriptions,
        occupation_skills=occupation_skills,
        skill_uris=skill_uris,
        skill_names=_by_index(skill_names, skill_uris),
        skill_is_group=skill_is_group,
        skill_parents=skill_parents,
        isco_names={code: {lang: isco_by_code[lang][i] for lang in isco_by_code
                           if isco_by_code[lang][i]} for i, code in enumerate(isco_codes)},
        styrk_labels=styrk_labels,
        provenance={
            "sources": sources,
            "credits": sorted({line for source in sources for start, line in CREDITS.items()
                               if source.startswith(start)}),
            "dropped": {k: v for k, v in sorted(dropped.items()) if v},
        },
        titles=sorted(set(title_rows)),
    )
