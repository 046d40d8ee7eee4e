"""``matcher serve``, ``matcher accounts add|token|tokens|revoke|disable|enable|password`` and
``matcher roles export``.

The role posting service is an extra (``pip install 'matcher[service]'``): its dependencies are
imported inside each command, and a missing one ends the command with the install command.

``--db`` takes a database URL (``sqlite:///roles.db``, ``postgresql://user@host/db``) or a path
to a SQLite file; without it, ``$MATCHER_DB``, else ``matcher.db`` in the current folder. Every
command brings the schema up to date first (Alembic migrations).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import sys
from datetime import timedelta
from typing import Any

import click

from matcher.cli.base import cli, fail
from matcher.errors import ConfigError, OutputError

__all__ = ["accounts_group", "roles_group", "serve_command"]

INSTALL = "pip install 'matcher[service]'"
MAX_PASSWORD = 1000  # what the login form reads

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


def is_loopback(host: str) -> bool:
    """Whether ``host`` (what ``--host`` names) listens only on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def uvicorn_options(host: str, forwarded_allow_ips: str) -> dict[str, Any]:
    """How Uvicorn is told whom to believe about the client's address.

    Uvicorn by default believes ``X-Forwarded-For`` from 127.0.0.1, so anyone who can reach a
    loopback-bound service could claim any address and escape the per-address login limit.
    Without ``--forwarded-allow-ips`` no forwarding header is believed at all.
    """
    ips = ",".join(part.strip() for part in forwarded_allow_ips.split(",") if part.strip())
    return {"host": host, "proxy_headers": bool(ips), "forwarded_allow_ips": ips or "",
            "server_header": False}


_expires_option = click.option(
    "--expires-days", type=click.IntRange(1, 3650), default=None,
    help="The token stops working after this many days (default: until revoked).")


def _expires(days: int | None) -> timedelta | None:
    return None if days is None else timedelta(days=days)


@cli.command("serve")
@_db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--max-body-bytes", default=64 * 1024, show_default=True, type=int,
              help="Larger request bodies answer 413.")
@click.option("--secure-cookies/--no-secure-cookies", default=None,
              help="Mark cookies Secure (sent over HTTPS only). Default: on, unless --host is "
                   "a loopback address.")
@click.option("--forwarded-allow-ips", default="", show_default="none",
              help="Comma-separated addresses of the proxies whose X-Forwarded-For and "
                   "X-Forwarded-Proto are believed; '*' believes anyone. Default: none.")
def serve_command(db: str, host: str, port: int, max_body_bytes: int,
                  secure_cookies: bool | None, forwarded_allow_ips: str) -> None:
    """Run the role posting service (web form and JSON API; OpenAPI docs at /docs)."""
    _service()
    try:
        import uvicorn

        from matcher.service import ServiceSettings, create_app
    except ImportError as exc:
        fail(f"the role posting service needs extra packages ({exc.name} is missing); install "
             f"them with: {INSTALL}", 1)
    try:
        if secure_cookies is None:
            secure_cookies = not is_loopback(host)
        settings = ServiceSettings(db=db, max_body_bytes=max_body_bytes,
                                   secure_cookies=secure_cookies)
    except ConfigError as exc:
        fail(str(exc), 2)
    app = create_app(settings)
    url = app.state.service.repository.engine.url
    click.echo(f"matcher serve: database {url.render_as_string(hide_password=True)}, "
               f"http://{host}:{port}/ (API docs at /docs), secure cookies "
               f"{'on' if secure_cookies else 'off'}", err=True)
    logging.getLogger("matcher.service").setLevel(logging.INFO)
    # uvicorn's access log would record client addresses and query strings; the service logs
    # its own line per request with ids and counts only.
    uvicorn.run(app, port=port, access_log=False, log_level="info", timeout_graceful_shutdown=5,
                **uvicorn_options(host, forwarded_allow_ips))


@cli.group("accounts")
def accounts_group() -> None:
    """Create accounts, hand out and revoke their API tokens, set web passwords, disable them."""


@accounts_group.command("add")
@click.argument("name")
@click.option("--kind", type=click.Choice(["enterprise", "caseworker"]), default="enterprise",
              show_default=True)
