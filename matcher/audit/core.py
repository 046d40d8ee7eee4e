"""The audit: from SEEKERS and DECISIONS (or the engine's MATCHES and ALTS) to every metric, the
tests, the verdict and the suppressed cells.

Seeker-level metrics (C1-C5, C8, C9) count a seeker as selected when any of their decisions
selected them; opportunity-level metrics (C6, C7, C10, C11) use the decision rows. See
``docs/audit.md`` for the definitions and the verdict logic.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from matcher.audit import creaming, inference, metrics, ranking
from matcher.audit.inputs import decisions_from_engine, read_decisions, read_seekers
from matcher.audit.result import AuditResult
from matcher.errors import ConfigError, InputError, Problem

__all__ = ["AuditSettings", "audit"]

Source = str | os.PathLike[str] | pl.DataFrame

PARAMETER_MESSAGE = "The {name!r} parameter of audit must be {rule}. Got {got!r} instead."
#: exact tests (Boschloo, Barnard) run on 2x2 tables up to this many people
EXACT_LIMIT = 400
#: C13: the strengths of the priority weight tried, and the largest dense problem re-solved
PRICE_STRENGTHS = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0)
PRICE_MAX_CELLS = 4_000_000
#: whether C7 counts toward the verdict. benchmarks/bench_audit.py (200 seeds) measured its
#: false-positive rate on fit-only selectors at 0.075-0.12 for a nominal 0.05 (C6: 0.04-0.06);
#: in the Holm family it lifts the verdict's rate to 0.06-0.085. Reported, not decisive.
C7_DECIDES = False


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
        checks = [
            ("min_cell", isinstance(self.min_cell, int) and self.min_cell >= 1,
             "an int >= 1"),
            ("alpha", isinstance(self.alpha, int | float) and 0 < self.alpha < 0.5,
             "a float in (0, 0.5)"),
            ("seed", isinstance(self.seed, int) and self.seed >= 0, "an int >= 0"),
            ("bootstrap", isinstance(self.bootstrap, int) and self.bootstrap >= 0
             and self.bootstrap not in range(1, 100), "0 (no bootstrap) or an int >= 100"),
            ("correction", self.correction in ("holm", "bh"), "one of 'holm', 'bh'"),
            ("last_batches", self.last_batches is None or (
                isinstance(self.last_batches, int) and self.last_batches >= 1),
             "None or an int >= 1"),
        ]
        for name, ok, rule in checks:
            if not ok or isinstance(getattr(self, name), bool):
                raise ConfigError(PARAMETER_MESSAGE.format(name=name, rule=rule,
                                                           got=getattr(self, name)))

    def as_dict(self) -> dict[str, Any]:
        return {"min_cell": self.min_cell, "alpha": self.alpha, "seed": self.seed,
                "bootstrap": self.bootstrap, "correction": self.correction,
                "group": list(self.group), "last_batches": self.last_batches}


def audit(
    seekers: Source,
    decisions: Source | None = None,
    *,
    matches: Source | None = None,
    alternatives: Source | None = None,
    group: Sequence[str] = (),
    min_cell: int = 5,
    alpha: float = 0.05,
    seed: int = 0,
    bootstrap: int = 1000,
    correction: str = "holm",
    last_batches: int | None = None,
) -> AuditResult:
    """Audit a selection for creaming and parking.

    Parameters
    ----------
    seekers : path or polars.DataFrame
        SEEKERS: ``seeker_id``, ``tier`` and/or ``employability``, optional
        ``months_unemployed`` and group columns.
    decisions : path or polars.DataFrame, optional
        DECISIONS: one row per (seeker, opportunity) in the eligible pool with ``fit`` and
        ``selected``. Give either this or both ``matches`` and ``alternatives``.
    matches, alternatives : path or polars.DataFrame, optional
        ``matcher match``'s MATCHES (the selections) and ALTS (the eligible pool, fit = score).
    group : columns of SEEKERS to break selection rates down by.
    min_cell : counts under this are suppressed (and the cells that would reveal them).
    alpha : significance level; intervals are 1 - alpha.
    seed : the bootstrap's seed. Same inputs and seed give the same result.
    bootstrap : replicates of the tier-stratified bootstrap (0: none).
    correction : ``'holm'`` or ``'bh'`` (Benjamini-Hochberg) across the creaming tests.
    last_batches : parking (C9) looks at the last K batches (in the tiers' natural label
        order: ``B2`` before ``B10``); ``None`` for all.

    Returns
    -------
    AuditResult

    Raises
    ------
    InputError
        With file, row, column, rule and value of every problem.
    ConfigError
        A setting is out of range.

    Examples
    --------
    >>> import polars as pl
    >>> s = pl.DataFrame({"seeker_id": ["a", "b"], "tier": ["T1", "T2"]})
    >>> d = pl.DataFrame({"seeker_id": ["a", "b"], "role_id": ["r", "r"],
    ...                   "fit": [0.9, 0.4], "selected": [1, 0]})
    >>> audit(s, d, bootstrap=0).verdict["creaming_detected"]
    False
    """
    settings = AuditSettings(min_cell=min_cell, alpha=alpha, seed=seed, bootstrap=bootstrap,
                             correction=correction, group=tuple(group),
                             last_batches=last_batches)
    engine = matches is not None or alternatives is not None
    if engine == (decisions is not None) or (engine and (matches is None or alternatives is None)):
        raise ConfigError("audit needs either decisions, or both matches and alternatives")
    seeker_frame, tiers = read_seekers(seekers, group=settings.group,
                                       name=None if not isinstance(seekers, pl.DataFrame)
                                       else "seekers")
    seeker_name = "seekers" if isinstance(seekers, pl.DataFrame) else os.path.basename(
        os.fspath(seekers))
    ids = set(seeker_frame["seeker_id"].to_list())
    warnings: list[Problem] = []
    if engine:
        assert matches is not None and alternatives is not None
        pool, warnings = decisions_from_engine(
            matches, alternatives,
            matches_name="matches" if isinstance(matches, pl.DataFrame) else None,
            alternatives_name="alternatives" if isinstance(alternatives, pl.DataFrame)
            else None)
        unknown = pool.filter(~pl.col("seeker_id").is_in(sorted(ids)))
        if unknown.height:
            name = "alternatives" if isinstance(alternatives, pl.DataFrame) else \
                os.path.basename(os.fspath(alternatives))
            raise InputError([Problem(name, None, "seeker_id", f"must name a seeker in "
                                      f"{seeker_name}", s) for s in
                              sorted(set(unknown["seeker_id"].to_list()))])
    else:
        assert decisions is not None
        pool = read_decisions(decisions, ids, seekers_name=seeker_name,
                              name="decisions" if isinstance(decisions, pl.DataFrame) else None)
    return _Audit(seeker_frame, tiers, pool, settings, engine, warnings).run()


def _clean(value: Any) -> Any:
    """JSON-ready: nan and inf become None, numpy scalars Python numbers, dicts and lists
    recursively."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class _Audit:
    def __init__(self, seekers: pl.DataFrame, tiers: tuple[str, ...], pool: pl.DataFrame,
                 settings: AuditSettings, engine: bool, warnings: list[Problem]) -> None:
        self.settings = settings
        self.engine = engine
        self.warnings = warnings
        self.tiers = tiers
        self.suppressed: list[dict[str, Any]] = []
        self.reasons: list[str] = []
        rows = pool.join(seekers.drop("_row"), on="seeker_id", how="left")
        self.rows = rows.sort(["role_id", "batch", "seeker_id"])
        per_seeker = self.rows.group_by("seeker_id").agg(
            pl.col("selected").max().alias("selected"),
            pl.col("fit").mean().alias("mean_fit"),
            pl.len().alias("n_opportunities"),
        )
        self.seekers = seekers.join(per_seeker, on="seeker_id", how="inner").sort("seeker_id")
        emp = self.seekers["employability"]
        self.has_employability = emp.null_count() == 0
        if self.has_employability:
            score = emp.to_numpy().astype(np.float64)
            self.score_source = "employability"
        else:
            # Tier only: closeness to work (T1 highest) stands in for employability.
            score = -self.seekers["tier_rank"].fill_null(0).to_numpy().astype(np.float64)
            self.score_source = "tier (closeness to work) as the employability index"
        sd = score.std()
        self.z_seeker = (score - score.mean()) / sd if sd > 0 else np.zeros_like(score)
        index = {s: i for i, s in enumerate(self.seekers["seeker_id"].to_list())}
        self.row_seeker = np.array([index[s] for s in self.rows["seeker_id"].to_list()],
                                   dtype=np.int64)
        self.tier_rank_seeker = self.seekers["tier_rank"].fill_null(0).to_numpy().astype(np.int64)
        self.n_tiers = len(tiers)
        if self.n_tiers >= 2:
            self.easy_seeker = (self.tier_rank_seeker >= 1) & (
                self.tier_rank_seeker <= self.n_tiers // 2)
            self.hardest_seeker = self.tier_rank_seeker == self.n_tiers
        else:
            med = float(np.median(score))
            self.easy_seeker = score >= med
            self.hardest_seeker = score <= float(np.quantile(score, 0.25))

    # ------------------------------------------------------------------ helpers
    def _tier_labels(self) -> list[str]:
        return list(self.tiers) if self.tiers else []

    def _suppress_rows(self, metric: str, labels: list[str], table: NDArray[np.int64],
                       columns: list[str]) -> NDArray[np.bool_]:
        primary, secondary = inference.suppress(table, self.settings.min_cell)
        for i, label in enumerate(labels):
            for j, col in enumerate(columns):
                if primary[i, j] or secondary[i, j]:
                    self.suppressed.append({"metric": metric, "row": label, "cell": col,
                                            "kind": "primary" if primary[i, j] else "secondary"})
        return np.asarray(primary | secondary)

    # ------------------------------------------------------------------ C1-C5, C8
    def selection(self) -> dict[str, Any]:
        alpha = self.settings.alpha
        sel = self.seekers["selected"].to_numpy().astype(np.float64)
        n_all, k_all = sel.size, float(sel.sum())
        rate_all = k_all / n_all
        out: dict[str, Any] = {"overall": {"n": n_all, "selected": int(k_all),
                                           "rate": rate_all}}
        lo, hi = metrics.wilson_interval(k_all, n_all, alpha)
        out["overall"].update(ci_low=lo, ci_high=hi)
        if min(k_all, n_all - k_all) < self.settings.min_cell:
            out["overall"].update(selected=None, rate=None, ci_low=None, ci_high=None,
                                  suppressed=True)
            self.suppressed.append({"metric": "C1", "row": "overall", "cell": "selected",
                                    "kind": "primary"})
        labels = self._tier_labels()
        rows: list[dict[str, Any]] = []
        if labels:
            counts = np.array([[int(sel[self.tier_rank_seeker == r + 1].sum()),
                                int((self.tier_rank_seeker == r + 1).sum())
                                - int(sel[self.tier_rank_seeker == r + 1].sum())]
                               for r in range(len(labels))], dtype=np.int64)
            hidden = self._suppress_rows("C1", labels, counts, ["selected", "not_selected"])
            n_hidden = self._suppress_rows(
                "C1", labels, counts.sum(axis=1, keepdims=True), ["n"])[:, 0]
            boot = self._bootstrap_rates(sel)
            for r, label in enumerate(labels):
                k, n = float(counts[r, 0]), float(counts[r].sum())
                row: dict[str, Any] = {"tier": label, "n": int(n), "selected": int(k),
                                       "not_selected": int(n - k)}
                rate = k / n if n else math.nan
                lo, hi = metrics.wilson_interval(k, n, alpha)
                row.update(rate=rate, ci_low=lo, ci_high=hi,
                           representation_ratio=rate / rate_all if rate_all else math.nan,
                           rr_ci_low=boot[0][r], rr_ci_high=boot[1][r])
                if hidden[r].any():
                    for key in ("selected", "not_selected", "rate", "ci_low", "ci_high",
                                "representation_ratio", "rr_ci_low", "rr_ci_high"):
                        row[key] = None
                if n_hidden[r]:
                    row["n"] = None
                row["suppressed"] = bool(hidden[r].any() or n_hidden[r])
                rows.append(row)
            if out["overall"].get("suppressed"):
                for row in rows:
                    row.update(representation_ratio=None, rr_ci_low=None, rr_ci_high=None)
            out["by_tier"] = rows
            out["C2_C3"] = self._ratio_gap(counts, hidden, boot)
        out["by_group"] = self._groups(sel)
        return out

    def _bootstrap_rates(self, sel: NDArray[np.float64]
                         ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Bootstrap intervals: representation ratio per tier, then C3 gap, C2 ratio, C5 SMD."""
        t = len(self.tiers)
        if self.settings.bootstrap == 0:
            nan = np.full(t + 3, np.nan)
            return nan, nan.copy()
        ranks = self.tier_rank_seeker
        z = self.z_seeker

        def stat(idx: NDArray[np.int64]) -> NDArray[np.float64]:
            s, r, zz = sel[idx], ranks[idx], z[idx]
            overall = s.mean()
            rates = np.array([s[r == d].mean() if np.any(r == d) else np.nan
                              for d in range(1, t + 1)])
            with np.errstate(all="ignore"):
                rr = rates / overall
                gap = rates[0] - rates[-1]
                ratio = rates[-1] / rates[0]
            return np.concatenate([rr, [gap, ratio, _smd_of(zz, s)]])

        return inference.stratified_bootstrap(ranks, stat, n_boot=self.settings.bootstrap,
                                              seed=self.settings.seed, alpha=self.settings.alpha)

    def _ratio_gap(self, counts: NDArray[np.int64], hidden: NDArray[np.bool_],
                   boot: tuple[NDArray[np.float64], NDArray[np.float64]]) -> dict[str, Any]:
        alpha = self.settings.alpha
        t = counts.shape[0]
        if t < 2:
            return {}
        k_e, n_e = int(counts[0, 0]), int(counts[0].sum())
        k_h, n_h = int(counts[-1, 0]), int(counts[-1].sum())
        ratio, lo, hi = metrics.katz_ratio_interval(k_h, n_h, k_e, n_e, alpha)
        gap = (k_e / n_e - k_h / n_h) if n_e and n_h else math.nan
        z, p = metrics.two_proportion_z(k_e, n_e, k_h, n_h) if n_e and n_h else (math.nan,) * 2
        exact = (metrics.exact_tests(k_e, n_e, k_h, n_h, barnard=False)
                 if n_e + n_h <= EXACT_LIMIT and n_e and n_h else None)
        fisher = float(metrics.stats.fisher_exact(
            np.array([[k_e, n_e - k_e], [k_h, n_h - k_h]])).pvalue) if n_e and n_h else None
        out = {
            "easiest": self.tiers[0], "hardest": self.tiers[-1],
            "C2_creaming_ratio": ratio, "C2_ci_low": lo, "C2_ci_high": hi,
            "C2_bootstrap_ci": [boot[0][t + 1], boot[1][t + 1]],
            "C3_creaming_gap_pp": 100 * gap,
            "C3_bootstrap_ci_pp": [100 * boot[0][t], 100 * boot[1][t]],
            "z": z, "p_z": p, "p_fisher": fisher,
            "p_boschloo": exact.boschloo if exact else None,
            "four_fifths_flag": bool(ratio < metrics.FOUR_FIFTHS) if math.isfinite(ratio)
            else None,
            "note": "the four-fifths flag is descriptive only: it ignores fit and sample size",
        }
        if hidden[0].any() or hidden[-1].any():
            for key in ("C2_creaming_ratio", "C2_ci_low", "C2_ci_high", "C2_bootstrap_ci",
                        "C3_creaming_gap_pp", "C3_bootstrap_ci_pp", "four_fifths_flag",
                        "z", "p_z", "p_fisher", "p_boschloo"):
                out[key] = None
            out["suppressed"] = True
            self.suppressed.append({"metric": "C2_C3", "row": "hardest vs easiest",
                                    "cell": "ratio and gap", "kind": "secondary"})
        return out

    def _groups(self, sel: NDArray[np.float64]) -> list[dict[str, Any]]:
        rows = []
        for g in self.settings.group:
            values = self.seekers[f"group:{g}"].to_list()
            labels = sorted(set(values))
            arr = np.array(values)
            counts = np.array([[int(sel[arr == v].sum()), int((arr == v).sum())
                                - int(sel[arr == v].sum())] for v in labels], dtype=np.int64)
            hidden = self._suppress_rows(f"C1:{g}", labels, counts, ["selected", "not_selected"])
            for i, v in enumerate(labels):
                k, n = float(counts[i, 0]), float(counts[i].sum())
                lo, hi = metrics.wilson_interval(k, n, self.settings.alpha)
                row = {"group": g, "value": v, "n": int(n), "selected": int(k),
                       "rate": k / n, "ci_low": lo, "ci_high": hi,
                       "suppressed": bool(hidden[i].any())}
                if hidden[i].any():
                    row.update(selected=None, rate=None, ci_low=None, ci_high=None)
                if n < self.settings.min_cell:
                    row["n"] = None
                rows.append(row)
        return rows

    def balance(self, boot_smd: tuple[float, float]) -> list[dict[str, Any]]:
        """C5 (all seekers) and C8 (inside each tier): SMD of employability, selected minus not."""
        sel = self.seekers["selected"].to_numpy().astype(bool)
        rows = []
        scopes: list[tuple[str, NDArray[np.bool_]]] = [("all", np.ones(sel.size, dtype=bool))]
        if self.has_employability:
            scopes += [(f"tier {t}", self.tier_rank_seeker == i + 1)
                       for i, t in enumerate(self.tiers)]
        variables: list[tuple[str, NDArray[np.float64]]] = [
            ("employability" if self.has_employability else "closeness to work (tier)",
             self.z_seeker)]
        months = self.seekers["months_unemployed"]
        if months.null_count() == 0:
            variables.append(("months_unemployed", months.to_numpy().astype(np.float64)))
        for scope, mask in scopes:
            for name, x in variables:
                a, b = x[mask & sel], x[mask & ~sel]
                metric = "C5" if scope == "all" else "C8"
                row: dict[str, Any] = {"metric": metric, "scope": scope, "variable": name,
                                       "n_selected": int(a.size), "n_not_selected": int(b.size)}
                if min(a.size, b.size) < max(2, self.settings.min_cell):
                    row.update(smd=None, se=None, hedges=None, note="fewer than min_cell people"
                               " on one side")
                    self.suppressed.append({"metric": metric, "row": scope, "cell": name,
                                            "kind": "primary"})
                else:
                    r = metrics.smd(float(a.mean()), float(a.std(ddof=1)), a.size,
                                    float(b.mean()), float(b.std(ddof=1)), b.size)
                    row.update(smd=r.smd, se=r.se, hedges=r.hedges,
                               imbalanced=bool(abs(r.smd) > metrics.SMD_THRESHOLD))
                    if scope == "all" and name != "months_unemployed":
                        row.update(bootstrap_ci=list(boot_smd))
                rows.append(row)
        if self.n_tiers >= 2:
            hard = self.hardest_seeker
            p1, p0 = float(hard[sel].mean()) if sel.any() else math.nan, \
                float(hard[~sel].mean()) if (~sel).any() else math.nan
            rows.append({"metric": "C5", "scope": "all", "variable": "in hardest tier (binary)",
                         "n_selected": int(sel.sum()), "n_not_selected": int((~sel).sum()),
                         "smd": metrics.binary_smd(p1, p0)})
        return rows

    # ------------------------------------------------------------------ C6, C7
    def creaming(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        y = self.rows["selected"].to_numpy().astype(np.float64)
        fit = self.rows["fit"].to_numpy().astype(np.float64)
        opp = _codes(self.rows, ["role_id", "batch"])
        z = self.z_seeker[self.row_seeker]
        seeker = self.row_seeker
        tier = self.tier_rank_seeker[seeker]
        alpha = self.settings.alpha
        within = self.has_employability and self.n_tiers >= 2
        family_size = 2 if within else 1
        mde_alpha = alpha / family_size
        family = [creaming.conditional_logit(y, z, fit, opp, seeker, scope="across tiers",
                                             alpha=alpha, mde_alpha=mde_alpha)]
        if within:
            family.append(creaming.conditional_logit(
                y, z, fit, opp, seeker, scope="within tiers", alpha=alpha, mde_alpha=mde_alpha,
                strata=tier))
        extra = []
        if within:
            for d, label in enumerate(self.tiers, start=1):
                m = tier == d
                extra.append(creaming.conditional_logit(
                    y[m], z[m], fit[m], opp[m], seeker[m], scope=f"tier {label}", alpha=alpha))
        easy = self.easy_seeker[seeker]
        robust = [creaming.mantel_haenszel(y, easy, fit, opp, scope="across tiers",
                                           alpha=alpha)]
        if within:
            above = np.zeros(seeker.size, dtype=bool)
            for d in range(1, self.n_tiers + 1):
                m = tier == d
                if m.any():
                    above[m] = z[m] >= np.median(self.z_seeker[self.tier_rank_seeker == d])
            robust.append(creaming.mantel_haenszel(
                y, above, fit, opp * (self.n_tiers + 1) + tier, scope="within tiers",
                alpha=alpha))
        decisive = family + (robust if C7_DECIDES else [])
        tested = [r for r in decisive if r.status == "ok"]
        adjusted = inference.adjust([float(r.p_value) for r in tested],  # type: ignore[arg-type]
                                    self.settings.correction)  # type: ignore[arg-type]
        p_adj = {id(r): p for r, p in zip(tested, adjusted, strict=True)}
        primary = []
        for r in family + robust:
            row = r.as_dict()
            row["decisive"] = r in decisive
            row["p_adjusted"] = p_adj.get(id(r))
            row["correction"] = self.settings.correction if row["decisive"] else None
            primary.append(row)
        secondary = []
        if extra:
            ok = [r for r in extra if r.status == "ok"]
            adj = dict(zip([id(r) for r in ok], inference.adjust(
                [float(r.p_value) for r in ok], self.settings.correction),  # type: ignore
                strict=True))
            for r in extra:
                row = r.as_dict()
                row["p_adjusted"] = adj.get(id(r))
                row["decisive"] = False
                secondary.append(row)
        return primary, secondary

    # ------------------------------------------------------------------ C9
    def parking(self) -> dict[str, Any]:
        from matcher.audit.inputs import tier_order

        batches = tier_order(sorted(set(self.rows["batch"].to_list())))
        window = self.settings.last_batches
        if window is not None:
            batches = batches[-window:]
        rows = self.rows.filter(pl.col("batch").is_in(batches))
        per = rows.group_by("seeker_id").agg(pl.col("selected").max(),
                                             pl.col("fit").mean().alias("mean_fit"))
        per = self.seekers.select("seeker_id").with_row_index("i").join(
            per, on="seeker_id", how="inner").sort("i")
        present = per["i"].to_numpy().astype(np.int64)
        sel = per["selected"].to_numpy().astype(np.float64)
        never = 1 - sel
        ranks = self.tier_rank_seeker[present]
        out: dict[str, Any] = {"batches": len(batches), "batch_labels": batches, "by_tier": []}
        labels = self._tier_labels()
        if labels:
            counts = np.array([[int(never[ranks == r + 1].sum()), int(sel[ranks == r + 1].sum())]
                               for r in range(len(labels))], dtype=np.int64)
            hidden = self._suppress_rows("C9", labels, counts, ["never_selected", "selected"])
            for r, label in enumerate(labels):
                k, n = float(counts[r, 0]), float(counts[r].sum())
                lo, hi = metrics.wilson_interval(k, n, self.settings.alpha)
                row: dict[str, Any] = {"tier": label, "n": int(n), "never_selected": int(k),
                                       "parking_rate": k / n if n else None,
                                       "ci_low": lo, "ci_high": hi,
                                       "suppressed": bool(hidden[r].any())}
                if hidden[r].any():
                    row.update(never_selected=None, parking_rate=None, ci_low=None,
                               ci_high=None)
                out["by_tier"].append(row)
        if self.n_tiers >= 2:
            test = creaming.parking_logit(never, self.hardest_seeker[present].astype(np.float64),
                                          per["mean_fit"].to_numpy(), alpha=self.settings.alpha)
            out["test"] = test.as_dict()
        return out

    # ------------------------------------------------------------------ C10, C11
    def ranked(self) -> dict[str, Any]:
        ranked = self.rows.filter(pl.col("rank").is_not_null())
        if ranked.height == 0 or not self.tiers:
            return {}
        seeker_index = {s: i for i, s in enumerate(self.seekers["seeker_id"].to_list())}
        rank_seeker = np.array([seeker_index[s] for s in ranked["seeker_id"].to_list()])
        tier_of = self.tier_rank_seeker[rank_seeker]
        labels = np.array(["" if t == 0 else self.tiers[t - 1] for t in tier_of])
        by = ranking.exposure_by_group(ranked["rank"].to_numpy(), labels,
                                       ranked["fit"].to_numpy())
        rows: list[dict[str, Any]] = [{"tier": t, **by[t]} for t in self.tiers if t in by]
        for row in rows:
            if row["n"] < self.settings.min_cell:
                self.suppressed.append({"metric": "C10", "row": row["tier"], "cell": "all",
                                        "kind": "primary"})
                row.update(n=None, exposure=None, mean_fit=None, exposure_per_fit=None)
        easiest, hardest = by.get(self.tiers[0]), by.get(self.tiers[-1])
        out: dict[str, Any] = {"C10": rows}
        if easiest and hardest and rows[0]["n"] is not None and rows[-1]["n"] is not None:
            out["C10_ratio"] = hardest["exposure"] / easiest["exposure"]
            out["C10_ratio_per_fit"] = hardest["exposure_per_fit"] / easiest["exposure_per_fit"]
        # C11: per ranked list, the harder tiers' share of the list is p
        lists = []
        hard = ~self.easy_seeker[rank_seeker]
        keys = ranked.select("role_id", "batch").to_numpy()
        order = ranked["rank"].to_numpy()
        codes = _codes(ranked, ["role_id", "batch"])
        failing = 0
        for c in range(int(codes.max()) + 1):
            m = np.flatnonzero(codes == c)
            m = m[np.argsort(order[m], kind="stable")]
            p = float(hard[m].mean())
            first = ranking.fair_prefix_check(hard[m], p, self.settings.alpha)
            failing += first is not None
            lists.append({"role_id": keys[m[0]][0], "batch": keys[m[0]][1], "length": int(m.size),
                          "hard_share": p, "first_short_prefix": first})
        out["C11"] = {"lists": len(lists), "failing": failing, "alpha": self.settings.alpha,
                      "by_list": lists}
        return out

    # ------------------------------------------------------------------ C12
    def outcomes(self) -> list[dict[str, Any]]:
        rows = []
        chosen = self.rows.filter(pl.col("selected") == 1)
        for column in ("outcome_employed", "outcome_permanent"):
            data = chosen.filter(pl.col(column).is_not_null())
            if data.height == 0 or not self.tiers:
                continue
            labels = list(self.tiers)
            tier_col = data["tier"].to_list()
            ok = data[column].to_numpy()
            counts = np.array([[int(sum(o for t, o in zip(tier_col, ok, strict=True)
                                        if t == lab)),
                                int(sum(1 - o for t, o in zip(tier_col, ok, strict=True)
                                        if t == lab))] for lab in labels], dtype=np.int64)
            hidden = self._suppress_rows(f"C12:{column}", labels, counts, ["yes", "no"])
            for i, lab in enumerate(labels):
                k, n = float(counts[i, 0]), float(counts[i].sum())
                lo, hi = metrics.wilson_interval(k, n, self.settings.alpha)
                row: dict[str, Any] = {"outcome": column, "tier": lab, "n": int(n),
                                       "yes": int(k), "rate": k / n if n else None,
                                       "ci_low": lo, "ci_high": hi,
                                       "suppressed": bool(hidden[i].any())}
                if hidden[i].any():
                    row.update(yes=None, rate=None, ci_low=None, ci_high=None)
                rows.append(row)
            k_e, n_e, k_h, n_h = counts[0, 0], counts[0].sum(), counts[-1, 0], counts[-1].sum()
            if n_e and n_h and len(labels) >= 2:
                fisher = metrics.stats.fisher_exact(
                    np.array([[k_e, n_e - k_e], [k_h, n_h - k_h]])).pvalue
                rows.append({"outcome": column, "tier": f"{labels[0]} vs {labels[-1]}",
                             "test": "Fisher exact, two-sided", "p_value": float(fisher)})
        return rows

    # ------------------------------------------------------------------ C13
    def price(self) -> list[dict[str, Any]]:
        from matcher.assign import solve_dense

        rows = self.rows.filter(pl.col("fit") > 0)
        if len(set(rows["batch"].to_list())) > 1:
            return []
        per_seeker = rows.group_by("seeker_id").agg(pl.col("selected").sum())
        if int(per_seeker["selected"].max() or 0) > 1:  # type: ignore[arg-type]
            return []
        slots_frame = rows.group_by("role_id").agg(pl.col("selected").sum().alias("slots"))
        slots_frame = slots_frame.filter(pl.col("slots") > 0).sort("role_id")
        if slots_frame.height == 0:
            return []
        role_index = {r: j for j, r in enumerate(slots_frame["role_id"].to_list())}
        rows = rows.filter(pl.col("role_id").is_in(list(role_index)))
        seeker_index = {s: i for i, s in enumerate(self.seekers["seeker_id"].to_list())}
        i = np.array([seeker_index[s] for s in rows["seeker_id"].to_list()], dtype=np.int64)
        j = np.array([role_index[r] for r in rows["role_id"].to_list()], dtype=np.int64)
        fit = rows["fit"].to_numpy().astype(np.float64)
        slots = slots_frame["slots"].to_numpy().astype(np.int64)
        n = len(seeker_index)
        if n * int(slots.sum()) > PRICE_MAX_CELLS:
            return []
        import scipy.sparse as sp

        z = self.z_seeker
        hardness = (z.max() - z) / (z.max() - z.min()) if z.max() > z.min() else np.zeros_like(z)
        hard_mask = ~self.easy_seeker
        base_total = None
        out = []
        for lam in PRICE_STRENGTHS:
            weights = fit * (1 + lam * hardness[i])
            matrix = sp.csr_array((weights, (i, j)), shape=(n, slots.size))
            assignment = solve_dense(matrix, slots)
            chosen = assignment.role_of_seeker
            placed = np.flatnonzero(chosen >= 0)
            fit_matrix = sp.csr_array((fit, (i, j)), shape=(n, slots.size))
            total = float(fit_matrix[placed, chosen[placed]].sum()) if placed.size else 0.0
            if base_total is None:
                base_total = total
            out.append({
                "strength": lam, "total_fit": total,
                "price_of_fairness": (base_total - total) / base_total if base_total else None,
                "selected": int(placed.size),
                "harder_share_selected": float(hard_mask[placed].mean()) if placed.size else None,
                "mean_z_employability_selected": float(z[placed].mean()) if placed.size
                else None,
            })
        return out

    # ------------------------------------------------------------------ verdict
    def run(self) -> AuditResult:
        selection = self.selection()
        boot_low, boot_high = self._bootstrap_rates(
            self.seekers["selected"].to_numpy().astype(np.float64))
        t = len(self.tiers)
        balance = self.balance((boot_low[t + 2], boot_high[t + 2]))
        primary, per_tier = self.creaming()
        parking = self.parking()
        ranked = self.ranked()
        outcomes = self.outcomes()
        price = self.price()
        from matcher.audit.verdict import verdict

        decision = verdict(primary, per_tier, selection, parking, self.settings.alpha,
                           self.score_source)
        metrics_json = _clean({
            "C1": selection, "C5_C8": balance, "C6_C7": primary, "C6_by_tier": per_tier,
            "C9": parking, "C10_C11": ranked, "C12": outcomes, "C13": price,
        })
        settings = self.settings.as_dict() | {
            "mode": "engine (matches + alternatives)" if self.engine else "decisions",
            "employability_index": self.score_source, "tiers": list(self.tiers),
            "pool": {"seekers": self.seekers.height, "pairs": self.rows.height,
                     "opportunities": int(_codes(self.rows, ["role_id", "batch"]).max()) + 1,
                     "batches": parking["batches"]},
        }
        return AuditResult(
            verdict=_clean(decision), metrics=metrics_json,
            suppressed=sorted(self.suppressed, key=lambda s: (s["metric"], s["row"], s["cell"])),
            settings=_clean(settings),
            warnings=tuple(self.warnings),
        )


def _codes(frame: pl.DataFrame, columns: list[str]) -> NDArray[np.int64]:
    keys = frame.select(pl.concat_str([pl.col(c) for c in columns], separator="\x1f"))
    values = keys.to_series().to_numpy()
    _, codes = np.unique(values, return_inverse=True)
    return codes.astype(np.int64)


def _smd_of(x: NDArray[np.float64], sel: NDArray[np.float64]) -> float:
    a, b = x[sel == 1], x[sel == 0]
    if a.size < 2 or b.size < 2:
        return math.nan
    pooled = math.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2)
    return float((a.mean() - b.mean()) / pooled) if pooled > 0 else math.nan
