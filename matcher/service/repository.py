"""The one seam for storage: every read and write of the service's database goes through here.

:class:`Repository` wraps a SQLAlchemy engine over SQLite (the default: a file, in WAL mode with
``synchronous=FULL``, so a role whose transaction committed survives a killed process) or
PostgreSQL. Tenancy is enforced here, not in the routes: :meth:`Repository.get_role`,
:meth:`~Repository.list_roles`, :meth:`~Repository.update_role` and
:meth:`~Repository.close_role` only ever see the roles the account may see, so another
enterprise's role is simply not found.

===================== =========================================== ==========================
account kind          reads                                       writes
===================== =========================================== ==========================
``enterprise``        its own roles, open or closed               its own roles
``caseworker``        every open role, and the history            nothing
===================== =========================================== ==========================

Every change of a role adds a row to the append-only history in the same transaction.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import polars as pl
from sqlalchemy import Connection, Engine, create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from matcher.io import ROLE_SCHEMA
from matcher.io.database import is_database_url
from matcher.service import auth
from matcher.service.models import INT_MAX, accounts, api_tokens, role_history, roles, web_sessions
from matcher.service.roles import FIELDS, LIST_FIELDS
from matcher.validate import Options, validate_params

__all__ = [
    "DEFAULT_DB",
    "Account",
    "AccountExists",
    "HistoryEntry",
    "NewToken",
    "NoSuchAccount",
    "Repository",
    "RoleClosed",
    "RoleRecord",
    "TokenInfo",
    "database_url",
    "format_role_id",
    "is_database_url",
    "open_roles_frame",
    "parse_role_id",
]

AccountKind = Literal["enterprise", "caseworker"]
ACCOUNT_KINDS: tuple[str, ...] = ("enterprise", "caseworker")
DEFAULT_DB = "matcher.db"
_ROLE_ID = re.compile(r"R[0-9]{6,10}")
_WRITER = "matcher_writer"


def database_url(value: str | None) -> str:
    """A SQLAlchemy URL from what a user typed: a URL, or a path to a SQLite file.

    ``postgresql://`` and ``postgres://`` use the psycopg 3 driver.

    Examples
    --------
    >>> database_url("roles.db")
    'sqlite:///roles.db'
    >>> database_url("postgresql://u@127.0.0.1:5432/matcher")
    'postgresql+psycopg://u@127.0.0.1:5432/matcher'
    """
    value = value or DEFAULT_DB
    if not is_database_url(value):
        return f"sqlite:///{value}"
    scheme, _, rest = value.partition("://")
    if scheme.lower() in ("postgresql", "postgres"):
        return f"postgresql+psycopg://{rest}"
    return value


def format_role_id(pk: int) -> str:
    """The public id of a role: ``R`` and six ASCII digits (more only past R999999)."""
    return f"R{pk:06d}"


def parse_role_id(role_id: str) -> int | None:
    """The primary key a public role id names, or ``None`` when it is not one.

    Only the canonical spelling names a role: what :func:`format_role_id` writes. ``R1``,
    ``R0000001``, other digits than ASCII ones and trailing white space name nothing.

    Examples
    --------
    >>> parse_role_id("R000001"), parse_role_id("R1234567")
    (1, 1234567)
    >>> [parse_role_id(i) for i in ("R1", "R0000001", "R00000١", "R000001\\n", "R2147483648")]
    [None, None, None, None, None]
    """
    if _ROLE_ID.fullmatch(role_id) is None:
        return None
    pk = int(role_id[1:])
    if not 1 <= pk <= INT_MAX or format_role_id(pk) != role_id:
        return None
    return pk


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _opt_utc(value: datetime | None) -> datetime | None:
    return None if value is None else _utc(value)


class AccountExists(ValueError):
    """An account of that name exists already."""


class NoSuchAccount(LookupError):
    """No account has that name."""


@dataclass(frozen=True, slots=True)
class NewToken:
    """A token just made: its id and the secret, shown this once."""

    id: int
    token: str
    created_at: datetime
    expires_at: datetime | None

    def as_json(self) -> dict[str, Any]:
        return {"token_id": self.id, "token": self.token,
                "created_at": self.created_at.isoformat(),
                "expires_at": None if self.expires_at is None else self.expires_at.isoformat()}


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What is known of a stored token (never its secret)."""

    id: int
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    def status(self, now: datetime | None = None) -> str:
        """``live``, ``revoked`` or ``expired``."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= (now or _now()):
            return "expired"
        return "live"

    def as_json(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return None if value is None else value.isoformat()

        return {"token_id": self.id, "status": self.status(),
                "created_at": self.created_at.isoformat(), "expires_at": iso(self.expires_at),
                "revoked_at": iso(self.revoked_at)}


class RoleClosed(ValueError):
    """A closed role cannot change."""


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    name: str
    kind: str

    @property
    def is_caseworker(self) -> bool:
        return self.kind == "caseworker"


@dataclass(frozen=True, slots=True)
class RoleRecord:
    pk: int
    enterprise: str
    status: str
    fields: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @property
    def role_id(self) -> str:
        return format_role_id(self.pk)

    def as_json(self) -> dict[str, Any]:
        return {"role_id": self.role_id, "enterprise": self.enterprise, "status": self.status,
                **self.fields, "created_at": self.created_at.isoformat(),
                "updated_at": self.updated_at.isoformat()}


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    role_id: str
    account: str
    at: datetime
    action: str
    changes: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {"role_id": self.role_id, "account": self.account, "at": self.at.isoformat(),
                "action": self.action, "changes": self.changes}


def _engine(url: str) -> Engine:
    # hide_parameters: a failed statement's error (and so any log line or traceback) names no
    # bound value; a role's title or a person's free text never reaches a log that way.
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20,
                             hide_parameters=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                           hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below decide when a transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is on disk before it returns, so an acknowledged role survives.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A writer takes the write lock up front (IMMEDIATE), so two writers never deadlock on
        # a lock upgrade; a reader never blocks anyone in WAL mode.
        if connection.get_execution_options().get(_WRITER):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")

    return engine


_LIST_DB = frozenset(LIST_FIELDS)


def _alembic_config() -> Any:
    from alembic.config import Config

    config = Config()
    location = resources.files("matcher.service").joinpath("migrations")
    config.set_main_option("script_location", str(location))
    return config


@functools.cache
def _head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def _to_db(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {name: json.dumps(list(fields[name]), ensure_ascii=False)
            if name in _LIST_DB else fields[name] for name in FIELDS}


def _from_db(row: Any) -> dict[str, Any]:
    return {name: json.loads(row[name]) if name in _LIST_DB else row[name] for name in FIELDS}


class Repository:
    """Storage of accounts, roles, their history and web sessions.

    Parameters
    ----------
    url : str
        A SQLAlchemy URL, or a path to a SQLite file (see :func:`database_url`).
    migrate : bool
        Bring the schema up to date (Alembic, to ``head``) before anything else.
    """

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = database_url(url)
        self.engine = _engine(self.url)
        if migrate:
            self.migrate()

    # --- plumbing -----------------------------------------------------------------------

    def migrate(self) -> None:
        """Run every Alembic migration not yet applied."""
        from alembic import command
        from alembic.migration import MigrationContext

        config = _alembic_config()
        with self.engine.connect().execution_options(**{_WRITER: True}) as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        if current == _head_revision():
            return
        with self.engine.connect().execution_options(**{_WRITER: True}) as connection, \
                connection.begin():
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def schema_revision(self) -> str | None:
        with self.engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def ping(self) -> bool:
        """Whether the database answers."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    def dispose(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(**{_WRITER: True}) as connection, \
                connection.begin():
            yield connection

    # --- accounts and their credentials -------------------------------------------------

    def add_account(self, name: str, kind: str,
                    expires: timedelta | None = None) -> tuple[Account, str]:
        """Create an account; return it and its first API token (shown once, stored hashed)."""
        validate_params("Repository.add_account", {"kind": kind},
                        {"kind": [Options(ACCOUNT_KINDS)]})
        try:
            with self._write() as c:
                pk = c.execute(accounts.insert().values(
                    name=name, kind=kind, created_at=_now(),
                ).returning(accounts.c.id)).scalar_one()
                token = self._new_token(c, pk, expires)
        except IntegrityError as exc:
            raise AccountExists(f"an account named {name!r} exists already") from exc
        return Account(pk, name, kind), token.token

    @staticmethod
    def _new_token(c: Connection, account_id: int, expires: timedelta | None) -> NewToken:
        now = _now()
        expires_at = None if expires is None else now + expires
        token_id = c.execute(api_tokens.insert().values(
            account_id=account_id, token_hash="", created_at=now, expires_at=expires_at,
        ).returning(api_tokens.c.id)).scalar_one()
        token = auth.new_token(token_id)
        c.execute(api_tokens.update().where(api_tokens.c.id == token_id).values(
            token_hash=auth.hash_token(token)))
        return NewToken(token_id, token, now, expires_at)

    @staticmethod
    def _account_id(c: Connection, name: str) -> int:
        pk = c.execute(select(accounts.c.id).where(accounts.c.name == name)).scalar()
        if pk is None:
            raise NoSuchAccount(f"no account named {name!r}")
        return int(pk)

    def account(self, name: str) -> Account:
        """The account named ``name``.

        Raises
        ------
        NoSuchAccount
        """
        with self.engine.connect() as c:
            row = c.execute(select(accounts).where(accounts.c.name == name)).mappings().first()
        if row is None:
            raise NoSuchAccount(f"no account named {name!r}")
        return Account(row["id"], row["name"], row["kind"])

    def new_token(self, account: Account | str, expires: timedelta | None = None) -> NewToken:
        """A new API token for an account (by name or record); its other tokens stay live.

        Raises
        ------
        NoSuchAccount
        """
        with self._write() as c:
            pk = account.id if isinstance(account, Account) else self._account_id(c, account)
            return self._new_token(c, pk, expires)

    def tokens(self, account: Account | str) -> list[TokenInfo]:
        """Every token of an account, live or not, oldest first (never the secrets)."""
        with self.engine.connect() as c:
            pk = account.id if isinstance(account, Account) else self._account_id(c, account)
            rows = c.execute(select(api_tokens).where(api_tokens.c.account_id == pk)
                             .order_by(api_tokens.c.id)).mappings().all()
        return [TokenInfo(r["id"], _utc(r["created_at"]), _opt_utc(r["expires_at"]),
                          _opt_utc(r["revoked_at"])) for r in rows]

    def revoke_tokens(self, account: Account | str, token_id: int | None = None) -> int:
        """Revoke one token of an account (``token_id``), or every live one; how many were.

        A token id that is not this account's revokes nothing (0), exactly as an unknown one.

        Raises
        ------
        NoSuchAccount
        """
        with self._write() as c:
            pk = account.id if isinstance(account, Account) else self._account_id(c, account)
            where = [api_tokens.c.account_id == pk, api_tokens.c.revoked_at.is_(None)]
            if token_id is not None:
                where.append(api_tokens.c.id == token_id)
            return int(c.execute(api_tokens.update().where(*where).values(
                revoked_at=_now())).rowcount)

    def set_disabled(self, name: str, disabled: bool) -> None:
        """Disable an account (no login, no token, every web session ended) or enable it again.

        Raises
        ------
        NoSuchAccount
        """
        with self._write() as c:
            pk = self._account_id(c, name)
            c.execute(accounts.update().where(accounts.c.id == pk).values(
                disabled_at=_now() if disabled else None))
            if disabled:
                c.execute(web_sessions.delete().where(web_sessions.c.account_id == pk))

    def set_password(self, account: Account | str, password: str) -> bool:
        """Set an account's web password and end every web session it has; ``False`` when
        there is no such account."""
        with self._write() as c:
            try:
                pk = account.id if isinstance(account, Account) else self._account_id(c, account)
            except NoSuchAccount:
                return False
            c.execute(accounts.update().where(accounts.c.id == pk).values(
                password_hash=auth.hash_secret(password)))
            c.execute(web_sessions.delete().where(web_sessions.c.account_id == pk))
            return True

    def has_password(self, account: Account) -> bool:
        """Whether the account has a web password."""
        with self.engine.connect() as c:
            return c.execute(select(accounts.c.password_hash)
                             .where(accounts.c.id == account.id)).scalar() is not None

    def check_password(self, account: Account, password: str) -> bool:
        """Whether ``password`` is the account's web password (an account without one: no)."""
        with self.engine.connect() as c:
            stored = c.execute(select(accounts.c.password_hash)
                               .where(accounts.c.id == account.id)).scalar()
        return auth.check_secret(password, stored)

    def account_by_token(self, token: str) -> Account | None:
        """The account of a live token: not revoked, not expired, its account not disabled."""
        token_id = auth.split_token(token)
        if token_id is None:
            return None
        query = (select(accounts.c.id, accounts.c.name, accounts.c.kind, accounts.c.disabled_at,
                        api_tokens.c.token_hash, api_tokens.c.expires_at,
                        api_tokens.c.revoked_at)
                 .join(api_tokens, api_tokens.c.account_id == accounts.c.id)
                 .where(api_tokens.c.id == token_id))
        with self.engine.connect() as c:
            row = c.execute(query).mappings().first()
        if row is None or not auth.check_token(token, row["token_hash"]):
            return None
        expires = _opt_utc(row["expires_at"])
        if row["revoked_at"] is not None or row["disabled_at"] is not None or (
                expires is not None and expires <= _now()):
            return None
        return Account(row["id"], row["name"], row["kind"])

    def account_by_password(self, name: str, password: str) -> Account | None:
        """The account a web login names, if the password is right and the account enabled.

        Exactly one scrypt is computed whatever the outcome (an unknown name or an account
        without a password is checked against a dummy hash), so the time taken does not tell
        which names exist.
        """
        with self.engine.connect() as c:
            row = c.execute(select(accounts).where(accounts.c.name == name)).mappings().first()
        stored = None if row is None else row["password_hash"]
        if not auth.check_secret(password, stored) or row is None:
            return None
        if row["disabled_at"] is not None:
            return None
        return Account(row["id"], row["name"], row["kind"])

    def new_session(self, account: Account, ttl: timedelta) -> str:
        session_id = auth.new_session_id()
        now = _now()
        with self._write() as c:
            c.execute(web_sessions.delete().where(web_sessions.c.expires_at < now))
            c.execute(web_sessions.insert().values(
                id_hash=auth.session_hash(session_id), account_id=account.id,
                expires_at=now + ttl))
        return session_id

    def account_by_session(self, session_id: str) -> Account | None:
        query = (select(accounts.c.id, accounts.c.name, accounts.c.kind, web_sessions.c.expires_at)
                 .join(web_sessions, web_sessions.c.account_id == accounts.c.id)
                 .where(web_sessions.c.id_hash == auth.session_hash(session_id),
                        accounts.c.disabled_at.is_(None)))
        with self.engine.connect() as c:
            row = c.execute(query).mappings().first()
        if row is None or _utc(row["expires_at"]) < _now():
            return None
        return Account(row["id"], row["name"], row["kind"])

    def end_session(self, session_id: str) -> None:
        with self._write() as c:
            c.execute(web_sessions.delete().where(
                web_sessions.c.id_hash == auth.session_hash(session_id)))

    # --- roles --------------------------------------------------------------------------

    def _visible(self, account: Account) -> Any:
        if account.is_caseworker:
            return roles.c.status == "open"
        return roles.c.account_id == account.id

    def _select_roles(self) -> Any:
        return select(roles, accounts.c.name.label("enterprise")).join(
            accounts, accounts.c.id == roles.c.account_id)

    @staticmethod
    def _record(row: Any) -> RoleRecord:
        return RoleRecord(pk=row["id"], enterprise=row["enterprise"], status=row["status"],
                          fields=_from_db(row), created_at=_utc(row["created_at"]),
                          updated_at=_utc(row["updated_at"]))

    def create_role(self, account: Account, fields: Mapping[str, Any]) -> RoleRecord:
        """Store a validated role of an enterprise; committed when this returns."""
        if account.is_caseworker:
            raise PermissionError("caseworker accounts cannot post roles")
        now = _now()
        with self._write() as c:
            pk = c.execute(roles.insert().values(
                account_id=account.id, status="open", created_at=now, updated_at=now,
                **_to_db(fields)).returning(roles.c.id)).scalar_one()
            self._log(c, pk, account, now, "create", {"fields": dict(fields)})
            row = c.execute(self._select_roles().where(roles.c.id == pk)).mappings().one()
        return self._record(row)

    def get_role(self, account: Account, pk: int) -> RoleRecord | None:
        with self.engine.connect() as c:
            row = c.execute(self._select_roles().where(
                roles.c.id == pk, self._visible(account))).mappings().first()
        return None if row is None else self._record(row)

    def list_roles(self, account: Account, *, limit: int, offset: int,
                   status: str | None = None) -> tuple[list[RoleRecord], int]:
        where = [self._visible(account)]
        if status is not None:
            where.append(roles.c.status == status)
        with self.engine.connect() as c:
            total = c.execute(select(func.count()).select_from(roles).where(*where)).scalar_one()
            rows = c.execute(self._select_roles().where(*where).order_by(roles.c.id)
                             .limit(limit).offset(offset)).mappings().all()
        return [self._record(r) for r in rows], int(total)

    def update_role(self, account: Account, pk: int,
                    change: Callable[[dict[str, Any]], Mapping[str, Any]]) -> RoleRecord | None:
        """Change an open role; ``None`` when the account may not see it.

        ``change`` gets the stored fields and returns the new ones (it may raise, e.g.
        :class:`~matcher.service.roles.RoleInvalid`, and nothing is written). It runs inside
        the transaction that holds the role's row lock, so two concurrent partial updates
        never lose each other's fields.

        Raises
        ------
        RoleClosed
            The role is closed; it can no longer change.
        """
        if account.is_caseworker:
            raise PermissionError("caseworker accounts cannot change roles")
        with self._write() as c:
            row = c.execute(self._select_roles().where(roles.c.id == pk, self._visible(account))
                            .with_for_update()).mappings().first()
            if row is None:
                return None
            if row["status"] != "open":
                raise RoleClosed(format_role_id(pk))
            old = _from_db(row)
            fields = change(dict(old))
            changes = {k: {"from": old[k], "to": fields[k]} for k in FIELDS if old[k] != fields[k]}
            if changes:
                now = _now()
                c.execute(roles.update().where(roles.c.id == pk).values(
                    updated_at=now, **_to_db(fields)))
                self._log(c, pk, account, now, "update", changes)
            row = c.execute(self._select_roles().where(roles.c.id == pk)).mappings().one()
        return self._record(row)

    def close_role(self, account: Account, pk: int) -> RoleRecord | None:
        """Close a role (it stays stored, out of exports); ``None`` when not visible."""
        if account.is_caseworker:
            raise PermissionError("caseworker accounts cannot close roles")
        now = _now()
        with self._write() as c:
            row = c.execute(self._select_roles().where(roles.c.id == pk, self._visible(account))
                            .with_for_update()).mappings().first()
            if row is None:
                return None
            if row["status"] != "closed":
                c.execute(roles.update().where(roles.c.id == pk).values(
                    status="closed", updated_at=now))
                self._log(c, pk, account, now, "close",
                          {"status": {"from": row["status"], "to": "closed"}})
            row = c.execute(self._select_roles().where(roles.c.id == pk)).mappings().one()
        return self._record(row)

    @staticmethod
    def _log(c: Connection, pk: int, account: Account, at: datetime, action: str,
             changes: Mapping[str, Any]) -> None:
        c.execute(role_history.insert().values(
            role_pk=pk, account_id=account.id, at=at, action=action,
            changes=json.dumps(changes, ensure_ascii=False, sort_keys=True)))

    def history(self, account: Account, pk: int | None = None, *, limit: int = 100,
                offset: int = 0) -> tuple[list[HistoryEntry], int]:
        """The changes an account may read, oldest first: a caseworker every role's, an
        enterprise its own roles'."""
        where = [] if account.is_caseworker else [roles.c.account_id == account.id]
        if pk is not None:
            where.append(role_history.c.role_pk == pk)
        base = (select(role_history.c.role_pk, role_history.c.at, role_history.c.action,
                       role_history.c.changes, accounts.c.name)
                .join(roles, roles.c.id == role_history.c.role_pk)
                .join(accounts, accounts.c.id == role_history.c.account_id).where(*where))
        with self.engine.connect() as c:
            total = c.execute(select(func.count()).select_from(base.subquery())).scalar_one()
            rows = c.execute(base.order_by(role_history.c.id).limit(limit).offset(offset)).all()
        return [HistoryEntry(format_role_id(r[0]), r[4], _utc(r[1]), r[2], json.loads(r[3]))
                for r in rows], int(total)

    def role_exists_for_history(self, account: Account, pk: int) -> bool:
        """Whether an account may read a role's history (caseworkers: any role)."""
        where = [roles.c.id == pk]
        if not account.is_caseworker:
            where.append(roles.c.account_id == account.id)
        with self.engine.connect() as c:
            return c.execute(select(roles.c.id).where(*where)).first() is not None

    # --- export -------------------------------------------------------------------------

    def open_roles(self) -> pl.DataFrame:
        """Every open role, in the ROLES format ``matcher match`` reads, sorted by ``role_id``.

        Columns and dtypes are those of :func:`matcher.io.validate_roles` (without ``_row``).
        """
        with self.engine.connect() as c:
            rows = c.execute(self._select_roles().where(roles.c.status == "open")
                             .order_by(roles.c.id)).mappings().all()
        records = [self._record(r) for r in rows]
        schema = {c.name: c.dtype for c in ROLE_SCHEMA.columns}
        data: dict[str, list[Any]] = {name: [] for name in schema}
        for record in records:
            data["role_id"].append(record.role_id)
            data["enterprise"].append(record.enterprise)
            for name in FIELDS:
                data[name].append(record.fields[name])
        return pl.DataFrame(data, schema=schema)


def open_roles_frame(url: str) -> pl.DataFrame:
    """Every open role of the database at ``url``, as a ROLES frame (see
    :meth:`Repository.open_roles`)."""
    repository = Repository(url)
    try:
        return repository.open_roles()
    finally:
        repository.dispose()
