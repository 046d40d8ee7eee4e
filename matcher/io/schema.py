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
languages  List(String)     like list; each item a language code or name, stored as one code
                            per language (see :mod:`matcher.io.languages`)
number     Float64          finite, within ``minimum``/``maximum``
integer    Int64            whole number, within ``minimum``/``maximum``
boolean    Boolean          one of ``TRUE_WORDS`` or ``FALSE_WORDS``, case-insensitive
========== ================ ==========================================================

Values are trimmed first. An empty cell means "not stated": null for scalars, an empty list for
list kinds. A required column must be present and have a value in every row. A number may be
written with a decimal comma (``37,5``).

Column names are matched by :func:`column_key`: case, spaces, hyphens, underscores and dots do
not count, and ``æ ø å`` match ``ae oe aa`` (so ``Maks timer``, ``MAKS-TIMER`` and
``maks_timer`` are one name, and so are ``Jobbønsker`` and ``JOBBOENSKER``). Each column also
answers to the Norwegian, Danish and English names in its ``aliases``; :func:`alias_table`
lists them all.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

import polars as pl

__all__ = [
    "FALSE_WORDS",
    "FORM_WORDS",
    "LIST_SEPARATOR",
    "ROLE_SCHEMA",
    "SEEKER_SCHEMA",
    "TRUE_WORDS",
    "Column",
    "Kind",
    "Schema",
    "alias_table",
    "column_key",
    "joined_parts",
]

Kind = Literal["id", "text", "choice", "list", "languages", "number", "integer", "boolean"]

LIST_SEPARATOR = ";"
#: how hours a week are written after the number (``37,5 t``, ``20 timer i uka``, ``30 t/uge``)
HOUR_UNITS: tuple[str, ...] = (
    "t", "timer", "time", "tim", "h", "hours", "hrs", "t/uke", "t/u", "t/uge", "t/uka",
    "t/w", "timer/uke", "timer/uge", "timer i uka", "timer i uken", "timer i ugen",
    "timer per uke", "timer pr uke", "timer pr. uke", "timer om ugen", "timer pr uge",
    "timer pr. uge", "timer per uge", "t/wk", "h/week", "hours/week", "hours a week",
    "hours per week",
)
#: NAV's collaboration forms (``form``) in Norwegian and Danish: what the role form shows, and
#: what a file may say instead of the English value
FORM_WORDS: dict[str, dict[str, str]] = {
    "nb": {"grant": "tilskudd", "supplier": "leverandør", "employment": "ansettelse",
           "development": "utvikling"},
    "da": {"grant": "tilskud", "supplier": "leverandør", "employment": "ansættelse",
           "development": "udvikling"},
}
#: how people join several items of a closed vocabulary (languages, adaptations) in one, where
#: ';' was meant: ``,`` ``/`` ``&`` ``+`` and the words for "and" and "or"
_JOINS = re.compile(r"\s*(?:[,/&+]|\b(?:og|and|eller|or|samt)\b)\s*", re.IGNORECASE)


def joined_parts(item: str) -> list[str]:
    """The parts of an item that joins several (``norsk, engelsk``, ``deltid/fleksibel
    arbeidstid``, ``somali og arabisk``); ``[item]`` when it joins none.

    Only for vocabularies whose names hold none of the joins (languages, adaptations); a
    list of occupations is split with more care (:mod:`matcher.terms`).

    >>> joined_parts("deltid/fleksibel arbeidstid"), joined_parts("tagalog")
    (['deltid', 'fleksibel arbeidstid'], ['tagalog'])
    """
    return [part for part in _JOINS.split(item) if part.strip()] or [item]


# "x" is the mark of a ticked box in a spreadsheet; an empty cell is "not stated", never "no".
TRUE_WORDS: tuple[str, ...] = ("true", "yes", "1", "ja", "j", "y", "x")
FALSE_WORDS: tuple[str, ...] = ("false", "no", "0", "nei", "nej", "n")

