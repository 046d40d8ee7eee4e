"""The resolve stage (matcher/terms.py): each cell's terms become concepts, each distinct term is
resolved once per column, and nothing is dropped without a warning naming file, line, column and
term.

Most tests give :func:`resolve_terms` a scripted taxonomy (the one method it calls,
``resolve_many``), so they pin what this stage does with each kind of answer whatever the
resolver's calibration; one runs the real taxonomy end to end."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matcher
from matcher.errors import UnresolvedTermError
from matcher.io import validate_roles, validate_seekers
from matcher.taxonomy import Resolution
from matcher.terms import (
    AMBIGUOUS_BELOW,
    FUZZY_REPORT_BELOW,
    ROLE_TERMS,
    SEEKER_TERMS,
    resolve_terms,
)


def found(term: str, uri: str, label: str, method: str = "exact", confidence: float = 1.0,
          suggestions: tuple[str, ...] = ()) -> Resolution:
    return Resolution(term, "occupation", (abs(hash(uri)) % 1000,), uri, label,
                      method, confidence, suggestions)  # type: ignore[arg-type]


def missing(term: str, method: str | None = None,
            suggestions: tuple[str, ...] = ()) -> Resolution:
    return Resolution(term, "occupation", (), None, None, method,  # type: ignore[arg-type]
                      0.0, suggestions)


#: what the scripted taxonomy answers for each term (any kind)
ANSWERS: dict[str, Resolution] = {
    "kokk": found("kokk", "u:cook", "cook"),
    "Kokk": found("Kokk", "u:cook", "cook"),
    "agronom": found("agronom", "u:agronomist", "agronomist"),
    "kokx": found("kokx", "u:cook", "cook", "fuzzy", 0.77),
    "kokkk": found("kokkk", "u:cook", "cook", "fuzzy", 0.97),
    "assistent": found("assistent", "u:secretary", "secretary", "exact", 0.7,
                       ("secretary", "home care aide", "beautician", "clerk")),
    "selger": found("selger", "u:sales", "sales assistant", "exact", 0.7),
    "kvxqzt": missing("kvxqzt"),
    "rengjøring": missing("rengjøring", None, ("building cleaner", "train cleaner")),
    "snekr": missing("snekr", "similar", ("carpenter", "joiner", "door installer", "roofer")),
}


class ScriptedTaxonomy:
    """Answers from :data:`ANSWERS`, and a record of every ``resolve_many`` call."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], str]] = []

    def resolve_many(self, terms: Iterable[str], kind: str) -> list[Resolution]:
        terms = list(terms)
        self.calls.append((terms, kind))
        return [ANSWERS[t] for t in terms]


def resolve(frame: pl.DataFrame, columns: Mapping[str, Any] = SEEKER_TERMS, **kw: Any) -> Any:
    tax = ScriptedTaxonomy()
    out = resolve_terms(frame, name="s.csv", columns=columns, taxonomy=tax,  # type: ignore[arg-type]
                        **kw)
    return out, tax


def seekers(**columns: list[str | None]) -> pl.DataFrame:
    n = len(next(iter(columns.values())))
    return validate_seekers(pl.DataFrame({"seeker_id": [f"S{i}" for i in range(n)],
                                          **columns}), "s.csv")


def test_cells_become_distinct_concepts_in_the_order_written() -> None:
    out, tax = resolve(seekers(experience=["agronom;kokk;Kokk", None, "kokk"],
                               wishes=["kokk", "agronom", None]))
    uris = [[r.uri for r in cell] for cell in out.concepts["experience"]]
    assert uris == [["u:agronomist", "u:cook"], [], ["u:cook"]]  # 'Kokk' is the same cook
    assert [[r.uri for r in cell] for cell in out.concepts["wishes"]] == [
        ["u:cook"], ["u:agronomist"], []]
    assert out.warnings == [] and out.count_unresolved() == 0
    # a column the file does not have gives an empty cell per row
    assert out.concepts["skills"] == [[], [], []]
    # one call per column, each distinct term once, sorted
    assert tax.calls == [(["Kokk", "agronom", "kokk"], "occupation"), ([], "skill"),
                         (["agronom", "kokk"], "occupation")]


