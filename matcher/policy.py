"""The policy: what the assignment maximises, and the caseworker's locks and forbids.

A stage between score and assign. Score gives every allowed pair its fit; the policy turns the
fit into the *objective* the solver maximises, and removes or fixes pairs by hand. It never
makes a disallowed pair allowed: it only changes the values of allowed pairs, drops pairs
(forbid) or fixes them (lock).

Policies
--------
``fit`` (the default)
    The objective is the fit: ``score``. Outputs are exactly those of a run without a policy.
``priority`` with weight ``W``
    The objective is ``score + W * priority`` on allowed pairs, so a job-seeker further from
    work wins a place over someone with nearly the same fit. ``priority`` is in [0, 1]:

    - **tier**, where the row has one: ``(rank - 1) / (tiers - 1)``, rank 1 the tier closest
      to work (:func:`matcher.io.tiers.tier_order`): 0 for the closest tier, 1 for the
      furthest, evenly spaced between (one tier only: 0 for everyone);
    - else **1 - employability**, where the row has one;
    - else 0: with nothing known, no priority.
    - ``protect_parked=K``: a job-seeker left without a place in each of their last K runs of
      the history gets 1, the most there is.

    ``W`` is in units of fit: at ``W = 0.1`` a seeker in the furthest tier wins a place over
    one in the closest tier whose fit is up to 0.1 higher.

Why raising ``W`` never takes a place from the furthest tier: compare the optimal assignments
at ``W1 < W2``. Their difference splits into alternating paths and cycles that can each be
switched on their own; optimality at both weights gives, for each piece, ``(W2 - W1) * (change
in total priority) >= 0``. A piece either adds a seeker (an augmenting path), removes one, or
swaps one seeker for another, so every seeker who loses their place is replaced by one of at
least the same priority. Hence for every threshold ``t`` the number of matched seekers with
priority >= ``t`` never falls as ``W`` grows; with tiers, the matched count of each "this tier
or further" group never falls (tests/test_policy.py checks this against random instances).
It is the *count* that is monotone: with ``protect_parked`` a parked seeker of a nearer tier
has priority 1 too and may take the place of someone in the furthest tier.

Overrides
---------
``lock`` fixes a pair (it takes one of the role's places); ``forbid`` removes it. The rest is
solved optimally subject to them: locked seekers and their places leave the problem, forbidden
pairs leave the candidate graph (:func:`restrict`). A lock of a pair that breaks a hard
constraint or scores below ``min_score``, more locks into a role than it has places, two locks
of one seeker, a pair both locked and forbidden or an unknown id are errors naming the file,
line and column (the option and its position for ``--lock`` / ``--forbid``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import polars as pl
import scipy.sparse as sp

from matcher.config import POLICIES
from matcher.errors import InputError, Problem
from matcher.io import read_source
from matcher.io.columns import match_columns
from matcher.io.schema import ROLE_SCHEMA, SEEKER_SCHEMA, Column, Schema
from matcher.io.tiers import tier_order

__all__ = [
    "OVERRIDE_KINDS",
    "POLICIES",
    "Override",
    "Restricted",
    "objective",
    "parked_seekers",
    "parse_override",
    "priority",
    "read_overrides",
    "restrict",
]

OverrideKind = Literal["lock", "forbid"]
OVERRIDE_KINDS: tuple[str, ...] = get_args(OverrideKind)
OVERRIDE_COLUMNS = ("seeker_id", "role_id", "action")

RULE_PAIR = "must be SEEKER=ROLE (two ids joined by '=')"
RULE_ACTION = "must be one of lock, forbid (lås, utelukk; lås, udeluk)"
RULE_SEEKER = "must name a job-seeker in {file}"
RULE_ROLE = "must name a role in {file}"
RULE_LOCK_ALLOWED = ("a lock must name an allowed pair; this one breaks a hard constraint or "
                     "scores below min_score")
RULE_LOCK_TWICE = "the job-seeker is already locked to a role (line {first})"
RULE_LOCK_SLOTS = "locks more job-seekers into role '{role}' than its {slots} place(s)"
RULE_LOCK_FORBID = "the pair is both locked and forbidden (line {first})"
RULE_MISSING_COLUMN = "required column is missing"
RULE_MISSING_VALUE = "must not be empty"

#: an overrides file's columns, found by the names the match knows (``Løpenr``, ``Stilling-ID``,
#: ``Handling``: :func:`matcher.io.columns.match_columns`); only their names are used from it
#: (a seeker may have several overrides, and the values are checked by read_overrides)
OVERRIDE_SCHEMA = Schema(name="overrides", id_column="seeker_id", columns=(
    SEEKER_SCHEMA.column("seeker_id"), ROLE_SCHEMA.column("role_id"),
    Column("action", "choice", RULE_ACTION, required=True,
           aliases=("handling", "valg", "beslutning", "beslutning_type", "type")),
))
#: the words an overrides file may write for each action, any case
ACTION_WORDS: dict[str, OverrideKind] = {
    "lock": "lock", "lås": "lock", "laas": "lock", "låst": "lock", "låse": "lock",
    "forbid": "forbid", "utelukk": "forbid", "utelukke": "forbid", "utelukket": "forbid",
    "udeluk": "forbid", "udelukke": "forbid", "udelukket": "forbid",
}


@dataclass(frozen=True)
class Override:
    """One caseworker's decision: ``kind`` (lock or forbid) on the pair (seeker, role).

    ``file`` and ``line`` say where it was given: an overrides file and the line as a
    spreadsheet shows it (header = line 1; for JSON the record number), or ``'--lock'`` /
    ``'--forbid'`` and the option's position.
    """

    kind: OverrideKind
    seeker_id: str
    role_id: str
    file: str = "--lock"
    line: int = 1

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "seeker_id": self.seeker_id, "role_id": self.role_id}


def parse_override(text: str, kind: str, position: int) -> Override:
    """``'S1=R2'`` given as ``--lock`` or ``--forbid`` (the ``position``-th time) -> Override.

    The pair is split at the first ``=``, so a role id may hold one.
    """
    option = f"--{kind}"
    seeker, sep, role = text.partition("=")
    if kind not in OVERRIDE_KINDS or not sep or not seeker.strip() or not role.strip():
        raise InputError([Problem(file=option, line=position, column=None, rule=RULE_PAIR,
                                  value=text, code="override_pair")])
    return Override(kind, seeker.strip(), role.strip(), option, position)  # type: ignore[arg-type]


def read_overrides(source: str | os.PathLike[str] | pl.DataFrame) -> list[Override]:
    """An overrides file (CSV, Parquet or JSON): columns ``seeker_id, role_id, action``.

    ``action`` is ``lock`` or ``forbid`` (any case). Every problem of the file is raised at once.
    """
    table = read_source(source, name="overrides" if isinstance(source, pl.DataFrame) else None)
    raw, name = table.frame, table.name
    lines = (raw.get_column("_row").cast(pl.Int64).to_list() if "_row" in raw.columns
             else list(range(table.first_line, table.first_line + raw.height)))
    found = match_columns([c for c in raw.columns if c != "_row"], OVERRIDE_SCHEMA, name)
    written = {field: cell for cell, field in found.fields.items()}
    missing = [c for c in OVERRIDE_COLUMNS if c not in written]
    if missing or found.problems:
        raise InputError(found.problems + [
            Problem(file=name, line=None, column=c, rule=RULE_MISSING_COLUMN, code="missing_column",
                    params=(("names", (c, *OVERRIDE_SCHEMA.column(c).aliases[:4])),))
            for c in missing])
    frame = raw.select([pl.col(written[c]).cast(pl.String).str.strip_chars()
                        for c in OVERRIDE_COLUMNS])
    out: list[Override] = []
    problems: list[Problem] = []
    for row, (seeker, role, action) in zip(lines, frame.iter_rows(), strict=True):
        bad = False
        for column, value in (("seeker_id", seeker), ("role_id", role), ("action", action)):
            if not value:
                problems.append(Problem(name, row, written[column], RULE_MISSING_VALUE, value,
                                        code="missing_value"))
                bad = True
        kind = ACTION_WORDS.get(action.lower()) if action else None
        if action and kind is None:
            problems.append(Problem(name, row, written["action"], RULE_ACTION, action,
                                    code="override_action"))
            bad = True
        if not bad and kind is not None:
            out.append(Override(kind, seeker, role, name, row))
    if problems:
        raise InputError(problems)
    return out


def priority(
    seekers: pl.DataFrame, parked: np.ndarray | None = None
) -> np.ndarray:
    """Each seeker's distance from work in [0, 1] (see the module notes), in frame order.

    ``seekers`` is a validated seekers frame (optional ``tier`` and ``employability``
    columns); ``parked`` a boolean array: those seekers get 1.
    """
    n = seekers.height
    out = np.zeros(n, dtype=np.float64)
    if "employability" in seekers.columns:
        e = seekers.get_column("employability").cast(pl.Float64).to_numpy()
        stated = ~np.isnan(e)
        out[stated] = 1.0 - e[stated]
    if "tier" in seekers.columns:
        tiers = seekers.get_column("tier").to_list()
        labels = tier_order(sorted({t for t in tiers if t is not None}))
        rank = {t: k for k, t in enumerate(labels)}
        span = max(len(labels) - 1, 1)
        for i, t in enumerate(tiers):
            if t is not None:
                out[i] = rank[t] / span
    if parked is not None:
        out[np.asarray(parked, dtype=bool)] = 1.0
    return out


def parked_seekers(
    history: Mapping[str, Mapping[str, int]], seeker_ids: Sequence[str], k: int
) -> np.ndarray:
    """True for the seekers left without a place in each of their last ``k`` (>= 1) runs."""
    if k <= 0:
        return np.zeros(len(seeker_ids), dtype=bool)
    return np.array([(history.get(s) or {}).get("unmatched_streak", 0) >= k for s in seeker_ids],
                    dtype=bool)


def objective(scores: sp.csr_array, weights: np.ndarray, weight: float) -> sp.csr_array:
    """``score + weight * weights[seeker]`` on the stored (allowed) pairs only.

    ``weight == 0`` returns ``scores`` itself, so the fit policy is the run without a policy.
    """
    if weight == 0:
        return scores
    rows = np.repeat(np.arange(scores.shape[0]), np.diff(scores.indptr))
    out = scores.copy().astype(np.float64)
    out.data = scores.data.astype(np.float64) + weight * weights[rows]
    return out


@dataclass(frozen=True)
class Restricted:
    """The problem left after the overrides: what :func:`matcher.assign.solve` gets.

    ``candidates`` has the locked seekers' rows and the forbidden pairs removed, ``slots`` the
    locked places taken off; ``locked[i]`` is seeker ``i``'s locked role (-1: none).
    """

    candidates: sp.csr_array
    slots: np.ndarray
    locked: np.ndarray

    def combine(self, role_of_seeker: np.ndarray) -> np.ndarray:
        """The full assignment: the solver's answer on the rest, with the locks put back."""
        out = np.asarray(role_of_seeker).copy()
        fixed = self.locked >= 0
        out[fixed] = self.locked[fixed]
        return out


