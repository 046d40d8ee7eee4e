"""The caseworker's report without a browser: reading a run back, the tier table against
independent references, escaping, the optional sections, the language tables and the CLI."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from report_fixtures import HOSTILE, make_run
from scipy.stats import binomtest

import matcher
from matcher.cli import cli
from matcher.errors import InputError
from matcher.report import STRINGS, Run, load_run, render, tier_table, write_report


class _Page(HTMLParser):
    """Elements, the embedded data and the scripts of a rendered page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self._in: str | None = None
        self._attrs: dict[str, str | None] = {}
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in, self._attrs = tag, dict(attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "script":
            self.scripts.append((self._attrs, data))
        elif self._in == "style":
            self.styles.append(data)
        else:
            self.text.append(data)


def parse(page: str) -> _Page:
    p = _Page()
    p.feed(page)
    return p


def data_of(page: str) -> dict[str, Any]:
    parsed = parse(page)
    (attrs, text), = [(a, t) for a, t in parsed.scripts if a.get("id") == "report-data"]
    assert attrs.get("type") == "application/octet-stream"
    assert re.fullmatch(r"[A-Za-z0-9+/=]+", text)  # base64: nothing can close the element
    return json.loads(gzip.decompress(base64.b64decode(text)))  # type: ignore[no-any-return]


@pytest.fixture
def run_dir(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    folder = tmp_path / "run"
    return folder, make_run(folder)


# ---------------------------------------------------------------- the language tables
def test_every_language_has_every_string_with_the_same_fields() -> None:
    keys = set(STRINGS["en"])
    fields = {k: set(re.findall(r"\{(\w+)\}", v)) for k, v in STRINGS["en"].items()}
    for lang, table in STRINGS.items():
        assert set(table) == keys, lang
        for k, v in table.items():
            assert v.strip(), (lang, k)
            assert set(re.findall(r"\{(\w+)\}", v)) == fields[k], (lang, k)
    # the words a caseworker uses
    assert STRINGS["nb"]["matches"] == "Forslag til formidling"
    assert STRINGS["nb"]["unmatched"] == "Ikke matchet"
    assert STRINGS["nb"]["open_places"] == "Ledige plasser"
    assert STRINGS["da"]["open_places"] == "Ledige pladser"
    assert STRINGS["nb"]["alternatives"] == STRINGS["da"]["alternatives"] == "Alternativer"


# ---------------------------------------------------------------- reading a run back
def test_a_run_folder_is_read_with_its_alternatives_warnings_and_unchanged_inputs(
        run_dir: tuple[Path, dict[str, Any]]) -> None:
    folder, made = run_dir
    run = load_run(folder)
    assert run.matches["seeker_id"].to_list() == made["matches"]["seeker_id"].to_list()
    assert run.alternatives is not None and run.alternatives.height == made["alts"].height
    assert run.warnings is not None and run.warnings["value"].to_list() == [HOSTILE[0]]
    assert run.tiers is not None and run.tier_labels == ("T1", "T2", "T3", "T4")
    assert run.roles is not None and run.roles.height == len(made["roles"])
    # the same run read from its MATCHES file or its manifest
    assert load_run(folder / "matches.csv").matches.equals(run.matches)
    assert load_run(folder / "matches.csv.manifest.json").matches.equals(run.matches)


def test_an_input_that_changed_since_the_run_is_not_used(
        run_dir: tuple[Path, dict[str, Any]]) -> None:
    folder, _ = run_dir
    (folder / "seekers.csv").write_text((folder / "seekers.csv").read_text() + "\n")
    run = load_run(folder)
    assert run.tiers is None and run.roles is not None
    page = render(run, lang="en")
    assert STRINGS["en"]["no_tiers"].split(".")[0] in page


def test_a_tier_file_given_by_hand_is_used_and_unknown_seekers_are_counted(
        run_dir: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    folder, made = run_dir
    tiers = made["seeker_table"].select("seeker_id", "tier").head(40)
    tiers.write_csv(tmp_path / "tiers.csv")
    run = load_run(folder, seekers=tmp_path / "tiers.csv")
    rows = tier_table(run, min_cell=1)
    assert rows[-2]["tier"] is None and rows[-2]["n"] == 20  # nobody is dropped
    assert rows[-1]["n"] == 60


@pytest.mark.parametrize("case, expected", [
    ("missing", "does not exist"),
    ("empty", "holds no run"),
    ("two", "holds 2 runs"),
    ("column", "matches.csv column 'reason': required column is missing"),
    ("score", "matches.csv line 4, column 'score': must be a number in [0, 1], got '1.5'"),
    ("count", "holds 60 job-seekers, the manifest matches.csv.manifest.json says 61"),
    ("alts", "alternatives.csv line 2, column 'seeker_id': must name a job-seeker in "
             "matches.csv, got 'S99999'"),
    ("alt_role", "alternatives.csv line 3, column 'role_id': must not be empty"),
    ("ambiguous", "alternatives: 2 files in the folder fit (alternatives.csv, "
                  "more-alts.csv); name one with --alternatives"),
])
def test_bad_runs_are_errors_naming_file_row_column_rule_and_value(
        tmp_path: Path, case: str, expected: str) -> None:
    folder = tmp_path / "run"
    make_run(folder, hostile=False)
    target: Path = folder
    if case == "missing":
        target = tmp_path / "nowhere"
    elif case == "empty":
        target = tmp_path / "empty"
        target.mkdir()
    elif case == "two":
        (folder / "b.csv.manifest.json").write_text("{}")
    elif case == "column":
        pl.read_csv(folder / "matches.csv").drop("reason").write_csv(folder / "matches.csv")
    elif case == "score":
        m = pl.read_csv(folder / "matches.csv", infer_schema=False)
        m = m.with_columns(pl.when(pl.int_range(pl.len()) == 2).then(pl.lit("1.5"))
                           .otherwise(pl.col("score")).alias("score"))
        m.write_csv(folder / "matches.csv")
    elif case == "count":
        manifest = json.loads((folder / "matches.csv.manifest.json").read_text())
        manifest["counts"]["seekers"] = 61
        (folder / "matches.csv.manifest.json").write_text(json.dumps(manifest))
    elif case == "alts":
        a = pl.read_csv(folder / "alternatives.csv", infer_schema=False)
        a.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("S99999"))
                       .otherwise(pl.col("seeker_id")).alias("seeker_id")
                       ).write_csv(folder / "alternatives.csv")
    elif case == "alt_role":
        a = pl.read_csv(folder / "alternatives.csv", infer_schema=False)
        a.with_columns(pl.when(pl.int_range(pl.len()) == 1).then(pl.lit(""))
                       .otherwise(pl.col("role_id")).alias("role_id")
                       ).write_csv(folder / "alternatives.csv")
    elif case == "ambiguous":
        (folder / "more-alts.csv").write_bytes((folder / "alternatives.csv").read_bytes())
    with pytest.raises(InputError) as info:
        load_run(target)
    assert expected in str(info.value)


# ---------------------------------------------------------------- the tier table
def _run_of(tiers: list[str | None], matched: list[bool]) -> Run:
    ids = [f"S{i:04d}" for i in range(len(tiers))]
    matches = pl.DataFrame({"seeker_id": ids,
                            "role_id": ["R1" if m else None for m in matched],
                            "score": [0.5 if m else None for m in matched],
                            "reason": [""] * len(ids)},
                           schema={"seeker_id": pl.String, "role_id": pl.String,
                                   "score": pl.Float64, "reason": pl.String})
    labels = tuple(sorted({t for t in tiers if t is not None}))
    return Run(manifest={}, matches=matches,
               tiers=pl.DataFrame({"seeker_id": ids, "tier": tiers},
                                  schema={"seeker_id": pl.String, "tier": pl.String}),
               tier_labels=labels)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["T1", "T2", "T3", None]), st.booleans()),
                min_size=1, max_size=80),
       st.integers(min_value=1, max_value=8))
