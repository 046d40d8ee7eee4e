"""The run history: one JSON file per batch in a folder, so parking is seen across batches.

``matcher match --history DIR`` appends each run as its own file,
``DIR/run-<UTC time>-<random>.json``, written by the project's atomic writer
(:func:`matcher.io.write.write_json`: a temporary file, fsync, rename). So

- a run is in the history completely or not at all: a process killed mid-append leaves at most
  a hidden temporary file (``.run-...tmp``), which the reader never looks at;
- two runs appended at the same moment never overwrite each other: each has its own name, so
  no lock is needed and none can be left behind by a killed process.

A run holds ids, the assignment, the scores, the settings and the input hashes: no names and
no free text. Runs are read in the order of their names (the UTC time, then the random part).
A file that is not a run (corrupt, cut short, edited by hand) is an error naming it.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from matcher.errors import InputError, OutputError, Problem
from matcher.io.write import write_json

__all__ = [
    "HISTORY_FORMAT",
    "HistoryRun",
    "append_run",
    "history_decisions",
    "read_history",
    "seeker_history",
]

#: the ``format`` field of every run file
HISTORY_FORMAT = "matcher-run-history/1"
RULE_NOT_A_RUN = "is not a run of the history ({detail}); move it out of the folder or restore it"
RULE_NO_FOLDER = "is not a folder"

_PREFIX = "run-"


@dataclass(frozen=True)
class HistoryRun:
    """One past batch: its file name and, per seeker id, the role given (``None``: unmatched).

    ``pool`` holds the run's allowed pairs as ``(seeker_id, role_id, score)`` (each seeker's
    ``top_k`` best, as ALTS listed them); empty for a run stored without them.
    """

    name: str
    assignment: Mapping[str, str | None]
    pool: tuple[tuple[str, str, float], ...] = ()


def append_run(folder: str | os.PathLike[str], record: Mapping[str, Any]) -> Path:
    """Append one run to the history in ``folder`` (created if missing), atomically.

    ``record`` must hold ``assignment``: a list of ``[seeker_id, role_id or None, score or
    None]``, and may hold ``pool``: a list of ``[seeker_id, role_id, score]`` (the allowed
    pairs, for the audit); everything else (settings, input hashes, totals) is stored as it
    is. Returns the new file's path.
    """
    target = Path(folder)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the history folder '{target}': {exc}") from exc
    now = _dt.datetime.now(_dt.UTC)
    name = f"{_PREFIX}{now:%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(6)}.json"
    body = {"format": HISTORY_FORMAT, "created": now.isoformat(timespec="seconds"), **record}
    _check_run(body, target / name)
    return write_json(body, target / name)


def read_history(folder: str | os.PathLike[str]) -> list[HistoryRun]:
    """Every run in ``folder``, oldest first; an empty list when the folder does not exist yet.

    Raises
    ------
    InputError
        Naming every file that is not a run (and why), or ``folder`` when it is a file.
    """
    root = Path(folder)
    if not root.exists():
        return []
    if not root.is_dir():
        raise InputError([Problem(file=str(root), line=None, column=None, rule=RULE_NO_FOLDER)])
    runs: list[HistoryRun] = []
    problems: list[Problem] = []
    for path in sorted(root.glob(f"{_PREFIX}*.json")):
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
            runs.append(HistoryRun(path.name, _check_run(body, path), _check_pool(body)))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValueError) as exc:
            detail = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            problems.append(Problem(file=str(path), line=None, column=None,
                                    rule=RULE_NOT_A_RUN.format(detail=detail)))
    if problems:
        raise InputError(problems)
    return runs


def _check_run(body: Any, path: Path) -> dict[str, str | None]:
    if not isinstance(body, dict) or body.get("format") != HISTORY_FORMAT:
        raise ValueError(f"no 'format': {HISTORY_FORMAT!r}")
    rows = body.get("assignment")
    if not isinstance(rows, list):
        raise ValueError("no 'assignment' list")
    out: dict[str, str | None] = {}
    for k, row in enumerate(rows, start=1):
        ok = (isinstance(row, list) and len(row) == 3 and isinstance(row[0], str)
              and (row[1] is None or isinstance(row[1], str))
              and (row[2] is None or isinstance(row[2], int | float)))
        if not ok or row[0] in out:
            raise ValueError(f"assignment entry {k} must be a new [seeker_id, role_id, score]")
        out[row[0]] = row[1]
    return out


def _check_pool(body: dict[str, Any]) -> tuple[tuple[str, str, float], ...]:
    rows = body.get("pool", [])
    if not isinstance(rows, list):
        raise ValueError("'pool' must be a list")
    out = []
    for k, row in enumerate(rows, start=1):
        if not (isinstance(row, list) and len(row) == 3 and isinstance(row[0], str)
                and isinstance(row[1], str) and isinstance(row[2], int | float)
                and not isinstance(row[2], bool)):
            raise ValueError(f"pool entry {k} must be [seeker_id, role_id, score]")
        out.append((row[0], row[1], float(row[2])))
    return tuple(out)


def history_decisions(runs: Sequence[HistoryRun]) -> pl.DataFrame:
    """The history as the audit's DECISIONS: one row per pair of each run's pool.

    Columns ``seeker_id, role_id, fit, selected, batch``; ``batch`` is the run's position,
    ``B1`` the oldest, so the audit's natural order of batch labels is the order of the runs
    and parking (C9) is measured across them. ``MatchResult.append_history`` puts every
    proposed pair in the pool, also one ranked below ``top_k``. Write the frame with
    :func:`matcher.io.write_table` and give it to ``matcher audit --decisions``.
    """
    seeker, role, fit, selected, batch = [], [], [], [], []
    for k, run in enumerate(runs, start=1):
        label = f"B{k}"
        given = {(s, r) for s, r in run.assignment.items() if r is not None}
        for s, r, score in run.pool:
            seeker.append(s)
            role.append(r)
            fit.append(score)
            selected.append(int((s, r) in given))
            batch.append(label)
    return pl.DataFrame({"seeker_id": seeker, "role_id": role, "fit": fit,
                         "selected": selected, "batch": batch},
                        schema={"seeker_id": pl.String, "role_id": pl.String,
                                "fit": pl.Float64, "selected": pl.Int8, "batch": pl.String})


def seeker_history(
    runs: Sequence[HistoryRun], seeker_ids: Sequence[str]
) -> dict[str, dict[str, int]]:
    """Per seeker: ``runs`` they were in, how often ``matched``, and ``unmatched_streak``.

    The streak counts the seeker's own runs, newest first, up to the last one they were
    matched in: a batch the seeker was not part of neither breaks nor lengthens it.
    """
    out: dict[str, dict[str, int]] = {}
    for sid in seeker_ids:
        seen = matched = streak = 0
        open_streak = True
        for run in reversed(runs):
            if sid not in run.assignment:
                continue
            seen += 1
            if run.assignment[sid] is not None:
                matched += 1
                open_streak = False
            elif open_streak:
                streak += 1
        out[sid] = {"runs": seen, "matched": matched, "unmatched_streak": streak}
    return out
