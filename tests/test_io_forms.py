"""Files and values as caseworkers have them: every input form of issue 11, pinned.

Excel workbooks, CSV with ';' or tab, a BOM, Windows-1252 or UTF-16, decimal commas, Norwegian
and Danish column names, near-miss and extra columns, slots 0, yes/no words, languages by code
and name, and locations that look swapped.
"""

from __future__ import annotations

import datetime
import json
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

import matcher
from matcher.errors import InputError, OutputError
from matcher.io import (
    ROLE_SCHEMA,
    SEEKER_SCHEMA,
    alias_table,
    canonical_language,
    read_source,
    read_table,
    validate_roles,
    validate_seekers,
    validate_table,
    write_workbook,
)
from matcher.io.columns import match_columns
from matcher.io.delimited import sniff_delimiter
from matcher.io.messages import localise_problems
from matcher.io.outputs import (
    ALTS_COLUMNS,
    MATCHES_COLUMNS,
    SHEETS,
    WARNINGS_COLUMNS,
    canonical_columns,
    localise_headers,
    sheet_kind,
    sheet_name,
)
from matcher.io.schema import FALSE_WORDS, TRUE_WORDS, column_key

ROLE_HEADER = ["role_id", "enterprise", "slots", "hours", "permanent"]


def problems(call: Any, *args: Any) -> list[str]:
    with pytest.raises(InputError) as info:
        call(*args)
    return [str(p) for p in info.value.problems]


def load_roles(path: Path | str) -> pl.DataFrame:
    return validate_roles(*read_table(path))


def load_seekers(path: Path | str) -> pl.DataFrame:
    return validate_seekers(*read_table(path))


def workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """A workbook as Excel saves it; ``None`` leaves a cell empty."""
    book = xlsxwriter.Workbook(path)
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
    book.close()
    return path


# ---------------------------------------------------------------------------------------------
# Excel


def test_xlsx_first_sheet_is_read_as_text_with_spreadsheet_lines(tmp_path: Path) -> None:
    path = workbook(tmp_path / "roller.xlsx", {
        "Ark1": [
            ["Stilling-ID", "Virksomhet", "Plasser", "Timer", "Fast stilling"],
            ["007", "Bikuben", 2, 37.5, True],
            [None, None, None, None, None],  # a blank row keeps the numbering of the others
            ["R2", "Symaskinen", 0, "37,5", "nei"],
            ["R3", "Kafé", -1, 20, "x"],
        ],
        "Ark2": [["role_id"], ["other"]],
    })
    assert problems(load_roles, path) == [
        "roller.xlsx line 5, column 'Plasser': must be an integer >= 0, got '-1'"
    ]
    frame, name = read_table(path)
    typed = validate_roles(frame.head(3), name)
    assert typed.select("role_id", "slots", "hours", "permanent", "_row").rows() == [
        ("007", 2, 37.5, True, 2), ("R2", 0, 37.5, False, 4),
    ]


def test_xlsx_with_a_title_above_the_header(tmp_path: Path) -> None:
    """An export whose first row is a title: the header is the first row below that names
    known columns, the title is left out with a warning, and lines stay the sheet's own."""
    path = workbook(tmp_path / "uttrekk.xlsx", {"Ark1": [
        ["Stillinger hos Bikuben, uttrekk 01.12.2026"],
        [None, None, None],
        ["Stilling-ID", "Virksomhet", "Plasser"],
        ["R1", "Bikuben", 2],
        ["R2", "Bikuben", -1],
    ]})
    assert problems(load_roles, path) == [
        "uttrekk.xlsx line 5, column 'Plasser': must be an integer >= 0, got '-1'"
    ]
    raw = read_source(path)
    assert [str(w) for w in raw.warnings] == [
        "uttrekk.xlsx: has its header on line 3: the lines above it (a title) were left out"]
    assert raw.frame.columns == ["Stilling-ID", "Virksomhet", "Plasser", "_row"]
    assert raw.frame["_row"].to_list() == [4, 5]
    seekers = workbook(tmp_path / "s.xlsx", {"Ark1": [["Løpenr", "Erfaring"], ["P1", "kokk"]]})
    assert read_source(seekers).warnings == ()  # a first row naming a column is the header
    result = matcher.match(seekers, workbook(tmp_path / "r.xlsx", {"Ark1": [
        ["Stillinger, uttrekk"], ["Stilling-ID", "Virksomhet", "Plasser", "Yrke"],
        ["R1", "Kafé", 1, "kokk"]]}), lang="nb")
    assert [str(w) for w in result.warnings] == [
        "r.xlsx: har overskriftslinjen på linje 2. Linjene over den (en tittel) ble hoppet over"]
    assert result.matches["role_id"].to_list() == ["R1"]


def test_xlsx_named_sheet_and_a_missing_one(tmp_path: Path) -> None:
    path = workbook(tmp_path / "book.xlsx", {
        "Søkere": [["seeker_id"], ["S1"]],
        "Roller": [["role_id", "enterprise", "slots"], ["R9", "E", "1"]],
    })
    assert load_roles(f"{path}#Roller")["role_id"].to_list() == ["R9"]
    assert read_source(f"{path}#Roller").name == "book.xlsx#Roller"
    assert problems(read_table, f"{path}#Stillinger") == [
        "book.xlsx#Stillinger: has no sheet called 'Stillinger'; its sheets are 'Søkere', "
        "'Roller'"
    ]


