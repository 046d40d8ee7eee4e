"""Read a seekers or roles table and check it against its declared schema.

Two steps, kept apart so a caller can validate a frame it built itself:

- :func:`read_table` turns a file (CSV, Parquet, JSON array of objects, NDJSON) or a polars frame
  into a *raw* frame. CSV is read with every column as text, so ``'007'`` stays ``'007'`` and a
  bad number reaches validation verbatim.
- :func:`validate_seekers` / :func:`validate_roles` check the raw frame against
  :data:`~matcher.io.schema.SEEKER_SCHEMA` / :data:`~matcher.io.schema.ROLE_SCHEMA` and return the
  typed frame. Every problem of the file is collected and raised together in one
  :class:`~matcher.errors.InputError`.

Validation is vectorised: each cell is parsed with a non-strict polars cast, and a problem is a
row where the input was stated but the parse gave null (or a value out of range). No Python loop
runs over the cells of a valid table, so 300,000 rows take about a second.

Columns that the schema does not declare are dropped without a word: they may hold names or other
personal data, and their values never appear in a message.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from matcher.errors import InputError, Problem
from matcher.io.languages import LANGUAGE_CODES
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
)

__all__ = ["READ_EXTENSIONS", "read_table", "validate_roles", "validate_seekers"]

Source = str | os.PathLike[str] | pl.DataFrame

READ_EXTENSIONS: tuple[str, ...] = (".csv", ".parquet", ".json", ".jsonl", ".ndjson")
FRAME_NAME = "input"

RULE_EXTENSION = "must be a .csv, .parquet, .json, .jsonl or .ndjson file"
RULE_JSON_ARRAY = "must be a JSON array of objects"
RULE_JSON_OBJECT = "must be a JSON object"

# Integers beyond 2**53 do not survive the float parse exactly; no slot count comes near.
_MAX_EXACT_INTEGER = float(2**53)
# Joins the items of a JSON list while a frame is built; never found in real text.
_ITEM_JOIN = "\x1f"
_EMPTY_LIST = pl.lit([], dtype=pl.List(pl.String()))


# --------------------------------------------------------------------------------------------
# reading


def read_table(source: Source, *, name: str | None = None) -> tuple[pl.DataFrame, str]:
    """Read a table into a raw frame.

    Parameters
    ----------
    source : path or polars.DataFrame
        A ``.csv``, ``.parquet``, ``.json`` (an array of objects), ``.jsonl`` or ``.ndjson`` file
        (the extension decides, case-insensitive), or a frame, returned as it is.
    name : str, optional
        The name used in messages. Default: the file's name, or ``'input'`` for a frame.

    Returns
    -------
    frame : polars.DataFrame
        CSV columns are all ``String``; JSON scalars are turned into text (lists stay lists);
        Parquet and frames keep their dtypes.
    name : str

    Raises
    ------
    InputError
        The file is missing, unreadable, not parseable, has an unknown extension or no data rows.

    Examples
    --------
    >>> import polars as pl
    >>> frame, name = read_table(pl.DataFrame({"seeker_id": ["007"]}), name="seekers")
    >>> name, frame["seeker_id"].to_list()
    ('seekers', ['007'])
    """
    if isinstance(source, pl.DataFrame):
        display = name if name is not None else FRAME_NAME
        frame = source
    else:
        path = Path(source)
        display = name if name is not None else path.name
        reader = _READERS.get(path.suffix.lower())
        if reader is None:
            raise InputError([_file_problem(display, RULE_EXTENSION, path.suffix or None)])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(
                [_file_problem(display, f"cannot be read: {_os_reason(exc)}")]
            ) from exc
        frame = reader(data, display)
    if frame.height == 0:
        raise InputError([_file_problem(display, RULE_EMPTY_FILE)])
    return frame, display


def _file_problem(file: str, rule: str, value: str | None = None) -> Problem:
    return Problem(file=file, row=None, column=None, rule=rule, value=value)


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "file not found"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, IsADirectoryError):
        return "it is a folder"
    return exc.strerror or type(exc).__name__


def _read_csv(data: bytes, display: str) -> pl.DataFrame:
    if not data.strip():
        return pl.DataFrame()
    try:
        return pl.read_csv(io.BytesIO(data), infer_schema=False)
    except pl.exceptions.PolarsError as exc:
        # polars' message may quote cell contents; only its kind is passed on.
        raise InputError(
            [_file_problem(display, "cannot be parsed as CSV (comma-separated, UTF-8)")]
        ) from exc


def _read_parquet(data: bytes, display: str) -> pl.DataFrame:
    try:
        return pl.read_parquet(io.BytesIO(data))
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputError([_file_problem(display, "cannot be parsed as Parquet")]) from exc


def _read_json(data: bytes, display: str) -> pl.DataFrame:
    try:
        records = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(
            [_file_problem(display, f"cannot be parsed as JSON: {_json_reason(exc)}")]
        ) from exc
    if not isinstance(records, list):
        raise InputError([_file_problem(display, RULE_JSON_ARRAY)])
    return _frame_from_records(records, display)


def _read_ndjson(data: bytes, display: str) -> pl.DataFrame:
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
    return _frame_from_records(records, display)


def _json_reason(exc: json.JSONDecodeError | UnicodeDecodeError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    return "not UTF-8"


_READERS: dict[str, Callable[[bytes, str], pl.DataFrame]] = {
    ".csv": _read_csv,
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
        Problem(file=display, row=i, column=None, rule=RULE_JSON_OBJECT)
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


def validate_seekers(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    """Check a raw seekers frame and return it typed.

    Parameters
    ----------
    frame : polars.DataFrame
        As returned by :func:`read_table`, or any frame with the declared columns.
    name : str
        The file's display name, used in messages.

    Returns
    -------
    polars.DataFrame
        Columns, in order: ``seeker_id`` (String); ``experience``, ``skills``, ``wishes``,
        ``languages``, ``needs`` (List(String), ``[]`` when not stated); ``hours_max``, ``lat``,
        ``lon``, ``max_distance_km`` (Float64); ``tier`` (String); ``employability`` (Float64);
        ``_row`` (Int64, the 1-based input row). Input row order is kept.

    Raises
    ------
    InputError
        With every problem of the frame.

    Examples
    --------
    >>> import polars as pl
    >>> raw = pl.DataFrame({"seeker_id": ["a"], "languages": ["EN; no"], "lat": ["59.9"]})
    >>> validate_seekers(raw, "seekers.csv")
    Traceback (most recent call last):
    ...
    matcher.errors.InputError: seekers.csv row 1, column 'lon': must be given together with 'lat'
    >>> raw = raw.with_columns(lon=pl.lit("10.7"))
    >>> validate_seekers(raw, "seekers.csv").select("languages", "lat", "_row").row(0)
    (['en', 'no'], 59.9, 1)
    """
    return _validate(frame, name, SEEKER_SCHEMA)


def validate_roles(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    """Check a raw roles frame and return it typed.

    Parameters
    ----------
    frame : polars.DataFrame
        As returned by :func:`read_table`, or any frame with the declared columns.
    name : str
        The file's display name, used in messages.

    Returns
    -------
    polars.DataFrame
        Columns, in order: ``role_id``, ``enterprise``, ``title``, ``occupation`` (String);
        ``skills_required``, ``skills_trained`` (List(String)); ``slots`` (Int64); ``hours``,
        ``lat``, ``lon`` (Float64); ``languages``, ``offers`` (List(String)); ``permanent``
        (Boolean); ``form`` (String, lower-case); ``_row`` (Int64). Input row order is kept.

    Raises
    ------
    InputError
        With every problem of the frame.

    Examples
    --------
    >>> import polars as pl
    >>> raw = pl.DataFrame({"role_id": ["r1"], "enterprise": ["Bakeri AS"], "slots": ["-2"]})
    >>> validate_roles(raw, "roles.csv")
    Traceback (most recent call last):
    ...
    matcher.errors.InputError: roles.csv row 1, column 'slots': must be an integer >= 1, got '-2'
    """
    return _validate(frame, name, ROLE_SCHEMA)


def _validate(frame: pl.DataFrame, name: str, schema: Schema) -> pl.DataFrame:
    if frame.height == 0:
        raise InputError([_file_problem(name, RULE_EMPTY_FILE)])
    frame = _strip_header(frame)
    frame = frame.with_columns(_row=pl.int_range(1, frame.height + 1, dtype=pl.Int64()))
    frame = frame.filter(~_blank_row(frame))
    if frame.height == 0:
        raise InputError([_file_problem(name, RULE_EMPTY_FILE)])
    problems = [
        Problem(file=name, row=None, column=column, rule=RULE_MISSING_COLUMN)
        for column in schema.required
        if column not in frame.columns
    ]
    declared = [c for c in schema.columns if c.name in frame.columns]
    raw = _textualise_nested(frame.select([c.name for c in declared] + ["_row"]), declared)

    exprs: list[pl.Expr] = [pl.col("_row")]
    checks: list[tuple[str, str, str, bool]] = []  # (flag column, column, rule, quote value)
    for column in schema.columns:
        if column.name not in raw.columns:
            exprs.append(_absent(column))
            continue
        typed, bad = _parse(column, raw.schema[column.name])
        exprs.append(typed.alias(column.name))
        if bad is not None:
            exprs.append(bad.fill_null(False).alias(f"\0bad\0{column.name}"))
            checks.append((f"\0bad\0{column.name}", column.name, column.rule, True))
        if column.required:
            exprs.append(
                _stated(column.name, raw.schema[column.name])
                .is_null()
                .alias(f"\0missing\0{column.name}")
            )
            checks.append((f"\0missing\0{column.name}", column.name, RULE_MISSING_VALUE, False))
    for a, b in schema.pairs:
        stated_a = _stated_or_false(a, raw)
        stated_b = _stated_or_false(b, raw)
        exprs.append((stated_a & ~stated_b).alias(f"\0pair\0{b}"))
        exprs.append((stated_b & ~stated_a).alias(f"\0pair\0{a}"))
    parsed = raw.select(exprs)

    for flag, column_name, rule, quote in checks:
        problems += _flagged(raw, parsed[flag], column_name, rule, name, with_value=quote)
    for a, b in schema.pairs:
        for missing, given in ((b, a), (a, b)):
            rows = parsed.filter(pl.col(f"\0pair\0{missing}"))["_row"]
            rule = RULE_PAIRED.format(other=given)
            problems += [Problem(file=name, row=r, column=missing, rule=rule) for r in rows]
    problems += _duplicates(parsed, schema.id_column, name)
    for column in schema.columns:
        if column.kind == "languages" and column.name in raw.columns:
            problems += _unknown_languages(raw, column, name)

    if problems:
        raise InputError(problems)
    return parsed.select([*schema.names, "_row"])


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


def _strip_header(frame: pl.DataFrame) -> pl.DataFrame:
    """Trim spaces around column names; where that would clash, the first column keeps the name."""
    taken = set(frame.columns)
    mapping = {}
    for column in frame.columns:
        stripped = column.strip()
        if stripped != column and stripped not in taken:
            mapping[column] = stripped
            taken.add(stripped)
    return frame.rename(mapping) if mapping else frame


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
        lower = stated.str.to_lowercase()
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
    # number or integer
    number = (
        pl.col(name).cast(pl.Float64())
        if dtype.is_numeric()
        else stated.cast(pl.Float64(), strict=False)
    )
    ok = number.is_finite() & _in_range(number, column)
    if column.kind == "integer":
        ok = ok & (number == number.floor()) & (number.abs() <= _MAX_EXACT_INTEGER)
        typed = pl.when(ok).then(number).cast(pl.Int64())
    else:
        typed = pl.when(ok).then(number)
    return typed, stated.is_not_null() & (number.is_null() | ~ok)


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
    raw: pl.DataFrame, flags: pl.Series, column: str, rule: str, name: str, *, with_value: bool
) -> list[Problem]:
    if not flags.any():
        return []
    rows = raw.filter(flags).select("_row", _as_text(column, raw.schema[column]))
    return [
        Problem(file=name, row=row, column=column, rule=rule, value=value if with_value else None)
        for row, value in rows.iter_rows()
    ]


def _duplicates(parsed: pl.DataFrame, id_column: str, name: str) -> list[Problem]:
    ids = parsed.select("_row", id_column).filter(pl.col(id_column).is_not_null())
    repeats = ids.with_columns(first=pl.col("_row").min().over(id_column)).filter(
        pl.col("_row") != pl.col("first")
    )
    return [
        Problem(
            file=name, row=row, column=id_column, rule=RULE_UNIQUE.format(first=first), value=value
        )
        for row, value, first in repeats.select("_row", id_column, "first").iter_rows()
    ]


def _unknown_languages(raw: pl.DataFrame, column: Column, name: str) -> list[Problem]:
    items = _parse_list(column.name, raw.schema[column.name], lower=False)
    unknown = (
        raw.select("_row", items.alias("code"))
        .explode("code")
        .filter(
            pl.col("code").is_not_null()
            & ~pl.col("code").str.to_lowercase().is_in(sorted(LANGUAGE_CODES))
        )
    )
    return [
        Problem(file=name, row=row, column=column.name, rule=column.rule, value=code)
        for row, code in unknown.iter_rows()
    ]
