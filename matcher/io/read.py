"""Read a seekers or roles table and check it against its declared schema.

Two steps, kept apart so a caller can validate a frame it built itself:

- :func:`read_source` (or :func:`read_table`, which returns only the frame and its name) turns
  a file or a polars frame into a *raw* frame. CSV (``,`` ``;`` or tab, UTF-8 with or without a
  BOM, or Windows-1252; see :mod:`matcher.io.delimited`) and Excel sheets are read with every
  column as text, so ``'007'`` stays ``'007'`` and a bad number reaches validation verbatim.
- :func:`validate_table` (or :func:`validate_seekers` / :func:`validate_roles`, which return
  only the typed frame) maps the header onto :data:`~matcher.io.schema.SEEKER_SCHEMA` /
  :data:`~matcher.io.schema.ROLE_SCHEMA` (:mod:`matcher.io.columns`), checks every cell and
  returns the typed frame. Every problem of the file is collected and raised together in one
  :class:`~matcher.errors.InputError`.

Validation is vectorised: each cell is parsed with a non-strict polars cast, and a problem is a
row where the input was stated but the parse gave null (or a value out of range). No Python loop
runs over the cells of a valid table, so 300,000 rows take about a second.

Columns that the schema does not declare are left out of the typed frame and listed by name
(:attr:`Table.ignored`): they may hold names or other personal data, and their values never
appear in a message.

Line numbers are those a spreadsheet shows: the header is line 1, the first record line 2 (CSV,
Excel, Parquet, frames). JSON and NDJSON have no header: there line N is the N-th record.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

from matcher.errors import InputError, Problem
from matcher.io.columns import match_columns
from matcher.io.database import is_database_url, read_open_roles, redact_url
from matcher.io.delimited import decode, excel_separator_line, first_ragged_record, sniff_delimiter
from matcher.io.languages import canonical_language
from matcher.io.schema import (
    FALSE_WORDS,
    LIST_SEPARATOR,
    ROLE_SCHEMA,
    RULE_EMPTY_FILE,
    RULE_MISSING_COLUMN,
    RULE_MISSING_VALUE,
    RULE_PAIRED,
    RULE_UNIQUE,
    SEEKER_SCHEMA,
    TRUE_WORDS,
    Column,
    Schema,
    column_key,
    joined_parts,
)

__all__ = [
    "EXCEL_EXTENSIONS",
    "READ_EXTENSIONS",
    "RawTable",
    "Table",
    "decimal_number",
    "read_source",
    "read_table",
    "sheet_names",
    "validate_roles",
    "validate_seekers",
    "validate_table",
]

Source = str | os.PathLike[str] | pl.DataFrame
T = TypeVar("T", pl.Expr, pl.Series)

EXCEL_EXTENSIONS: tuple[str, ...] = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
READ_EXTENSIONS: tuple[str, ...] = (
    ".csv", ".txt", ".tsv", ".parquet", ".json", ".jsonl", ".ndjson", *EXCEL_EXTENSIONS
)
FRAME_NAME = "input"

RULE_EXTENSION = (
    "must be a .csv, .tsv, .txt, .xlsx, .xlsm, .xlsb, .xls, .ods, .parquet, .json, .jsonl or "
    ".ndjson file"
)
RULE_JSON_ARRAY = "must be a JSON array of objects"
RULE_JSON_OBJECT = "must be a JSON object"
RULE_ENCODING = "is not UTF-8; it was read as Windows-1252 (check that æ, ø and å look right)"
RULE_NOT_TEXT = "cannot be read: it is neither UTF-8 nor Windows-1252 text"
RULE_RAGGED = "has {cells} cells where the header has {header}"
RULE_RAGGED_COMMA = (
    "; in a comma-separated file a decimal comma must be inside quotes (\"37,5\"), "
    "or save the file with ';' between cells"
)
RULE_NO_SHEET = "has no sheet called '{sheet}'; its sheets are {sheets}"
RULE_REPEATED = "is in the header twice; keep one of them"
RULE_HEADER_BELOW = ("has its header on line {line}: the lines above it (a title) were left "
                     "out")
RULE_EXCEL_ERROR = "is the error of a formula in Excel: correct the formula, or type the value"

#: Excel's error values as an .xlsx stores them, and as Norwegian and Danish Excel write them
#: into a CSV file (#I/T is #N/A, #VERDI!/#VÆRDI! is #VALUE!, ...). A cell that holds one of
#: them is an error wherever the column is used: read as text it would be an id, an unknown
#: language or a term, and read as nothing it would drop a constraint without a word.
EXCEL_ERRORS = frozenset({
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
    "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#UNKNOWN!", "#BUSY!",
    "#I/T", "#VERDI!", "#NAVN?", "#VÆRDI!", "#REFERENCE!", "#DIVISION/0!", "#NUL!",
})
#: calamine's names of the error kinds (fastexcel's ``CellError.detail``), as Excel shows them
_CALAMINE_ERRORS = {"Null": "#NULL!", "Div0": "#DIV/0!", "Value": "#VALUE!", "Ref": "#REF!",
                    "Name": "#NAME?", "Num": "#NUM!", "NA": "#N/A",
                    "GettingData": "#GETTING_DATA"}

# Integers beyond 2**53 do not survive the float parse exactly; no slot count comes near.
_MAX_EXACT_INTEGER = float(2**53)
# Joins the items of a JSON list while a frame is built; never found in real text.
_ITEM_JOIN = "\x1f"
_EMPTY_LIST = pl.lit([], dtype=pl.List(pl.String()))
_UNNAMED = re.compile(r"__UNNAMED__[0-9]+")
_DUPLICATED = re.compile(r"(.+)_duplicated_[0-9]+")
_KNOWN_KEYS = frozenset(
    column_key(written)
    for schema in (SEEKER_SCHEMA, ROLE_SCHEMA)
    for column in schema.columns
    for written in (column.name, *column.aliases)
)


@dataclass(frozen=True, slots=True)
class RawTable:
    """A table as read, before validation.

    Attributes
    ----------
    frame : polars.DataFrame
        Text columns for CSV, Excel and JSON; Parquet and frames keep their dtypes.
    name : str
        The name used in messages: the file name (``roles.xlsx#Ark2`` for a named sheet), or
        the name given for a frame.
    first_line : int
        The line number of the first record when the frame has no ``_row`` column: 2, below
        a header row. JSON and NDJSON frames carry ``_row`` (the record number) instead.
    warnings : tuple of Problem
        Doubts about the file as a whole, e.g. the encoding it was read in.
    sha256 : str or None
        The digest of the file's bytes; ``None`` for a frame.
    other_sheets : tuple of str
        For a workbook read without naming a sheet, its sheets after the first: a missing
        column's problem names them, as the data may be on one of them.
    """

    frame: pl.DataFrame
    name: str
    first_line: int = 2
    warnings: tuple[Problem, ...] = ()
    sha256: str | None = None
    other_sheets: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Table:
    """A validated table.

    Attributes
    ----------
    frame : polars.DataFrame
        The typed frame (see :func:`validate_seekers` / :func:`validate_roles`).
    name : str
    ignored : tuple of str
        The input's columns that name no declared column (names only), in the file's order.
    headers : dict of str to str
        Declared column -> the header as the file wrote it (``'slots'`` -> ``'Plasser'``).
    warnings : tuple of Problem
        The read warnings of the file.
    """

    frame: pl.DataFrame
    name: str
    ignored: tuple[str, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    warnings: tuple[Problem, ...] = ()

    def as_written(self, problems: Sequence[Problem]) -> list[Problem]:
        """``problems`` of this file with each column named as the file's header names it."""
        return [
            dataclasses.replace(p, column=self.headers[p.column])
            if p.file == self.name and p.column in self.headers
            else p
            for p in problems
        ]


# --------------------------------------------------------------------------------------------
# reading


def read_table(source: Source, *, name: str | None = None) -> tuple[pl.DataFrame, str]:
    """Read a table into a raw frame: :func:`read_source` without its warnings.

    Examples
    --------
    >>> import polars as pl
    >>> frame, name = read_table(pl.DataFrame({"seeker_id": ["007"]}), name="seekers")
    >>> name, frame["seeker_id"].to_list()
    ('seekers', ['007'])
    """
    raw = read_source(source, name=name)
    return raw.frame, raw.name


def read_source(source: Source, *, name: str | None = None) -> RawTable:
    """Read a table into a raw frame.

    Parameters
    ----------
    source : path or polars.DataFrame
        A file (the extension decides, case-insensitive): ``.csv`` / ``.tsv`` / ``.txt``
        (delimiter and encoding found from the file), ``.xlsx`` / ``.xlsm`` / ``.xlsb`` /
        ``.xls`` / ``.ods`` (the first sheet, or the sheet named after ``#``:
        ``roles.xlsx#Ark2``), ``.parquet``, ``.json`` (an array of objects), ``.jsonl`` or
        ``.ndjson``; or a frame, taken as it is; or the role posting service's database URL
        (``sqlite:///FILE``, ``postgresql://...``): its open roles, read-only
        (:mod:`matcher.io.database`).
    name : str, optional
        The name used in messages. Default: the file's name, or ``'input'`` for a frame.

    Returns
    -------
    RawTable

    Raises
    ------
    InputError
        The file is missing, unreadable, not parseable, has an unknown extension, no such
        sheet, or no data rows.
    """
    if isinstance(source, pl.DataFrame):
        display = name if name is not None else FRAME_NAME
        raw = RawTable(frame=source, name=display)
    elif isinstance(source, str) and is_database_url(source):
        display = name if name is not None else redact_url(source)
        raw = RawTable(frame=read_open_roles(source), name=display)
    else:
        path, sheet = _split_sheet(source)
        display = name if name is not None else path.name + (f"#{sheet}" if sheet else "")
        suffix = path.suffix.lower()
        reader = _READERS.get(suffix)
        if reader is None or (sheet is not None and suffix not in EXCEL_EXTENSIONS):
            raise InputError([_file_problem(display, RULE_EXTENSION, path.suffix or None,
                                            code="file_type")])
        try:
            data = path.read_bytes()
        except OSError as exc:
            reason = _os_reason(exc)
            raise InputError(
                [_file_problem(display, f"cannot be read: {reason}",
                               code=_OS_CODES.get(type(exc), "unreadable"),
                               params=(("reason", reason),))]
            ) from exc
        frame, warnings = reader(data, display, sheet)
        others = (_sheet_names(data) or [])[1:] if suffix in EXCEL_EXTENSIONS and not sheet else []
        raw = RawTable(
            frame=frame,
            name=display,
            warnings=tuple(warnings),
            sha256=hashlib.sha256(data).hexdigest(),
            other_sheets=tuple(others),
        )
    if raw.frame.height == 0:
        raise InputError([_empty(raw.name, raw.other_sheets)])
    return raw


def _empty(name: str, other_sheets: Sequence[str] = ()) -> Problem:
    """A table without data rows; for a workbook read from its first sheet, its other sheets
    (the data may be on one of them)."""
    if not other_sheets:
        return _file_problem(name, RULE_EMPTY_FILE, code="empty_file")
    example = f"{name}#{other_sheets[0]}"
    return _file_problem(
        name, f"{RULE_EMPTY_FILE}{_rule_other_sheets(other_sheets, example)}",
        code="empty_file", params=(("sheets", tuple(other_sheets)), ("example", example)))


def _rule_other_sheets(other_sheets: Sequence[str], example: str) -> str:
    return (f"; the workbook has other sheets ({', '.join(repr(s) for s in other_sheets)}): "
            f"name one after '#', as in '{example}'")


def _split_sheet(source: str | os.PathLike[str]) -> tuple[Path, str | None]:
    """``book.xlsx#Ark2`` -> (book.xlsx, 'Ark2'), unless a file is really called that."""
    text = os.fspath(source)
    if "#" in text and not os.path.exists(text):
        base, sheet = text.rsplit("#", 1)
        if Path(base).suffix.lower() in EXCEL_EXTENSIONS and sheet:
            return Path(base), sheet
    return Path(text), None


def _file_problem(file: str, rule: str, value: str | None = None, *, code: str | None = None,
                  params: tuple[tuple[str, Any], ...] = ()) -> Problem:
    return Problem(file=file, line=None, column=None, rule=rule, value=value, code=code,
                   params=params)


#: the code of a file that cannot be opened, by the kind of OS error (others: "unreadable")
_OS_CODES: dict[type[OSError], str] = {
    FileNotFoundError: "not_found", PermissionError: "no_permission",
    IsADirectoryError: "is_folder",
}


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "file not found"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, IsADirectoryError):
        return "it is a folder"
    return exc.strerror or type(exc).__name__


