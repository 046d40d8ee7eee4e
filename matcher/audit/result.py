"""The audit's result: the verdict and the typed records of every metric family, as JSON, as
polars frames and as a self-contained HTML report."""

from __future__ import annotations

import html
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from matcher.audit.creaming import STATUS_MEANING, TestResult
from matcher.audit.records import (
    BalanceRow,
    CreamingRatio,
    GroupRow,
    OutcomeRow,
    OutcomeTest,
    Parking,
    PricePoint,
    Ranked,
    SelectionRow,
    SuppressedCell,
    Verdict,
    clean,
)
from matcher.errors import Problem

__all__ = ["AuditResult", "Families"]


def _frame(rows: list[Any] | None) -> pl.DataFrame:
    if not rows:
        return pl.DataFrame()
    return pl.DataFrame(clean(list(rows)), infer_schema_length=None)


@dataclass(frozen=True)
class Families:
    """The typed records of every metric family (counts already suppressed)."""

    selection: SelectionRow
    by_tier: list[SelectionRow]
    ratio: CreamingRatio | None
    groups: list[GroupRow]
    balance: list[BalanceRow]
    tests: list[TestResult]
    tests_by_tier: list[TestResult]
    parking: Parking
    ranked: Ranked | None
    outcomes: list[OutcomeRow]
    outcome_tests: list[OutcomeTest]
    price: list[PricePoint]


@dataclass(frozen=True, eq=False)
class AuditResult:
    """What :func:`matcher.audit` found.

    Attributes
    ----------
    verdict : Verdict
        ``creaming_detected``, ``parking_detected``, ``parking_assessed``, ``driven_by`` (the
        test that decided, or ``None``) and ``reasons`` (plain sentences, with their numbers).
    families : Families
        The typed records of C1-C13; withheld counts and what is computed from them are
        ``None``.
    suppressed : list of SuppressedCell
        Every withheld count (table, row, cell).
    settings : dict
        The settings and a description of the pool (mode, employability index, tiers, sizes).
    warnings : tuple of Problem
        Doubts about the input (a matched pair missing from ALTS).

    :attr:`metrics` is the JSON form of the families; the frames (:attr:`selection`,
    :attr:`balance`, :attr:`tests`, ...) hold the same figures.
    """

    verdict: Verdict
    families: Families
    suppressed: list[SuppressedCell]
    settings: dict[str, Any]
    warnings: tuple[Problem, ...] = field(default=())

    @property
    def metrics(self) -> dict[str, Any]:
        """Every metric as JSON-ready data (the ``metrics`` of :meth:`to_dict`)."""
        f = self.families
        return clean({
            "C1": {"overall": f.selection, "by_tier": f.by_tier, "by_group": f.groups,
                   "C2_C3": f.ratio},
            "C5_C8": f.balance,
            "C6_C7": f.tests,
            "C6_by_tier": f.tests_by_tier,
            "C9": f.parking,
            "C10_C11": f.ranked,
            "C12": {"by_tier": f.outcomes, "tests": f.outcome_tests},
            "C13": f.price,
        })

    # frames -------------------------------------------------------------------------------
    @property
    def selection(self) -> pl.DataFrame:
        """C1 and C4 per tier: caseload, no eligible opportunity, n, selected, rate with Wilson
        interval, representation ratio."""
        return _frame(self.families.by_tier)

    @property
    def groups(self) -> pl.DataFrame:
        """C1 per value of each ``group`` column."""
        return _frame(self.families.groups)

    @property
    def balance(self) -> pl.DataFrame:
        """C5 (all) and C8 (inside each tier): standardized mean differences."""
        return _frame(self.families.balance)

    @property
    def tests(self) -> pl.DataFrame:
        """C6 and C7 across and within tiers, and C6 per tier: odds ratios, p-values."""
        return _frame(self.families.tests + self.families.tests_by_tier)

    @property
    def parking(self) -> pl.DataFrame:
        """C9 per tier (and overall): never selected over the batches, no eligible
        opportunity."""
        return _frame(self.families.parking.by_tier)

    @property
    def exposure(self) -> pl.DataFrame:
        """C10 per tier: mean exposure, raw and per unit of fit."""
        r = self.families.ranked
        return _frame(r.exposure if r else None)

    @property
    def fair_topk(self) -> pl.DataFrame:
        """C11 per ranked list: the first prefix short of the FA*IR minimum (null: none)."""
        r = self.families.ranked
        return _frame(r.by_list if r else None)

    @property
    def outcomes(self) -> pl.DataFrame:
        """C12: outcomes among the selected, per tier."""
        return _frame(self.families.outcomes)

    @property
    def price(self) -> pl.DataFrame:
        """C13: total fit and the price of fairness along the priority-weight curve."""
        return _frame(self.families.price)

    # output -------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The JSON document: verdict, metrics, suppressed, settings."""
        settings = dict(self.settings)
        settings["input_warnings"] = [str(w) for w in self.warnings]
        settings["status_meaning"] = dict(STATUS_MEANING)
        return {"verdict": clean(self.verdict), "metrics": self.metrics,
                "suppressed": clean(self.suppressed), "settings": settings}

    def write_json(self, path: str | os.PathLike[str]) -> Path:
        """Write :meth:`to_dict` atomically (keys sorted: same input and seed, same bytes)."""
        from matcher.io import write_json

        return write_json(self.to_dict(), path)

    def to_html(self) -> str:
        """The self-contained HTML report (inline SVG plots, no network)."""
        from matcher.audit.report import render

        return render(self)

    def write_html(self, path: str | os.PathLike[str]) -> Path:
        """Write :meth:`to_html` atomically."""
        from matcher.io.write import atomic_file

        target = Path(path)
        data = self.to_html().encode("utf-8")
        with atomic_file(target) as temporary, open(temporary, "wb") as handle:
            handle.write(data)
        return target

    def _repr_html_(self) -> str:
        v = self.verdict
        head = (f"<p><b>Creaming detected:</b> {v.creaming_detected} &nbsp; "
                f"<b>Parking detected:</b> {v.parking_detected}</p>")
        reasons = "".join(f"<li>{html.escape(r)}</li>" for r in v.reasons)
        sel = self.selection
        table = sel._repr_html_() if sel.height else ""
        return f"<div>{head}<ul>{reasons}</ul>{table}</div>"

    def __repr__(self) -> str:
        v = self.verdict
        return (f"AuditResult(creaming_detected={v.creaming_detected}, "
                f"parking_detected={v.parking_detected}, driven_by={v.driven_by!r})")
