"""The role posting service: social entrepreneurs post and manage their own roles.

A thin shell over the library, installed with ``pip install 'matcher[service]'``:

- :mod:`~matcher.service.app`: :func:`create_app`, the FastAPI application (JSON API and web
  form), run by ``matcher serve``;
- :mod:`~matcher.service.roles`: a submitted role checked with the ROLES schema of
  :mod:`matcher.io` and its terms resolved as ``matcher match`` resolves them;
- :mod:`~matcher.service.repository`: the one seam for storage (SQLite in WAL mode by default,
  or PostgreSQL), where tenancy is enforced; schema changes are the Alembic migrations in
  :mod:`~matcher.service.migrations`;
- :mod:`~matcher.service.auth`, :mod:`~matcher.service.security`: hashed tokens and passwords,
  CSRF, login rate limiting, body size limit, security headers, the request log and the
  last-resort 500;
- :mod:`~matcher.service.openapi`: the documented bodies and answers, built from the same
  declarations the service checks against;
- :mod:`~matcher.service.export`: the open roles as a CSV a spreadsheet cannot run formulas
  from.

Importing this package needs the service extra; nothing is started or opened on import.
"""

from matcher.service.app import create_app
from matcher.service.settings import ServiceSettings

__all__ = ["ServiceSettings", "create_app"]
