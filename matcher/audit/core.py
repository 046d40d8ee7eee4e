"""The audit: from SEEKERS and DECISIONS (or the engine's MATCHES and ALTS) to every metric, the
tests, the verdict and the suppressed cells.

The data path inside the audit: read (:mod:`~matcher.audit.inputs`) -> the caseload and its
ledger of published counts (:mod:`~matcher.audit.caseload`) -> each metric family as typed
records (:mod:`~matcher.audit.selection`, :mod:`~matcher.audit.conditional`,
:mod:`~matcher.audit.parking`, :mod:`~matcher.audit.ranked`, :mod:`~matcher.audit.outcomes`)
-> suppression over every published count (:mod:`~matcher.audit.disclosure`) -> the verdict
-> :class:`~matcher.audit.result.AuditResult`. See ``docs/audit.md`` for the definitions.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace

import polars as pl

from matcher.audit import conditional, outcomes, parking, ranked, selection
from matcher.audit.caseload import OVERALL, Caseload, opportunity_codes
from matcher.audit.conditional import C7_DECIDES
from matcher.audit.inputs import decisions_from_engine, read_decisions, read_seekers
from matcher.audit.records import AuditSettings, SuppressedCell, clean
from matcher.audit.result import AuditResult, Families
from matcher.audit.selection import tier_keys
from matcher.audit.verdict import verdict
from matcher.errors import ConfigError, InputError, Problem

__all__ = ["C7_DECIDES", "AuditSettings", "audit"]

Source = str | os.PathLike[str] | pl.DataFrame



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
        pool, warnings, caseload = decisions_from_engine(
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
        strangers = caseload.filter(~pl.col("seeker_id").is_in(sorted(ids)))
        if strangers.height:
            name = "matches" if isinstance(matches, pl.DataFrame) else \
                os.path.basename(os.fspath(matches))
            raise InputError([Problem(name, None, "seeker_id", f"must name a seeker in "
                                      f"{seeker_name}", s) for s in
                              sorted(strangers["seeker_id"].to_list())])
        not_in_run = seeker_frame.height - caseload.height
        seeker_frame = seeker_frame.join(caseload.select("seeker_id"), on="seeker_id",
                                         how="semi")
    else:
        assert decisions is not None
        pool = read_decisions(decisions, ids, seekers_name=seeker_name,
                              name="decisions" if isinstance(decisions, pl.DataFrame) else None)
        caseload = pl.DataFrame(
            {"seeker_id": seeker_frame["seeker_id"],
             "no_eligible_reason": ["no decision row (no eligible opportunity recorded)"]
             * seeker_frame.height}, schema={"seeker_id": pl.String,
                                             "no_eligible_reason": pl.String})
        not_in_run = 0
    reasons = caseload.select("seeker_id", "no_eligible_reason")
    cl = Caseload(seeker_frame, tiers, pool, reasons, settings)
    return _run(cl, engine, warnings, not_in_run)




def _run(cl: Caseload, engine: bool, warnings: list[Problem], not_in_run: int,
         *, complementary: bool = True) -> AuditResult:
    """Every family, then suppression over all the counts they publish, then the verdict."""
    settings = cl.settings
    boot_low, boot_high = selection.bootstrap(cl)
    t = cl.n_tiers
    sel = selection.selection(cl, (boot_low, boot_high))
    group_rows = selection.groups(cl)
    balance_rows = selection.balance(cl, (boot_low[t + 2], boot_high[t + 2]))
    tests, per_tier = conditional.conditional_tests(cl)
    park = parking.parking(cl)
    lists = ranked.ranked(cl)
    outcome_rows, outcome_tests = outcomes.outcomes(cl)
    price = outcomes.price(cl)

    primary, secondary = cl.ledger.protect(settings.min_cell, complementary=complementary)
    hidden = primary | secondary
    sel, group_rows, balance_rows = selection.withhold(sel, group_rows, balance_rows, hidden)
    tests, per_tier = conditional.withhold(tests, per_tier, hidden)
    park = parking.withhold(park, hidden, set(cl.ledger.entries))
    lists = ranked.withhold(lists, hidden)
    outcome_rows, outcome_tests = outcomes.withhold(outcome_rows, outcome_tests, hidden)
    # Decisions are counted in pairs, not people, but where everyone has one decision the two
    # agree: while a count of the whole caseload is withheld, no decision count is shown.
    decision_counts = not any(k in hidden for k in tier_keys(OVERALL).values())
    if not decision_counts:
        price = [replace(p, selected=None) for p in price]
        tests = [replace(r, n=None, n_selected=None) for r in tests]
        if lists is not None:
            lists = replace(lists, by_list=[replace(b, length=None) for b in lists.by_list])

    families = Families(selection=sel.overall, by_tier=sel.by_tier, ratio=sel.ratio,
                        groups=group_rows, balance=balance_rows, tests=tests,
                        tests_by_tier=per_tier, parking=park, ranked=lists,
                        outcomes=outcome_rows, outcome_tests=outcome_tests, price=price)
    decision = verdict(families, settings.alpha, cl.score_source, settings.min_cell)
    caseload_key = tier_keys(OVERALL)["caseload"]
    pool = {
        "seekers": None if caseload_key in hidden else cl.ledger.value(caseload_key),
        "pairs": cl.rows.height if decision_counts else None,
        "opportunities": int(opportunity_codes(cl.rows).max()) + 1 if cl.rows.height else 0,
        "batches": len(cl.batches),
    }
    if engine:
        pool["seekers_not_in_this_run"] = not_in_run
    run_settings = settings.as_dict() | {
        "mode": "engine (matches + alternatives)" if engine else "decisions",
        "employability_index": cl.score_source, "tiers": list(cl.tiers), "pool": pool,
        "c7_decides": C7_DECIDES,
    }
    suppressed = [SuppressedCell(table=k[0], row=k[1], cell=k[2]) for k in sorted(hidden)]
    return AuditResult(verdict=decision, families=families, suppressed=suppressed,
                       settings=clean(run_settings), warnings=tuple(warnings))
