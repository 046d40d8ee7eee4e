"""``matcher report RUN_DIR``: the caseworker's report of a run, as one HTML file.

A thin shell over :func:`matcher.report.load_run` and :func:`matcher.report.write_report`.
Bad input ends with exit status 2 and every problem listed (file, row, column, rule, value),
no traceback, and no report written.
"""

from __future__ import annotations

from pathlib import Path

import click

from matcher.cli.base import cli, fail
from matcher.errors import InputError, MatcherError
from matcher.io.messages import localise_problems
from matcher.report import LANGUAGES, load_run, pick_language, write_report

__all__ = ["report_command"]


@cli.command("report")
@click.argument("run_dir", type=click.Path())
@click.option("--out", type=click.Path(dir_okay=False),
              help="The HTML file to write (default: report.html beside MATCHES).")
@click.option("--lang", type=click.Choice(LANGUAGES),
              help="Language of the page and of the errors (default: the run's lang "
                   "setting, else en).")
@click.option("--seekers", type=click.Path(dir_okay=False),
              help="Job-seekers with a 'tier' (or 'employability') column, for the audit by "
                   "tier (default: the run's SEEKERS when it lies unchanged in RUN_DIR).")
@click.option("--roles", type=click.Path(dir_okay=False),
              help="The run's ROLES, for titles, employers and open places (default: found "
                   "like --seekers).")
@click.option("--alternatives", type=click.Path(dir_okay=False),
              help="The run's ALTS file, when RUN_DIR holds more than one.")
@click.option("--warnings", type=click.Path(dir_okay=False),
              help="The run's warnings file, when RUN_DIR holds more than one.")
@click.option("--min-cell", type=click.IntRange(min=1), default=5, show_default=True,
              help="Counts below this are hidden in the tier table (and those that would "
                   "give them away).")
def report_command(run_dir: str, out: str | None, lang: str | None, seekers: str | None,
                   roles: str | None, alternatives: str | None, warnings: str | None,
                   min_cell: int) -> None:
    """Write the report of a run: one self-contained HTML page (nb, da or en).

    RUN_DIR is the folder 'matcher match' wrote to (or its MATCHES file, or the manifest).
    The page makes no network request; open it in any browser, print it or archive it.
    """
    try:
        run = load_run(run_dir, seekers=seekers, roles=roles, alternatives=alternatives,
                       warnings=warnings)
        target = Path(out) if out else Path(run_dir) / "report.html" if Path(
            run_dir).is_dir() else Path(run_dir).with_name("report.html")
        chosen = pick_language(lang, run.manifest)
        written = write_report(run, target, lang=chosen, min_cell=min_cell)
    except InputError as exc:  # in the language asked for (the run's is not known yet)
        fail(str(InputError(localise_problems(exc.problems, lang or "en"))), 2, lang or "en")
    except MatcherError as exc:
        fail(str(exc), 1, lang or "en")
    else:
        click.echo(f"Report ({chosen}): {written}")
