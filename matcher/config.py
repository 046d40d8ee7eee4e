"""The settings of a batch match: one frozen, validated record.

A bad setting fails here, with one message shape, before a long batch starts::

    The 'min_score' parameter of MatchConfig must be a float in [0, 1]. Got -0.5 instead.

The record is what a run's manifest writes out (:meth:`MatchConfig.to_dict`), so a run can be
repeated from its manifest alone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal, get_args

from matcher.errors import ConfigError
from matcher.validate import (
    Constraint,
    Described,
    InstanceOf,
    Interval,
    Options,
    parameter_error,
    validate_params,
)

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


_UNIT: list[Constraint | type | None] = [Interval(float, 0.0, 1.0)]
_WEIGHT_NAMES = ("skill", "transfer", "wish", "permanent")

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
        values = {name: getattr(self, name) for name in _WEIGHT_NAMES}
        validate_params("ScoreWeights", values, dict.fromkeys(_WEIGHT_NAMES, _UNIT),
                        error=ConfigError)
        total = sum(values.values())
        if abs(total - 1.0) > 1e-9:
            parts = " + ".join(f"{name}={value!r}" for name, value in values.items())
            raise parameter_error("ScoreWeights", _WEIGHT_NAMES, "weights that sum to 1",
                                  Described(f"{parts} = {total:g}"), error=ConfigError)


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
    role_candidates : int, default 40
        With ``candidates``: each role also keeps its best this many allowed seekers (by
        score), so a role that its seekers all rank low still has applicants and the first
        solve comes close to the optimum (``0``: none).
    repair_rounds : int, default 2
        With ``candidates``: when the check finds pairs left out that would raise the total,
        each seeker's best ``candidates`` of them are put back and the batch solved again, up
        to this many times (``0``: never); the manifest counts the rounds and the pairs.
    repair_gap : float, default 0.0
        Stop the repair rounds once the gap (a fraction of the upper bound) is at most this:
        ``0.001`` stops within 0.1 % of the optimum, ``0`` only when certified.
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
    role_candidates: int = 40
    repair_rounds: int = 2
    repair_gap: float = 0.0
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
        validate_params(owner, self.__dict__, _MATCH_CONSTRAINTS, error=ConfigError)
        if self.shard_by == "":
            raise parameter_error(owner, "shard_by", "a column name (str) or None",
                                  self.shard_by, error=ConfigError)
        if self.dask_scheduler is not None and self.executor != "dask":
            raise parameter_error(owner, "dask_scheduler", "an address (str), with "
                                  "executor='dask'", self.dask_scheduler, error=ConfigError)
        if self.policy == "fit" and self.priority_weight != 0:
            raise parameter_error(owner, "priority_weight", "0 with policy='fit' (use "
                                  "policy='priority')", self.priority_weight, error=ConfigError)
        if self.protect_parked and (self.policy != "priority" or self.history is None):
            raise parameter_error(owner, "protect_parked", "0 unless policy='priority' and a "
                                  "history is given", self.protect_parked, error=ConfigError)

    def to_dict(self) -> dict[str, Any]:
        """The settings as plain JSON-ready data, in a fixed key order."""
        return asdict(self)


_PATH_OR_NONE: list[Constraint | type | None] = [InstanceOf(str, "a path (str)"), None]
#: what each setting of :class:`MatchConfig` may be (checked in this order)
_MATCH_CONSTRAINTS: dict[str, list[Constraint | type | None]] = {
    "top_k": [Interval(int, 0, None)],
    "min_score": _UNIT,
    "default_max_distance_km": [Interval(float, 0.0, 20_100.0)],
    "strict": [bool],
    "seed": [Interval(int, 0, None)],
    "weights": [ScoreWeights],
    "hierarchy_decay": _UNIT,
    "neutral_wish": _UNIT,
    "block_size": [Interval(int, 1, None)],
    "taxonomy": _PATH_OR_NONE,
    "crosswalk": _PATH_OR_NONE,
    "solver": [Options(SOLVERS)],
    "candidates": [Interval(int, 0, None)],
    "role_candidates": [Interval(int, 0, None)],
    "repair_rounds": [Interval(int, 0, None)],
    "repair_gap": _UNIT,
    "executor": [Options(EXECUTORS)],
    "dask_scheduler": [InstanceOf(str, "an address (str)"), None],
    "shard_by": [InstanceOf(str, "a column name (str)"), None],
    "alternatives_by": [Options(("score", "reduced"))],
    "policy": [Options(POLICIES)],
    "priority_weight": [Interval(float, 0.0, 100.0)],
    "protect_parked": [Interval(int, 0, None)],
    "history": [InstanceOf(str, "a folder path (str)"), None],
    "lang": [Options(REASON_LANGUAGES)],
}


def setting_range(name: str) -> Interval:
    """The range a number setting of :class:`MatchConfig` must lie in, so that a shell can check
    its own option by the same rule (``matcher match --min-score``).

    >>> setting_range("min_score")
    Interval(kind=<class 'float'>, left=0.0, right=1.0, closed='both')
    """
    (rule,) = [c for c in _MATCH_CONSTRAINTS[name] if isinstance(c, Interval)]
    return rule