def test_xlsx_engine_gives_numbers_booleans_and_dates_as_text(tmp_path: Path) -> None:
    """What the docs promise: text cells verbatim, numbers shortest, booleans true/false."""
    book = xlsxwriter.Workbook(tmp_path / "t.xlsx")
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["id", "number", "whole", "flag", "date"])
    sheet.write_row(1, 0, ["007", 37.5, 40, True])
    sheet.write_datetime(1, 4, datetime.datetime(2026, 3, 1),
                         book.add_format({"num_format": "dd.mm.yyyy"}))
    book.close()
    frame, _ = read_table(tmp_path / "t.xlsx")
    assert frame.row(0) == ("007", "37.5", "40", "true", "2026-03-01 00:00:00")


def test_a_formula_error_in_a_used_cell_is_an_error_never_an_empty_cell(tmp_path: Path) -> None:
    """Excel keeps a formula's error (#N/A of a lookup, #DIV/0!) in the cell; read as an empty
    cell it would drop the person's hours or languages without a word. It is an error naming
    the cell, as Norwegian Excel's CSV export of it (#I/T) is; in a column not used it does
    not matter."""
    path = tmp_path / "personer.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Ark1")
    sheet.write_row(0, 0, ["Løpenr", "Erfaring", "Maks timer", "Språk", "Kommentar"])
    sheet.write_row(1, 0, ["A-1", "kokk"])
    sheet.write_formula(1, 2, "=20+17.5", None, 37.5)
    sheet.write_formula(1, 3, "=VLOOKUP(A2,Ark2!A:B,2,0)", None, "#N/A")
    sheet.write_formula(1, 4, "=1/0", None, "#DIV/0!")  # not used: no matter
    sheet.write_row(2, 0, ["A-2", "renholder", None, "norsk"])
    sheet.write_formula(2, 2, "=1/0", None, "#DIV/0!")
    sheet.write_formula(3, 0, "=Ark2!A9", None, "#REF!")
    sheet.write(3, 1, "kokk")
    book.close()
    raw, _ = read_table(path)
    assert raw.row(0) == ("A-1", "kokk", "37.5", "#N/A", "#DIV/0!")
    with pytest.raises(InputError) as info:
        load_seekers(path)
    got = sorted((p.line, p.column, p.value, p.code) for p in info.value.problems)
    assert got == [(2, "Språk", "#N/A", "excel_error"), (3, "Maks timer", "#DIV/0!", "excel_error"),
                   (4, "Løpenr", "#REF!", "excel_error")]
    assert str(next(p for p in info.value.problems if p.line == 2)) == (
        "personer.xlsx line 2, column 'Språk': is the error of a formula in Excel: correct the "
        "formula, or type the value, got '#N/A'")
    # the same cells in a CSV that Norwegian Excel saved: its own words for the errors
    csv = tmp_path / "personer.csv"
    csv.write_text("Løpenr;Maks timer;Språk\nA-1;#I/T;norsk\nA-2;20;#VERDI!\n#I/T;20;norsk\n"
                   "#I/T;20;norsk\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_seekers(csv)
    assert sorted((p.line, p.column, p.code) for p in info.value.problems) == [
        (2, "Maks timer", "excel_error"), (3, "Språk", "excel_error"),
        (4, "Løpenr", "excel_error"), (5, "Løpenr", "excel_error")]  # not "used twice"


def test_a_missing_column_names_the_workbooks_other_sheets(tmp_path: Path) -> None:
    """The data is often not on the first sheet (a sheet of instructions comes first): the
    problem (no data rows, or a column missing) says which sheets there are and how to name
    one."""
    path = workbook(tmp_path / "uttrekk.xlsx", {
        "Veiledning": [["Fyll inn arket Søkere"]],
        "Søkere": [["Løpenr", "Erfaring"], ["A-1", "kokk"]],
        "Stillinger": [["Stilling-ID", "Virksomhet", "Plasser"], ["S1", "Kafé", 1]]})
    with pytest.raises(InputError) as info:
        load_seekers(path)
    (problem,) = info.value.problems
    assert problem.rule.endswith("; the workbook has other sheets ('Søkere', 'Stillinger'): "
                                 "name one after '#', as in 'uttrekk.xlsx#Søkere'")
    assert localise_problems([problem], "nb")[0].rule.endswith(
        ". Arbeidsboken har flere ark («Søkere» og «Stillinger»). Velg arket med # etter "
        "filnavnet, for eksempel «uttrekk.xlsx#Søkere»")
    assert load_seekers(f"{path}#Søkere")["seeker_id"].to_list() == ["A-1"]
    notes = workbook(tmp_path / "notater.xlsx", {
        "Oversikt": [["Løpenr", "Kommentar"], ["A-1", "ring tirsdag"]],
        "Søkere": [["Løpenr", "Erfaring"], ["A-1", "kokk"]]})
    with pytest.raises(InputError) as info:  # as matcher.match reads it
        validate_table(read_source(notes), ROLE_SCHEMA)
    assert [p.column for p in info.value.problems if "other sheets" in p.rule] == ["enterprise"]
    assert info.value.problems[0].rule.endswith("as in 'notater.xlsx#Søkere'")
    # a sheet named, or a workbook of one sheet: nothing more to say
    with pytest.raises(InputError) as info:
        load_roles(f"{path}#Søkere")
    assert all("other sheets" not in p.rule for p in info.value.problems)
    single = workbook(tmp_path / "en.xlsx", {"Ark1": [["Navn"], ["x"]]})
    with pytest.raises(InputError) as info:
        load_seekers(single)
    assert "other sheets" not in info.value.problems[0].rule


def test_xlsx_output_has_sheets_and_readable_reasons(
    sample_result: matcher.MatchResult, tmp_path: Path
) -> None:
    result = sample_result
    out = tmp_path / "matches.xlsx"
    written = result.write(out, alternatives=tmp_path / "alts.csv")
    assert out in written and (tmp_path / "alts.csv").exists()
    sheets = pl.read_excel(out, sheet_id=0)
    assert list(sheets) == ["matches", "alternatives", "warnings"][: 2 + bool(result.warnings)]
    assert sheets["matches"]["reason"].to_list() == result.matches["reason"].to_list()
    assert sheets["alternatives"].height == result.alternatives.height
    # reasons wrap in a wide column instead of running off the screen
    xml = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml").decode()
    styles = zipfile.ZipFile(out).read("xl/styles.xml").decode()
    assert 'wrapText="1"' in styles
    assert '<pane ySplit="1"' in xml  # the header stays in view
    widths = [float(w) for w in re.findall(r'width="([0-9.]+)"', xml)]
    assert max(widths) >= 70  # the reason column, in Excel's character units


def test_the_engines_outputs_have_the_columns_their_readers_know(
    sample_result: matcher.MatchResult,
) -> None:
    assert tuple(sample_result.matches.columns) == MATCHES_COLUMNS
    assert tuple(sample_result.alternatives.columns) == ALTS_COLUMNS


@pytest.mark.parametrize("lang", ["nb", "da", "en"])
def test_workbook_headers_and_sheets_in_each_language_read_back(lang: str) -> None:
    for columns in (MATCHES_COLUMNS, ALTS_COLUMNS, WARNINGS_COLUMNS):
        local = localise_headers(pl.DataFrame({c: [] for c in columns}), lang)
        assert len(set(local.columns)) == len(columns)
        assert (lang == "en") == (local.columns == list(columns))
        assert tuple(canonical_columns(local).columns) == columns
        retyped = local.rename({c: f" {c.upper()}" for c in local.columns})  # by hand
        assert tuple(canonical_columns(retyped).columns) == columns
    for kind in SHEETS["en"]:
        name = sheet_name(kind, lang)
        assert sheet_kind(name) == kind and sheet_kind(name.upper()) == kind
        assert 0 < len(name) <= 31 and not set(name) & set("[]:*?/\\")  # Excel's rules
    # a column that is not an output's, or whose own name is there too, stays as it is
    frame = pl.DataFrame({"Løpenr": ["A-1"], "seeker_id": ["A-1"], "Arbeidssøker": ["A-1"]})
    assert canonical_columns(frame).columns == frame.columns


def test_workbook_is_atomic(tmp_path: Path) -> None:
    target = tmp_path / "m.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(OutputError, match="not a valid sheet name"):
        write_workbook({"a/b": pl.DataFrame({"x": [1]})}, target)
    with pytest.raises(OutputError):
        write_workbook({"ok": pl.DataFrame({"x": [object()]}, strict=False)}, target)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.xlsx"]


# ---------------------------------------------------------------------------------------------
# CSV: delimiter, encoding, decimal comma

ROLES_NB = (
    "Stilling-ID;Virksomhet;Plasser;Timer;Språk;Tilrettelegging;Fast stilling\r\n"
    "R1;Bikuben birøkterlag;2;37,5;norsk;fleksibel arbeidstid;ja\r\n"
    "R2;Symaskinen;0;22,5;nb;stille arbeidsplass, språkstøtte;nei\r\n"
)


@pytest.mark.parametrize(
    ("encoding", "warned"),
    [("utf-8", False), ("utf-8-sig", False), ("cp1252", True), ("utf-16", False)],
)
def test_semicolon_csv_from_norwegian_excel(tmp_path: Path, encoding: str, warned: bool) -> None:
    path = tmp_path / "roller.csv"
    path.write_bytes(ROLES_NB.encode(encoding))
    raw = read_source(path)
    typed = validate_roles(raw.frame, raw.name)
    assert typed.select("role_id", "enterprise", "slots", "hours", "languages").rows() == [
        ("R1", "Bikuben birøkterlag", 2, 37.5, ["no"]),
        ("R2", "Symaskinen", 0, 22.5, ["no"]),
    ]
    assert typed["offers"].to_list() == [
        ["fleksibel arbeidstid"], ["stille arbeidsplass, språkstøtte"]
    ]
    assert [str(w) for w in raw.warnings] == (
        ["roller.csv: is not UTF-8; it was read as Windows-1252 (check that æ, ø and å look "
         "right)"] if warned else []
    )


def test_comma_file_with_semicolon_lists_and_quoted_decimal_commas(tmp_path: Path) -> None:
    # every data line holds more ';' than ',': only the header tells the delimiter
    text = (
        "seeker_id,skills,languages,hours_max\n"
        'S1,harvest crops;manage livestock;drive tractor,ar;en;ti,"37,5"\n'
        "S2,sew;mend;iron;cut fabric,so;no,20\n"
    )
    path = tmp_path / "s.csv"
    path.write_text(text, encoding="utf-8")
    typed = load_seekers(path)
    assert typed["skills"].to_list()[0] == ["harvest crops", "manage livestock", "drive tractor"]
    assert typed["hours_max"].to_list() == [37.5, 20.0]


def test_unquoted_decimal_comma_in_a_comma_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("seeker_id,hours_max,tier\nS1,20,T1\nS2,37,5,T2\n", encoding="utf-8")
    assert problems(read_table, path) == [
        "s.csv line 3: has 4 cells where the header has 3; in a comma-separated file a decimal "
        "comma must be inside quotes (\"37,5\"), or save the file with ';' between cells"
    ]


def test_tab_and_excel_sep_line(tmp_path: Path) -> None:
    (tmp_path / "t.tsv").write_text("role_id\tenterprise\tslots\nR1\tA;B\t1\n", encoding="utf-8")
    assert load_roles(tmp_path / "t.tsv")["enterprise"].to_list() == ["A;B"]
    (tmp_path / "s.csv").write_text("sep=,\nrole_id,enterprise,slots\nR1,A;B,3\n")
    assert load_roles(tmp_path / "s.csv")["slots"].to_list() == [3]


def test_bytes_that_are_no_text_are_refused(tmp_path: Path) -> None:
    (tmp_path / "s.csv").write_bytes(b"seeker_id\n\x81\x8d\x8f\n")
    assert problems(read_table, tmp_path / "s.csv") == [
        "s.csv: cannot be read: it is neither UTF-8 nor Windows-1252 text"
    ]


_cell = st.text(alphabet="abcæøå ,;\t\"0123456789", max_size=8)


@settings(max_examples=40, deadline=None)
@given(
    delimiter=st.sampled_from([",", ";", "\t"]),
    header=st.lists(
        st.sampled_from([c.name for c in SEEKER_SCHEMA.columns] + ["navn", "kommune", "notat"]),
        min_size=2, max_size=6, unique=True,
    ),
    rows=st.lists(st.lists(_cell, min_size=6, max_size=6), min_size=1, max_size=8),
)
def test_any_csv_a_spreadsheet_writes_reads_back(
    delimiter: str, header: list[str], rows: list[list[str]]
) -> None:
    """Property: a file written with any delimiter (cells quoted as Excel quotes them, holding
    ',' ';' tabs and quotes) is read back cell for cell."""
    frame = pl.DataFrame([[r[i] for r in rows] for i in range(len(header))], schema=header,
                         orient="col")
    text = frame.write_csv(separator=delimiter, quote_style="necessary")
    assert sniff_delimiter(text, lambda c: column_key(c) in {column_key(h) for h in header}) \
        == delimiter
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.csv"
        path.write_bytes(text.encode("cp1252"))  # Windows-1252 too: æ, ø, å are not UTF-8
        back, _ = read_table(path)
    assert back.fill_null("").rows() == frame.rows()


# ---------------------------------------------------------------------------------------------
# column names


def test_norwegian_and_danish_headers_map_to_the_schema() -> None:
    nb = pl.DataFrame({
        "Kandidat-ID": ["S1"], "Erfaring": ["agronom"], "Kompetanse": ["harvest crops"],
        "Jobbønsker": ["birøkter"], "Språk": ["norsk;arabisk"], "Behov": ["fleksibel tid"],
        "Maks timer": ["37,5"], "Breddegrad": ["59,9"], "Lengdegrad": ["10,7"],
        "Innsatsgruppe": ["situasjonsbestemt innsats"],
    })
    da = pl.DataFrame({
        "person_id": ["S1"], "erhvervserfaring": ["agronom"], "færdigheder": ["harvest crops"],
        "jobønsker": ["birøkter"], "sprog": ["dansk;somali"], "skånehensyn": ["fleksibel tid"],
        "timer": ["37,5"], "LAT": ["55,7"], "Længdegrad": ["12,6"],
    })
    for frame, langs in ((nb, ["no", "ar"]), (da, ["da", "so"])):
        typed = validate_seekers(frame, "s")
        assert typed.row(0, named=True) | {"tier": None, "lat": None, "lon": None} == {
            "seeker_id": "S1", "experience": ["agronom"], "skills": ["harvest crops"],
            "wishes": ["birøkter"], "languages": langs, "needs": ["fleksibel tid"],
            "hours_max": 37.5, "lat": None, "lon": None, "max_distance_km": None, "tier": None,
            "employability": None, "_row": 2,
        }
    roles = pl.DataFrame({"STILLING_ID": ["R1"], "Arbejdsgiver": ["E"], "Antal": ["3"],
                          "Fast": ["ja"], "Oplæring": ["sew"]})
    assert validate_roles(roles, "r").select("role_id", "enterprise", "slots", "permanent",
                                             "skills_trained").row(0) == (
        "R1", "E", 3, True, ["sew"])


def test_two_columns_for_one_field_is_an_error_naming_both() -> None:
    frame = pl.DataFrame({"seeker_id": ["S1"], "erfaring": ["a"], "Experience": ["b"]})
    assert problems(validate_seekers, frame, "s.csv") == [
        "s.csv column 'Experience': is the same column as 'erfaring' (both mean 'experience'); "
        "keep one of them"
    ]


@pytest.mark.parametrize(
    ("header", "known"),
    [
        ("hours_mx", "'hours_max'"), ("Hours_maks", "'hours_max'"), ("erfarng", "'erfaring' "
         "(that is 'experience')"), ("skils", "'skills'"), ("jobbønske", None),
        ("langauges", "'languages'"), ("max_distanse_km", "'max_distance_km'"),
    ],
)
def test_a_near_miss_header_is_an_error_naming_the_known_column(
    header: str, known: str | None
) -> None:
    frame = pl.DataFrame({"seeker_id": ["S1"], header: ["40"]})
    if known is None:  # an alias itself, accepted
        validate_seekers(frame, "s.csv")
        return
    assert problems(validate_seekers, frame, "s.csv") == [
        f"s.csv column '{header}': is not a known column; did you mean {known}?"
    ]


EXTRA_COLUMNS = [
    "navn", "fornavn", "etternavn", "fodselsnummer", "fødselsnummer", "fnr", "personnummer",
    "cpr", "cpr_nummer", "kommune", "bydel", "fylke", "region", "notat", "notater", "kommentar",
    "bemerkning", "telefon", "tlf", "mobil", "epost", "e-post", "email", "kontor", "nav_kontor",
    "jobcenter", "veileder", "saksbehandler", "sagsbehandler", "adresse", "postnummer",
    "poststed", "alder", "kjønn", "køn", "dato", "startdato", "sluttdato", "status", "tiltak",
    "ytelse", "kategori", "land", "statsborgerskap", "utdanning", "uddannelse", "lønn", "løn",
    "stillingsprosent", "stillingsbeskrivelse", "beskrivelse", "kontaktperson", "nettside",
    "søknadsfrist", "bransje", "branche", "sektor", "name", "phone", "comment", "notes",
]


@pytest.mark.parametrize("schema", [SEEKER_SCHEMA, ROLE_SCHEMA], ids=["seekers", "roles"])
def test_real_extra_columns_are_ignored_not_flagged(schema: Any) -> None:
    matched = match_columns(EXTRA_COLUMNS, schema, "f.csv")
    assert matched.problems == []
    assert matched.fields == {}
    assert matched.ignored == tuple(EXTRA_COLUMNS)


@pytest.mark.parametrize("schema", [SEEKER_SCHEMA, ROLE_SCHEMA], ids=["seekers", "roles"])
def test_alias_table_is_unambiguous(schema: Any) -> None:
    seen: dict[str, str] = {}
    for name, aliases in alias_table(schema):
        for written in (name, *aliases):
            key = column_key(written)
            assert seen.setdefault(key, name) == name, (written, seen[key], name)


def test_ignored_columns_are_listed_by_name_never_by_value(
    taxonomy: matcher.Taxonomy, tmp_path: Path
) -> None:
    seekers = pl.DataFrame({"Kandidat-ID": ["S1"], "Navn": ["Kari Nordmann"],
                            "Erfaring": ["agronom"], "Notat": ["sensitive note"]})
    roles = pl.DataFrame({"role_id": ["R1"], "enterprise": ["Bikuben"], "slots": ["1"],
                          "occupation": ["birøkter"], "Kontaktperson": ["Ola Hansen"]})
    result = matcher.match(seekers, roles, taxonomy=taxonomy)
    assert result.manifest["inputs"]["seekers"]["ignored_columns"] == ["Navn", "Notat"]
    assert result.manifest["inputs"]["roles"]["ignored_columns"] == ["Kontaktperson"]
    summary = dict(result.summary().iter_rows())
    assert summary["Columns not used (seekers)"] == "Navn, Notat"
    assert summary["Columns not used (roles)"] == "Kontaktperson"
    written = result.write(tmp_path / "m.csv")
    everything = "".join(p.read_text() for p in written) + str(summary)
    for value in ("Kari", "Nordmann", "sensitive", "Ola", "Hansen"):
        assert value not in everything


# ---------------------------------------------------------------------------------------------
# values


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("no", "no"), ("nb", "no"), ("nn", "no"), ("NOB", "no"), ("nor", "no"), ("norsk", "no"),
        ("Norwegian", "no"), ("nynorsk", "no"), ("prs", "fa"), ("dari", "fa"), ("fa", "fa"),
        ("persisk", "fa"), ("farsi", "fa"), ("arabisk", "ar"), ("arb", "ar"), ("somali", "so"),
        ("somalisk", "so"), ("tigrinja", "ti"), ("tir", "ti"), ("engelsk", "en"),
        ("English", "en"), ("dansk", "da"), ("svensk", "sv"), ("polsk", "pl"), ("urdu", "ur"),
        ("ukrainsk", "uk"), ("pt-BR", "pt"), ("amharisk", "am"), ("kurdisk", "ku"),
        ("sorani", "ku"), ("xx", None), ("blablabla", None), ("mul", None), ("und", None),
    ],
)
def test_languages_by_code_and_name(written: str, code: str | None) -> None:
    assert canonical_language(written) == code


