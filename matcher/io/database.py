"""Read the open roles of the role posting service's database, read-only.

``matcher match seekers.csv sqlite:///matcher.db`` (or ``postgresql://...``) takes ROLES from the
database that ``matcher serve`` keeps: every open role, in the ROLES format, ids as the service
shows them (``R000001``), the enterprise as its account name. This module never creates,
migrates or writes a database:

- SQLite is opened through the standard library in read-only mode (``mode=ro``): a path that
  does not exist is an error, never a new empty file;
- PostgreSQL is read through psycopg (installed with ``pip install 'matcher[service]'``; asked
  for only when such a URL is given) in a read-only session.

A database that cannot be opened, or that holds no role service tables, is an
:class:`~matcher.errors.InputError` naming the URL (its password, if any, shown as ``***``) and
the kind of failure; the driver's own message, which may quote the server's settings, is not
passed on.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import polars as pl

from matcher.errors import InputError, Problem

__all__ = ["INSTALL_POSTGRES", "is_database_url", "read_open_roles", "redact_url"]

_URL = re.compile(r"^(sqlite|postgres(ql)?)(\+\w+)?://", re.IGNORECASE)
INSTALL_POSTGRES = "pip install 'matcher[service]'"

#: the role service's columns, in the ROLES format's names
_FIELDS = ("title", "occupation", "skills_required", "skills_trained", "slots", "hours", "lat",
           "lon", "languages", "offers", "permanent", "form")
#: columns the service keeps as JSON arrays
_LISTS = ("skills_required", "skills_trained", "languages", "offers")
_QUERY = (
    "SELECT r.id AS id, a.name AS enterprise, "
    + ", ".join(f"r.{name} AS {name}" for name in _FIELDS)
    + " FROM roles r JOIN accounts a ON a.id = r.account_id"
    " WHERE r.status = 'open' ORDER BY r.id"
)

RULE_OPEN = "cannot be opened as a role database: {reason}"
RULE_SCHEMA = ("holds no role service tables (start `matcher serve --db URL` once to create "
               "them)")


def is_database_url(value: str) -> bool:
    """Whether ``value`` is a database URL (``sqlite:///FILE``, ``postgresql://...``): the one
    test of the package, used by the command line and the service alike.

    >>> [is_database_url(v) for v in ("sqlite:///m.db", "postgresql://h/db", "roles.csv")]
    [True, True, False]
    """
    return bool(_URL.match(value))


def redact_url(url: str) -> str:
    """The URL with its password replaced by ``***`` (safe to print).

    >>> redact_url("postgresql://anna:hemmelig@db.example:5432/roles")
    'postgresql://anna:***@db.example:5432/roles'
    """
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}{port}"))


def read_open_roles(url: str) -> pl.DataFrame:
    """Every open role of the service's database at ``url``, as a raw ROLES frame.

    Columns: ``role_id``, ``enterprise`` and the role fields (lists as lists of text), sorted by
    ``role_id``; check it with :func:`matcher.io.validate_roles` like any ROLES file.

    Raises
    ------
    InputError
        The database does not exist or cannot be opened, or holds no role service tables.
    """
    scheme = url.split("://", 1)[0].split("+", 1)[0].lower()
    where = redact_url(url)
    if scheme == "sqlite":
        columns, rows = _read_sqlite(url, where)
    else:
        columns, rows = _read_postgres(url, where)
    return _frame([dict(zip(columns, row, strict=True)) for row in rows])


def _fail(where: str, rule: str) -> InputError:
    return InputError([Problem(file=where, line=None, column=None, rule=rule)])


def _read_sqlite(url: str, where: str) -> tuple[list[str], list[Sequence[Any]]]:
    path = unquote(url.split("://", 1)[1])
    if path.startswith("/"):
        path = path[1:]  # sqlite:///rel.db -> rel.db, sqlite:////abs.db -> /abs.db
    if not path or path == ":memory:":
        raise _fail(where, RULE_OPEN.format(reason="no database file named"))
    try:
        connection = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise _fail(where, RULE_OPEN.format(reason="no such file, or not readable")) from exc
    try:
        cursor = connection.execute(_QUERY)
        return [d[0] for d in cursor.description], cursor.fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc) or "no such column" in str(exc):
            raise _fail(where, RULE_SCHEMA) from exc
        raise _fail(where, RULE_OPEN.format(reason=type(exc).__name__)) from exc
    except sqlite3.DatabaseError as exc:  # not a database file
        raise _fail(where, RULE_OPEN.format(reason="not an SQLite database")) from exc
    finally:
        connection.close()


def _read_postgres(url: str, where: str) -> tuple[list[str], list[Sequence[Any]]]:
    try:
        import psycopg
    except ImportError as exc:
        raise _fail(where, RULE_OPEN.format(
            reason=f"reading PostgreSQL needs psycopg: {INSTALL_POSTGRES}")) from exc
    conninfo = re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", url, flags=re.IGNORECASE)
    try:
        connection = psycopg.connect(conninfo, connect_timeout=10)
    except psycopg.Error as exc:
        raise _fail(where, RULE_OPEN.format(reason=type(exc).__name__)) from exc
    try:
        connection.read_only = True
        with connection.cursor() as cursor:
            cursor.execute(_QUERY)
            columns = [d.name for d in cursor.description or ()]
            return columns, list(cursor.fetchall())
    except psycopg.errors.UndefinedTable as exc:
        raise _fail(where, RULE_SCHEMA) from exc
    except psycopg.Error as exc:
        raise _fail(where, RULE_OPEN.format(reason=type(exc).__name__)) from exc
    finally:
        connection.close()


def _frame(records: list[dict[str, Any]]) -> pl.DataFrame:
    data: dict[str, list[Any]] = {"role_id": [f"R{int(r['id']):06d}" for r in records],
                                  "enterprise": [r["enterprise"] for r in records]}
    for name in _FIELDS:
        values = [r[name] for r in records]
        if name in _LISTS:
            values = [json.loads(v) if isinstance(v, str) else list(v or []) for v in values]
        elif name == "permanent":
            values = [None if v is None else bool(v) for v in values]
        data[name] = values
    schema: dict[str, Any] = {name: pl.List(pl.String()) for name in _LISTS}
    schema |= {"role_id": pl.String(), "enterprise": pl.String(), "title": pl.String(),
               "occupation": pl.String(), "slots": pl.Int64(), "hours": pl.Float64(),
               "lat": pl.Float64(), "lon": pl.Float64(), "permanent": pl.Boolean(),
               "form": pl.String()}
    return pl.DataFrame(data, schema={k: schema[k] for k in data})