def test_tier_table_against_counting_by_hand_and_scipys_wilson_interval(
        people: list[tuple[str | None, bool]], min_cell: int) -> None:
    run = _run_of([t for t, _ in people], [m for _, m in people])
    rows = tier_table(run, min_cell)
    assert sum(1 for r in rows[:-1]) == len({t for t, _ in people})
    for row in rows[:-1]:
        n = sum(1 for t, _ in people if t == row["tier"])
        k = sum(1 for t, m in people if t == row["tier"] and m)
        # nothing shown is a count of 1 to min_cell - 1 (the rule of matcher.audit.disclosure),
        # and every shown number is right
        if row["n"] is not None:
            assert row["n"] == n >= min_cell
        if row["matched"] is not None:
            assert row["matched"] == k
            assert all(c == 0 or c >= min_cell for c in (k, n - k))
            ci = binomtest(k, n).proportion_ci(method="wilson")
            assert row["rate"] == pytest.approx(k / n)
            assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high))
        else:
            assert row["rate"] is None and row["ci_low"] is None and row["suppressed"]
    hidden = [r for r in rows[:-1] if r["matched"] is None]
    assert len(hidden) != 1 or len(rows) == 2  # one hidden row alone would be given away
    n_all = len(people)
    assert rows[-1]["n"] == n_all