def test_languages_are_stored_once_and_unknown_ones_named() -> None:
    frame = pl.DataFrame({"seeker_id": ["S1", "S2"], "språk": ["nb; norsk;NO;dari", "no;xx"]})
    assert problems(validate_seekers, frame, "s.csv") == [
        "s.csv line 3, column 'språk': must be languages separated by ';': ISO 639 codes "
        "('no', 'ar', 'prs') or names in Norwegian, Danish or English ('norsk', 'arabisk', "
        "'dari'), got 'xx'"
    ]
    assert validate_seekers(frame.head(1), "s")["languages"].to_list() == [["no", "fa"]]


def test_hours_and_distances_written_with_their_unit() -> None:
    hours = ["37,5 t", "20 timer", "30 t/uke", "20 timer i uka", "15T", "40", "20 h/week",
             "37.5 t.", "25 timer om ugen"]
    frame = pl.DataFrame({"seeker_id": [f"S{k}" for k in range(len(hours))], "Maks timer": hours,
                          "maks_avstand": ["30 km", "12,5km", *[None] * (len(hours) - 2)]})
    typed = validate_seekers(frame, "s")
    assert typed["hours_max"].to_list() == [37.5, 20, 30, 20, 15, 40, 20, 37.5, 25]
    assert typed["max_distance_km"].to_list()[:3] == [30, 12.5, None]
    roles = pl.DataFrame({"role_id": ["R1", "R2", "R3"], "enterprise": ["E"] * 3,
                          "Antall plasser": ["2 stk", "1 plass", "3 pladser"]})
    assert validate_roles(roles, "r")["slots"].to_list() == [2, 1, 3]
    # another unit, or a unit alone, is still an error that shows what was written
    bad = pl.DataFrame({"seeker_id": ["S1", "S2", "S3"], "Maks timer": ["3 dager", "t", "20 km"]})
    assert [p.value for p in _problems_of(validate_seekers, bad)] == ["3 dager", "t", "20 km"]


