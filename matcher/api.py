"""The library API: one batch match from two inputs to an optimal, explained proposal.

:func:`match` strings the stages of the data path together::

    read & validate -> resolve terms -> encode -> score -> assign -> explain

and returns a :class:`MatchResult` of polars frames. The command line (``matcher match``) is a
thin shell over it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import itertools
import logging
import math
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import scipy.sparse as sp

from matcher import __version__
from matcher.assign import Assignment, Optimality, certify, dual_prices, solve
from matcher.config import MatchConfig
from matcher.encode import (
    OccupationConcepts,
    encode_roles,
    encode_seekers,
    key_index,
    skill_space,
)
from matcher.errors import InputError, OutputError, Problem, UnresolvedTermError
from matcher.executors import check_executor, open_executor
from matcher.explain import Explainer, Names, localise_warnings, pair_scores
from matcher.explain.choices import Choices, LockCost
from matcher.io import (
    ROLE_SCHEMA,
    SEEKER_SCHEMA,
    RawTable,
    location_warnings,
    read_source,
    validate_table,
    write_outputs,
)
from matcher.io.history import HistoryRun, append_run, read_history, seeker_history
from matcher.io.messages import localise_problems
from matcher.io.outputs import localise_headers, sheet_name
from matcher.io.tiers import EMPLOYABILITY_BANDS, tier_order
from matcher.policy import (
    Override,
    Restricted,
    objective,
    parked_seekers,
    priority,
    read_overrides,
    restrict,
)
from matcher.score import PrunedPairs, pruned_blocks, score_pairs
from matcher.taxonomy import Taxonomy, load_taxonomy
from matcher.terms import ROLE_TERMS, SEEKER_TERMS, resolve_terms

__all__ = ["ALTERNATIVES_SCHEMA", "MATCHES_SCHEMA", "MatchResult", "match"]

log = logging.getLogger("matcher")

#: columns of the MATCHES output, in order
MATCHES_SCHEMA: Mapping[str, type[pl.DataType]] = {
    "seeker_id": pl.String,
    "role_id": pl.String,
    "score": pl.Float64,
    "reason": pl.String,
}
#: columns of the ALTS output, in order
ALTERNATIVES_SCHEMA: Mapping[str, type[pl.DataType]] = {
    "seeker_id": pl.String,
    "role_id": pl.String,
    "rank": pl.Int64,
    "score": pl.Float64,
    "skill_fit": pl.Float64,
    "transfer_fit": pl.Float64,
    "wish_fit": pl.Float64,
    "permanent": pl.Float64,
    "assigned": pl.Boolean,
}

Source = str | os.PathLike[str] | pl.DataFrame


@dataclass(frozen=True, eq=False)
class MatchResult:
    """The outcome of one batch match.

    Attributes
    ----------
    matches : polars.DataFrame
        Every seeker exactly once, sorted by ``seeker_id``: ``seeker_id``, ``role_id`` (null
        when unmatched), ``score`` (null when unmatched) and a plain-language ``reason``.
    alternatives : polars.DataFrame
        Per seeker the best ``top_k`` allowed roles (every allowed pair when ``top_k`` is 0):
        ``seeker_id, role_id, rank, score, skill_fit, transfer_fit, wish_fit, permanent,
        assigned``.
        ``score`` is exactly what the assignment maximises.
    manifest : dict
        Versions, input hashes, settings, solver, totals, counts and timings. No names or free
        text.
    warnings : tuple of Problem
        Read warnings (encoding), doubtful locations, unresolved terms and spelling-only
        matches, by file, line and column.
    """

    matches: pl.DataFrame
    alternatives: pl.DataFrame
    manifest: dict[str, Any]
    warnings: tuple[Problem, ...] = field(default=())
    #: the run history folder as given (the manifest records only its name)
    history: str | None = field(default=None, repr=False)

    @property
    def total_score(self) -> float:
        return float(self.manifest["total_score"])

    def summary(self, lang: str | None = None) -> pl.DataFrame:
        """A short table of the batch: counts, total score, optimality and time.

        Columns ``item`` and ``value``, in ``lang`` (``'nb'``, ``'da'`` or ``'en'``; default
        the language of the run's reasons), in the words of the report's summary.
        """
        from matcher.report.strings import STRINGS, Numbers, optimality_text, pick_language

        m = self.manifest
        language = pick_language(lang, m)
        t, f = STRINGS[language], Numbers(language)
        c = m["counts"]
        rows = [
            (t["seekers_n"], f.int(c["seekers"])),
            (f"{t['roles_n']} ({t['slots_n'].lower()})", f"{f.int(c['roles'])} "
                                                          f"({f.int(c['slots'])})"),
            (t["allowed_pairs"], f.int(c["allowed_pairs"])),
            (t["matched_n"], t["of"].format(k=f.int(m["matched"]), n=f.int(c["seekers"]))),
            (t["total_score"], f.num(m["total_score"], 4)),
            *([(t["objective_total"], f.num(m["objective_total"], 4))]
              if m["settings"].get("policy") == "priority" else []),
            *([(t["overrides_cost"], f.num(m["overrides_cost"], 4))]
              if "overrides_cost" in m else []),
            *([(t["overrides_cost_objective"], f.num(m["overrides_objective_cost"], 4))]
              if "overrides_objective_cost" in m else []),
            (t["solver"], t.get(f"solver_{m['solver']}", str(m["solver"]))),
            (t["optimality"], optimality_text(m["optimality"], language)),
            (t["warnings_n"], f.int(c["warnings"])),
            *[(t["ignored_columns"].format(
                file=key if entry["file"] == "<frame>" else entry["file"]),
               ", ".join(entry["ignored_columns"]))
              for key, entry in m["inputs"].items() if entry.get("ignored_columns")],
            (t["time"], t["seconds"].format(s=f.num(sum(m["timings_s"].values()), 2))),
        ]
        return pl.DataFrame(rows, schema=["item", "value"], orient="row")

    def write(
        self,
        out: str | os.PathLike[str],
        *,
        alternatives: str | os.PathLike[str] | None = None,
        warnings: str | os.PathLike[str] | None = None,
    ) -> list[Path]:
        """Write MATCHES, its manifest (``out`` + ``.manifest.json``), and optional files.

        All files are written to temporary files first and renamed only when every one of
        them was written, so a failure leaves no new or half-written output behind. When
        ``out`` ends in ``.xlsx`` it is a workbook: a ``matches`` sheet, an ``alternatives``
        sheet when ``alternatives`` is asked for, and a ``warnings`` sheet when there are
        warnings. A workbook of a run in Norwegian or Danish names its sheets and headers in
        that language (``Forslag``, ``Arbeidssøker``, ...; see :mod:`matcher.io.outputs`);
        CSV, Parquet and JSON files keep the English column names.
        """
        out = Path(out)
        lang = self.manifest["settings"].get("lang", "en")
        frames = {"matches": self.matches, "alternatives": self.alternatives,
                  "warnings": _warnings_frame(self.warnings)}

        def workbook(*kinds: str) -> dict[str, pl.DataFrame]:  # read by people: in their words
            return {sheet_name(k, lang): localise_headers(frames[k], lang) for k in kinds}

        book = ("matches", *(["alternatives"] if alternatives is not None else []),
                *(["warnings"] if self.warnings else []))
        plan: list[tuple[Path, Any]] = []
        for kind, path in (("matches", out), ("alternatives", alternatives),
                           ("warnings", warnings)):
            if path is None:
                continue
            if Path(path).suffix.lower() != ".xlsx":  # a data contract: the English names
                plan.append((Path(path), frames[kind]))
            else:
                plan.append((Path(path), workbook(*(book if kind == "matches" else (kind,)))))
        plan.append((Path(f"{out}.manifest.json"), self.manifest))
        return write_outputs(plan)

    def write_report(
        self,
        path: str | os.PathLike[str],
        *,
        lang: str | None = None,
        seekers: Source | None = None,
        roles: Source | None = None,
        min_cell: int = 5,
    ) -> Path:
        """Write the caseworker's report: one self-contained HTML file (see docs/report.md).

        ``lang`` is ``'nb'``, ``'da'`` or ``'en'`` (default: the run's ``lang`` setting, else
        English). ``seekers`` (with a ``tier`` column) adds the audit by tier; ``roles`` adds
        titles, employers and the roles left with open places. Written atomically.
        """
        from matcher.report import pick_language, run_from_outputs, write_report

        run = run_from_outputs(self.manifest, self.matches, self.alternatives,
                               _warnings_frame(self.warnings), seekers=seekers, roles=roles,
                               seekers_required=False)
        return write_report(run, path, lang=pick_language(lang, self.manifest),
                            min_cell=min_cell)

    def append_history(self, folder: str | os.PathLike[str] | None = None) -> Path:
        """Append this run to the run history (default: the ``history`` setting), atomically.

        The run file holds ids, the assignment and its scores, the pool of allowed pairs (ALTS,
        plus every proposed pair) for the audit, the settings, the input hashes and the
        totals: no names and no free text (see :mod:`matcher.io.history`). Call it
        once the outputs are written, so the history holds only runs that were delivered.
        """
        m = self.manifest
        target = folder if folder is not None else self.history
        if target is None:
            raise OutputError("no history folder: pass one or set the 'history' setting")
        rows = [[sid, rid, score] for sid, rid, score in
                self.matches.select("seeker_id", "role_id", "score").iter_rows()]
        keys = ("inputs", "settings", "solver", "total_score", "objective_total", "matched",
                "matcher_version")
        record: dict[str, Any] = {key: m[key] for key in keys if key in m}
        record["overrides"] = [{k: o[k] for k in ("kind", "seeker_id", "role_id")}
                               for o in m.get("overrides", [])]
        record["assignment"] = rows
        pool = {(sid, rid): score for sid, rid, score in
                self.alternatives.select("seeker_id", "role_id", "score").iter_rows()}
        for sid, rid, score in rows:
            if rid is not None:
                pool.setdefault((sid, rid), score)
        record["pool"] = [[sid, rid, score] for (sid, rid), score in sorted(pool.items())]
        return append_run(target, record)

    def _repr_html_(self) -> str:
        summary = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
            for k, v in self.summary().iter_rows()
        )
        return (
            "<div><strong>matcher batch</strong>"
            f"<table>{summary}</table>"
            f"{self.matches.head(20)._repr_html_()}</div>"
        )

    def __repr__(self) -> str:
        m = self.manifest
        return (
            f"MatchResult(seekers={m['counts']['seekers']}, matched={m['matched']}, "
            f"total_score={m['total_score']:.4f})"
        )


def _warnings_frame(warnings: tuple[Problem, ...]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "file": [w.file for w in warnings],
            "line": [w.line for w in warnings],
            "column": [w.column for w in warnings],
            "rule": [w.rule for w in warnings],
            "value": [w.value for w in warnings],
        },
        schema={"file": pl.String, "line": pl.Int64, "column": pl.String, "rule": pl.String,
                "value": pl.String},
    )


def _fingerprint(source: Source, frame: pl.DataFrame, sha256: str | None) -> dict[str, Any]:
    if isinstance(source, pl.DataFrame) or sha256 is None:
        digest = hashlib.sha256(frame.write_ndjson().encode()).hexdigest()
        return {"file": "<frame>", "sha256": digest}
    return {"file": Path(source).name, "sha256": sha256}


#: the stages of :func:`match`, in order (the keys of the manifest's ``timings_s``)
STAGES = ("read", "validate", "taxonomy", "resolve", "encode", "score", "policy", "assign",
          "certify", "costs", "explain")


class _Policy:
    """The objective and the overrides around the solve (see :mod:`matcher.policy`)."""

    def __init__(self, config: MatchConfig, priorities: np.ndarray, weight: float,
                 scores: Any, slots: np.ndarray, overrides: list[Override],
                 restrict_args: dict[str, Any], past: list[Any],
                 seeker_ids: list[str],
                 prepare: Callable[[Any], Any] | None = None) -> None:
        self.config, self.priorities, self.weight = config, priorities, weight
        self.scores, self.slots, self.overrides = scores, slots, overrides
        self.restrict_args, self.past, self.seeker_ids = restrict_args, past, seeker_ids
        self.prepare = prepare or self.prepare_default
        self.rest = self.restricted(weight, overrides)

    @classmethod
    def build(cls, config: MatchConfig, seeker_frame: pl.DataFrame, seeker_ids: list[str],
              role_ids: list[str], scores: Any, slots: np.ndarray, items: list[Override],
              seeker_name: str, role_name: str,
              prepare: Callable[[Any], Any] | None = None) -> _Policy:
        past = read_history(config.history) if config.history is not None else []
        parked = parked_seekers(seeker_history(past, seeker_ids), seeker_ids,
                                config.protect_parked)
        weight = config.priority_weight if config.policy == "priority" else 0.0
        args = {"seeker_ids": seeker_ids, "role_ids": role_ids, "seeker_file": seeker_name,
                "role_file": role_name}
        return cls(config, priority(seeker_frame, parked), weight, scores, slots, items, args,
                   past, seeker_ids, prepare)

    def prepared(self, plan: Restricted) -> Restricted:
        """A restricted problem on the graph as solved (``--shard-by`` drops the pairs across
        regions): the policy curve solves what the run solves."""
        return dataclasses.replace(plan, candidates=self.prepare(plan.candidates))

    @staticmethod
    def prepare_default(candidates: Any) -> Any:
        """The graph as solved: all of it (``--shard-by`` drops the pairs across regions)."""
        return candidates

    @staticmethod
    def read(overrides: Any) -> list[Override]:
        """The overrides as a list, read from a file or frame when given one."""
        if overrides is None:
            return []
        if isinstance(overrides, str | os.PathLike | pl.DataFrame):
            return read_overrides(overrides)
        return list(overrides)

    @staticmethod
    def pinned(items: list[Override], seeker_ids: list[str], role_ids: list[str]) -> np.ndarray:
        """Each seeker's locked role (-1: none; unknown ids are left to :func:`restrict`)."""
        s_index = {s: i for i, s in enumerate(seeker_ids)}
        r_index = {r: j for j, r in enumerate(role_ids)}
        out = np.full(len(seeker_ids), -1, dtype=np.int64)
        for o in items:
            if o.kind == "lock" and o.seeker_id in s_index and o.role_id in r_index:
                out[s_index[o.seeker_id]] = r_index[o.role_id]
        return out

    def objective_blocks(self, blocks: Iterable[PrunedPairs],
                         keep: list[PrunedPairs] | None = None) -> Iterator[tuple[Any, ...]]:
        """Pruned pairs as :func:`certify` blocks, ``(seekers, roles, scores)`` with sparse
        scores in the policy's objective, locked seekers and forbidden pairs left out; with
        ``keep``, the pairs that remain are appended to it as well."""
        n_roles = len(self.restrict_args["role_ids"])
        s_index = {s: i for i, s in enumerate(self.restrict_args["seeker_ids"])}
        r_index = {r: j for j, r in enumerate(self.restrict_args["role_ids"])}
        forbidden = np.array(sorted(
            s_index[o.seeker_id] * n_roles + r_index[o.role_id] for o in self.overrides
            if o.kind == "forbid" and o.seeker_id in s_index and o.role_id in r_index),
            dtype=np.int64)
        for pairs in blocks:
            who, where = pairs.seeker, pairs.role
            ok = (self.rest.locked[who] < 0) & ~np.isin(who * n_roles + where, forbidden)
            if not ok.any():
                continue
            pairs = pairs.take(np.flatnonzero(ok))
            if keep is not None:
                keep.append(pairs)
            seekers, row = np.unique(pairs.seeker, return_inverse=True)
            roles, col = np.unique(pairs.role, return_inverse=True)
            target = pairs.score + self.weight * self.priorities[pairs.seeker]
            yield seekers, roles, sp.csr_array((target, (row, col)),
                                               shape=(seekers.size, roles.size))

    def rescored(self, scores: Any) -> _Policy:
        """The same policy and overrides on a graph with more pairs."""
        return type(self)(self.config, self.priorities, self.weight, scores, self.slots,
                          self.overrides, self.restrict_args, self.past, self.seeker_ids,
                          self.prepare)

    def restricted(self, weight: float, overrides: list[Override]) -> Restricted:
        target = objective(self.scores, self.priorities, weight)
        if not overrides:
            return Restricted(target, self.slots, np.full(self.scores.shape[0], -1))
        return restrict(target, self.slots, overrides, **self.restrict_args)

    def whole(self, rest: Optimality) -> Optimality:
        """The certificate of the rest, for the whole batch: the locked places' objective
        added to the total and the bound (they are fixed, so they add to both alike)."""
        fixed = np.where(self.rest.locked >= 0, self.rest.locked, -1)
        if not (fixed >= 0).any():
            return rest
        value = _total(objective(self.scores, self.priorities, self.weight), fixed)
        upper, total = rest.upper_bound + value, rest.total + value
        gap = (upper - total) / upper if upper > 0 else 0.0
        return dataclasses.replace(rest, upper_bound=upper, total=total,
                                   gap=0.0 if rest.certified else gap)

    def solve(self, plan: Restricted, executor: Any = None) -> Assignment:
        """The optimum of a restricted problem on the graph the batch is solved on."""
        return solve(self.prepare(plan.candidates), plan.slots, self.config.solver,
                     executor=executor)

    def full(self, rest: Assignment, scores: Any, plan: Restricted | None = None) -> Assignment:
        """The whole batch's assignment; ``total`` is the total *fit*, whatever the policy."""
        plan = plan or self.rest
        if rest.role_of_seeker is not None and plan.candidates is scores and \
                not (plan.locked >= 0).any():
            return rest
        role = plan.combine(rest.role_of_seeker)
        return Assignment(role, _total(scores, role), rest.solver)

    def optimum(self, weight: float, overrides: list[Override]) -> tuple[float, Assignment]:
        """The best objective total subject to ``overrides``, and its assignment."""
        plan = self.restricted(weight, overrides)
        rest = self.solve(plan)
        full = self.full(rest, self.scores, plan)
        return _total(objective(self.scores, self.priorities, weight),
                      full.role_of_seeker), full

    def costs(self, fit: float, objective: float) -> dict[str, float]:
        """An override's cost in total fit (``cost``), and under the priority policy also in
        the objective (``objective_cost``); the fit cost may then be negative."""
        if not self.weight:
            return {"cost": max(objective, 0.0)}
        return {"cost": 0.0 if abs(fit) < 1e-9 else fit, "objective_cost": max(objective, 0.0)}

    def choices(self, extra: dict[str, Any]) -> Choices:
        """What the reasons need to know of the policy and the overrides."""
        seeker = {s: i for i, s in enumerate(self.seeker_ids)}
        role = {r: j for j, r in enumerate(self.restrict_args["role_ids"])}
        forbidden = frozenset((seeker[o.seeker_id], role[o.role_id])
                              for o in self.overrides if o.kind == "forbid")
        locked = {seeker[o["seeker_id"]]: LockCost(o["cost"], o.get("objective_cost"))
                  for o in extra.get("overrides", []) if o["kind"] == "lock"}
        bonus = self.weight * self.priorities if self.weight else None
        return Choices(self.rest.candidates, bonus, forbidden, locked)

    def manifest(self, rest: Assignment, scores: Any, config: MatchConfig,
                 curve: Sequence[float] | None, seeker_frame: pl.DataFrame) -> dict[str, Any]:
        full = self.full(rest, scores)
        obj = objective(scores, self.priorities, self.weight)
        extra: dict[str, Any] = {"objective_total": _total(obj, full.role_of_seeker)}
        if self.overrides:
            best, fit = extra["objective_total"], full.total
            items = []
            for k, o in enumerate(self.overrides):
                without, other = self.optimum(self.weight,
                                              self.overrides[:k] + self.overrides[k + 1:])
                items.append({**o.as_dict(), **self.costs(other.total - fit, without - best)})
            free, other = self.optimum(self.weight, [])
            extra["overrides"] = items
            total = self.costs(other.total - fit, free - best)
            extra["overrides_cost"] = total["cost"]
            if "objective_cost" in total:
                extra["overrides_objective_cost"] = total["objective_cost"]
        if config.history is not None:
            now = HistoryRun("(this run)", dict(zip(self.seeker_ids, (
                None if j < 0 else str(j) for j in full.role_of_seeker.tolist()), strict=True)))
            per = seeker_history([*self.past, now], self.seeker_ids)
            extra["history"] = {"runs": len(self.past) + 1,
                                "parked_after": config.protect_parked or 2, "seekers": per}
        if curve:
            # the audit package loads its statistics on import: only when a curve is asked for
            from matcher.audit.price import price_curve, rates_by_group

            groups = _tier_groups(seeker_frame)
            extra["policy_curve"] = [
                {"weight": p.weight, "objective_total": p.objective_total,
                 "total_score": p.total_fit, "matched": p.matched,
                 "match_rate_by_tier": rates_by_group(p.role_of_seeker, groups)}
                for p in price_curve(self.prepare(scores), self.slots, self.priorities, curve,
                                     restricted=self.prepared(self.restricted(0.0,
                                                                              self.overrides)),
                                     solver=config.solver)]
        return extra


def _total(scores: Any, role_of_seeker: np.ndarray) -> float:
    rows = np.flatnonzero(role_of_seeker >= 0)
    if rows.size == 0:
        return 0.0
    return math.fsum(np.asarray(scores[rows, role_of_seeker[rows]]).ravel().tolist())


def _tier_groups(seekers: pl.DataFrame) -> dict[str, np.ndarray]:
    """Seeker indices by tier (closest to work first), or by employability band without tiers."""
    tiers = seekers.get_column("tier").to_list() if "tier" in seekers.columns else []
    if any(t is not None for t in tiers):
        labels = tier_order(sorted({t for t in tiers if t is not None}))
        return {t: np.flatnonzero(np.array([v == t for v in tiers])) for t in labels}
    if "employability" not in seekers.columns:
        return {}
    e = seekers.get_column("employability").cast(pl.Float64).to_numpy()
    out: dict[str, np.ndarray] = {}
    upper = np.inf
    for low, label in EMPLOYABILITY_BANDS:
        idx = np.flatnonzero((e >= low) & (e < upper))
        if idx.size:
            out[label] = idx
        upper = low
    return out


def _path_fingerprint(path: str | os.PathLike[str]) -> dict[str, str]:
    """A local file or folder as the manifest records inputs: its name and SHA-256, never the
    path (which would tell the user's directory layout). A folder's digest covers each file's
    relative name, size and bytes, in name order."""
    root = Path(path)
    digest = hashlib.sha256()
    files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
    for item in files:
        if root.is_dir():
            digest.update(f"{item.relative_to(root).as_posix()}\0{item.stat().st_size}\0".encode())
        with open(item, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return {"file": root.name, "sha256": digest.hexdigest()}


def _settings_without_paths(config: MatchConfig) -> dict[str, Any]:
    """The settings, with the taxonomy, crosswalk and history given by name only."""
    settings = config.to_dict()
    for key in ("taxonomy", "crosswalk", "history"):
        if settings[key] is not None:
            settings[key] = Path(settings[key]).name
    return settings


class _Stopwatch:
    """Times each stage; with ``progress``, shows them on stderr as they pass (rich)."""

    def __init__(self, progress: bool = False) -> None:
        self.timings: dict[str, float] = {}
        self._bar: Any = None
        if progress:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._bar = Progress(TextColumn("matching: {task.description:<9}"), BarColumn(),
                                 MofNCompleteColumn(), TimeElapsedColumn(),
                                 console=Console(stderr=True), transient=True)
            self._task = self._bar.add_task("", total=len(STAGES))
            self._bar.start()

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self._bar is not None:
            self._bar.update(self._task, description=name)
        t0 = time.perf_counter()
        try:
            yield
        except BaseException:
            self.close()
            raise
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - t0
        if self._bar is not None:
            self._bar.advance(self._task)
            if name == STAGES[-1]:
                self.close()

    def counter(self, what: str, total: int) -> Callable[[int], None] | None:
        """A bar for the steps of a long stage (``None`` without progress)."""
        if self._bar is None:
            return None
        task = self._bar.add_task(what, total=total)
        return lambda n: self._bar.advance(task, n) if self._bar is not None else None

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


@dataclass
class _Inputs:
    """The two inputs of a batch as read, then validated (the read and validate stages)."""

    seeker_raw: RawTable
    role_raw: RawTable
    inputs: dict[str, Any]
    seeker_table: Any = None
    role_table: Any = None
    seeker_frame: pl.DataFrame = field(default_factory=pl.DataFrame)
    role_frame: pl.DataFrame = field(default_factory=pl.DataFrame)
    warnings: list[Problem] = field(default_factory=list)

    @classmethod
    def read(cls, seekers: Source, roles: Source) -> _Inputs:
        seeker_raw = read_source(seekers, name=_frame_name(seekers, "seekers"))
        role_raw = read_source(roles, name=_frame_name(roles, "roles"))
        inputs = {
            "seekers": _fingerprint(seekers, seeker_raw.frame, seeker_raw.sha256),
            "roles": _fingerprint(roles, role_raw.frame, role_raw.sha256),
        }
        return cls(seeker_raw, role_raw, inputs)

    def validate(self) -> None:
        """Both files are checked before failing, so one run reports every problem."""
        problems: list[Problem] = []
        try:
            self.seeker_table = validate_table(self.seeker_raw, SEEKER_SCHEMA)
            self.seeker_frame = self.seeker_table.frame.sort("seeker_id")
        except InputError as exc:
            problems += exc.problems
        try:
            self.role_table = validate_table(self.role_raw, ROLE_SCHEMA)
            self.role_frame = self.role_table.frame.sort("role_id")
        except InputError as exc:
            problems += exc.problems
        if problems:
            raise InputError(problems)
        self.warnings = [
            *self.seeker_raw.warnings, *self.role_raw.warnings,
            *location_warnings(self.seeker_frame, self.role_frame,
                               seekers_name=self.seeker_raw.name,
                               roles_name=self.role_raw.name),
        ]
        for key, table in (("seekers", self.seeker_table), ("roles", self.role_table)):
            self.inputs[key]["ignored_columns"] = list(table.ignored)


def _certify_batch(
    plan: _Policy, rest: Assignment, candidates: Any, graph: Any, seeker_vec: Any,
    role_vec: Any, concepts: OccupationConcepts, config: MatchConfig, pinned: Any,
    regions: tuple[list[str | None], list[str | None]] | None,
    counter: Callable[[str, int], Callable[[int], None] | None],
) -> tuple[Optimality | None, np.ndarray, dict[str, Any] | None, PrunedPairs | None]:
    """The certify stage: the optimality certificate over every allowed pair, each role's
    price (what one place costs the others), the loss bound at shard borders, and the pruned
    pairs that would raise the total (each seeker's ``candidates`` best by reduced score;
    ``None`` when certified or when no repair round may use them). ``counter(what, total)``
    gives a progress callback for the seekers scanned again.

    The role prices certify the optimum (of the policy's objective, subject to the
    overrides) over the graph and, checked against the pairs ``candidates`` pruned and those
    across shard borders, over every allowed pair.
    """
    sharding = None
    found: list[PrunedPairs] = []
    try:
        prices = dual_prices(candidates, plan.rest.slots, rest.role_of_seeker)
    except ValueError:  # never expected from an exact solver; reported, not hidden
        log.error("assignment not certified optimal")
        return None, np.full(role_vec.slots.shape[0], np.nan), None, None
    # a pruned pair scores at most its seeker's pruned_best (plus the seeker's priority
    # bonus) and the role prices are >= 0, so only seekers priced under that need their pairs
    # checked; of their pairs, only those whose objective may exceed the two prices (a
    # margin of 1e-12 under, so rounding never hides one) are listed
    pruned: Any = ()
    if graph.pruned_best is not None:
        bonus = plan.weight * plan.priorities
        check = (graph.pruned_best + bonus > prices.seeker) & (plan.rest.locked < 0)
        if check.any():
            floors = (prices.seeker - bonus - 1e-12, prices.role)
            pruned = plan.objective_blocks(pruned_blocks(
                seeker_vec, role_vec, concepts, config, graph, floors, only=check, pinned=pinned,
                on_block=counter("pricing the roles left out", int(check.sum()))),
                keep=found if config.repair_rounds > 0 else None)
    if regions is not None:
        border = _split_at_borders(plan.rest.candidates, *regions)[1]
        at_border = certify(candidates, plan.rest.slots, rest, _pair_blocks(border),
                            prices=prices)
        sharding = {
            "column": config.shard_by,
            "border_pairs": int(border.nnz),
            "loss_bound": at_border.upper_bound - at_border.total,
        }
        pruned = itertools.chain(_pair_blocks(border), pruned)
    optimality = plan.whole(certify(candidates, plan.rest.slots, rest, pruned, prices=prices))
    cost = prices.role.copy()
    cost[role_vec.slots < 1] = np.nan  # a role full for now has no place to free
    if optimality.certified or config.repair_rounds <= 0:
        return optimality, cost, sharding, None
    # the pairs to put back: positive reduced score, each seeker's best few
    pairs = PrunedPairs.concat(found)
    gain = (pairs.score + plan.weight * plan.priorities[pairs.seeker]
            - prices.seeker[pairs.seeker] - prices.role[pairs.role])
    pairs = pairs.take(np.flatnonzero(gain > 0))
    order = np.lexsort((pairs.role, -gain[gain > 0], pairs.seeker))
    seeker = pairs.seeker[order]
    rank = np.arange(order.size) - np.searchsorted(seeker, seeker, side="left")
    return optimality, cost, sharding, pairs.take(order[rank < max(config.candidates, 1)])


def _manifest(
    config: MatchConfig, tax: Taxonomy, inputs: dict[str, Any], overrides: Any,
    assignment: Assignment, optimality: Optimality | None, sharding: dict[str, Any] | None,
    graph: Any, batch: _Inputs, role_vec: Any, seeker_terms: Any, role_terms: Any,
    warnings: tuple[Problem, ...], clock: _Stopwatch,
) -> dict[str, Any]:
    """The run's manifest (without the policy's part, which :class:`_Policy` adds)."""
    matched = int((assignment.role_of_seeker >= 0).sum())
    if isinstance(overrides, str | os.PathLike):
        inputs["overrides"] = _path_fingerprint(overrides)
    return {
        "matcher_version": __version__,
        "taxonomy": {
            "version": tax.version,
            "source": Path(config.taxonomy).name if config.taxonomy else "built-in",
            "crosswalk": Path(config.crosswalk).name if config.crosswalk else None,
            **({"sha256": _path_fingerprint(config.taxonomy)["sha256"]}
               if config.taxonomy else {}),
            **({"crosswalk_sha256": _path_fingerprint(config.crosswalk)["sha256"]}
               if config.crosswalk else {}),
        },
        "inputs": inputs,
        "settings": _settings_without_paths(config),
        "solver": assignment.solver,
        "optimality": (optimality.as_dict() if optimality is not None
                       else {"certified": False, "upper_bound": None, "gap": None}),
        "sharding": sharding,
        "total_score": assignment.total,
        "matched": matched,
        "counts": {
            "seekers": batch.seeker_frame.height,
            "roles": batch.role_frame.height,
            "slots": int(role_vec.slots.sum()),
            "feasible_pairs": int(graph.feasible.sum()),
            "allowed_pairs": int(graph.allowed.sum()) if graph.allowed is not None
            else int(graph.scores.nnz),
            "candidate_pairs": int(graph.scores.nnz),
            "role_profiles": graph.profiles,
            "unmatched": batch.seeker_frame.height - matched,
            "unresolved_terms": seeker_terms.count_unresolved() + role_terms.count_unresolved(),
            "warnings": len(warnings),
        },
        "timings_s": {k: round(v, 6) for k, v in clock.timings.items()},
    }


def match(
    seekers: Source,
    roles: Source,
    *,
    config: MatchConfig | None = None,
    taxonomy: Taxonomy | None = None,
    overrides: Sequence[Override] | str | os.PathLike[str] | pl.DataFrame | None = None,
    curve: Sequence[float] | None = None,
    progress: bool = False,
    **settings: Any,
) -> MatchResult:
    """Match a caseload of seekers to open roles, optimally and with reasons.

    Parameters
    ----------
    seekers, roles : path or polars.DataFrame
        A CSV, Parquet or JSON file (by extension), or a frame with the same columns.
    config : MatchConfig, optional
        The settings record; alternatively pass its fields as keyword arguments
        (``match(s, r, min_score=0.3)``).
    taxonomy : Taxonomy, optional
        A loaded taxonomy; by default ``load_taxonomy(config.taxonomy)`` (the built-in ESCO
        snapshot when no path is set).
    overrides : list of Override, or an overrides file or frame, optional
        The caseworker's locks and forbids (:mod:`matcher.policy`); the rest is solved
        optimally subject to them, and the manifest's ``overrides`` says what each cost.
    curve : list of float, optional
        Priority weights to solve as well: the manifest's ``policy_curve`` holds, for each,
        the total fit and the share matched by tier (the price of fairness).
    progress : bool, default False
        Show the stages as they pass on stderr (the command line does on a terminal).

    Returns
    -------
    MatchResult

    Raises
    ------
    InputError
        Every problem of an input file at once (file, line, column, rule, value).
    UnresolvedTermError
        With ``strict=True``, the terms that match no concept.
    ConfigError
        A setting is out of range.

    Examples
    --------
    >>> import polars as pl, matcher
    >>> seekers = pl.DataFrame({"seeker_id": ["S1"], "experience": ["agronomist"]})
    >>> roles = pl.DataFrame({"role_id": ["R1"], "enterprise": ["Bikuben"], "slots": [1],
    ...                       "occupation": ["birøkter"]})
    >>> result = matcher.match(seekers, roles)
    >>> result.matches.select("seeker_id", "role_id").rows()
    [('S1', 'R1')]
    """
    if config is None:
        config = MatchConfig(**settings)
    elif settings:
        raise TypeError("pass either config or keyword settings, not both")
    check_executor(config.executor)
    try:
        return _match(seekers, roles, config, taxonomy, overrides, curve, progress)
    except InputError as exc:  # the problems in the language of the reasons
        if config.lang == "en":
            raise
        raise type(exc)(localise_problems(exc.problems, config.lang)) from exc


def _match(seekers: Source, roles: Source, config: MatchConfig, taxonomy: Taxonomy | None,
           overrides: Sequence[Override] | str | os.PathLike[str] | pl.DataFrame | None,
           curve: Sequence[float] | None, progress: bool) -> MatchResult:
    clock = _Stopwatch(progress)

    with clock.stage("read"):
        batch = _Inputs.read(seekers, roles)
    with clock.stage("validate"):
        batch.validate()
    seeker_raw, role_raw = batch.seeker_raw, batch.role_raw
    seeker_name, role_name = seeker_raw.name, role_raw.name
    seeker_frame, role_frame, inputs = batch.seeker_frame, batch.role_frame, batch.inputs
    with clock.stage("taxonomy"):
        tax = taxonomy if taxonomy is not None else load_taxonomy(
            config.taxonomy, crosswalk=config.crosswalk
        )
    with clock.stage("resolve"):
        try:
            seeker_terms = resolve_terms(
                seeker_frame, name=seeker_name, columns=SEEKER_TERMS, taxonomy=tax,
                strict=config.strict,
            )
            role_terms = resolve_terms(
                role_frame, name=role_name, columns=ROLE_TERMS, taxonomy=tax,
                strict=config.strict,
            )
        except UnresolvedTermError as exc:  # strict: the terms named as the warnings name them
            raise UnresolvedTermError(batch.seeker_table.as_written(batch.role_table.as_written(
                localise_warnings(exc.problems, Names(tax, config.lang))))) from exc
    with clock.stage("encode"):
        space = skill_space(tax, config.hierarchy_decay)
        concepts = OccupationConcepts(tax)
        # every language named on either side, each once (not row by row in Python)
        languages = key_index(*(
            [frame.get_column("languages").explode().drop_nulls().unique().to_list()]
            for frame in (seeker_frame, role_frame)))
        needs = [[m.key for m in c] for c in seeker_terms.adaptations["needs"]]
        offers = [[m.key for m in c] for c in role_terms.adaptations["offers"]]
        adaptations = key_index(needs, offers)
        seeker_vec = encode_seekers(
            seeker_frame, seeker_terms, taxonomy=tax, space=space, concepts=concepts,
            language_index=languages, adaptation_index=adaptations,
            default_max_distance_km=config.default_max_distance_km,
        )
        role_vec = encode_roles(
            role_frame, role_terms, taxonomy=tax, space=space, concepts=concepts,
            language_index=languages, adaptation_index=adaptations,
        )
    with clock.stage("score"):
        seeker_ids = seeker_frame.get_column("seeker_id").to_list()
        role_ids = role_frame.get_column("role_id").to_list()
        items = _Policy.read(overrides)
        # a lock keeps its pair in the graph whatever --candidates, so it stays solvable
        pinned = _Policy.pinned(items, seeker_ids, role_ids) if items else None
        graph = score_pairs(seeker_vec, role_vec, concepts, config,
                            on_block=clock.counter("scoring", seeker_frame.height),
                            pinned=pinned)
    with clock.stage("policy"):
        prepare: Callable[[Any], Any] = _Policy.prepare_default
        regions = None
        if config.shard_by is not None:
            regions = (_region(seeker_raw, seeker_frame, config.shard_by),
                       _region(role_raw, role_frame, config.shard_by))

            def prepare(candidates: Any) -> Any:
                assert regions is not None
                return _split_at_borders(candidates, *regions)[0]

        plan = _Policy.build(config, seeker_frame, seeker_ids, role_ids, graph.scores,
                             role_vec.slots, items, seeker_name, role_name, prepare)
    # one executor for the first solve and every repair round (a Dask cluster starts once)
    with open_executor(config.executor, config.dask_scheduler) as executor:
        with clock.stage("assign"):
            candidates = plan.prepare(plan.rest.candidates)
            rest = plan.solve(plan.rest, executor)
            assignment = plan.full(rest, graph.scores)
        with clock.stage("certify"):
            # the role prices certify the optimum (of the policy's objective, subject to the
            # overrides) over the graph and, checked against the pairs `candidates` pruned
            # and those across shard borders, over every allowed pair; they are also what
            # one place in each role costs the others
            optimality, cost, sharding, found = _certify_batch(
                plan, rest, candidates, graph, seeker_vec, role_vec, concepts, config, pinned,
                regions, clock.counter)
        repair = {"rounds": 0, "pairs": 0}
        with clock.stage("repair"):
            # pruned pairs that would raise the total are put back and the batch solved
            # again: the prices of each round say which pairs are missing, until none is
            # (certified) or the gap is within config.repair_gap
            while found is not None and found.seeker.size and \
                    repair["rounds"] < config.repair_rounds and optimality is not None and \
                    optimality.gap > config.repair_gap:
                before = graph.scores.nnz
                graph = graph.with_pairs(found)
                if graph.scores.nnz == before:
                    break  # nothing new to put back
                repair["rounds"] += 1
                repair["pairs"] += graph.scores.nnz - before
                plan = plan.rescored(graph.scores)
                candidates = plan.prepare(plan.rest.candidates)
                rest = plan.solve(plan.rest, executor)
                assignment = plan.full(rest, graph.scores)
                optimality, cost, sharding, found = _certify_batch(
                    plan, rest, candidates, graph, seeker_vec, role_vec, concepts, config,
                    pinned, regions, clock.counter)
    with clock.stage("costs"):
        policy_extra = plan.manifest(rest, graph.scores, config, curve, seeker_frame)
    with clock.stage("explain"):
        choices = plan.choices(policy_extra)
        explainer = Explainer(
            taxonomy=tax, space=space, concepts=concepts,
            seeker_ids=seeker_ids, role_ids=role_ids,
            role_titles=_strings(role_frame, "title"),
            enterprises=_strings(role_frame, "enterprise"),
            seeker_terms=seeker_terms, role_terms=role_terms,
            seekers=seeker_vec, roles=role_vec, graph=graph,
            adaptation_keys=sorted(adaptations, key=adaptations.__getitem__),
            min_score=config.min_score, lang=config.lang, choices=choices,
        )
        matches = _matches_frame(explainer, assignment.role_of_seeker, cost)
        alternatives = _alternatives_frame(
            graph, role_vec.permanent, assignment.role_of_seeker, seeker_ids, role_ids,
            config.top_k, cost if config.alternatives_by == "reduced" else None,
            forbidden=choices.forbidden,
        )

    warnings = tuple(sorted(
        batch.seeker_table.as_written(batch.role_table.as_written(localise_warnings(
            [*batch.warnings, *seeker_terms.warnings, *role_terms.warnings], explainer.names
        ))),
        key=Problem.sort_key,
    ))
    manifest = _manifest(config, tax, inputs, overrides, assignment, optimality, sharding,
                         graph, batch, role_vec, seeker_terms, role_terms, warnings, clock)
    manifest["counts"].update(repair_rounds=repair["rounds"], repaired_pairs=repair["pairs"])
    manifest.update(policy_extra)
    return MatchResult(matches=matches, alternatives=alternatives, manifest=manifest,
                       warnings=warnings, history=config.history)


def _region(raw: RawTable, frame: pl.DataFrame, column: str) -> list[str | None]:
    """The ``shard_by`` column of an input, in the order of its validated rows (None where
    empty: such a row belongs to no region and keeps all its pairs)."""
    source = raw.frame
    if column not in source.columns:
        raise InputError([Problem(raw.name, None, column, "must be a column of both inputs "
                                  "(the region the assignment is split by, --shard-by)")])
    text = source.get_column(column).cast(pl.String)
    if "_row" in source.columns:  # records numbered by the reader (JSON)
        by_row = dict(zip(source.get_column("_row").to_list(), text.to_list(), strict=True))
        values = [by_row.get(r) for r in frame.get_column("_row").to_list()]
    else:  # numbered by line, from the first record's line
        values = text.gather(frame.get_column("_row") - raw.first_line).to_list()
    return [v.strip() or None if v is not None else None for v in values]


def _split_at_borders(scores: sp.csr_array, seeker_names: list[str | None],
                      role_names: list[str | None]) -> tuple[sp.csr_array, sp.csr_array]:
    """The graph without its pairs across regions, and those pairs (the shard borders)."""
    names = sorted({v for v in seeker_names + role_names if v is not None})
    code = {v: i for i, v in enumerate(names)}
    s_code = np.array([-1 if v is None else code[v] for v in seeker_names], dtype=np.int64)
    r_code = np.array([-1 if v is None else code[v] for v in role_names], dtype=np.int64)
    coo = scores.tocoo()
    a, b = s_code[coo.row], r_code[coo.col]
    inside = (a == b) | (a < 0) | (b < 0)

    def part(keep: np.ndarray) -> sp.csr_array:
        return sp.csr_array((coo.data[keep], (coo.row[keep], coo.col[keep])), shape=scores.shape)

    return part(inside), part(~inside)


def _pair_blocks(pairs: sp.csr_array, rows: int = 4096) -> Iterator[tuple[Any, ...]]:
    """Pairs of a sparse matrix for :func:`certify`, in blocks of seekers."""
    n_seekers = pairs.shape[0]
    for start in range(0, n_seekers, rows):
        block = pairs[start:start + rows]
        if block.nnz:
            cols = np.unique(block.indices)  # only the roles the block touches
            yield np.arange(start, start + block.shape[0]), cols, block[:, cols]


def _frame_name(source: Source, name: str) -> str | None:
    """A frame has no file name: messages call it 'seekers' / 'roles'; a file keeps its own."""
    return name if isinstance(source, pl.DataFrame) else None


def _strings(frame: pl.DataFrame, column: str) -> list[str]:
    if column not in frame.columns:
        return [""] * frame.height
    return [v or "" for v in frame.get_column(column).to_list()]


def _matches_frame(
    explainer: Explainer, role_of_seeker: np.ndarray, cost: np.ndarray
) -> pl.DataFrame:
    roles = role_of_seeker.tolist()
    score = pair_scores(explainer.graph.scores, role_of_seeker).tolist()
    return pl.DataFrame(
        {"seeker_id": list(explainer.seeker_ids),
         "role_id": [explainer.role_ids[j] if j >= 0 else None for j in roles],
         "score": [s if j >= 0 else None for j, s in zip(roles, score, strict=True)],
         "reason": explainer.explain_all(role_of_seeker, cost)},
        schema=dict(MATCHES_SCHEMA),
    )


def _alternatives_frame(
    graph: Any,
    permanent: np.ndarray,
    role_of_seeker: np.ndarray,
    seeker_ids: list[str],
    role_ids: list[str],
    top_k: int,
    price: np.ndarray | None = None,
    forbidden: Iterable[tuple[int, int]] = (),
) -> pl.DataFrame:
    """Each seeker's best roles (the ALTS output), best first; the pairs the caseworker ruled
    out by hand are not among them (the seeker's reason names them)."""
    s = graph.scores
    rows = np.repeat(np.arange(s.shape[0]), np.diff(s.indptr))
    cols = s.indices
    # rank within seeker: score descending, ties by role id (roles are sorted by id already);
    # with role prices, score minus the price: what the place is worth net of its congestion
    key = s.data if price is None else s.data - np.nan_to_num(price)[cols]
    if s.has_sorted_indices:
        # one stable sort on (row, place of the key from the top): rows stay where they are,
        # and equal keys keep their columns' order (2-4x faster than a three-key lexsort)
        distinct, place = np.unique(key, return_inverse=True)
        order = np.argsort(rows * distinct.size + (distinct.size - 1 - place), kind="stable")
    else:
        order = np.lexsort((cols, -key, rows))
    ruled_out = np.array(sorted(i * s.shape[1] + j for i, j in forbidden), dtype=np.int64)
    if ruled_out.size:
        order = order[~np.isin(rows[order] * s.shape[1] + cols[order], ruled_out)]
    rows, cols = rows[order], cols[order]
    data, skill = s.data[order], graph.skill_fit.data[order]
    transfer, wish = graph.transfer_fit.data[order], graph.wish_fit.data[order]
    rank = np.arange(rows.size) - np.searchsorted(rows, rows) + 1  # place in the seeker's list
    keep = rank <= top_k if top_k > 0 else np.ones(rows.size, dtype=bool)
    sid = np.asarray(seeker_ids, dtype=object)
    rid = np.asarray(role_ids, dtype=object)
    return pl.DataFrame(
        {
            "seeker_id": sid[rows[keep]].tolist(),
            "role_id": rid[cols[keep]].tolist(),
            "rank": rank[keep],
            "score": data[keep],
            "skill_fit": skill[keep],
            "transfer_fit": transfer[keep],
            "wish_fit": wish[keep],
            "permanent": permanent[cols[keep]],
            "assigned": role_of_seeker[rows[keep]] == cols[keep],
        },
        schema=dict(ALTERNATIVES_SCHEMA),
    )
