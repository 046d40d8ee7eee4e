"""The command line: ``matcher match``, ``matcher demo`` and the commands that join them.

One module per command (group); importing a module registers its commands on :data:`cli`,
and :data:`matcher.cli.base.COMMANDS` says which module holds which command, so each is
imported only when it runs.
"""

from matcher.cli.base import cli, main

__all__ = ["cli", "main"]
