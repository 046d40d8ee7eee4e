"""The settings of a batch match: one frozen, validated record.

A bad setting fails here, with one message shape, before a long batch starts::

    The 'min_score' parameter of MatchConfig must be a float in [0, 1]. Got -0.5 instead.

The record is what a run's manifest writes out (:meth:`MatchConfig.to_dict`), so a run can be
repeated from its manifest alone.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, get_args

from matcher.errors import ConfigError

__all__ = ["EXECUTORS", "POLICIES", "REASON_LANGUAGES", "SOLVERS", "MatchConfig", "ScoreWeights"]

SolverName = Literal["auto", "dense", "sparse"]
PolicyName = Literal["fit", "priority"]
#: the objectives a batch may maximise (see :mod:`matcher.policy`)
POLICIES: tuple[str, ...] = get_args(PolicyName)
#: the assignment solvers a batch may use (see :func:`matcher.assign.solve`)
SOLVERS: tuple[str, ...] = get_args(SolverName)
ExecutorName = Literal["serial", "processes", "dask"]
#: where the assignment's shards run (see :mod:`matcher.executors`)
EXECUTORS: tuple[str, ...] = get_args(ExecutorName)
#: languages the reasons are written in: Norwegian bokmål, Danish, English
REASON_LANGUAGES: tuple[str, ...] = ("nb", "da", "en")


def _fail(owner: str, name: str, rule: str, value: object) -> ConfigError:
    return ConfigError(f"The {name!r} parameter of {owner} must be {rule}. Got {value!r} instead.")


def _check_float(owner: str, name: str, value: object, lo: float, hi: float | None) -> None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if ok and (value < lo or (hi is not None and value > hi)):  # type: ignore[operator]
        ok = False
    if not ok:
        rule = f"a float in [{lo:g}, {hi:g}]" if hi is not None else f"a float >= {lo:g}"
        raise _fail(owner, name, rule, value)


def _check_int(owner: str, name: str, value: object, lo: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < lo:
        raise _fail(owner, name, f"an int >= {lo}", value)


@dataclass(frozen=True)
class ScoreWeights:
    """How the parts of a pair's score are weighed. They must sum to 1 so scores lie in [0, 1].

    Attributes
    ----------
    skill : float
        Weight of skill fit: the share of the role's untrained requirements the seeker covers.
    transfer : float
        Weight of transfer fit: how far the seeker's past occupations carry over to the role's
        occupation (the taxonomy's transfer similarity).
    wish : float
        Weight of wish fit: how close the role's occupation is to what the seeker wishes.
    permanent : float
        The small bonus for a permanent role (permanent employment is what counts as inclusion).
    """

    skill: float = 0.4
    transfer: float = 0.25
    wish: float = 0.3
    permanent: float = 0.05

    def __post_init__(self) -> None:
        names = ("skill", "transfer", "wish", "permanent")
        for name in names:
            _check_float("ScoreWeights", name, getattr(self, name), 0.0, 1.0)
        total = sum(getattr(self, name) for name in names)
        if abs(total - 1.0) > 1e-9:
            parts = " + ".join(f"{name}={getattr(self, name)!r}" for name in names)
            raise ConfigError(
                f"The weights of ScoreWeights must sum to 1. Got {parts} = {total:g} instead."
            )


@dataclass(frozen=True)
class MatchConfig:
    """Settings of one batch match.

    Parameters
    ----------
    top_k : int, default 5
        Alternatives listed per seeker; ``0`` lists every allowed pair.
    min_score : float, default 0.25
        Pairs scoring below this are left out of the assignment and the alternatives.
    default_max_distance_km : float, default 50
        Travel limit for a seeker who gives a location but no ``max_distance_km``.
    strict : bool, default False
        Unresolved terms are errors instead of warnings.
    seed : int, default 0
        Recorded in the manifest; the engine is deterministic and draws nothing at random.
    weights : ScoreWeights
        How skill fit, wish fit and the permanent bonus are weighed.
    hierarchy_decay : float, default 0.5
        Credit a skill passes to its broader skill or skill group, per level.
    neutral_wish : float, default 0.5
        Wish fit used when the seeker states no wishes or the role names no occupation.
    block_size : int, default 4096
        Seekers scored per block; bounds memory to ``block_size x roles`` floats.
    taxonomy : str or None
        Path of an official ESCO download or a snapshot; ``None`` uses the built-in snapshot.
    crosswalk : str or None
        Path of an official ESCO mapping table (ESCO-STYRK-08, ESCO-STAR) to add.
    solver : {'auto', 'dense', 'sparse'}, default 'auto'
        The exact assignment solver (:func:`matcher.assign.solve`): ``auto`` takes the dense
        one only where it is small and fast, the sparse min-cost flow otherwise.
    candidates : int, default 0
        Allowed roles kept per seeker for the assignment, the best by score; ``0`` keeps every
        allowed pair. The pairs left out are still checked against the solver's dual prices, so
        the manifest says whether the result is optimal over all allowed pairs, or how close.
    executor : {'serial', 'processes', 'dask'}, default 'serial'
        Where the assignment's shards run (:mod:`matcher.executors`); the outputs are the
        same whichever runs them.
    dask_scheduler : str or None
        With ``executor='dask'``: the scheduler's address; ``None`` starts a local cluster.
    alternatives_by : {'score', 'reduced'}, default 'score'
        How each seeker's alternatives are ranked: by score, or by score minus the role's
        dual price (``reduced``), which moves roles many others want down the list.
    shard_by : str or None
        A column that both inputs carry (a region): pairs across its values are left out of
        the assignment, which splits it into smaller parts; the manifest bounds what that cost.
    policy : {'fit', 'priority'}, default 'fit'
        What the assignment maximises (:mod:`matcher.policy`): the total fit, or
        ``fit + priority_weight * priority`` so those furthest from work win near-ties.
    priority_weight : float, default 0
        The weight ``W`` of the priority policy, in units of fit; only with ``policy='priority'``.
    protect_parked : int, default 0
        With ``policy='priority'`` and a ``history``: job-seekers left without a place in each
        of their last K runs get the highest priority. 0: off.
    history : str or None
        Folder of the run history (:mod:`matcher.io.history`): read for parking before the
        solve, appended to by :meth:`MatchResult.append_history`.
    lang : {'en', 'nb', 'da'}, default 'en'
        Language of the reasons: English, Norwegian bokmål or Danish. Occupation names follow
        it (ESCO's Norwegian and Danish labels); skill names too when the taxonomy has them.
    """

    top_k: int = 5
    min_score: float = 0.25
    default_max_distance_km: float = 50.0
    strict: bool = False
    seed: int = 0
    weights: ScoreWeights = field(default_factory=ScoreWeights)
    hierarchy_decay: float = 0.5
    neutral_wish: float = 0.5
    block_size: int = 4096
    taxonomy: str | None = None
    crosswalk: str | None = None
    solver: SolverName = "auto"
    candidates: int = 0
    executor: ExecutorName = "serial"
    dask_scheduler: str | None = None
    shard_by: str | None = None
    alternatives_by: Literal["score", "reduced"] = "score"
    policy: PolicyName = "fit"
    priority_weight: float = 0.0
    protect_parked: int = 0
    history: str | None = None
    lang: Literal["nb", "da", "en"] = "en"

    def __post_init__(self) -> None:
        owner = "MatchConfig"
        _check_int(owner, "top_k", self.top_k, 0)
        _check_float(owner, "min_score", self.min_score, 0.0, 1.0)
        _check_float(owner, "default_max_distance_km", self.default_max_distance_km, 0.0, 20_100.0)
        if not isinstance(self.strict, bool):
            raise _fail(owner, "strict", "a bool", self.strict)
        _check_int(owner, "seed", self.seed, 0)
        if not isinstance(self.weights, ScoreWeights):
            raise _fail(owner, "weights", "a ScoreWeights", self.weights)
        _check_float(owner, "hierarchy_decay", self.hierarchy_decay, 0.0, 1.0)
        _check_float(owner, "neutral_wish", self.neutral_wish, 0.0, 1.0)
        _check_int(owner, "block_size", self.block_size, 1)
        for name in ("taxonomy", "crosswalk"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise _fail(owner, name, "a path (str) or None", value)
        if self.solver not in SOLVERS:
            raise _fail(owner, "solver", "one of " + ", ".join(map(repr, SOLVERS)), self.solver)
        _check_int(owner, "candidates", self.candidates, 0)
        if self.executor not in EXECUTORS:
            raise _fail(owner, "executor", "one of " + ", ".join(map(repr, EXECUTORS)),
                        self.executor)
        if self.dask_scheduler is not None and (
            not isinstance(self.dask_scheduler, str) or self.executor != "dask"
        ):
            raise _fail(owner, "dask_scheduler", "an address (str), with executor='dask'",
                        self.dask_scheduler)
        if self.alternatives_by not in ("score", "reduced"):
            raise _fail(owner, "alternatives_by", "one of 'score', 'reduced'",
                        self.alternatives_by)
        if self.shard_by is not None and not (isinstance(self.shard_by, str) and self.shard_by):
            raise _fail(owner, "shard_by", "a column name (str) or None", self.shard_by)
        if self.policy not in POLICIES:
            raise _fail(owner, "policy", "one of " + ", ".join(map(repr, POLICIES)), self.policy)
        _check_float(owner, "priority_weight", self.priority_weight, 0.0, 100.0)
        if self.policy == "fit" and self.priority_weight != 0:
            raise _fail(owner, "priority_weight", "0 with policy='fit' (use policy='priority')",
                        self.priority_weight)
        _check_int(owner, "protect_parked", self.protect_parked, 0)
        if self.protect_parked and (self.policy != "priority" or self.history is None):
            raise _fail(owner, "protect_parked", "0 unless policy='priority' and a history is "
                        "given", self.protect_parked)
        if self.history is not None and not isinstance(self.history, str):
            raise _fail(owner, "history", "a folder path (str) or None", self.history)
        if not isinstance(self.lang, str) or self.lang not in REASON_LANGUAGES:
            raise _fail(owner, "lang", f"one of {', '.join(map(repr, REASON_LANGUAGES))}",
                        self.lang)

    def to_dict(self) -> dict[str, Any]:
        """The settings as plain JSON-ready data, in a fixed key order."""
        return asdict(self)
