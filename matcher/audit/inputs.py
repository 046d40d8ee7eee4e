"""Read and validate the audit's inputs, or build them from the engine's own proposal.

Two tables (CSV, Parquet or JSON, read with :func:`matcher.io.read_table`):

SEEKERS
    ``seeker_id`` (required, unique), ``tier`` (ordered labels: ``T1`` closest to work ...
    ``T4`` furthest, any labels with a number in them, or NAV's four need-assessment groups by
    name), ``employability`` in [0, 1] (required when there is no ``tier``),
    ``months_unemployed`` (>= 0, optional) and the group columns named with ``group``.
DECISIONS
    One row per (seeker, opportunity) in the eligible pool: ``seeker_id``, ``role_id``, ``fit`` in
    [0, 1], ``selected`` (0/1); optional ``rank`` (integer >= 1 within the opportunity's list),
    ``outcome_employed`` and ``outcome_permanent`` (0/1), ``batch`` (text).

Every problem is a :class:`~matcher.errors.Problem` (file, line as a spreadsheet shows it,
column, rule, value) and all problems of a file are raised together in one
:class:`~matcher.errors.InputError`.
:func:`decisions_from_engine` turns ``matcher match``'s MATCHES and ALTS into DECISIONS.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

import polars as pl

from matcher.errors import InputError, Problem
from matcher.explain.phrases import no_role_kind
from matcher.io import decimal_number, read_table
from matcher.io.columns import match_columns
from matcher.io.outputs import canonical_columns
from matcher.io.schema import SEEKER_SCHEMA
from matcher.io.tiers import NAV_TIERS, tier_order

__all__ = [
    "NAV_TIERS",
    "AuditInputs",
    "decisions_from_engine",
    "read_decisions",
    "read_seekers",
    "tier_order",
]

Source = str | os.PathLike[str] | pl.DataFrame

RULE_MISSING_COLUMN = "required column is missing"
RULE_MISSING_VALUE = "must not be empty"
RULE_UNIQUE = "must be unique; first seen on line {first}"
RULE_UNIT = "must be a number in [0, 1]"
RULE_BINARY = "must be 0 or 1"
RULE_RANK = "must be an integer >= 1"
RULE_MONTHS = "must be a number >= 0"
RULE_KNOWN_SEEKER = "must name a seeker in {seekers}"
RULE_PAIR_UNIQUE = "the pair (seeker_id, role_id{batch}) must be unique; first seen on line {first}"
RULE_TIER_OR_EMPLOYABILITY = "needs a 'tier' or an 'employability' column"
RULE_EMPLOYABILITY_OR_TIER = "must not be empty when the row has no tier"
RULE_EMPTY_POOL = "holds no eligible pair (an empty pool)"
RULE_GROUP = "group column named with --group is missing"

@dataclass(frozen=True)
class AuditInputs:
    """The validated inputs: one row per seeker and one per (seeker, opportunity) pair.

    ``seekers``: ``seeker_id``, ``tier`` (String or null), ``tier_rank`` (Int64, 1 = closest to
    work, null without tier), ``employability`` (Float64 or null), ``months_unemployed``, and the
    group columns (String). ``decisions``: ``seeker_id``, ``role_id``, ``fit``, ``selected``
    (Int8), ``rank`` (Int64 or null), ``outcome_employed``, ``outcome_permanent`` (Int8 or null),
    ``batch`` (String, ``''`` when not given). ``tiers`` lists the tier labels in order.
    """

    seekers: pl.DataFrame
    decisions: pl.DataFrame
    tiers: tuple[str, ...]
    warnings: tuple[Problem, ...] = ()


def _text(frame: pl.DataFrame, column: str) -> pl.Expr:
    expr = pl.col(column)
    if frame.schema[column] != pl.String:
        expr = expr.cast(pl.String)
    stripped = expr.str.strip_chars()
    return pl.when(stripped.str.len_bytes() > 0).then(stripped)


def _number(frame: pl.DataFrame, column: str) -> pl.Expr:
    if frame.schema[column].is_numeric():
        return pl.col(column).cast(pl.Float64)
    if frame.schema[column] == pl.Boolean:
        return pl.col(column).cast(pl.Float64)
    return decimal_number(_text(frame, column))


def _check(
    frame: pl.DataFrame, name: str, column: str, bad: pl.Expr, rule: str, quote: bool = True
) -> list[Problem]:
    rows = frame.select("_row", _text(frame, column).alias("v"), bad.fill_null(False).alias("b"))
    rows = rows.filter(pl.col("b"))
    return [
        Problem(file=name, line=r, column=column, rule=rule, value=v if quote else None,
                code=_CODES.get(rule))
        for r, v, _ in rows.iter_rows()
    ]


#: the codes by which :mod:`matcher.io.messages` writes these rules in Norwegian and Danish
_CODES = {RULE_MISSING_VALUE: "missing_value", RULE_UNIT: "unit", RULE_BINARY: "binary",
          RULE_RANK: "rank", RULE_MONTHS: "months",
          RULE_EMPLOYABILITY_OR_TIER: "employability_or_tier"}


def _with_rows(frame: pl.DataFrame) -> pl.DataFrame:
    renamed = {c: c.strip() for c in frame.columns if c.strip() != c}
    if renamed:
        frame = frame.rename(renamed)
    if "_row" in frame.columns and frame.schema["_row"].is_integer():
        return frame  # JSON records carry their number
    # the line a spreadsheet shows: the header is line 1
    return frame.with_columns(_row=pl.int_range(2, frame.height + 2, dtype=pl.Int64))


def _unit(frame: pl.DataFrame, name: str, column: str, required: bool) -> list[Problem]:
    value = _number(frame, column)
    stated = _text(frame, column).is_not_null()
    ok = (value.is_finite() & value.is_between(0, 1)).fill_null(False)
    problems = _check(frame, name, column, stated & ~ok, RULE_UNIT)
    if required:
        problems += _check(frame, name, column, ~stated, RULE_MISSING_VALUE, quote=False)
    return problems


def _binary(frame: pl.DataFrame, name: str, column: str, required: bool) -> list[Problem]:
    value = _number(frame, column)
    stated = _text(frame, column).is_not_null()
    problems = _check(frame, name, column, stated & ~value.is_in([0.0, 1.0]).fill_null(False),
                       RULE_BINARY)
    if required:
        problems += _check(frame, name, column, ~stated, RULE_MISSING_VALUE, quote=False)
    return problems


def _duplicates(frame: pl.DataFrame, name: str, keys: list[str], rule: str) -> list[Problem]:
    ids = frame.select("_row", *[_text(frame, k).alias(k) for k in keys]).drop_nulls()
    ids = ids.with_columns(first=pl.col("_row").min().over(keys)).filter(
        pl.col("_row") != pl.col("first")
    )
    return [
        Problem(file=name, line=row[0], column=keys[-1], rule=rule.format(first=row[-1]),
                value=str(row[len(keys)]), code="unique" if rule == RULE_UNIQUE else None,
                params=(("first", row[-1]),))
        for row in ids.select("_row", *keys, "first").iter_rows()
    ]


def read_seekers(source: Source, *, group: tuple[str, ...] = (), name: str | None = None
                 ) -> tuple[pl.DataFrame, tuple[str, ...]]:
    """Read and validate SEEKERS; return the typed frame and the tier labels in order."""
    raw, display = read_table(source, name=name)
    frame, written = _seeker_columns(_with_rows(raw), display)
    try:
        return _read_seekers(frame, display, group)
    except InputError as exc:  # name the columns as the file writes them
        raise InputError([dataclasses.replace(p, column=written.get(p.column, p.column))
                          if p.column is not None else p for p in exc.problems]) from None


#: the columns the audit reads from SEEKERS, found under any name the match knows them by
_AUDIT_COLUMNS = ("seeker_id", "tier", "employability")


def _seeker_columns(frame: pl.DataFrame, display: str) -> tuple[pl.DataFrame, dict[str, str]]:
    """``frame`` with the id, tier and employability columns under their own names, as the
    match finds them (``Løpenr``, ``Innsatsgruppe``: :mod:`matcher.io.columns`), and those
    names -> the header as written."""
    header = [c for c in frame.columns if c != "_row"]
    fields = match_columns(header, SEEKER_SCHEMA, display).fields
    rename = {c: f for c, f in fields.items()
              if f in _AUDIT_COLUMNS and c != f and f not in frame.columns}
    return frame.rename(rename), {f: c for c, f in rename.items()}


def _read_seekers(frame: pl.DataFrame, display: str, group: tuple[str, ...]
                  ) -> tuple[pl.DataFrame, tuple[str, ...]]:
    problems: list[Problem] = []
    if "seeker_id" not in frame.columns:
        problems.append(Problem(display, None, "seeker_id", RULE_MISSING_COLUMN,
                                code="missing_column", params=(("names", ("seeker_id",)),)))
    if "tier" not in frame.columns and "employability" not in frame.columns:
        problems.append(Problem(display, None, None, RULE_TIER_OR_EMPLOYABILITY,
                                code="tier_or_employability"))
    problems += [Problem(display, None, g, RULE_GROUP) for g in group if g not in frame.columns]
    if problems:
        raise InputError(problems)
    problems += _check(frame, display, "seeker_id", _text(frame, "seeker_id").is_null(),
                       RULE_MISSING_VALUE, quote=False)
    problems += _duplicates(frame, display, ["seeker_id"], RULE_UNIQUE)
    has_tier = "tier" in frame.columns
    if "employability" in frame.columns:
        problems += _unit(frame, display, "employability", required=False)
        if has_tier:
            missing = _text(frame, "employability").is_null() & _text(frame, "tier").is_null()
            problems += _check(frame, display, "employability", missing,
                               RULE_EMPLOYABILITY_OR_TIER, quote=False)
        else:
            problems += _check(frame, display, "employability",
                               _text(frame, "employability").is_null(), RULE_MISSING_VALUE,
                               quote=False)
    if "months_unemployed" in frame.columns:
        value = _number(frame, "months_unemployed")
        stated = _text(frame, "months_unemployed").is_not_null()
        problems += _check(frame, display, "months_unemployed",
                           stated & ~(value.is_finite() & (value >= 0)).fill_null(False),
                           RULE_MONTHS)
    if problems:
        raise InputError(problems)

    def opt_text(c: str) -> pl.Expr:
        return _text(frame, c) if c in frame.columns else pl.lit(None, pl.String)

    def opt_num(c: str) -> pl.Expr:
        return _number(frame, c) if c in frame.columns else pl.lit(None, pl.Float64)

    typed = frame.select(
        _text(frame, "seeker_id").alias("seeker_id"),
        opt_text("tier").alias("tier"),
        opt_num("employability").alias("employability"),
        opt_num("months_unemployed").alias("months_unemployed"),
        *[_text(frame, g).fill_null("(missing)").alias(f"group:{g}") for g in group],
        pl.col("_row"),
    )
    tiers = tuple(tier_order(typed["tier"].drop_nulls().unique().to_list()))
    rank = {t: i + 1 for i, t in enumerate(tiers)}
    typed = typed.with_columns(
        tier_rank=pl.col("tier").replace_strict(rank, default=None, return_dtype=pl.Int64)
    )
    if not tiers and typed["employability"].null_count() == typed.height:
        raise InputError([Problem(display, None, None, RULE_TIER_OR_EMPLOYABILITY,
                                  code="tier_or_employability")])
    return typed, tiers


def read_decisions(source: Source, seeker_ids: set[str], *, seekers_name: str = "SEEKERS",
                   name: str | None = None) -> pl.DataFrame:
    """Read and validate DECISIONS against the seekers' ids; return the typed frame."""
    raw, display = read_table(source, name=name)
    frame = _with_rows(raw)
    problems = [
        Problem(display, None, c, RULE_MISSING_COLUMN)
        for c in ("seeker_id", "role_id", "fit", "selected")
        if c not in frame.columns
    ]
    if problems:
        raise InputError(problems)
    for column in ("seeker_id", "role_id"):
        problems += _check(frame, display, column, _text(frame, column).is_null(),
                           RULE_MISSING_VALUE, quote=False)
    unknown = _text(frame, "seeker_id").is_not_null() & ~_text(frame, "seeker_id").is_in(
        sorted(seeker_ids))
    problems += _check(frame, display, "seeker_id", unknown,
                       RULE_KNOWN_SEEKER.format(seekers=seekers_name))
    problems += _unit(frame, display, "fit", required=True)
    problems += _binary(frame, display, "selected", required=True)
    for column in ("outcome_employed", "outcome_permanent"):
        if column in frame.columns:
            problems += _binary(frame, display, column, required=False)
    if "rank" in frame.columns:
        value = _number(frame, "rank")
        stated = _text(frame, "rank").is_not_null()
        ok = value.is_finite() & (value >= 1) & (value == value.floor())
        problems += _check(frame, display, "rank", stated & ~ok.fill_null(False), RULE_RANK)
    keys = ["seeker_id", "role_id"] + (["batch"] if "batch" in frame.columns else [])
    rule = RULE_PAIR_UNIQUE.replace("{batch}", ", batch" if "batch" in keys else "")
    problems += _duplicates(frame, display, keys, rule)
    if problems:
        raise InputError(problems)

    def opt(c: str, dtype: pl.DataType) -> pl.Expr:
        if c not in frame.columns:
            return pl.lit(None, dtype).alias(c)
        return _number(frame, c).cast(dtype).alias(c)

    typed = frame.select(
        _text(frame, "seeker_id").alias("seeker_id"),
        _text(frame, "role_id").alias("role_id"),
        _number(frame, "fit").alias("fit"),
        _number(frame, "selected").cast(pl.Int8).alias("selected"),
        opt("rank", pl.Int64()),
        opt("outcome_employed", pl.Int8()),
        opt("outcome_permanent", pl.Int8()),
        (_text(frame, "batch").fill_null("") if "batch" in frame.columns
         else pl.lit("")).alias("batch"),
        pl.col("_row"),
    )
    if typed.height == 0:
        raise InputError([Problem(display, None, None, RULE_EMPTY_POOL)])
    return typed


