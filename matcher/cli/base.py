"""The ``matcher`` command group; each command lives in its own module of this package.

Commands are thin shells over the library API: they parse options, call one function, print
what it returns, and turn the package's errors into exit statuses (2 for bad input or settings,
1 for anything else the package raises on purpose), never into a traceback.
"""

from __future__ import annotations

import logging
import sys
from typing import NoReturn

import click

from matcher import __version__

__all__ = ["cli", "fail", "main"]


def fail(message: str, status: int) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``status``."""
    click.echo(f"error: {message}", err=True)
    sys.exit(status)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="matcher")
@click.option("-v", "--verbose", is_flag=True, help="Log progress (ids and counts only).")
def cli(verbose: bool) -> None:
    """matcher: resource-first matching of job-seekers to roles at social enterprises."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
        stream=sys.stderr,
    )



def main() -> None:
    """Entry point of the ``matcher`` console script."""
    cli(prog_name="matcher")
