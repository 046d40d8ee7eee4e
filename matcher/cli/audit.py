"""``matcher audit``: a thin shell over :func:`matcher.audit`.

``matcher audit --seekers S --decisions D`` audits recorded decisions;
``matcher audit --seekers S --matches MATCHES --alternatives ALTS`` audits the engine's own
proposal; ``matcher audit --seekers S --history DIR`` the engine's runs kept in a run history
(one batch per run, so parking is measured across them). Bad input ends with exit status 2
and every problem listed (file, row, column, rule, value); nothing is written then.
"""

from __future__ import annotations

from typing import Any

import click

from matcher.audit import audit
from matcher.cli.base import cli, fail
from matcher.errors import ConfigError, InputError, MatcherError

__all__ = ["audit_command"]


@cli.command("audit")
@click.option("--seekers", required=True, type=click.Path(dir_okay=False),
              help="SEEKERS: seeker_id, tier and/or employability, months_unemployed, groups.")
@click.option("--decisions", type=click.Path(dir_okay=False),
              help="DECISIONS: seeker_id, role_id, fit, selected (+ rank, outcomes, batch).")
@click.option("--matches", type=click.Path(dir_okay=False),
              help="MATCHES from `matcher match` (the selections); needs --alternatives.")
@click.option("--alternatives", type=click.Path(dir_okay=False),
              help="ALTS from `matcher match` (the eligible pool; use --top-k 0 for all pairs).")
@click.option("--json", "json_out", type=click.Path(dir_okay=False), help="Write OUT.json.")
@click.option("--html", "html_out", type=click.Path(dir_okay=False),
              help="Write the self-contained HTML report.")
@click.option("--min-cell", type=int, default=5, show_default=True,
              help="Suppress counts under this (and the cells that would reveal them).")
@click.option("--alpha", type=float, default=0.05, show_default=True,
              help="Significance level; intervals are 1 - alpha.")
@click.option("--seed", type=int, default=0, show_default=True, help="Bootstrap seed.")
@click.option("--bootstrap", type=int, default=1000, show_default=True,
              help="Tier-stratified bootstrap replicates (0: none).")
@click.option("--correction", type=click.Choice(["holm", "bh"]), default="holm",
              show_default=True, help="Multiple-test correction across the creaming tests.")
@click.option("--last-batches", type=int, default=None,
              help="Parking (C9) over the last K batches only (default: all).")
@click.option("--group", "group", multiple=True,
              help="A SEEKERS column to break selection rates down by (repeatable).")
@click.option("--history", type=click.Path(exists=True, file_okay=False),
              help="A run history folder (matcher match --history) as DECISIONS, one batch "
                   "per run.")
def audit_command(seekers: str, decisions: str | None, matches: str | None,
                  alternatives: str | None, json_out: str | None, html_out: str | None,
                  min_cell: int, alpha: float, seed: int, bootstrap: int, correction: str,
                  last_batches: int | None, group: tuple[str, ...],
                  history: str | None = None) -> None:
    """Audit a selection for creaming and parking (fit held constant)."""
    engine = matches is not None or alternatives is not None
    if [decisions is not None, history is not None, engine].count(True) != 1 or (
            engine and (matches is None or alternatives is None)):
        fail("give either --decisions, --history, or both --matches and --alternatives", 2)
    try:
        pool: Any = decisions
        if history is not None:
            from matcher.io.history import history_decisions, read_history

            pool = history_decisions(read_history(history))
        result = audit(seekers, pool, matches=matches, alternatives=alternatives,
                       group=group, min_cell=min_cell, alpha=alpha, seed=seed,
                       bootstrap=bootstrap, correction=correction, last_batches=last_batches)
        written = []
        if json_out:
            written.append(result.write_json(json_out))
        if html_out:
            written.append(result.write_html(html_out))
    except (InputError, ConfigError) as exc:
        fail(str(exc), 2)
    except MatcherError as exc:
        fail(str(exc), 1)
    for w in result.warnings:
        click.echo(f"warning: {w}", err=True)
    v = result.verdict
    click.echo(f"creaming detected: {'yes' if v.creaming_detected else 'no'}")
    parking = ("not assessed" if not v.parking_assessed
               else "yes" if v.parking_detected else "no")
    click.echo(f"parking detected: {parking}")
    for reason in v.reasons:
        click.echo(f"  - {reason}")
    for path in written:
        click.echo(f"wrote {path}")