def restrict(
    candidates: sp.csr_array,
    slots: np.ndarray,
    overrides: Sequence[Override],
    seeker_ids: Sequence[str],
    role_ids: Sequence[str],
    *,
    seeker_file: str = "seekers",
    role_file: str = "roles",
) -> Restricted:
    """Apply locks and forbids to the candidate graph; every broken rule at once.

    Raises
    ------
    InputError
        One :class:`~matcher.errors.Problem` per bad override (unknown id, a lock of a
        disallowed pair, too many locks into a role, a seeker locked twice, a pair both locked
        and forbidden).
    """
    s_index = {s: i for i, s in enumerate(seeker_ids)}
    r_index = {r: j for j, r in enumerate(role_ids)}
    csr = sp.csr_array(candidates)
    slots = np.asarray(slots, dtype=np.int64)
    locked = np.full(len(seeker_ids), -1, dtype=np.int64)
    problems: list[Problem] = []
    lock_row: dict[str, int] = {}
    pair_row: dict[tuple[str, str, str], int] = {}
    taken = np.zeros_like(slots)
    forbid_i: list[int] = []
    forbid_j: list[int] = []
    for o in overrides:
        i, j = s_index.get(o.seeker_id), r_index.get(o.role_id)
        if i is None:
            problems.append(Problem(o.file, o.line, "seeker_id",
                                    RULE_SEEKER.format(file=seeker_file), o.seeker_id,
                                    code="known_seeker", params=(("file", seeker_file),)))
        if j is None:
            problems.append(Problem(o.file, o.line, "role_id", RULE_ROLE.format(file=role_file),
                                    o.role_id, code="known_role",
                                    params=(("file", role_file),)))
        if i is None or j is None:
            continue
        other = "forbid" if o.kind == "lock" else "lock"
        if (other, o.seeker_id, o.role_id) in pair_row:
            first = pair_row[(other, o.seeker_id, o.role_id)]
            problems.append(Problem(o.file, o.line, None, RULE_LOCK_FORBID.format(first=first),
                                    f"{o.seeker_id}={o.role_id}", code="lock_forbid",
                                    params=(("first", first),)))
            continue
        pair_row.setdefault((o.kind, o.seeker_id, o.role_id), o.line)
        if o.kind == "forbid":
            forbid_i.append(i)
            forbid_j.append(j)
            continue
        if o.seeker_id in lock_row:
            problems.append(Problem(o.file, o.line, "seeker_id",
                                    RULE_LOCK_TWICE.format(first=lock_row[o.seeker_id]),
                                    o.seeker_id, code="lock_twice",
                                    params=(("first", lock_row[o.seeker_id]),)))
            continue
        lock_row[o.seeker_id] = o.line
        if csr[i, j] <= 0:
            problems.append(Problem(o.file, o.line, None, RULE_LOCK_ALLOWED,
                                    f"{o.seeker_id}={o.role_id}", code="lock_allowed"))
            continue
        if taken[j] >= slots[j]:
            problems.append(Problem(o.file, o.line, "role_id",
                                    RULE_LOCK_SLOTS.format(role=o.role_id, slots=int(slots[j])),
                                    o.role_id, code="lock_slots",
                                    params=(("role", o.role_id), ("slots", int(slots[j])))))
            continue
        taken[j] += 1
        locked[i] = j
    if problems:
        raise InputError(problems)
    keep = csr.tocoo()
    mask = locked[keep.row] < 0
    if forbid_i:
        width = np.int64(csr.shape[1])
        pairs = keep.row.astype(np.int64) * width + keep.col.astype(np.int64)
        banned = np.asarray(forbid_i, dtype=np.int64) * width + np.asarray(forbid_j, np.int64)
        mask &= ~np.isin(pairs, banned)
    rest = sp.csr_array((keep.data[mask], (keep.row[mask], keep.col[mask])), shape=csr.shape)
    rest.sort_indices()
    return Restricted(candidates=rest, slots=slots - taken, locked=locked)
