"""The audit's typed results: one record per metric family, read by the verdict, the frames, the
JSON and the HTML report (and by any other report that shows an audit).

Every count is an ``int`` or ``None`` (withheld, see :mod:`matcher.audit.disclosure`); every
figure computed from a withheld count is ``None`` as well. A test's ``status`` has one meaning
everywhere (:data:`matcher.audit.creaming.STATUS_MEANING`); a family that could not be assessed
says so in its own ``status`` and ``note`` and carries no test.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

import numpy as np

from matcher.audit.creaming import TestResult
from matcher.errors import ConfigError
from matcher.validate import Constraint, Interval, Options, validate_params

__all__ = [
    "AuditSettings",
    "BalanceRow",
    "CreamingRatio",
    "ExposureRow",
    "GroupRow",
    "ListCheck",
    "NoEligibleReason",
    "OutcomeRow",
    "OutcomeTest",
    "Parking",
    "ParkingRow",
    "PricePoint",
    "Ranked",
    "SelectionRow",
    "SuppressedCell",
    "Verdict",
    "clean",
]

#: what each setting of :class:`AuditSettings` may be (checked in this order)
_AUDIT_CONSTRAINTS: dict[str, list[Constraint | type | None]] = {
    "min_cell": [Interval(int, 1, None)],
    "alpha": [Interval(float, 0.0, 0.5, closed="neither")],
    "seed": [Interval(int, 0, None)],
    "bootstrap": [Options((0,)), Interval(int, 100, None)],
    "correction": [Options(("holm", "bh"))],
    "last_batches": [None, Interval(int, 1, None)],
}


def clean(value: Any) -> Any:
    """JSON-ready: records become dicts, nan and inf ``None``, numpy scalars Python numbers."""
    if hasattr(value, "__dataclass_fields__"):
        value = {f.name: getattr(value, f.name) for f in fields(value)}
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass(frozen=True)
class AuditSettings:
    """The audit's settings, validated on construction."""

    min_cell: int = 5
    alpha: float = 0.05
    seed: int = 0
    bootstrap: int = 1000
    correction: str = "holm"
    group: tuple[str, ...] = ()
    last_batches: int | None = None

    def __post_init__(self) -> None:
        validate_params("audit", self.__dict__, _AUDIT_CONSTRAINTS, error=ConfigError)

    def as_dict(self) -> dict[str, Any]:
        return {"min_cell": self.min_cell, "alpha": self.alpha, "seed": self.seed,
                "bootstrap": self.bootstrap, "correction": self.correction,
                "group": list(self.group), "last_batches": self.last_batches}


@dataclass(frozen=True)
class SelectionRow:
    """C1 and C4 for one tier (or ``'overall'``). ``caseload`` = ``no_eligible`` + ``n``; the
    rate is ``selected / n`` (people with at least one eligible opportunity)."""

    tier: str
    caseload: int | None
    no_eligible: int | None
    n: int | None
    selected: int | None
    not_selected: int | None
    rate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    representation_ratio: float | None = None
    rr_ci_low: float | None = None
    rr_ci_high: float | None = None
    suppressed: bool = False


@dataclass(frozen=True)
class GroupRow:
    """C1 for one value of a ``group`` column (people with an eligible opportunity)."""

    group: str
    value: str
    n: int | None
    selected: int | None
    rate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    suppressed: bool = False


@dataclass(frozen=True)
class CreamingRatio:
    """C2 and C3: the hardest tier's selection rate against the easiest's."""

    easiest: str
    hardest: str
    status: Literal["ok", "suppressed"]
    C2_creaming_ratio: float | None = None
    C2_ci_low: float | None = None
    C2_ci_high: float | None = None
    C2_bootstrap_ci_low: float | None = None
    C2_bootstrap_ci_high: float | None = None
    C3_creaming_gap_pp: float | None = None
    C3_bootstrap_ci_low_pp: float | None = None
    C3_bootstrap_ci_high_pp: float | None = None
    z: float | None = None
    p_z: float | None = None
    p_fisher: float | None = None
    p_boschloo: float | None = None
    four_fifths_flag: bool | None = None
    note: str = "the four-fifths flag is descriptive only: it ignores fit and sample size"


