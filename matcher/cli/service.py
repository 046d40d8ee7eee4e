"""``matcher serve``, ``matcher accounts add|password`` and ``matcher roles export``.

The role posting service is an extra (``pip install 'matcher[service]'``): its dependencies are
imported inside each command, and a missing one ends the command with the install command.

``--db`` takes a database URL (``sqlite:///roles.db``, ``postgresql://user@host/db``) or a path
to a SQLite file; without it, ``$MATCHER_DB``, else ``matcher.db`` in the current folder. Every
command brings the schema up to date first (Alembic migrations).
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

import click

from matcher.cli.base import cli, fail
from matcher.errors import ConfigError, OutputError

__all__ = ["accounts_group", "roles_group", "serve_command"]

INSTALL = "pip install 'matcher[service]'"

_db_option = click.option(
    "--db", envvar="MATCHER_DB", default="matcher.db", show_default=True,
    help="Database URL (sqlite:///FILE, postgresql://...) or a SQLite file path; "
         "default from $MATCHER_DB.")


def _service() -> Any:
    """Import the service package, or fail with the install command."""
    try:
        import matcher.service.repository as repository
    except ImportError as exc:
        fail(f"the role posting service needs extra packages ({exc.name} is missing); install "
             f"them with: {INSTALL}", 1)
    return repository


def _repository(db: str) -> Any:
    repository = _service()
    try:
        return repository.Repository(db)
    except Exception as exc:  # a driver's error names the URL; never print a password
        fail(f"cannot open the database: {type(exc).__name__}: {_redacted(str(exc), db)}", 1)


def _redacted(message: str, db: str) -> str:
    first = message.splitlines()[0] if message else ""
    if "@" in db and ":" in db.split("@")[0]:
        secret = db.split("@")[0].rsplit(":", 1)[1]
        first = first.replace(secret, "***")
    return first[:300]


@cli.command("serve")
@_db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--max-body-bytes", default=64 * 1024, show_default=True, type=int,
              help="Larger request bodies answer 413.")
def serve_command(db: str, host: str, port: int, max_body_bytes: int) -> None:
    """Run the role posting service (web form and JSON API; OpenAPI docs at /docs)."""
    _service()
    try:
        import uvicorn

        from matcher.service import ServiceSettings, create_app
    except ImportError as exc:
        fail(f"the role posting service needs extra packages ({exc.name} is missing); install "
             f"them with: {INSTALL}", 1)
    try:
        settings = ServiceSettings(db=db, max_body_bytes=max_body_bytes)
    except ConfigError as exc:
        fail(str(exc), 2)
    app = create_app(settings)
    url = app.state.service.repository.engine.url
    click.echo(f"matcher serve: database {url.render_as_string(hide_password=True)}, "
               f"http://{host}:{port}/ (API docs at /docs)", err=True)
    logging.getLogger("matcher.service").setLevel(logging.INFO)
    # uvicorn's access log would record client addresses and query strings; the service logs
    # its own line per request with ids and counts only.
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="info",
                timeout_graceful_shutdown=5)


@cli.group("accounts")
def accounts_group() -> None:
    """Create accounts and set their web passwords."""


@accounts_group.command("add")
@click.argument("name")
@click.option("--kind", type=click.Choice(["enterprise", "caseworker"]), default="enterprise",
              show_default=True)
@_db_option
def accounts_add(name: str, kind: str, db: str) -> None:
    """Create account NAME and print its API token once, as one JSON line."""
    name = name.strip()
    if not name or len(name) > 200:
        fail(f"NAME must be 1 to 200 characters, got {len(name)}", 2)
    repo = _repository(db)
    repository = _service()
    try:
        account, token = repo.add_account(name, kind)
    except repository.AccountExists as exc:
        fail(str(exc), 2)
    finally:
        repo.dispose()
    click.echo(json.dumps({"account": account.name, "kind": account.kind, "token": token},
                          ensure_ascii=False))


@accounts_group.command("password")
@click.argument("name")
@_db_option
def accounts_password(name: str, db: str) -> None:
    """Set the web password of account NAME, read from the first line of stdin."""
    line = sys.stdin.readline().rstrip("\r\n")
    if len(line) < 8:
        fail("the password must be at least 8 characters (read from the first line of stdin)", 2)
    repo = _repository(db)
    try:
        found = repo.set_password(name, line)
    finally:
        repo.dispose()
    if not found:
        fail(f"no account named {name!r}", 2)
    click.echo(f"password set for {name}", err=True)


@cli.group("roles")
def roles_group() -> None:
    """The roles posted to the service."""


@roles_group.command("export")
@_db_option
@click.option("--out", required=True,
              help="ROLES file to write (.csv, .parquet or .json), as `matcher match` reads it.")
def roles_export(db: str, out: str) -> None:
    """Write every open role to --out in the ROLES format."""
    repo = _repository(db)
    from matcher.io import write_table

    try:
        frame = repo.open_roles()
        path = write_table(frame, out)
    except OutputError as exc:
        fail(str(exc), 1)
    finally:
        repo.dispose()
    click.echo(f"{frame.height} open role(s) written to {path}", err=True)
