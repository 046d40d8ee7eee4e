"""Reading, validating and writing tables (matcher.io)."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from matcher.errors import InputError, OutputError
from matcher.io import (
    ROLE_SCHEMA,
    SEEKER_SCHEMA,
    read_table,
    validate_roles,
    validate_seekers,
    write_json,
    write_table,
)

# ---------------------------------------------------------------------------------------------
# helpers


def write_text(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def load_seekers(path: Path) -> pl.DataFrame:
    return validate_seekers(*read_table(path))


def load_roles(path: Path) -> pl.DataFrame:
    return validate_roles(*read_table(path))


def problems_of(call: Any, *args: Any) -> list[str]:
    with pytest.raises(InputError) as info:
        call(*args)
    return [str(p) for p in info.value.problems]


PERMANENT_RULE = (
    "must be one of ja/nei, yes/no, true/false, 1/0, j/n, x (yes) or empty (not stated)"
)
LANGUAGE_RULE = (
    "must be languages separated by ';': ISO 639 codes ('no', 'ar', 'prs') "
    "or names in Norwegian, Danish or English ('norsk', 'arabisk', 'dari')"
)
SEEKERS_HEADER = "seeker_id,skills,languages,hours_max,lat,lon,max_distance_km,employability\n"
ROLES_HEADER = "role_id,enterprise,slots,hours,lat,lon,languages,permanent,form\n"


# ---------------------------------------------------------------------------------------------
# schema data


def test_schemas_declare_the_contract() -> None:
    assert SEEKER_SCHEMA.required == ["seeker_id"]
    assert ROLE_SCHEMA.required == ["role_id", "enterprise", "slots"]
    assert SEEKER_SCHEMA.names == [
        "seeker_id", "experience", "skills", "wishes", "languages", "needs", "hours_max",
        "lat", "lon", "max_distance_km", "tier", "employability",
    ]  # fmt: skip
    assert ROLE_SCHEMA.column("form").allowed == ("grant", "supplier", "employment", "development")




# ---------------------------------------------------------------------------------------------
# each bad-input class, with its exact message

SEEKER_CASES = [
    # (body row, expected message)
    (
        "s1,,,abc,,,,",
        "seekers.csv line 2, column 'hours_max': must be a number > 0 and <= 168, got 'abc'",
    ),
    (
        "s1,,,169,,,,",
        "seekers.csv line 2, column 'hours_max': must be a number > 0 and <= 168, got '169'",
    ),
    (
        "s1,,,0,,,,",
        "seekers.csv line 2, column 'hours_max': must be a number > 0 and <= 168, got '0'",
    ),
    (
        "s1,,,nan,,,,",
        "seekers.csv line 2, column 'hours_max': must be a number > 0 and <= 168, got 'nan'",
    ),
    ("s1,,,,91,10,,", "seekers.csv line 2, column 'lat': must be a number in [-90, 90], got '91'"),
    (
        "s1,,,,59,-180.5,,",
        "seekers.csv line 2, column 'lon': must be a number in [-180, 180], got '-180.5'",
    ),
    ("s1,,,,59.9,,,", "seekers.csv line 2, column 'lon': must be given together with 'lat'"),
    ("s1,,,,,10.7,,", "seekers.csv line 2, column 'lat': must be given together with 'lon'"),
    ("s1,,,,,,0,", "seekers.csv line 2, column 'max_distance_km': must be a number > 0, got '0'"),
    (
        "s1,,,,,,1;5,",
        "seekers.csv line 2, column 'max_distance_km': must be a number > 0, got '1;5'",
    ),
    (
        "s1,,,,,,,1.5",
        "seekers.csv line 2, column 'employability': must be a number in [0, 1], got '1.5'",
    ),
    (
        "s1,,en;xx,,,,,",
        "seekers.csv line 2, column 'languages': " + LANGUAGE_RULE + ", got 'xx'",
    ),
    ("  ,a,,,,,,", "seekers.csv line 2, column 'seeker_id': must not be empty"),
]


@pytest.mark.parametrize(("row", "message"), SEEKER_CASES)
def test_each_bad_seeker_value_is_reported_exactly(tmp_path: Path, row: str, message: str) -> None:
    path = write_text(tmp_path, "seekers.csv", SEEKERS_HEADER + row + "\n")
    assert problems_of(load_seekers, path) == [message]


ROLE_CASES = [
    ("r1,A,-2,,,,,,", "roles.csv line 2, column 'slots': must be an integer >= 0, got '-2'"),
    ("r1,A,2.5,,,,,,", "roles.csv line 2, column 'slots': must be an integer >= 0, got '2.5'"),
    ("r1,A,two,,,,,,", "roles.csv line 2, column 'slots': must be an integer >= 0, got 'two'"),
    ("r1,A,,,,,,,", "roles.csv line 2, column 'slots': must not be empty"),
    ("r1,,1,,,,,,", "roles.csv line 2, column 'enterprise': must not be empty"),
    (
        "r1,A,1,40x,,,,,",
        "roles.csv line 2, column 'hours': must be a number > 0 and <= 168, got '40x'",
    ),
    (
        "r1,A,1,,-91,0,,,",
        "roles.csv line 2, column 'lat': must be a number in [-90, 90], got '-91'",
    ),
    (
        "r1,A,1,,,,,maybe,",
        "roles.csv line 2, column 'permanent': "
        + PERMANENT_RULE + ", "
        "got 'maybe'",
    ),
    (
        "r1,A,1,,,,,,charity",
        "roles.csv line 2, column 'form': must be one of grant, supplier, employment, development, "
        "got 'charity'",
    ),
]


@pytest.mark.parametrize(("row", "message"), ROLE_CASES)
def test_each_bad_role_value_is_reported_exactly(tmp_path: Path, row: str, message: str) -> None:
    path = write_text(tmp_path, "roles.csv", ROLES_HEADER + row + "\n")
    assert problems_of(load_roles, path) == [message]


def test_contract_example_message(tmp_path: Path) -> None:
    rows = "".join(f"r{i},A,1,,,,,,\n" for i in range(1, 17)) + "r17,A,-2,,,,,,\n"
    path = write_text(tmp_path, "roles.csv", ROLES_HEADER + rows)
    with pytest.raises(InputError) as info:
        load_roles(path)
    assert str(info.value) == "roles.csv line 18, column 'slots': must be an integer >= 0, got '-2'"


def test_missing_required_columns(tmp_path: Path) -> None:
    path = write_text(tmp_path, "roles.csv", "role_id,hours\nr1,40\n")
    assert problems_of(load_roles, path) == [
        "roles.csv column 'enterprise': required column is missing (it may be called "
        "'enterprise', 'virksomhet', 'bedrift', 'arbeidsgiver', 'foretak', ...)",
        "roles.csv column 'slots': required column is missing (it may be called 'slots', "
        "'stillinger', 'plasser', 'antall', 'antall_plasser', ...)",
    ]
    # the columns left unused are named (names only), so the id column is easy to spot
    path = write_text(tmp_path, "seekers.csv", "nr,skills,Bosted\n1,x,Oslo\n")
    assert problems_of(load_seekers, path) == [
        "seekers.csv column 'seeker_id': required column is missing (it may be called "
        "'seeker_id', 'id', 'person_id', 'kandidat_id', 'deltaker_id', ...); the file's "
        "unused columns are 'nr', 'Bosted'"
    ]
    path = write_text(tmp_path, "seekers.csv", "Løpenr,skills\n1,x\n")
    assert load_seekers(path)["seeker_id"].to_list() == ["1"]


def test_duplicate_ids_name_the_repeat_and_the_first_row(tmp_path: Path) -> None:
    body = "s1\ns2\n s1 \ns3\ns2\ns1\n"
    path = write_text(tmp_path, "seekers.csv", "seeker_id\n" + body)
    assert problems_of(load_seekers, path) == [
        "seekers.csv line 4, column 'seeker_id': must be unique; first seen on line 2, got 's1'",
        "seekers.csv line 6, column 'seeker_id': must be unique; first seen on line 3, got 's2'",
        "seekers.csv line 7, column 'seeker_id': must be unique; first seen on line 2, got 's1'",
    ]


def test_all_problems_of_a_file_are_raised_together(tmp_path: Path) -> None:
    body = "r1,A,-1,200,,,,,\nr2,B,1,,91,,zz,kanskje,gift\nr1,,1,,,,,,\n"
    path = write_text(tmp_path, "roles.csv", ROLES_HEADER + body)
    with pytest.raises(InputError) as info:
        load_roles(path)
    assert [str(p) for p in info.value.problems] == [
        "roles.csv line 2, column 'hours': must be a number > 0 and <= 168, got '200'",
        "roles.csv line 2, column 'slots': must be an integer >= 0, got '-1'",
        "roles.csv line 3, column 'form': must be one of grant, supplier, employment, development, "
        "got 'gift'",
        "roles.csv line 3, column 'languages': " + LANGUAGE_RULE + ", got 'zz'",
        "roles.csv line 3, column 'lat': must be a number in [-90, 90], got '91'",
        "roles.csv line 3, column 'lon': must be given together with 'lat'",
        "roles.csv line 3, column 'permanent': "
        + PERMANENT_RULE + ", "
        "got 'kanskje'",
        "roles.csv line 4, column 'enterprise': must not be empty",
        "roles.csv line 4, column 'role_id': must be unique; first seen on line 2, got 'r1'",
    ]
    assert str(info.value).startswith(
        "9 problems in the input:\n  roles.csv line 2, column 'hours'"
    )
    assert isinstance(info.value, ValueError)


def test_values_of_unknown_columns_are_never_echoed(tmp_path: Path) -> None:
    text = "seeker_id,full_name,hours_max\ns1,Kari Nordmann,lots\n"
    path = write_text(tmp_path, "seekers.csv", text)
    with pytest.raises(InputError) as info:
        load_seekers(path)
    assert "Kari" not in str(info.value)
    assert "full_name" not in str(info.value)
    good = load_seekers(write_text(tmp_path, "ok.csv", "seeker_id,full_name\ns1,Kari Nordmann\n"))
    assert "full_name" not in good.columns


# ---------------------------------------------------------------------------------------------
# unreadable and empty files


def test_file_not_found(tmp_path: Path) -> None:
    assert problems_of(read_table, tmp_path / "seekers.csv") == [
        "seekers.csv: cannot be read: file not found"
    ]


def test_folder_instead_of_file(tmp_path: Path) -> None:
    (tmp_path / "roles.csv").mkdir()
    assert problems_of(read_table, tmp_path / "roles.csv") == [
        "roles.csv: cannot be read: it is a folder"
    ]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_permission_denied(tmp_path: Path) -> None:
    path = write_text(tmp_path, "roles.csv", ROLES_HEADER)
    path.chmod(0)
    assert problems_of(read_table, path) == ["roles.csv: cannot be read: permission denied"]


def test_unknown_extension(tmp_path: Path) -> None:
    path = write_text(tmp_path, "roles.docx", "x")
    assert problems_of(read_table, path) == [
        "roles.docx: must be a .csv, .tsv, .txt, .xlsx, .xlsm, .xlsb, .xls, .ods, .parquet, "
        ".json, .jsonl or .ndjson file, got '.docx'"
    ]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "s.json",
            '[{"seeker_id": "a"},',
            "s.json: cannot be parsed as JSON: Expecting value at line 1 column 21",
        ),
        ("s.json", '{"seeker_id": "a"}', "s.json: must be a JSON array of objects"),
        ("s.json", '[{"seeker_id": "a"}, 3]', "s.json line 2: must be a JSON object"),
        (
            "s.ndjson",
            '{"seeker_id": "a"}\n{oops\n',
            "s.ndjson: cannot be parsed as JSON: line 2: "
            "Expecting property name enclosed in double quotes",
        ),
        ("s.parquet", "not parquet", "s.parquet: cannot be parsed as Parquet"),
        ("s.csv", 'seeker_id\n"a\n', "s.csv: cannot be parsed as CSV"),
    ],
)
def test_unparseable_files(tmp_path: Path, name: str, text: str, message: str) -> None:
    assert problems_of(read_table, write_text(tmp_path, name, text)) == [message]


@pytest.mark.parametrize(
    ("name", "text"),
    [("s.csv", ""), ("s.csv", "seeker_id,skills\n"), ("s.json", "[]"), ("s.jsonl", "\n")],
)
def test_empty_files(tmp_path: Path, name: str, text: str) -> None:
    assert problems_of(read_table, write_text(tmp_path, name, text)) == [
        f"{name}: has no data rows"
    ]


def test_empty_parquet_and_frame(tmp_path: Path) -> None:
    path = tmp_path / "s.parquet"
    pl.DataFrame({"seeker_id": []}, schema={"seeker_id": pl.String}).write_parquet(path)
    assert problems_of(read_table, path) == ["s.parquet: has no data rows"]
    empty = pl.DataFrame(schema={"seeker_id": pl.String})
    assert problems_of(validate_seekers, empty, "seekers") == ["seekers: has no data rows"]


# ---------------------------------------------------------------------------------------------
# the same data in every format gives the same typed frame

ROLE_RECORDS: list[dict[str, Any]] = [
    {
        "role_id": "007",
        "enterprise": "Bakeri AS",
        "title": "Baker assistant",
        "occupation": "baker",
        "skills_required": ["knead dough", "food safety"],
        "skills_trained": ["bake bread"],
        "slots": 2,
        "hours": 37.5,
        "lat": 59.913868,
        "lon": 10.752245,
        "languages": ["no", "en"],
        "offers": ["wheelchair access", "quiet workplace"],
        "permanent": True,
        "form": "employment",
    },
    {
        "role_id": "r2",
        "enterprise": "Grønt Lag",
        "title": None,
        "occupation": "gardener",
        "skills_required": [],
        "skills_trained": ["prune trees"],
        "slots": 1,
        "hours": 0.1,
        "lat": None,
        "lon": None,
        "languages": [],
        "offers": [],
        "permanent": False,
        "form": "grant",
    },
]


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, bool):
        return "yes" if value else "NO"
    return str(value)


def _as_source(kind: str, folder: Path) -> Path | pl.DataFrame:
    if kind == "csv":
        lines = [",".join(ROLE_RECORDS[0])]
        lines += [",".join(_csv_cell(v) for v in record.values()) for record in ROLE_RECORDS]
        return write_text(folder, "roles.csv", "\n".join(lines) + "\n")
    if kind in ("json", "jsonl"):
        if kind == "json":
            text = json.dumps(ROLE_RECORDS, ensure_ascii=False)
        else:
            text = "\n".join(json.dumps(r) for r in ROLE_RECORDS)
        return write_text(folder, f"roles.{kind}", text)
    frame = pl.DataFrame(ROLE_RECORDS)
    if kind == "parquet":
        frame.write_parquet(folder / "roles.parquet")
        return folder / "roles.parquet"
    if kind == "frame":
        return frame
    assert kind == "text frame"  # every cell as text, as a spreadsheet export would give
    return pl.DataFrame({k: [_csv_cell(r[k]) for r in ROLE_RECORDS] for k in ROLE_RECORDS[0]})


EXPECTED_ROLES = pl.DataFrame(
    [{**r, "_row": i} for i, r in enumerate(ROLE_RECORDS, start=2)],
    schema=ROLE_SCHEMA.polars_schema,
)


@pytest.mark.parametrize("kind", ["csv", "parquet", "json", "jsonl", "frame", "text frame"])
def test_every_format_gives_the_same_typed_frame(tmp_path: Path, kind: str) -> None:
    frame, name = read_table(_as_source(kind, tmp_path), name="roles")
    first_line = 1 if "json" in kind else 2  # JSON has no header: line N is record N
    typed = validate_roles(frame, name, first_line=first_line)
    assert typed.schema == ROLE_SCHEMA.polars_schema
    assert_frame_equal(typed, EXPECTED_ROLES.with_columns(pl.col("_row") + first_line - 2))


@pytest.mark.parametrize("kind", ["csv", "parquet", "json", "jsonl", "frame"])
def test_every_format_reports_the_same_row(tmp_path: Path, kind: str) -> None:
    records = [dict(r) for r in ROLE_RECORDS] + [dict(ROLE_RECORDS[1], role_id="r3", slots=-1)]
    frame = pl.DataFrame(records)
    source: Path | pl.DataFrame = frame
    if kind == "frame":
        name = "roles"
    else:
        source = tmp_path / f"roles.{kind}"
        write_table(frame, source)
        name = source.name
    assert problems_of(validate_roles, *read_table(source, name=name)) == [
        f"{name} line {3 if 'json' in kind else 4}, column 'slots': must be an integer >= 0, "
        "got '-1'"
    ]


def test_frame_name_defaults_to_input() -> None:
    frame = pl.DataFrame({"seeker_id": ["a"]})
    assert read_table(frame)[1] == "input"
    assert read_table(frame, name="seekers")[1] == "seekers"


def test_typed_values_in_a_frame_are_checked_too() -> None:
    frame = pl.DataFrame({"seeker_id": [1, 2], "hours_max": [40.0, float("nan")]})
    assert problems_of(validate_seekers, frame, "seekers") == [
        "seekers line 3, column 'hours_max': must be a number > 0 and <= 168, got 'NaN'"
    ]
    typed = validate_seekers(frame.head(1), "seekers")
    assert typed["seeker_id"].to_list() == ["1"]


def test_json_values_are_reported_as_written(tmp_path: Path) -> None:
    records = [{"role_id": "a", "enterprise": "E", "slots": 1.5, "permanent": 2, "form": True}]
    path = write_text(tmp_path, "roles.json", json.dumps(records))
    assert problems_of(load_roles, path) == [
        "roles.json line 1, column 'form': must be one of grant, supplier, employment, "
        "development, got 'true'",
        "roles.json line 1, column 'permanent': "
        + PERMANENT_RULE + ", "
        "got '2'",
        "roles.json line 1, column 'slots': must be an integer >= 0, got '1.5'",
    ]


# ---------------------------------------------------------------------------------------------
# parsing details


def test_lists_are_split_trimmed_and_emptied(tmp_path: Path) -> None:
    text = 'seeker_id,skills,languages,needs\ns1," a ; b;;c ;", EN; No ,\ns2,;, ,""\n'
    typed = load_seekers(write_text(tmp_path, "s.csv", text))
    assert typed["skills"].to_list() == [["a", "b", "c"], []]
    assert typed["languages"].to_list() == [["en", "no"], []]
    assert typed["needs"].to_list() == [[], []]


def test_json_lists_may_be_lists_or_strings(tmp_path: Path) -> None:
    records = [
        {"seeker_id": "s1", "skills": [" a ", "", None, "b"]},
        {"seeker_id": "s2", "skills": "c; d"},
        {"seeker_id": "s3", "skills": None},
        {"seeker_id": "s4"},
    ]
    typed = load_seekers(write_text(tmp_path, "s.json", json.dumps(records)))
    assert typed["skills"].to_list() == [["a", "b"], ["c", "d"], [], []]


def test_not_stated_fields(tmp_path: Path) -> None:
    typed = load_seekers(write_text(tmp_path, "s.csv", "seeker_id,hours_max,tier\n007,,\n"))
    assert typed.schema == SEEKER_SCHEMA.polars_schema
    row = typed.row(0, named=True)
    assert row == {
        "seeker_id": "007", "experience": [], "skills": [], "wishes": [], "languages": [],
        "needs": [], "hours_max": None, "lat": None, "lon": None, "max_distance_km": None,
        "tier": None, "employability": None, "_row": 2,
    }  # fmt: skip
    roles = load_roles(write_text(tmp_path, "r.csv", "role_id,enterprise,slots\nr,E,3\n"))
    assert roles.schema == ROLE_SCHEMA.polars_schema
    assert roles.row(0, named=True)["permanent"] is None
    assert roles["slots"].to_list() == [3]


@pytest.mark.parametrize(
    ("word", "value"),
    [("true", True), ("Yes", True), ("1", True), ("JA", True), ("FALSE", False), ("no", False),
     ("0", False), ("Nei", False), (" ", None)],
)  # fmt: skip
def test_boolean_words(word: str, value: bool | None) -> None:
    raw = pl.DataFrame({"role_id": ["r"], "enterprise": ["E"], "slots": ["1"], "permanent": [word]})
    assert validate_roles(raw, "roles")["permanent"].to_list() == [value]


def test_form_is_stored_lower_case_and_values_trimmed() -> None:
    raw = pl.DataFrame(
        {" role_id ": [" r1 "], "enterprise": [" E "], "slots": [" 3 "], "form": [" Supplier "]}
    )
    typed = validate_roles(raw, "roles")
    assert typed.select("role_id", "enterprise", "slots", "form").row(0) == (
        "r1",
        "E",
        3,
        "supplier",
    )


def test_blank_lines_are_skipped_but_keep_their_row_number(tmp_path: Path) -> None:
    path = write_text(tmp_path, "s.csv", "seeker_id,hours_max\ns1,40\n\n , \ns4,x\n\n\n")
    assert problems_of(load_seekers, path) == [
        "s.csv line 5, column 'hours_max': must be a number > 0 and <= 168, got 'x'"
    ]
    path = write_text(tmp_path, "s.csv", "seeker_id,hours_max\n\ns2,40\n\n")
    assert load_seekers(path)["_row"].to_list() == [3]
    path = write_text(tmp_path, "s.csv", "seeker_id,hours_max\n\n,\n")
    assert problems_of(load_seekers, path) == ["s.csv: has no data rows"]


def test_row_order_is_kept() -> None:
    raw = pl.DataFrame({"seeker_id": ["c", "a", "b"]})
    typed = validate_seekers(raw, "seekers")
    assert typed["seeker_id"].to_list() == ["c", "a", "b"]
    assert typed["_row"].to_list() == [2, 3, 4]


# ---------------------------------------------------------------------------------------------
# writing


@pytest.mark.parametrize("ext", ["csv", "parquet", "json", "jsonl", "ndjson"])
def test_write_then_read_gives_the_same_frame(tmp_path: Path, ext: str) -> None:
    typed = EXPECTED_ROLES.drop("_row")
    path = write_table(typed, tmp_path / f"roles.{ext.upper()}")
    again = validate_roles(*read_table(path)).drop("_row")
    assert_frame_equal(again, typed)
    assert os.listdir(tmp_path) == [f"roles.{ext.upper()}"]


def test_json_table_is_an_array_of_objects(tmp_path: Path) -> None:
    path = write_table(pl.DataFrame({"a": [1, 2], "b": [["x"], []]}), tmp_path / "t.json")
    assert json.loads(path.read_text()) == [{"a": 1, "b": ["x"]}, {"a": 2, "b": []}]


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=20))
def test_floats_round_trip_exactly_through_csv(tmp_path: Path, values: list[float]) -> None:
    path = write_table(pl.DataFrame({"x": values}, schema={"x": pl.Float64}), tmp_path / "f.csv")
    back = pl.read_csv(path, schema={"x": pl.Float64})["x"].to_list()
    assert [v.hex() for v in back] == [v.hex() for v in values]  # bit for bit, -0.0 included


def test_named_floats_round_trip_exactly_through_csv(tmp_path: Path) -> None:
    values = [0.1, 1 / 3, 5e-324, 1.7976931348623157e308, 123456789.12345679, -0.0, 2.0**60]
    path = write_table(pl.DataFrame({"x": values}), tmp_path / "f.csv")
    assert pl.read_csv(path, schema={"x": pl.Float64})["x"].to_list() == values


def test_unknown_extension_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"roles\.xls'.*\.csv, \.xlsx, \.parquet, \.json"):
        write_table(pl.DataFrame({"a": [1]}), tmp_path / "roles.xls")
    assert os.listdir(tmp_path) == []


def test_failed_write_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "matches.csv"
    target.write_text("old results\n")

    def half_then_fail(self: pl.DataFrame, file: Any, *args: Any, **kwargs: Any) -> None:
        Path(file).write_text("seeker_id,role_id\ns1,")
        raise RuntimeError("disk full")

    monkeypatch.setattr(pl.DataFrame, "write_csv", half_then_fail)
    with pytest.raises(OutputError, match=r"matches\.csv.*disk full") as info:
        write_table(pl.DataFrame({"a": [1]}), target)
    assert isinstance(info.value, OSError)
    assert os.listdir(tmp_path) == ["matches.csv"]
    assert target.read_text() == "old results\n"


def test_failed_write_to_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="nowhere"):
        write_table(pl.DataFrame({"a": [1]}), tmp_path / "nowhere" / "t.parquet")
    with pytest.raises(OutputError, match="nowhere"):
        write_json({}, tmp_path / "nowhere" / "m.json")


def test_write_json_format(tmp_path: Path) -> None:
    path = write_json(
        {"b": [1, 2.5], "a": "Tromsø", "c": {"z": None, "y": True}}, tmp_path / "m.json"
    )
    assert path.read_text(encoding="utf-8") == (
        '{\n  "a": "Tromsø",\n  "b": [\n    1,\n    2.5\n  ],\n  "c": {\n    "y": true,\n'
        '    "z": null\n  }\n}\n'
    )


@pytest.mark.parametrize("obj", [{"x": object()}, {"x": math.nan}])
def test_write_json_refuses_what_is_not_json(tmp_path: Path, obj: Any) -> None:
    with pytest.raises(OutputError, match=r"m\.json"):
        write_json(obj, tmp_path / "m.json")
    assert os.listdir(tmp_path) == []


def test_write_keeps_the_mode_of_a_replaced_file(tmp_path: Path) -> None:
    target = tmp_path / "m.json"
    write_json({}, target)
    target.chmod(0o640)
    write_json({"a": 1}, target)
    assert target.stat().st_mode & 0o777 == 0o640


# ---------------------------------------------------------------------------------------------
# properties

_numbers = {
    "hours_max": st.floats(min_value=0.5, max_value=168),
    "lat": st.floats(min_value=-90, max_value=90),
    "lon": st.floats(min_value=-180, max_value=180),
    "max_distance_km": st.floats(min_value=0.01, max_value=1e6),
    "employability": st.floats(min_value=0, max_value=1),
}
_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyzæøå -", min_size=1, max_size=12).filter(
    lambda s: s.strip() != ""
)
# codes stored as they are written (a macrolanguage or a language of none)
_CANONICAL_CODES = ["ar", "da", "en", "fa", "no", "pl", "so", "sv", "ti", "ur", "uk", "am"]
_valid_seeker = st.fixed_dictionaries(
    {
        "skills": st.lists(_word, max_size=4),
        "languages": st.lists(st.sampled_from(_CANONICAL_CODES), max_size=3, unique=True),
        **{name: st.one_of(st.none(), strategy) for name, strategy in _numbers.items()},
    }
)


def _pair_coordinates(row: dict[str, Any]) -> dict[str, Any]:
    if (row["lat"] is None) != (row["lon"] is None):
        row["lat"] = row["lon"] = None
    return row


def _seekers_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Every cell as text, as read from a CSV."""
    data: dict[str, list[str | None]] = {"seeker_id": [f"s{i}" for i in range(len(rows))]}
    for name in ("skills", "languages"):
        data[name] = [";".join(r[name]) for r in rows]
    for name in _numbers:
        data[name] = [None if r[name] is None else repr(r[name]) for r in rows]
    return pl.DataFrame(data, schema=dict.fromkeys(data, pl.String))


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(_valid_seeker.map(_pair_coordinates), min_size=1, max_size=30))
def test_random_valid_rows_validate(rows: list[dict[str, Any]]) -> None:
    typed = validate_seekers(_seekers_frame(rows), "seekers")
    assert typed.height == len(rows)
    for name in _numbers:
        assert typed[name].to_list() == [r[name] for r in rows]
    assert typed["languages"].to_list() == [r["languages"] for r in rows]
    assert typed["skills"].to_list() == [[w.strip() for w in r["skills"]] for r in rows]