Read = tuple[pl.DataFrame, list[Problem]]


def _read_csv(data: bytes, display: str, sheet: str | None) -> Read:
    try:
        text, encoding = decode(data)
    except UnicodeDecodeError as exc:
        raise InputError([_file_problem(display, RULE_NOT_TEXT, code="not_text")]) from exc
    warnings = []
    if encoding == "Windows-1252":
        warnings.append(
            Problem(file=display, line=None, column=None, rule=RULE_ENCODING, level="warning",
                    code="encoding")
        )
    if not text.strip():
        return pl.DataFrame(), warnings
    delimiter = excel_separator_line(text)
    if delimiter is not None:
        text = text.split("\n", 1)[1] if "\n" in text else ""
    else:
        delimiter = sniff_delimiter(text, lambda cell: column_key(cell) in _KNOWN_KEYS)
    try:
        frame = pl.read_csv(text.encode("utf-8"), separator=delimiter, infer_schema=False)
    except pl.exceptions.PolarsError as exc:
        # polars' message may quote cell contents; only what is wrong is passed on.
        ragged = first_ragged_record(text, delimiter)
        if ragged is not None:
            line, cells, header = ragged
            rule = RULE_RAGGED.format(cells=cells, header=header)
            if delimiter == ",":
                rule += RULE_RAGGED_COMMA
            raise InputError([Problem(
                file=display, line=line, column=None, rule=rule, code="ragged",
                params=(("cells", cells), ("header", header), ("comma", delimiter == ",")),
            )]) from exc
        raise InputError([_file_problem(display, "cannot be parsed as CSV",
                                        code="not_csv")]) from exc
    return frame, warnings


