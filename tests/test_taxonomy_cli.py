"""``matcher terms resolve`` and ``matcher occupations similar`` on the built-in taxonomy."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from matcher.cli import cli
from matcher.cli.taxonomy import RESOLVE_COLUMNS
from matcher.taxonomy.cache import CACHE_ENV
from matcher.taxonomy.resolve import SPELLING_MIN_CONFIDENCE

ESCO = "http://data.europa.eu/esco/"
BEE_BREEDER = ESCO + "occupation/026401a9-7d56-4d7b-8052-38985ddbeafa"
COOK = ESCO + "occupation/90f75f67-495d-49fa-ab57-2f320e251d7e"


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def rows(output: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(output)))


def test_resolve_writes_one_row_per_term_in_order() -> None:
    status, out = run("terms", "resolve", "birøktere", "xyzzy plugh", "kokker", "6123",
                      "biavlere", "--candidates", "2")
    assert status == 0, out
    assert out.splitlines()[0] == ",".join(RESOLVE_COLUMNS)
    got = rows(out)
    assert [r["term"] for r in got] == ["birøktere", "xyzzy plugh", "kokker", "6123", "biavlere"]
    bee, nothing, cook, code, da = got
    assert (bee["uri"], bee["label"], bee["kind"], bee["language"], bee["method"]) == (
        BEE_BREEDER, "bee breeder", "occupation", "no", "inflection")
    assert bee["candidates"].split(";")[0] == bee["uri"]
    assert len(bee["candidates"].split(";")) <= 2
    # nothing, or a guess by spelling too unsure to take
    assert nothing["uri"] == ""
    assert float(nothing["confidence"]) < SPELLING_MIN_CONFIDENCE
    assert cook["uri"] == COOK
    assert code["method"] == "code" and code["uri"] == ESCO + "isco/C6123"
    assert BEE_BREEDER in code["candidates"].split(";")
    assert da["language"] == "da" and da["uri"] == BEE_BREEDER


def test_resolve_names_the_answer_and_candidates_in_the_language_asked() -> None:
    status, out = run("terms", "resolve", "birøktere", "sjåfør", "--candidates", "3",
                      "--names", "no")
    assert status == 0, out
    bee, driver = rows(out)
    assert bee["label"] == "birøkter"
    assert bee["candidate_labels"].split(";")[0] == "birøkter"
    # a guess not taken has no answer, but its candidates are named for the caseworker
    assert driver["uri"] == "" and driver["label"] == ""
    named = driver["candidate_labels"].split(";")
    assert len(named) == len(driver["candidates"].split(";")) == 3
    assert "lastebilsjåfør" in named
    status, out = run("terms", "resolve", "birøkter")
    assert rows(out)[0]["candidate_labels"].split(";")[0] == "bee breeder"  # English default
    status, out = run("terms", "resolve", "birøkter", "--names", "xx")
    assert status == 2 and "--names must be one of" in out


def test_resolve_reads_a_column_of_a_file(tmp_path: Path) -> None:
    terms = ["tømrere", "bagere", "kitchen-assistant"] * 400
    source = tmp_path / "terms.csv"
    pl.DataFrame({"id": range(len(terms)), "yrke": terms}).write_csv(source)
    status, out = run("terms", "resolve", "--in", str(source), "--column", "yrke")
    assert status == 0, out
    got = rows(out)
    assert [r["term"] for r in got] == terms
    assert all(r["uri"] for r in got)


def test_resolve_reads_a_caseworkers_export_as_matcher_match_does(tmp_path: Path) -> None:
    """Semicolons and Windows-1252 as Excel saves them, a workbook, the column named in any
    case; a text file without --column is one term a line."""
    source = tmp_path / "yrker.csv"
    source.write_bytes("Løpenr;Yrke\n1;kokk\n2;sjåfør\n".encode("cp1252"))
    status, out = run("terms", "resolve", "--in", str(source), "--column", "yrke")
    assert status == 0, out
    assert [r["term"] for r in rows(out)] == ["kokk", "sjåfør"]
    book = tmp_path / "yrker.xlsx"
    pl.DataFrame({"Yrke": ["kokk", "birøkter"]}).write_excel(book)
    status, out = run("terms", "resolve", "--in", str(book), "--column", "YRKE")
    assert status == 0 and [r["uri"] for r in rows(out)][1] == BEE_BREEDER
    status, out = run("terms", "resolve", "--in", str(book), "--column", "navn")
    assert status == 2 and "no column 'navn' (columns: Yrke)" in out
    status, out = run("terms", "resolve", "--in", str(book))
    assert status == 2 and "name the column of terms with --column" in out
    lines = tmp_path / "yrker.txt"
    lines.write_bytes("kokk\nsjåfør\n".encode("cp1252"))
    status, out = run("terms", "resolve", "--in", str(lines))
    assert status == 0 and [r["term"] for r in rows(out)] == ["kokk", "sjåfør"]


def test_resolve_skills_and_language() -> None:
    status, out = run("terms", "resolve", "--kind", "skill", "breeds insects")
    assert status == 0 and rows(out)[0]["label"] == "breed insects"
    status, out = run("terms", "resolve", "--lang", "da", "birøkter")
    assert status == 0 and rows(out)[0]["uri"] != BEE_BREEDER
    status, out = run("terms", "resolve", "--lang", "no", "birøkter")
    assert rows(out)[0]["uri"] == BEE_BREEDER


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["terms", "resolve"], "give one or more TERMs"),
        (["terms", "resolve", "--lang", "xx", "kokk"], "--lang must be"),
        (["terms", "resolve", "--column", "x", "kokk"], "--column needs --in"),
        (["occupations", "similar", "--out", "x.csv"], "either TERMs or --all"),
        (["occupations", "similar", "xyzzy plugh", "--out", "x.csv"], "no occupation matches"),
        (["occupations", "similar", "cook", "--out", "x.txt"], "--out must end in"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    status, out = run(*args)
    assert status == 2
    assert message in out and "Traceback" not in out


def test_occupations_similar(tmp_path: Path) -> None:
    out = tmp_path / "similar.csv"
    status, text = run("occupations", "similar", "bee breeder", "agronom", "--top", "7",
                       "--out", str(out))
    assert status == 0, text
    frame = pl.read_csv(out)
    assert frame.columns == ["origin_uri", "origin_label", "target_uri", "target_label", "rank",
                             "score", "carried_skills"]
    assert frame.height == 14
    assert frame["origin_label"].unique().sort().to_list() == ["agronomist", "bee breeder"]
    assert (frame["origin_uri"] != frame["target_uri"]).all()
    bee = frame.filter(pl.col("origin_label") == "bee breeder")
    assert bee["rank"].to_list() == list(range(1, 8))
    assert bee["score"].is_sorted(descending=True)
    assert bee["carried_skills"].str.contains("livestock").any()


def test_occupations_similar_is_the_librarys_answer(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from matcher.taxonomy import Taxonomy, load_taxonomy

    asked: list[tuple[int, int]] = []
    library = Taxonomy.similar_occupations

    def counted(self: Taxonomy, index: int, top: int = 10) -> object:
        asked.append((index, top))
        return library(self, index, top)

    monkeypatch.setattr(Taxonomy, "similar_occupations", counted)
    out = tmp_path / "similar.csv"
    status, text = run("occupations", "similar", "bee breeder", "kokk", "--top", "3",
                       "--skills", "0", "--out", str(out))
    assert status == 0, text
    tax = load_taxonomy()
    bee, cook = tax.occupation_index(BEE_BREEDER), tax.occupation_index(COOK)
    assert asked == [(bee, 3), (cook, 3)]
    frame = pl.read_csv(out)
    for origin in (bee, cook):
        targets, scores = library(tax, origin, 3)
        mine = frame.filter(pl.col("origin_uri") == tax.occupation_uris[origin])
        assert mine["target_uri"].to_list() == [tax.occupation_uris[t] for t in targets]
        assert mine["score"].to_list() == [round(float(s), 6) for s in scores]
