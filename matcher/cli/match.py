"""``matcher match`` and ``matcher demo``: a thin shell over :func:`matcher.match`.

``matcher match SEEKERS ROLES --out MATCHES`` runs a batch; ``matcher demo`` runs one on the
built-in synthetic samples. Bad input ends with exit status 2 and every problem listed (file,
line, column, rule, value), no traceback, and no output file written.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import click
import polars as pl

from matcher.api import MatchResult, match
from matcher.cli.base import cli, fail
from matcher.config import (
    EXECUTORS,
    POLICIES,
    REASON_LANGUAGES,
    SOLVERS,
    MatchConfig,
    setting_range,
)
from matcher.errors import (
    ConfigError,
    InputError,
    MatcherError,
    OutputError,
    Problem,
    TaxonomyError,
)
from matcher.io.messages import localise_problems, output_message
from matcher.policy import Override, parse_override, read_overrides
from matcher.report.strings import STRINGS, Numbers, pick_language

__all__ = ["demo_command", "match_command"]

#: warnings printed before "... and N more"
_SHOWN_WARNINGS = 30
_SUFFIXES = (".csv", ".xlsx", ".parquet", ".json")

#: the words these commands print around the library's tables, by the language of --lang
WORDS: dict[str, dict[str, str]] = {
    "en": {"warnings": "{n} warning(s):", "more": "... and {n} more",
           "all_in": "; all are in {file}", "write_all": "; write them all with --warnings FILE",
           "outputs": "Outputs:", "demo": "Matching the built-in samples ({files}) ...",
           "first": "First matches:"},
    "nb": {"warnings": "Varsler ({n}):", "more": "... og {n} til",
           "all_in": "; alle står i {file}", "write_all": "; skriv alle til en fil med "
           "--warnings FIL", "outputs": "Filer som ble skrevet:",
           "demo": "Matcher de innebygde eksemplene ({files}) ...",
           "first": "De første forslagene:"},
    "da": {"warnings": "Advarsler ({n}):", "more": "... og {n} mere",
           "all_in": "; alle står i {file}", "write_all": "; skriv dem alle til en fil med "
           "--warnings FIL", "outputs": "Filer, der blev skrevet:",
           "demo": "Matcher de indbyggede eksempler ({files}) ...",
           "first": "De første forslag:"},
}


def _print_warnings(warnings: Sequence[Problem], target: str | None, lang: str) -> None:
    if not warnings:
        return
    words = WORDS[lang]
    click.echo(words["warnings"].format(n=len(warnings)), err=True)
    for w in warnings[:_SHOWN_WARNINGS]:
        click.echo(f"  {w}", err=True)
    if len(warnings) > _SHOWN_WARNINGS:
        more = words["more"].format(n=len(warnings) - _SHOWN_WARNINGS)
        where = words["all_in"].format(file=target) if target else words["write_all"]
        click.echo(f"  {more}{where}", err=True)


def _print_summary(result: MatchResult, written: Sequence[Path], lang: str) -> None:
    with pl.Config(tbl_hide_column_data_types=True, tbl_hide_dataframe_shape=True,
                   tbl_hide_column_names=True, tbl_formatting="ASCII_MARKDOWN",
                   fmt_str_lengths=80, tbl_rows=-1):
        click.echo(result.summary(lang))
    click.echo(WORDS[lang]["outputs"])
    for path in written:
        click.echo(f"  {path}")


def _check_suffix(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if value is not None and Path(value).suffix.lower() not in _SUFFIXES:
        raise click.BadParameter(
            f"must end in one of {', '.join(_SUFFIXES)}, got {Path(value).name!r}"
        )
    return value


def _run(
    seekers: str, roles: str, out: str, alternatives: str | None, warnings: str | None,
    report: str | None = None, *, progress: bool = False, lock: Sequence[str] = (),
    forbid: Sequence[str] = (), overrides: str | None = None, policy_curve: str | None = None,
    **settings: Any,
) -> None:
    lang = settings.get("lang", _defaults.lang)
    try:
        config = MatchConfig(**settings)
        changes = _overrides(lock, forbid, overrides)
        curve = parse_weights(policy_curve, "--policy-curve") if policy_curve else None
        result = match(seekers, roles, config=config, overrides=changes, curve=curve,
                       progress=progress)
        written = result.write(out, alternatives=alternatives, warnings=warnings)
        if config.history is not None:
            written.append(result.append_history())
        if report is not None:
            written.append(result.write_report(report, seekers=seekers, roles=roles))
    except InputError as exc:  # those raised outside match() too (--policy-curve)
        fail(str(InputError(localise_problems(exc.problems, lang))), 2, lang)
    except (ConfigError, TaxonomyError) as exc:
        fail(str(exc), 2, lang)
    except OutputError as exc:  # e.g. MATCHES open in Excel
        fail(output_message(exc, lang), 1, lang)
    except MatcherError as exc:
        fail(str(exc), 1, lang)
    else:
        _print_warnings(result.warnings, warnings, config.lang)
        _print_summary(result, written, config.lang)


def _overrides(lock: Sequence[str], forbid: Sequence[str], path: str | None) -> list[Override]:
    """--lock and --forbid (in the order given) and --overrides FILE, every problem at once."""
    out: list[Override] = []
    problems: list[Problem] = []
    for kind, texts in (("lock", lock), ("forbid", forbid)):
        for k, text in enumerate(texts, start=1):
            try:
                out.append(parse_override(text, kind, k))
            except InputError as exc:
                problems += exc.problems
    if path is not None:
        try:
            out += read_overrides(path)
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    return out


def parse_weights(text: str, option: str) -> list[float]:
    """``'0,0.1,0.5'`` -> [0.0, 0.1, 0.5]; each a number in [0, 100]."""
    out = []
    for k, part in enumerate(text.split(","), start=1):
        try:
            w = float(part)
        except ValueError:
            w = math.nan
        if not (math.isfinite(w) and 0 <= w <= 100):
            raise InputError([Problem(option, k, None, "must be numbers in [0, 100] separated "
                                      "by commas", part, code="weights")])
        out.append(w)
    return out


_defaults = MatchConfig()


def setting_option(setting: str) -> click.ParamType:
    """The option of a number setting, checked by the setting's own range, so that a value out
    of it is an error that names the option (click's own, in English like its others)."""
    rule = setting_range(setting)
    if rule.kind is int:
        return click.IntRange(rule.left, rule.right)
    return click.FloatRange(rule.left, rule.right, min_open=rule.closed in ("right", "neither"),
                            max_open=rule.closed in ("left", "neither"))


@cli.command("match")
@click.argument("seekers", type=click.Path(dir_okay=False))
@click.argument("roles", type=click.Path(dir_okay=False))
@click.option("--out", required=True, callback=_check_suffix,
              help="MATCHES file (.csv, .xlsx, .parquet or .json); a manifest is written beside "
                   "it. An .xlsx gets sheets for matches, alternatives (when asked) and warnings.")
@click.option("--alternatives", "alternatives", callback=_check_suffix,
              help="ALTS file: the best --top-k allowed roles per seeker, with score parts.")
@click.option("--warnings", "warnings", callback=_check_suffix,
              help="Write every warning (unresolved terms ...) to this file.")
@click.option("--top-k", type=setting_option("top_k"), default=_defaults.top_k, show_default=True,
              help="Alternatives per seeker; 0 lists every allowed pair.")
@click.option("--min-score", type=setting_option("min_score"), default=_defaults.min_score,
              show_default=True,
              help="Pairs scoring below this are never proposed.")
@click.option("--max-distance-km", "default_max_distance_km",
              type=setting_option("default_max_distance_km"),
              default=_defaults.default_max_distance_km, show_default=True,
              help="Travel limit for seekers with a location but no max_distance_km.")
@click.option("--taxonomy", type=click.Path(exists=True),
              help="Official ESCO download or snapshot (default: the built-in ESCO v1.1.1).")
@click.option("--crosswalk", type=click.Path(exists=True, dir_okay=False),
              help="Official ESCO mapping table to add (ESCO-STYRK-08, ESCO-STAR).")
@click.option("--strict", is_flag=True, help="Unresolved terms are errors, not warnings.")
@click.option("--seed", type=setting_option("seed"), default=_defaults.seed, show_default=True,
              help="Recorded in the manifest (the engine draws nothing at random).")
@click.option("--solver", type=click.Choice(SOLVERS), default=_defaults.solver,
              show_default=True,
              help="Exact assignment solver: auto takes dense only where it is small.")
@click.option("--candidates", type=setting_option("candidates"), default=_defaults.candidates,
              show_default=True,
              help="Best allowed roles kept per seeker for the assignment; 0 keeps them all. "
                   "The manifest says whether the result is still optimal, or how close.")
@click.option("--role-candidates", "role_candidates", type=setting_option("role_candidates"),
              default=_defaults.role_candidates, show_default=True,
              help="With --candidates: best allowed seekers kept per role as well, so every "
                   "role has applicants; 0 keeps none.")
@click.option("--repair-rounds", "repair_rounds", type=setting_option("repair_rounds"),
              default=_defaults.repair_rounds,
              show_default=True,
              help="With --candidates: times the roles left out that would raise the total "
                   "are put back and the batch solved again.")
@click.option("--repair-gap", "repair_gap", type=setting_option("repair_gap"),
              default=_defaults.repair_gap,
              show_default=True,
              help="Stop the repair rounds once the gap is at most this fraction "
                   "(0.001: within 0.1 % of the optimum; 0: only when certified).")
@click.option("--executor", type=click.Choice(EXECUTORS), default=_defaults.executor,
              show_default=True,
              help="Where the assignment's parts run: here, in processes, or on Dask.")
@click.option("--dask-scheduler", "dask_scheduler",
              help="Address of a Dask scheduler (tcp://host:8786) for --executor dask; "
                   "without it a local cluster is started.")
@click.option("--shard-by", "shard_by",
              help="Column of both files (a region): pairs across regions are left out, "
                   "and the manifest bounds what that costs.")
@click.option("--report", "report", type=click.Path(dir_okay=False),
              help="Also write the caseworker's report (one self-contained HTML page).")
@click.option("--alternatives-by", "alternatives_by", type=click.Choice(["score", "reduced"]),
              default=_defaults.alternatives_by, show_default=True,
              help="Rank alternatives by score, or by score minus the role's price "
                   "(reduced: roles everyone wants move down).")
@click.option("--quiet", is_flag=True,
              help="No progress on stderr (it is shown only on a terminal anyway).")
@click.option("--lang", type=click.Choice(REASON_LANGUAGES), default=_defaults.lang,
              show_default=True,
              help="Language of the reasons, warnings, errors and summary: nb (bokmål), "
                   "da (Danish) or en (English).")
@click.option("--policy", type=click.Choice(POLICIES), default=_defaults.policy,
              show_default=True,
              help="fit: the best total fit. priority: fit + W x distance from work (tier, or "
                   "1 - employability).")
@click.option("--priority-weight", type=setting_option("priority_weight"),
              default=_defaults.priority_weight, show_default=True,
              help="W for --policy priority, in units of fit.")
@click.option("--protect-parked", type=setting_option("protect_parked"),
              default=_defaults.protect_parked,
              show_default=True,
              help="With --policy priority and --history: those left without a place in each "
                   "of their last K runs get the highest priority.")
@click.option("--history", type=click.Path(file_okay=False),
              help="Run history folder: read for parking, and this run is added to it.")
@click.option("--lock", "lock", multiple=True, metavar="SEEKER=ROLE",
              help="Fix this placement (repeatable); it takes one of the role's places.")
@click.option("--forbid", "forbid", multiple=True, metavar="SEEKER=ROLE",
              help="Rule this placement out (repeatable).")
@click.option("--overrides", type=click.Path(exists=True, dir_okay=False),
              help="File of locks and forbids: columns seeker_id, role_id, action.")
@click.option("--policy-curve", "policy_curve", metavar="W1,W2,...",
              help="Also solve these priority weights; the report plots what each costs.")
def match_command(seekers: str, roles: str, out: str, alternatives: str | None,
                  warnings: str | None, report: str | None, quiet: bool,
                  **settings: Any) -> None:
    """Match SEEKERS to ROLES and write the proposal to --out.

    SEEKERS and ROLES are CSV (',', ';' or tab; UTF-8 or Windows-1252), Excel (.xlsx: the
    first sheet, or FILE.xlsx#Sheet), Parquet or JSON files (by extension); ROLES may also be
    the role posting service's database URL (sqlite:///FILE, postgresql://...): its open roles.
    """
    progress = not quiet and sys.stderr.isatty()
    _run(seekers, roles, out, alternatives, warnings, report, progress=progress, **settings)


@cli.command("demo")
@click.option("--out-dir", default="matcher-demo", show_default=True, type=click.Path(),
              help="Folder for the demo's outputs (created if missing).")
@click.option("--lang", type=click.Choice(REASON_LANGUAGES), default=_defaults.lang,
              show_default=True,
              help="Language of the reasons, warnings, errors and summary: nb (bokmål), "
                   "da (Danish) or en (English).")
def demo_command(out_dir: str, lang: str) -> None:
    """Run a batch match on the built-in synthetic samples."""
    samples = resources.files("matcher.samples")
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    with resources.as_file(samples / "seekers.csv") as s, \
            resources.as_file(samples / "roles.csv") as r:
        click.echo(WORDS[lang]["demo"].format(files=f"{s.name}, {r.name}"))
        _run(str(s), str(r), str(folder / "matches.csv"), str(folder / "alternatives.csv"),
             str(folder / "warnings.csv"), str(folder / "report.html"), lang=lang)
    result = pl.read_csv(folder / "matches.csv")
    with pl.Config(tbl_hide_column_data_types=True, tbl_hide_dataframe_shape=True,
                   tbl_formatting="ASCII_MARKDOWN", fmt_str_lengths=100, tbl_rows=12,
                   tbl_width_chars=160):
        click.echo(WORDS[lang]["first"])
        language = pick_language(lang)
        numbers, t = Numbers(language), STRINGS[language]
        click.echo(result.head(12).select(
            pl.col("seeker_id").alias(t["seeker"]),
            pl.col("role_id").fill_null("").alias(t["role"]),
            pl.col("score").map_elements(lambda x: numbers.num(x, 2), return_dtype=pl.String)
            .fill_null("").alias(t["score"])))
