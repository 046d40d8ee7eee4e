"""Problems with the input in the caseworker's language: with ``lang`` nb or da the errors a
caseworker's file gets (a column missing or misspelt, a value out of range, an id twice, a
language not known, an overrides file gone wrong) are written in that language, with the same
file, line, column and value as in English; the summary and the words of ``matcher match``
around them too. English stays exactly as the stages wrote it."""

from __future__ import annotations

import re
import string
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import matcher
from matcher.cli import cli
from matcher.errors import InputError, Problem
from matcher.io.messages import RULES, localise_problems, value_rule
from matcher.io.schema import FALSE_WORDS, ROLE_SCHEMA, SEEKER_SCHEMA, TRUE_WORDS
from matcher.policy import OVERRIDE_SCHEMA

ROOT = Path(__file__).resolve().parents[1]
#: words of the English rules that must not be left in a Norwegian or Danish one
ENGLISH = re.compile(r"\b(must|got|number|integer|column|missing|required|unique|known|"
                     r"called|line|file|empty|text)\b")

SEEKERS = (
    "Løpenr;Erfaring;Maks timer;Språk;Lat;Lon\n"
    "P1;kokk;37,5x;norsk;59,9;\n"
    "P1;renholder;20;snakkeprat;;\n"
)
ROLES = "Stilling-ID;Tittel;Plasser;Timer;Fast\nR1;Kokk;-1;20;kanskje\n"


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def _errors(tmp_path: Path, lang: str, seekers: str = SEEKERS, roles: str = ROLES,
            **settings: object) -> list[Problem]:
    s, r = tmp_path / "personer.csv", tmp_path / "stillinger.csv"
    s.write_text(seekers, encoding="utf-8")
    r.write_text(roles, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        matcher.match(s, r, lang=lang, **settings)
    return caught.value.problems


def test_norwegian_and_danish_have_every_rule_with_the_same_placeholders() -> None:
    assert set(RULES["nb"]) == set(RULES["da"])
    for key, template in RULES["nb"].items():
        assert _fields(template) == _fields(RULES["da"][key]), key


def test_every_code_the_stages_give_has_a_rule() -> None:
    """Each ``code="..."`` of the modules that read the input is in the tables (a problem
    given a new code without words would stay English in a Norwegian run)."""
    sources = [ROOT / "matcher" / "io" / n for n in ("read.py", "columns.py", "checks.py")]
    sources += [ROOT / "matcher" / "policy.py", ROOT / "matcher" / "report" / "run.py",
                ROOT / "matcher" / "cli" / "match.py", ROOT / "matcher" / "audit" / "inputs.py"]
    codes = {c for path in sources for c in re.findall(r'code="(\w+)"', path.read_text())}
    codes |= {f"ambiguous_{kind}" for kind in ("alternatives", "warnings")}  # code=f"..."
    codes |= set(re.findall(r'RULE_\w+: "(\w+)"',  # the audit's by rule
                            (ROOT / "matcher" / "audit" / "inputs.py").read_text()))
    codes |= {c for path in sources for c in re.findall(r'"(\w+)", (?:s|r)_points',
                                                          path.read_text())}
    assert {"missing_column", "value", "unique", "near_miss", "far_seeker"} <= codes
    assert codes - {"value"} <= set(RULES["nb"]), codes - set(RULES["nb"])


def test_a_caseworkers_file_with_mistakes_in_norwegian(tmp_path: Path) -> None:
    english = _errors(tmp_path, "en")
    local = _errors(tmp_path, "nb")
    # one for one: the same place and value, only the words differ
    assert [(p.file, p.line, p.column, p.value) for p in local] == [
        (p.file, p.line, p.column, p.value) for p in english]
    shown = {(p.line, p.column): str(p) for p in local}
    assert shown[(None, "enterprise")].startswith(
        "stillinger.csv kolonne «enterprise»: mangler. Kolonnen må være med og kan hete "
        "«enterprise», «virksomhet»")
    assert shown[(2, "Maks timer")] == (
        "«37,5x» i personer.csv linje 2, kolonne «Maks timer»: må være et tall over 0 og "
        "høyst 168")
    assert shown[(2, "Lon")] == (
        "personer.csv linje 2, kolonne «Lon»: må fylles ut sammen med «Lat»")
    assert shown[(3, "Løpenr")] == (
        "«P1» i personer.csv linje 3, kolonne «Løpenr»: må være unik, men står også på linje 2")
    assert shown[(3, "Språk")].startswith(
        "«snakkeprat» i personer.csv linje 3, kolonne «Språk»: må være språk skilt med semikolon")
    assert shown[(2, "Fast")].startswith(
        "«kanskje» i stillinger.csv linje 2, kolonne «Fast»: må være ja eller nei (j/n og 1/0 ")
    assert shown[(2, "Plasser")] == (
        "«-1» i stillinger.csv linje 2, kolonne «Plasser»: må være et helt tall, 0 eller mer")
    for p in local:
        assert p.lang == "nb"
        assert not ENGLISH.search(p.rule), p.rule


def test_the_same_file_in_danish_and_in_english(tmp_path: Path) -> None:
    shown = {(p.line, p.column): str(p) for p in _errors(tmp_path, "da")}
    assert shown[(2, "Maks timer")] == (
        "»37,5x« i personer.csv linje 2, kolonne »Maks timer«: skal være et tal over 0 og "
        "højst 168")
    assert shown[(2, "Plasser")] == (
        "»-1« i stillinger.csv linje 2, kolonne »Plasser«: skal være et helt tal, 0 eller mere")
    english = {(p.line, p.column): str(p) for p in _errors(tmp_path, "en")}
    assert english[(2, "Maks timer")] == (
        "personer.csv line 2, column 'Maks timer': must be a number > 0 and <= 168, got '37,5x'")


def test_a_misspelt_column_and_a_column_twice(tmp_path: Path) -> None:
    problems = _errors(tmp_path, "nb", seekers="Løpenr;Erfarin;Maks_tmer;Erfaring;Experience\n"
                                               "P1;kokk;20;kokk;cook\n",
                       roles="role_id;enterprise;slots\nR1;Kafé;1\n")
    shown = sorted(str(p) for p in problems)
    assert "personer.csv kolonne «Maks_tmer»: er ikke en kjent kolonne. Mente du " \
           "«maks_timer» (det vil si «hours_max»)?" in shown
    assert "personer.csv kolonne «Experience»: er samme kolonne som «Erfaring» (begge betyr " \
           "«experience»). Behold den ene" in shown


def test_an_empty_file_and_a_file_not_there(tmp_path: Path) -> None:
    (problem,) = _errors(tmp_path, "nb", seekers="seeker_id;experience\n")
    assert str(problem) == "personer.csv: har ingen rader med data"
    with pytest.raises(InputError) as caught:
        matcher.match(tmp_path / "borte.csv", tmp_path / "borte.csv", lang="da")
    assert str(caught.value.problems[0]) == "borte.csv: findes ikke"


def test_every_value_rule_of_every_column_is_written_in_each_language() -> None:
    for schema in (SEEKER_SCHEMA, ROLE_SCHEMA, OVERRIDE_SCHEMA):
        for column in schema.columns:
            assert value_rule(column, "en") == column.rule
            for lang in ("nb", "da"):
                rule = value_rule(column, lang)
                assert not ENGLISH.search(rule), (column.name, lang, rule)
                assert ("." not in rule.replace("...", "")) or column.kind == "boolean", rule
    for lang, no in (("nb", "nei"), ("da", "nej")):  # the words it names are taken
        assert {"ja", no, "j", "n", "1", "0", "x"} <= set(TRUE_WORDS) | set(FALSE_WORDS)
        assert value_rule(ROLE_SCHEMA.column("permanent"), lang).split(" (")[0].endswith(no)
    hours = SEEKER_SCHEMA.column("hours_max")
    assert value_rule(hours, "nb") == "må være et tall over 0 og høyst 168"
    assert value_rule(SEEKER_SCHEMA.column("lat"), "da") == "skal være et tal fra -90 til 90"


def test_localising_twice_changes_nothing_and_english_is_left_alone() -> None:
    p = Problem("s.csv", 4, "id", "must be unique; first seen on line 2", "S1", code="unique",
                params=(("first", 2),))
    assert localise_problems([p], "en") == [p] and localise_problems([p], "en")[0].lang == "en"
    once = localise_problems([p], "nb")
    assert localise_problems(once, "nb")[0].rule == once[0].rule == (
        "må være unik, men står også på linje 2")


def _cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_matcher_match_in_norwegian_from_the_errors_to_the_summary(samples, tmp_path) -> None:
    bad = tmp_path / "personer.csv"
    bad.write_text(SEEKERS, encoding="utf-8")
    code, _, stderr = _cli("match", str(bad), str(samples[1]), "--out",
                           str(tmp_path / "m.csv"), "--lang", "nb")
    assert code == 2
    assert stderr.startswith("feil: ") and "problemer i filene:" in stderr
    assert "must" not in stderr and "got" not in stderr
    assert not (tmp_path / "m.csv").exists()

    code, stdout, stderr = _cli("match", *map(str, samples), "--out", str(tmp_path / "m.csv"),
                                "--lang", "nb", "--lock", "S001=R99")
    assert code == 2
    assert "«R99» i --lock linje 1, kolonne «role_id»: må være en stilling i «roles.csv»" in stderr

    code, _, stderr = _cli("match", *map(str, samples), "--out", str(tmp_path / "m.csv"),
                           "--lang", "da", "--policy-curve", "0,abc")
    assert (code, stderr) == (2, "fejl: »abc« i --policy-curve linje 2: skal være tal fra 0 til "
                                 "100 adskilt med komma\n")

    code, stdout, stderr = _cli("match", *map(str, samples), "--out", str(tmp_path / "m.csv"),
                                "--lang", "nb")
    assert code == 0
    assert stderr.startswith("Varsler (")
    summary = dict((line.split("|")[1].strip(), line.split("|")[2].strip())
                   for line in stdout.splitlines() if line.startswith("|"))
    matched = pl.read_csv(tmp_path / "m.csv")["role_id"].drop_nulls().len()
    assert summary["Matchet"] == f"{matched} av 24"
    assert summary["Beste mulige fordeling"] == "Ja, kontrollert"
    assert "Filer som ble skrevet:" in stdout
    assert "total score" not in stdout and "Outputs" not in stdout


def test_the_readmes_example_of_errors_in_norwegian(tmp_path: Path) -> None:
    """The lines the README shows under "Reasons in your language", exactly."""
    seekers, roles = tmp_path / "personer.csv", tmp_path / "stillinger.csv"
    seekers.write_text("Løpenr;Erfaring;Maks timer;Språkk\nP1;kokk;37,5x;norsk\n",
                       encoding="utf-8")
    roles.write_text("Stilling-ID;Virksomhet;Tittel;Plasser\nR1;Kafé;Kokk;-1\n",
                     encoding="utf-8")
    code, _, stderr = _cli("match", str(seekers), str(roles), "--out",
                           str(tmp_path / "m.csv"), "--lang", "nb")
    assert code == 2
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = readme.split("  feil: 3 problemer i filene:\n", 1)[1].split("  ```", 1)[0]
    assert stderr == "feil: 3 problemer i filene:\n" + "\n".join(
        line[2:] for line in shown.splitlines()) + "\n"


def test_the_web_form_words_a_column_rule_as_matcher_match_does() -> None:
    from matcher.service.i18n import rule_text

    for column in ROLE_SCHEMA.columns:
        if column.name != "form":  # the form's list has words of its own for these
            assert rule_text(column.name, column.rule, None, "no") == value_rule(column, "nb")
    assert rule_text("lon", "must be given together with 'lat'", None, "no") == (
        "må fylles ut sammen med «lat»")
    assert rule_text("hours", "must be a number > 0 and <= 168", "0", "en") == (
        "must be a number > 0 and <= 168, got '0'")


def test_matcher_report_says_what_is_wrong_with_a_run_folder_in_the_language(
        samples, tmp_path: Path) -> None:
    code, _, stderr = _cli("report", str(tmp_path / "borte"), "--lang", "nb")
    assert (code, stderr) == (2, f"feil: {tmp_path / 'borte'}: finnes ikke\n")
    code, _, stderr = _cli("report", str(tmp_path), "--lang", "da")
    assert (code, stderr) == (2, f"fejl: {tmp_path}: har ingen kørsel: ingen »*.manifest.json« "
                                 "(matcher match --out skriver en)\n")
    for name in ("a.csv", "b.csv"):
        assert _cli("match", *map(str, samples), "--out", str(tmp_path / name))[0] == 0
    code, _, stderr = _cli("report", str(tmp_path), "--lang", "nb")
    assert (code, stderr) == (2, f"feil: {tmp_path}: har 2 kjøringer («a.csv.manifest.json» og "
                                 "«b.csv.manifest.json»). Oppgi manifestet eller MATCHES-filen "
                                 "til én av dem\n")
    code, _, stderr = _cli("report", str(tmp_path))
    assert code == 2 and stderr.startswith(f"error: {tmp_path}: holds 2 runs")


_PARAMS = ("names", "more", "columns", "other", "field", "written", "first", "cells", "header",
           "comma", "sheet", "sheets", "reason", "file", "role", "slots", "n", "got", "expected",
           "option", "column")
_VALUES = st.one_of(st.text(max_size=8), st.integers(-5, 5), st.booleans(), st.none(),
                    st.lists(st.text(max_size=5), max_size=3).map(tuple),
                    st.sampled_from(SEEKER_SCHEMA.columns))


@settings(max_examples=300, deadline=None)
@given(code=st.one_of(st.none(), st.sampled_from([*RULES["nb"], "value", "term_missed"]),
                      st.text(max_size=6)),
       params=st.dictionaries(st.sampled_from(_PARAMS), _VALUES, max_size=5),
       lang=st.sampled_from(["nb", "da", "en"]))
def test_localising_never_loses_a_problem(code, params, lang) -> None:
    """Whatever a stage put in code and params, the problem comes out whole, its rule a text
    (the English one where the words cannot be filled): an error is never lost to a crash
    while it is being translated."""
    p = Problem("s.csv", 3, "x", "the English rule", "v", code=code,
                params=tuple(params.items()))
    (out,) = localise_problems([p], lang)
    assert (out.file, out.line, out.column, out.value) == ("s.csv", 3, "x", "v")
    assert isinstance(out.rule, str) and out.rule
    assert str(out)


def test_matcher_report_says_what_is_wrong_with_a_runs_files_in_the_language(
        samples, tmp_path: Path) -> None:
    assert _cli("match", *map(str, samples), "--out", str(tmp_path / "m.csv"))[0] == 0
    matches = pl.read_csv(tmp_path / "m.csv", infer_schema=False)
    matches.with_columns(pl.when(pl.col("seeker_id") == "S002").then(pl.lit("1,5x"))
                         .otherwise(pl.col("score")).alias("score")).write_csv(tmp_path / "m.csv")
    code, _, stderr = _cli("report", str(tmp_path), "--lang", "nb")
    assert (code, stderr) == (2, "feil: «1,5x» i m.csv linje 3, kolonne «score»: må være et "
                                 "tall fra 0 til 1\n")
    matches.drop("score").write_csv(tmp_path / "m.csv")
    code, _, stderr = _cli("report", str(tmp_path), "--lang", "da")
    assert (code, stderr) == (2, "fejl: m.csv kolonne »score«: mangler. Kolonnen skal være med "
                                 "og kan hedde »score«\n")


def test_matcher_report_names_what_is_wrong_with_the_tier_file_in_the_language(
        samples, tmp_path: Path) -> None:
    """A tier file given by hand must hold tiers (the run's own SEEKERS need not)."""
    run = tmp_path / "run"
    run.mkdir()
    assert _cli("match", *map(str, samples), "--out", str(run / "m.csv"))[0] == 0
    tiers = tmp_path / "innsats.csv"
    tiers.write_text("Løpenr;Jobbsannsynlighet\nS001;1,5\nS001;0,5\n", encoding="utf-8")
    code, _, stderr = _cli("report", str(run), "--seekers", str(tiers), "--lang", "nb")
    assert (code, stderr.splitlines()) == (2, [
        "feil: 2 problemer i filene:",
        "  «1,5» i innsats.csv linje 2, kolonne «Jobbsannsynlighet»: må være et tall fra 0 til 1",
        "  «S001» i innsats.csv linje 3, kolonne «Løpenr»: må være unik, men står også på "
        "linje 2"])
    tiers.write_text("Løpenr;Navn\nS001;x\n", encoding="utf-8")
    code, _, stderr = _cli("report", str(run), "--seekers", str(tiers), "--lang", "da")
    assert (code, stderr) == (2, "fejl: innsats.csv: skal have en kolonne »tier« (gruppe) eller "
                                 "»employability« (jobsandsynlighed)\n")


def test_a_matches_file_open_in_excel_is_named_and_nothing_is_lost(
        samples, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On Windows a workbook open in Excel cannot be replaced: the caseworker is told to close
    it, in the run's language, and the file from before is left as it was."""
    import matcher.io.write as write

    out = tmp_path / "forslag.xlsx"
    out.write_bytes(b"the proposal from before")
    real = write.os.replace

    def locked(src: str, dst: str) -> None:
        if Path(dst) == out:
            raise PermissionError(13, "Permission denied", str(src), None, str(dst))
        real(src, dst)

    monkeypatch.setattr(write.os, "replace", locked)
    code, _, stderr = _cli("match", *map(str, samples), "--out", str(out), "--lang", "nb")
    assert (code, stderr.splitlines()[-1]) == (1, f"feil: {out}: kan ikke skrives: filen er åpen i "
                                                  "et annet program (Excel?) eller "
                                                  "skrivebeskyttet. Lukk den og kjør på nytt")
    code, _, stderr = _cli("match", *map(str, samples), "--out", str(out))
    assert stderr.splitlines()[-1] == (f"error: cannot write '{out}': it is open in another "
                                       "program (Excel?) or read-only; close it and run again")
    assert out.read_bytes() == b"the proposal from before"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["forslag.xlsx"]


def test_a_permission_error_on_no_output_is_not_blamed_on_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only a target that cannot be replaced is said to be open in another program."""
    import matcher.io.write as write
    from matcher.errors import OutputError

    def denied(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied", str(tmp_path / "elsewhere"))

    monkeypatch.setattr(write.os, "replace", denied)
    with pytest.raises(OutputError) as caught:
        write.write_outputs([(tmp_path / "a.csv", pl.DataFrame({"x": [1]}))])
    assert caught.value.code is None and "open in another program" not in str(caught.value)
    assert str(caught.value).startswith(f"cannot write '{tmp_path / 'a.csv'}': ")
    assert list(tmp_path.iterdir()) == []


def test_lists_in_a_rule_read_as_a_sentence() -> None:
    """What one may write ends in "eller" / "or"; what there is in "og" / "and"."""
    from matcher.errors import Problem
    from matcher.io import ROLE_SCHEMA
    from matcher.io.messages import localise_problems, value_rule

    form = next(c for c in ROLE_SCHEMA.columns if c.name == "form")
    # the values in the words the language has for them, which a file may use too
    assert value_rule(form, "nb") == ("må være en av disse: tilskudd, leverandør, ansettelse "
                                      "eller utvikling")
    assert value_rule(form, "da") == ("skal være en af disse: tilskud, leverandør, ansættelse "
                                      "eller udvikling")
    sheet = Problem("bok.xlsx#Ark3", None, None, "has no sheet 'Ark3'", code="no_sheet",
                    params=(("sheet", "Ark3"), ("sheets", ("Ark1", "Ark2"))))
    assert localise_problems([sheet], "nb")[0].rule == (
        "har ikke noe ark som heter «Ark3». Arkene heter «Ark1» og «Ark2»")
    one = Problem("bok.xlsx#Ark3", None, None, "has no sheet 'Ark3'", code="no_sheet",
                  params=(("sheet", "Ark3"), ("sheets", ("Ark1",))))
    assert localise_problems([one], "da")[0].rule.endswith("Arkene hedder »Ark1«")