def _problems_of(call: Any, *args: Any) -> list[Any]:
    with pytest.raises(InputError) as info:
        call(*args, "s.csv")
    return list(info.value.problems)


def test_the_collaboration_form_in_norwegian_and_danish_words() -> None:
    """The role form shows NAV's forms as tilskudd, leverandør, ...; a file may say them so."""
    frame = pl.DataFrame({"role_id": [f"R{k}" for k in range(6)], "enterprise": ["E"] * 6,
                          "slots": ["1"] * 6,
                          "Samarbeidsform": ["Tilskudd", "leverandør ", "ansættelse",
                                             "UTVIKLING", "grant", None]})
    assert validate_roles(frame, "r")["form"].to_list() == [
        "grant", "supplier", "employment", "development", "grant", None]
    bad = frame.with_columns(pl.lit("lønnstilskudd").alias("Samarbeidsform"))
    with pytest.raises(InputError) as info:
        validate_roles(bad.head(1), "r.csv")
    (problem,) = localise_problems(info.value.problems, "nb")
    assert str(problem) == ("«lønnstilskudd» i r.csv linje 2, kolonne «Samarbeidsform»: må være "
                            "en av disse: tilskudd, leverandør, ansettelse eller utvikling")


def test_several_languages_in_one_item_are_each_read_never_only_the_first() -> None:
    """Read whole, ``norsk, engelsk`` was Norwegian alone: the name lookup matches the longest
    name a text begins with, and English was lost without a word."""
    cells = ["norsk, engelsk", "Norsk/Arabisk", "somali og arabisk", "norsk engelsk",
             "arabisk (litt)", "tagalog; dansk eller svensk", "bokmål & nynorsk"]
    frame = pl.DataFrame({"seeker_id": [f"S{k}" for k in range(len(cells))], "språk": cells})
    assert validate_seekers(frame, "s")["languages"].to_list() == [
        ["no", "en"], ["no", "ar"], ["so", "ar"], ["no", "en"], ["ar"], ["fil", "da", "sv"],
        ["no"]]
    bad = pl.DataFrame({"seeker_id": ["S1"], "språk": ["norsk, blablabla"]})
    with pytest.raises(InputError) as info:
        validate_seekers(bad, "s.csv")
    assert [(p.line, p.value) for p in info.value.problems] == [(2, "blablabla")]


