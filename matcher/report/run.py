"""What a report is made of: one run's outputs, read back from its folder or taken from memory.

A run folder holds what ``matcher match`` wrote: MATCHES, its manifest (MATCHES +
``.manifest.json``), and optionally ALTS and the warnings file. The manifest does not name ALTS
and warnings, so they are recognised by their columns. Tiers (for the audit) and role titles,
employers and places (for open places) are not in the outputs: they come from the input files,
given by path or found in the folder under the name the manifest records, and used only when
their SHA-256 equals the manifest's.

Every problem is a :class:`~matcher.errors.Problem` (file, row, column, rule, value), raised
together in one :class:`~matcher.errors.InputError`; nothing is dropped without a word.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from matcher.audit.inputs import RULE_TIER_OR_EMPLOYABILITY, read_seekers
from matcher.errors import InputError, Problem
from matcher.io import decimal_number, read_table, sheet_names, validate_roles
from matcher.io.outputs import MATCHES_COLUMNS, WARNINGS_COLUMNS, canonical_columns, sheet_kind
from matcher.io.tiers import EMPLOYABILITY_BANDS

__all__ = ["EMPLOYABILITY_BANDS", "Run", "find_outputs", "load_run", "run_from_outputs"]

PathLike = str | os.PathLike[str]

MANIFEST_SUFFIX = ".manifest.json"
ALTS_REQUIRED = ("seeker_id", "role_id", "rank", "score", "assigned")
"""The columns of ALTS the report needs (the fits are shown where they are there). The
warnings file of a run written before its ``line`` was called so has ``row``, and is read too."""
TABLE_SUFFIXES = (".csv", ".xlsx", ".parquet", ".json", ".jsonl", ".ndjson")

RULE_NO_MANIFEST = "holds no run: no '*.manifest.json' (matcher match --out writes one)"
RULE_MANY_MANIFESTS = "holds {n} runs ({names}): give one run's manifest or MATCHES file"
RULE_NOT_FOUND = "does not exist"
RULE_MANIFEST = "is not a run manifest: {detail}"
RULE_MISSING_COLUMN = "required column is missing"
RULE_MISSING_VALUE = "must not be empty"
RULE_SCORE = "must be a number in [0, 1]"
RULE_COUNT = "holds {got} job-seekers, the manifest {manifest} says {expected}"
RULE_UNKNOWN_SEEKER = "must name a job-seeker in {matches}"
RULE_AMBIGUOUS = "{kind}: {n} files in the folder fit ({names}); name one with {option}"


@dataclass(frozen=True)
class Run:
    """One run, ready to render.

    ``matches``: ``seeker_id, role_id, score, reason`` (every job-seeker once).
    ``alternatives``: ``seeker_id, role_id, rank, score, skill_fit, transfer_fit, wish_fit,
    assigned`` or ``None``. ``warnings``: ``file, line, column, rule, value`` or ``None``.
    ``tiers``: ``seeker_id, tier`` for every job-seeker (tier null when unknown) or ``None``;
    ``tier_labels`` in order, closest to work first; ``tier_source`` is ``"employability"``
    when the groups are :data:`EMPLOYABILITY_BANDS` (no tier column was given). ``roles``:
    ``role_id, title, enterprise, slots`` or ``None``. ``sources``: the file names used, by kind.
    """

    manifest: dict[str, Any]
    matches: pl.DataFrame
    alternatives: pl.DataFrame | None = None
    warnings: pl.DataFrame | None = None
    tiers: pl.DataFrame | None = None
    tier_labels: tuple[str, ...] = ()
    roles: pl.DataFrame | None = None
    tier_source: str = "tier"
    sources: dict[str, str] = field(default_factory=dict)


def _text(frame: pl.DataFrame, column: str) -> pl.Series:
    s = frame.get_column(column).cast(pl.String)
    return s.str.strip_chars().replace("", None)


def _number(frame: pl.DataFrame, column: str) -> pl.Series:
    return decimal_number(_text(frame, column))


def _rows(mask: pl.Series) -> list[int]:
    return [i + 1 for i in mask.fill_null(False).arg_true().to_list()]


def _at_lines(problems: list[Problem]) -> InputError:
    """The problems, found by 1-based data row, named by line as the package does everywhere:
    the spreadsheet's line (the header is line 1) or, in JSON, the record number."""
    def line(p: Problem) -> int | None:
        if p.line is None or p.file.lower().endswith((".json", ".jsonl", ".ndjson")):
            return p.line
        return p.line + 1
    return InputError([dataclasses.replace(p, line=line(p)) for p in problems])