def _read_excel(data: bytes, display: str, sheet: str | None) -> Read:
    try:
        frame = _excel_frame(data, sheet)
    except Exception as exc:  # the engine's own error kinds; its text may quote cells
        if sheet is not None:
            sheets = _sheet_names(data)
            if sheets is not None and sheet not in sheets:
                listed = ", ".join(f"'{s}'" for s in sheets)
                rule = RULE_NO_SHEET.format(sheet=sheet, sheets=listed)
                raise InputError([_file_problem(
                    display, rule, code="no_sheet",
                    params=(("sheet", sheet), ("sheets", tuple(sheets))),
                )]) from exc
        raise InputError([_file_problem(display, "cannot be read as a spreadsheet",
                                        code="not_excel")]) from exc
    return _header_below(frame, display)


def _excel_frame(data: bytes, sheet: str | None) -> pl.DataFrame:
    """The sheet (the first by default) with every cell as text, as ``polars.read_excel`` reads
    it (through the same engine, fastexcel), except that a cell holding an error of a formula
    (``#N/A``, ``#DIV/0!``) holds that error's text, as Excel's own CSV export writes it, where
    polars would give an empty cell."""
    import fastexcel  # polars' own engine for read_excel

    rows, errors = (fastexcel.read_excel(data).load_sheet(0 if sheet is None else sheet,
                                                          dtypes="string")
                    .to_arrow_with_errors())
    frame = pl.DataFrame(rows)
    if frame.is_empty():
        frame = frame.cast({pl.Null: pl.String})
    cells: dict[int, dict[int, str]] = {}
    for error in errors.errors if errors is not None else ():
        row, col = error.offset_position
        kind = re.search(r"Error\((\w+)\)", error.detail)
        if row >= 0 and kind is not None:
            cells.setdefault(col, {})[row] = _CALAMINE_ERRORS.get(kind[1], f"#{kind[1]}")
    for col, values in cells.items():
        name = frame.columns[col]
        column = frame.get_column(name).cast(pl.String).to_list()
        for row, text in values.items():
            column[row] = text
        frame = frame.with_columns(pl.Series(name, column, dtype=pl.String))
    return frame


