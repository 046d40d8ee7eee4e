"""Tests of the run history: appends are atomic and never lost, parking raises priority."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

import matcher
from matcher.errors import InputError
from matcher.io.history import append_run, read_history, seeker_history
from matcher.policy import parked_seekers, priority


def record(assignment: dict[str, str | None]) -> dict[str, Any]:
    return {"assignment": [[s, r, None if r is None else 0.5] for s, r in assignment.items()]}


def test_runs_read_back_in_order_with_streaks(tmp_path: Path) -> None:
    append_run(tmp_path, record({"A": None, "B": "R1", "C": None}))
    append_run(tmp_path, record({"A": None, "B": None}))  # C not in this batch
    append_run(tmp_path, record({"A": None, "B": None, "C": "R2"}))
    runs = read_history(tmp_path)
    assert [r.assignment.get("C", "-") for r in runs] == [None, "-", "R2"]
    assert seeker_history(runs, ["A", "B", "C", "D"]) == {
        "A": {"runs": 3, "matched": 0, "unmatched_streak": 3},
        "B": {"runs": 3, "matched": 1, "unmatched_streak": 2},
        "C": {"runs": 2, "matched": 1, "unmatched_streak": 0},
        "D": {"runs": 0, "matched": 0, "unmatched_streak": 0},
    }
    assert read_history(tmp_path / "nothing-yet") == []


def test_history_makes_a_parked_seekers_priority_rise(tmp_path: Path) -> None:
    seekers = pl.DataFrame({"seeker_id": ["P", "Q"], "tier": ["T1", "T2"]})
    ids = seekers["seeker_id"].to_list()
    before = priority(seekers, parked_seekers(seeker_history(read_history(tmp_path), ids), ids, 2))
    for _ in range(2):
        append_run(tmp_path, record({"P": None, "Q": "R1"}))
    after = priority(seekers, parked_seekers(seeker_history(read_history(tmp_path), ids), ids, 2))
    assert before.tolist() == [0.0, 1.0]
    assert after.tolist() == [1.0, 1.0]  # P left out twice: the highest priority
    three = parked_seekers(seeker_history(read_history(tmp_path), ids), ids, 3)
    assert three.tolist() == [False, False]


def test_a_corrupt_run_is_an_error_naming_the_file(tmp_path: Path) -> None:
    append_run(tmp_path, record({"A": "R1"}))
    bad = tmp_path / "run-20260101T000000000000Z-000000000000.json"
    bad.write_text('{"format": "matcher-run-history/1", "assignment": [["A", "R1"')
    with pytest.raises(InputError) as info:
        read_history(tmp_path)
    assert str(bad) in str(info.value) and "is not a run of the history" in str(info.value)
    bad.write_text('{"format": "matcher-run-history/1", "assignment": [["A", 3, null]]}')
    with pytest.raises(InputError, match="assignment entry 1 must be"):
        read_history(tmp_path)


def test_concurrent_appends_lose_no_run(tmp_path: Path) -> None:
    def append(k: int) -> None:
        for r in range(5):
            append_run(tmp_path, record({f"S{k}": f"R{r}"}))

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(append, range(8)))
    runs = read_history(tmp_path)
    assert len(runs) == 40
    assert sorted(next(iter(r.assignment.items())) for r in runs) == sorted(
        (f"S{k}", f"R{r}") for k in range(8) for r in range(5))


_APPENDER = """
import sys
from matcher.io.history import append_run
rows = [[f"S{i:07d}", None if i % 3 else "R1", None if i % 3 else 0.5] for i in range(100_000)]
while True:
    append_run(sys.argv[1], {"assignment": rows})
