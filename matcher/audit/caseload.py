"""The caseload: every seeker the audit is about, with their tier, employability, status and the
eligible pairs, and the ledger of the counts the audit publishes about them.

Everyone counts. In decisions mode the caseload is every seeker in SEEKERS, in engine mode every
seeker in MATCHES. A seeker with no eligible opportunity (no decision row, or no allowed pair in
ALTS) is in the caseload with the reason, counts as never selected in the parking rates, and is
reported per tier; the metrics that compare candidates of an opportunity (C1's rate, C5-C8,
C10-C13) are about the people with at least one eligible opportunity.
"""

from __future__ import annotations

from itertools import product

import numpy as np
import polars as pl
from numpy.typing import NDArray

from matcher.audit.disclosure import Key, Ledger
from matcher.audit.inputs import tier_order
from matcher.audit.records import AuditSettings

__all__ = ["Caseload", "opportunity_codes"]

#: status of a seeker: no eligible opportunity / eligible, never selected / selected, but only
#: before the parking window / selected in the parking window
ELIGIBLE, EARLIER, SELECTED = "eligible", "selected earlier", "selected"
OVERALL = "overall"
NONE = "none: no eligible opportunity"


def opportunity_codes(frame: pl.DataFrame) -> NDArray[np.int64]:
    """One integer per distinct (``role_id``, ``batch``)."""
    keys = frame.select(pl.concat_str([pl.col("role_id"), pl.col("batch")], separator="\x1f"))
    _, codes = np.unique(keys.to_series().to_numpy(), return_inverse=True)
    return codes.astype(np.int64)