#: rows under the first searched for the header when the first names no known column
_HEADER_SEARCH = 10


def _header_below(frame: pl.DataFrame, display: str) -> Read:
    """A sheet whose first row is a title (``Arbeidssøkere, uttrekk 01.12``) and whose header
    is further down: the first of the next rows that names at least two known columns becomes
    the header, the rows above it are left out with a warning, and the rows keep the lines
    the spreadsheet shows (``_row``). A first row that names a known column is the header."""
    if any(column_key(c) in _KNOWN_KEYS for c in frame.columns) or frame.height < 2:
        return frame, []
    top = frame.head(_HEADER_SEARCH).rows()
    for k, row in enumerate(top):
        if sum(column_key(str(v)) in _KNOWN_KEYS for v in row if v is not None) < 2:
            continue
        names = [str(v).strip() if v is not None and str(v).strip() else f"__UNNAMED__{j}"
                 for j, v in enumerate(row)]
        body = frame.slice(k + 1)
        body.columns = [f"\0{j}" for j in range(body.width)]  # names may repeat: renamed below
        body = body.rename(dict(zip(body.columns, _deduplicated(names), strict=True)))
        line = k + 2  # the header's line; the title's is 1
        body = body.with_columns(_row=pl.int_range(line + 1, line + 1 + body.height,
                                                   dtype=pl.Int64))
        warning = Problem(file=display, line=None, column=None, rule=RULE_HEADER_BELOW.format(
            line=line), level="warning", code="header_below", params=(("line", line),))
        return body, [warning]
    return frame, []


