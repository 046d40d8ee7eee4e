"""The engine's output tables as people read them.

MATCHES, ALTS and the warnings have English column names (:data:`MATCHES_COLUMNS`,
:data:`ALTS_COLUMNS`, :data:`WARNINGS_COLUMNS`). In a CSV, Parquet or JSON file they keep them in
every language: those files are a data contract that scripts read. A workbook
(``--out matches.xlsx``) is read by people, so a run in Norwegian or Danish names its sheets and
its headers in that language (:func:`sheet_name`, :func:`localise_headers`), in the words the
report uses for the same columns (the report takes them from :data:`HEADERS`).

Whatever reads the engine's outputs back (``matcher report``, ``matcher audit``) takes the
headers of any language (:func:`canonical_columns`) and finds a sheet by its name in any language
(:func:`sheet_kind`).
"""

from __future__ import annotations

import polars as pl

__all__ = [
    "ALTS_COLUMNS",
    "HEADERS",
    "MATCHES_COLUMNS",
    "SHEETS",
    "WARNINGS_COLUMNS",
    "canonical_columns",
    "localise_headers",
    "sheet_kind",
    "sheet_name",
]

MATCHES_COLUMNS = ("seeker_id", "role_id", "score", "reason")
"""The columns of MATCHES, in order."""
ALTS_COLUMNS = ("seeker_id", "role_id", "rank", "score", "skill_fit", "transfer_fit", "wish_fit",
                "permanent", "assigned")
"""The columns of ALTS, in order."""
WARNINGS_COLUMNS = ("file", "line", "column", "rule", "value")
"""The columns of the warnings file, in order."""

HEADERS: dict[str, dict[str, str]] = {
    "nb": {
        "seeker_id": "Arbeidssøker",
        "role_id": "Stilling",
        "score": "Samsvar",
        "reason": "Begrunnelse",
        "rank": "Nr.",
        "skill_fit": "Ferdigheter",
        "transfer_fit": "Erfaring",
        "wish_fit": "Ønsker",
        "permanent": "Fast stilling",
        "assigned": "Foreslått",
        "file": "Fil",
        "line": "Linje",
        "column": "Kolonne",
        "rule": "Problem",
        "value": "Verdi",
    },
    "da": {
        "seeker_id": "Jobsøger",
        "role_id": "Stilling",
        "score": "Matchscore",
        "reason": "Begrundelse",
        "rank": "Nr.",
        "skill_fit": "Kompetencer",
        "transfer_fit": "Erfaring",
        "wish_fit": "Ønsker",
        "permanent": "Fast ansættelse",
        "assigned": "Foreslået",
        "file": "Fil",
        "line": "Linje",
        "column": "Kolonne",
        "rule": "Problem",
        "value": "Værdi",
    },
}
"""A workbook's header for each output column, by language (English keeps the column names)."""

SHEETS: dict[str, dict[str, str]] = {
    "en": {"matches": "matches", "alternatives": "alternatives", "warnings": "warnings"},
    "nb": {"matches": "Forslag", "alternatives": "Alternativer", "warnings": "Varsler"},
    "da": {"matches": "Forslag", "alternatives": "Alternativer", "warnings": "Advarsler"},
}
"""A workbook's sheet for each output (``matches``, ``alternatives``, ``warnings``), by language."""

_CANONICAL = {header.casefold(): column
              for table in [{c: c for c in (*ALTS_COLUMNS, *MATCHES_COLUMNS, *WARNINGS_COLUMNS)},
                            *HEADERS.values()]
              for column, header in table.items()}
_KINDS = {name.casefold(): kind for table in SHEETS.values() for kind, name in table.items()}


def sheet_name(kind: str, lang: str) -> str:
    """The name of output ``kind``'s sheet in a workbook of language ``lang``.

    >>> sheet_name("warnings", "nb"), sheet_name("warnings", "en")
    ('Varsler', 'warnings')
    """
    return SHEETS.get(lang, SHEETS["en"])[kind]


def sheet_kind(name: str) -> str | None:
    """Which output a sheet holds, by its name in any language (``None``: not one of them).

    >>> sheet_kind("Varsler"), sheet_kind("advarsler"), sheet_kind("Ark1")
    ('warnings', 'warnings', None)
    """
    return _KINDS.get(name.strip().casefold())


def localise_headers(frame: pl.DataFrame, lang: str) -> pl.DataFrame:
    """``frame`` with its output columns named as a workbook in ``lang`` names them.

    >>> localise_headers(pl.DataFrame({"seeker_id": ["A-1"], "score": [0.5]}), "nb").columns
    ['Arbeidssøker', 'Samsvar']
    """
    table = HEADERS.get(lang, {})
    return frame.rename({c: table[c] for c in frame.columns if c in table})


def canonical_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with the headers a workbook of any language gave its output columns named by
    the columns again (regardless of case and surrounding spaces). A header whose column the
    frame also has by its own name is left as it is.

    >>> canonical_columns(pl.DataFrame({"Arbeidssøker": ["A-1"], "begrundelse": ["..."]})).columns
    ['seeker_id', 'reason']
    """
    renames: dict[str, str] = {}
    for c in frame.columns:
        column = _CANONICAL.get(c.strip().casefold())
        if column is not None and column not in frame.columns and column not in renames.values():
            renames[c] = column
    return frame.rename(renames)