RULE_MISSING_COLUMN = "required column is missing"
RULE_MISSING_VALUE = "must not be empty"
RULE_UNIQUE = "must be unique; first seen on line {first}"
RULE_PAIRED = "must be given together with '{other}'"
RULE_LANGUAGE = (
    "must be languages separated by ';': ISO 639 codes ('no', 'ar', 'prs') "
    "or names in Norwegian, Danish or English ('norsk', 'arabisk', 'dari')"
)
RULE_EMPTY_FILE = "has no data rows"
RULE_SAME_FIELD = "is the same column as '{other}' (both mean '{field}'); keep one of them"
RULE_NEAR_MISS = "is not a known column; did you mean {known}?"

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
        The values a ``choice`` column holds (lower-case), and accepts as written.
    units : tuple of str
        Units a ``number`` may be written with after it (``37,5 t``, ``30 km``), left out
        before it is read (lower-case).
    words : tuple of (str, str, str)
        Other words a ``choice`` column accepts for its values, as ``(language, word,
        value)``: what the value is called in Norwegian or Danish (``("nb", "tilskudd",
        "grant")``). Error messages in that language list them.
    aliases : tuple of str
        Other names the column answers to (Norwegian, Danish, English), matched like the name
        itself by :func:`column_key`.
    """

    name: str
    kind: Kind
    rule: str
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    allowed: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    words: tuple[tuple[str, str, str], ...] = ()

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


def column_key(name: str) -> str:
    """The form in which column names are compared.

    Examples
    --------
    >>> column_key(" Maks-timer "), column_key("MAKS_TIMER"), column_key("Jobbønsker")
    ('makstimer', 'makstimer', 'jobboensker')
    """
    # the Scandinavian transliteration, so that 'Ønsker' and 'OENSKER' meet; folding 'ø' to
    # 'o' would make the Danish 'løn' (wage) a 'lon' (longitude)
    folded = name.casefold().replace("ø", "oe").replace("æ", "ae").replace("å", "aa")
    folded = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in folded if ch.isalnum() and not unicodedata.combining(ch))


def _list(name: str, what: str, aliases: tuple[str, ...]) -> Column:
    return Column(name, "list", f"must be {what} separated by ';'", aliases=aliases)


_HOURS_RULE = "must be a number > 0 and <= 168"
_LAT = Column(
    "lat", "number", "must be a number in [-90, 90]", minimum=-90.0, maximum=90.0,
    aliases=("latitude", "breddegrad", "breddegrad_wgs84"),
)
_LON = Column(
    "lon", "number", "must be a number in [-180, 180]", minimum=-180.0, maximum=180.0,
    aliases=("lng", "long", "longitude", "lengdegrad", "længdegrad"),
)
# ASCII spellings (sprak, onsker) are listed too: exports often lose æ, ø and å
_LANGUAGES_ALIASES = (
    "språk", "sprak", "sprog", "language", "språkkunnskaper", "sprogkundskaber"
)

SEEKER_SCHEMA = Schema(
    name="seekers",
    id_column="seeker_id",
    columns=(
        Column(
            "seeker_id", "id", "must be a non-empty text, unique in the file", required=True,
            aliases=("id", "person_id", "kandidat_id", "deltaker_id", "løpenr", "personid",
                     "kandidatnr", "kandidat", "deltakernr", "deltager_id", "deltagernr",
                     "borger_id", "lopenr", "løpenummer", "løbenr", "lobenr", "løbenummer"),
        ),
        _list("experience", "past occupations",
              ("erfaring", "arbeidserfaring", "yrkeserfaring", "tidligere_yrker",
               "erhvervserfaring", "arbejdserfaring", "tidligere_job")),
        _list("skills", "skills",
              ("kompetanse", "ferdigheter", "kompetencer", "færdigheder", "kvalifikasjoner",
               "kvalifikationer")),
        _list("wishes", "occupations wanted",
              ("ønsker", "onsker", "jobbønsker", "jobbonsker", "jobbønske", "yrkesønsker",
               "ønsket_yrke", "jobønsker", "jobonsker", "jobønske", "ønskejob", "ønskejobb")),
        Column("languages", "languages", RULE_LANGUAGE, aliases=_LANGUAGES_ALIASES),
        _list("needs", "adaptations needed",
              ("behov", "tilrettelegging", "tilretteleggingsbehov", "behov_for_tilrettelegging",
               "hensyn", "skånehensyn", "skanehensyn", "særlige_behov")),
        Column(
            "hours_max", "number", _HOURS_RULE, minimum=0.0, maximum=168.0, exclusive_minimum=True,
            aliases=("maks_timer", "timer", "max_timer", "maks_timer_per_uke", "timer_per_uke",
                     "arbeidstimer", "timer_om_ugen", "max_hours", "hours"),
            units=HOUR_UNITS,
        ),
        _LAT,
        _LON,
        Column(
            "max_distance_km", "number", "must be a number > 0", minimum=0.0,
            exclusive_minimum=True, units=("km",),
            aliases=("maks_avstand_km", "maks_avstand", "reiseavstand_km", "reiseavstand",
                     "maks_afstand_km", "maks_afstand", "max_afstand_km", "transporttid_km",
                     "max_distance"),
        ),
        Column("tier", "text", "must be text",
               aliases=("innsatsgruppe", "innsats", "indsatsgruppe", "matchgruppe",
                        "målgruppe", "visitationskategori", "visitation")),
        Column("employability", "number", "must be a number in [0, 1]", minimum=0.0, maximum=1.0,
               aliases=("ansettbarhet", "beskæftigelsesegnethed", "jobbsannsynlighet",
                        "jobsandsynlighed")),
    ),
    pairs=(("lat", "lon"),),
)

ROLE_SCHEMA = Schema(
    name="roles",
    id_column="role_id",
    columns=(
        Column(
            "role_id", "id", "must be a non-empty text, unique in the file", required=True,
            aliases=("id", "stilling_id", "stillingsnr", "rolle_id", "job_id", "stillingsid",
                     "stillingsnummer", "annonse_id", "jobid", "opslag_id", "løpenr", "lopenr",
                     "løpenummer", "løbenr", "lobenr", "løbenummer"),
        ),
        Column("enterprise", "text", "must be text", required=True,
               aliases=("virksomhet", "bedrift", "arbeidsgiver", "foretak", "virksomhed",
                        "arbejdsgiver", "firma", "employer", "company")),
        Column("title", "text", "must be text",
               aliases=("tittel", "stillingstittel", "titel", "jobtitel", "stillingsbetegnelse",
                        "job_title")),
        Column("occupation", "text", "must be text",
               aliases=("yrke", "yrkeskode", "styrk", "styrk08", "styrk_08", "styrk_kode",
                        "erhverv", "fag", "isco", "disco")),
        _list("skills_required", "skills",
              ("krav", "kompetansekrav", "ferdighetskrav", "kvalifikasjonskrav",
               "krævede_kompetencer", "kompetencekrav", "kvalifikationskrav",
               "required_skills")),
        _list("skills_trained", "skills",
              ("opplæring", "opplaring", "opplæring_i", "lærer_opp", "oplæring", "oplaring",
               "oplæring_i",
               "trained_skills", "skills_taught")),
        Column("slots", "integer", "must be an integer >= 0", required=True, minimum=0.0,
               aliases=("stillinger", "plasser", "antall", "antall_plasser", "antall_stillinger",
                        "antal", "pladser", "antal_pladser", "antal_stillinger", "places",
                        "capacity", "kapasitet", "kapacitet"),
               units=("stk", "plasser", "plass", "pladser", "plads", "stillinger", "stilling",
                      "places", "place")),
        Column("hours", "number", _HOURS_RULE, minimum=0.0, maximum=168.0, exclusive_minimum=True,
               aliases=("timer", "arbeidstid", "timer_per_uke", "ukentlige_timer", "arbejdstid",
                        "timer_om_ugen", "ugentlige_timer"),
               units=HOUR_UNITS),
        _LAT,
        _LON,
        Column("languages", "languages", RULE_LANGUAGE,
               aliases=(*_LANGUAGES_ALIASES, "språkkrav", "sprakkrav", "sprogkrav")),
        _list("offers", "adaptations offered",
              ("tilbyr", "tilrettelegging", "tilpasninger", "tilbyder", "tilpasning",
               "skånehensyn", "skanehensyn", "hensyn", "adaptations")),
        Column(
            "permanent",
            "boolean",
            "must be one of ja/nei, yes/no, true/false, 1/0, j/n, x (yes) or empty (not stated)",
            allowed=TRUE_WORDS + FALSE_WORDS,
            aliases=("fast", "fast_stilling", "fast_ansettelse", "fastansettelse",
                     "fast_ansættelse", "fastansættelse", "fast_job"),
        ),
        Column(
            "form",
            "choice",
            "must be one of grant, supplier, employment, development",
            allowed=("grant", "supplier", "employment", "development"),
            aliases=("samarbeidsform", "samarbejdsform", "avtaleform"),
            words=tuple((lang, word, value) for lang, table in FORM_WORDS.items()
                        for value, word in table.items()),
        ),
    ),
    pairs=(("lat", "lon"),),
)


def alias_table(schema: Schema) -> list[tuple[str, tuple[str, ...]]]:
    """Each column's name and the other names it answers to, in the schema's order.

    Examples
    --------
    >>> dict(alias_table(ROLE_SCHEMA))["slots"][:3]
    ('stillinger', 'plasser', 'antall')
    """
    return [(c.name, c.aliases) for c in schema.columns]
