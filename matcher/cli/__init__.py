"""The command line: ``matcher match``, ``matcher demo`` and the commands that join them.

One module per command (group); importing a module registers its commands on :data:`cli`.
"""

from matcher.cli import audit as _audit  # noqa: F401  (registers audit)
from matcher.cli import match as _match  # noqa: F401  (registers match, demo)
from matcher.cli import service as _service  # noqa: F401  (registers serve, accounts, roles)
from matcher.cli import taxonomy as _taxonomy  # noqa: F401  (registers terms, occupations)
from matcher.cli.base import cli, main

__all__ = ["cli", "main"]