def _is_python_float(text: str) -> bool:
    try:
        float(text.replace(",", ".", 1))  # the first comma is a decimal comma
    except ValueError:
        return False
    return True


_not_a_number = st.text(alphabet="0123456789.,-+eE xa#;_", min_size=1, max_size=8).filter(
    lambda s: s.strip() != "" and not _is_python_float(s)
)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(_valid_seeker.map(_pair_coordinates), min_size=1, max_size=20),
    data=st.data(),
)
def test_invalid_numbers_are_always_reported_with_their_row(
    rows: list[dict[str, Any]], data: st.DataObject
) -> None:
    frame = _seekers_frame(rows)
    broken: set[tuple[int, str, str]] = set()
    for name in ("hours_max", "max_distance_km", "employability"):
        indices = data.draw(st.sets(st.integers(0, len(rows) - 1), max_size=3), label=name)
        values = frame[name].to_list()
        for i in indices:
            values[i] = data.draw(_not_a_number, label=f"{name}[{i}]")
            broken.add((i + 2, name, values[i]))
        frame = frame.with_columns(pl.Series(name, values, dtype=pl.String))
    if not broken:
        validate_seekers(frame, "seekers")
        return
    with pytest.raises(InputError) as info:
        validate_seekers(frame, "seekers")
    reported = {(p.line, p.column, p.value) for p in info.value.problems}
    assert reported == broken