def test_small_cells_are_hidden_in_the_page_and_the_plot(tmp_path: Path) -> None:
    run = _run_of(["T1"] * 3 + ["T2"] * 30 + ["T3"] * 30, [True] * 2 + [False] + [True] * 12
                  + [False] * 18 + [True] * 10 + [False] * 20)
    rows = {r["tier"]: r for r in tier_table(run, 5)}
    assert rows["T1"]["matched"] is None and rows["T1"]["n"] is None
    assert rows["T2"]["matched"] is None or rows["T3"]["matched"] is None  # secondary
    page = render(run, lang="nb", min_cell=5)
    assert "færre enn 5 personer" in page
    assert "67\u00a0%" not in page  # T1's 2 of 3 is never shown


# ---------------------------------------------------------------- the page
def test_hostile_values_are_data_never_markup(run_dir: tuple[Path, dict[str, Any]]) -> None:
    folder, made = run_dir
    page = render(load_run(folder), lang="en")
    parsed = parse(page)
    assert [t for t, _ in parsed.tags if t == "img"] == []
    assert [t for t, _ in parsed.tags].count("script") == 2
    assert not any(a.get("onerror") for _, a in parsed.tags)
    data = data_of(page)
    assert {s[0] for s in data["seekers"]} == set(made["seekers"])
    assert HOSTILE[0] in {s[0] for s in data["seekers"]}
    assert [HOSTILE[2], HOSTILE[3]] == data["roles"][[r[0] for r in data["roles"]].index(
        "R000")][1:]
    assert any(HOSTILE[2] in r for r in data["reasons"])