def test_an_unknown_term_is_a_warning_with_its_suggestions_and_kept_for_the_reason() -> None:
    out, _ = resolve(seekers(experience=["kokk", "kvxqzt;rengjøring"]))
    assert [str(w) for w in out.warnings] == [
        "s.csv line 3, column 'experience': unresolved occupation term, got 'kvxqzt'",
        "s.csv line 3, column 'experience': unresolved occupation term (closest: "
        "'building cleaner', 'train cleaner'), got 'rengjøring'",
    ]
    assert all(w.level == "warning" for w in out.warnings)
    assert out.count_unresolved() == 2
    assert [[r.term for r in cell] for cell in out.unresolved["experience"]] == [
        [], ["kvxqzt", "rengjøring"]]
    assert out.concepts["experience"][1] == []


def test_a_guess_by_spelling_alone_is_not_taken_and_says_what_to_write() -> None:
    out, _ = resolve(seekers(experience=["snekr"]))
    assert [str(w) for w in out.warnings] == [
        "s.csv line 2, column 'experience': unresolved occupation term: only a guess by "
        "spelling (closest: 'carpenter', 'joiner', 'door installer'); write one of these or a "
        "STYRK-08 code to use it, got 'snekr'"]
    assert out.concepts["experience"] == [[]]
    # not taken, so the reason names it with its suggestions, as it names a term missed
    assert [[r.term for r in cell] for cell in out.unresolved["experience"]] == [["snekr"]]


def test_doubtful_matches_are_taken_and_reported() -> None:
    out, _ = resolve(seekers(experience=["kokx;kokkk", "assistent;selger"]))
    assert [str(w) for w in out.warnings] == [
        "s.csv line 2, column 'experience': matched by spelling only to 'cook' (confidence "
        "0.77); check it, got 'kokx'",
        "s.csv line 3, column 'experience': ambiguous occupation term, took 'secretary' "
        "(also: 'home care aide', 'beautician', 'clerk'); write the ESCO URI or a more specific "
        "label to choose, got 'assistent'",
    ]
    # 0.97 >= FUZZY_REPORT_BELOW, and 'selger' has no other candidate to name
    assert FUZZY_REPORT_BELOW < 0.97 and AMBIGUOUS_BELOW > 0.7
    assert [[r.uri for r in cell] for cell in out.concepts["experience"]] == [
        ["u:cook"], ["u:secretary", "u:sales"]]
    assert out.count_unresolved() == 0


def test_adaptations_known_and_unknown() -> None:
    out, tax = resolve(seekers(needs=["rullestoltilgang;wheelchair access;hund på kontoret"]))
    keys = [[(a.key, a.known) for a in cell] for cell in out.adaptations["needs"]]
    assert keys[0][0] == ("wheelchair_access", True) and len(keys[0]) == 2
    assert keys[0][1][1] is False  # kept as written, its own key
    (warning,) = out.warnings
    assert warning.rule.startswith("unknown adaptation, kept as written (closest known: ")
    assert (warning.line, warning.column, warning.value) == (2, "needs", "hund på kontoret")
    assert all(kind != "adaptation" for _, kind in tax.calls)


def test_adaptations_joined_in_one_item_are_each_read() -> None:
    """``rullestoltilgang, stille arbeidsplass`` read whole is one unknown adaptation that no
    role states: the person would be kept from roles that offer both."""
    out, _ = resolve(seekers(needs=[
        "rullestoltilgang, stille arbeidsplass", "deltid/fleksibel arbeidstid og tolk",
        "hund på kontoret, rullestoltilgang"]))
    keys = [[(a.key, a.known) for a in cell] for cell in out.adaptations["needs"]]
    assert keys[:2] == [[("wheelchair_access", True), ("quiet_workplace", True)],
                        [("part_time", True), ("flexible_hours", True), ("language_support", True)]]
    # a part not known: the item is kept whole, with its warning, as before
    assert keys[2] == [("other:hund på kontoret rullestoltilgang", False)]
    assert [(w.line, w.value) for w in out.warnings] == [(4, "hund på kontoret, rullestoltilgang")]


def test_strict_raises_every_unresolved_term_and_unknown_adaptation_at_once() -> None:
    frame = seekers(experience=["kvxqzt", "kokx", "snekr"], needs=[None, "hund", None])
    with pytest.raises(UnresolvedTermError) as caught:
        resolve(frame, strict=True)
    problems = caught.value.problems
    assert [(p.line, p.column, p.value) for p in problems] == [
        (2, "experience", "kvxqzt"), (3, "needs", "hund"), (4, "experience", "snekr")]
    assert all(p.level == "error" for p in problems)  # the spelling report stays a warning
    out, _ = resolve(seekers(experience=["kokx"]), strict=True)
    assert len(out.warnings) == 1