@dataclass(frozen=True)
class BalanceRow:
    """C5 (all) or C8 (inside a tier): standardized mean difference, selected minus not."""

    metric: Literal["C5", "C8"]
    scope: str
    variable: str
    status: Literal["ok", "suppressed", "too_small"]
    n_selected: int | None = None
    n_not_selected: int | None = None
    smd: float | None = None
    se: float | None = None
    hedges: float | None = None
    imbalanced: bool | None = None
    bootstrap_ci_low: float | None = None
    bootstrap_ci_high: float | None = None
    note: str = ""


@dataclass(frozen=True)
class ParkingRow:
    """C9 for one tier: people of the caseload never selected in the batches looked at."""

    tier: str
    n: int | None
    no_eligible: int | None
    never_selected: int | None
    parking_rate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    suppressed: bool = False


@dataclass(frozen=True)
class NoEligibleReason:
    """Why people had no eligible opportunity, over the whole caseload."""

    reason: str
    n: int | None


@dataclass(frozen=True)
class Parking:
    """C9: parking rates per tier, the people without an eligible opportunity, and the test
    (only where it is assessed: at least two batches)."""

    status: Literal["assessed", "not_assessed"]
    batches: int
    batch_labels: list[str]
    by_tier: list[ParkingRow]
    no_eligible_reasons: list[NoEligibleReason]
    test: TestResult | None = None
    note: str = ""


@dataclass(frozen=True)
class ExposureRow:
    """C10 for one tier: mean exposure 1 / log2(1 + rank), raw and per unit of mean fit."""

    tier: str
    exposure: float | None
    mean_fit: float | None
    exposure_per_fit: float | None
    suppressed: bool = False


@dataclass(frozen=True)
class ListCheck:
    """C11 for one ranked list: its length and the first prefix short of the FA*IR minimum."""

    role_id: str
    batch: str
    length: int | None
    first_short_prefix: int | None


@dataclass(frozen=True)
class Ranked:
    """C10 and C11."""

    exposure: list[ExposureRow]
    ratio: float | None
    ratio_per_fit: float | None
    lists: int
    failing: int
    alpha: float
    by_list: list[ListCheck] = field(default_factory=list)


@dataclass(frozen=True)
class OutcomeRow:
    """C12: among the selected people of a tier with a known outcome, how many had it."""

    outcome: str
    tier: str
    n: int | None
    yes: int | None
    rate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    suppressed: bool = False


@dataclass(frozen=True)
class OutcomeTest:
    """C12's test, easiest against hardest tier."""

    outcome: str
    comparison: str
    test: str
    p_two_sided: float | None


@dataclass(frozen=True)
class PricePoint:
    """C13 at one priority weight (units of fit, as the engine's ``--priority-weight``)."""

    weight: float
    total_fit: float
    price_of_fairness: float | None
    selected: int | None
    harder_share_selected: float | None
    mean_z_employability_selected: float | None


@dataclass(frozen=True)
class SuppressedCell:
    """A withheld count: the table, the row and the cell. Whether it was withheld for being
    small or to protect another is not published (that would narrow it down)."""

    table: str
    row: str
    cell: str


@dataclass(frozen=True)
class Verdict:
    """The verdict: what was found, which test decided, and every reason in plain words."""

    creaming_detected: bool
    parking_detected: bool
    parking_assessed: bool
    driven_by: str | None
    reasons: list[str]

    def __getitem__(self, key: str) -> Any:
        """``verdict['creaming_detected']`` reads the field (as the JSON does)."""
        return getattr(self, key)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
