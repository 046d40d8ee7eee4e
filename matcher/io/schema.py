"""The declared input schemas: what a seekers or roles table may hold, as data.

Each :class:`Column` states its name, its kind (how a cell is parsed), whether the column must be
present, the rule a value must follow (the text an error message quotes) and, where it applies,
the allowed range or words. :mod:`matcher.io.read` checks a table against one :class:`Schema` and
nothing else, so changing a rule here changes both the check and its message.

Kinds and the typed column each gives:

========== ================ ==========================================================
kind       dtype            cell
========== ================ ==========================================================
id         String           non-empty, unique, kept verbatim (``'007'`` stays ``'007'``)
text       String           any text; empty means not stated (null)
choice     String           one of ``allowed``, case-insensitive, stored lower-case
list       List(String)     ``;``-separated items (or a real list); empty means ``[]``
languages  List(String)     like list, items lower-cased ISO 639-1 codes
number     Float64          finite, within ``minimum``/``maximum``
integer    Int64            whole number, within ``minimum``/``maximum``
boolean    Boolean          one of ``TRUE_WORDS`` or ``FALSE_WORDS``, case-insensitive
========== ================ ==========================================================

Values are trimmed first. An empty cell means "not stated": null for scalars, an empty list for
list kinds. A required column must be present and have a value in every row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import polars as pl

__all__ = [
    "FALSE_WORDS",
    "LIST_SEPARATOR",
    "ROLE_SCHEMA",
    "SEEKER_SCHEMA",
    "TRUE_WORDS",
    "Column",
    "Kind",
    "Schema",
]

Kind = Literal["id", "text", "choice", "list", "languages", "number", "integer", "boolean"]

LIST_SEPARATOR = ";"
TRUE_WORDS: tuple[str, ...] = ("true", "yes", "1", "ja")
FALSE_WORDS: tuple[str, ...] = ("false", "no", "0", "nei")

RULE_MISSING_COLUMN = "required column is missing"
RULE_MISSING_VALUE = "must not be empty"
RULE_UNIQUE = "must be unique; first seen in row {first}"
RULE_PAIRED = "must be given together with '{other}'"
RULE_LANGUAGE = "must be a known ISO 639-1 language code (e.g. 'en', 'no')"
RULE_EMPTY_FILE = "has no data rows"

_DTYPES: dict[str, pl.DataType] = {
    "id": pl.String(),
    "text": pl.String(),
    "choice": pl.String(),
    "list": pl.List(pl.String()),
    "languages": pl.List(pl.String()),
    "number": pl.Float64(),
    "integer": pl.Int64(),
    "boolean": pl.Boolean(),
}


@dataclass(frozen=True, slots=True)
class Column:
    """One declared column.

    Attributes
    ----------
    name : str
    kind : Kind
        How a cell is parsed; decides the typed dtype (see the module docstring).
    rule : str
        What a value must be, phrased to follow the column name in an error message.
    required : bool
        The column must be present and every row must have a value.
    minimum, maximum : float or None
        Bounds of a number or integer; ``None`` for no bound.
    exclusive_minimum : bool
        ``minimum`` itself is not allowed (``> 0`` rather than ``>= 0``).
    allowed : tuple of str
        The words a ``choice`` column accepts (lower-case).
    """

    name: str
    kind: Kind
    rule: str
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    allowed: tuple[str, ...] = ()

    @property
    def dtype(self) -> pl.DataType:
        """The dtype of this column in a typed frame."""
        return _DTYPES[self.kind]


@dataclass(frozen=True, slots=True)
class Schema:
    """A table's declared columns.

    Attributes
    ----------
    name : str
        ``'seekers'`` or ``'roles'``.
    id_column : str
        The column whose values must be unique.
    columns : tuple of Column
        In the order of the typed frame.
    pairs : tuple of (str, str)
        Columns that must be given together or left empty together (``lat``/``lon``).
    """

    name: str
    id_column: str
    columns: tuple[Column, ...]
    pairs: tuple[tuple[str, str], ...] = ()

    @property
    def names(self) -> list[str]:
        """The declared column names, in order."""
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        """The names of the required columns."""
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        """The declared column called ``name``."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def polars_schema(self) -> pl.Schema:
        """The typed frame's schema, ``_row`` included."""
        return pl.Schema([(c.name, c.dtype) for c in self.columns] + [("_row", pl.Int64())])


def _list(name: str, what: str) -> Column:
    return Column(name, "list", f"must be {what} separated by ';'")


_HOURS_RULE = "must be a number > 0 and <= 168"
_LAT = Column("lat", "number", "must be a number in [-90, 90]", minimum=-90.0, maximum=90.0)
_LON = Column("lon", "number", "must be a number in [-180, 180]", minimum=-180.0, maximum=180.0)
_LANGUAGES = Column("languages", "languages", RULE_LANGUAGE)

SEEKER_SCHEMA = Schema(
    name="seekers",
    id_column="seeker_id",
    columns=(
        Column("seeker_id", "id", "must be a non-empty text, unique in the file", required=True),
        _list("experience", "past occupations"),
        _list("skills", "skills"),
        _list("wishes", "occupations wanted"),
        _LANGUAGES,
        _list("needs", "adaptations needed"),
        Column(
            "hours_max", "number", _HOURS_RULE, minimum=0.0, maximum=168.0, exclusive_minimum=True
        ),
        _LAT,
        _LON,
        Column(
            "max_distance_km", "number", "must be a number > 0", minimum=0.0, exclusive_minimum=True
        ),
        Column("tier", "text", "must be text"),
        Column("employability", "number", "must be a number in [0, 1]", minimum=0.0, maximum=1.0),
    ),
    pairs=(("lat", "lon"),),
)

ROLE_SCHEMA = Schema(
    name="roles",
    id_column="role_id",
    columns=(
        Column("role_id", "id", "must be a non-empty text, unique in the file", required=True),
        Column("enterprise", "text", "must be text", required=True),
        Column("title", "text", "must be text"),
        Column("occupation", "text", "must be text"),
        _list("skills_required", "skills"),
        _list("skills_trained", "skills"),
        Column("slots", "integer", "must be an integer >= 1", required=True, minimum=1.0),
        Column("hours", "number", _HOURS_RULE, minimum=0.0, maximum=168.0, exclusive_minimum=True),
        _LAT,
        _LON,
        _LANGUAGES,
        _list("offers", "adaptations offered"),
        Column(
            "permanent",
            "boolean",
            "must be one of true/false, yes/no, 1/0, ja/nei",
            allowed=TRUE_WORDS + FALSE_WORDS,
        ),
        Column(
            "form",
            "choice",
            "must be one of grant, supplier, employment, development",
            allowed=("grant", "supplier", "employment", "development"),
        ),
    ),
    pairs=(("lat", "lon"),),
)