#: why a seeker of MATCHES has no eligible role, by the clause of MATCHES' ``reason`` that says
#: so (:func:`matcher.explain.phrases.no_role_kind`, in whatever language the run was written)
NO_ELIGIBLE_REASONS = {
    "none_pass": "no role passes the hard constraints (distance, language, hours, adaptations)",
    "below": "no role within reach reaches the minimum score",
    "no_roles": "no open roles in the batch",
    "empty": "nothing to match on: no experience, skills or wishes recorded",
    "unrecognised_all": "nothing to match on: none of the person's terms was recognised",
}
NO_ELIGIBLE_UNKNOWN = "no allowed pair in ALTS (reason not given)"


def no_eligible_reason(text: str | None) -> str:
    """The reason category of an unmatched seeker's MATCHES ``reason`` (never the text).

    >>> no_eligible_reason("Ingen stilling foreslått. Det er ingen ledige stillinger i denne "
    ...                    "kjøringen.")
    'no open roles in the batch'
    """
    kind = no_role_kind(text)
    return NO_ELIGIBLE_REASONS[kind] if kind is not None else NO_ELIGIBLE_UNKNOWN


def decisions_from_engine(matches: Source, alternatives: Source, *,
                          matches_name: str | None = None,
                          alternatives_name: str | None = None
                          ) -> tuple[pl.DataFrame, list[Problem], pl.DataFrame]:
    """DECISIONS from ``matcher match``'s MATCHES (selections) and ALTS (the eligible pool).

    ``fit`` is the engine's ``score``; ``selected`` is 1 for the pair MATCHES holds; ``rank`` is
    the seeker's place in the role's list when the role's candidates are ordered by score
    (ties by ``seeker_id``), the list a role's employer would see.

    ALTS lists only each seeker's top-k roles unless the match ran with ``--top-k 0``: a matched
    pair missing from ALTS is added from MATCHES and reported as a warning, and the pool is then
    the top-k lists, not every allowed pair.

    The third frame is the caseload: every seeker of MATCHES (``seeker_id``, and for those with
    no pair in the pool ``no_eligible_reason``, a category read from MATCHES' ``reason``).
    """
    m_raw, m_name = read_table(matches, name=matches_name)
    a_raw, a_name = read_table(alternatives, name=alternatives_name)
    # a workbook of a run in Norwegian or Danish has its headers in that language
    m = _with_rows(canonical_columns(m_raw))
    a = _with_rows(canonical_columns(a_raw))
    problems = [Problem(m_name, None, c, RULE_MISSING_COLUMN)
                for c in ("seeker_id", "role_id", "score") if c not in m.columns]
    problems += [Problem(a_name, None, c, RULE_MISSING_COLUMN)
                 for c in ("seeker_id", "role_id", "score") if c not in a.columns]
    if problems:
        raise InputError(problems)
    for frame, name in ((a, a_name),):
        problems += _check(frame, name, "seeker_id", _text(frame, "seeker_id").is_null(),
                           RULE_MISSING_VALUE, quote=False)
        problems += _check(frame, name, "role_id", _text(frame, "role_id").is_null(),
                           RULE_MISSING_VALUE, quote=False)
        problems += _unit(frame, name, "score", required=True)
    matched = _text(m, "role_id").is_not_null()
    score_ok = _number(m, "score").is_finite() & _number(m, "score").is_between(0, 1)
    problems += _check(m, m_name, "score", matched & ~score_ok.fill_null(False), RULE_UNIT)
    problems += _duplicates(a, a_name, ["seeker_id", "role_id"],
                            RULE_PAIR_UNIQUE.replace("{batch}", ""))
    if problems:
        raise InputError(problems)
    pool = a.select(
        _text(a, "seeker_id").alias("seeker_id"), _text(a, "role_id").alias("role_id"),
        _number(a, "score").alias("fit"), pl.col("_row"),
    )
    chosen = m.filter(matched).select(
        _text(m, "seeker_id").alias("seeker_id"), _text(m, "role_id").alias("role_id"),
        _number(m, "score").alias("m_fit"), pl.col("_row").alias("m_row"),
    )
    missing = chosen.join(pool, on=["seeker_id", "role_id"], how="anti")
    warnings = [
        Problem(a_name, None, None,
                f"lacks the matched pair of {m_name} line {r} (seeker {s!r}, role {role!r}): ALTS "
                "holds only each seeker's top-k roles unless `matcher match` ran with --top-k 0; "
                "the pair is added to the pool with its score", level="warning")
        for s, role, r in missing.select("seeker_id", "role_id", "m_row").iter_rows()
    ]
    pool = pl.concat([
        pool.drop("_row"),
        missing.select("seeker_id", "role_id", pl.col("m_fit").alias("fit")),
    ])
    pool = pool.join(chosen.select("seeker_id", "role_id", pl.lit(1, pl.Int8).alias("selected")),
                     on=["seeker_id", "role_id"], how="left")
    pool = pool.with_columns(pl.col("selected").fill_null(0).cast(pl.Int8)).sort(
        ["role_id", "fit", "seeker_id"], descending=[False, True, False])
    pool = pool.with_columns(
        rank=pl.int_range(1, pl.len() + 1, dtype=pl.Int64).over("role_id"),
        outcome_employed=pl.lit(None, pl.Int8), outcome_permanent=pl.lit(None, pl.Int8),
        batch=pl.lit(""),
    ).sort(["seeker_id", "role_id"])
    pool = pool.with_columns(_row=pl.int_range(1, pl.len() + 1, dtype=pl.Int64))
    if pool.height == 0:
        raise InputError([Problem(a_name, None, None, RULE_EMPTY_POOL)])
    problems = _check(m, m_name, "seeker_id", _text(m, "seeker_id").is_null(),
                      RULE_MISSING_VALUE, quote=False)
    problems += _duplicates(m, m_name, ["seeker_id"], RULE_UNIQUE)
    if problems:
        raise InputError(problems)
    reason = _text(m, "reason") if "reason" in m.columns else pl.lit(None, pl.String)
    everyone = m.select(_text(m, "seeker_id").alias("seeker_id"), reason.alias("reason"))
    in_pool = set(pool["seeker_id"].to_list())
    ids = everyone["seeker_id"].to_list()
    caseload = pl.DataFrame({
        "seeker_id": ids,
        "no_eligible_reason": [None if s in in_pool else no_eligible_reason(r)
                               for s, r in zip(ids, everyone["reason"].to_list(), strict=True)],
    }, schema={"seeker_id": pl.String, "no_eligible_reason": pl.String})
    missing_from_matches = sorted(in_pool - set(caseload["seeker_id"].to_list()))
    caseload = pl.concat([caseload, pl.DataFrame(
        {"seeker_id": missing_from_matches,
         "no_eligible_reason": [None] * len(missing_from_matches)},
        schema={"seeker_id": pl.String, "no_eligible_reason": pl.String})])
    return pool, warnings, caseload