@_expires_option
@_db_option
def accounts_add(name: str, kind: str, expires_days: int | None, db: str) -> None:
    """Create account NAME and print its API token once, as one JSON line."""
    name = name.strip()
    if not name or len(name) > 200:
        fail(f"NAME must be 1 to 200 characters, got {len(name)}", 2)
    repo = _repository(db)
    repository = _service()
    try:
        account, token = repo.add_account(name, kind, _expires(expires_days))
    except repository.AccountExists as exc:
        fail(str(exc), 2)
    finally:
        repo.dispose()
    click.echo(json.dumps({"account": account.name, "kind": account.kind, "token": token},
                          ensure_ascii=False))


def _on_account(db: str, name: str, work: Any) -> Any:
    """Run ``work(repository)`` on the database; an unknown account name ends with exit 2."""
    repo = _repository(db)
    repository = _service()
    try:
        return work(repo)
    except repository.NoSuchAccount as exc:
        fail(str(exc), 2)
    finally:
        repo.dispose()


@accounts_group.command("token")
@click.argument("name")
@_expires_option
@_db_option
def accounts_token(name: str, expires_days: int | None, db: str) -> None:
    """Make a new API token for account NAME and print it once, as one JSON line.

    The account's other tokens stay live; revoke them with `matcher accounts revoke`.
    """
    token = _on_account(db, name, lambda repo: repo.new_token(name, _expires(expires_days)))
    click.echo(json.dumps({"account": name, **token.as_json()}, ensure_ascii=False))


@accounts_group.command("tokens")
@click.argument("name")
@_db_option
def accounts_tokens(name: str, db: str) -> None:
    """List the tokens of account NAME (id, status, dates; never the secrets), one JSON line
    each."""
    for info in _on_account(db, name, lambda repo: repo.tokens(name)):
        click.echo(json.dumps(info.as_json()))


@accounts_group.command("revoke")
@click.argument("name")
@click.option("--token", "token_id", type=click.IntRange(1, 2**31 - 1), default=None,
              help="Revoke only this token (its id, the number before the dot). Default: every "
                   "token of the account.")
@_db_option
def accounts_revoke(name: str, token_id: int | None, db: str) -> None:
    """Revoke the API tokens of account NAME: at once, every request with them answers 401."""
    count = _on_account(db, name, lambda repo: repo.revoke_tokens(name, token_id))
    if token_id is not None and count == 0:
        fail(f"account {name!r} has no live token {token_id}", 2)
    click.echo(f"{count} token(s) of {name} revoked", err=True)


@accounts_group.command("disable")
@click.argument("name")
@_db_option
def accounts_disable(name: str, db: str) -> None:
    """Disable account NAME: no web login, no API call with any of its tokens, every web
    session ended. Its roles stay stored."""
    _on_account(db, name, lambda repo: repo.set_disabled(name, True))
    click.echo(f"account {name} disabled", err=True)


@accounts_group.command("enable")
@click.argument("name")
@_db_option
def accounts_enable(name: str, db: str) -> None:
    """Enable account NAME again (its tokens that were live before work again)."""
    _on_account(db, name, lambda repo: repo.set_disabled(name, False))
    click.echo(f"account {name} enabled", err=True)


@accounts_group.command("password")
@click.argument("name")
@_db_option
def accounts_password(name: str, db: str) -> None:
    """Set the web password of account NAME, read from the first line of stdin; every web
    session of the account ends."""
    line = sys.stdin.readline().rstrip("\r\n")
    if not 8 <= len(line) <= MAX_PASSWORD:
        fail(f"the password must be 8 to {MAX_PASSWORD} characters (read from the first line "
             f"of stdin), got {len(line)}", 2)
    repo = _repository(db)
    try:
        found = repo.set_password(name, line)
    finally:
        repo.dispose()
    if not found:
        fail(f"no account named {name!r}", 2)
    click.echo(f"password set for {name}; its web sessions have ended", err=True)


@cli.group("roles")
def roles_group() -> None:
    """The roles posted to the service."""


@roles_group.command("export")
@_db_option
@click.option("--out", required=True,
              help="ROLES file to write (.csv, .parquet or .json), as `matcher match` reads it.")
def roles_export(db: str, out: str) -> None:
    """Write every open role to --out in the ROLES format (in a CSV, a text cell that a
    spreadsheet would run as a formula starts with ')."""
    repo = _repository(db)
    from matcher.service.export import write_export

    try:
        frame = repo.open_roles()
        path = write_export(frame, out)
    except OutputError as exc:
        fail(str(exc), 1)
    finally:
        repo.dispose()
    click.echo(f"{frame.height} open role(s) written to {path}", err=True)
