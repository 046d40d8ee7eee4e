"""``matcher policy-curve``: what giving priority costs, so an office chooses knowingly.

A thin shell over :func:`matcher.match` with ``curve=``: each priority weight is solved exactly
and the table shows, per weight, the total fit, the fit given up against the smallest weight,
and the share matched in each tier (see :mod:`matcher.policy`).
"""

from __future__ import annotations

from typing import Any

import click

from matcher.api import match
from matcher.cli.base import cli, fail
from matcher.cli.match import parse_weights, setting_option
from matcher.config import SOLVERS, MatchConfig
from matcher.errors import ConfigError, InputError, MatcherError, TaxonomyError
from matcher.io import write_json

__all__ = ["policy_curve_command"]

_defaults = MatchConfig()


def curve_table(points: list[dict[str, Any]]) -> str:
    """The curve as a plain-text table (weights ascending)."""
    if not points:
        return ""
    tiers = list(dict.fromkeys(t for p in points for t in p["match_rate_by_tier"]))
    base = points[0]["total_score"]
    head = ["weight", "total fit", "fit lost", "matched", *tiers]
    rows = [[f"{p['weight']:g}", f"{p['total_score']:.4f}", f"{base - p['total_score']:.4f}",
             str(p["matched"]),
             *(f"{100 * p['match_rate_by_tier'][t]:.1f} %" for t in tiers)] for p in points]
    width = [max(len(r[k]) for r in [head, *rows]) for k in range(len(head))]
    return "\n".join("  ".join(c.rjust(w) for c, w in zip(r, width, strict=True))
                     for r in [head, *rows])


@cli.command("policy-curve")
@click.argument("seekers", type=click.Path(dir_okay=False))
@click.argument("roles", type=click.Path(dir_okay=False))
@click.option("--weights", required=True, metavar="W1,W2,...",
              help="Priority weights to solve, e.g. 0,0.05,0.1,0.2,0.5 (units of fit).")
@click.option("--min-score", type=setting_option("min_score"),
              default=_defaults.min_score, show_default=True,
              help="Pairs scoring below this are never proposed.")
@click.option("--solver", type=click.Choice(SOLVERS), default=_defaults.solver,
              show_default=True, help="Exact assignment solver.")
@click.option("--history", type=click.Path(file_okay=False),
              help="Run history folder, for --protect-parked (read only: nothing is added).")
@click.option("--protect-parked", type=click.IntRange(0), default=0, show_default=True,
              help="Those left without a place in each of their last K runs get top priority.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False),
              help="Also write the curve as JSON (the manifest's policy_curve).")
def policy_curve_command(seekers: str, roles: str, weights: str, min_score: float,
                         solver: str, history: str | None, protect_parked: int,
                         json_out: str | None) -> None:
    """Solve each priority weight exactly: fit given up against match rates by tier."""
    try:
        curve = parse_weights(weights, "--weights")
        config = MatchConfig(min_score=min_score, solver=solver, policy="priority",  # type: ignore[arg-type]
                             priority_weight=min(curve), history=history,
                             protect_parked=protect_parked)
        result = match(seekers, roles, config=config, curve=curve)
        points = result.manifest["policy_curve"]
        if json_out is not None:
            write_json(points, json_out)
    except (InputError, ConfigError, TaxonomyError) as exc:
        fail(str(exc), 2)
    except MatcherError as exc:
        fail(str(exc), 1)
    if not points or not points[0]["match_rate_by_tier"]:
        click.echo("note: SEEKERS has no tier or employability, so no rates by tier", err=True)
    click.echo(curve_table(points))
