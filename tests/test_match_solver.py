"""The solver setting end to end: dense and sparse agree, the manifest says which ran and how
close to optimal the proposal is, and the command line passes the choice on."""

from __future__ import annotations

import json

import polars as pl
import pytest
from click.testing import CliRunner

import matcher
from matcher.cli import cli


@pytest.mark.parametrize("solver", ["dense", "sparse", "auto"])
def test_each_solver_reaches_the_same_certified_total(samples, taxonomy, solver) -> None:
    reference = matcher.match(*samples, taxonomy=taxonomy, solver="dense")
    result = matcher.match(*samples, taxonomy=taxonomy, solver=solver)
    assert result.total_score == pytest.approx(reference.total_score, abs=1e-9)
    assert result.manifest["solver"] == ("dense" if solver == "auto" else solver)
    optimality = result.manifest["optimality"]
    assert optimality["certified"] is True
    assert optimality["gap"] == 0.0
    assert optimality["upper_bound"] == pytest.approx(result.total_score, abs=1e-9)
    assert result.manifest["settings"]["solver"] == solver
    # every matched score is what the total adds up
    assert result.total_score == pytest.approx(result.matches["score"].drop_nulls().sum())


def test_unknown_solver_is_a_config_error() -> None:
    with pytest.raises(matcher.ConfigError, match=r"The 'solver' parameter of MatchConfig "
                                                  r"must be one of 'auto', 'dense', 'sparse'\. "
                                                  r"Got 'fast' instead\."):
        matcher.MatchConfig(solver="fast")  # type: ignore[arg-type]


def test_cli_solver_option_reaches_the_manifest(samples, tmp_path) -> None:
    out = tmp_path / "m.csv"
    run = CliRunner().invoke(cli, ["match", *map(str, samples), "--out", str(out),
                                   "--solver", "sparse"])
    assert run.exit_code == 0, run.output
    manifest = json.loads((tmp_path / "m.csv.manifest.json").read_text())
    assert manifest["solver"] == "sparse" and manifest["optimality"]["certified"] is True
    assert "exact (network flow)" in run.output  # the summary names the solver
    assert pl.read_csv(out).height == pl.read_csv(samples[0]).height
    bad = CliRunner().invoke(cli, ["match", *map(str, samples), "--out", str(out),
                                   "--solver", "fast"])
    assert bad.exit_code == 2 and "'fast' is not one of" in bad.output
