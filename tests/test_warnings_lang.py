"""Warnings in the caseworker's language: with reasons in Norwegian or Danish, the warnings
beside them (not recognised, a guess by spelling, ambiguous, unknown adaptation, doubtful
locations, the file's encoding) are written in that language too, with occupation names the
caseworker can write back into the file; English stays exactly as the stages wrote it."""

from __future__ import annotations

import string
from pathlib import Path

import polars as pl
import pytest

import matcher
from matcher.errors import Problem
from matcher.explain.phrases import WARNINGS
from matcher.io.messages import RULES

SEEKERS = pl.DataFrame({
    "seeker_id": ["S1", "S2", "S3", "S4", "S5"],
    "experience": ["kvxqzt", "sjåfør", "renholdsarbeider", "syerske", "kokk"],
    "needs": [None, None, None, None, "en solrik pult"],
    "max_distance_km": [None, None, None, None, 20.0],
})
ROLES = pl.DataFrame({
    "role_id": ["R1", "R2"], "enterprise": ["Kafé", "Symaskinen"], "title": ["Kokk", "Syer"],
    "occupation": ["kokk", "syer"], "slots": [1, 1],
})
#: the codes the run above gives (the encoding and the location ones are checked apart)
TERM_CODES = {"term_missed", "term_guess", "term_spelling", "term_ambiguous",
              "adaptation_unknown", "distance_without_location"}
#: words of the English rules that must not be left in a Norwegian or Danish one
ENGLISH = ("unresolved", "closest", "matched", "ambiguous", "spelling", "took", "unknown",
           "given without")


@pytest.fixture(scope="module")
def runs(taxonomy: matcher.Taxonomy) -> dict[str, matcher.MatchResult]:
    return {lang: matcher.match(SEEKERS, ROLES, taxonomy=taxonomy, lang=lang)
            for lang in ("en", "nb", "da")}


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_norwegian_and_danish_have_every_warning_with_the_same_placeholders() -> None:
    assert set(WARNINGS["nb"]) == set(WARNINGS["da"])
    for key, template in WARNINGS["nb"].items():
        assert _fields(template) == _fields(WARNINGS["da"][key]), key


def test_every_warning_of_a_run_has_a_code_the_tables_know(runs) -> None:
    codes = {w.code for w in runs["en"].warnings}
    assert codes == TERM_CODES
    assert codes <= set(WARNINGS["nb"]) | set(RULES["nb"])
    assert not set(WARNINGS["nb"]) & set(RULES["nb"])  # each written in one place
    assert {"encoding", "far_seeker", "far_role", "distance_without_location"} <= set(RULES["nb"])


def test_the_same_warnings_in_each_language_in_its_words(runs) -> None:
    english = runs["en"].warnings
    assert all(w.lang == "en" for w in english)
    for lang in ("nb", "da"):
        local = runs[lang].warnings
        # one for one: the same place, value and kind, only the words differ
        key = sorted((w.file, w.line, w.column, w.value, w.code) for w in english)
        assert sorted((w.file, w.line, w.column, w.value, w.code) for w in local) == key
        for w in local:
            assert w.lang == lang
            assert not any(word in w.rule for word in ENGLISH), w.rule
    by_value = {w.value: w for w in runs["nb"].warnings}
    assert by_value["kvxqzt"].rule == "yrket ble ikke gjenkjent"
    assert str(by_value["sjåfør"]).startswith(
        "«sjåfør» i seekers linje 3, kolonne «experience»: yrket ble ikke sikkert gjenkjent, "
        "bare gjettet ut fra skrivemåten (nærmeste: «")
    assert by_value["sjåfør"].rule.endswith(
        "Skriv et av forslagene eller en STYRK-kode for å bruke det")
    assert by_value["en solrik pult"].rule.startswith(
        "ukjent tilrettelegging, tatt med slik den er skrevet (nærmeste kjente: «")
    assert by_value["20"].rule == ("er oppgitt uten bosted (lat, lon), så den begrenser "
                                   "ingenting")
    danish = {w.value: w for w in runs["da"].warnings}
    assert danish["renholdsarbeider"].rule.startswith("tolket ud fra stavningen som »")
    assert danish["renholdsarbeider"].rule.endswith("(sikkerhed 0,77). Tjek, at det passer")


