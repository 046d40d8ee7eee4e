"""The audit's result: the verdict, every metric as JSON-ready data and as polars frames."""

from __future__ import annotations

import html
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from matcher.errors import Problem

__all__ = ["AuditResult"]


def _frame(rows: list[dict[str, Any]] | None) -> pl.DataFrame:
    if not rows:
        return pl.DataFrame()
    return pl.DataFrame(rows, infer_schema_length=None)


@dataclass(frozen=True, eq=False)
class AuditResult:
    """What :func:`matcher.audit` found.

    Attributes
    ----------
    verdict : dict
        ``creaming_detected``, ``parking_detected``, ``driven_by`` (the test that decided, or
        ``None``) and ``reasons`` (plain sentences, each with its numbers).
    metrics : dict
        Every metric (C1-C13) with counts, intervals, statistics and p-values; suppressed cells
        are ``None``.
    suppressed : list of dict
        Each withheld cell: metric, row, cell and whether it was primary or secondary.
    settings : dict
        The settings and a description of the pool (mode, employability index, tiers, sizes).
    warnings : tuple of Problem
        Doubts about the input (a matched pair missing from ALTS).

    The frames (:attr:`selection`, :attr:`balance`, :attr:`tests`, ...) hold the same figures.
    """

    verdict: dict[str, Any]
    metrics: dict[str, Any]
    suppressed: list[dict[str, Any]]
    settings: dict[str, Any]
    warnings: tuple[Problem, ...] = field(default=())

    # frames -------------------------------------------------------------------------------
    @property
    def selection(self) -> pl.DataFrame:
        """C1 and C4 per tier: n, selected, rate with Wilson interval, representation ratio."""
        return _frame(self.metrics["C1"].get("by_tier"))

    @property
    def groups(self) -> pl.DataFrame:
        """C1 per value of each ``group`` column."""
        return _frame(self.metrics["C1"].get("by_group"))

    @property
    def balance(self) -> pl.DataFrame:
        """C5 (all) and C8 (inside each tier): standardized mean differences."""
        return _frame(self.metrics["C5_C8"])

    @property
    def tests(self) -> pl.DataFrame:
        """C6 and C7 across and within tiers, and C6 per tier: odds ratios, p-values."""
        return _frame(self.metrics["C6_C7"] + self.metrics["C6_by_tier"])

    @property
    def parking(self) -> pl.DataFrame:
        """C9 per tier: never selected over the batches."""
        return _frame(self.metrics["C9"].get("by_tier"))

    @property
    def exposure(self) -> pl.DataFrame:
        """C10 per tier: mean exposure, raw and per unit of fit."""
        return _frame(self.metrics["C10_C11"].get("C10"))

    @property
    def fair_topk(self) -> pl.DataFrame:
        """C11 per ranked list: the first prefix short of the FA*IR minimum (null: none)."""
        c11 = self.metrics["C10_C11"].get("C11") or {}
        return _frame(c11.get("by_list"))

    @property
    def outcomes(self) -> pl.DataFrame:
        """C12: outcomes among the selected, per tier."""
        return _frame(self.metrics["C12"])

    @property
    def price(self) -> pl.DataFrame:
        """C13: total fit and the price of fairness along the priority-weight curve."""
        return _frame(self.metrics["C13"])

    # output -------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The JSON document: verdict, metrics, suppressed, settings."""
        settings = dict(self.settings)
        settings["input_warnings"] = [str(w) for w in self.warnings]
        return {"verdict": self.verdict, "metrics": self.metrics,
                "suppressed": self.suppressed, "settings": settings}

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
        from matcher.io.write import _atomic

        target = Path(path)
        data = self.to_html().encode("utf-8")
        with _atomic(target) as temporary, open(temporary, "wb") as handle:
            handle.write(data)
        return target

    def _repr_html_(self) -> str:
        v = self.verdict
        head = (f"<p><b>Creaming detected:</b> {v['creaming_detected']} &nbsp; "
                f"<b>Parking detected:</b> {v['parking_detected']}</p>")
        reasons = "".join(f"<li>{html.escape(r)}</li>" for r in v["reasons"])
        sel = self.selection
        table = sel._repr_html_() if sel.height else ""
        return f"<div>{head}<ul>{reasons}</ul>{table}</div>"

    def __repr__(self) -> str:
        v = self.verdict
        return (f"AuditResult(creaming_detected={v['creaming_detected']}, "
                f"parking_detected={v['parking_detected']}, driven_by={v['driven_by']!r})")