class Caseload:
    """Seekers (everyone), their eligible pairs (``rows``) and the seeker-level arrays.

    ``seekers``: one row per seeker of the caseload, sorted by id, with ``selected`` (in any
    batch), ``eligible``, ``never_in_window``, ``no_eligible_reason`` and ``mean_fit``.
    ``pool``: the seekers with at least one eligible pair (the candidates), in the same order.
    """

    def __init__(self, seekers: pl.DataFrame, tiers: tuple[str, ...], pairs: pl.DataFrame,
                 reasons: pl.DataFrame, settings: AuditSettings) -> None:
        self.settings = settings
        self.tiers = tiers
        self.n_tiers = len(tiers)
        rows = pairs.join(seekers.drop("_row"), on="seeker_id", how="left")
        self.rows = rows.sort(["role_id", "batch", "seeker_id"])
        batches = tier_order(sorted(set(self.rows["batch"].to_list())))
        self.batches = batches
        window = settings.last_batches
        self.window = batches[-window:] if window is not None else batches
        self.windowed = len(self.window) < len(batches)
        per_seeker = self.rows.group_by("seeker_id").agg(
            pl.col("selected").max().alias("selected"),
            pl.col("selected").filter(pl.col("batch").is_in(self.window)).max()
            .alias("selected_in_window"),
            pl.col("fit").mean().alias("mean_fit"),
        )
        everyone = seekers.join(reasons, on="seeker_id", how="left").join(
            per_seeker, on="seeker_id", how="left")
        everyone = everyone.with_columns(
            eligible=pl.col("selected").is_not_null(),
            selected=pl.col("selected").fill_null(0).cast(pl.Int8),
            selected_in_window=pl.col("selected_in_window").fill_null(0).cast(pl.Int8),
            no_eligible_reason=pl.when(pl.col("selected").is_null()).then(
                pl.col("no_eligible_reason").fill_null("no eligible opportunity recorded")),
        )
        self.everyone = everyone.sort("seeker_id")
        self.seekers = self.everyone.filter(pl.col("eligible"))
        emp = self.seekers["employability"]
        self.has_employability = emp.null_count() == 0 and emp.len() > 0
        if self.has_employability:
            score = emp.to_numpy().astype(np.float64)
            self.score_source = "employability"
        else:
            # Tier only: closeness to work (T1 highest) stands in for employability.
            score = -self.seekers["tier_rank"].fill_null(0).to_numpy().astype(np.float64)
            self.score_source = "tier (closeness to work) as the employability index"
        sd = score.std() if score.size else 0.0
        self.z_seeker = (score - score.mean()) / sd if sd > 0 else np.zeros_like(score)
        index = {s: i for i, s in enumerate(self.seekers["seeker_id"].to_list())}
        self.index = index
        self.row_seeker = np.array([index[s] for s in self.rows["seeker_id"].to_list()],
                                   dtype=np.int64)
        self.selected = self.seekers["selected"].to_numpy().astype(np.float64)
        self.tier_rank_seeker = self.seekers["tier_rank"].fill_null(0).to_numpy().astype(np.int64)
        if self.n_tiers >= 2:
            self.easy_seeker = (self.tier_rank_seeker >= 1) & (
                self.tier_rank_seeker <= self.n_tiers // 2)
            self.hardest_seeker = self.tier_rank_seeker == self.n_tiers
        else:
            med = float(np.median(score)) if score.size else 0.0
            self.easy_seeker = score >= med
            self.hardest_seeker = score <= (float(np.quantile(score, 0.25)) if score.size
                                            else 0.0)
        self.ledger, self.atom_of = self._atoms()

    # ------------------------------------------------------------------ the ledger
    def tier_labels(self) -> list[str]:
        return list(self.tiers)

    def _status(self) -> list[str]:
        e = self.everyone
        out = []
        for eligible, sel, win, reason in zip(e["eligible"].to_list(), e["selected"].to_list(),
                                              e["selected_in_window"].to_list(),
                                              e["no_eligible_reason"].to_list(), strict=True):
            if not eligible:
                out.append(f"none: {reason}")
            elif not sel:
                out.append(ELIGIBLE)
            else:
                out.append(SELECTED if win or not self.windowed else EARLIER)
        return out

    def _outcome(self, column: str) -> list[str]:
        """Per seeker: 'yes' when a selected decision had the outcome, 'no' when every known
        one did not, 'unknown' otherwise (and for people not selected)."""
        chosen = self.rows.filter((pl.col("selected") == 1) & pl.col(column).is_not_null())
        per = chosen.group_by("seeker_id").agg(pl.col(column).max().alias("o"))
        known = dict(zip(per["seeker_id"].to_list(), per["o"].to_list(), strict=True))
        return ["unknown" if s not in known else ("yes" if known[s] else "no")
                for s in self.everyone["seeker_id"].to_list()]

    def outcome_columns(self) -> list[str]:
        return [c for c in ("outcome_employed", "outcome_permanent")
                if self.rows.filter(pl.col("selected") == 1)[c].null_count()
                < int((self.rows["selected"] == 1).sum())]

    def _atoms(self) -> tuple[Ledger, NDArray[np.int64]]:
        """The fine cross-classification: tier x group values x status x outcomes."""
        e = self.everyone
        tier = [t if t is not None else "" for t in e["tier"].to_list()]
        dims: list[list[str]] = [tier]
        for g in self.settings.group:
            dims.append(e[f"group:{g}"].to_list())
        status = self._status()
        self.everyone_status = status
        dims.append(status)
        outcomes = self.outcome_columns()
        for column in outcomes:
            dims.append(self._outcome(column))
        observed = [tuple(v) for v in zip(*dims, strict=True)]
        tier_levels = sorted(set(tier)) if tier else [""]
        group_levels = [sorted(set(d)) for d in dims[1:1 + len(self.settings.group)]]
        # A reader cannot know that nobody lacked an eligible opportunity: the state exists
        # even when empty.
        reasons = sorted({s for s in status if s.startswith("none: ")}) or [NONE]
        status_levels = [*reasons, ELIGIBLE, SELECTED] + ([EARLIER] if self.windowed else [])
        out_levels = [["yes", "no", "unknown"] for _ in outcomes]
        atoms = []
        for combo in product(tier_levels, *group_levels, status_levels, *out_levels):
            st = combo[1 + len(group_levels)]
            outs = combo[2 + len(group_levels):]
            if st not in (SELECTED, EARLIER) and any(o != "unknown" for o in outs):
                continue  # structural zero: only the selected have outcomes
            atoms.append(combo)
        self.attr_names = ["tier", *[f"group:{g}" for g in self.settings.group], "status",
                           *outcomes]
        position = {a: i for i, a in enumerate(atoms)}
        atom_of = np.array([position[o] for o in observed], dtype=np.int64)
        counts = np.bincount(atom_of, minlength=len(atoms)).astype(np.int64)
        return Ledger(atoms=atoms, counts=counts), atom_of

    def attribute(self, name: str) -> list[str]:
        """One attribute of every atom: 'tier', 'group:<col>', 'status' or an outcome column."""
        i = self.attr_names.index(name)
        return [str(a[i]) for a in self.ledger.atoms]

    def publish(self, key: Key, where: dict[str, object], weight: float = 1.0) -> int:
        """Record the count of the atoms whose attributes satisfy ``where`` (attribute name to
        a value, or to a predicate) as published under ``key``; return it."""
        mask = np.ones(len(self.ledger.atoms), dtype=bool)
        for name, rule in where.items():
            values = self.attribute(name)
            if callable(rule):
                mask &= np.array([bool(rule(v)) for v in values])
            else:
                mask &= np.array([v == rule for v in values])
        return self.ledger.publish(key, mask, weight)


def is_selected(status: str) -> bool:
    return status in (SELECTED, EARLIER)


def is_eligible(status: str) -> bool:
    return not status.startswith("none: ")


def never_in_window(status: str) -> bool:
    return status != SELECTED
