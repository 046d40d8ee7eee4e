"""Read, validate and write tables: the first and last stage of a match.

- :func:`read_table` reads a CSV, Parquet, JSON or NDJSON file (or takes a polars frame) as a raw
  frame; :func:`validate_seekers` and :func:`validate_roles` check it against
  :data:`SEEKER_SCHEMA` / :data:`ROLE_SCHEMA` and return a typed frame, or raise one
  :class:`~matcher.errors.InputError` listing every problem of the file.
- :func:`write_table` and :func:`write_json` write results atomically: a file is complete or
  absent.
"""

from matcher.io.languages import LANGUAGE_CODES
from matcher.io.read import read_table, validate_roles, validate_seekers
from matcher.io.schema import ROLE_SCHEMA, SEEKER_SCHEMA, Column, Schema
from matcher.io.write import write_json, write_table

__all__ = [
    "LANGUAGE_CODES",
    "ROLE_SCHEMA",
    "SEEKER_SCHEMA",
    "Column",
    "Schema",
    "read_table",
    "validate_roles",
    "validate_seekers",
    "write_json",
    "write_table",
]