"""


def test_a_kill_mid_append_leaves_the_history_readable(tmp_path: Path) -> None:
    append_run(tmp_path, record({"A": "R1"}))
    env = {**os.environ, "PYTHONPATH": str(Path(matcher.__file__).parents[1])}
    proc = subprocess.Popen([sys.executable, "-c", _APPENDER, str(tmp_path)], env=env)
    try:
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob(".run-*")):  # a run is being written: kill it now
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
    runs = read_history(tmp_path)  # every run file whole; the half-written one never counts
    assert runs[0].assignment == {"A": "R1"}
    assert all(len(r.assignment) == 100_000 for r in runs[1:])
    assert list(tmp_path.glob(".run-*"))  # the killed append's temporary file, ignored


def test_match_history_feeds_parking_and_the_manifest(
    samples: tuple[Any, Any], taxonomy: matcher.Taxonomy, sample_result: matcher.MatchResult,
    tmp_path: Path
) -> None:
    seekers, roles = samples
    folder = tmp_path / "historikk"
    settings = {"taxonomy": taxonomy, "policy": "priority", "priority_weight": 0.0,
                "history": str(folder), "protect_parked": 1}
    first = matcher.match(seekers, roles, **settings)
    first.append_history()
    second = matcher.match(seekers, roles, **settings)
    second.append_history()
    h = second.manifest["history"]
    assert h["runs"] == 2 and h["parked_after"] == 1
    unmatched = first.matches.filter(pl.col("role_id").is_null())["seeker_id"].to_list()
    assert unmatched
    # weight 0: parking changes nothing, and those left out twice have a streak of 2
    assert all(h["seekers"][s]["unmatched_streak"] == 2 for s in unmatched)
    text = "".join(p.read_text() for p in folder.glob("run-*.json"))
    assert "reason" not in text and "agronom" not in text  # ids only, no free text
    runs = read_history(folder)
    assert [sum(r is None for r in run.assignment.values()) for run in runs] == [
        len(unmatched)] * 2
    # with a weight, someone left out before now gets a place
    third = matcher.match(seekers, roles, **{**settings, "priority_weight": 0.5})
    placed = set(third.matches.filter(pl.col("role_id").is_not_null())["seeker_id"])
    assert placed & set(unmatched)
    assert np.isfinite(third.manifest["objective_total"])


def test_report_shows_overrides_curve_and_parking_from_a_real_run(
    samples: tuple[Any, Any], taxonomy: matcher.Taxonomy, sample_result: matcher.MatchResult,
    tmp_path: Path
) -> None:
    seekers, roles = samples
    folder = tmp_path / "h"
    settings = {"taxonomy": taxonomy, "policy": "priority", "priority_weight": 0.1,
                "history": str(folder), "protect_parked": 1}
    matcher.match(seekers, roles, **settings).append_history()
    unmatched = sample_result.matches.filter(pl.col("role_id").is_null())["seeker_id"][0]
    forbid = sample_result.matches.filter(pl.col("role_id").is_not_null()).row(0)
    result = matcher.match(seekers, roles, **settings, curve=[0.0, 0.5],
                           overrides=[matcher.policy.Override("forbid", forbid[0], forbid[1])])
    page = result.write_report(tmp_path / "r.html", lang="nb", seekers=seekers,
                               roles=roles).read_text(encoding="utf-8")
    for section in ("id='overrides'", "id='curve'", "id='parking'",
                    "Endringer gjort av veileder", "Hva prioritering koster"):
        assert section in page, section
    assert str(folder) not in page  # the history folder's path is not shown
    assert result.manifest["history"]["seekers"][unmatched]["runs"] == 2


def test_history_becomes_the_audits_decisions_across_batches(
    samples: tuple[Any, Any], taxonomy: matcher.Taxonomy, sample_result: matcher.MatchResult,
    tmp_path: Path
) -> None:
    from matcher.audit.inputs import read_decisions
    from matcher.io import write_table
    from matcher.io.history import history_decisions

    seekers, roles = samples
    for top_k in (5, 1):
        matcher.match(seekers, roles, taxonomy=taxonomy, top_k=top_k,
                      history=str(tmp_path)).append_history()
    decisions = history_decisions(read_history(tmp_path))
    assert decisions["batch"].unique().sort().to_list() == ["B1", "B2"]
    chosen = sample_result.matches.filter(pl.col("role_id").is_not_null())
    for batch in ("B1", "B2"):
        picked = decisions.filter((pl.col("batch") == batch) & (pl.col("selected") == 1))
        assert sorted(picked.select("seeker_id", "role_id").rows()) == sorted(
            chosen.select("seeker_id", "role_id").rows())  # even below top_k 1
        assert picked["fit"].to_list() == pytest.approx(
            chosen.sort("seeker_id")["score"].to_list())
    assert decisions.filter(pl.col("batch") == "B1").height == sample_result.alternatives.height
    write_table(decisions, tmp_path / "decisions.csv")
    typed = read_decisions(tmp_path / "decisions.csv",
                           set(sample_result.matches["seeker_id"].to_list()))
    assert typed.height == decisions.height
    from click.testing import CliRunner

    from matcher.cli.base import cli

    res = CliRunner().invoke(cli, ["audit", "--seekers", str(seekers), "--history",
                                   str(tmp_path), "--bootstrap", "0"])
    assert res.exit_code == 0, res.output
    assert "over 2 batches (C9)" in res.output
    res = CliRunner().invoke(cli, ["audit", "--seekers", str(seekers), "--history",
                                   str(tmp_path), "--decisions", str(tmp_path / "decisions.csv")])
    assert res.exit_code == 2 and "give either --decisions, --history" in res.output


def test_manifest_and_history_name_local_files_without_their_folders(
    samples: tuple[Any, Any], taxonomy: matcher.Taxonomy, tmp_path: Path
) -> None:
    """The taxonomy, the overrides file and the history folder are recorded as inputs are:
    by name (and SHA-256), never by a path that tells how the user's disk is laid out."""
    import hashlib
    import json

    snapshot = Path(matcher.__file__).parent / "taxonomy" / "data" / "esco-v1.1.1.zip"
    private = tmp_path / "Ola Nordmann" / "saker"
    private.mkdir(parents=True)
    changes = private / "endringer.csv"
    seekers, roles = samples
    changes.write_text("seeker_id,role_id,action\nS001,R01,forbid\n")
    result = matcher.match(
        seekers, roles, taxonomy=taxonomy, overrides=changes,
        config=matcher.MatchConfig(taxonomy=str(snapshot), history=str(private / "historikk")))
    text = json.dumps(result.manifest)
    assert str(tmp_path) not in text and str(snapshot.parent) not in text
    m = result.manifest
    assert m["settings"]["taxonomy"] == "esco-v1.1.1.zip"
    assert m["settings"]["history"] == "historikk"
    assert m["taxonomy"]["sha256"] == hashlib.sha256(snapshot.read_bytes()).hexdigest()
    assert m["inputs"]["overrides"] == {
        "file": "endringer.csv", "sha256": hashlib.sha256(changes.read_bytes()).hexdigest()}
    written = result.append_history()
    assert written.parent == private / "historikk"
    assert str(tmp_path) not in written.read_text()
