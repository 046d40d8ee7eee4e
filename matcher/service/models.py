"""The service's tables, as SQLAlchemy Core metadata.

The schema itself is created and changed only by the Alembic migrations in
:mod:`matcher.service.migrations`; these declarations are what the repository queries against
and must agree with the latest migration (a test checks that they do).

- ``accounts``: an enterprise or a caseworker. The web password is kept only as a salted hash;
  ``disabled_at`` set means the account can no longer log in or use any token.
- ``api_tokens``: an account's API tokens (several may be live), each kept only as a salted hash,
  with an optional expiry and the time it was revoked (migration 0003).
- ``roles``: one row per posted role, in the ROLES format's fields. List fields are JSON arrays of
  text. ``status`` is ``open`` or ``closed``; a closed role is never deleted.
- ``role_history``: append-only; one row per create, update or close: who, when and what changed
  (a JSON object). Nothing updates or deletes these rows; database triggers (migration 0002)
  refuse it.
- ``web_sessions``: logged-in browsers, by the hash of the session cookie.

Every integer column is 32 bits on PostgreSQL; :data:`INT_MAX` is the bound the service checks
every number and id against where it is parsed, so none reaches the database out of range.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

__all__ = ["INT_MAX", "accounts", "api_tokens", "metadata", "role_history", "roles",
           "web_sessions"]

#: the largest value of an ``Integer`` column (32 bits on PostgreSQL)
INT_MAX = 2**31 - 1

metadata = MetaData()

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),
    Column("password_hash", String(300), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled_at", DateTime(timezone=True), nullable=True),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False, index=True),
    Column("token_hash", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=True),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

roles = Table(
    "roles",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False, index=True),
    Column("status", String(10), nullable=False, index=True),
    Column("title", Text, nullable=True),
    Column("occupation", Text, nullable=True),
    Column("skills_required", Text, nullable=False),
    Column("skills_trained", Text, nullable=False),
    Column("slots", Integer, nullable=False),
    Column("hours", Float, nullable=True),
    Column("lat", Float, nullable=True),
    Column("lon", Float, nullable=True),
    Column("languages", Text, nullable=False),
    Column("offers", Text, nullable=False),
    Column("permanent", Boolean, nullable=True),
    Column("form", String(20), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

role_history = Table(
    "role_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("role_pk", Integer, ForeignKey("roles.id"), nullable=False, index=True),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("action", String(10), nullable=False),
    Column("changes", Text, nullable=False),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)