def _require(frame: pl.DataFrame, name: str, columns: Sequence[str]) -> None:
    missing = [Problem(name, None, c, RULE_MISSING_COLUMN, code="missing_column",
                       params=(("names", (c,)),))
               for c in columns if c not in frame.columns]
    if missing:
        raise InputError(missing)


def _typed_matches(raw: pl.DataFrame, name: str) -> pl.DataFrame:
    _require(raw, name, MATCHES_COLUMNS)
    sid, rid = _text(raw, "seeker_id"), _text(raw, "role_id")
    score = _number(raw, "score")
    stated = _text(raw, "score").is_not_null()
    problems = [Problem(name, r, "seeker_id", RULE_MISSING_VALUE, code="missing_value")
                for r in _rows(sid.is_null())]
    bad = stated & ~(score.is_finite() & score.is_between(0, 1)).fill_null(False)
    problems += [Problem(name, r, "score", RULE_SCORE, raw["score"].cast(pl.String)[r - 1],
                         code="unit") for r in _rows(bad)]
    problems += [Problem(name, r, "score", RULE_MISSING_VALUE, code="missing_value")
                 for r in _rows(rid.is_not_null() & ~stated)]
    if problems:
        raise _at_lines(problems)
    return pl.DataFrame({"seeker_id": sid, "role_id": rid, "score": score,
                         "reason": _text(raw, "reason").fill_null("")})


def _typed_alternatives(raw: pl.DataFrame, name: str, seekers: set[str],
                        matches_name: str) -> pl.DataFrame:
    _require(raw, name, ALTS_REQUIRED)
    sid = _text(raw, "seeker_id")
    problems = [Problem(name, r, "seeker_id", RULE_UNKNOWN_SEEKER.format(matches=matches_name),
                        sid[r - 1], code="known_seeker", params=(("file", matches_name),))
                for r in _rows(sid.is_null() | ~sid.is_in(sorted(seekers)))]
    rid = _text(raw, "role_id")
    problems += [Problem(name, r, "role_id", RULE_MISSING_VALUE, code="missing_value")
                 for r in _rows(rid.is_null())]
    columns: dict[str, pl.Series] = {"seeker_id": sid, "role_id": rid}
    for c in ("rank", "score", "skill_fit", "transfer_fit", "wish_fit"):
        columns[c] = (_number(raw, c) if c in raw.columns
                      else pl.Series(c, [None] * raw.height, pl.Float64))
        if c in raw.columns:
            ok = columns[c].is_finite() & ((columns[c] >= 1) if c == "rank"
                                           else columns[c].is_between(0, 1))
            problems += [Problem(name, r, c, "must be an integer >= 1" if c == "rank"
                                 else RULE_SCORE, raw[c].cast(pl.String)[r - 1],
                                 code="rank" if c == "rank" else "unit")
                         for r in _rows(~ok.fill_null(False))]
    assigned = _text(raw, "assigned").str.to_lowercase()
    columns["assigned"] = assigned.is_in(["true", "1", "yes"])
    if problems:
        raise _at_lines(problems)
    return pl.DataFrame(columns).with_columns(pl.col("rank").cast(pl.Int64)).sort(
        "seeker_id", "rank")


def _typed_warnings(raw: pl.DataFrame, name: str) -> pl.DataFrame:
    if "line" not in raw.columns and "row" in raw.columns:
        raw = raw.rename({"row": "line"})
    _require(raw, name, WARNINGS_COLUMNS)
    return pl.DataFrame({
        "file": _text(raw, "file"), "line": _number(raw, "line").cast(pl.Int64),
        "column": _text(raw, "column"), "rule": _text(raw, "rule"), "value": _text(raw, "value"),
    })


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _holds(names: set[str], columns: Sequence[str]) -> bool:
    """Whether a table with these column names is of the kind ``columns`` describes (a
    warnings file of an older run has ``row`` for ``line``)."""
    return set(columns) <= (names | {"line"} if "row" in names else names)


def _read(path: Path) -> tuple[pl.DataFrame, str]:
    """One of the run's outputs, its columns named as in English whatever the language of the
    workbook it was written to (:func:`matcher.io.outputs.canonical_columns`)."""
    raw, name = read_table(path)
    return canonical_columns(raw), name