_NAMES = {"norsk": "no", "engelsk": "en", "arabisk": "ar", "somali": "so", "tigrinja": "ti",
          "dari": "fa", "dansk": "da", "polsk": "pl", "ukrainsk": "uk", "urdu": "ur"}


@settings(max_examples=60, deadline=None)
@given(names=st.lists(st.sampled_from(sorted(_NAMES)), min_size=1, max_size=4, unique=True),
       joins=st.lists(st.sampled_from([", ", "/", " og ", " and ", " & ", " eller ", "; ", " "]),
                      min_size=3, max_size=3))
def test_languages_joined_any_way_are_each_read(names: list[str], joins: list[str]) -> None:
    cell = names[0] + "".join(j + n for j, n in zip(joins, names[1:], strict=False))
    frame = pl.DataFrame({"seeker_id": ["S1"], "språk": [cell]})
    assert validate_seekers(frame, "s")["languages"].to_list() == [[_NAMES[n] for n in names]]


def test_nb_and_no_share_a_language_in_a_match(taxonomy: matcher.Taxonomy) -> None:
    seekers = pl.DataFrame({"seeker_id": ["S1"], "experience": ["agronom"],
                            "languages": ["nb"]})
    roles = pl.DataFrame({"role_id": ["R1", "R2"], "enterprise": ["Bikuben", "Bikuben"],
                          "slots": ["1", "1"], "occupation": ["birøkter", "birøkter"],
                          "languages": ["no", "so"]})
    result = matcher.match(seekers, roles, taxonomy=taxonomy)
    assert result.alternatives["role_id"].to_list() == ["R1"]  # R2 needs Somali
    assert result.matches["role_id"].to_list() == ["R1"]