def test_the_policy_allows_only_the_pages_own_script_and_style(
        run_dir: tuple[Path, dict[str, Any]]) -> None:
    page = render(load_run(run_dir[0]), lang="da")
    parsed = parse(page)
    csp = next(a["content"] for t, a in parsed.tags
               if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert csp is not None and "default-src 'none'" in csp
    code = next(text for attrs, text in parsed.scripts if "type" not in attrs)
    assert len([a for a, _ in parsed.scripts if "type" not in a]) == 1

    def digest(text: str) -> str:
        return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()

    assert f"script-src 'sha256-{digest(code)}'" in csp
    assert f"style-src 'sha256-{digest(parsed.styles[0])}'" in csp
    assert not re.search(r"\bstyle=", page.split("<script", 1)[0])  # no inline style attributes
    assert not re.search(r"(src|href)=['\"]?(https?:)?//", page)


@pytest.mark.parametrize("lang", ["nb", "da", "en"])
def test_the_page_is_in_one_language_and_says_so(run_dir: tuple[Path, dict[str, Any]],
                                                 lang: str) -> None:
    page = render(load_run(run_dir[0]), lang=lang)  # type: ignore[arg-type]
    assert page.startswith(f"<!DOCTYPE html>\n<html lang='{lang}'>")
    t = STRINGS[lang]
    for key in ("title", "summary", "audit", "matches", "open_places", "warnings"):
        assert t[key] in page
    others = {k: v for other in STRINGS if other != lang for k, v in STRINGS[other].items()}
    assert STRINGS["en" if lang != "en" else "nb"]["rate_plot"] not in page
    assert others  # (the tables differ: see the test above)
    assert data_of(page)["t"]["unmatched"] == t["unmatched"]


def test_every_setting_of_a_run_is_named_in_the_language() -> None:
    """The settings table names each setting a run records (not its key), and each choice."""
    import dataclasses

    from matcher.config import EXECUTORS, POLICIES, SOLVERS, MatchConfig

    shown = {f.name for f in dataclasses.fields(MatchConfig)} - {
        "taxonomy", "crosswalk", "block_size", "neutral_wish", "history"}
    for lang, t in STRINGS.items():
        assert {k for k in shown if f"setting_{k}" not in t} == set(), lang
        for key, values in (("solver", SOLVERS), ("policy", POLICIES), ("executor", EXECUTORS),
                            ("alternatives_by", ("score", "reduced"))):
            assert {v for v in values if f"{key}_{v}" not in t} == set(), (lang, key)


def test_the_same_run_gives_the_same_bytes(run_dir: tuple[Path, dict[str, Any]],
                                           tmp_path: Path) -> None:
    run = load_run(run_dir[0])
    a = write_report(run, tmp_path / "a.html", lang="nb").read_bytes()
    b = write_report(load_run(run_dir[0]), tmp_path / "b.html", lang="nb").read_bytes()
    assert a == b


def test_optional_sections_appear_only_when_the_manifest_holds_them(tmp_path: Path) -> None:
    plain = render(load_run(make_run(tmp_path / "a", hostile=False) and tmp_path / "a"),
                   lang="en")
    for section in ("overrides", "parking", "curve"):
        assert f"id='{section}'" not in plain
    seekers = [f"S{i:05d}" for i in range(60)]
    extra = {
        "overrides": [{"kind": "lock", "seeker_id": "S00001", "role_id": "R002", "cost": 0.125},
                      {"kind": "forbid", "seeker_id": "S00002", "role_id": "R003", "cost": 0.0}],
        "history": {"runs": 3, "parked_after": 2,
                    "seekers": {s: {"runs": 3, "matched": i % 3, "unmatched_streak": i % 4}
                                for i, s in enumerate(seekers)}},
        "policy_curve": [
            {"weight": w, "total_score": 30.0 - 2 * w,
             "match_rate_by_tier": {"T1": 0.8 - 0.2 * w, "T4": 0.3 + 0.3 * w}}
            for w in (0.0, 0.5, 1.0)],
    }
    make_run(tmp_path / "b", hostile=False, extra=extra)
    page = render(load_run(tmp_path / "b"), lang="nb")
    for section in ("overrides", "parking", "curve"):
        assert f"id='{section}'" in page
    assert "Låst" in page and "Utelukket" in page and "0,125" in page
    assert "Hva prioritering koster" in page and "<polyline" in page
    data = data_of(page)
    assert data["hasHistory"] and data["seekers"][5][5] == [3, 2, 1]
    assert "Ikke matchet 2 ganger på rad eller mer" in page


def test_under_priority_each_change_is_priced_in_fit_with_the_objective_labelled(
        tmp_path: Path) -> None:
    extra = {
        "objective_total": 41.5,
        "overrides": [{"kind": "lock", "seeker_id": "S00001", "role_id": "R002", "cost": -0.25,
                       "objective_cost": 0.125},
                      {"kind": "forbid", "seeker_id": "S00002", "role_id": "R003", "cost": 0.5,
                       "objective_cost": 0.375}],
        "overrides_cost": 0.75, "overrides_objective_cost": 0.625,
    }
    make_run(tmp_path / "run", hostile=False, extra=extra)
    manifest_path = next((tmp_path / "run").glob("*.manifest.json"))
    manifest = json.loads(manifest_path.read_text())
    manifest["settings"] |= {"policy": "priority", "priority_weight": 0.5}
    manifest_path.write_text(json.dumps(manifest))
    page = render(load_run(tmp_path / "run"), lang="nb")
    section = page[page.index("id='overrides'"):]
    section = section[:section.index("</section>")]
    cells = re.findall(r"<t[dh][^>]*>([^<]*)</t[dh]>", section)
    assert cells[:5] == ["Endring", "Arbeidssøker", "Stilling", "Kostnad i samsvar",
                         "Kostnad når prioriteringen regnes med"]
    assert cells[5:10] == ["Låst", "S00001", "Rolle 2 (R002)", "-0,250", "0,125"]
    assert cells[-3:] == ["Alle endringene samlet", "0,750", "0,625"]
    assert "negativ kostnad" in section
    summary = page[page.index("id='summary'"):page.index("id='audit'")]
    assert "Samlet samsvar pluss prioritering</dt><dd>41,500" in summary
    # the settings in the caseworker's words, not the option values
    settings = summary[summary.index("class='plain settings'"):]
    assert "<td>Prioritering</td><td>prioritet til dem som står lengst fra arbeidslivet</td>" \
        in settings
    assert ">priority<" not in settings and "Frø" not in settings


def test_alternatives_say_which_were_ruled_out_or_locked_by_hand(tmp_path: Path) -> None:
    made = make_run(tmp_path / "run", hostile=False)
    alts = made["alts"]
    forbid = alts.filter(~pl.col("assigned")).row(0, named=True)
    lock = alts.filter(pl.col("assigned")).row(0, named=True)
    manifest_path = next((tmp_path / "run").glob("*.manifest.json"))
    manifest = json.loads(manifest_path.read_text())
    manifest["overrides"] = [
        {"kind": "forbid", "seeker_id": forbid["seeker_id"], "role_id": forbid["role_id"],
         "cost": 0.0},
        {"kind": "lock", "seeker_id": lock["seeker_id"], "role_id": lock["role_id"],
         "cost": 0.0}]
    manifest_path.write_text(json.dumps(manifest))
    data = data_of(render(load_run(tmp_path / "run"), lang="da"))
    flags = {}
    for s, rows in zip(data["seekers"], data["alts"], strict=True):
        for r in rows:
            flags[(s[0], data["roles"][r[0]][0])] = r[6]
    assert flags.pop((forbid["seeker_id"], forbid["role_id"])) == 2
    assert flags.pop((lock["seeker_id"], lock["role_id"])) == 3
    assert set(flags.values()) == {0, 1}
    assert data["t"]["ruled_out"] == "nej, udelukket af sagsbehandleren"


def test_the_price_of_fairness_lists_tiers_as_the_tier_table_does(tmp_path: Path) -> None:
    nav = ["standard innsats", "situasjonsbestemt innsats", "spesielt tilpasset innsats",
           "varig tilpasset innsats"]
    bands = ["75\u2013100 %", "50\u201375 %", "25\u201350 %", "0\u201325 %"]
    for name, labels in (("nav", nav), ("bands", bands)):
        curve = [{"weight": w, "total_score": 30.0 - w,
                  "match_rate_by_tier": {t: 0.5 for t in labels}} for w in (0.0, 1.0)]
        make_run(tmp_path / name, hostile=False, tiers=False, extra={"policy_curve": curve})
        page = render(load_run(tmp_path / name), lang="en")
        section = page[page.index("id='curve'"):]
        head = section[section.index("<thead>"):section.index("</thead>")]
        assert re.findall(r"<th>([^<]*)</th>", head)[2:] == labels
        legend = re.findall(r"<text x=\"[0-9.]+\" y=\"[0-9.]+\">([^<]*)</text>", section)
        assert [x for x in legend if x in labels] == labels


def test_without_roles_the_open_places_are_counted_not_listed(tmp_path: Path) -> None:
    made = make_run(tmp_path / "run", hostile=False)
    (tmp_path / "run" / "roles.csv").unlink()
    page = render(load_run(tmp_path / "run"), lang="en")
    left = made["manifest"]["counts"]["slots"] - made["manifest"]["matched"]
    assert f"{left} places are still open" in page
    assert data_of(page)["open"] == []


def test_open_places_are_the_places_nobody_was_proposed_for(tmp_path: Path) -> None:
    made = make_run(tmp_path / "run", hostile=False)
    data = data_of(render(load_run(tmp_path / "run"), lang="en"))
    used = made["matches"]["role_id"].drop_nulls().value_counts()
    taken = dict(zip(used["role_id"].to_list(), used["count"].to_list(), strict=True))
    expected = {r: s - taken.get(r, 0) for r, s in zip(made["roles"],
                                                        made["role_table"]["slots"].to_list(),
                                                        strict=True)
                if s > taken.get(r, 0)}
    assert {data["roles"][i][0]: free for i, _, free in data["open"]} == expected


# ---------------------------------------------------------------- the shells
def test_report_command_writes_the_page_and_fails_cleanly(
        run_dir: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    folder, _ = run_dir
    runner = CliRunner()
    result = runner.invoke(cli, ["report", str(folder), "--lang", "da", "--min-cell", "3"])
    assert result.exit_code == 0, result.output
    assert (folder / "report.html").read_text().startswith("<!DOCTYPE html>\n<html lang='da'>")
    out = tmp_path / "elsewhere.html"
    assert runner.invoke(cli, ["report", str(folder / "matches.csv"), "--out", str(out)]
                         ).exit_code == 0 and out.exists()
    bad = runner.invoke(cli, ["report", str(tmp_path / "nowhere")])
    assert bad.exit_code == 2 and "does not exist" in bad.stderr
    assert "Traceback" not in bad.output


def test_match_result_writes_its_report(sample_result: Any, samples: tuple[Path, Path],
                                        tmp_path: Path) -> None:
    path = sample_result.write_report(tmp_path / "r.html", lang="nb", seekers=samples[0],
                                      roles=samples[1])
    data = data_of(path.read_text())
    assert [s[0] for s in data["seekers"]] == sample_result.matches["seeker_id"].to_list()
    assert data["hasTiers"] and data["rolesKnown"]
    reasons = sample_result.matches["reason"].to_list()
    assert [data["reasons"][s[3]] for s in data["seekers"]] == reasons
    assert path.read_text().startswith("<!DOCTYPE html>\n<html lang='nb'>")
    default = sample_result.write_report(tmp_path / "d.html")  # the run sets no lang: English
    assert default.read_text().startswith("<!DOCTYPE html>\n<html lang='en'>")


def test_the_language_is_the_one_asked_for_else_the_runs_own_else_english() -> None:
    from matcher.report import pick_language

    assert pick_language("nb", {"settings": {"lang": "da"}}) == "nb"
    assert pick_language(None, {"settings": {"lang": "da"}}) == "da"
    assert pick_language(None, {"settings": {}}) == "en"
    message = ("The 'lang' parameter of pick_language must be one of 'nb', 'da', 'en'. "
               "Got 'sv' instead.")
    with pytest.raises(ValueError, match=re.escape(message)):
        pick_language("sv")


def test_employability_alone_groups_seekers_in_fixed_bands(tmp_path: Path) -> None:
    made = make_run(tmp_path / "run", hostile=False)
    ids = made["seekers"]
    values = [i / (len(ids) - 1) for i in range(len(ids))]  # 0 ... 1, both ends included
    pl.DataFrame({"seeker_id": ids, "employability": values}).write_csv(tmp_path / "emp.csv")
    run = load_run(tmp_path / "run", seekers=tmp_path / "emp.csv")
    assert run.tier_source == "employability"
    rows = {r["tier"]: r["n"] for r in tier_table(run, min_cell=1)}
    expected = {"75\u2013100 %": sum(v >= 0.75 for v in values),
                "50\u201375 %": sum(0.5 <= v < 0.75 for v in values),
                "25\u201350 %": sum(0.25 <= v < 0.5 for v in values),
                "0\u201325 %": sum(v < 0.25 for v in values), "*": len(ids)}
    assert rows == expected
    page = render(run, lang="nb", min_cell=1)
    assert "Andel matchet etter jobbsannsynlighet" in page
    assert data_of(page)["t"]["tier"] == "Jobbsannsynlighet"


def test_a_run_written_as_parquet_and_json_is_read_the_same(tmp_path: Path) -> None:
    make_run(tmp_path / "csv", hostile=True)
    folder = tmp_path / "mixed"
    folder.mkdir()
    csv_run = load_run(tmp_path / "csv")
    pl.read_csv(tmp_path / "csv" / "matches.csv", infer_schema=False).write_parquet(
        folder / "m.parquet")
    pl.read_csv(tmp_path / "csv" / "alternatives.csv").write_json(folder / "a.json")
    (folder / "m.parquet.manifest.json").write_bytes(
        (tmp_path / "csv" / "matches.csv.manifest.json").read_bytes())
    run = load_run(folder)
    assert run.matches.equals(csv_run.matches)
    assert run.alternatives is not None and csv_run.alternatives is not None
    assert run.alternatives.equals(csv_run.alternatives)
    assert run.tiers is None  # the inputs are not in this folder


def test_a_caseworkers_own_seekers_file_without_tiers_gets_its_report(
        taxonomy: matcher.Taxonomy, tmp_path: Path) -> None:
    """``Løpenr`` is the id for the report as for the match; with no tier the report leaves
    the audit out instead of refusing, and its warnings are in the report's language."""
    seekers = pl.DataFrame({"Løpenr": ["A1", "A2"], "Erfaring": ["kokk", "sjåfør"]})
    roles = pl.DataFrame({"role_id": ["R1"], "enterprise": ["Kafé"], "slots": [1],
                          "occupation": ["kokk"]})
    result = matcher.match(seekers, roles, taxonomy=taxonomy, lang="nb")
    path = result.write_report(tmp_path / "r.html", seekers=seekers, roles=roles)
    data = data_of(path.read_text())
    assert [s[0] for s in data["seekers"]] == ["A1", "A2"]
    assert not data["hasTiers"]
    (warning,) = data["warnings"]
    assert "yrket ble ikke sikkert gjenkjent" in " ".join(str(c) for c in warning)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_run_matcher_match_wrote_is_read_back_with_every_warning(
        sample_result: Any, tmp_path: Path, suffix: str) -> None:
    """What `matcher match` writes is what the report reads: the warnings file (its `line`
    column), or the `warnings` and `alternatives` sheets of an .xlsx MATCHES."""
    n = sample_result.manifest["counts"]["warnings"]
    assert n > 0
    out = tmp_path / f"matches{suffix}"
    if suffix == ".csv":
        sample_result.write(out, alternatives=tmp_path / "alts.csv",
                            warnings=tmp_path / "warnings.csv")
    else:
        sample_result.write(out, alternatives=tmp_path / "unused.csv")
        (tmp_path / "unused.csv").unlink()  # the workbook's own sheet is read
    run = load_run(tmp_path)
    assert run.warnings is not None and run.warnings.height == n
    assert run.warnings["rule"].to_list() == [w.rule for w in sample_result.warnings]
    assert run.alternatives is not None
    assert run.alternatives.height == sample_result.alternatives.height
    page = render(run, lang="nb")
    assert STRINGS["nb"]["warnings_intro"] in page and STRINGS["nb"]["no_warnings"] not in page


def test_a_warnings_file_of_an_older_run_and_one_that_is_missing(
        run_dir: tuple[Path, dict[str, Any]]) -> None:
    folder, _ = run_dir
    warnings = folder / "warnings.csv"
    frame = pl.read_csv(warnings, infer_schema=False)
    frame.rename({"line": "row"}).write_csv(warnings)  # as runs wrote it before
    older = load_run(folder)
    assert older.warnings is not None and older.warnings.height == frame.height
    warnings.unlink()
    page = render(load_run(folder), lang="nb")
    counted = load_run(folder).manifest["counts"]["warnings"]
    assert counted > 0
    assert STRINGS["nb"]["warnings_missing"].format(n=counted) in page
    assert STRINGS["nb"]["no_warnings"] not in page