def _columns_of(path: Path) -> set[str]:
    """A table's column names without reading its rows (``set()`` when it is not a table)."""
    try:
        if path.suffix.lower() == ".csv":
            return set(pl.scan_csv(path, infer_schema=False).collect_schema().names())
        if path.suffix.lower() == ".parquet":
            return set(pl.read_parquet_schema(path))
        return set(_read(path)[0].columns)
    except (InputError, pl.exceptions.PolarsError, OSError, ValueError):
        return set()


def find_outputs(run: PathLike) -> dict[str, Path]:
    """The files of one run: ``manifest`` and ``matches``, and ``alternatives`` and
    ``warnings`` where the folder holds exactly one table with their columns, else (for an
    ``.xlsx`` MATCHES) the workbook's sheet of that name (``matches.xlsx#warnings``).

    ``run`` is the run's folder, its MATCHES file or its manifest.
    """
    path = Path(run)
    if not path.exists():
        raise InputError([Problem(str(path), None, None, RULE_NOT_FOUND, code="not_found")])
    if path.is_dir():
        manifests = sorted(path.glob(f"*{MANIFEST_SUFFIX}"))
        if not manifests:
            raise InputError([Problem(str(path), None, None, RULE_NO_MANIFEST, code="no_run")])
        if len(manifests) > 1:
            names = ", ".join(m.name for m in manifests)
            raise InputError([Problem(
                str(path), None, None, RULE_MANY_MANIFESTS.format(n=len(manifests), names=names),
                code="many_runs",
                params=(("n", len(manifests)), ("names", tuple(m.name for m in manifests))))])
        manifest = manifests[0]
    elif path.name.endswith(MANIFEST_SUFFIX):
        manifest = path
    else:
        manifest = Path(f"{path}{MANIFEST_SUFFIX}")
        if not manifest.exists():
            raise InputError([Problem(manifest.name, None, None, RULE_NOT_FOUND,
                                      code="not_found")])
    matches = manifest.with_name(manifest.name[: -len(MANIFEST_SUFFIX)])
    if not matches.exists():
        raise InputError([Problem(matches.name, None, None, RULE_NOT_FOUND, code="not_found")])
    found: dict[str, Path] = {"manifest": manifest, "matches": matches}
    folder = manifest.parent
    sheets = sheet_names(matches)
    tables = {p: _columns_of(p) for p in sorted(folder.iterdir())  # each read once
              if p.is_file() and p != matches and p.suffix.lower() in TABLE_SUFFIXES
              and not p.name.startswith(".")}
    for kind, columns, option in (("alternatives", ALTS_REQUIRED, "--alternatives"),
                                  ("warnings", WARNINGS_COLUMNS, "--warnings")):
        fits = [p for p, names in tables.items() if _holds(names, columns)]
        if len(fits) > 1:
            raise InputError([Problem(str(folder), None, None, RULE_AMBIGUOUS.format(
                kind=kind, n=len(fits), names=", ".join(p.name for p in fits), option=option),
                code=f"ambiguous_{kind}",
                params=(("n", len(fits)), ("names", tuple(p.name for p in fits)),
                        ("option", option)))])
        if fits:
            found[kind] = fits[0]
        else:  # the sheet matcher match wrote into an .xlsx MATCHES, in the run's language
            sheet = next((s for s in sheets if sheet_kind(s) == kind), None)
            if sheet is not None:
                found[kind] = Path(f"{matches}#{sheet}")
    return found


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError([Problem(path.name, None, None, RULE_MANIFEST.format(detail=exc))]
                         ) from exc
    missing = [k for k in ("counts", "inputs", "settings", "matched", "total_score")
               if not isinstance(manifest, dict) or k not in manifest]
    if missing:
        raise InputError([Problem(path.name, None, k, RULE_MANIFEST.format(
            detail="the key is missing")) for k in missing])
    return manifest


def _input_beside(folder: Path, manifest: dict[str, Any], kind: str) -> Path | None:
    """The run's own input file when it lies in ``folder`` unchanged (same SHA-256)."""
    entry = manifest.get("inputs", {}).get(kind) or {}
    name = entry.get("file")
    if not name or name == "<frame>":
        return None
    candidate = folder / Path(name).name
    if candidate.is_file() and _sha256(candidate) == entry.get("sha256"):
        return candidate
    return None


