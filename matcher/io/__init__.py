"""Read, validate and write tables: the first and last stage of a match.

- :func:`read_source` reads a CSV (``,`` ``;`` or tab; UTF-8, UTF-8 with a BOM or
  Windows-1252), Excel (``.xlsx``, first sheet or ``book.xlsx#Sheet``), Parquet, JSON or NDJSON
  file (or takes a polars frame) as a raw table; :func:`validate_table` maps its header onto
  :data:`SEEKER_SCHEMA` / :data:`ROLE_SCHEMA` (Norwegian, Danish and English column names) and
  returns a typed :class:`Table`, or raises one :class:`~matcher.errors.InputError` listing
  every problem of the file. :func:`read_table`, :func:`validate_seekers` and
  :func:`validate_roles` are the same steps returning frames only.
- :func:`location_warnings` looks at both validated tables together (swapped coordinates, a
  travel limit without a home location).
- :func:`write_table`, :func:`write_workbook` and :func:`write_json` write results atomically: a
  file is complete or absent; :func:`write_outputs` writes several all or nothing. All of
  them, and every other file the package writes, go through :func:`atomic_files`.
"""

from matcher.io.checks import location_warnings
from matcher.io.languages import canonical_language
from matcher.io.read import (
    RawTable,
    Table,
    decimal_number,
    read_source,
    read_table,
    sheet_names,
    validate_roles,
    validate_seekers,
    validate_table,
)
from matcher.io.schema import ROLE_SCHEMA, SEEKER_SCHEMA, Column, Schema, alias_table
from matcher.io.write import (
    atomic_file,
    atomic_files,
    write_json,
    write_outputs,
    write_table,
    write_workbook,
)

__all__ = [
    "ROLE_SCHEMA",
    "SEEKER_SCHEMA",
    "Column",
    "RawTable",
    "Schema",
    "Table",
    "alias_table",
    "atomic_file",
    "atomic_files",
    "canonical_language",
    "decimal_number",
    "location_warnings",
    "read_source",
    "read_table",
    "sheet_names",
    "validate_roles",
    "validate_seekers",
    "validate_table",
    "write_json",
    "write_outputs",
    "write_table",
    "write_workbook",
]