@pytest.mark.parametrize("word", [*TRUE_WORDS, "JA", " Ja ", "X"])
def test_yes_words(word: str) -> None:
    frame = pl.DataFrame({"role_id": ["R"], "enterprise": ["E"], "slots": ["1"],
                          "permanent": [word]})
    assert validate_roles(frame, "r")["permanent"].to_list() == [True]


@pytest.mark.parametrize("word", [*FALSE_WORDS, "NEJ", " Nei "])
def test_no_words(word: str) -> None:
    frame = pl.DataFrame({"role_id": ["R"], "enterprise": ["E"], "slots": ["1"],
                          "permanent": [word]})
    assert validate_roles(frame, "r")["permanent"].to_list() == [False]


def test_yes_no_words_and_empty_means_not_stated() -> None:
    assert set(TRUE_WORDS) >= {"ja", "yes", "true", "1", "j", "x"}
    assert set(FALSE_WORDS) >= {"nei", "nej", "no", "false", "0", "n"}
    frame = pl.DataFrame({"role_id": ["R"], "enterprise": ["E"], "slots": ["1"],
                          "permanent": ["  "]})
    assert validate_roles(frame, "r")["permanent"].to_list() == [None]


@pytest.mark.parametrize(("cell", "value"), [("37,5", 37.5), ("-0,25", -0.25), (",5", 0.5),
                                               ("37.5", 37.5), (" 40 ", 40.0)])
