"""Scale: the same bytes whichever executor runs the assignment, a missing Dask named with its
install command, and --shard-by with the loss at region borders bounded."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner
from test_score import random_batch

import matcher
from matcher.cli import cli
from matcher.errors import ConfigError, InputError
from matcher.executors import DASK_MISSING


def _batch() -> tuple[pl.DataFrame, pl.DataFrame]:
    seekers, roles = random_batch(np.random.default_rng(7), 40, 16)
    return seekers, roles


def _written(result: matcher.MatchResult, folder: Path) -> dict[str, bytes]:
    folder.mkdir()
    result.write(folder / "m.csv", alternatives=folder / "a.csv")
    manifest = json.loads((folder / "m.csv.manifest.json").read_text())
    for key in ("timings_s", "settings"):
        manifest.pop(key)
    return {"m.csv": (folder / "m.csv").read_bytes(), "a.csv": (folder / "a.csv").read_bytes(),
            "manifest": json.dumps(manifest, sort_keys=True).encode()}


def test_executors_give_the_same_bytes(tmp_path: Path, taxonomy: matcher.Taxonomy) -> None:
    seekers, roles = _batch()
    outputs = {
        name: _written(matcher.match(seekers, roles, taxonomy=taxonomy, executor=name,
                                     solver="sparse"), tmp_path / name)
        for name in ("serial", "processes", "dask")
    }
    assert outputs["serial"]["m.csv"].count(b"\n") == 41
    assert outputs["processes"] == outputs["serial"]
    assert outputs["dask"] == outputs["serial"]


def test_missing_dask_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "distributed" else real(name, *a))
    seekers, roles = _batch()
    with pytest.raises(ConfigError) as info:
        matcher.match(seekers, roles, executor="dask")
    assert str(info.value) == DASK_MISSING
    assert "pip install -e '.[dask]'" in DASK_MISSING


def test_dask_scheduler_needs_the_dask_executor() -> None:
    with pytest.raises(ConfigError, match="'dask_scheduler' parameter of MatchConfig"):
        matcher.MatchConfig(dask_scheduler="tcp://127.0.0.1:8786")


def _regions(seekers: pl.DataFrame, roles: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Two regions split at longitude 10.5; a few rows state no region."""
    def region(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(
            pl.when(pl.col("lon").is_null() | (pl.int_range(pl.len()) % 9 == 4)).then(None)
            .when(pl.col("lon") < 10.5).then(pl.lit("Vest")).otherwise(pl.lit("Øst"))
            .alias("fylke"))
    return region(seekers), region(roles)


def test_shard_by_bounds_the_loss_at_borders(taxonomy: matcher.Taxonomy) -> None:
    seekers, roles = _regions(*_batch())
    whole = matcher.match(seekers, roles, taxonomy=taxonomy, top_k=0)
    split = matcher.match(seekers, roles, taxonomy=taxonomy, top_k=0, shard_by="fylke")
    region = dict(zip(seekers["seeker_id"], seekers["fylke"], strict=True))
    region.update(zip(roles["role_id"], roles["fylke"], strict=True))
    border = [
        (s, r) for s, r in whole.alternatives.select("seeker_id", "role_id").iter_rows()
        if region[s] is not None and region[r] is not None and region[s] != region[r]
    ]
    sharding = split.manifest["sharding"]
    assert sharding["column"] == "fylke"
    assert sharding["border_pairs"] == len(border) > 0
    # no pair across regions is proposed, and the loss is bounded, never understated
    placed = split.matches.drop_nulls("role_id").select("seeker_id", "role_id").iter_rows()
    assert not set(placed) & set(border)
    loss = whole.manifest["total_score"] - split.manifest["total_score"]
    assert loss >= -1e-9
    assert sharding["loss_bound"] >= loss - 1e-9
    opt = split.manifest["optimality"]
    assert opt["upper_bound"] >= whole.manifest["total_score"] - 1e-9
    assert opt["certified"] == (sharding["loss_bound"] <= 1e-9)


def test_the_policy_curve_solves_the_sharded_problem_the_run_solves(
    taxonomy: matcher.Taxonomy,
) -> None:
    seekers, roles = _regions(*random_batch(np.random.default_rng(1), 40, 16))
    whole = matcher.match(seekers, roles, taxonomy=taxonomy, top_k=0)
    split = matcher.match(seekers, roles, taxonomy=taxonomy, top_k=0, shard_by="fylke",
                          curve=[0.0])
    assert whole.manifest["total_score"] > split.manifest["total_score"] + 1e-6  # borders cost
    assert split.manifest["policy_curve"][0]["total_score"] == pytest.approx(
        split.manifest["total_score"], abs=1e-12)


def test_shard_by_without_the_column_names_it(taxonomy: matcher.Taxonomy) -> None:
    seekers, roles = _batch()
    seekers = seekers.with_columns(pl.lit("Øst").alias("fylke"))
    with pytest.raises(InputError, match="roles column 'fylke': must be a column of both inputs"):
        matcher.match(seekers, roles, taxonomy=taxonomy, shard_by="fylke")


def test_cli_passes_candidates_and_shard_by(tmp_path: Path) -> None:
    seekers, roles = _regions(*_batch())
    seekers.write_csv(tmp_path / "s.csv")
    roles.write_csv(tmp_path / "r.csv")
    out = tmp_path / "m.csv"
    run = CliRunner().invoke(cli, ["match", str(tmp_path / "s.csv"), str(tmp_path / "r.csv"),
                                   "--out", str(out), "--candidates", "2", "--role-candidates", "1",
                                   "--shard-by", "fylke", "--executor", "processes"])
    assert run.exit_code == 0, run.output
    manifest = json.loads(Path(f"{out}.manifest.json").read_text())
    assert manifest["settings"]["candidates"] == 2
    assert manifest["settings"]["role_candidates"] == 1
    assert manifest["settings"]["executor"] == "processes"
    assert manifest["sharding"]["column"] == "fylke"
    assert manifest["counts"]["candidate_pairs"] < manifest["counts"]["allowed_pairs"]


def test_alternatives_by_reduced_ranks_by_score_minus_the_role_price(
    taxonomy: matcher.Taxonomy,
) -> None:
    import scipy.sparse as sp

    from matcher.assign import dual_prices

    seekers, roles = _batch()
    plain = matcher.match(seekers, roles, taxonomy=taxonomy, top_k=0)
    reduced = matcher.match(seekers, roles, taxonomy=taxonomy, top_k=0, alternatives_by="reduced")
    assert reduced.matches.equals(plain.matches)
    # the same pairs, ranked by score minus the role's dual price, recomputed from the outputs
    sid = {s: i for i, s in enumerate(seekers["seeker_id"].sort())}
    rid = {r: j for j, r in enumerate(roles["role_id"].sort())}
    slots = roles.sort("role_id")["slots"].to_numpy()
    alts = plain.alternatives
    w = sp.csr_array((alts["score"].to_numpy(),
                      ([sid[s] for s in alts["seeker_id"]], [rid[r] for r in alts["role_id"]])),
                     shape=(len(sid), len(rid)))
    placed = np.full(len(sid), -1)
    for s, r in plain.matches.drop_nulls("role_id").select("seeker_id", "role_id").iter_rows():
        placed[sid[s]] = rid[r]
    price = dual_prices(w, slots, placed).role
    expected = (alts.with_columns(
        (pl.col("score") - pl.Series([price[rid[r]] for r in alts["role_id"]])).alias("net"))
        .sort(["seeker_id", "net", "role_id"], descending=[False, True, False]))
    got = reduced.alternatives
    assert got.select("seeker_id", "role_id").equals(expected.select("seeker_id", "role_id"))
    assert got["rank"].to_list() == plain.alternatives["rank"].to_list()
    assert (price > 0).any()  # some role is congested, so the two rankings can differ
    assert not got.select("seeker_id", "role_id").equals(alts.select("seeker_id", "role_id"))


def test_progress_goes_to_stderr_on_a_terminal_only(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    taxonomy: matcher.Taxonomy,
) -> None:
    seekers, roles = _batch()
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich draws as on a terminal
    matcher.match(seekers, roles, taxonomy=taxonomy, progress=True)
    out, err = capfd.readouterr()
    assert "matching: explain" in err and out == ""
    assert "matching: scoring" in err and "40/40" in err  # seekers scored, block by block
    seekers.write_csv(tmp_path / "s.csv")
    roles.write_csv(tmp_path / "r.csv")
    for quiet in ([], ["--quiet"]):
        run = CliRunner().invoke(cli, ["match", str(tmp_path / "s.csv"), str(tmp_path / "r.csv"),
                                       "--out", str(tmp_path / "m.csv"), *quiet])
        assert run.exit_code == 0, run.output
        assert "matching:" not in run.output  # not a terminal: no progress


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_shard_by_reads_the_region_of_each_row_from_files(
    tmp_path: Path, suffix: str, taxonomy: matcher.Taxonomy
) -> None:
    seekers, roles = _regions(*_batch())
    # rows shuffled: the region must follow its row, not its position
    seekers = seekers.sample(fraction=1.0, shuffle=True, seed=3)
    roles = roles.sample(fraction=1.0, shuffle=True, seed=4)
    paths = []
    for name, frame in (("s", seekers), ("r", roles)):
        path = tmp_path / f"{name}{suffix}"
        frame.write_csv(path) if suffix == ".csv" else frame.write_json(path)
        paths.append(path)
    whole = matcher.match(*paths, taxonomy=taxonomy, top_k=0)
    split = matcher.match(*paths, taxonomy=taxonomy, top_k=0, shard_by="fylke")
    region = dict(zip(seekers["seeker_id"], seekers["fylke"], strict=True))
    region.update(zip(roles["role_id"], roles["fylke"], strict=True))
    border = {
        (s, r) for s, r in whole.alternatives.select("seeker_id", "role_id").iter_rows()
        if region[s] is not None and region[r] is not None and region[s] != region[r]
    }
    assert split.manifest["sharding"]["border_pairs"] == len(border) > 0
    placed = split.matches.drop_nulls("role_id").select("seeker_id", "role_id").iter_rows()
    assert not set(placed) & border
