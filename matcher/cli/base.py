"""The ``matcher`` command group; each command lives in its own module of this package.

Commands are thin shells over the library API: they parse options, call one function, print
what it returns, and turn the package's errors into exit statuses (2 for bad input or settings,
1 for anything else the package raises on purpose), never into a traceback.

A command's module is imported only when that command runs (:data:`COMMANDS` names each
module), so ``matcher --help`` and ``matcher serve`` never pay for numpy, polars or the
taxonomy. The one-line help that ``matcher --help`` lists is declared here beside the module;
a test checks it against each command's own docstring.
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import NoReturn

import click

from matcher import __version__

__all__ = ["COMMANDS", "cli", "fail", "main"]

COMMANDS: dict[str, tuple[str, str]] = {
    "accounts": ("matcher.cli.service", "Create accounts, hand out and revoke their API tokens, "
                 "set web passwords, disable them."),
    "audit": ("matcher.cli.audit",
              "Audit a selection for creaming and parking (fit held constant)."),
    "demo": ("matcher.cli.match", "Run a batch match on the built-in synthetic samples."),
    "match": ("matcher.cli.match", "Match SEEKERS to ROLES and write the proposal to --out."),
    "occupations": ("matcher.cli.taxonomy",
                    "Explore occupations: which ones experience transfers to."),
    "policy-curve": ("matcher.cli.policy", "Solve each priority weight exactly: fit given up "
                     "against match rates by tier."),
    "report": ("matcher.cli.report",
               "Write the report of a run: one self-contained HTML page (nb, da or en)."),
    "roles": ("matcher.cli.service", "The roles posted to the service."),
    "serve": ("matcher.cli.service",
              "Run the role posting service (web form and JSON API; OpenAPI docs at /docs)."),
    "terms": ("matcher.cli.taxonomy", "Resolve free-text terms, codes and URIs to ESCO concepts."),
}
"""Each command: the module that defines (and registers) it, and its one-line help."""


#: the word before an error message, by language (``--lang`` of the command, if it has one)
_ERROR = {"en": "error", "nb": "feil", "da": "fejl"}


def fail(message: str, status: int, lang: str = "en") -> NoReturn:
    """Print ``error: message`` on stderr (``feil:`` / ``fejl:`` in Norwegian and Danish) and
    exit with ``status``."""
    click.echo(f"{_ERROR.get(lang, _ERROR['en'])}: {message}", err=True)
    sys.exit(status)


class _LazyGroup(click.Group):
    """A group whose commands are imported from :data:`COMMANDS` when first asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            importlib.import_module(COMMANDS[cmd_name][0])  # registers its commands on cli
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            loaded = self.commands.get(name)
            if loaded is not None:
                if loaded.hidden:
                    continue
                rows.append((name, loaded.get_short_help_str(limit)))
            else:
                rows.append((name, click.utils.make_default_short_help(COMMANDS[name][1], limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
