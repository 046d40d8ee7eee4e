"""The issue's acceptance test: a NAV caseworker's Excel workbooks in Norwegian, with Norwegian
column names and words as people write them, run first time with ``--lang nb``, and everything
the caseworker reads (reasons, warnings, the report) is in Norwegian."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from click.testing import CliRunner
from test_io_forms import workbook
from test_report import data_of

from matcher.audit.inputs import NO_ELIGIBLE_REASONS
from matcher.cli import cli
from matcher.io import sheet_names

SEEKERS = [
    ["Løpenr", "Erfaring", "Ferdigheter", "Jobbønsker", "Språk", "Tilrettelegging",
     "Maks timer", "Bosted", "Kommentar"],
    ["A-001", "Gårdsarbeider; agronom", "", "birøkter", "dari; engelsk", "", "37,5", "Hamar",
     "snakker litt norsk"],
    ["A-002", "renholdsarbeider", "", "", "somali; norsk", "rullestoltilgang", 20, "", ""],
    ["A-003", "sjåfør", "", "", "tigrinja", "", None, "", ""],
    ["A-004", "", "", "", "norsk", "", None, "", ""],
    ["A-005", "Syerske", "", "", "arabisk", "stille arbeidsplass", 30, "", ""],
    ["A-006", "barnehageassistent", "", "kokk", "nb", "", "", "", ""],
]
ROLES = [
    ["Stilling-ID", "Virksomhet", "Tittel", "Yrke", "Antall plasser", "Timer", "Språk",
     "Tilrettelegging", "Fast stilling"],
    ["S1", "Biegården SA", "Birøkterlærling", "birøkter", 2, "37,5", "norsk; engelsk", "", "ja"],
    ["S2", "Rent & Pent AS", "Renholder", "Renholder (bedrift)", 3, 25, "", "rullestoltilgang",
     "x"],
    ["S3", "Kafé Sammen", "Kokk", "kokk", 1, 30, "norsk", "", "nei"],
    ["S4", "Symaskinen", "Syer", "syer", 0, 30, "", "stille arbeidsplass", ""],
]
#: words of an English reason or warning that must not be left in a Norwegian one
ENGLISH = ("Matched", "Not matched", "required skills", "wishes", "unresolved", "closest",
           "spelling", "ambiguous", "score ")


def test_a_caseworkers_norwegian_workbooks_run_first_time_in_norwegian(tmp_path: Path) -> None:
    workbook(tmp_path / "arbeidssøkere.xlsx", {"Ark1": SEEKERS})
    workbook(tmp_path / "stillinger.xlsx", {"Stillinger": ROLES})
    out = tmp_path / "treff.xlsx"
    result = CliRunner().invoke(cli, [
        "match", str(tmp_path / "arbeidssøkere.xlsx#Ark1"), str(tmp_path / "stillinger.xlsx"),
        "--out", str(out), "--alternatives", str(tmp_path / "alt.csv"), "--lang", "nb",
        "--report", str(tmp_path / "rapport.html"), "--quiet"])
    assert result.exit_code == 0, result.output

    # the workbook is read by people: its sheets and headers are in Norwegian too
    assert sheet_names(out) == ["Forslag", "Alternativer", "Varsler"]
    matches = pl.read_excel(out, sheet_name="Forslag")
    assert matches.columns == ["Arbeidssøker", "Stilling", "Samsvar", "Begrunnelse"]
    assert matches["Arbeidssøker"].to_list() == [f"A-00{k}" for k in range(1, 7)]
    reasons = dict(matches.select("Arbeidssøker", "Begrunnelse").iter_rows())
    for sid, reason in reasons.items():
        assert reason.startswith(("Foreslått til ", "Ingen stilling foreslått. ")), sid
        assert not any(word in reason for word in ENGLISH), (sid, reason)
    # each reason says what would change the answer
    assert "«sjåfør» (erfaring; nærmeste: «" in reasons["A-003"]
    assert "Ingen erfaring, ferdigheter eller jobbønsker er registrert" in reasons["A-004"]
    assert "krever mer enn de 20 timene i uka personen kan jobbe" in reasons["A-002"]
    assert "S4 «Syer» hos Symaskinen" in reasons["A-005"]
    assert "ingen ledige plasser nå" in reasons["A-005"]
    assert matches.filter(pl.col("Stilling") == "S4").height == 0  # slots 0: no one
    # the CSV beside it is a data contract: English column names in every language
    assert pl.read_csv(tmp_path / "alt.csv").columns[:4] == ["seeker_id", "role_id", "rank",
                                                               "score"]

    warnings = pl.read_excel(out, sheet_name="Varsler")
    assert warnings.columns == ["Fil", "Linje", "Kolonne", "Problem", "Verdi"]
    for rule in warnings["Problem"]:
        assert not any(word in rule for word in ENGLISH), rule
    assert set(warnings["Kolonne"]) <= {"Erfaring", "Ferdigheter", "Yrke"}  # as written
    assert "yrket ble ikke sikkert gjenkjent" in " ".join(warnings["Problem"])
    # the terminal shows them in Norwegian too
    assert "«sjåfør» i arbeidssøkere.xlsx#Ark1 linje 4, kolonne «Erfaring»:" in result.stderr

    manifest = json.loads((tmp_path / "treff.xlsx.manifest.json").read_text())
    assert manifest["inputs"]["seekers"]["ignored_columns"] == ["Bosted", "Kommentar"]
    assert manifest["settings"]["lang"] == "nb"
    assert (tmp_path / "rapport.html").read_text().startswith(
        "<!DOCTYPE html>\n<html lang='nb'>")


def test_the_norwegian_workbook_is_read_back_by_the_report_and_the_audit(tmp_path: Path) -> None:
    """``matcher report`` and ``matcher audit`` read the workbook of a Norwegian run, its
    sheets and headers in Norwegian, as they read an English one: nothing is lost on the way."""
    workbook(tmp_path / "arbeidssøkere.xlsx", {"Ark1": [
        [*SEEKERS[0], "Innsatsgruppe"],
        *[[*row, tier] for row, tier in zip(SEEKERS[1:], ["Standard innsats",
                                                           "Situasjonsbestemt innsats"] * 3,
                                            strict=False)]]})
    workbook(tmp_path / "stillinger.xlsx", {"Stillinger": ROLES})
    run = tmp_path / "kjøring"
    run.mkdir()
    out = run / "treff.xlsx"
    result = CliRunner().invoke(cli, [
        "match", str(tmp_path / "arbeidssøkere.xlsx"), str(tmp_path / "stillinger.xlsx"),
        "--out", str(out), "--alternatives", str(run / "alternativer.xlsx"), "--top-k", "0",
        "--lang", "da", "--quiet"])
    assert result.exit_code == 0, result.output
    assert sheet_names(out) == ["Forslag", "Alternativer", "Advarsler"]
    assert sheet_names(run / "alternativer.xlsx") == ["Alternativer"]
    alternatives = pl.read_excel(run / "alternativer.xlsx")
    assert alternatives.columns == ["Jobsøger", "Stilling", "Nr.", "Matchscore", "Kompetencer",
                                    "Erfaring", "Ønsker", "Fast ansættelse", "Foreslået"]
    warned = pl.read_excel(out, sheet_name="Advarsler").height
    assert warned > 0

    report = tmp_path / "rapport.html"
    result = CliRunner().invoke(cli, ["report", str(run), "--out", str(report)])
    assert result.exit_code == 0, result.output
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>\n<html lang='da'>")
    assert "Ingen advarsler." not in page and "advarsler-filen" not in page
    data = data_of(page)
    assert len(data["warnings"]) == warned
    assert data["hasAlts"]
    assert sum(len(rows) for rows in data["alts"]) == alternatives.height

    audit = tmp_path / "audit.json"
    result = CliRunner().invoke(cli, [
        "audit", "--seekers", str(tmp_path / "arbeidssøkere.xlsx"), "--matches", str(out),
        "--alternatives", str(run / "alternativer.xlsx"), "--json", str(audit),
        "--bootstrap", "0", "--min-cell", "1"])
    assert result.exit_code == 0, result.output
    # why those left without a role had none, read from the Danish reasons
    reasons = json.loads(audit.read_text())["metrics"]["C9"]["no_eligible_reasons"]
    assert {r["reason"]: r["n"] for r in reasons} == {
        NO_ELIGIBLE_REASONS["none_pass"]: 1,  # hours and wheelchair access
        NO_ELIGIBLE_REASONS["empty"]: 1,
        NO_ELIGIBLE_REASONS["unrecognised_all"]: 1}  # «sjåfør» not taken