def test_decimal_commas(cell: str, value: float) -> None:
    frame = pl.DataFrame({"seeker_id": ["S"], "lat": [cell], "lon": ["10"]})
    assert validate_seekers(frame, "s")["lat"].to_list() == [value]


@pytest.mark.parametrize("cell", ["37,5,1", "37;5", "3 7,5", "37,5.0"])
def test_not_decimal_commas(cell: str) -> None:
    frame = pl.DataFrame({"seeker_id": ["S"], "hours_max": [cell]})
    assert len(problems(validate_seekers, frame, "s")) == 1


# ---------------------------------------------------------------------------------------------
# slots 0 and locations, through matcher.match


def test_a_role_with_no_free_place_is_listed_and_gets_no_one(taxonomy: matcher.Taxonomy) -> None:
    seekers = pl.DataFrame({"seeker_id": ["S1", "S2"], "experience": ["agronom", "agronom"]})
    roles = pl.DataFrame({"role_id": ["R0", "R1"], "enterprise": ["Bikuben", "Bikuben"],
                          "slots": ["0", "1"], "occupation": ["birøkter", "birøkter"]})
    result = matcher.match(seekers, roles, taxonomy=taxonomy)
    assert result.manifest["counts"]["roles"] == 2
    assert result.manifest["counts"]["slots"] == 1
    assert "R0" not in result.matches["role_id"].to_list()
    assert result.matches["role_id"].null_count() == 1
    assert result.manifest["optimality"]["certified"]
    # it is listed: the caseworker sees who would fit when a place opens
    assert set(result.alternatives.filter(pl.col("role_id") == "R0")["assigned"]) == {False}