def test_write_outputs_all_or_nothing_with_the_usual_mode(tmp_path: Path) -> None:
    """Several outputs together: a failure in the last leaves none of them; a success gives
    each the mode any new file gets (the result files used to come out as 0600)."""
    from matcher.io import write_outputs

    old = tmp_path / "matches.csv"
    old.write_text("old results\n")
    frame = pl.DataFrame({"seeker_id": ["S1"]})
    with pytest.raises(OutputError, match=r"m\.json"):
        write_outputs([(old, frame), (tmp_path / "alts.parquet", frame),
                       (tmp_path / "m.json", {"x": math.nan})])
    assert sorted(os.listdir(tmp_path)) == ["matches.csv"]
    assert old.read_text() == "old results\n"
    written = write_outputs([(tmp_path / "new.csv", frame), (tmp_path / "book.xlsx",
                                                             {"matches": frame}),
                             (tmp_path / "m.json", {"ok": 1})])
    mask = os.umask(0o022)
    os.umask(mask)
    for path in written:
        assert path.stat().st_mode & 0o777 == 0o666 & ~mask, path
    assert pl.read_excel(tmp_path / "book.xlsx", sheet_name="matches").rows() == [("S1",)]
    with pytest.raises(OutputError, match="must differ"):
        write_outputs([(tmp_path / "a.csv", frame), (tmp_path / "a.csv", frame)])