def test_suggestions_are_the_occupations_names_in_the_language(runs, taxonomy) -> None:
    """The names a caseworker can write back: the same concepts as in English, by their
    Norwegian label, and each resolves to the concept it names."""
    english = next(w for w in runs["en"].warnings if w.value == "sjåfør")
    local = next(w for w in runs["nb"].warnings if w.value == "sjåfør")
    uris = english.param("uris")[:3]
    names = local.rule.split("(nærmeste: ", 1)[1].split(")", 1)[0]
    named = [n.strip("«»") for n in names.split(", ")]
    assert len(named) == 3 and not set(named) & set(english.param("names"))
    for name, uri in zip(named, uris, strict=True):
        assert name in taxonomy.occupation_names["no"][taxonomy.occupation_uris.index(uri)]
        assert taxonomy.resolve(name, "occupation").uri == uri


def test_the_reasons_name_an_unrecognised_term_with_the_same_suggestions(runs) -> None:
    warning = next(w for w in runs["nb"].warnings if w.value == "sjåfør")
    closest = warning.rule.split("(nærmeste: ", 1)[1].split(")", 1)[0]
    reason = runs["nb"].matches.filter(pl.col("seeker_id") == "S2")["reason"].item()
    names = closest.split(", ")
    assert len(names) == 3
    assert f"«sjåfør» (erfaring; nærmeste: {names[0]}, {names[1]} og {names[2]})" in reason


def test_the_encoding_warning_of_a_file_read_as_windows_1252(tmp_path: Path, taxonomy) -> None:
    path = tmp_path / "roles.csv"
    path.write_bytes("role_id;enterprise;slots\nR1;Søm og Strikk;1\n".encode("cp1252"))
    seekers = tmp_path / "seekers.csv"
    seekers.write_text("seeker_id;experience\nS1;kokk\n", encoding="utf-8")
    result = matcher.match(seekers, path, taxonomy=taxonomy, lang="da")
    (warning,) = result.warnings
    assert warning.code == "encoding"
    assert str(warning) == ("roles.csv: er ikke UTF-8 og blev læst som Windows-1252. Tjek, at "
                            "æ, ø og å ser rigtige ud")


def test_a_problem_without_a_code_keeps_its_rule_in_a_frame_of_the_language() -> None:
    p = Problem("s.csv", 2, "skills", "some rule", "x", level="warning", lang="nb")
    assert str(p) == "«x» i s.csv linje 2, kolonne «skills»: some rule"
    assert str(Problem("s.csv", 2, "skills", "some rule", "x")) == (
        "s.csv line 2, column 'skills': some rule, got 'x'")


def test_strict_raises_the_same_problems_in_the_language(taxonomy) -> None:
    """With strict the terms not taken are errors: in Norwegian they read as the warnings do."""
    from matcher.errors import UnresolvedTermError

    raised = {}
    for lang in ("en", "nb"):
        with pytest.raises(UnresolvedTermError) as caught:
            matcher.match(SEEKERS, ROLES, taxonomy=taxonomy, lang=lang, strict=True)
        raised[lang] = caught.value.problems
    key = [(p.file, p.line, p.column, p.value, p.code) for p in raised["en"]]
    assert [(p.file, p.line, p.column, p.value, p.code) for p in raised["nb"]] == key
    by_value = {p.value: p for p in raised["nb"]}
    assert str(by_value["kvxqzt"]) == ("«kvxqzt» i seekers linje 2, kolonne «experience»: "
                                       "yrket ble ikke gjenkjent")
    for p in raised["nb"]:
        assert p.lang == "nb" and not any(word in p.rule for word in ENGLISH), p.rule