def _deduplicated(names: list[str]) -> list[str]:
    """Names as polars' readers give a header written twice: ``name``, ``name_duplicated_0``."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        if name in seen:
            out.append(f"{name}_duplicated_{seen[name]}")
            seen[name] += 1
        else:
            out.append(name)
            seen[name] = 0
    return out


def sheet_names(path: str | os.PathLike[str]) -> list[str]:
    """The sheets of a workbook, in order; ``[]`` for a file that is not one (or unreadable)."""
    if Path(path).suffix.lower() not in EXCEL_EXTENSIONS:
        return []
    try:
        data = Path(path).read_bytes()
    except OSError:
        return []
    return _sheet_names(data) or []


def _sheet_names(data: bytes) -> list[str] | None:
    import fastexcel  # polars' own engine for read_excel

    try:
        return list(fastexcel.read_excel(data).sheet_names)
    except Exception:
        return None


def _read_parquet(data: bytes, display: str, sheet: str | None) -> Read:
    try:
        return pl.read_parquet(io.BytesIO(data)), []
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputError([_file_problem(display, "cannot be parsed as Parquet")]) from exc


def _read_json(data: bytes, display: str, sheet: str | None) -> Read:
    try:
        records = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(
            [_file_problem(display, f"cannot be parsed as JSON: {_json_reason(exc)}")]
        ) from exc
    if not isinstance(records, list):
        raise InputError([_file_problem(display, RULE_JSON_ARRAY, code="json_array")])
    return _frame_from_records(records, display), []


def _read_ndjson(data: bytes, display: str, sheet: str | None) -> Read:
    records: list[Any] = []
    try:
        text = data.decode("utf-8-sig")
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise InputError(
                        [
                            _file_problem(
                                display, f"cannot be parsed as JSON: line {number}: {exc.msg}"
                            )
                        ]
                    ) from exc
    except UnicodeDecodeError as exc:
        raise InputError([_file_problem(display, "cannot be parsed as JSON: not UTF-8")]) from exc
    return _frame_from_records(records, display), []


def _json_reason(exc: json.JSONDecodeError | UnicodeDecodeError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    return "not UTF-8"


_READERS: dict[str, Callable[[bytes, str, str | None], Read]] = {
    ".csv": _read_csv,
    ".tsv": _read_csv,
    ".txt": _read_csv,
    **dict.fromkeys(EXCEL_EXTENSIONS, _read_excel),
    ".parquet": _read_parquet,
    ".json": _read_json,
    ".jsonl": _read_ndjson,
    ".ndjson": _read_ndjson,
}


def _frame_from_records(records: Sequence[Any], display: str) -> pl.DataFrame:
    """Records (dicts) to a frame of text columns; a column holding any list becomes a list column.

    JSON values are turned into text the way a CSV would hold them, so that one validation path
    serves every format and a bad value is reported as it was written.
    """
    problems = [
        Problem(file=display, line=i, column=None, rule=RULE_JSON_OBJECT, code="json_object")
        for i, record in enumerate(records, start=1)
        if not isinstance(record, dict)
    ]
    if problems:
        raise InputError(problems)
    keys: dict[str, None] = {}
    for record in records:
        keys.update(dict.fromkeys(record))
    series = []
    for key in keys:
        values = [record.get(key) for record in records]
        series.append(_json_series(key, values))
    series.append(pl.int_range(1, len(records) + 1, dtype=pl.Int64(), eager=True).alias("_row"))
    return pl.DataFrame(series, height=len(records))


def _json_series(key: str, values: list[Any]) -> pl.Series:
    kinds = {type(v) for v in values} - {type(None)}
    if kinds <= {str}:
        return pl.Series(key, values, dtype=pl.String())
    if list in kinds:
        # Joined and split again in polars: building nested series from Python is slow.
        joined = [_joined_items(v) for v in values]
        return pl.Series(key, joined, dtype=pl.String()).str.split(_ITEM_JOIN)
    if kinds == {float}:
        return pl.Series(key, values, dtype=pl.Float64())
    if kinds == {int}:
        with contextlib.suppress(OverflowError, TypeError, ValueError):
            return pl.Series(key, values, dtype=pl.Int64())
    return pl.Series(key, [_json_text(v) for v in values], dtype=pl.String())


def _joined_items(value: Any) -> str | None:
    if value is None or value == []:
        return None
    if type(value) is list:
        try:
            return _ITEM_JOIN.join(value)
        except TypeError:
            texts = (_json_text(v) for v in value)
            return _ITEM_JOIN.join(t for t in texts if t is not None)
    if type(value) is str:
        return value.replace(LIST_SEPARATOR, _ITEM_JOIN)
    return _json_text(value)


def _json_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


# --------------------------------------------------------------------------------------------
# validation


def validate_seekers(frame: pl.DataFrame, name: str, *, first_line: int = 2) -> pl.DataFrame:
    """Check a raw seekers frame and return it typed.

    Parameters
    ----------
    frame : polars.DataFrame
        As returned by :func:`read_table`, or any frame with the declared columns (or their
        aliases).
    name : str
        The file's display name, used in messages.
    first_line : int
        The line number of the frame's first row in messages (2: below a header).

    Returns
    -------
    polars.DataFrame
        Columns, in order: ``seeker_id`` (String); ``experience``, ``skills``, ``wishes``,
        ``languages``, ``needs`` (List(String), ``[]`` when not stated; ``languages`` one code
        per language); ``hours_max``, ``lat``, ``lon``, ``max_distance_km`` (Float64); ``tier``
        (String); ``employability`` (Float64); ``_row`` (Int64, the row's line number).
        Input row order is kept.

    Raises
    ------
    InputError
        With every problem of the frame.

    Examples
    --------
    >>> import polars as pl
    >>> raw = pl.DataFrame({"seeker_id": ["a"], "Språk": ["nb; arabisk"], "lat": ["59,9"]})
    >>> validate_seekers(raw, "seekers.csv")
    Traceback (most recent call last):
    ...
    matcher.errors.InputError: seekers.csv line 2, column 'lon': must be given together with 'lat'
    >>> raw = raw.with_columns(lon=pl.lit("10.7"))
    >>> validate_seekers(raw, "seekers.csv").select("languages", "lat", "_row").row(0)
    (['no', 'ar'], 59.9, 2)
    """
    return validate_table(RawTable(frame, name, first_line), SEEKER_SCHEMA).frame


def validate_roles(frame: pl.DataFrame, name: str, *, first_line: int = 2) -> pl.DataFrame:
    """Check a raw roles frame and return it typed.

    Parameters
    ----------
    frame : polars.DataFrame
        As returned by :func:`read_table`, or any frame with the declared columns (or their
        aliases).
    name : str
        The file's display name, used in messages.
    first_line : int
        The line number of the frame's first row in messages (2: below a header).

    Returns
    -------
    polars.DataFrame
        Columns, in order: ``role_id``, ``enterprise``, ``title``, ``occupation`` (String);
        ``skills_required``, ``skills_trained`` (List(String)); ``slots`` (Int64, 0 for a role
        that is full for now); ``hours``, ``lat``, ``lon`` (Float64); ``languages``, ``offers``
        (List(String)); ``permanent`` (Boolean); ``form`` (String, lower-case); ``_row``
        (Int64). Input row order is kept.

    Raises
    ------
    InputError
        With every problem of the frame.

    Examples
    --------
    >>> import polars as pl
    >>> raw = pl.DataFrame({"role_id": ["r1"], "Virksomhet": ["Bakeri AS"], "plasser": ["-2"]})
    >>> validate_roles(raw, "roles.csv")
    Traceback (most recent call last):
    ...
    matcher.errors.InputError: roles.csv line 2, column 'plasser': must be an integer >= 0, got '-2'
    """
    return validate_table(RawTable(frame, name, first_line), ROLE_SCHEMA).frame


def decimal_number(text: T) -> T:
    """Text (an expression or a series) as a float, the first comma read as a decimal point
    (``37,5``); what is not a number becomes null. Every reader of numbers uses it.

    >>> decimal_number(pl.Series(["37,5", "40", "x", None])).to_list()
    [37.5, 40.0, None, None]
    """
    return text.str.replace(",", ".", literal=True, n=1).cast(pl.Float64(), strict=False)


def validate_table(raw: RawTable, schema: Schema) -> Table:
    """Check a raw table against ``schema``; the typed frame, the ignored columns, the warnings.

    Raises
    ------
    InputError
        With every problem of the table (the read warnings are not repeated there).
    """
    name = raw.name
    frame = raw.frame
    if frame.height == 0:
        raise InputError([_empty(name, raw.other_sheets)])
    lines = (
        frame.get_column("_row")
        if "_row" in frame.columns and frame.schema["_row"].is_integer()
        else pl.int_range(raw.first_line, raw.first_line + frame.height, dtype=pl.Int64(),
                          eager=True)
    )
    frame, repeated = _clean_header(frame, name)
    header = [c for c in frame.columns if c != "_row"]
    mapping = match_columns(header, schema, name)
    headers = {declared: written for written, declared in mapping.fields.items()}
    table = Table(frame=frame, name=name, ignored=mapping.ignored, headers=headers,
                  warnings=raw.warnings)
    frame = frame.with_columns(lines.cast(pl.Int64()).alias("_row"))
    frame = frame.filter(~_blank_row(frame))
    if frame.height == 0:
        raise InputError([_empty(name, raw.other_sheets)])
    frame = frame.select([pl.col(w).alias(d) for w, d in mapping.fields.items()] + ["_row"])
    typed, problems = _check(frame, name, schema, headers, mapping.ignored, raw.other_sheets)
    problems = repeated + mapping.problems + table.as_written(problems)
    if problems:
        raise InputError(problems)
    return dataclasses.replace(table, frame=typed)


def _clean_header(frame: pl.DataFrame, name: str) -> tuple[pl.DataFrame, list[Problem]]:
    """Drop columns with neither a name nor a value; a name written twice is an error.

    A trailing delimiter (CSV) or a formatted empty column (Excel) gives a column without a
    name; the readers call it ``''`` or ``'__UNNAMED__3'``. Polars renames the second of two
    equal names to ``'name_duplicated_0'``.
    """
    drop = [
        c for c in frame.columns
        if (c.strip() == "" or _UNNAMED.fullmatch(c)) and frame.get_column(c).null_count()
        + (frame.get_column(c).cast(pl.String).str.strip_chars() == "").sum() == frame.height
    ]
    problems = [
        Problem(file=name, line=None, column=match.group(1), rule=RULE_REPEATED,
                code="repeated_column")
        for c in frame.columns
        if (match := _DUPLICATED.fullmatch(c)) and match.group(1) in frame.columns
    ]
    return (frame.drop(drop) if drop else frame), problems


def _missing(column: Column, ignored: Sequence[str], name: str,
             other_sheets: Sequence[str] = ()) -> Problem:
    """A missing required column: what it may be called, which columns the file has unused,
    and for a workbook read from its first sheet, its other sheets.

    Only header names are quoted, never values.

    >>> from matcher.io.schema import ROLE_SCHEMA
    >>> rule = _missing(ROLE_SCHEMA.columns[1], ["Navn", "Sted"], "r.csv").rule
    >>> rule[:rule.index("(")], rule[rule.index(";"):]
    ('required column is missing ', "; the file's unused columns are 'Navn', 'Sted'")
    """
    names = (column.name, *column.aliases)
    shown = ", ".join(f"'{n}'" for n in names[:5]) + (", ..." if len(names) > 5 else "")
    rule = f"{RULE_MISSING_COLUMN} (it may be called {shown})"
    if ignored:
        rule += "; the file's unused columns are " + ", ".join(f"'{c}'" for c in ignored)
    if other_sheets:
        rule += _rule_other_sheets(other_sheets, f"{name}#{other_sheets[0]}")
    return Problem(file=name, line=None, column=column.name, rule=rule, code="missing_column",
                   params=(("names", names[:5]), ("more", len(names) > 5),
                           ("columns", tuple(ignored)), ("sheets", tuple(other_sheets)),
                           ("example", f"{name}#{other_sheets[0]}" if other_sheets else "")))


def _check(
    frame: pl.DataFrame, name: str, schema: Schema, headers: dict[str, str],
    ignored: Sequence[str] = (), other_sheets: Sequence[str] = (),
) -> tuple[pl.DataFrame, list[Problem]]:
    absent = [c for c in schema.columns if c.required and c.name not in frame.columns]
    # the other sheets are named once, with the first missing column
    problems = [_missing(column, ignored, name, other_sheets if k == 0 else ())
                for k, column in enumerate(absent)]
    declared = [c for c in schema.columns if c.name in frame.columns]
    raw = _textualise_nested(frame.select([c.name for c in declared] + ["_row"]), declared)

    exprs: list[pl.Expr] = [pl.col("_row")]
    # (flag column, column, rule, quote value, code)
    checks: list[tuple[str, Column, str, bool, str]] = []
    for column in schema.columns:
        if column.name not in raw.columns:
            exprs.append(_absent(column))
            continue
        typed, bad = _parse(column, raw.schema[column.name])
        exprs.append(typed.alias(column.name))
        excel = _excel_error(column.name, raw.schema[column.name])
        if excel is not None:
            exprs.append(excel.fill_null(False).alias(f"\0excel\0{column.name}"))
            checks.append((f"\0excel\0{column.name}", column, RULE_EXCEL_ERROR, True,
                           "excel_error"))
            bad = None if bad is None else bad & ~excel.fill_null(False)
        if bad is not None:
            exprs.append(bad.fill_null(False).alias(f"\0bad\0{column.name}"))
            checks.append((f"\0bad\0{column.name}", column, column.rule, True, "value"))
        if column.required:
            exprs.append(
                _stated(column.name, raw.schema[column.name])
                .is_null()
                .alias(f"\0missing\0{column.name}")
            )
            checks.append((f"\0missing\0{column.name}", column, RULE_MISSING_VALUE, False,
                           "missing_value"))
    for a, b in schema.pairs:
        stated_a = _stated_or_false(a, raw)
        stated_b = _stated_or_false(b, raw)
        exprs.append((stated_a & ~stated_b).alias(f"\0pair\0{b}"))
        exprs.append((stated_b & ~stated_a).alias(f"\0pair\0{a}"))
    parsed = raw.select(exprs)

    for flag, column, rule, quote, code in checks:
        problems += _flagged(raw, parsed[flag], column, rule, name, with_value=quote, code=code)
    for a, b in schema.pairs:
        for missing, given in ((b, a), (a, b)):
            rows = parsed.filter(pl.col(f"\0pair\0{missing}"))["_row"]
            other = headers.get(given, given)
            rule = RULE_PAIRED.format(other=other)
            problems += [Problem(file=name, line=r, column=missing, rule=rule, code="paired",
                                 params=(("other", other),)) for r in rows]
    problems += _duplicates(parsed, schema.id_column, name)
    for column in schema.columns:
        if column.kind == "languages" and column.name in raw.columns:
            codes, unknown = _languages(raw, column, name)
            parsed = parsed.with_columns(codes)
            problems += unknown
    # a cell with an Excel error is that, not also an unknown language or an id used twice
    errors = {(p.line, p.column) for p in problems if p.code == "excel_error"}
    problems = [p for p in problems
                if p.code == "excel_error" or (p.line, p.column) not in errors]
    return parsed.select([*schema.names, "_row"]), problems


def _excel_error(name: str, dtype: pl.DataType) -> pl.Expr | None:
    """Cells of a text column that hold one of :data:`EXCEL_ERRORS` (``None``: not text)."""
    if dtype not in (pl.String, pl.Null):
        return None
    return _as_text(name, dtype).str.strip_chars().is_in(sorted(EXCEL_ERRORS))


def _blank_row(frame: pl.DataFrame) -> pl.Expr:
    """Rows with nothing in any column, such as blank lines in a CSV: skipped, rows keep numbers."""
    empty = [
        _as_text(name, dtype).str.strip_chars().str.len_bytes().fill_null(0) == 0
        if dtype in (pl.String, pl.Null)
        else pl.col(name).is_null()
        for name, dtype in frame.schema.items()
        if name != "_row"
    ]
    return pl.all_horizontal(empty)


def _textualise_nested(raw: pl.DataFrame, declared: list[Column]) -> pl.DataFrame:
    """A list or struct in a scalar column (rare, from JSON or Parquet) becomes its JSON text."""
    replace = []
    for column in declared:
        dtype = raw.schema[column.name]
        if column.kind in ("list", "languages") and isinstance(dtype, pl.List | pl.Array):
            nested = dtype.inner.is_nested()
        else:
            nested = dtype.is_nested()
        if nested:
            values = raw[column.name].to_list()
            text = [
                None if v is None else json.dumps(v, ensure_ascii=False, default=str)
                for v in values
            ]
            replace.append(pl.Series(column.name, text, dtype=pl.String()))
    return raw.with_columns(replace) if replace else raw


def _absent(column: Column) -> pl.Expr:
    if column.kind in ("list", "languages"):
        return _EMPTY_LIST.alias(column.name)
    return pl.lit(None, dtype=column.dtype).alias(column.name)


def _as_text(name: str, dtype: pl.DataType) -> pl.Expr:
    expr = pl.col(name)
    return expr if dtype == pl.String else expr.cast(pl.String())


def _stated(name: str, dtype: pl.DataType) -> pl.Expr:
    """The trimmed text of a scalar cell, null where the cell is empty."""
    text = _as_text(name, dtype).str.strip_chars()
    return pl.when(text.str.len_bytes() > 0).then(text)


def _stated_or_false(name: str, raw: pl.DataFrame) -> pl.Expr:
    if name not in raw.columns:
        return pl.lit(False)
    return _stated(name, raw.schema[name]).is_not_null()


def _parse(column: Column, dtype: pl.DataType) -> tuple[pl.Expr, pl.Expr | None]:
    """The typed value and the flag of a bad value (stated but not valid), as expressions."""
    name = column.name
    if column.kind in ("list", "languages"):
        return _parse_list(name, dtype, lower=column.kind == "languages"), None
    stated = _stated(name, dtype)
    if column.kind in ("id", "text"):
        return stated, None
    if column.kind == "choice":
        lower = stated.str.strip_chars().str.to_lowercase()
        if column.words:  # a Norwegian or Danish word for a value
            lower = lower.replace({word: value for _, word, value in column.words})
        ok = lower.is_in(list(column.allowed))
        return pl.when(ok).then(lower), stated.is_not_null() & ~ok
    if column.kind == "boolean":
        if dtype == pl.Boolean:
            return pl.col(name), None
        words = {w: True for w in TRUE_WORDS} | {w: False for w in FALSE_WORDS}
        value = stated.str.to_lowercase().replace_strict(
            words, default=None, return_dtype=pl.Boolean()
        )
        return value, stated.is_not_null() & value.is_null()
    # number or integer; the first comma is read as a decimal point (37,5; 1,000 is 1.0: hours
    # and coordinates are not written with a thousands separator). A literal replacement, not
    # a regex: it costs nothing, and '37,5,1' or '37,5.0' still fail the cast and are reported
    # as written.
    if dtype.is_numeric():
        number = pl.col(name).cast(pl.Float64())
    else:
        number = decimal_number(_without_unit(stated, column.units) if column.units else stated)
    ok = number.is_finite() & _in_range(number, column)
    if column.kind == "integer":
        ok = ok & (number == number.floor()) & (number.abs() <= _MAX_EXACT_INTEGER)
        typed = pl.when(ok).then(number).cast(pl.Int64())
    else:
        typed = pl.when(ok).then(number)
    return typed, stated.is_not_null() & (number.is_null() | ~ok)


def _without_unit(text: pl.Expr, units: tuple[str, ...]) -> pl.Expr:
    """A number written with one of its column's units after it (``37,5 t``, ``30 km``), the
    unit left out."""
    pattern = "(?i)^(.*?[0-9])\\s*(?:" + "|".join(
        re.escape(u) for u in sorted(units, key=len, reverse=True)) + ")\\.?$"
    return text.str.strip_chars().str.replace(pattern, "${1}")


def _in_range(number: pl.Expr, column: Column) -> pl.Expr:
    ok = pl.lit(True)
    if column.minimum is not None:
        ok = ok & (
            (number > column.minimum) if column.exclusive_minimum else (number >= column.minimum)
        )
    if column.maximum is not None:
        ok = ok & (number <= column.maximum)
    return ok


def _parse_list(name: str, dtype: pl.DataType, *, lower: bool) -> pl.Expr:
    if isinstance(dtype, pl.List | pl.Array):
        items = pl.col(name)
        if isinstance(dtype, pl.Array):
            items = items.arr.to_list()
        items = items.list.eval(pl.element().cast(pl.String()))
    else:
        items = _as_text(name, dtype).str.split(LIST_SEPARATOR)
    element = pl.element().str.strip_chars()
    if lower:
        element = element.str.to_lowercase()
    items = items.list.eval(element).list.eval(
        pl.element().filter(pl.element().str.len_bytes() > 0)
    )
    return items.fill_null(_EMPTY_LIST)


def _flagged(
    raw: pl.DataFrame, flags: pl.Series, column: Column, rule: str, name: str, *,
    with_value: bool, code: str,
) -> list[Problem]:
    if not flags.any():
        return []
    rows = raw.filter(flags).select("_row", _as_text(column.name, raw.schema[column.name]))
    return [
        Problem(file=name, line=row, column=column.name, rule=rule,
                value=value if with_value else None, code=code, params=(("column", column),))
        for row, value in rows.iter_rows()
    ]


def _duplicates(parsed: pl.DataFrame, id_column: str, name: str) -> list[Problem]:
    ids = parsed.select("_row", id_column).filter(pl.col(id_column).is_not_null())
    repeats = ids.with_columns(first=pl.col("_row").min().over(id_column)).filter(
        pl.col("_row") != pl.col("first")
    )
    return [
        Problem(
            file=name, line=row, column=id_column, rule=RULE_UNIQUE.format(first=first),
            value=value, code="unique", params=(("first", first),),
        )
        for row, value, first in repeats.select("_row", id_column, "first").iter_rows()
    ]


def _languages(raw: pl.DataFrame, column: Column, name: str) -> tuple[pl.Series, list[Problem]]:
    """The column as one code per language, and a problem for every item that is no language.

    An item that lists several languages the way people write them (``norsk, engelsk``,
    ``norsk/arabisk``, ``somali og arabisk``) is read as each of them (:func:`_language_items`):
    read whole, only its first language would count, and the others would be lost."""
    items = raw.select("_row", _parse_list(column.name, raw.schema[column.name], lower=False))
    written = items.get_column(column.name).explode().drop_nulls().unique().to_list()
    parts = {w: _language_items(w) for w in written}
    codes = {p: canonical_language(p) for ps in parts.values() for p in ps}
    not_known = {p for p, c in codes.items() if c is None}
    unknown = []
    if not_known:
        bad = items.explode(column.name).filter(
            pl.col(column.name).is_in([w for w, ps in parts.items() if not_known & set(ps)]))
        unknown = [
            Problem(file=name, line=row, column=column.name, rule=column.rule, value=p,
                    code="value", params=(("column", column),))
            for row, item in bad.iter_rows() for p in parts[item] if p in not_known
        ]
    known = {w: [c for p in ps if (c := codes[p]) is not None] for w, ps in parts.items()}
    typed = items.select(
        pl.col(column.name)
        .list.eval(
            pl.element().replace_strict(known, default=None, return_dtype=pl.List(pl.String()))
            .explode().drop_nulls()
        )
        .list.unique(maintain_order=True)
    ).to_series()
    return typed, unknown


def _language_items(item: str) -> list[str]:
    """The languages one item of a languages cell names.

    >>> [_language_items(t) for t in ("norsk, engelsk", "Norsk/Arabisk", "somali og arabisk")]
    [['norsk', 'engelsk'], ['Norsk', 'Arabisk'], ['somali', 'arabisk']]
    >>> [_language_items(t) for t in ("norsk engelsk", "arabisk (litt)", "tagalog")]
    [['norsk', 'engelsk'], ['arabisk (litt)'], ['tagalog']]
    """
    out: list[str] = []
    for part in joined_parts(item):
        words = part.split()
        if not words:
            continue
        # words that are each a language, where the whole is read as its first word only
        # ("norsk engelsk"); not a name of several words ("scottish gaelic" is one language)
        if (len(words) > 1 and all(canonical_language(w) for w in words)
                and canonical_language(part) == canonical_language(words[0])):
            out += words
        else:
            out.append(part.strip())
    return out
