"""Alembic environment: runs the migrations on the connection the repository hands over.

The repository passes an open SQLAlchemy connection in ``config.attributes["connection"]``;
there is no ``alembic.ini`` with a URL, so no credentials live in a file of the package.
"""

from __future__ import annotations

from alembic import context

from matcher.service.models import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only through the repository
    raise RuntimeError("run the migrations through matcher.service.repository.migrate()")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
