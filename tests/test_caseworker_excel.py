"""The issue's acceptance test: a NAV caseworker's Excel workbooks in Norwegian, with Norwegian
column names and words as people write them, run first time with ``--lang nb``, and everything
the caseworker reads (reasons, warnings, the report) is in Norwegian."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from click.testing import CliRunner
from test_io_forms import workbook

from matcher.cli import cli

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

    matches = pl.read_excel(out, sheet_name="matches")
    assert matches["seeker_id"].to_list() == [f"A-00{k}" for k in range(1, 7)]
    reasons = dict(matches.select("seeker_id", "reason").iter_rows())
    for sid, reason in reasons.items():
        assert reason.startswith(("Foreslått til ", "Ingen stilling foreslått. ")), sid
        assert not any(word in reason for word in ENGLISH), (sid, reason)
    # each reason says what would change the answer
    assert "«sjåfør» (erfaring; nærmeste: «" in reasons["A-003"]
    assert "Ingen erfaring, ferdigheter eller jobbønsker er registrert" in reasons["A-004"]
    assert "krever mer enn de 20 timene i uka personen kan jobbe" in reasons["A-002"]
    assert "S4 «Syer» hos Symaskinen" in reasons["A-005"]
    assert "ingen ledige plasser nå" in reasons["A-005"]
    assert matches.filter(pl.col("role_id") == "S4").height == 0  # slots 0: no one

    warnings = pl.read_excel(out, sheet_name="warnings")
    assert warnings.height > 0
    for rule in warnings["rule"]:
        assert not any(word in rule for word in ENGLISH), rule
    assert set(warnings["column"]) <= {"Erfaring", "Ferdigheter", "Yrke"}  # as written
    assert "yrket ble ikke sikkert gjenkjent" in " ".join(warnings["rule"])
    # the terminal shows them in Norwegian too
    assert "«sjåfør» i arbeidssøkere.xlsx#Ark1 linje 4, kolonne «Erfaring»:" in result.stderr

    manifest = json.loads((tmp_path / "treff.xlsx.manifest.json").read_text())
    assert manifest["inputs"]["seekers"]["ignored_columns"] == ["Bosted", "Kommentar"]
    assert manifest["settings"]["lang"] == "nb"
    assert (tmp_path / "rapport.html").read_text().startswith(
        "<!DOCTYPE html>\n<html lang='nb'>")