def test_swapped_coordinates_and_a_limit_without_a_home_are_warned(
    taxonomy: matcher.Taxonomy,
) -> None:
    seekers = pl.DataFrame({
        "seeker_id": ["S1", "S2", "S3"], "experience": ["agronom"] * 3,
        "lat": ["59.91", "10.75", None], "lon": ["10.75", "59.91", None],
        "max_distance_km": [None, None, "30"],
    })
    roles = pl.DataFrame({"role_id": ["R1"], "enterprise": ["Bikuben"], "slots": ["3"],
                          "occupation": ["birøkter"], "Breddegrad": ["59.66"],
                          "Lengdegrad": ["10.78"]})
    result = matcher.match(seekers, roles, taxonomy=taxonomy)
    located = [str(w) for w in result.warnings if w.column in ("lat", "max_distance_km")]
    assert located == [
        "seekers line 3, column 'lat': is more than 1,000 km from every role: are lat and lon "
        "swapped?, got '10.75, 59.91'",
        "seekers line 4, column 'max_distance_km': is given without a location (lat, lon), so "
        "it limits nothing, got '30'",
    ]
    # without role locations there is nothing to compare with
    unlocated = matcher.match(seekers, roles.drop("Breddegrad", "Lengdegrad"), taxonomy=taxonomy)
    assert [w.column for w in unlocated.warnings if w.column == "lat"] == []


def test_a_far_role_names_its_own_header(taxonomy: matcher.Taxonomy) -> None:
    seekers = pl.DataFrame({"seeker_id": ["S1"], "lat": ["59.9"], "lon": ["10.7"]})
    roles = pl.DataFrame({"role_id": ["R1", "R2"], "enterprise": ["E", "E"], "slots": ["1", "1"],
                          "Breddegrad": ["59.7", "10.7"], "Lengdegrad": ["10.8", "59.9"]})
    result = matcher.match(seekers, roles, taxonomy=taxonomy)
    assert [str(w) for w in result.warnings if w.rule.startswith("is more")] == [
        "roles line 3, column 'Breddegrad': is more than 1,000 km from every seeker: are lat and "
        "lon swapped?, got '10.7, 59.9'"
    ]


def test_a_windows_1252_file_warns_through_match(
    taxonomy: matcher.Taxonomy, tmp_path: Path
) -> None:
    (tmp_path / "roller.csv").write_bytes(ROLES_NB.encode("cp1252"))
    seekers = pl.DataFrame({"seeker_id": ["S1"], "experience": ["agronom"]})
    result = matcher.match(seekers, tmp_path / "roller.csv", taxonomy=taxonomy)
    assert any(w.file == "roller.csv" and "Windows-1252" in w.rule for w in result.warnings)
    assert result.manifest["counts"]["warnings"] == len(result.warnings)


def test_json_lines_are_record_numbers(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps([{"role_id": "a", "enterprise": "E", "slots": 1},
                                {"role_id": "b", "enterprise": "E", "slots": -3}]))
    assert problems(load_roles, path) == [
        "r.json line 2, column 'slots': must be an integer >= 0, got '-3'"
    ]



def test_readme_shows_the_alias_table_as_it_is() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for schema in (SEEKER_SCHEMA, ROLE_SCHEMA):
        block = readme.split(f"<!-- aliases:{schema.name} -->\n", 1)[1].split("\n\n", 1)[0]
        shown = [
            (row.split(" | ")[0].strip("| `"), tuple(
                a.strip("` ") for a in row.split(" | ")[1].rstrip(" |").split(", ") if a))
            for row in block.splitlines()[2:]
        ]
        assert shown == alias_table(schema)


def test_unnamed_empty_columns_vanish_and_a_repeated_name_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_text("role_id;enterprise;slots;\nR1;E;1;\n", encoding="utf-8")
    raw = read_source(tmp_path / "r.csv")
    assert validate_table(raw, ROLE_SCHEMA).ignored == ()
    (tmp_path / "s.csv").write_text("seeker_id,skills,skills\nS1,a,b\n", encoding="utf-8")
    assert problems(load_seekers, tmp_path / "s.csv") == [
        "s.csv column 'skills': is in the header twice; keep one of them"
    ]


def test_known_header_names_outweigh_more_cells(tmp_path: Path) -> None:
    """A ';' file whose extra columns have commas in their names splits into more cells by ','
    (on every line alike): the known names decide."""
    path = tmp_path / "s.csv"
    path.write_text("seeker_id;Adresse, postnr, sted, land\nS1;Gate 1, 0123, Oslo, Norge\n",
                    encoding="utf-8")
    raw = read_source(path)
    assert raw.frame.columns == ["seeker_id", "Adresse, postnr, sted, land"]


def test_every_language_is_found_by_its_norwegian_danish_and_english_name() -> None:
    """Reference: the CLDR names langcodes gives; a name must lead back to the code's language,
    and the stored code must be stable (canonical of canonical is itself)."""
    import langcodes

    codes = ["ar", "am", "bs", "da", "de", "en", "es", "fa", "fi", "fr", "hr", "it", "ku",
             "lt", "nb", "nn", "no", "pl", "ps", "pt", "ro", "ru", "so", "sq", "sr", "sv",
             "sw", "ta", "th", "ti", "tr", "uk", "ur", "vi", "zh", "prs", "ckb", "kmr", "arb"]
    for code in codes:
        stored = canonical_language(code)
        assert stored is not None and canonical_language(stored) == stored, code
        for lang in ("nb", "da", "en"):
            name = langcodes.Language.get(code).display_name(lang)
            assert canonical_language(name) == stored, (code, lang, name)