def test_role_columns_and_line_numbers_of_the_file() -> None:
    roles = validate_roles(pl.DataFrame({
        "role_id": ["R1", "R2"], "enterprise": ["E", "E"], "slots": ["1", "1"],
        "occupation": ["kvxqzt", "kokk"], "offers": ["rullestoltilgang", None]}), "r.csv")
    roles = roles.with_columns(pl.Series("_row", [7, 9]))  # lines as a file with gaps has them
    out, _ = resolve(roles, ROLE_TERMS)
    assert [(w.file, w.line, w.column) for w in out.warnings] == [("s.csv", 7, "occupation")]
    assert [[r.uri for r in c] for c in out.concepts["occupation"]] == [[], ["u:cook"]]
    assert [[a.key for a in c] for c in out.adaptations["offers"]] == [["wheelchair_access"], []]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(sorted(ANSWERS)), max_size=4), min_size=1,
                max_size=6))
def test_each_cell_is_its_terms_resolved_one_by_one(cells: list[list[str]]) -> None:
    frame = seekers(experience=[";".join(c) or None for c in cells])
    out, tax = resolve(frame)
    taken = {t for t, r in ANSWERS.items() if r.indices}
    for row, cell in enumerate(cells):
        expected = list(dict.fromkeys(ANSWERS[t].uri for t in cell if t in taken))
        assert [r.uri for r in out.concepts["experience"][row]] == expected
        # missed and guessed by spelling alike are named in the reason, in the order written
        not_taken = [t for t in cell if t not in taken]
        assert [r.term for r in out.unresolved["experience"][row]] == not_taken
        warned = [w.value for w in out.warnings if w.line == row + 2]
        assert sorted(set(warned)) == sorted({t for t in cell if t not in taken} | {
            t for t in cell if t in ("kokx", "assistent")})
    experience_calls = [terms for terms, _ in tax.calls[:1]]
    assert experience_calls == [sorted({t for c in cells for t in c})]


def test_the_real_taxonomy_end_to_end(taxonomy: matcher.Taxonomy) -> None:
    frame = seekers(experience=["kokk;Kokk;agronom", "kvxqzt"], wishes=["5120", None])
    out = resolve_terms(frame, name="s.csv", columns=SEEKER_TERMS, taxonomy=taxonomy)
    assert [[r.label for r in c] for c in out.concepts["experience"]] == [
        ["cook", "agronomist"], []]
    assert [(r.label, r.method, len(r.indices)) for r in out.concepts["wishes"][0]] == [
        ("Cooks", "code", 5)]
    assert [(w.line, w.column, w.value) for w in out.warnings] == [(3, "experience", "kvxqzt")]


def test_a_list_written_with_commas_is_read_as_its_terms(taxonomy: matcher.Taxonomy) -> None:
    """'kokk, servitør' (where ';' was meant) is two terms when each part is a label and the
    whole is none, with a warning; a label with a comma stays whole; a part that is only a
    guess keeps the whole as written."""
    frame = seekers(experience=["kokk, servitør", "renholder, privathjem", "kokk, kvxqzt",
                                "agronom;Kokk ,  Servitør"])
    out = resolve_terms(frame, name="s.csv", columns=SEEKER_TERMS, taxonomy=taxonomy)
    labels = [[r.label for r in c] for c in out.concepts["experience"]]
    assert labels[0] == ["cook", "waiter/waitress"]
    assert labels[1] == ["domestic cleaner"]
    assert labels[2] in ([], ["cook"])  # not split: 'kvxqzt' is no label; the whole as written
    assert labels[3] == ["agronomist", "cook", "waiter/waitress"]
    split = [(w.line, w.value, w.param("parts")) for w in out.warnings if w.code == "term_split"]
    assert split == [(2, "kokk, servitør", ("kokk", "servitør")),
                     (5, "Kokk ,  Servitør", ("Kokk", "Servitør"))]
    assert str(next(w for w in out.warnings if w.code == "term_split")) == (
        "s.csv line 2, column 'experience': read as 'kokk' and 'servitør' separately; separate "
        "several terms with ';', got 'kokk, servitør'")
    roles = pl.DataFrame({"role_id": ["R1"], "enterprise": ["Kafé"], "slots": [1],
                          "occupation": ["kokk"]})
    result = matcher.match(frame.drop("_row"), roles, taxonomy=taxonomy, lang="nb")
    assert "«kokk, servitør» i seekers linje 2, kolonne «experience»: ble lest som «kokk» " \
           "og «servitør» hver for seg. Skill dem med semikolon (;)" in map(str, result.warnings)
