"""``matcher terms resolve`` and ``matcher occupations similar``: the taxonomy from the shell.

``terms resolve`` writes CSV on stdout, one row per term in input order::

    term,uri,label,kind,language,method,confidence,candidates,candidate_labels

``label`` and ``candidate_labels`` name the answer and the candidates in the language of
``--names`` (English by default), so a caseworker can read what a term would be taken for.

``occupations similar`` writes, for each origin occupation, its ``--top`` most transferable
target occupations with the skills that carry over.

Both take ``--taxonomy PATH`` (an official ESCO download folder, compiled once into the cache,
or a snapshot .zip) and ``--crosswalk FILE`` (an official ESCO mapping table). A taxonomy or
input problem ends with exit status 2 and one ``error:`` line, never a traceback.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Sequence
from pathlib import Path

import click
import polars as pl

from matcher.cli.base import cli, fail
from matcher.errors import InputError, MatcherError, TaxonomyError
from matcher.io import read_table
from matcher.io.delimited import decode
from matcher.io.read import EXCEL_EXTENSIONS
from matcher.io.schema import column_key
from matcher.taxonomy import Taxonomy, load_taxonomy

__all__ = ["occupations_group", "resolve_command", "similar_command", "terms_group"]

RESOLVE_COLUMNS = ("term", "uri", "label", "kind", "language", "method", "confidence",
                   "candidates", "candidate_labels")
SIMILAR_COLUMNS = ("origin_uri", "origin_label", "target_uri", "target_label", "rank", "score",
                   "carried_skills")
_OUT_SUFFIXES = (".csv", ".parquet", ".json")

taxonomy_option = click.option(
    "--taxonomy", type=click.Path(exists=True),
    help="Official ESCO download folder (compiled once, then cached) or snapshot .zip "
         "(default: the built-in ESCO v1.1.1).")
crosswalk_option = click.option(
    "--crosswalk", type=click.Path(exists=True, dir_okay=False),
    help="Official ESCO mapping table (ESCO-STYRK-08, ESCO-STAR).")


def _load(taxonomy: str | None, crosswalk: str | None) -> Taxonomy:
    try:
        return load_taxonomy(taxonomy, crosswalk=crosswalk)
    except TaxonomyError as exc:
        fail(str(exc), 2)


def _read_terms(path: str, column: str | None) -> list[str]:
    """Terms from a column of a table (read as ``matcher match`` reads its files: CSV with
    ',', ';' or tab, Excel, Parquet, JSON), or without ``column`` one a line of a text file."""
    if column is None:
        if Path(path).suffix.lower() in _TABLES:
            fail(f"--in {path}: name the column of terms with --column", 2)
        try:
            return decode(Path(path).read_bytes())[0].splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"--in {path}: cannot read the terms: {exc}", 2)
    try:
        frame, name = read_table(path)
    except InputError as exc:
        fail(str(exc), 2)
    columns = [c for c in frame.columns if c != "_row"]
    found = next((c for c in columns if column_key(c) == column_key(column)), None)
    if found is None:
        fail(f"--in {name}: no column {column!r} (columns: {', '.join(columns)})", 2)
    return [("" if v is None else str(v)) for v in frame[found].cast(pl.String).to_list()]


#: the files that are tables (their terms are in a column); any other is one term a line
_TABLES = (".csv", ".tsv", ".parquet", ".json", ".jsonl", ".ndjson", *EXCEL_EXTENSIONS)


@cli.group("terms")
def terms_group() -> None:
    """Resolve free-text terms, codes and URIs to ESCO concepts."""


@terms_group.command("resolve")
@click.argument("terms", nargs=-1)
@click.option("--in", "infile", type=click.Path(exists=True, dir_okay=False),
              help="Read the terms from this file (CSV/Parquet/JSON with --column, or one a "
                   "line).")
@click.option("--column", help="Column of --in holding the terms.")
@click.option("--kind", type=click.Choice(["occupation", "skill"]), default="occupation",
              show_default=True)
@click.option("--lang", "language", default="auto", show_default=True,
              help="Match labels of this language only: no, da, en, ... or auto (all).")
@click.option("--candidates", "n_candidates", type=click.IntRange(min=1), default=5,
              show_default=True, help="Candidate URIs listed per term.")
@click.option("--names", default="en", show_default=True,
              help="Name the answer and the candidates in this language of the taxonomy: en, "
                   "no, da, ... (English where it has no name).")
@taxonomy_option
@crosswalk_option
def resolve_command(terms: Sequence[str], infile: str | None, column: str | None, kind: str,
                    language: str, n_candidates: int, names: str, taxonomy: str | None,
                    crosswalk: str | None) -> None:
    """Resolve TERMs (or --in FILE --column COL) and write CSV to stdout, in input order."""
    if infile is None and not terms:
        fail("give one or more TERMs or --in FILE", 2)
    if infile is None and column is not None:
        fail("--column needs --in FILE", 2)
    words = list(terms) + (_read_terms(infile, column) if infile is not None else [])
    tax = _load(taxonomy, crosswalk)
    if language != "auto" and language not in tax.languages:
        fail(f"--lang must be auto or one of {', '.join(tax.languages)}; got {language!r}", 2)
    if names not in tax.languages:
        fail(f"--names must be one of {', '.join(tax.languages)}; got {names!r}", 2)
    answers = tax.resolve_many(words, kind, language)  # type: ignore[arg-type]
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(RESOLVE_COLUMNS)
    for r in answers:
        shown = r.candidates[:n_candidates]
        label = (tax.concept_name(r.uri, names) or r.label) if r.uri else ""
        writer.writerow([
            r.term, r.uri or "", label or "", r.kind, r.language or "", r.method or "",
            f"{r.confidence:.4g}", ";".join(shown),
            ";".join(tax.concept_name(u, names) or "" for u in shown),
        ])


@cli.group("occupations")
def occupations_group() -> None:
    """Explore occupations: which ones experience transfers to."""


@occupations_group.command("similar")
@click.argument("terms", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Every occupation of the taxonomy.")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True,
              help="Target occupations per origin.")
@click.option("--out", required=True, help="Output file (.csv, .parquet or .json).")
@click.option("--skills", "n_skills", type=click.IntRange(min=0), default=5, show_default=True,
              help="Carried-over skills listed per pair (0: none, faster).")
@taxonomy_option
@crosswalk_option
def similar_command(terms: Sequence[str], every: bool, top: int, out: str, n_skills: int,
                    taxonomy: str | None, crosswalk: str | None) -> None:
    """For each origin occupation (TERMs or --all), its --top most transferable occupations."""
    from matcher.io import write_table
    from matcher.taxonomy.similarity import carried_skills

    if every == bool(terms):
        fail("give either TERMs or --all", 2)
    if Path(out).suffix.lower() not in _OUT_SUFFIXES:
        fail(f"--out must end in one of {', '.join(_OUT_SUFFIXES)}, got {Path(out).name!r}", 2)
    tax = _load(taxonomy, crosswalk)
    if every:
        origins = list(range(tax.n_occupations))
    else:
        origins = []
        unresolved = []
        for r in tax.resolve_many(terms, "occupation"):
            if not r.resolved:
                hint = f" (did you mean {', '.join(r.suggestions[:3])}?)" if r.suggestions else ""
                unresolved.append(f"{r.term!r}{hint}")
            origins.extend(i for i in r.indices if i not in origins)
        if unresolved:
            fail(f"no occupation matches {'; '.join(unresolved)}", 2)
    top = min(top, tax.n_occupations - 1)
    rows: dict[str, list[object]] = {c: [] for c in SIMILAR_COLUMNS}
    for origin in origins:
        targets, scores = tax.similar_occupations(origin, top)
        for rank, (target, score) in enumerate(zip(targets.tolist(), scores.tolist(),
                                                   strict=True), start=1):
            rows["origin_uri"].append(tax.occupation_uris[origin])
            rows["origin_label"].append(tax.occupation_labels[origin])
            rows["target_uri"].append(tax.occupation_uris[target])
            rows["target_label"].append(tax.occupation_labels[target])
            rows["rank"].append(rank)
            rows["score"].append(round(float(score), 6))
            rows["carried_skills"].append(
                ";".join(carried_skills(tax, origin, target, n_skills)) if n_skills else "")
    frame = pl.DataFrame(rows, schema={"origin_uri": pl.String, "origin_label": pl.String,
                                       "target_uri": pl.String, "target_label": pl.String,
                                       "rank": pl.Int64, "score": pl.Float64,
                                       "carried_skills": pl.String})
    try:
        write_table(frame, out)
    except (MatcherError, OSError) as exc:
        fail(str(exc), 1)
    click.echo(f"{out}: {frame.height} rows ({len(origins)} origins x {top})", err=True)
