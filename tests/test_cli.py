"""The command-line contract: outputs, exit status 2 on bad input, nothing half-written."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from matcher.cli import cli


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_match_writes_matches_alternatives_and_manifest(samples, tmp_path: Path) -> None:
    out, alts = tmp_path / "matches.csv", tmp_path / "alts.parquet"
    code, stdout, _ = run("match", *map(str, samples), "--out", str(out),
                          "--alternatives", str(alts), "--top-k", "3")
    assert code == 0
    assert "Total fit" in stdout
    matches = pl.read_csv(out)
    assert matches.columns == ["seeker_id", "role_id", "score", "reason"]
    ranks = pl.read_parquet(alts).group_by("seeker_id").agg(pl.col("rank").max())
    assert ranks["rank"].max() <= 3
    manifest = json.loads(Path(f"{out}.manifest.json").read_text())
    assert manifest["settings"]["top_k"] == 3
    assert manifest["matched"] == matches["role_id"].drop_nulls().len()


def test_outputs_are_byte_identical_whatever_the_row_order(samples, tmp_path: Path) -> None:
    shuffled = []
    for name, path in zip(("s.csv", "r.csv"), samples, strict=True):
        target = tmp_path / name
        pl.read_csv(path, infer_schema=False).sample(fraction=1.0, shuffle=True, seed=5).write_csv(
            target)
        shuffled.append(str(target))
    run("match", *map(str, samples), "--out", str(tmp_path / "a.csv"),
        "--alternatives", str(tmp_path / "a_alts.csv"))
    run("match", *shuffled, "--out", str(tmp_path / "b.csv"),
        "--alternatives", str(tmp_path / "b_alts.csv"))
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert (tmp_path / "a_alts.csv").read_bytes() == (tmp_path / "b_alts.csv").read_bytes()


def test_scores_are_written_at_full_precision(samples, tmp_path: Path) -> None:
    import matcher

    out = tmp_path / "m.csv"
    run("match", *map(str, samples), "--out", str(out))
    written = pl.read_csv(out).drop_nulls("score")["score"].to_list()
    exact = matcher.match(*samples).matches.drop_nulls("score")["score"].to_list()
    assert written == exact


def test_bad_input_exits_2_with_every_problem_and_writes_nothing(samples, tmp_path: Path) -> None:
    roles = pl.read_csv(samples[1], infer_schema=False)
    roles = roles.with_columns(
        pl.when(pl.col("role_id") == "R02").then(pl.lit("-2")).otherwise(pl.col("slots"))
        .alias("slots"),
        pl.when(pl.col("role_id") == "R04").then(pl.lit("xx")).otherwise(pl.col("languages"))
        .alias("languages"),
    )
    bad = tmp_path / "roles.csv"
    roles.write_csv(bad)
    out = tmp_path / "out" / "matches.csv"
    out.parent.mkdir()
    code, _, stderr = run("match", str(samples[0]), str(bad), "--out", str(out))
    assert code == 2
    assert "roles.csv line 3, column 'slots': must be an integer >= 0, got '-2'" in stderr
    assert "roles.csv line 5, column 'languages'" in stderr
    assert "Traceback" not in stderr
    assert list(out.parent.iterdir()) == []


def test_problems_of_both_files_are_reported_together(samples, tmp_path: Path) -> None:
    seekers = pl.read_csv(samples[0], infer_schema=False).with_columns(
        pl.when(pl.col("seeker_id") == "S003").then(pl.lit("95")).otherwise(pl.col("lat"))
        .alias("lat"))
    roles = pl.read_csv(samples[1], infer_schema=False).drop("enterprise")
    seekers.write_csv(tmp_path / "seekers.csv")
    roles.write_csv(tmp_path / "roles.csv")
    code, _, stderr = run("match", str(tmp_path / "seekers.csv"), str(tmp_path / "roles.csv"),
                          "--out", str(tmp_path / "m.csv"))
    assert code == 2
    assert "roles.csv column 'enterprise': required column is missing" in stderr
    assert "seekers.csv line 4, column 'lat'" in stderr
    assert not (tmp_path / "m.csv").exists()


def test_missing_file_exits_2(tmp_path: Path, samples) -> None:
    code, _, stderr = run("match", str(tmp_path / "nope.csv"), str(samples[1]),
                          "--out", str(tmp_path / "m.csv"))
    assert code == 2
    assert "nope.csv" in stderr
    assert not (tmp_path / "m.csv").exists()


def test_bad_setting_exits_2_before_reading(samples, tmp_path: Path) -> None:
    code, _, stderr = run("match", *map(str, samples), "--out", str(tmp_path / "m.csv"),
                          "--min-score", "2")
    assert code == 2
    assert "Invalid value for '--min-score': 2.0 is not in the range 0.0<=x<=1.0" in stderr
    assert not (tmp_path / "m.csv").exists()
    # a rule between settings is the library's own
    code, _, stderr = run("match", *map(str, samples), "--out", str(tmp_path / "m.csv"),
                          "--priority-weight", "1")
    assert code == 2 and not (tmp_path / "m.csv").exists()
    assert "'priority_weight' parameter of MatchConfig must be 0 with policy='fit'" in stderr


@pytest.mark.parametrize("suffix", [".txt", ".xls"])
def test_unknown_output_format_is_refused(samples, tmp_path: Path, suffix: str) -> None:
    code, _, stderr = run("match", *map(str, samples), "--out", str(tmp_path / f"m{suffix}"))
    assert code == 2
    assert "must end in one of .csv, .xlsx, .parquet, .json" in stderr


def test_demo_runs_in_an_empty_directory(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "matcher.cli", "demo"], cwd=tmp_path, capture_output=True,
        text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Matched" in done.stdout and "First matches:" in done.stdout
    assert (tmp_path / "matcher-demo" / "matches.csv").exists()
    assert (tmp_path / "matcher-demo" / "matches.csv.manifest.json").exists()
    assert (tmp_path / "matcher-demo" / "report.html").exists()


@pytest.mark.parametrize(
    ("seekers_ext", "roles_ext"), [(".json", ".parquet"), (".parquet", ".json")]
)
def test_json_and_parquet_inputs_give_the_same_proposal(
    samples, tmp_path: Path, seekers_ext: str, roles_ext: str
) -> None:
    converted = []
    for path, ext in zip(samples, (seekers_ext, roles_ext), strict=True):
        frame = pl.read_csv(path, infer_schema=False)
        target = tmp_path / f"{path.stem}{ext}"
        frame.write_json(target) if ext == ".json" else frame.write_parquet(target)
        converted.append(str(target))
    run("match", *map(str, samples), "--out", str(tmp_path / "from_csv.csv"))
    code, _, stderr = run("match", *converted, "--out", str(tmp_path / "converted.csv"))
    assert code == 0, stderr
    assert (tmp_path / "from_csv.csv").read_bytes() == (tmp_path / "converted.csv").read_bytes()


def test_a_broken_taxonomy_folder_exits_2_naming_what_is_missing(samples, tmp_path: Path) -> None:
    broken = tmp_path / "esco"
    broken.mkdir()
    (broken / "skills_en.csv").write_text("conceptUri,preferredLabel\n", encoding="utf-8")
    code, _, stderr = run("match", *map(str, samples), "--out", str(tmp_path / "m.csv"),
                          "--taxonomy", str(broken))
    assert code == 2
    assert "occupations_en.csv" in stderr and "Traceback" not in stderr
    assert not (tmp_path / "m.csv").exists()


def test_crosswalk_is_used_and_recorded(samples, tmp_path: Path) -> None:
    from conftest import SHARED_DATA

    crosswalk = SHARED_DATA / "crosswalks" / "esco-styrk08-no-2022-09-20.csv"
    if not crosswalk.is_file():
        pytest.skip(f"the reference data is not at {SHARED_DATA}")
    out = tmp_path / "m.csv"
    code, _, stderr = run("match", *map(str, samples), "--out", str(out),
                          "--crosswalk", str(crosswalk))
    assert code == 0, stderr
    manifest = json.loads(Path(f"{out}.manifest.json").read_text())
    assert manifest["taxonomy"]["crosswalk"] == crosswalk.name
    assert manifest["settings"]["crosswalk"] == crosswalk.name  # the name, never the path
    assert manifest["taxonomy"]["crosswalk_sha256"] == hashlib.sha256(
        crosswalk.read_bytes()).hexdigest()


_NUMBER_OPTIONS = {"top_k": "--top-k", "min_score": "--min-score",
                   "default_max_distance_km": "--max-distance-km", "seed": "--seed",
                   "candidates": "--candidates", "role_candidates": "--role-candidates",
                   "repair_rounds": "--repair-rounds", "repair_gap": "--repair-gap",
                   "priority_weight": "--priority-weight", "protect_parked": "--protect-parked"}


@pytest.mark.parametrize(("setting", "option"), sorted(_NUMBER_OPTIONS.items()))
def test_a_number_option_is_checked_by_its_settings_own_range(setting: str, option: str) -> None:
    """The option takes exactly what MatchConfig takes, and a value out of range is an error
    that names the option (not the library's parameter)."""
    import click

    from matcher.config import MatchConfig, setting_range

    command = cli.get_command(click.Context(cli), "match")
    assert command is not None
    param = next(p for p in command.params if p.name == setting)
    assert option in param.opts
    rule = setting_range(setting)
    edges = [x for x in (rule.left, rule.right) if x is not None]
    values = sorted({v for x in edges for v in (x - 1, x - 0.5, x, x + 0.5, x + 1)})
    for value in values:
        if rule.kind is int and value != int(value):
            continue
        value = int(value) if rule.kind is int else float(value)
        try:
            param.type.convert(value, param, None)
            taken = True
        except click.BadParameter:
            taken = False
        assert taken == rule.allows(value), (option, value)
    assert setting in MatchConfig.__dataclass_fields__
    bad = (rule.left - 1) if rule.left is not None else rule.right + 1  # type: ignore[operator]
    result = CliRunner().invoke(cli, ["match", "s.csv", "r.csv", "--out", "m.csv", option,
                                      str(int(bad) if rule.kind is int else bad)])
    assert result.exit_code == 2 and f"'{option}'" in result.output, result.output