def load_run(run: PathLike, *, seekers: PathLike | pl.DataFrame | None = None,
             roles: PathLike | pl.DataFrame | None = None,
             alternatives: PathLike | None = None,
             warnings: PathLike | None = None) -> Run:
    """Read one run's outputs (see :func:`find_outputs`) and, where given or found, its inputs.

    Parameters
    ----------
    run : path
        The run's folder, its MATCHES file or its manifest.
    seekers : path or polars.DataFrame, optional
        A table with ``seeker_id`` and ``tier`` (or ``employability``) for the audit; by
        default the run's SEEKERS when it lies unchanged in the folder.
    roles : path or polars.DataFrame, optional
        The run's ROLES (titles, employers, places); by default found the same way.
    alternatives, warnings : path, optional
        The run's ALTS and warnings files when the folder holds more than one candidate.
    """
    found = find_outputs(run)
    folder = found["manifest"].parent
    manifest = _read_manifest(found["manifest"])
    if alternatives is not None:
        found["alternatives"] = Path(alternatives)
    if warnings is not None:
        found["warnings"] = Path(warnings)
    raw, m_name = _read(found["matches"])
    matches = _typed_matches(raw, m_name)
    expected = manifest["counts"].get("seekers")
    if expected is not None and expected != matches.height:
        raise InputError([Problem(m_name, None, None, RULE_COUNT.format(
            got=matches.height, manifest=found["manifest"].name, expected=expected),
            code="run_count", params=(("got", matches.height),
                                      ("file", found["manifest"].name), ("expected", expected)))])
    alts = warns = None
    if "alternatives" in found:
        raw, a_name = _read(found["alternatives"])
        alts = _typed_alternatives(raw, a_name, set(matches["seeker_id"].to_list()), m_name)
    if "warnings" in found:
        raw, w_name = _read(found["warnings"])
        warns = _typed_warnings(raw, w_name)
    given = seekers is not None  # a file given by hand must hold tiers; the run's own need not
    if seekers is None:
        seekers = _input_beside(folder, manifest, "seekers")
    if roles is None:
        roles = _input_beside(folder, manifest, "roles")
    sources = {k: p.name for k, p in found.items()}
    return run_from_outputs(manifest, matches, alts, warns, seekers=seekers, roles=roles,
                            sources=sources, seekers_required=given)


def run_from_outputs(manifest: dict[str, Any], matches: pl.DataFrame,
                     alternatives: pl.DataFrame | None, warnings: pl.DataFrame | None, *,
                     seekers: PathLike | pl.DataFrame | None = None,
                     roles: PathLike | pl.DataFrame | None = None,
                     sources: dict[str, str] | None = None,
                     seekers_required: bool = True) -> Run:
    """A :class:`Run` from frames already in memory (``matcher match --report``).

    ``seekers`` without a ``tier`` or ``employability`` column leaves the audit out when
    ``seekers_required`` is false (the run's own SEEKERS need not have one); any other
    problem in it is raised.
    """
    sources = dict(sources or {})
    tiers: pl.DataFrame | None = None
    labels: tuple[str, ...] = ()
    tier_source = "tier"
    if seekers is not None:
        try:
            typed, labels = read_seekers(seekers)
        except InputError as exc:
            only_no_tier = all(p.rule == RULE_TIER_OR_EMPLOYABILITY for p in exc.problems)
            if seekers_required or not only_no_tier:
                raise
        else:
            sources["seekers"] = _name(seekers, "seekers")
            if not labels:  # employability only: fixed bands stand in for tiers
                band = pl.lit(None, pl.String)
                for low, label in reversed(EMPLOYABILITY_BANDS):
                    band = pl.when(pl.col("employability") >= low).then(pl.lit(label)
                                                                       ).otherwise(band)
                typed = typed.with_columns(tier=band)
                labels = tuple(label for _, label in EMPLOYABILITY_BANDS)
                tier_source = "employability"
            tiers = matches.select("seeker_id").join(
                typed.select("seeker_id", "tier"), on="seeker_id", how="left")
    role_frame = None
    if roles is not None:
        raw, r_name = read_table(roles, name="roles" if isinstance(roles, pl.DataFrame)
                                 else None)
        typed_roles = validate_roles(raw, r_name)
        role_frame = typed_roles.select(
            "role_id",
            (pl.col("title") if "title" in typed_roles.columns
             else pl.lit(None, pl.String)).alias("title"),
            pl.col("enterprise"), pl.col("slots").cast(pl.Int64),
        ).sort("role_id")
        sources["roles"] = r_name
    return Run(manifest=manifest, matches=matches, alternatives=alternatives,
               warnings=warnings, tiers=tiers, tier_labels=tuple(labels), roles=role_frame,
               tier_source=tier_source,
               sources=sources)


def _name(source: PathLike | pl.DataFrame, default: str) -> str:
    return default if isinstance(source, pl.DataFrame) else Path(source).name
