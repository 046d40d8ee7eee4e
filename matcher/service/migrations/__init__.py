"""Alembic migrations of the service's database, shipped inside the package.

:func:`matcher.service.repository.migrate` runs them to ``head`` whenever the service or one of
its commands opens a database, so a fresh file or an older schema is brought up to date before
any request is served. A schema change is a new file in ``versions/`` whose ``down_revision`` is
the newest one, and a matching change to :mod:`matcher.service.models`.
"""
